// Maxout over groups of k consecutive entries along the axis, f32 and f64, forward and backward,
// compiled once per instruction set (foreach_target) like simd.cpp. Comparisons and copies only:
// results are the reference's bit for bit.
//
// y_j = x_(jk + m*) with m* the first maximal member of group j, a NaN counting as maximal (the
// first NaN wins, so NaN propagates): member m replaces the best so far where x_m > best or x_m
// is NaN and best is not; ties keep the earlier member (so of -0 and +0 the first).
// dx_(jk + m) = dy_j where m = m*, else +0.
//
// A block is one [n, inner] slab of the [outer, n, inner] layout (n = groups·k). With inner > 1 the
// k members of a group are k rows of `inner` contiguous entries, compared a vector of columns at a
// time; with inner = 1 they are k adjacent entries, split into k vectors by LoadInterleaved for
// k = 2, 3, 4 and gathered for larger k. The columns and groups past the last whole vector take
// the same rule in scalar code.
#include <cmath>
#include <cstddef>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "maxout.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

/// The index m* of group members x[0], x[stride], ..., x[(k-1)·stride], by the rule above, as
/// selects rather than branches (on random data a branch per member mispredicts every other time).
template <class T>
std::size_t first_max(const T* x, std::size_t stride, std::size_t k) {
  std::size_t best = 0;
  T best_value = x[0];
  for (std::size_t m = 1; m < k; ++m) {
    const T v = x[m * stride];
    const bool take = v > best_value || (std::isnan(v) && !std::isnan(best_value));
    best = take ? m : best;
    best_value = take ? v : best_value;
  }
  return best;
}

/// One group by the scalar rule, members at xg[m·stride]: forward (g null) writes the first
/// maximal one to out[0]; backward writes out[m·stride] = *g at m*, +0 at the others.
template <class T>
void group_scalar(const T* xg, std::size_t stride, std::size_t k, const T* g, T* out) {
  const std::size_t best = first_max(xg, stride, k);
  if (!g) {
    out[0] = xg[best * stride];
    return;
  }
  const T gv = *g;
  for (std::size_t m = 0; m < k; ++m) out[m * stride] = m == best ? gv : T(0);
}

/// One step of the rule in lanes: where member v (index m) replaces best, best = v and idx = m.
template <class D>
HWY_INLINE void take_if_greater(D d, hn::Vec<D> v, std::size_t m, hn::Vec<D>& best, hn::Vec<D>& idx) {
  const auto take = hn::Or(v > best, hn::AndNot(hn::IsNaN(best), hn::IsNaN(v)));
  best = hn::IfThenElse(take, v, best);
  idx = hn::IfThenElse(take, hn::Set(d, static_cast<hn::TFromD<D>>(m)), idx);
}

/// Members loaded by LoadInterleavedK for k = 2, 3, 4: group g's member m in lane g of v[m].
template <std::size_t kK, class D, class T>
HWY_INLINE void load_members(D d, const T* x, hn::Vec<D>* v) {
  if constexpr (kK == 2) hn::LoadInterleaved2(d, x, v[0], v[1]);
  if constexpr (kK == 3) hn::LoadInterleaved3(d, x, v[0], v[1], v[2]);
  if constexpr (kK == 4) hn::LoadInterleaved4(d, x, v[0], v[1], v[2], v[3]);
}
template <std::size_t kK, class D, class T>
HWY_INLINE void store_members(D d, const hn::Vec<D>* v, T* x) {
  if constexpr (kK == 2) hn::StoreInterleaved2(v[0], v[1], d, x);
  if constexpr (kK == 3) hn::StoreInterleaved3(v[0], v[1], v[2], d, x);
  if constexpr (kK == 4) hn::StoreInterleaved4(v[0], v[1], v[2], v[3], d, x);
}

/// Groups of kK adjacent entries (inner = 1): `groups` outputs from x, whole vectors of groups
/// first. Forward (dy null): y_j = best; backward: dx members = dy_j at m*, else 0.
template <std::size_t kK, class T>
void adjacent_groups(const T* x, const T* dy, T* out, std::size_t groups) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t j = 0;
  for (; j + lanes <= groups; j += lanes) {
    hn::Vec<decltype(d)> v[kK];
    load_members<kK>(d, x + j * kK, v);
    auto best = v[0], idx = hn::Zero(d);
    for (std::size_t m = 1; m < kK; ++m) take_if_greater(d, v[m], m, best, idx);
    if (!dy) {
      hn::StoreU(best, d, out + j);
      continue;
    }
    const auto g = hn::LoadU(d, dy + j);
    for (std::size_t m = 0; m < kK; ++m) v[m] = hn::IfThenElseZero(idx == hn::Set(d, static_cast<T>(m)), g);
    store_members<kK>(d, v, out + j * kK);
  }
  for (; j < groups; ++j) group_scalar(x + j * kK, 1, kK, dy ? dy + j : nullptr, dy ? out + j * kK : out + j);
}

/// Groups of k adjacent entries (inner = 1) for k without an interleaved load: member m of a
/// vector of groups gathered from x at (group·k + m), written back (backward) by a scatter.
template <class T>
void gathered_groups(const T* x, const T* dy, T* out, std::size_t groups, std::size_t k) {
  const hn::ScalableTag<T> d;
  const hn::RebindToSigned<decltype(d)> di;
  using TI = hn::TFromD<decltype(di)>;
  const std::size_t lanes = hn::Lanes(d);
  HWY_ALIGN TI offsets[HWY_MAX_BYTES / sizeof(T)];
  for (std::size_t l = 0; l < lanes; ++l) offsets[l] = static_cast<TI>(l * k);
  const auto stride = hn::Load(di, offsets);
  std::size_t j = 0;
  for (; j + lanes <= groups; j += lanes) {
    const T* xg = x + j * k;
    auto best = hn::GatherIndex(d, xg, stride), idx = hn::Zero(d);
    for (std::size_t m = 1; m < k; ++m) take_if_greater(d, hn::GatherIndex(d, xg + m, stride), m, best, idx);
    if (!dy) {
      hn::StoreU(best, d, out + j);
      continue;
    }
    const auto g = hn::LoadU(d, dy + j);
    for (std::size_t m = 0; m < k; ++m)
      hn::ScatterIndex(hn::IfThenElseZero(idx == hn::Set(d, static_cast<T>(m)), g), d, out + j * k + m, stride);
  }
  for (; j < groups; ++j) group_scalar(x + j * k, 1, k, dy ? dy + j : nullptr, dy ? out + j * k : out + j);
}

/// One block: x is [groups·k, inner], y (or dy) [groups, inner], dx like x. dx may be x: every
/// member of a column is read before any of them is written.
template <class T>
void block(const T* x, const T* dy, T* out, std::size_t groups, std::size_t k, std::size_t inner) {
  if (inner == 1) {
    if (k == 2) return adjacent_groups<2>(x, dy, out, groups);
    if (k == 3) return adjacent_groups<3>(x, dy, out, groups);
    if (k == 4) return adjacent_groups<4>(x, dy, out, groups);
    if (k > 4) return gathered_groups(x, dy, out, groups, k);
  }
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t j = 0; j < groups; ++j) {
    const T* xg = x + j * k * inner;  // member m of column i at xg[m·inner + i]
    std::size_t i = 0;
    for (; i + lanes <= inner; i += lanes) {
      auto best = hn::LoadU(d, xg + i), idx = hn::Zero(d);
      for (std::size_t m = 1; m < k; ++m) take_if_greater(d, hn::LoadU(d, xg + m * inner + i), m, best, idx);
      if (!dy) {
        hn::StoreU(best, d, out + j * inner + i);
        continue;
      }
      const auto g = hn::LoadU(d, dy + j * inner + i);
      for (std::size_t m = 0; m < k; ++m)
        hn::StoreU(hn::IfThenElseZero(idx == hn::Set(d, static_cast<T>(m)), g), d, out + (j * k + m) * inner + i);
    }
    for (; i < inner; ++i)
      group_scalar(xg + i, inner, k, dy ? dy + j * inner + i : nullptr,
                   dy ? out + j * k * inner + i : out + j * inner + i);
  }
}

/// Blocks o0 ≤ o < o1 of the layout.
template <class T>
void blocks(const T* x, const T* dy, T* out, std::size_t o0, std::size_t o1, std::size_t groups, std::size_t k,
            std::size_t inner) {
  const std::size_t in_block = groups * k * inner, out_block = groups * inner;
  for (std::size_t o = o0; o < o1; ++o)
    block(x + o * in_block, dy ? dy + o * out_block : nullptr, out + o * (dy ? in_block : out_block), groups, k,
          inner);
}

}  // namespace

void MaxoutForwardF32(const float* x, float* y, std::size_t o0, std::size_t o1, std::size_t groups, std::size_t k,
                      std::size_t inner) {
  blocks<float>(x, nullptr, y, o0, o1, groups, k, inner);
}
void MaxoutForwardF64(const double* x, double* y, std::size_t o0, std::size_t o1, std::size_t groups,
                      std::size_t k, std::size_t inner) {
  blocks<double>(x, nullptr, y, o0, o1, groups, k, inner);
}
void MaxoutBackwardF32(const float* x, const float* dy, float* dx, std::size_t o0, std::size_t o1,
                       std::size_t groups, std::size_t k, std::size_t inner) {
  blocks<float>(x, dy, dx, o0, o1, groups, k, inner);
}
void MaxoutBackwardF64(const double* x, const double* dy, double* dx, std::size_t o0, std::size_t o1,
                       std::size_t groups, std::size_t k, std::size_t inner) {
  blocks<double>(x, dy, dx, o0, o1, groups, k, inner);
}

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd.hpp"

namespace actfn::kernels {

HWY_EXPORT(MaxoutForwardF32);
HWY_EXPORT(MaxoutForwardF64);
HWY_EXPORT(MaxoutBackwardF32);
HWY_EXPORT(MaxoutBackwardF64);

void simd_maxout_forward(const float* x, float* y, std::size_t o0, std::size_t o1, std::size_t groups, std::size_t k,
                         std::size_t inner) {
  HWY_DYNAMIC_DISPATCH(MaxoutForwardF32)(x, y, o0, o1, groups, k, inner);
}
void simd_maxout_forward(const double* x, double* y, std::size_t o0, std::size_t o1, std::size_t groups,
                         std::size_t k, std::size_t inner) {
  HWY_DYNAMIC_DISPATCH(MaxoutForwardF64)(x, y, o0, o1, groups, k, inner);
}
void simd_maxout_backward(const float* x, const float* dy, float* dx, std::size_t o0, std::size_t o1,
                          std::size_t groups, std::size_t k, std::size_t inner) {
  HWY_DYNAMIC_DISPATCH(MaxoutBackwardF32)(x, dy, dx, o0, o1, groups, k, inner);
}
void simd_maxout_backward(const double* x, const double* dy, double* dx, std::size_t o0, std::size_t o1,
                          std::size_t groups, std::size_t k, std::size_t inner) {
  HWY_DYNAMIC_DISPATCH(MaxoutBackwardF64)(x, dy, dx, o0, o1, groups, k, inner);
}

}  // namespace actfn::kernels
#endif  // HWY_ONCE
