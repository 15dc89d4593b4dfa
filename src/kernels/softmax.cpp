// Softmax, softmin and log_softmax over contiguous f32 and f64 rows, forward and backward (from
// y), compiled once per instruction set (foreach_target) like simd.cpp. f32 rows compute in f32
// lanes with exact pairs (their section says how, and what it costs in accuracy); f64 rows, which
// have no wider type to lean on, likewise in f64 lanes. Rows holding a NaN or an infinity (in x,
// or in y or dy for backward) go through the reference's own row code (the formula structs in the
// wider type), which defines their limits.
//
// softmax(s·x)_i = e_i / Σ e_j,  e_i = e^(s·x_i - m), m = max s·x        (s = 1; softmin s = -1)
// log_softmax(x)_i = (x_i - m) - log1p(Σ_{j≠k} e_j), k the first maximal entry
// backward: softmax dx_i = s·y_i (dy_i - Σ dy_j y_j);  log_softmax dx_i = dy_i - e^(y_i) Σ dy_j
#include <cmath>
#include <cstddef>
#include <algorithm>
#include <cstring>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

#include "functions/all.hpp"
#include "table.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "softmax.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

#include "loops-inl.h"
#include "math_f32-inl.h"
#include "math_f64-inl.h"

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

using DD = hn::ScalableTag<double>;
using VD = hn::Vec<DD>;
const DD dd;
const hn::Rebind<float, DD> df;  // as many floats as dd has doubles

/// Stands for the lane mask of a full vector of a row, so that keep() costs nothing there.
struct AllLanes {};
template <class V>
HWY_INLINE V keep(AllLanes, V v) {
  return v;
}
template <class M, class V>
HWY_INLINE V keep(M m, V v) {
  return hn::IfThenElseZero(m, v);
}
template <class D>
HWY_INLINE hn::Mask<D> as_mask(D d, AllLanes) {
  return hn::FirstN(d, hn::Lanes(d));
}
template <class D>
HWY_INLINE hn::Mask<D> as_mask(D, hn::Mask<D> m) {
  return m;
}

/// Calls op(vector, index of its first element, the row's lanes: AllLanes or a mask) for each
/// vector of a row of T; the last, partial one is read through a buffer whose missing lanes hold
/// `fill`.
template <class T, class Op>
void for_each_row_vector(const T* x, std::size_t n, T fill, Op op) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) op(hn::LoadU(d, x + i), i, AllLanes{});
  if (i == n) return;
  HWY_ALIGN T tail[HWY_MAX_BYTES / sizeof(T)];
  std::fill_n(tail, lanes, fill);
  std::memcpy(tail, x + i, (n - i) * sizeof(T));
  op(hn::Load(d, tail), i, hn::FirstN(d, n - i));
}

/// Row sums run in blocks of kBlockTerms vectors, each block's lanes then gathered in a
/// double-double. A running sum's error grows with its count of terms (a compensated pair's low
/// part is itself a plain sum: k terms leave it up to ~(k·u)² of the sum off, u the unit roundoff;
/// a plain sum ~k·u), and equal terms round alike, so the errors add up instead of averaging out:
/// one float pair per lane over a whole f32 row of 2^26 put its sum 7e-6 (random terms) to 1e-2
/// (equal ones) off. Blocks bound the count at any row length: f32 pairs within ~(2^8·2^-24)² =
/// 2^-32 of their block's sum, f64 pairs (2^8·2^-53)², plain f64 sums of float products
/// 2^8·2^-53; a flush costs a few dozen scalar operations per block.
constexpr std::size_t kBlockTerms = 256;

/// for_each_row_vector over the row in blocks of kBlockTerms vectors (op sees indices into the
/// whole row), calling between_blocks() between them: where the row sums are flushed (the last
/// block is left to the sum's total()).
template <class T, class Op, class BetweenBlocks>
void for_each_row_block(const T* x, std::size_t n, T fill, Op op, BetweenBlocks between_blocks) {
  const std::size_t block = kBlockTerms * hn::Lanes(hn::ScalableTag<T>());
  for (std::size_t start = 0; start < n; start += block) {
    if (start != 0) between_blocks();
    for_each_row_vector(x + start, std::min(block, n - start), fill,
                        [&](auto v, std::size_t i, auto lanes) { op(v, start + i, lanes); });
  }
}

/// A running sum as a double-double (TwoSum on each addition): where the blocks are gathered.
struct DoubleDouble {
  double hi = 0, lo = 0;
  void add(double v) {
    const double s = hi + v, v_part = s - hi;
    lo += (hi - (s - v_part)) + (v - v_part);
    hi = s;
  }
  double value() const { return hi + lo; }
};

/// Stores the lanes of v that belong to the row of T (the last vector may be partial).
template <class T, class V>
void store_row_vector(V v, T* out, std::size_t i, std::size_t n) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  if (i + lanes <= n) return hn::StoreU(v, d, out + i);
  HWY_ALIGN T tail[HWY_MAX_BYTES / sizeof(T)];
  hn::Store(v, d, tail);
  std::memcpy(out + i, tail, (n - i) * sizeof(T));
}

/// dx = op(vy, vdy) vector by vector over a backward's rows y and dy of T (dx may alias either:
/// each vector is loaded before it is stored); the partial last vector of dy through a buffer too.
template <class T, class Op>
void backward_row_vectors(const T* y, const T* dy, T* dx, std::size_t n, Op op) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  HWY_ALIGN T tail[HWY_MAX_BYTES / sizeof(T)] = {};
  for_each_row_vector(y, n, T(0), [&](auto vy, std::size_t i, auto) {
    const T* g = dy + i;
    if (i + lanes > n) {
      std::memcpy(tail, dy + i, (n - i) * sizeof(T));
      g = tail;
    }
    store_row_vector(op(vy, hn::LoadU(d, g)), dx, i, n);
  });
}

/// The reference's row code for rows with special values: widen (float to double, double to long
/// double, as the reference), run F there, round once.
template <class F, class T>
void reference_row_forward(const T* x, T* y, std::size_t n) {
  using C = Wide<T>;
  thread_local std::vector<C> xr, yr;
  xr.assign(x, x + n);
  yr.resize(n);
  F::template f<C>(xr, yr, fn::Params<C>{});
  for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<T>(yr[i]);
}
template <class F, class T>
void reference_row_backward(const T* y, const T* dy, T* dx, std::size_t n) {
  using C = Wide<T>;
  thread_local std::vector<C> yr, dyr, dxr;
  yr.assign(y, y + n);
  dyr.assign(dy, dy + n);
  dxr.resize(n);
  F::template backward<C>(fn::Row<C>{{}, yr, dyr}, dxr, fn::Params<C>{});
  for (std::size_t i = 0; i < n; ++i) dx[i] = static_cast<T>(dxr[i]);
}

/// Σ a_i b_i (b null: Σ a_i) over a row, in f64 lanes: the products of floats are exact in f64.
/// Four accumulators, so that the additions' latency does not bound the loop, restarted every
/// kBlockTerms steps.
double row_dot(const float* a, const float* b, std::size_t n) {
  const std::size_t lanes = hn::Lanes(dd), step = 4 * lanes;
  const auto add = [&](VD& to, std::size_t i) {
    const VD va = hn::PromoteTo(dd, hn::LoadU(df, a + i));
    to = b ? hn::MulAdd(va, hn::PromoteTo(dd, hn::LoadU(df, b + i)), to) : hn::Add(to, va);
  };
  DoubleDouble sum;
  std::size_t i = 0;
  do {
    const std::size_t end = n - i > kBlockTerms * step ? i + kBlockTerms * step : n;
    VD acc[4] = {hn::Zero(dd), hn::Zero(dd), hn::Zero(dd), hn::Zero(dd)};
    for (; i + step <= end; i += step)
      for (std::size_t k = 0; k < 4; ++k) add(acc[k], i + k * lanes);
    for (; i + lanes <= end; i += lanes) add(acc[0], i);
    double block = hn::GetLane(hn::SumOfLanes(dd, hn::Add(hn::Add(acc[0], acc[1]), hn::Add(acc[2], acc[3]))));
    for (; i < end; ++i) block += b ? static_cast<double>(a[i]) * b[i] : static_cast<double>(a[i]);
    sum.add(block);
  } while (i < n);
  return sum.value();
}

// ---- f32 rows ------------------------------------------------------------------------------------
//
// f32 rows run in f32 lanes with the element-wise f32 kernels' habits (math_f32-inl.h): t = s·x
// - m as an exact pair (an error δ in t is a relative error |t|·δ in e^t), e^t from
// f32::exp_normal with q kept as a pair (within ~2^-26.3 relative: its reduced argument rounds
// once), the row sums as a compensated pair per lane, block by block (kBlockTerms), gathered in
// double. Where a vector holds some t < -70 (e^t near or below FLT_MIN), its exponentials come
// unscaled from f32::exp_pair and those lanes' e^t is carried as e^t·2^100, normal down to
// t = -131, below which e^t < 2^-189 is nothing next to any sum or output of f32.
//
// softmax stores e^t in y on the way (one rounding), then scales it by the row's 1/Σ, a float
// pair (a second rounding): within 0.5 ULP of the quotient, plus up to 1 for the stored e^t's
// relative 2^-24, plus ~0.2 for the exponential's own error: 1.75 ULP of the truth. Lanes whose
// e^t is carried scaled are stored negated (no true e^t is negative), so the second pass can tell
// them and apply 2^-100 while rounding into the subnormal range.
// log_softmax keeps nothing: its second pass forms t - log1p(Σ_{j≠k} e_j) from the pairs again,
// the exponentials' error reaching it only through log1p of their sum (0.75 ULP). Backward from
// y: the dot product in f64 lanes (float products are exact there), then dy - <dy, y> as a pair
// and its product with y rounded once, as the reference; a non-finite dot product means a
// non-finite y or dy (finite float products cannot overflow a double), and that row takes the
// reference's row code, as do rows whose dot product a float pair cannot carry. log_softmax's
// backward: see log_softmax_backward_f32.

using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;
using MF = hn::Mask<DF>;
const DF dfl;

/// Where the far part (e^t·2^100) of exp_parts begins and ends.
constexpr float kFarTop = f32::kNormalFloor, kFarFloor = -131.0f;
constexpr double kFarUnscale = 0x1p-100;

/// A row's largest and smallest element, and whether all are finite (x·0 + 0 is 0 for finite x,
/// NaN for an infinity or a NaN). One pass.
struct Extremes {
  float max, min;
  bool finite;
};
Extremes row_extremes(const float* x, std::size_t n) {
  // Four sets of accumulators, so that the Max/Min/MulAdd latencies do not bound the loop.
  const std::size_t lanes = hn::Lanes(dfl);
  VF mx[4], mn[4], zero_if_finite[4];
  for (std::size_t k = 0; k < 4; ++k) mx[k] = mn[k] = hn::Set(dfl, x[0]), zero_if_finite[k] = hn::Zero(dfl);
  const auto take = [&](std::size_t k, VF v) {
    mx[k] = hn::Max(mx[k], v);
    mn[k] = hn::Min(mn[k], v);
    zero_if_finite[k] = hn::MulAdd(v, hn::Zero(dfl), zero_if_finite[k]);
  };
  std::size_t i = 0;
  for (; i + 4 * lanes <= n; i += 4 * lanes)
    for (std::size_t k = 0; k < 4; ++k) take(k, hn::LoadU(dfl, x + i + k * lanes));
  for_each_row_vector(x + i, n - i, x[0], [&](VF v, std::size_t, auto) { take(0, v); });
  for (std::size_t k = 1; k < 4; ++k) {
    mx[0] = hn::Max(mx[0], mx[k]);
    mn[0] = hn::Min(mn[0], mn[k]);
    zero_if_finite[0] = hn::Add(zero_if_finite[0], zero_if_finite[k]);
  }
  return {hn::GetLane(hn::MaxOfLanes(dfl, mx[0])), hn::GetLane(hn::MinOfLanes(dfl, mn[0])),
          hn::AllTrue(dfl, zero_if_finite[0] == hn::Zero(dfl))};
}

/// Whether every element of the row is finite.
bool all_finite(const float* v, std::size_t n) { return row_extremes(v, n).finite; }

/// A row sum of nonnegative floats as a pair per lane, hi from 0 by Fast2Sum with the larger
/// operand first (exact, and cheaper than TwoSum here), every rounding error and low part in lo;
/// flush() after each block of kBlockTerms. Not Fast2Sum from a starting 1 (which would keep hi
/// the larger operand without the Max): terms below half an ULP of that 1 would go whole into the
/// plain lo, which would then carry their sum at float precision.
struct PairSumF32 {
  VF hi, lo;
  DoubleDouble done;
  PairSumF32() : hi(hn::Zero(dfl)), lo(hn::Zero(dfl)) {}
  void add(VF h, VF l) {
    VF err;
    hi = f32::fast_two_sum<DF>(hn::Max(hi, h), hn::Min(hi, h), err);
    lo = hn::Add(lo, hn::Add(err, l));
  }
  /// The lanes' pairs summed in double (a pair carries ~48 bits; double keeps them to 2^-53), then
  /// added to `done`.
  void flush() {
    HWY_ALIGN float h[HWY_MAX_BYTES / sizeof(float)], l[HWY_MAX_BYTES / sizeof(float)];
    hn::Store(hi, dfl, h);
    hn::Store(lo, dfl, l);
    double block = 0;
    for (std::size_t k = 0; k < hn::Lanes(dfl); ++k) block += static_cast<double>(h[k]) + static_cast<double>(l[k]);
    done.add(block);
    hi = lo = hn::Zero(dfl);
  }
  double total() {
    flush();
    return done.value();
  }
};

/// e^(th + tl) for th ≤ 0 in two parts: `near`, e itself as a pair in the lanes with th ≥ -70
/// (where e and its low part are normal), and `far`, e·2^100 as a pair in the lanes `far` with
/// th in [-131, -70); both zero elsewhere. any_far: whether `far` has a lane.
struct ExpParts {
  VF near_hi, near_lo, far_hi, far_lo;
  MF far;
  bool any_far;
};
HWY_INLINE ExpParts exp_parts(VF th, VF tl) {
  ExpParts p;
  if (HWY_LIKELY(hn::AllFalse(dfl, th < hn::Set(dfl, kFarTop)))) {
    const f32::Exp<DF> e = f32::exp_normal<f32::ExpQ::kPair>(dfl, th, tl);
    p.near_hi = e.hi;
    p.near_lo = e.lo;
    p.far_hi = p.far_lo = hn::Zero(dfl);
    p.far = hn::FirstN(dfl, 0);
    p.any_far = false;
    return p;
  }
  const f32::Exp<DF> e = f32::exp_pair<f32::Range::kTail>(dfl, th, tl);
  const MF near = th >= hn::Set(dfl, kFarTop);
  p.far = hn::AndNot(near, th >= hn::Set(dfl, kFarFloor));
  p.any_far = !hn::AllFalse(dfl, p.far);
  // Near lanes have n ≥ -101, so unit = 2^n and both products are exact; far lanes n ≥ -189.
  p.near_hi = hn::IfThenElseZero(near, hn::Mul(e.hi, e.unit));
  p.near_lo = hn::IfThenElseZero(near, hn::Mul(e.lo, e.unit));
  const VF far_unit = f32::pow2(dfl, hn::Max(hn::Add(e.n, hn::Set(dfl, 100.0f)), hn::Set(dfl, -126.0f)));
  p.far_hi = hn::IfThenElseZero(p.far, hn::Mul(e.hi, far_unit));
  p.far_lo = hn::IfThenElseZero(p.far, hn::Mul(e.lo, far_unit));
  return p;
}

/// Σ e^t over a row, near and far parts apart (the far one only touched, and flushed, once some
/// vector has it).
struct ExpSum {
  PairSumF32 near;
  PairSumF32 far;  // e^t·2^100 reaches 2^30
  bool has_far = false;
  template <class Lanes>
  void add(const ExpParts& e, Lanes lanes) {
    near.add(keep(lanes, e.near_hi), keep(lanes, e.near_lo));
    if (HWY_UNLIKELY(e.any_far)) {
      far.add(keep(lanes, e.far_hi), keep(lanes, e.far_lo));
      has_far = true;
    }
  }
  void flush() {
    near.flush();
    if (HWY_UNLIKELY(has_far)) far.flush();
  }
  double total() { return near.total() + (has_far ? far.total() * kFarUnscale : 0.0); }
};

/// t = s·x - m as an exact pair, s = -1 where kNegated (softmin) and 1 otherwise; th is -inf where
/// the difference overflows, its low part then meaningless (exp_parts drops it).
template <bool kNegated>
HWY_INLINE VF shifted_f32(VF x, VF neg_m, VF& tl) {
  return f32::two_sum<DF>(kNegated ? hn::Neg(x) : x, neg_m, tl);
}

/// A double as a float pair hi + lo (for |v| within the normal range of float).
void split(double v, float& hi, float& lo) {
  hi = static_cast<float>(v);
  lo = static_cast<float>(v - static_cast<double>(hi));
}

/// a·(bh + bl) rounded once, for |bl| ≤ ulp(bh): one FMA where the target has one, a·bh as an
/// exact pair elsewhere (a plain a·bh would round twice).
HWY_INLINE VF times_pair(VF a, VF bh, VF bl) {
#if HWY_NATIVE_FMA
  return hn::MulAdd(a, bh, hn::Mul(a, bl));
#else
  VF lo;
  const VF hi = f32::two_prod(dfl, a, bh, lo);
  return hn::Add(hi, hn::MulAdd(a, bl, lo));
#endif
}

/// softmax(s·x) of a finite row whose max of s·x is m (y may be x), s = -1 where kNegated.
template <bool kNegated>
void softmax_forward(const float* x, float* y, std::size_t n, float m) {
  const VF neg_m = hn::Set(dfl, -m);
  ExpSum sum;
  for_each_row_block(
      x, n, 0.0f,
      [&](VF v, std::size_t i, auto valid) {
        VF tl;
        const ExpParts e = exp_parts(shifted_f32<kNegated>(v, neg_m, tl), tl);
        sum.add(e, valid);
        store_row_vector(HWY_LIKELY(!e.any_far) ? e.near_hi : hn::IfThenElse(e.far, hn::Neg(e.far_hi), e.near_hi), y,
                         i, n);
      },
      [&] { sum.flush(); });
  // Σ ≥ 1 (the maximum's e^0) and ≤ n: 1/Σ is a normal float pair.
  float ih, il;
  split(1.0 / sum.total(), ih, il);
  const VF inv_h = hn::Set(dfl, ih), inv_l = hn::Set(dfl, il), unscale = hn::Set(dfl, 0x1p-100f);
  for_each_row_vector(y, n, 0.0f, [&](VF v, std::size_t i, auto) {
    const MF far = v < hn::Zero(dfl);
    const VF a = hn::Abs(v);
    const VF q = times_pair(a, inv_h, inv_l);
    store_row_vector(HWY_LIKELY(hn::AllFalse(dfl, far)) ? q : hn::IfThenElse(far, hn::Mul(q, unscale), q), y, i,
              n);
  });
}

/// The index of the first element equal to m (present in the row).
std::size_t first_index_of(const float* x, std::size_t n, float m) {
  const std::size_t lanes = hn::Lanes(dfl);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const intptr_t k = hn::FindFirstTrue(dfl, hn::LoadU(dfl, x + i) == hn::Set(dfl, m));
    if (k >= 0) return i + static_cast<std::size_t>(k);
  }
  while (i < n && x[i] != m) ++i;
  return i;
}

/// log_softmax(x) of a finite row whose max is m (y may be x).
void log_softmax_forward(const float* x, float* y, std::size_t n, float m) {
  const std::size_t first_max = first_index_of(x, n, m), lanes = hn::Lanes(dfl);
  const VF neg_m = hn::Set(dfl, -m);
  ExpSum rest;  // Σ_{j ≠ first_max} e^(x_j - m), perhaps tiny next to 1
  for_each_row_block(
      x, n, 0.0f,
      [&](VF v, std::size_t i, auto valid) {
        VF tl;
        const ExpParts e = exp_parts(shifted_f32<false>(v, neg_m, tl), tl);
        if (HWY_LIKELY(first_max < i || first_max >= i + lanes)) return rest.add(e, valid);
        const std::size_t k = first_max - i;
        rest.add(e, hn::AndNot(hn::AndNot(hn::FirstN(dfl, k), hn::FirstN(dfl, k + 1)), as_mask(dfl, valid)));
      },
      [&] { rest.flush(); });
  float lh, ll;
  split(std::log1p(rest.total()), lh, ll);
  const VF neg_lh = hn::Set(dfl, -lh), vll = hn::Set(dfl, ll);
  for_each_row_vector(x, n, 0.0f, [&](VF v, std::size_t i, auto) {
    VF tl, ul;
    const VF th = shifted_f32<false>(v, neg_m, tl);
    const VF u = f32::two_sum<DF>(th, neg_lh, ul);
    // t = -inf (x - m past -FLT_MAX) has no pair: y is -inf.
    store_row_vector(hn::IfThenElse(hn::IsFinite(th), hn::Add(u, hn::Add(ul, hn::Sub(tl, vll))), th), y, i, n);
  });
}

/// Softmax (kNegated false) or softmin (true) backward from y over one row (dx may be y or dy):
/// false, writing nothing, where the row needs the reference's code (a non-finite y or dy, or a
/// dot product outside what a float pair carries).
template <bool kNegated>
bool softmax_backward_f32(const float* y, const float* dy, float* dx, std::size_t n) {
  const double dot = row_dot(dy, y, n);
  if (!std::isfinite(dot) || (dot != 0 && (std::fabs(dot) < 0x1p-100 || std::fabs(dot) > 0x1p126))) return false;
  float dh, dl;
  split(kNegated ? -dot : dot, dh, dl);
  const VF neg_dh = hn::Set(dfl, -dh), vdl = hn::Set(dfl, dl);
  backward_row_vectors(y, dy, dx, n, [&](VF vy, VF g) {
    // dx = y (s·dy - s·<dy, y>): the difference as a pair, its product with y rounded once.
    const VF sg = kNegated ? hn::Neg(g) : g;
    VF wl;
    const VF wh = f32::two_sum<DF>(sg, neg_dh, wl);
    const VF low = hn::Sub(wl, vdl);
    const VF r = times_pair(vy, wh, low);
    // A zero takes the sign of y times the difference, as the reference's product (in
    // times_pair, -0 + +0 would give +0).
    const MF zero = r == hn::Zero(dfl);
    return HWY_LIKELY(hn::AllFalse(dfl, zero)) ? r : hn::IfThenElse(zero, hn::Mul(vy, hn::Add(wh, low)), r);
  });
  return true;
}

/// log_softmax's dx = dy - e^y G (G = Σ dy) for one vector of floats in f64 lanes: e^y from
/// Highway's f64 Exp, the product and the difference in double, rounded once. The clamp only keeps
/// Exp in range for inputs no log_softmax outputs (y > 0).
VF log_softmax_dx_in_f64(VF vy, VF g, double sum) {
  HWY_ALIGN float ys[HWY_MAX_BYTES / sizeof(float)], gs[HWY_MAX_BYTES / sizeof(float)],
      out[HWY_MAX_BYTES / sizeof(float)];
  hn::Store(vy, dfl, ys);
  hn::Store(g, dfl, gs);
  for (std::size_t k = 0; k < hn::Lanes(dfl); k += hn::Lanes(dd)) {
    const VD y64 = hn::PromoteTo(dd, hn::LoadU(df, ys + k)), g64 = hn::PromoteTo(dd, hn::LoadU(df, gs + k));
    const VD e = hn::Exp(dd, hn::Min(hn::Max(y64, hn::Set(dd, -1000.0)), hn::Set(dd, 700.0)));
    hn::StoreU(hn::DemoteTo(df, hn::NegMulAdd(e, hn::Set(dd, sum), g64)), df, out + k);
  }
  return hn::Load(dfl, out);
}

/// log_softmax backward over one row with finite y, dx = dy - e^y G with G = Σ dy summed in double
/// (false, writing nothing, where G is not finite: some dy is not, as a sum of finite floats in
/// double cannot overflow; that row takes the reference's code). In
/// f32 lanes: e^y from f32::exp_normal (within ~2^-26 relative), e^y·G as a pair product with G a
/// float pair, dy minus it as an exact pair, rounded once. The exponential's error is below 0.4 ULP
/// of dx wherever |dx| > |e^y G|/2; a vector with a lane that cancels more (dy ≈ e^y G, as the
/// target class of a confident prediction gives), or with y outside [-70, 0] (e^y or its low part
/// near the subnormal range; positive y, which no log_softmax outputs), is computed in f64 lanes,
/// as is a row whose G a float pair cannot carry.
bool log_softmax_backward_f32(const float* y, const float* dy, float* dx, std::size_t n) {
  const double sum = row_dot(dy, nullptr, n);
  if (!std::isfinite(sum)) return false;
  float gh = 0, gl = 0;
  const bool g_is_pair = sum == 0 || (std::fabs(sum) >= 0x1p-100 && std::fabs(sum) <= 0x1p100);
  if (g_is_pair) split(sum, gh, gl);
  const VF vgh = hn::Set(dfl, gh), vgl = hn::Set(dfl, gl), half = hn::Set(dfl, 0.5f), floor = hn::Set(dfl, f32::kNormalFloor);
  backward_row_vectors(y, dy, dx, n, [&](VF vy, VF g) {
    const f32::Exp<DF> e = f32::exp_normal<f32::ExpQ::kPair>(dfl, hn::Min(hn::Max(vy, floor), hn::Zero(dfl)), f32::Exact{});
    VF pl, dl;
    const VF ph = f32::pair_product(dfl, e.hi, e.lo, vgh, vgl, pl);
    const VF dh = f32::two_sum<DF>(g, hn::Neg(ph), dl);
    const VF out = hn::Add(dh, hn::Sub(dl, pl));
    // Strictly above |p|/2: a zero dx (whose sign the pair may lose) takes the f64 lanes too.
    const MF fast = hn::And(hn::And(vy >= floor, vy <= hn::Zero(dfl)), hn::Abs(out) > hn::Mul(half, hn::Abs(ph)));
    return g_is_pair && hn::AllTrue(dfl, fast) ? out : log_softmax_dx_in_f64(vy, g, sum);
  });
  return true;
}

// ---- f64 rows ------------------------------------------------------------------------------------
//
// The f64 reference computes in long double, so f64 rows cannot lean on a wider type; they use the
// f64 kernels' habits (math_f64-inl.h): t = s·x - m as an exact pair (an error δ in t is a
// relative error |t|·δ in e^t), e^t = (hi + lo)·2^n from f64::exp_pair, every sum of the row a
// compensated pair, each result one corrected quotient or pair product rounded once, 2^n applied
// last. Results are within ~0.5 ULP of the truth; rows with a NaN or an infinity (and, backward,
// log_softmax rows with a positive y, which no log_softmax output has) take the reference's row code.

/// A row sum as a pair: hi by TwoSum in each lane, every rounding error and low part beside;
/// flush() after each block of kBlockTerms moves the lanes, in turn, into a double-double.
struct PairSum {
  VD hi, lo;
  DoubleDouble done;
  PairSum() : hi(hn::Zero(dd)), lo(hn::Zero(dd)) {}
  void add(VD h, VD l) {
    VD err;
    hi = f64::two_sum<DD>(hi, h, err);
    lo = hn::Add(lo, hn::Add(err, l));
  }
  void flush() {
    HWY_ALIGN double h[HWY_MAX_BYTES / sizeof(double)], l[HWY_MAX_BYTES / sizeof(double)];
    hn::Store(hi, dd, h);
    hn::Store(lo, dd, l);
    for (std::size_t k = 0; k < hn::Lanes(dd); ++k) {
      done.add(h[k]);
      done.add(l[k]);
    }
    hi = lo = hn::Zero(dd);
  }
  /// The sum as one renormalised pair.
  double total(double& total_lo) {
    flush();
    const double out = done.value();
    total_lo = done.lo - (out - done.hi);
    return out;
  }
};

/// e^(th + tl) (th ≤ 0) as the pair (hi + lo)·2^n, passed to body(range, e) with the range
/// instance f64::by_range picks (the tail one where some lane's e is subnormal).
template <class Body>
HWY_INLINE void with_exp(VD th, VD tl, Body body) {
  f64::by_range(dd, th, [&](auto range) {
    body(range, f64::exp_pair<decltype(range)::value>(dd, th, tl));
    return th;
  });
}

/// max(s·x) over a finite row of doubles.
double row_max_f64(const double* x, std::size_t n, double s) {
  auto m = hn::Set(dd, -HUGE_VAL);
  for_each_row_vector(x, n, 0.0, [&](VD v, std::size_t, auto mask) {
    m = hn::Max(m, hn::IfThenElse(as_mask(dd, mask), hn::Mul(hn::Set(dd, s), v), hn::Set(dd, -HUGE_VAL)));
  });
  return hn::GetLane(hn::MaxOfLanes(dd, m));
}

/// t = s·x - m as an exact pair (no low part where t overflows to -inf).
HWY_INLINE VD shifted(VD x, VD s, VD m, VD& tl) {
  const VD th = f64::two_sum<DD>(hn::Mul(s, x), hn::Neg(m), tl);
  tl = hn::IfThenElseZero(hn::IsFinite(th), tl);
  return th;
}

/// Σ e^(s·x_j - m) over the row as a pair, leaving out the entry at index `skip` (n: none).
double exp_sum_f64(const double* x, std::size_t n, double s, double m, std::size_t skip, double& lo) {
  const VD vs = hn::Set(dd, s), vm = hn::Set(dd, m);
  PairSum sum;
  for_each_row_block(
      x, n, 0.0,
      [&](VD v, std::size_t i, auto mask) {
        auto kept = as_mask(dd, mask);
        if (skip >= i && skip < i + hn::Lanes(dd))
          kept = hn::AndNot(hn::Iota(dd, static_cast<double>(i)) == hn::Set(dd, static_cast<double>(skip)), kept);
        VD tl;
        const VD th = shifted(v, vs, vm, tl);
        with_exp(th, tl, [&](auto range, const f64::Exp<DD>& e) {
          constexpr auto kRange = decltype(range)::value;
          // Each term rounded into the subnormal range at worst: nothing next to the sum's 1.
          sum.add(hn::IfThenElseZero(kept, f64::scale<kRange>(dd, e.hi, e.n)),
                  hn::IfThenElseZero(kept, f64::scale<kRange>(dd, e.lo, e.n)));
        });
      },
      [&] { sum.flush(); });
  return sum.total(lo);
}

void softmax_forward_f64(const double* x, double* y, std::size_t n, double s) {
  const double m = row_max_f64(x, n, s);
  double total_lo;
  const VD total = hn::Set(dd, exp_sum_f64(x, n, s, m, n, total_lo)), total_l = hn::Set(dd, total_lo);
  const VD vs = hn::Set(dd, s), vm = hn::Set(dd, m);
  for_each_row_vector(x, n, 0.0, [&](VD v, std::size_t i, auto) {
    VD tl;
    const VD th = shifted(v, vs, vm, tl);
    with_exp(th, tl, [&](auto range, const f64::Exp<DD>& e) {
      VD corr;
      const VD q = f64::div_pair(dd, e.hi, e.lo, total, total_l, corr);
      store_row_vector(f64::scale<decltype(range)::value>(dd, hn::Add(q, corr), e.n), y, i, n);
    });
  });
}

void log_softmax_forward_f64(const double* x, double* y, std::size_t n) {
  const double m = row_max_f64(x, n, 1.0);
  std::size_t first_max = 0;
  while (x[first_max] != m) ++first_max;
  double rest_lo;
  const double rest = exp_sum_f64(x, n, 1.0, m, first_max, rest_lo);
  // log1p of the pair in long double (64-bit mantissa, as the reference), split into a pair.
  const long double lse = std::log1p(static_cast<long double>(rest) + rest_lo);
  const double lse_hi = static_cast<double>(lse), lse_lo = static_cast<double>(lse - lse_hi);
  const VD one = hn::Set(dd, 1.0), vm = hn::Set(dd, m), lh = hn::Set(dd, -lse_hi), ll = hn::Set(dd, lse_lo);
  for_each_row_vector(x, n, 0.0, [&](VD v, std::size_t i, auto) {
    VD tl, ul;
    const VD th = shifted(v, one, vm, tl);
    const VD u = f64::two_sum<DD>(th, lh, ul);
    // t = -inf (x - m past -DBL_MAX) has no pair: y is -inf.
    store_row_vector(hn::IfThenElse(hn::IsFinite(th), hn::Add(u, hn::Add(ul, hn::Sub(tl, ll))), th), y, i, n);
  });
}

/// Σ a_j b_j (b null: Σ a_j) over a row of doubles as a compensated pair, flushed every
/// kBlockTerms vectors.
double row_dot_f64(const double* a, const double* b, std::size_t n, double& lo) {
  PairSum sum;
  const std::size_t lanes = hn::Lanes(dd);
  HWY_ALIGN double ta[HWY_MAX_BYTES / sizeof(double)] = {}, tb[HWY_MAX_BYTES / sizeof(double)] = {};
  for (std::size_t i = 0; i < n; i += lanes) {
    if (i != 0 && i % (kBlockTerms * lanes) == 0) sum.flush();
    const double *pa = a + i, *pb = b ? b + i : nullptr;
    if (i + lanes > n) {  // the partial vector through zeroed buffers: 0·0 adds nothing
      std::memcpy(ta, a + i, (n - i) * sizeof(double));
      if (b) std::memcpy(tb, b + i, (n - i) * sizeof(double));
      pa = ta;
      pb = b ? tb : nullptr;
    }
    const VD va = hn::LoadU(dd, pa);
    if (!pb) {
      sum.add(va, hn::Zero(dd));
      continue;
    }
    VD pl;
    const VD ph = f64::two_prod(dd, va, hn::LoadU(dd, pb), pl);
    sum.add(ph, pl);
  }
  return sum.total(lo);
}

/// Whether every y of the row is ≤ 0, as every log_softmax output is (e^y then needs no range
/// check above 1).
bool all_nonpositive(const double* y, std::size_t n) {
  bool ok = true;
  for_each_row_vector(y, n, 0.0, [&](VD v, std::size_t, auto mask) {
    ok = ok && hn::AllTrue(dd, hn::Or(hn::Not(as_mask(dd, mask)), v <= hn::Zero(dd)));
  });
  return ok;
}

template <class F>
void softmax_backward_f64(const double* y, const double* dy, double* dx, std::size_t n) {
  if constexpr (std::is_same_v<F, fn::LogSoftmax>) {
    // dx = dy - e^y Σ dy: e^y·Σ as a pair, then scaled, the difference rounded once.
    double sum_lo;
    const VD gh = hn::Set(dd, row_dot_f64(dy, nullptr, n, sum_lo)), gl = hn::Set(dd, sum_lo);
    backward_row_vectors(y, dy, dx, n, [&](VD vy, VD g) {
      VD out;
      with_exp(vy, hn::Zero(dd), [&](auto range, const f64::Exp<DD>& e) {
        constexpr auto kRange = decltype(range)::value;
        VD pl, dl;
        const VD ph = f64::pair_product(dd, e.hi, e.lo, gh, gl, pl);
        const VD sh = f64::scale<kRange>(dd, ph, e.n), sl = f64::scale<kRange>(dd, pl, e.n);
        const VD dh = f64::two_sum<DD>(g, hn::Neg(sh), dl);
        out = hn::Add(dh, hn::Sub(dl, sl));
      });
      return out;
    });
  } else {
    // dx = s·y (dy - <dy, y>): the difference as a pair, its product with y rounded once.
    double dot_lo;
    const VD dh = hn::Set(dd, row_dot_f64(dy, y, n, dot_lo)), dl = hn::Set(dd, dot_lo);
    const VD s = hn::Set(dd, std::is_same_v<F, fn::Softmin> ? -1.0 : 1.0);
    backward_row_vectors(y, dy, dx, n, [&](VD vy, VD g) {
      VD wl;
      const VD wh = f64::two_sum<DD>(g, hn::Neg(dh), wl);
      return hn::Mul(s, f64::mul_pair(dd, vy, hn::Zero(dd), wh, hn::Sub(wl, dl)));
    });
  }
}

/// Whether every element of a row of doubles is finite.
bool all_finite(const double* v, std::size_t n) {
  bool finite = true;
  for_each_row_vector(v, n, 0.0, [&](VD g, std::size_t, auto mask) {
    finite = finite && hn::AllTrue(dd, hn::Or(hn::Not(as_mask(dd, mask)), hn::IsFinite(g)));
  });
  return finite;
}

// ---- rows of either type --------------------------------------------------------------------------

/// One f32 row forward: one pass for the extremes (and finiteness), then the row's kernel.
template <class F>
void forward_row_f32(const float* x, float* y, std::size_t n) {
  const Extremes e = row_extremes(x, n);
  if (!e.finite)
    reference_row_forward<F>(x, y, n);
  else if constexpr (std::is_same_v<F, fn::LogSoftmax>)
    log_softmax_forward(x, y, n, e.max);
  else if constexpr (std::is_same_v<F, fn::Softmin>)
    softmax_forward<true>(x, y, n, -e.min);  // max(-x) = -min(x), exact
  else
    softmax_forward<false>(x, y, n, e.max);
}

template <class F>
void backward_row_f32(const float* y, const float* dy, float* dx, std::size_t n) {
  if constexpr (std::is_same_v<F, fn::LogSoftmax>) {
    // dy's finiteness comes with its sum (log_softmax_backward_f32), y's needs its own pass.
    if (!all_finite(y, n) || !log_softmax_backward_f32(y, dy, dx, n)) reference_row_backward<F>(y, dy, dx, n);
  } else {
    if (!softmax_backward_f32<std::is_same_v<F, fn::Softmin>>(y, dy, dx, n))
      reference_row_backward<F>(y, dy, dx, n);
  }
}

template <class F, class T>
bool forward_rows(const T* x, T* y, std::size_t rows, std::size_t n) {
  if (n == 0) return true;  // empty rows: nothing to read (row_extremes starts from x[0])
  for (std::size_t r = 0; r < rows; ++r) {
    const T* xr = x + r * n;
    T* yr = y + r * n;
    if constexpr (std::is_same_v<T, float>)
      forward_row_f32<F>(xr, yr, n);
    else if (!all_finite(xr, n))
      reference_row_forward<F>(xr, yr, n);
    else if constexpr (std::is_same_v<F, fn::LogSoftmax>)
      log_softmax_forward_f64(xr, yr, n);
    else
      softmax_forward_f64(xr, yr, n, std::is_same_v<F, fn::Softmin> ? -1.0 : 1.0);
  }
  return true;
}

template <class F, class T>
bool backward_rows(const T* y, const T* dy, T* dx, std::size_t rows, std::size_t n) {
  if (n == 0) return true;
  for (std::size_t r = 0; r < rows; ++r) {
    const T *yr = y + r * n, *gr = dy + r * n;
    T* dxr = dx + r * n;
    if constexpr (std::is_same_v<T, float>)
      backward_row_f32<F>(yr, gr, dxr, n);
    else if (!all_finite(yr, n) || !all_finite(gr, n) || (std::is_same_v<F, fn::LogSoftmax> && !all_nonpositive(yr, n)))
      reference_row_backward<F>(yr, gr, dxr, n);
    else
      softmax_backward_f64<F>(yr, gr, dxr, n);
  }
  return true;
}

/// Calls body.template operator()<F>() for the softmax family; false for any other kind.
/// Calls body.template operator()<F>() for the kinds the kernel table gives whole-row kernels.
template <class Body>
bool softmax_family(Kind kind, Body body) {
  return fn::visit(kind, [&]<class F>() {
    constexpr KernelRow r = row(F::info.kind);
    static_assert((r.f32.f == Path::Rows) == (r.f64.f == Path::Rows), "whole-row kernels exist for f32 and f64");
    if constexpr (r.f32.f == Path::Rows)
      return body.template operator()<F>();
    else
      return false;
  });
}

}  // namespace

bool SoftmaxForwardF32(Kind kind, const float* x, float* y, std::size_t rows, std::size_t n) {
  return softmax_family(kind, [&]<class F>() { return forward_rows<F>(x, y, rows, n); });
}
bool SoftmaxForwardF64(Kind kind, const double* x, double* y, std::size_t rows, std::size_t n) {
  return softmax_family(kind, [&]<class F>() { return forward_rows<F>(x, y, rows, n); });
}
bool SoftmaxBackwardF32(Kind kind, const float* y, const float* dy, float* dx, std::size_t rows, std::size_t n) {
  return softmax_family(kind, [&]<class F>() { return backward_rows<F>(y, dy, dx, rows, n); });
}
bool SoftmaxBackwardF64(Kind kind, const double* y, const double* dy, double* dx, std::size_t rows,
                        std::size_t n) {
  return softmax_family(kind, [&]<class F>() { return backward_rows<F>(y, dy, dx, rows, n); });
}

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd.hpp"

namespace actfn::kernels {

HWY_EXPORT(SoftmaxForwardF32);
HWY_EXPORT(SoftmaxForwardF64);
HWY_EXPORT(SoftmaxBackwardF32);
HWY_EXPORT(SoftmaxBackwardF64);

bool simd_softmax_forward(Kind kind, const float* x, float* y, std::size_t rows, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(SoftmaxForwardF32)(kind, x, y, rows, n);
}
bool simd_softmax_forward(Kind kind, const double* x, double* y, std::size_t rows, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(SoftmaxForwardF64)(kind, x, y, rows, n);
}
bool simd_softmax_backward(Kind kind, const float* y, const float* dy, float* dx, std::size_t rows, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(SoftmaxBackwardF32)(kind, y, dy, dx, rows, n);
}
bool simd_softmax_backward(Kind kind, const double* y, const double* dy, double* dx, std::size_t rows,
                           std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(SoftmaxBackwardF64)(kind, y, dy, dx, rows, n);
}

}  // namespace actfn::kernels
#endif  // HWY_ONCE
