// Softmax, softmin and log_softmax over contiguous f32 rows, forward and backward (from y),
// compiled once per instruction set (foreach_target) like simd.cpp.
//
// Like the reference for f32 data, every row computes in f64 and rounds once: the max is taken in
// f32 (exact), then e^(s·x_i - m) (Highway's f64 Exp, 1 ULP of double), the sums and the final
// products in f64 lanes. Only the order of the f64 additions differs from the reference, an error
// of a few 2^-53 relative, so results are within 1 ULP of float of the reference's. Rows holding a
// NaN or an infinity (in x, or in y or dy for backward) go through the reference's own row code
// (the formula structs in double), which defines their limits.
//
// softmax(s·x)_i = e_i / Σ e_j,  e_i = e^(s·x_i - m), m = max s·x        (s = 1; softmin s = -1)
// log_softmax(x)_i = (x_i - m) - log1p(Σ_{j≠k} e_j), k the first maximal entry
// backward: softmax dx_i = s·y_i (dy_i - Σ dy_j y_j);  log_softmax dx_i = dy_i - e^(y_i) Σ dy_j
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

#include "functions/all.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "softmax.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

using DD = hn::ScalableTag<double>;
using VD = hn::Vec<DD>;
const DD dd;
const hn::Rebind<float, DD> df;  // as many floats as dd has doubles

/// Calls op(widened group, index of its first element, lane mask) for each group of Lanes(dd)
/// floats of the row; the last, partial group is read through a zeroed buffer, its missing lanes
/// masked off.
template <class Op>
void for_each_group(const float* x, std::size_t n, Op op) {
  const std::size_t lanes = hn::Lanes(dd);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) op(hn::PromoteTo(dd, hn::LoadU(df, x + i)), i, hn::FirstN(dd, lanes));
  if (i == n) return;
  float tail[HWY_MAX_BYTES / sizeof(double)] = {};
  std::memcpy(tail, x + i, (n - i) * sizeof(float));
  op(hn::PromoteTo(dd, hn::LoadU(df, tail)), i, hn::FirstN(dd, n - i));
}

/// Rounds f64 results to floats, storing only the lanes of the row (the last group may be partial).
void store_group(VD v, float* out, std::size_t i, std::size_t n) {
  const std::size_t lanes = hn::Lanes(dd);
  if (i + lanes <= n) return hn::StoreU(hn::DemoteTo(df, v), df, out + i);
  float tail[HWY_MAX_BYTES / sizeof(double)];
  hn::StoreU(hn::DemoteTo(df, v), df, tail);
  std::memcpy(out + i, tail, (n - i) * sizeof(float));
}

/// e^t for t ≤ 0, the argument clamped at -1000 (in Exp's range; e^-1000 is 0 in f64 as e^t is for
/// every t < -745).
VD exp_nonpositive(VD t) { return hn::Exp(dd, hn::Max(t, hn::Set(dd, -1000.0))); }

/// Whether every element of the row is finite (no NaN, no infinity).
bool all_finite(const float* v, std::size_t n) {
  bool finite = true;
  for_each_group(v, n, [&](VD g, std::size_t, auto mask) {
    finite = finite && hn::AllTrue(dd, hn::Or(hn::Not(mask), hn::IsFinite(g)));
  });
  return finite;
}

/// The reference's row code for rows with special values: widen, run F in double, round once.
template <class F>
void reference_row_forward(const float* x, float* y, std::size_t n) {
  thread_local std::vector<double> xr, yr;
  xr.assign(x, x + n);
  yr.resize(n);
  F::template f<double>(xr, yr, fn::Params<double>{});
  for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<float>(yr[i]);
}
template <class F>
void reference_row_backward(const float* y, const float* dy, float* dx, std::size_t n) {
  thread_local std::vector<double> yr, dyr, dxr;
  yr.assign(y, y + n);
  dyr.assign(dy, dy + n);
  dxr.resize(n);
  F::template backward<double>(fn::Row<double>{{}, yr, dyr}, dxr, fn::Params<double>{});
  for (std::size_t i = 0; i < n; ++i) dx[i] = static_cast<float>(dxr[i]);
}

/// max(s·x) over a finite row.
double row_max(const float* x, std::size_t n, double s) {
  auto m = hn::Set(dd, -std::numeric_limits<double>::infinity());
  for_each_group(x, n, [&](VD v, std::size_t, auto mask) {
    m = hn::Max(m, hn::IfThenElse(mask, hn::Mul(hn::Set(dd, s), v), hn::Set(dd, -HUGE_VAL)));
  });
  return hn::GetLane(hn::MaxOfLanes(dd, m));
}

void softmax_forward(const float* x, float* y, std::size_t n, double s) {
  const double m = row_max(x, n, s);
  const auto vs = hn::Set(dd, s), vm = hn::Set(dd, m);
  auto sum = hn::Zero(dd);
  for_each_group(x, n, [&](VD v, std::size_t, auto mask) {
    sum = hn::Add(sum, hn::IfThenElseZero(mask, exp_nonpositive(hn::MulSub(vs, v, vm))));
  });
  const auto total = hn::Set(dd, hn::GetLane(hn::SumOfLanes(dd, sum)));
  // e_i again rather than kept: a row-sized f64 buffer would cost more memory traffic than Exp.
  for_each_group(x, n, [&](VD v, std::size_t i, auto) {
    store_group(hn::Div(exp_nonpositive(hn::MulSub(vs, v, vm)), total), y, i, n);
  });
}

void log_softmax_forward(const float* x, float* y, std::size_t n) {
  const double m = row_max(x, n, 1.0);
  std::size_t first_max = 0;
  while (static_cast<double>(x[first_max]) != m) ++first_max;
  const auto vm = hn::Set(dd, m);
  auto rest = hn::Zero(dd);
  for_each_group(x, n, [&](VD v, std::size_t i, auto mask) {
    auto keep = mask;
    if (first_max >= i && first_max < i + hn::Lanes(dd))  // leave out e^0 of the first maximum
      keep = hn::AndNot(hn::Iota(dd, static_cast<double>(i)) == hn::Set(dd, static_cast<double>(first_max)), keep);
    rest = hn::Add(rest, hn::IfThenElseZero(keep, exp_nonpositive(hn::Sub(v, vm))));
  });
  const auto lse = hn::Set(dd, std::log1p(hn::GetLane(hn::SumOfLanes(dd, rest))));
  for_each_group(x, n, [&](VD v, std::size_t i, auto) { store_group(hn::Sub(hn::Sub(v, vm), lse), y, i, n); });
}

/// Σ a_i b_i (b null: Σ a_i) over a row, in f64 lanes: the products of floats are exact in f64.
double row_dot(const float* a, const float* b, std::size_t n) {
  auto acc = hn::Zero(dd);
  const std::size_t lanes = hn::Lanes(dd);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const VD va = hn::PromoteTo(dd, hn::LoadU(df, a + i));
    acc = b ? hn::MulAdd(va, hn::PromoteTo(dd, hn::LoadU(df, b + i)), acc) : hn::Add(acc, va);
  }
  double sum = hn::GetLane(hn::SumOfLanes(dd, acc));
  for (; i < n; ++i) sum += b ? static_cast<double>(a[i]) * b[i] : static_cast<double>(a[i]);
  return sum;
}

/// dx = f(y, dy) group by group; the dy of a group is read at the same index as y.
template <class Op>
void backward_groups(const float* y, const float* dy, float* dx, std::size_t n, Op op) {
  const std::size_t lanes = hn::Lanes(dd);
  float tail[HWY_MAX_BYTES / sizeof(double)] = {};
  for_each_group(y, n, [&](VD vy, std::size_t i, auto) {
    const float* g = dy + i;
    if (i + lanes > n) {  // the partial group: its dy through a buffer too
      std::memcpy(tail, dy + i, (n - i) * sizeof(float));
      g = tail;
    }
    store_group(op(vy, hn::PromoteTo(dd, hn::LoadU(df, g))), dx, i, n);
  });
}

template <class F>
bool forward_rows(const float* x, float* y, std::size_t rows, std::size_t n) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    if (!all_finite(xr, n))
      reference_row_forward<F>(xr, yr, n);
    else if constexpr (std::is_same_v<F, fn::LogSoftmax>)
      log_softmax_forward(xr, yr, n);
    else
      softmax_forward(xr, yr, n, std::is_same_v<F, fn::Softmin> ? -1.0 : 1.0);
  }
  return true;
}

template <class F>
bool backward_rows(const float* y, const float* dy, float* dx, std::size_t rows, std::size_t n) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float *yr = y + r * n, *gr = dy + r * n;
    float* dxr = dx + r * n;
    if (!all_finite(yr, n) || !all_finite(gr, n)) {
      reference_row_backward<F>(yr, gr, dxr, n);
    } else if constexpr (std::is_same_v<F, fn::LogSoftmax>) {
      const auto sum = hn::Set(dd, row_dot(gr, nullptr, n));
      // y ≤ 0 for a log_softmax output; the clamp only keeps Exp in range for other inputs.
      backward_groups(yr, gr, dxr, n, [&](VD vy, VD g) {
        return hn::NegMulAdd(hn::Exp(dd, hn::Min(hn::Max(vy, hn::Set(dd, -1000.0)), hn::Set(dd, 700.0))), sum, g);
      });
    } else {
      const auto dot = hn::Set(dd, row_dot(gr, yr, n));
      const auto s = hn::Set(dd, std::is_same_v<F, fn::Softmin> ? -1.0 : 1.0);
      backward_groups(yr, gr, dxr, n, [&](VD vy, VD g) { return hn::Mul(hn::Mul(s, vy), hn::Sub(g, dot)); });
    }
  }
  return true;
}

/// Calls body.template operator()<F>() for the softmax family; false for any other kind.
template <class Body>
bool softmax_family(Kind kind, Body body) {
  switch (kind) {
    case Kind::Softmax:
      return body.template operator()<fn::Softmax>();
    case Kind::Softmin:
      return body.template operator()<fn::Softmin>();
    case Kind::LogSoftmax:
      return body.template operator()<fn::LogSoftmax>();
    default:
      return false;
  }
}

}  // namespace

bool SoftmaxForwardF32(Kind kind, const float* x, float* y, std::size_t rows, std::size_t n) {
  return softmax_family(kind, [&]<class F>() { return forward_rows<F>(x, y, rows, n); });
}
bool SoftmaxBackwardF32(Kind kind, const float* y, const float* dy, float* dx, std::size_t rows, std::size_t n) {
  return softmax_family(kind, [&]<class F>() { return backward_rows<F>(y, dy, dx, rows, n); });
}

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd.hpp"

namespace actfn::kernels {

HWY_EXPORT(SoftmaxForwardF32);
HWY_EXPORT(SoftmaxBackwardF32);

bool simd_softmax_forward(Kind kind, const float* x, float* y, std::size_t rows, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(SoftmaxForwardF32)(kind, x, y, rows, n);
}
bool simd_softmax_backward(Kind kind, const float* y, const float* dy, float* dx, std::size_t rows, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(SoftmaxBackwardF32)(kind, y, dy, dx, rows, n);
}

}  // namespace actfn::kernels
#endif  // HWY_ONCE
