// The lane math of the f64 kernels (F64Lanes<F>, in the family files): exponentials, expm1, log1p,
// the logistic function's parts and tanh as double-double pairs. No include guard: included once
// per translation unit (simd.cpp, softmax.cpp), compiled once per target (foreach_target.h),
// inside that target's namespace.
//
// The f64 reference computes in long double (64-bit mantissa), so these kernels cannot lean on a
// wider type: they use the habits of math_f32-inl.h in double lanes.
//  - exp is only ever taken of a non-positive argument, returned as (1 + q)·2^n with q = e^r - 1 a
//    double-double pair accurate to ~2^-58 relative, and 2^n applied last, in exact steps, so
//    results whose true value is subnormal round once;
//  - values that feed an exponential are carried as pairs hi + lo (an argument error of δ is a
//    relative error |v|·δ in e^v: at v = -700, one ULP of v is 2^-43, 2^10 ULP of the result);
//  - quotients are corrected once with the exact residual (num - y·den).
// Error-free products use FMA where the target has it (HWY_NATIVE_FMA) and Dekker's splitting
// where it does not (SSSE3, SSE4, EMU128), so every target meets the same contract, each kernel's
// row of the kernel table (table.hpp): forward ≤ 2 ULP (RReLU: correctly rounded), f' ≤ 4 ULP of
// the true value, checked on every target by tests/kernels/f64_kernel_test.cpp.
//
// A kernel struct F64Lanes<F> has f(d, x, p) and df(d, x, p), and df_from_y(d, y, p) where F has
// it; p holds the parameters as doubles. NaN handling is the driver's (simd.cpp).

#include "exact-inl.h"

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class F>
struct F64Lanes;  // specialised in the family files for the smooth activations with an f64 kernel

namespace f64 {

template <class D>
using V = hn::Vec<D>;

// The error-free transformations (exact-inl.h).
using exact::fast_two_sum;
using exact::residual;
using exact::two_prod;
using exact::two_sum;

/// (ah + al)·(bh + bl) as a pair hi + lo, to ~2^-104 relative.
template <class D>
HWY_INLINE V<D> pair_product(D d, V<D> ah, V<D> al, V<D> bh, V<D> bl, V<D>& lo) {
  const V<D> hi = two_prod(d, ah, bh, lo);
  lo = hn::Add(lo, hn::MulAdd(ah, bl, hn::Mul(al, bh)));
  return hi;
}

/// (ah + al)·(bh + bl) rounded once (to ~2^-104 relative before that rounding).
template <class D>
HWY_INLINE V<D> mul_pair(D d, V<D> ah, V<D> al, V<D> bh, V<D> bl) {
  V<D> lo;
  const V<D> hi = pair_product(d, ah, al, bh, bl, lo);
  return hn::Add(hi, lo);
}

// Exact scaling by powers of 2 and the kNormal/kTail instances (exact-inl.h; kNormal: every e^h
// of a vector normal, h ≥ -708).
using exact::expm1_is_identity;
using exact::pow2;
using exact::Range;
using exact::scale;
using exact::scale_tail;

/// e^(h + l) = (hi + lo)·2^n with hi + lo = 1 + q (hi ∈ [0.7, 1.42]), for h ≤ 0 and |l| ≤ ulp(h);
/// q = e^r - 1 as a pair, within ~2^-58 relative of the truth. unit = 2^max(n, -1022), so
/// hi·unit is e itself wherever e is normal.
///
/// Cody–Waite: n = round(h/ln2) by the 1.5·2^52 trick, r = h - n ln2_hi exactly (ln2_hi has
/// 41 significant bits and |n| ≤ 2165 has 12), then r + r_lo = r - n ln2_lo + l as a pair. With
/// r² = s + s_lo exact, q = r + s/2 + (s_lo/2 + r³ P(r) + r_lo (1 + r)), P a degree-10
/// Chebyshev fit of (e^r - 1 - r - r²/2)/r³ on |r| ≤ 0.3466 (relative error 2^-53, i.e. 2^-58
/// of q: r³P/q ≤ 0.02). kNormal clamps h at -708.3 (e^h ≥ DBL_MIN), kTail at -1500, where
/// e^h = 2^-2164 times even the largest double factor (x in x e^v) rounds to 0; the tail instance
/// returns e = 0 below its floor, so no factor can revive it. l is dropped where clamped.
template <class D>
struct Exp {
  V<D> hi, lo, n, unit;
  V<D> q, q_lo;  // e^r - 1 as a pair (expm1 where n = 0)
};
template <Range kRange, class D>
HWY_INLINE Exp<D> exp_pair(D d, V<D> h, V<D> l) {
  const V<D> floor = hn::Set(d, kRange == Range::kTail ? -1500.0 : -708.3);
  const auto in_range = h >= floor;
  l = hn::IfThenElseZero(in_range, l);
  h = hn::Max(h, floor);
  const V<D> magic = hn::Set(d, exact::Format<double>::kRoundMagic);
  const V<D> t = hn::MulAdd(h, hn::Set(d, 0x1.71547652b82fep+0), magic);
  Exp<D> e;
  e.n = hn::Sub(t, magic);
  if constexpr (kRange == Range::kTail) {
    e.unit = pow2(d, hn::Max(e.n, hn::Set(d, -1022.0)));
  } else {
    // The low mantissa bits of t hold n in two's complement; (n + 1023) << 52 is 2^n.
    const hn::RebindToSigned<D> di;
    e.unit = hn::BitCast(d, hn::ShiftLeft<52>(hn::Add(hn::BitCast(di, t), hn::Set(di, 1023))));
  }
  V<D> r_lo;
  const V<D> r_hi = hn::NegMulAdd(e.n, hn::Set(d, 0x1.62e42fefa3000p-1), h);
  const V<D> r = two_sum<D>(r_hi, hn::NegMulAdd(e.n, hn::Set(d, 0x1.3de6af278ece6p-42), l), r_lo);
  V<D> poly = hn::Set(d, 0x1.61b2b5a530034p-33);
  poly = hn::MulAdd(poly, r, hn::Set(d, 0x1.1f7301a8efa5cp-29));
  poly = hn::MulAdd(poly, r, hn::Set(d, 0x1.ae64344ad3ceap-26));
  poly = hn::MulAdd(poly, r, hn::Set(d, 0x1.27e4db653346ep-22));
  poly = hn::MulAdd(poly, r, hn::Set(d, 0x1.71de3a5904ff0p-19));
  poly = hn::MulAdd(poly, r, hn::Set(d, 0x1.a01a01a6d84aap-16));
  poly = hn::MulAdd(poly, r, hn::Set(d, 0x1.a01a01a019b2ap-13));
  poly = hn::MulAdd(poly, r, hn::Set(d, 0x1.6c16c16c162d5p-10));
  poly = hn::MulAdd(poly, r, hn::Set(d, 0x1.1111111111111p-7));
  poly = hn::MulAdd(poly, r, hn::Set(d, 0x1.5555555555556p-5));
  poly = hn::MulAdd(poly, r, hn::Set(d, 0x1.5555555555555p-3));
  V<D> s_lo;
  const V<D> half = hn::Set(d, 0.5);
  const V<D> s = two_prod(d, r, r, s_lo);
  const V<D> tail = hn::MulAdd(hn::Mul(r, s), poly, hn::MulAdd(s_lo, half, hn::MulAdd(r_lo, r, r_lo)));
  V<D> q_lo;
  const V<D> q = fast_two_sum<D>(r, hn::Mul(s, half), q_lo);
  // The tail (up to r³/6, 2^-9 of q) is far above q's ULP: renormalised, so that q_lo is below it.
  e.q = fast_two_sum<D>(q, hn::Add(q_lo, tail), e.q_lo);
  e.hi = fast_two_sum<D>(hn::Set(d, 1.0), e.q, e.lo);
  e.lo = hn::Add(e.lo, e.q_lo);
  if constexpr (kRange == Range::kTail) {
    // Past the floor e counts as 0, so a huge factor (x e^x at x = -1e300) cannot revive it.
    e.hi = hn::IfThenElseZero(in_range, e.hi);
    e.lo = hn::IfThenElseZero(in_range, e.lo);
  }
  return e;
}

/// Runs body(Range) with the cheap instance unless some lane of `arg` (the exponent's argument,
/// ≤ 0 where it matters) is below -708: there e^arg is subnormal and the result may be too.
template <class D, class Body>
HWY_INLINE V<D> by_range(D d, V<D> arg, Body body) {
  if (HWY_LIKELY(hn::AllFalse(d, arg < hn::Set(d, -708.0))))
    return body(std::integral_constant<Range, Range::kNormal>());
  return body(std::integral_constant<Range, Range::kTail>());
}

/// e^(h + l) - 1 for h ≤ 0 (|l| ≤ ulp(h)) as a pair hi + lo, within ~2^-57 relative: where
/// n = 0 (|h| ≤ ln2/2) it is exp_pair's q + q_lo (no 1 + q rounding in between), elsewhere
/// e·2^n - 1 with e·2^n = hi·unit exact and -1 + hi·unit an exact pair (Fast2Sum; -1
/// dominates). h is clamped at -708.3 by exp_pair, where e^h < 2^-1021 no longer changes -1.
template <class D>
HWY_INLINE V<D> expm1_pair(D d, V<D> h, V<D> l, V<D>& lo) {
  const Exp<D> e = exp_pair<Range::kNormal>(d, h, l);
  V<D> ml;
  const V<D> mh = fast_two_sum<D>(hn::Set(d, -1.0), hn::Mul(e.hi, e.unit), ml);
  ml = hn::MulAdd(e.lo, e.unit, ml);
  const auto central = e.n == hn::Zero(d);
  lo = hn::IfThenElse(central, e.q_lo, ml);
  return hn::IfThenElse(central, e.q, mh);
}

/// (nh + nl)/(dh + dl) as y + corr, within ~0.5 ULP once added: the residual nh - y·dh is exact
/// (y is within an ULP of the quotient), so only the small correction's own rounding remains.
template <class D>
HWY_INLINE V<D> div_pair(D d, V<D> nh, V<D> nl, V<D> dh, V<D> dl, V<D>& corr) {
  const V<D> y = hn::Div(nh, dh);
  corr = hn::Div(hn::Add(residual(d, y, dh, nh), hn::NegMulAdd(y, dl, nl)), dh);
  return y;
}

/// The logistic function's parts at v = vh + vl, split by sign as the reference does:
/// e = e^-|v| = (e.hi + e.lo)·2^n and den = 1 + e as an exact pair; σ(|v|) = 1/den and
/// σ(-|v|) = e/den. Where e is below 2^-1022 it cannot change 1 + e.
template <class D>
struct Logistic {
  Exp<D> e;
  V<D> den_h, den_l;
  hn::Mask<D> neg;  // v < 0: σ(v) is the small one, e/den
};
template <Range kRange, class D>
HWY_INLINE Logistic<D> logistic(D d, V<D> vh, V<D> vl) {
  Logistic<D> s;
  s.neg = vh < hn::Zero(d);
  s.e = exp_pair<kRange>(d, hn::Neg(hn::Abs(vh)), hn::IfThenElse(s.neg, vl, hn::Neg(vl)));
  s.den_h = fast_two_sum<D>(hn::Set(d, 1.0), hn::Mul(s.e.hi, s.e.unit), s.den_l);
  s.den_l = hn::MulAdd(s.e.lo, s.e.unit, s.den_l);
  return s;
}

/// σ(v) = (y + corr)·2^m, m = n where v < 0 and 0 elsewhere (then 2^m = 1).
template <class D>
HWY_INLINE V<D> sigmoid_parts(D d, const Logistic<D>& s, V<D>& corr, V<D>& m) {
  m = hn::IfThenElseZero(s.neg, s.e.n);
  return div_pair(d, hn::IfThenElse(s.neg, s.e.hi, hn::Set(d, 1.0)), hn::IfThenElseZero(s.neg, s.e.lo), s.den_h,
                  s.den_l, corr);
}

/// σ(|v|) = 1/den as r + r_lo and σ(-|v|)·2^-n = e·r as small + small_lo.
template <class D>
HWY_INLINE V<D> logistic_halves(D d, const Logistic<D>& s, V<D>& r_lo, V<D>& small, V<D>& small_lo) {
  const V<D> r = div_pair(d, hn::Set(d, 1.0), hn::Zero(d), s.den_h, s.den_l, r_lo);
  V<D> lo;
  small = two_prod(d, s.e.hi, r, lo);
  small_lo = hn::Add(lo, hn::MulAdd(s.e.hi, r_lo, hn::Mul(s.e.lo, r)));
  return r;
}

/// σ(v)σ(-v)·2^-n = e/den² (unscaled), never 1 - σ cancelling; within ~0.5 ULP before scaling.
template <class D>
HWY_INLINE V<D> logistic_slope_unscaled(D d, const Logistic<D>& s) {
  V<D> r_lo, small, small_lo;
  const V<D> r = logistic_halves(d, s, r_lo, small, small_lo);
  return mul_pair(d, small, small_lo, r, r_lo);
}

/// x·σ(v) for v = vh + vl: the quotient and x are multiplied before the one rounding into the
/// subnormal range. At x = ±inf the limits (as fn::swish): x/2 for b = 0 (v is NaN there), x
/// where v > 0, a zero with x's sign where v < 0.
template <class D>
HWY_INLINE V<D> gated(D d, V<D> x, V<D> vh, V<D> vl) {
  const V<D> y = by_range(d, vh, [&](auto range) {
    const Logistic<D> s = logistic<decltype(range)::value>(d, vh, vl);
    V<D> corr, m;
    const V<D> q = sigmoid_parts(d, s, corr, m);
    // The sign is x's (σ > 0); without FMA, x q + x corr could be -0 + +0 = +0.
    return hn::CopySign(scale<decltype(range)::value>(d, hn::MulAdd(x, q, hn::Mul(x, corr)), m), x);
  });
  const V<D> at_inf = hn::IfThenElse(hn::IsNaN(vh), hn::Mul(x, hn::Set(d, 0.5)),
                                     hn::IfThenElse(vh > hn::Zero(d), x, hn::CopySign(hn::Zero(d), x)));
  return hn::IfThenElse(hn::IsInf(x), at_inf, y);
}

/// From here down the reference's long-double e^v is 0 (v ≤ -11399.4985): its results there are
/// +0 where the true, underflowing value has a sign.
constexpr double kReferenceExpUnderflow = -0x1.643bfcfe13c58p+13;

/// σ(v)(1 + m σ(-v)) for pairs v = vh + vl (|vh| ≤ 1500) and m = mh + ml: the slope of a gate
/// x σ(v(x)) with m = x v'(x) (m = v for silu, swish, gelu_sigmoid). σ(v) and σ(-v) come as pairs
/// accurate to ~2^-57 and 1 + m σ(-v) is formed from them as a pair, so away from the slope's zero
/// (where 1 + m σ(-v) cancels) the error is ≲ 1 ULP.
template <class D>
HWY_INLINE V<D> gate_slope_far(D d, V<D> vh, V<D> vl, V<D> mh, V<D> ml) {
  return by_range(d, hn::Neg(hn::Abs(vh)), [&](auto range) {
    const Logistic<D> s = logistic<decltype(range)::value>(d, vh, vl);
    V<D> r_lo, small, small_lo;
    const V<D> r = logistic_halves(d, s, r_lo, small, small_lo);
    // σ(v) (unscaled by 2^n where v < 0) and σ(-v) (scaled: a w below 2^-1022 is nothing next to 1).
    const V<D> sh = hn::IfThenElse(s.neg, small, r), sl = hn::IfThenElse(s.neg, small_lo, r_lo);
    const V<D> wh = hn::IfThenElse(s.neg, r, hn::Mul(small, s.e.unit));
    const V<D> wl = hn::IfThenElse(s.neg, r_lo, hn::Mul(small_lo, s.e.unit));
    V<D> pl, ql;
    const V<D> ph = two_prod(d, mh, wh, pl);
    pl = hn::Add(pl, hn::MulAdd(mh, wl, hn::Mul(ml, wh)));
    const V<D> qh = two_sum<D>(hn::Set(d, 1.0), ph, ql);
    ql = hn::Add(ql, pl);
    return scale<decltype(range)::value>(d, mul_pair(d, sh, sl, qh, ql), hn::IfThenElseZero(s.neg, s.e.n));
  });
}

/// A slope g with one zero z, fitted there: g(z + t) = t Q(t) for |t| ≤ kHalfWidth, Q(t) =
/// c0 + t R(t) with z and c0 = g'(z) double pairs and R (kR, t^0 first) a Chebyshev interpolant
/// rounded to double (this project's fits: scripts/fits/near_zero.py). Returns t Q(t) for v = vh + vl, t as
/// the pair (vh - z_hi) + (vl - z_lo) (the first difference exact by Sterbenz near z), th its
/// high part: only Q's own rounding and the final product's remain, where the slope's formula
/// would cancel to an absolute error of many ULP of the small g.
template <class Fit, class D>
HWY_INLINE V<D> near_zero(D d, V<D> vh, V<D> vl, V<D>& th) {
  V<D> tl;
  th = two_sum<D>(hn::Sub(vh, hn::Set(d, Fit::kZeroHi)), hn::Sub(vl, hn::Set(d, Fit::kZeroLo)), tl);
  constexpr std::size_t kN = sizeof(Fit::kR) / sizeof(Fit::kR[0]);
  V<D> r = hn::Set(d, Fit::kR[kN - 1]);
  for (std::size_t i = kN - 1; i-- > 0;) r = hn::MulAdd(r, th, hn::Set(d, Fit::kR[i]));
  V<D> ql;
  const V<D> qh = fast_two_sum<D>(hn::Set(d, Fit::kC0Hi), hn::Mul(th, r), ql);
  ql = hn::Add(ql, hn::Set(d, Fit::kC0Lo));
  return mul_pair(d, th, tl, qh, ql);
}

/// G(v) = σ(v)(1 + v σ(-v)) near its zero v0 = -1.2784645427610738 (degree 10; Q's relative
/// error 2^-56.9).
struct GateSlopeFit {
  static constexpr double kHalfWidth = 0.125;
  static constexpr double kZeroHi = -0x1.474973c84120bp+0, kZeroLo = -0x1.f8d74bc9ac154p-54;
  static constexpr double kC0Hi = 0x1.be1410460527fp-3, kC0Lo = -0x1.2541062177473p-58;
  static constexpr double kR[] = {0x1.2c563458cc0adp-3,  0x1.353eb573ca45ap-6,  -0x1.f2d0e32bc2994p-7,
                                  -0x1.b0f82c4992e8ep-8, 0x1.098e92b8f4133p-13, 0x1.a2a7cb137f9c1p-11,
                                  0x1.8574d131c835fp-13, -0x1.5724c9f7fc7e5p-15, -0x1.f2d8805f65fafp-16,
                                  -0x1.860224d86f7bcp-19, 0x1.3ab3287fcd461p-19};
};

/// G(v) = σ(v)(1 + v σ(-v)), the slope of x σ(b x) with v = b x (silu, swish, gelu_sigmoid):
/// gate_slope_far, and within |v - v0| ≤ 1/8 the fit. |v| is clamped at 1500, where G is 0 or 1
/// in f64. Limits at x = ±inf are the caller's.
template <class D>
HWY_INLINE V<D> gate_slope(D d, V<D> vh, V<D> vl) {
  const V<D> limit = hn::Set(d, 1500.0);
  const auto reference_underflows = vh <= hn::Set(d, kReferenceExpUnderflow);
  vl = hn::IfThenElseZero(hn::Abs(vh) <= limit, vl);
  vh = hn::Min(hn::Max(vh, hn::Neg(limit)), limit);
  const V<D> g = gate_slope_far(d, vh, vl, vh, vl);
  V<D> th;
  const V<D> near = near_zero<GateSlopeFit>(d, vh, vl, th);
  // G has t's sign (its one zero is v0), so a result that underflows is -0 below v0, as the
  // reference's, except where the reference's own e^v is 0: +0 there.
  const V<D> sign = hn::IfThenElse(reference_underflows, hn::Set(d, 1.0), th);
  return hn::IfThenElse(hn::Abs(th) <= hn::Set(d, GateSlopeFit::kHalfWidth), near, hn::CopySign(g, sign));
}

/// The slope's limits at x = ±inf (as fn::swish_slope): 1/2 for b = 0, 1 where v > 0, else 0.
template <class D>
HWY_INLINE V<D> gate_slope_at_inf(D d, V<D> x, V<D> vh, V<D> finite) {
  const V<D> at_inf = hn::IfThenElse(hn::IsNaN(vh), hn::Set(d, 0.5), hn::IfThenElseZero(vh > hn::Zero(d), hn::Set(d, 1.0)));
  return hn::IfThenElse(hn::IsInf(x), at_inf, finite);
}

/// tanh(a + al) for a = |v| ≥ 0 (al its low part) as y + corr: (1 - e)/(1 + e) with e = e^-2a a
/// pair, so near 0 the numerator is -q with no cancellation. a is clamped at 20, where tanh is 1
/// in f64 (1 - tanh 20 = 8.5e-18 < 2^-54).
template <class D>
HWY_INLINE V<D> tanh_abs(D d, V<D> a, V<D> al, V<D>& corr) {
  const V<D> limit = hn::Set(d, 20.0);
  al = hn::IfThenElseZero(a < limit, al);
  a = hn::Min(a, limit);
  const V<D> m2 = hn::Set(d, -2.0);
  const Exp<D> e = exp_pair<Range::kNormal>(d, hn::Mul(m2, a), hn::Mul(m2, al));
  const V<D> eh = hn::Mul(e.hi, e.unit), el = hn::Mul(e.lo, e.unit);
  const V<D> one = hn::Set(d, 1.0);
  V<D> num_l, den_l;
  const V<D> num_h = fast_two_sum<D>(one, hn::Neg(eh), num_l);
  const V<D> den_h = fast_two_sum<D>(one, eh, den_l);
  return div_pair(d, num_h, hn::Sub(num_l, el), den_h, hn::Add(den_l, el), corr);
}

/// (ch + cl)·sech²(vh + vl) = 4(ch + cl)·σ(w)σ(-w) for w = 2|v| as a pair (the logistic slope,
/// never 1 - tanh² cancelling), the product rounded once, then tails scaled once. w is clamped at
/// 1500, where sech² is 0 in f64 anyway; ±inf give 0.
template <class D>
HWY_INLINE V<D> scaled_sech2(D d, V<D> vh, V<D> vl, V<D> ch, V<D> cl) {
  const V<D> limit = hn::Set(d, 1500.0), two = hn::Set(d, 2.0), four = hn::Set(d, 4.0);
  const V<D> wh = hn::Min(hn::Mul(two, hn::Abs(vh)), limit);
  const V<D> wl = hn::IfThenElseZero(wh < limit, hn::Mul(two, hn::IfThenElse(vh < hn::Zero(d), hn::Neg(vl), vl)));
  return by_range(d, hn::Neg(wh), [&](auto range) {
    const Logistic<D> s = logistic<decltype(range)::value>(d, wh, wl);
    const V<D> g = logistic_slope_unscaled(d, s);
    return scale<decltype(range)::value>(d, hn::MulAdd(hn::Mul(four, ch), g, hn::Mul(hn::Mul(four, cl), g)), s.e.n);
  });
}

/// (sh + sl)·expm1(vh + vl) for vh ≤ 0 (lanes with vh > 0 compute values the callers blend
/// away): the pair product rounded once.
template <class D>
HWY_INLINE V<D> scaled_expm1(D d, V<D> vh, V<D> vl, V<D> sh, V<D> sl) {
  V<D> lo;
  const V<D> hi = expm1_pair(d, hn::Min(vh, hn::Zero(d)), vl, lo);
  return mul_pair(d, sh, sl, hi, lo);
}

/// (sh + sl)·e^(vh + vl) for vh ≤ 0, subnormal tails rounded once.
template <class D>
HWY_INLINE V<D> scaled_exp(D d, V<D> vh, V<D> vl, V<D> sh, V<D> sl) {
  vh = hn::Min(vh, hn::Zero(d));
  return by_range(d, vh, [&](auto range) {
    const Exp<D> e = exp_pair<decltype(range)::value>(d, vh, vl);
    return scale<decltype(range)::value>(d, mul_pair(d, sh, sl, e.hi, e.lo), e.n);
  });
}

/// log(1 + u) for u = uh + ul ∈ [2^-60, 1] (|ul| ≤ ulp(uh)) as a pair hi + lo, within ~2^-57
/// relative. w = 1 + u is an exact pair; w = 2^k m with m ∈ [√½, √2] (k = 1 above √2) and
/// f = m - 1 + m_lo a pair (m - 1 exact by Sterbenz); log1p(f) = 2 atanh(s) = 2s + 2s³ R(s²) with
/// s = f/(2 + f) a corrected quotient (|s| ≤ 0.1716) and R a degree-7 Chebyshev fit of
/// (atanh(s) - s)/s³ in s² (relative error 2^-54, i.e. 2^-60 of the result).
template <class D>
HWY_INLINE V<D> log1p_pair(D d, V<D> uh, V<D> ul, V<D>& lo) {
  const V<D> one = hn::Set(d, 1.0), half = hn::Set(d, 0.5), two = hn::Set(d, 2.0);
  V<D> wl;
  const V<D> wh = fast_two_sum<D>(one, uh, wl);
  wl = hn::Add(wl, ul);
  const auto big = wh > hn::Set(d, 0x1.6a09e667f3bcdp+0);
  const V<D> m = hn::IfThenElse(big, hn::Mul(wh, half), wh);
  V<D> fl;
  const V<D> fh = two_sum<D>(hn::Sub(m, one), hn::IfThenElse(big, hn::Mul(wl, half), wl), fl);
  V<D> den_l, s_corr;
  const V<D> den_h = fast_two_sum<D>(two, fh, den_l);
  const V<D> s0 = div_pair(d, fh, fl, den_h, hn::Add(den_l, fl), s_corr);
  V<D> sl;
  const V<D> sh = fast_two_sum<D>(s0, s_corr, sl);
  const V<D> z = hn::Mul(sh, sh);
  V<D> rz = hn::Set(d, 0x1.0c135adcf3011p-4);
  rz = hn::MulAdd(rz, z, hn::Set(d, 0x1.0fbd140544b63p-4));
  rz = hn::MulAdd(rz, z, hn::Set(d, 0x1.3b1c43c68eb6dp-4));
  rz = hn::MulAdd(rz, z, hn::Set(d, 0x1.745cf8c09a9d4p-4));
  rz = hn::MulAdd(rz, z, hn::Set(d, 0x1.c71c7201fc0e6p-4));
  rz = hn::MulAdd(rz, z, hn::Set(d, 0x1.249249247670ap-3));
  rz = hn::MulAdd(rz, z, hn::Set(d, 0x1.9999999999a3ap-3));
  rz = hn::MulAdd(rz, z, hn::Set(d, 0x1.5555555555555p-2));
  // k ln2 + 2s (k ∈ {0, 1}; ln2 ≥ |2s|), then the small terms.
  const V<D> h = fast_two_sum<D>(hn::IfThenElseZero(big, hn::Set(d, 0x1.62e42fefa39efp-1)), hn::Mul(two, sh), lo);
  const V<D> small = hn::MulAdd(hn::Mul(hn::Mul(two, sh), z), rz, hn::Mul(two, sl));
  lo = hn::Add(lo, hn::Add(small, hn::IfThenElseZero(big, hn::Set(d, 0x1.abc9e3b39803fp-56))));
  return fast_two_sum<D>(h, lo, lo);
}

/// log1p(e^-|v|) for v = vh + vl as a pair (the softplus family's correction term), for
/// |v| ≤ 40 (callers take the far tails elsewhere, where log1p(u) = u to 2^-55).
template <class D>
HWY_INLINE V<D> softplus_term(D d, V<D> vh, V<D> vl, V<D>& lo) {
  const Exp<D> e = exp_pair<Range::kNormal>(d, hn::Neg(hn::Abs(vh)), hn::IfThenElse(vh < hn::Zero(d), vl, hn::Neg(vl)));
  return log1p_pair(d, hn::Mul(e.hi, e.unit), hn::Mul(e.lo, e.unit), lo);
}

/// e^-|v| (v = vh + vl) divided by s and rounded once, also where it is subnormal: the far tails
/// of softplus (e^z/beta below z = -37) and log_sigmoid (-e^-x above 37).
template <class D>
HWY_INLINE V<D> exp_tail_over(D d, V<D> vh, V<D> vl, V<D> s) {
  const V<D> a = hn::Neg(hn::Abs(vh)), al = hn::IfThenElse(vh < hn::Zero(d), vl, hn::Neg(vl));
  return by_range(d, a, [&](auto range) {
    const Exp<D> e = exp_pair<decltype(range)::value>(d, a, al);
    V<D> corr;
    const V<D> y = div_pair(d, e.hi, e.lo, s, hn::Zero(d), corr);
    return scale<decltype(range)::value>(d, hn::Add(y, corr), e.n);
  });
}

/// -expm1(v) for v = vh + vl ≤ 0 (|vl| ≤ ulp(vh)); -v below 2^-54, which keeps signed zeros as
/// the reference's (-expm1(-0) = +0).
template <class D>
HWY_INLINE V<D> neg_expm1(D d, V<D> vh, V<D> vl) {
  V<D> lo;
  const V<D> hi = expm1_pair(d, hn::Min(vh, hn::Zero(d)), vl, lo);
  return hn::IfThenElse(expm1_is_identity(d, vh), hn::Neg(vh), hn::Neg(hn::Add(hi, lo)));
}

}  // namespace f64

/// ∂f/∂p_k for f64 data: F64ParamGradient<F>::grad(d, x, p, g) fills g[k] for every learnable k,
/// each within ~1 ULP (the forward kernels' pairs); the driver (simd.cpp) multiplies by dy and sums
/// with compensation.
template <class F>
struct F64ParamGradient;

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
