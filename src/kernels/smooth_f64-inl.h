// Smooth activations for f64 data computed in f64 lanes, and evaluation-mode RReLU, whose mean
// slope needs a pair in f64. No include guard: Highway compiles this file once per target
// (foreach_target.h), inside that target's namespace.
//
// The f64 reference computes in long double (64-bit mantissa), so these kernels cannot lean on a
// wider type: they use the habits of smooth_f32-inl.h in double lanes.
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
struct F64Lanes;  // specialised below for the smooth activations with an f64 kernel

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

/// sigmoid(x) = 1/(1 + e^-x): σ(|x|) = 1/(1 + e), σ(-|x|) = e/(1 + e) with e = e^-|x|, one
/// corrected quotient, tails below -708 scaled once. f' = e/(1 + e)² (no 1 - σ cancelling); from
/// y, y(1 - y) with 1 - y an exact pair and one rounding. Valid for every double.
template <>
struct F64Lanes<fn::Sigmoid> {
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    return f64::by_range(d, x, [&](auto range) {
      const f64::Logistic<D> s = f64::logistic<decltype(range)::value>(d, x, hn::Zero(d));
      f64::V<D> corr, m;
      const f64::V<D> y = f64::sigmoid_parts(d, s, corr, m);
      return f64::scale<decltype(range)::value>(d, hn::Add(y, corr), m);
    });
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    return f64::by_range(d, hn::Neg(hn::Abs(x)), [&](auto range) {
      const f64::Logistic<D> s = f64::logistic<decltype(range)::value>(d, x, hn::Zero(d));
      return f64::scale<decltype(range)::value>(d, f64::logistic_slope_unscaled(d, s), s.e.n);
    });
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>&) {
    const f64::V<D> one = hn::Set(d, 1.0);
    f64::V<D> wl;
    const f64::V<D> wh = f64::two_sum<D>(one, hn::Neg(y), wl);
    // An infinite y (not a sigmoid output) has no pair: the plain product gives its limit.
    return hn::IfThenElse(hn::IsFinite(y), hn::MulAdd(y, wh, hn::Mul(y, wl)), hn::Mul(y, hn::Sub(one, y)));
  }
};

/// tanh(x) = sign(x)·tanh|x| (f64::tanh_abs); below 2^-27 the result is x (x³/3 is under a
/// quarter ULP), which keeps signed zeros and subnormals. f' = sech²x = 4e/(1 + e)², e = e^-2|x|
/// (the logistic slope, tails scaled once); from y, (1 - y)(1 + y) with both factors exact pairs
/// and one rounding. Valid for every double.
template <>
struct F64Lanes<fn::Tanh> {
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> corr;
    const f64::V<D> y = f64::tanh_abs(d, hn::Abs(x), hn::Zero(d), corr);
    return hn::IfThenElse(hn::Abs(x) < hn::Set(d, 0x1p-27), x, hn::CopySign(hn::Add(y, corr), x));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    return f64::scaled_sech2(d, x, hn::Zero(d), hn::Set(d, 1.0), hn::Zero(d));
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>&) {
    const f64::V<D> one = hn::Set(d, 1.0);
    f64::V<D> ml, pl;
    const f64::V<D> mh = f64::two_sum<D>(one, hn::Neg(y), ml);
    const f64::V<D> ph = f64::two_sum<D>(one, y, pl);
    return hn::IfThenElse(hn::IsFinite(y), f64::mul_pair(d, mh, ml, ph, pl), hn::Mul(hn::Sub(one, y), hn::Add(one, y)));
  }
};

/// silu(x) = x σ(x); f'(x) = G(x) = σ(x)(1 + x σ(-x)) (see f64::gate_slope). Valid for every double.
template <>
struct F64Lanes<fn::Silu> {
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    return f64::gated(d, x, x, hn::Zero(d));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    return f64::gate_slope_at_inf(d, x, x, f64::gate_slope(d, x, hn::Zero(d)));
  }
};

/// swish(x) = x σ(b x) with v = b x an exact pair; f' = G(v). Valid for every double and b.
template <>
struct F64Lanes<fn::Swish> {
  template <class D>
  static f64::V<D> v_of(D d, f64::V<D> x, const P<D>& p, f64::V<D>& lo) {
    const f64::V<D> hi = f64::two_prod(d, hn::Set(d, p[fn::Swish::kBeta]), x, lo);
    lo = hn::IfThenElseZero(hn::IsFinite(hi), lo);
    return hi;
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>& p) {
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, p, vl);
    return f64::gated(d, x, vh, vl);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>& p) {
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, p, vl);
    return f64::gate_slope_at_inf(d, x, vh, f64::gate_slope(d, vh, vl));
  }
};

/// gelu_sigmoid(x) = x σ(1.702 x): the reference's long-double 1.702 is k_hi + k_lo exactly, so
/// v = k_hi x + k_lo x as a pair; f' = G(v). Valid for every double.
template <>
struct F64Lanes<fn::GeluSigmoid> {
  template <class D>
  static f64::V<D> v_of(D d, f64::V<D> x, f64::V<D>& lo) {
    const f64::V<D> hi = f64::two_prod(d, hn::Set(d, 0x1.b3b645a1cac08p+0), x, lo);
    lo = hn::IfThenElseZero(hn::IsFinite(hi), hn::MulAdd(hn::Set(d, 0x1.89p-55), x, lo));
    return hi;
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, vl);
    return f64::gated(d, x, vh, vl);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, vl);
    return f64::gate_slope_at_inf(d, x, vh, f64::gate_slope(d, vh, vl));
  }
};

/// gelu_tanh(x) = x σ(v), v = 2u = 2c·x(1 + k x²) (c = sqrt(2/π), k = 0.044715, the
/// reference's long-double constants, each held exactly as a double pair): x² exact, then
/// k x², 1 + k x², the product with x and with 2c each as a pair, so v is within ~2^-100 of the
/// reference's own (an error δ in v is a relative error δ in the far negative tail, where
/// f ≈ x e^v); x·σ(v) as f64::gated. x is clamped at ±2^20 inside v (|v| > 1500 from |x| = 40:
/// σ is 0 or 1 there). f' = σ(v)(1 + m σ(-v)) with m = x v' = 2c·x(1 + 3k x²) a pair formed the
/// same way (f64::gate_slope_far); next to its zero x0 = -0.7524614220710163 the fit
/// GeluTanhSlopeFit (degree 10, Q's relative error 2^-56.7). Limits: f(±inf) = ±inf·[x > 0] (-0
/// below), f'(±inf) = 1, 0; f' is +0 where the reference's long-double e^v underflows. Valid for
/// every double.
template <>
struct F64Lanes<fn::GeluTanh> {
  static constexpr double kC2Hi = 0x1.9884533d43651p+0, kC2Lo = -0x1.ccp-54;  // 2c
  static constexpr double kKHi = 0x1.6e4e26d4801f7p-5, kKLo = 0x1.44p-59;     // k
  static constexpr double kK3Hi = 0x1.12ba9d1f60179p-3, kK3Lo = 0x1.f3p-57;   // 3k
  /// 2c·x(1 + kk·x²) as a pair, for the clamped x (kk = k for v, 3k for m = x v').
  template <class D>
  static f64::V<D> scaled_cubic(D d, f64::V<D> x, double kk_hi, double kk_lo, f64::V<D>& lo) {
    const f64::V<D> kh = hn::Set(d, kk_hi), c2 = hn::Set(d, kC2Hi);
    f64::V<D> ql, al, sl, pl;
    const f64::V<D> qh = f64::two_prod(d, x, x, ql);
    const f64::V<D> ah = f64::two_prod(d, kh, qh, al);
    al = hn::Add(al, hn::MulAdd(kh, ql, hn::Mul(hn::Set(d, kk_lo), qh)));
    const f64::V<D> sh = f64::two_sum<D>(hn::Set(d, 1.0), ah, sl);
    sl = hn::Add(sl, al);
    const f64::V<D> ph = f64::two_prod(d, x, sh, pl);
    pl = hn::MulAdd(x, sl, pl);
    const f64::V<D> vh = f64::two_prod(d, c2, ph, lo);
    lo = hn::Add(lo, hn::MulAdd(c2, pl, hn::Mul(hn::Set(d, kC2Lo), ph)));
    return vh;
  }
  template <class D>
  static f64::V<D> clamped(D d, f64::V<D> x) {
    const f64::V<D> limit = hn::Set(d, 0x1p20);
    return hn::Min(hn::Max(x, hn::Neg(limit)), limit);
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> vl;
    const f64::V<D> vh = scaled_cubic(d, clamped(d, x), kKHi, kKLo, vl);
    return f64::gated(d, x, vh, vl);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> xc = clamped(d, x);
    f64::V<D> vl, ml;
    f64::V<D> vh = scaled_cubic(d, xc, kKHi, kKLo, vl);
    const f64::V<D> mh = scaled_cubic(d, xc, kK3Hi, kK3Lo, ml);
    const auto reference_underflows = vh <= hn::Set(d, f64::kReferenceExpUnderflow);
    const f64::V<D> limit = hn::Set(d, 1500.0);
    vl = hn::IfThenElseZero(hn::Abs(vh) <= limit, vl);
    vh = hn::Min(hn::Max(vh, hn::Neg(limit)), limit);
    const f64::V<D> g = f64::gate_slope_far(d, vh, vl, mh, ml);
    f64::V<D> th;
    const f64::V<D> near = f64::near_zero<GeluTanhSlopeFit>(d, xc, hn::Zero(d), th);
    // f' has the sign of x - x0 (its one zero), -0 where it underflows, but +0 where the
    // reference's own e^v is 0.
    const f64::V<D> sign = hn::IfThenElse(reference_underflows, hn::Set(d, 1.0), th);
    const f64::V<D> finite = hn::IfThenElse(hn::Abs(th) <= hn::Set(d, GeluTanhSlopeFit::kHalfWidth), near, hn::CopySign(g, sign));
    return f64::gate_slope_at_inf(d, x, vh, finite);
  }
  /// f' near x0 (scripts/fits/near_zero.py gelu_tanh 10 0.125).
  struct GeluTanhSlopeFit {
    static constexpr double kHalfWidth = 0.125;
    static constexpr double kZeroHi = -0x1.81429f9e97e4dp-1, kZeroLo = 0x1.4f1c020706d4bp-55;
    static constexpr double kC0Hi = 0x1.b8bacd2c96b91p-2, kC0Lo = 0x1.75f52d3fc7eacp-56;
    static constexpr double kR[] = {0x1.8cd1a2b2fff33p-2,  -0x1.029615edb07a7p-6, -0x1.d2b77346470a7p-4,
                                    -0x1.104a83edb295bp-6, 0x1.427996dc1f512p-6,  0x1.58c9ed213427ep-8,
                                    -0x1.3d8d63dbb638ap-9, -0x1.e63dbb50e56cep-11, 0x1.14be79edaf3e1p-12,
                                    0x1.0324ff2f0d5f2p-13, -0x1.231c289e9f6e1p-15};
  };
};

/// elu(x) = x for x > 0, alpha·expm1(x) below (f64::expm1_pair, the pair product rounded once);
/// alpha·x below 2^-54 (signed zeros as the reference's: alpha·(-0)). f' = 1 or alpha·e^x
/// (tails subnormal, rounded once); from y, y + alpha (one rounding, as the reference). Valid for
/// every double and alpha.
template <>
struct F64Lanes<fn::Elu> {
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>& p) {
    const f64::V<D> a = hn::Set(d, p[fn::Elu::kAlpha]);
    const f64::V<D> neg = f64::scaled_expm1(d, x, hn::Zero(d), a, hn::Zero(d));
    return hn::IfThenElse(x > hn::Zero(d), x, hn::IfThenElse(f64::expm1_is_identity(d, x), hn::Mul(a, x), neg));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>& p) {
    const f64::V<D> e = f64::scaled_exp(d, x, hn::Zero(d), hn::Set(d, p[fn::Elu::kAlpha]), hn::Zero(d));
    return hn::IfThenElse(x > hn::Zero(d), hn::Set(d, 1.0), e);
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>& p) {
    return hn::IfThenElse(y > hn::Zero(d), hn::Set(d, 1.0), hn::Add(y, hn::Set(d, p[fn::Elu::kAlpha])));
  }
};

/// celu(x) = x for x > 0, alpha·expm1(x/alpha) below, with v = x/alpha a pair (the residual
/// x - v·alpha is exact) so the quotient's rounding does not reach the exponential; x itself
/// where |v| < 2^-54. f' = 1 or e^v; from y, y/alpha + 1 = (y + alpha)/alpha with y + alpha an
/// exact pair and one corrected quotient. Valid for every double, alpha > 0 (the registry's range).
template <>
struct F64Lanes<fn::Celu> {
  template <class D>
  static f64::V<D> v_of(D d, f64::V<D> x, f64::V<D> a, f64::V<D>& lo) {
    const f64::V<D> v = hn::Div(x, a);
    lo = hn::IfThenElseZero(hn::IsFinite(v), hn::Div(f64::residual(d, v, a, x), a));
    return v;
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>& p) {
    const f64::V<D> a = hn::Set(d, p[fn::Celu::kAlpha]);
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, a, vl);
    const f64::V<D> neg = f64::scaled_expm1(d, vh, vl, a, hn::Zero(d));
    return hn::IfThenElse(hn::Or(x > hn::Zero(d), f64::expm1_is_identity(d, vh)), x, neg);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>& p) {
    const f64::V<D> a = hn::Set(d, p[fn::Celu::kAlpha]);
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, a, vl);
    const f64::V<D> e = f64::scaled_exp(d, vh, vl, hn::Set(d, 1.0), hn::Zero(d));
    return hn::IfThenElse(x > hn::Zero(d), hn::Set(d, 1.0), e);
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>& p) {
    const f64::V<D> a = hn::Set(d, p[fn::Celu::kAlpha]);
    f64::V<D> sl, corr;
    const f64::V<D> sh = f64::two_sum<D>(y, a, sl);
    const f64::V<D> q = f64::div_pair(d, sh, hn::IfThenElseZero(hn::IsFinite(y), sl), a, hn::Zero(d), corr);
    return hn::IfThenElse(y > hn::Zero(d), hn::Set(d, 1.0), hn::Add(q, hn::IfThenElseZero(hn::IsFinite(q), corr)));
  }
};

/// selu(x) = λx for x > 0, λα·expm1(x) below, λ and λα (the reference's long-double values) as
/// double pairs, each product rounded once; λα·x below 2^-54. f' = λ or λα·e^x; from y, y + λα
/// as y + hi an exact pair plus lo (one rounding). Valid for every double.
template <>
struct F64Lanes<fn::Selu> {
  static constexpr double kLambdaHi = 0x1.0cfabd6a91132p+0, kLambdaLo = 0x1.7p-55;
  static constexpr double kLaHi = 0x1.c212cc640f031p+0, kLaLo = 0x1.06p-56;
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> lh = hn::Set(d, kLaHi), ll = hn::Set(d, kLaLo);
    const f64::V<D> neg = f64::scaled_expm1(d, x, hn::Zero(d), lh, ll);
    const f64::V<D> small = hn::MulAdd(lh, x, hn::Mul(ll, x));
    const f64::V<D> pos = hn::MulAdd(hn::Set(d, kLambdaHi), x, hn::Mul(hn::Set(d, kLambdaLo), x));
    return hn::IfThenElse(x > hn::Zero(d), pos, hn::IfThenElse(f64::expm1_is_identity(d, x), small, neg));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> e = f64::scaled_exp(d, x, hn::Zero(d), hn::Set(d, kLaHi), hn::Set(d, kLaLo));
    return hn::IfThenElse(x > hn::Zero(d), hn::Set(d, kLambdaHi), e);
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>&) {
    f64::V<D> sl;
    const f64::V<D> sh = f64::two_sum<D>(y, hn::Set(d, kLaHi), sl);
    const f64::V<D> neg = hn::Add(sh, hn::IfThenElseZero(hn::IsFinite(y), hn::Add(sl, hn::Set(d, kLaLo))));
    return hn::IfThenElse(y > hn::Zero(d), hn::Set(d, kLambdaHi), neg);
  }
};

/// softplus(x) = (max(z, 0) + log1p(e^-|z|))/beta, z = beta x an exact pair (the reference's
/// form): the sum as a pair, one corrected quotient. Where z > 37 the result is x (e^-z/z <
/// 2^-59); below z = -37 it is e^z/beta (e^z/2 < 2^-54), subnormal tails rounded once.
/// f' = σ(z) (the sigmoid kernel's quotient on the pair); from y, -expm1(-beta y).
/// Valid for every double x, beta > 0, and for y ≥ 0 (softplus's outputs).
template <>
struct F64Lanes<fn::Softplus> {
  template <class D>
  static f64::V<D> z_of(D d, f64::V<D> x, const P<D>& p, f64::V<D>& lo) {
    const f64::V<D> hi = f64::two_prod(d, hn::Set(d, p[fn::Softplus::kBeta]), x, lo);
    lo = hn::IfThenElseZero(hn::IsFinite(hi), lo);
    return hi;
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>& p) {
    const f64::V<D> b = hn::Set(d, p[fn::Softplus::kBeta]);
    f64::V<D> zl, ll, sl, corr;
    const f64::V<D> zh = z_of(d, x, p, zl);
    const f64::V<D> lh = f64::softplus_term(d, zh, zl, ll);
    const auto pos = zh > hn::Zero(d);
    const f64::V<D> sh = f64::two_sum<D>(hn::IfThenElseZero(pos, zh), lh, sl);
    sl = hn::Add(sl, hn::Add(ll, hn::IfThenElseZero(pos, zl)));
    const f64::V<D> y = f64::div_pair(d, sh, sl, b, hn::Zero(d), corr);
    const f64::V<D> mid = hn::Add(y, corr);
    const auto far_neg = zh < hn::Set(d, -37.0);
    const f64::V<D> tail = hn::AllFalse(d, far_neg) ? mid : hn::IfThenElse(far_neg, f64::exp_tail_over(d, zh, zl, b), mid);
    return hn::IfThenElse(zh > hn::Set(d, 37.0), x, tail);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>& p) {
    f64::V<D> zl;
    const f64::V<D> zh = z_of(d, x, p, zl);
    return f64::by_range(d, hn::Neg(hn::Abs(zh)), [&](auto range) {
      const f64::Logistic<D> s = f64::logistic<decltype(range)::value>(d, zh, zl);
      f64::V<D> corr, m;
      const f64::V<D> y = f64::sigmoid_parts(d, s, corr, m);
      return f64::scale<decltype(range)::value>(d, hn::Add(y, corr), m);
    });
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>& p) {
    f64::V<D> vl;
    const f64::V<D> vh = z_of(d, y, p, vl);
    return f64::neg_expm1(d, hn::Neg(vh), hn::Neg(vl));
  }
};

/// log_sigmoid(x) = min(x, 0) - log1p(e^-|x|), the two terms summed as a pair: no cancellation
/// (they have the same sign). Below x = -37 the result is x; above 37 it is -e^-x (subnormal
/// tails rounded once; -0 where it underflows, +0 where the reference's long-double e^-x is 0).
/// f' = σ(-x); from y, -expm1(y). Valid for every double (y ≤ 0 for the slope from y).
template <>
struct F64Lanes<fn::LogSigmoid> {
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> ll, sl;
    const f64::V<D> lh = f64::softplus_term(d, x, hn::Zero(d), ll);
    const f64::V<D> sh = f64::two_sum<D>(hn::Min(x, hn::Zero(d)), hn::Neg(lh), sl);
    const f64::V<D> mid = hn::Sub(sh, hn::Sub(ll, sl));
    const auto far_pos = x > hn::Set(d, 37.0);
    f64::V<D> y = mid;
    if (HWY_UNLIKELY(!hn::AllFalse(d, far_pos))) {
      const f64::V<D> tail = hn::Neg(f64::exp_tail_over(d, x, hn::Zero(d), hn::Set(d, 1.0)));
      const auto reference_zero = x >= hn::Set(d, -f64::kReferenceExpUnderflow);
      y = hn::IfThenElse(far_pos, hn::IfThenElseZero(hn::Not(reference_zero), tail), mid);
    }
    return hn::IfThenElse(x < hn::Set(d, -37.0), x, y);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>& p) {
    return F64Lanes<fn::Sigmoid>::f(d, hn::Neg(x), p);
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>&) {
    return f64::neg_expm1(d, y, hn::Zero(d));
  }
};

/// softsign(x) = x/(1 + |x|) with 1 + |x| an exact pair and one corrected quotient (~0.5 ULP);
/// the sign copied from x (f(-0) = -0) and ±1 at ±inf. f' = r² for r = 1/(1 + |x|) as a pair,
/// the square rounded once, so |x| > 2^511 gives its subnormal value and inf gives 0.
/// Valid for every double.
template <>
struct F64Lanes<fn::Softsign> {
  template <class D>
  static f64::V<D> den(D d, f64::V<D> x, f64::V<D>& lo) {
    return f64::two_sum<D>(hn::Set(d, 1.0), hn::Abs(x), lo);
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> dl, corr;
    const f64::V<D> dh = den(d, x, dl);
    const f64::V<D> y = f64::div_pair(d, hn::Abs(x), hn::Zero(d), dh, dl, corr);
    return hn::CopySign(hn::IfThenElse(hn::IsInf(x), hn::Set(d, 1.0), hn::Add(y, corr)), x);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> dl, r_lo;
    const f64::V<D> dh = den(d, x, dl);
    const f64::V<D> r = f64::div_pair(d, hn::Set(d, 1.0), hn::Zero(d), dh, dl, r_lo);
    return hn::IfThenElseZero(hn::IsFinite(x), hn::MulAdd(r, r, hn::Mul(hn::Add(r, r), r_lo)));
  }
};

/// lecun_tanh(x) = A tanh(2x/3), A = 1.7159 (the reference's long double) as a double pair.
/// v = 2x/3 is a pair (v_hi = x·(2/3)_d, v_lo from the exact residual x - 1.5 v_hi), tanh|v| as
/// y + corr (f64::tanh_abs), A·tanh rounded once; x·(2A/3) below |v| = 2^-27 (tanh v = v to
/// v²/3 < 2^-55). f' = (8A/3)·σ(2|v|)σ(-2|v|) (the logistic slope of the pair 2|v|, tails scaled
/// once); from y, (2/(3A))(A - y)(A + y) with A - y, A + y and their product as pairs, rounded
/// once. Valid for every double.
template <>
struct F64Lanes<fn::LecunTanh> {
  static constexpr double kAHi = 0x1.b74538ef34d6ap+0, kALo = 0x1.62p-56;
  template <class D>
  static f64::V<D> v_of(D d, f64::V<D> x, f64::V<D>& lo) {
    const f64::V<D> c = hn::Set(d, 2.0 / 3.0);
    const f64::V<D> hi = hn::Mul(x, c);
    lo = hn::IfThenElseZero(hn::IsFinite(hi), hn::Mul(f64::residual(d, hi, hn::Set(d, 1.5), x), c));
    return hi;
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> vl, corr;
    const f64::V<D> vh = v_of(d, x, vl);
    const f64::V<D> al_abs = hn::IfThenElse(vh < hn::Zero(d), hn::Neg(vl), vl);  // |v|'s low part
    const f64::V<D> th = f64::tanh_abs(d, hn::Abs(vh), al_abs, corr);
    const f64::V<D> big = hn::CopySign(f64::mul_pair(d, hn::Set(d, kAHi), hn::Set(d, kALo), th, corr), x);
    // Below |v| = 2^-27: f = x·(2A/3), the pair product rounded once, on x·2^54 so that no
    // partial product underflows (v itself would lose the bits of a subnormal x), then scaled
    // back: exact unless the result is subnormal. f(±0) = ±0.
    const f64::V<D> xs = hn::Mul(x, hn::Set(d, 0x1p54));
    const f64::V<D> ss = f64::mul_pair(d, hn::Set(d, 0x1.24d8d09f788f1p+0), hn::Set(d, 0x1.9055555555555p-54), xs, hn::Zero(d));
    const f64::V<D> small = hn::CopySign(hn::Mul(ss, hn::Set(d, 0x1p-54)), x);
    return hn::IfThenElse(hn::Abs(vh) < hn::Set(d, 0x1p-27), small, big);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, vl);
    return f64::scaled_sech2(d, vh, vl, hn::Set(d, 0x1.24d8d09f788f1p+0), hn::Set(d, 0x1.9055555555555p-54));
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>&) {
    const f64::V<D> ah = hn::Set(d, kAHi), al = hn::Set(d, kALo);
    f64::V<D> ml, pl, ql;
    const f64::V<D> mh = f64::two_sum<D>(ah, hn::Neg(y), ml);
    const f64::V<D> ph = f64::two_sum<D>(ah, y, pl);
    const f64::V<D> qh = f64::two_prod(d, mh, ph, ql);
    ql = hn::Add(ql, hn::MulAdd(mh, hn::Add(pl, al), hn::Mul(hn::Add(ml, al), ph)));
    const f64::V<D> r = f64::mul_pair(d, hn::Set(d, 0x1.8dd8fb2943033p-2), hn::Set(d, 0x1.088cd95021c4ap-62), qh, ql);
    return hn::IfThenElse(hn::IsFinite(y), r, hn::Mul(hn::Set(d, 0x1.8dd8fb2943033p-2), hn::Mul(mh, ph)));
  }
};

/// hardswish(x) = x (x + 3)/6 on (-3, 3), 0 at and below -3, x at and above 3 (fn::Hardswish).
/// s = x + 3 as an exact pair (Fast2Sum: |x| < 3 where it is used), p = x·s as a pair, then
/// p·(1/6) with 1/6 as a double pair and one final rounding (~0.5 ULP; subnormal x loses p's
/// low part, a few units of 2^-1074). Zeros: f(±0) = ±0 and +0 at and below -3, as the
/// reference's; the blends drop the lanes where x·s overflows, so it is valid for every double.
/// f' = (x + 3/2)/3 on [-3, 3] with x + 3/2 a pair and 1/3 a pair, rounded once; 0 below -3 and
/// 1 above (at ±3 the reference's -1/2, 3/2).
template <>
struct F64Lanes<fn::Hardswish> {
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> three = hn::Set(d, 3.0);
    f64::V<D> sl, pl;
    const f64::V<D> sh = f64::fast_two_sum<D>(three, x, sl);
    const f64::V<D> ph = f64::two_prod(d, x, sh, pl);
    pl = hn::MulAdd(x, sl, pl);
    const f64::V<D> mid = f64::mul_pair(d, ph, pl, hn::Set(d, 0x1.5555555555555p-3), hn::Set(d, 0x1.5555555555555p-57));
    // f has x's sign on (-3, 3); at x = -0 the sum above would be -0 + +0 = +0.
    return hn::IfThenElse(x >= three, x, hn::IfThenElseZero(x > hn::Neg(three), hn::CopySign(mid, x)));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> three = hn::Set(d, 3.0);
    f64::V<D> tl;
    const f64::V<D> th = f64::two_sum<D>(x, hn::Set(d, 1.5), tl);
    const f64::V<D> mid = f64::mul_pair(d, th, tl, hn::Set(d, 0x1.5555555555555p-2), hn::Set(d, 0x1.5555555555555p-56));
    return hn::IfThenElse(x > three, hn::Set(d, 1.0), hn::IfThenElseZero(x >= hn::Neg(three), mid));
  }
};

/// squareplus(x) = (x + h)/2, h = sqrt(x² + b), and b/(2(h - x)) for x < 0, where x + h would
/// cancel (the reference's split). x² + b is a pair (x² exact, then TwoSum) and h = s + s_lo its
/// corrected square root (s_lo from the exact residual of s²), so each branch rounds once: the
/// halved pair sum, or one corrected quotient. f' = f/h for every x ((1 + x/h)/2 = (x + h)/(2h),
/// b/(2h(h - x)) likewise) from the pairs, one corrected quotient. Above |x| = 2^500 the b/x²
/// terms are below 2^-1000 relative: f = x or (b/4)/|x|, f' = 1 or ((b/4)/|x|)/|x| (so ±inf give
/// inf, +0 and 1, 0). From y (y ≥ 0): y²/(y² + b/4) with y² and the sum as pairs; 1 above 2^500
/// (NaN at y = inf, the reference's inf/inf) and y·(y/(b/4)) below 2^-500, where y² would leave
/// the normal range.
/// Valid for every double x, b > 0 normal.
template <>
struct F64Lanes<fn::Squareplus> {
  static constexpr double kBig = 0x1p500;
  /// h = sqrt(x² + b) as hi + lo (for |x| ≤ 2^500).
  template <class D>
  static f64::V<D> h_of(D d, f64::V<D> x, f64::V<D> b, f64::V<D>& lo) {
    f64::V<D> ql, sl;
    const f64::V<D> qh = f64::two_prod(d, x, x, ql);
    const f64::V<D> sh = f64::two_sum<D>(qh, b, sl);
    sl = hn::Add(sl, ql);
    const f64::V<D> h = hn::Sqrt(sh);
    lo = hn::Div(hn::Add(f64::residual(d, h, h, sh), sl), hn::Add(h, h));
    return h;
  }
  /// f as fh + fl, and h as h + hl, for |x| ≤ 2^500 (other lanes: finite garbage or NaN, blended away).
  template <class D>
  static f64::V<D> parts(D d, f64::V<D> x, f64::V<D> b, f64::V<D>& fl, f64::V<D>& h, f64::V<D>& hl) {
    const f64::V<D> xm = hn::IfThenElse(hn::Abs(x) <= hn::Set(d, kBig), x, hn::Zero(d));
    h = h_of(d, xm, b, hl);
    f64::V<D> tl, dl, corr;
    const f64::V<D> th = f64::two_sum<D>(xm, h, tl);
    const f64::V<D> half = hn::Set(d, 0.5);
    f64::V<D> pl;
    const f64::V<D> ph = f64::fast_two_sum<D>(th, hn::Add(tl, hl), pl);
    const f64::V<D> dh = f64::two_sum<D>(h, hn::Abs(xm), dl);
    const f64::V<D> q = f64::div_pair(d, b, hn::Zero(d), hn::Add(dh, dh), hn::Add(hn::Add(dl, hl), hn::Add(dl, hl)), corr);
    const auto pos = xm >= hn::Zero(d);
    fl = hn::IfThenElse(pos, hn::Mul(pl, half), corr);
    return hn::IfThenElse(pos, hn::Mul(ph, half), q);
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>& p) {
    const f64::V<D> b = hn::Set(d, p[fn::Squareplus::kB]);
    f64::V<D> fl, h, hl;
    const f64::V<D> fh = parts(d, x, b, fl, h, hl);
    const f64::V<D> far = hn::IfThenElse(x > hn::Zero(d), x, hn::Div(hn::Mul(b, hn::Set(d, 0.25)), hn::Abs(x)));
    return hn::IfThenElse(hn::Abs(x) > hn::Set(d, kBig), far, hn::Add(fh, fl));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>& p) {
    const f64::V<D> b = hn::Set(d, p[fn::Squareplus::kB]);
    f64::V<D> fl, h, hl, corr;
    const f64::V<D> fh = parts(d, x, b, fl, h, hl);
    const f64::V<D> g = f64::div_pair(d, fh, fl, h, hl, corr);
    const f64::V<D> a = hn::Abs(x);
    const f64::V<D> far = hn::IfThenElse(x > hn::Zero(d), hn::Set(d, 1.0), hn::Div(hn::Div(hn::Mul(b, hn::Set(d, 0.25)), a), a));
    return hn::IfThenElse(a > hn::Set(d, kBig), far, hn::Add(g, corr));
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>& p) {
    const f64::V<D> b4 = hn::Mul(hn::Set(d, p[fn::Squareplus::kB]), hn::Set(d, 0.25));
    const f64::V<D> a = hn::Abs(y);
    const f64::V<D> ym = hn::IfThenElse(a <= hn::Set(d, kBig), y, hn::Zero(d));
    f64::V<D> ql, sl, corr;
    const f64::V<D> qh = f64::two_prod(d, ym, ym, ql);
    const f64::V<D> sh = f64::two_sum<D>(qh, b4, sl);
    const f64::V<D> g = f64::div_pair(d, qh, ql, sh, hn::Add(sl, ql), corr);
    const f64::V<D> tiny = hn::Mul(y, hn::Div(y, b4));
    // y = inf: inf/inf as in the reference (NaN).
    const f64::V<D> far = hn::IfThenElse(hn::IsFinite(y), hn::Set(d, 1.0), hn::Sub(y, y));
    return hn::IfThenElse(a > hn::Set(d, kBig), far, hn::IfThenElse(a < hn::Set(d, 0x1p-500), tiny, hn::Add(g, corr)));
  }
};

/// tanhshrink(x) = x - tanh x. For |x| ≤ 3/4, where the difference cancels, x³P(x²) with
/// P(w) = (v - tanh v)/v³ = 1/3 - 2w/15 + w²R(w): 1/3 and -2/15 as double pairs, R a degree-12
/// fit (this project's own, scripts/fits/tanhshrink.py 12 0.5625: interpolation at 13 Chebyshev
/// nodes of w ∈ [0, 9/16]; with its coefficients rounded to double, w²R is within 2^-57.3 of P
/// relative), and x³
/// and P carried as pairs, so only R's own rounding (≤ 5% of P) and the final product round.
/// Below 2^-300 (x³ near or below the subnormal range) f = x³/3 on x·2^300, scaled back once.
/// Above 3/4, |x| - tanh|x| with tanh a pair (f64::tanh_abs; x - tanh x ≥ 0.15 x there), the
/// sign of x copied (f(±0) = ±0, ±inf at ±inf). f' = tanh²x, the pair squared and rounded once;
/// x² below 2^-27. Valid for every double.
template <>
struct F64Lanes<fn::Tanhshrink> {
  static constexpr double kR[] = {
      0x1.ba1ba1ba1ba1bp-5,  -0x1.664f4882c0fbcp-6, 0x1.226e355e5c9b9p-7,  -0x1.d6d3d0d7caa28p-9,
      0x1.7da362cad6afcp-10, -0x1.3557fefb07888p-11, 0x1.f578d49e53339p-13, -0x1.964ca2a4e326bp-14,
      0x1.481075cf14918p-15, -0x1.03b926c1b65adp-16, 0x1.7c3c60b9fd358p-18, -0x1.bb0a149d1ae35p-20,
      0x1.21654427ec679p-22};
  static constexpr double kThirdHi = 0x1.5555555555555p-2, kThirdLo = 0x1.5555555555555p-56;
  static constexpr double kC1Hi = -0x1.1111111111111p-3, kC1Lo = -0x1.1111111111111p-59;
  /// |x|³P(x²) for |x| ≤ 3/4 (a = |x| ≥ 2^-300).
  template <class D>
  static f64::V<D> central(D d, f64::V<D> a) {
    f64::V<D> wl;
    const f64::V<D> wh = f64::two_prod(d, a, a, wl);
    constexpr std::size_t kN = sizeof(kR) / sizeof(kR[0]);
    f64::V<D> r = hn::Set(d, kR[kN - 1]);
    for (std::size_t i = kN - 1; i-- > 0;) r = hn::MulAdd(r, wh, hn::Set(d, kR[i]));
    // s = -2/15 + w R, then P = 1/3 + w s, both as pairs.
    f64::V<D> sl;
    const f64::V<D> sh = f64::fast_two_sum<D>(hn::Set(d, kC1Hi), hn::Mul(wh, r), sl);
    sl = hn::Add(sl, hn::MulAdd(wl, r, hn::Set(d, kC1Lo)));
    f64::V<D> ml, pl;
    const f64::V<D> mh = f64::two_prod(d, wh, sh, ml);
    ml = hn::Add(ml, hn::MulAdd(wh, sl, hn::Mul(wl, sh)));
    const f64::V<D> ph = f64::fast_two_sum<D>(hn::Set(d, kThirdHi), mh, pl);
    pl = hn::Add(pl, hn::Add(ml, hn::Set(d, kThirdLo)));
    f64::V<D> cl;
    const f64::V<D> ch = f64::two_prod(d, a, wh, cl);
    cl = hn::MulAdd(a, wl, cl);
    return f64::mul_pair(d, ch, cl, ph, pl);
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> a = hn::Abs(x);
    f64::V<D> corr;
    const f64::V<D> t = f64::tanh_abs(d, a, hn::Zero(d), corr);
    f64::V<D> bl;
    const f64::V<D> bh = f64::two_sum<D>(a, hn::Neg(t), bl);
    const f64::V<D> big = hn::Add(bh, hn::IfThenElseZero(hn::IsFinite(bh), hn::Sub(bl, corr)));
    const auto tiny = a < hn::Set(d, 0x1p-300);
    const f64::V<D> mid = central(d, hn::IfThenElse(tiny, hn::Set(d, 1.0), a));
    // x³/3 on a·2^300 (cubed: 2^900, a normal double), scaled back by 2^-900 with one rounding.
    const f64::V<D> as = hn::Mul(a, hn::Set(d, 0x1p300));
    f64::V<D> wl, cl;
    const f64::V<D> wh = f64::two_prod(d, as, as, wl);
    const f64::V<D> ch = f64::two_prod(d, as, wh, cl);
    cl = hn::MulAdd(as, wl, cl);
    const f64::V<D> small = hn::Mul(f64::mul_pair(d, ch, cl, hn::Set(d, kThirdHi), hn::Set(d, kThirdLo)), hn::Set(d, 0x1p-900));
    const f64::V<D> y = hn::IfThenElse(a > hn::Set(d, 0.75), big, hn::IfThenElse(tiny, small, mid));
    return hn::CopySign(y, x);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> corr;
    const f64::V<D> t = f64::tanh_abs(d, hn::Abs(x), hn::Zero(d), corr);
    return hn::IfThenElse(hn::Abs(x) < hn::Set(d, 0x1p-27), hn::Mul(x, x), f64::mul_pair(d, t, corr, t, corr));
  }
};

/// shifted_tanh(x) = tanh(v) + output_shift, v = x - input_shift as an exact pair (TwoSum), so
/// the kernel sees the true argument even where x ≈ input_shift: tanh|v| as y + corr
/// (f64::tanh_abs on the pair), v itself below |v| = 2^-27, then the output shift added as a pair
/// and rounded once. Where output_shift ≈ -tanh(v) the sum cancels in the truth's own definition
/// too: certified (tests) only for shifts without such a zero (|output_shift| > 1, or 0).
/// f' = sech²v = 4σ(2|v|)σ(-2|v|) on the pair (the logistic slope, tails scaled once); 0 at ±inf.
/// Valid for every double x and finite shifts.
template <>
struct F64Lanes<fn::ShiftedTanh> {
  template <class D>
  static f64::V<D> v_of(D d, f64::V<D> x, const P<D>& p, f64::V<D>& lo) {
    const f64::V<D> hi = f64::two_sum<D>(x, hn::Set(d, -p[fn::ShiftedTanh::kInputShift]), lo);
    lo = hn::IfThenElseZero(hn::IsFinite(hi), lo);
    return hi;
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>& p) {
    f64::V<D> vl, corr;
    const f64::V<D> vh = v_of(d, x, p, vl);
    const auto neg = vh < hn::Zero(d);
    const f64::V<D> th = f64::tanh_abs(d, hn::Abs(vh), hn::IfThenElse(neg, hn::Neg(vl), vl), corr);
    // tanh v as a pair with v's sign; v itself where tanh v = v - v³/3 is v to 2^-55.
    const auto tiny = hn::Abs(vh) < hn::Set(d, 0x1p-27);
    const f64::V<D> t_hi = hn::IfThenElse(tiny, vh, hn::CopySign(th, vh));
    const f64::V<D> t_lo = hn::IfThenElse(tiny, vl, hn::IfThenElse(neg, hn::Neg(corr), corr));
    f64::V<D> sl;
    const f64::V<D> sh = f64::two_sum<D>(t_hi, hn::Set(d, p[fn::ShiftedTanh::kOutputShift]), sl);
    return hn::Add(sh, hn::Add(sl, t_lo));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>& p) {
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, p, vl);
    return f64::scaled_sech2(d, vh, vl, hn::Set(d, 1.0), hn::Zero(d));
  }
};

/// generalized_sigmoid(x) = alpha σ(u) + delta, u = gamma (x - epsilon) - ln beta (gamma = 0:
/// u = -ln beta, also at x = ±inf; the reference's form). Per call (prepare): ln beta in long
/// double as a double pair, alpha·gamma as an exact pair. u is a pair: x - epsilon by TwoSum, the
/// product with gamma exact to 2^-104, ln beta subtracted as a pair; σ(u) = (y + corr)·2^m (the
/// sigmoid kernel's corrected quotient), alpha σ(u) a pair scaled by 2^m, delta added by TwoSum,
/// one rounding. Where delta ≈ -alpha σ(u) the sum cancels in the truth's definition too:
/// certified (tests) for delta = 0 and for |delta| > |alpha|. f' = (alpha gamma)·σ(u)σ(-u), the
/// logistic slope on the pair (tails scaled once), two roundings. Valid for every double x and
/// finite parameters, beta > 0.
template <>
struct F64Lanes<fn::GeneralizedSigmoid> {
  struct Prepared {
    fn::Params<double> p;
    double log_beta_hi, log_beta_lo;  // ln beta
    double ag_hi, ag_lo;              // alpha·gamma
  };
  static Prepared prepare(const fn::Params<double>& p) {
    const long double log_beta = std::log(static_cast<long double>(p[fn::GeneralizedSigmoid::kBeta]));
    const double lb = static_cast<double>(log_beta), ag = p[fn::GeneralizedSigmoid::kAlpha] * p[fn::GeneralizedSigmoid::kGamma];
    return {.p = p,
            .log_beta_hi = lb,
            .log_beta_lo = static_cast<double>(log_beta - lb),
            .ag_hi = ag,
            .ag_lo = std::isfinite(ag) ? std::fma(p[fn::GeneralizedSigmoid::kAlpha], p[fn::GeneralizedSigmoid::kGamma], -ag) : 0.0};
  }
  template <class D>
  static f64::V<D> u_of(D d, f64::V<D> x, const Prepared& c, f64::V<D>& lo) {
    f64::V<D> sh = hn::Zero(d), sl = hn::Zero(d);
    if (c.p[fn::GeneralizedSigmoid::kGamma] != 0.0) {
      f64::V<D> tl, pl;
      const f64::V<D> g = hn::Set(d, c.p[fn::GeneralizedSigmoid::kGamma]);
      const f64::V<D> th = f64::two_sum<D>(x, hn::Set(d, -c.p[fn::GeneralizedSigmoid::kEpsilon]), tl);
      sh = f64::two_prod(d, g, th, pl);
      sl = hn::IfThenElseZero(hn::IsFinite(sh), hn::MulAdd(g, tl, pl));
    }
    f64::V<D> ul;
    const f64::V<D> uh = f64::two_sum<D>(sh, hn::Set(d, -c.log_beta_hi), ul);
    lo = hn::IfThenElseZero(hn::IsFinite(uh), hn::Add(ul, hn::Sub(sl, hn::Set(d, c.log_beta_lo))));
    return uh;
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const Prepared& c) {
    f64::V<D> ul;
    const f64::V<D> uh = u_of(d, x, c, ul);
    return f64::by_range(d, uh, [&](auto range) {
      const f64::Logistic<D> s = f64::logistic<decltype(range)::value>(d, uh, ul);
      f64::V<D> corr, m, pl;
      const f64::V<D> y = f64::sigmoid_parts(d, s, corr, m);
      const f64::V<D> a = hn::Set(d, c.p[fn::GeneralizedSigmoid::kAlpha]);
      const f64::V<D> ph = f64::two_prod(d, a, y, pl);
      pl = hn::MulAdd(a, corr, pl);
      const f64::V<D> qh = f64::scale<decltype(range)::value>(d, ph, m);
      const f64::V<D> ql = f64::scale<decltype(range)::value>(d, pl, m);
      f64::V<D> rl;
      const f64::V<D> rh = f64::two_sum<D>(qh, hn::Set(d, c.p[fn::GeneralizedSigmoid::kDelta]), rl);
      return hn::Add(rh, hn::Add(rl, ql));
    });
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const Prepared& c) {
    f64::V<D> ul;
    const f64::V<D> uh = u_of(d, x, c, ul);
    return f64::by_range(d, hn::Neg(hn::Abs(uh)), [&](auto range) {
      const f64::Logistic<D> s = f64::logistic<decltype(range)::value>(d, uh, ul);
      const f64::V<D> g = f64::logistic_slope_unscaled(d, s);
      // σσ' ≥ 0, so the sign is alpha·gamma's, also where the slope underflows to a zero.
      const f64::V<D> ag = hn::Set(d, c.ag_hi);
      const f64::V<D> k = hn::CopySign(hn::MulAdd(ag, g, hn::Mul(hn::Set(d, c.ag_lo), g)), ag);
      return f64::scale<decltype(range)::value>(d, k, s.e.n);
    });
  }
};

/// telu(x) = x tanh(u), u = e^x: u as a pair (exp_pair for x ≤ 0; 1/e^-x, one corrected quotient,
/// above), x clamped at 20 (tanh(e^20) is 1 in f64), tanh u as a pair (f64::tanh_abs), the product
/// with x rounded once. Below x = -20, where tanh u = u to 2^-59, f = x e^x, subnormal tails
/// rounded once; the sign is x's (f(-0) = -0, -0 far down). f' = tanh u + 4x u σ(2u)σ(-2u)
/// (x u sech²u; the logistic slope, never 1 - tanh²), both terms pairs and one rounding; below -20
/// f' = e^x (1 + x); next to its zero x0 = -1.078860058464624 the fit TeluSlopeFit (degree 12, Q's
/// relative error 2^-58.7). Zeros: f' is -0 where it underflows, +0 where the reference's
/// long-double e^x is 0. Limits: f(±inf) = +inf, -0; f'(±inf) = 1, 0. Valid for every double.
template <>
struct F64Lanes<fn::Telu> {
  /// e^x as hi + lo for x ∈ [-20, 20].
  template <class D>
  static f64::V<D> u_of(D d, f64::V<D> x, f64::V<D>& lo) {
    const f64::Exp<D> e = f64::exp_pair<f64::Range::kNormal>(d, hn::Neg(hn::Abs(x)), hn::Zero(d));
    f64::V<D> corr;
    const f64::V<D> inv = f64::div_pair(d, hn::Set(d, 1.0), hn::Zero(d), e.hi, e.lo, corr);
    const f64::V<D> up = f64::pow2(d, hn::Neg(e.n));  // 2^-n ≤ 2^29
    const auto pos = x > hn::Zero(d);
    lo = hn::IfThenElse(pos, hn::Mul(corr, up), hn::Mul(e.lo, e.unit));
    return hn::IfThenElse(pos, hn::Mul(inv, up), hn::Mul(e.hi, e.unit));
  }
  template <class D>
  static f64::V<D> clamped(D d, f64::V<D> x) {
    return hn::Min(hn::Max(x, hn::Set(d, -20.0)), hn::Set(d, 20.0));
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> xc = clamped(d, x);
    f64::V<D> ul, corr;
    const f64::V<D> uh = u_of(d, xc, ul);
    const f64::V<D> t = f64::tanh_abs(d, uh, ul, corr);
    f64::V<D> y = f64::mul_pair(d, x, hn::Zero(d), t, corr);
    const auto tail = x < hn::Set(d, -20.0);
    if (HWY_UNLIKELY(!hn::AllFalse(d, tail))) {
      y = hn::IfThenElse(tail, f64::scaled_exp(d, x, hn::Zero(d), x, hn::Zero(d)), y);
    }
    y = hn::CopySign(y, x);  // tanh u > 0
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElse(x > hn::Zero(d), x, hn::Set(d, -0.0)), y);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> xc = clamped(d, x);
    f64::V<D> ul, tl;
    const f64::V<D> uh = u_of(d, xc, ul);
    const f64::V<D> th = f64::tanh_abs(d, uh, ul, tl);
    // 4x u as a pair, times σ(w)σ(-w) for w = 2u as a pair, then scaled by w's 2^n.
    const f64::V<D> wh = hn::Mul(hn::Set(d, 2.0), uh), wl = hn::Mul(hn::Set(d, 2.0), ul);
    f64::V<D> bl;
    const f64::V<D> bh = f64::by_range(d, hn::Neg(wh), [&](auto range) {
      const f64::Logistic<D> s = f64::logistic<decltype(range)::value>(d, wh, wl);
      f64::V<D> r_lo, small, small_lo, gl, cl, pl;
      const f64::V<D> r = f64::logistic_halves(d, s, r_lo, small, small_lo);
      const f64::V<D> gh = f64::two_prod(d, small, r, gl);
      gl = hn::Add(gl, hn::MulAdd(small, r_lo, hn::Mul(small_lo, r)));
      const f64::V<D> x4 = hn::Mul(hn::Set(d, 4.0), xc);
      const f64::V<D> ch = f64::two_prod(d, x4, uh, cl);
      cl = hn::MulAdd(x4, ul, cl);
      const f64::V<D> ph = f64::two_prod(d, ch, gh, pl);
      pl = hn::Add(pl, hn::MulAdd(ch, gl, hn::Mul(cl, gh)));
      bl = f64::scale<decltype(range)::value>(d, pl, s.e.n);
      return f64::scale<decltype(range)::value>(d, ph, s.e.n);
    });
    f64::V<D> sl;
    const f64::V<D> sh = f64::two_sum<D>(th, bh, sl);
    f64::V<D> g = hn::Add(sh, hn::Add(sl, hn::Add(tl, bl)));
    f64::V<D> t0;
    const f64::V<D> near = f64::near_zero<TeluSlopeFit>(d, x, hn::Zero(d), t0);
    g = hn::IfThenElse(hn::Abs(t0) <= hn::Set(d, TeluSlopeFit::kHalfWidth), near, g);
    const auto tail = x < hn::Set(d, -20.0);
    if (HWY_UNLIKELY(!hn::AllFalse(d, tail))) {
      // e^x (1 + x), 1 + x an exact pair; the sign is -, or + where the reference's e^x is 0.
      f64::V<D> ml;
      const f64::V<D> mh = f64::two_sum<D>(hn::Set(d, 1.0), x, ml);
      const f64::V<D> far = f64::scaled_exp(d, x, hn::Zero(d), mh, hn::IfThenElseZero(hn::IsFinite(mh), ml));
      const auto reference_zero = x <= hn::Set(d, f64::kReferenceExpUnderflow);
      g = hn::IfThenElse(tail, hn::IfThenElse(reference_zero, hn::Abs(far), hn::Neg(hn::Abs(far))), g);
    }
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElseZero(x > hn::Zero(d), hn::Set(d, 1.0)), g);
  }
  /// f' near x0 (scripts/fits/near_zero.py telu 12 0.125).
  struct TeluSlopeFit {
    static constexpr double kHalfWidth = 0.125;
    static constexpr double kZeroHi = -0x1.14302c3c10f30p+0, kZeroLo = -0x1.b8c761c7b1289p-54;
    static constexpr double kC0Hi = 0x1.68f6b660942b4p-2, kC0Lo = -0x1.accdac615c81ep-57;
    static constexpr double kR[] = {0x1.4d0848bbb42d2p-2,  0x1.b9cbc0b27eec1p-4,  -0x1.76ccc7f75d22ep-6,
                                    -0x1.75ed50eb6a6f2p-5, -0x1.a1972d506d17ep-6, -0x1.70f433c71dd7ep-8,
                                    0x1.6b4739a9b38c3p-9,  0x1.bdae45a1892ffp-9,  0x1.b44080a4643b1p-10,
                                    0x1.3cff62e2ac222p-12, -0x1.a76410f18b68fp-13, -0x1.bdf3a294608c0p-13,
                                    -0x1.901262d38fdbap-14};
  };
};

/// mish(x) = x t, t = tanh(softplus(x)), in the reference's rational form: t = n/(n + 2) with
/// n = e(e + 2), e = e^x, for x ≤ 0, and (1 + 2e)/(1 + 2e + 2e²) with e = e^-x above (x clamped
/// at 40, where t is 1 in f64); every sum, product and the corrected quotient as pairs, x t rounded
/// once. Below x = -37, where t = e to 2^-54, f = x e^x, subnormal tails rounded once; the sign is
/// x's. f' = t + x σ(x)(1 - t²): x σ(x)(1 - t²) = 4x K with K = (n + 1)e/((n + 2)²(1 + e)) below 0
/// and e²(1 + e)/(1 + 2e + 2e²)² above, as pairs, one rounding for the sum; below -37
/// f' = e^x (1 + x); next to its zero x0 = -1.1924312145154952 the fit MishSlopeFit (degree 12,
/// Q's relative error 2^-58.9). Zeros: f' is -0 where it underflows, +0 where the reference's
/// long-double e^x is 0. Limits: f(±inf) = +inf, -0; f'(±inf) = 1, 0. Valid for every double.
template <>
struct F64Lanes<fn::Mish> {
  /// t as th + tl and K as kh + kl for the clamped x ∈ [-37, 40].
  template <class D>
  static f64::V<D> parts(D d, f64::V<D> x, f64::V<D>& tl, f64::V<D>& kh, f64::V<D>& kl) {
    const f64::V<D> one = hn::Set(d, 1.0), two = hn::Set(d, 2.0);
    const f64::Exp<D> e = f64::exp_pair<f64::Range::kNormal>(d, hn::Neg(hn::Abs(x)), hn::Zero(d));
    const f64::V<D> eh = hn::Mul(e.hi, e.unit), el = hn::Mul(e.lo, e.unit);
    f64::V<D> ol;  // 1 + e
    const f64::V<D> oh = f64::fast_two_sum<D>(one, eh, ol);
    ol = hn::Add(ol, el);
    // x ≤ 0: n = e(e + 2), t = n/(n + 2), K = (n + 1)/(n + 2)² · e/(1 + e).
    f64::V<D> al, nl, ml, pl, ql, nt_c, r_c, s_c, k1l;
    const f64::V<D> ah = f64::fast_two_sum<D>(two, eh, al);
    const f64::V<D> nh = f64::pair_product(d, eh, el, ah, hn::Add(al, el), nl);
    const f64::V<D> mh = f64::two_sum<D>(two, nh, ml);
    ml = hn::Add(ml, nl);
    const f64::V<D> ph = f64::two_sum<D>(one, nh, pl);
    pl = hn::Add(pl, nl);
    const f64::V<D> nt = f64::div_pair(d, nh, nl, mh, ml, nt_c);
    const f64::V<D> qh = f64::pair_product(d, mh, ml, mh, ml, ql);
    const f64::V<D> r = f64::div_pair(d, ph, pl, qh, ql, r_c);
    const f64::V<D> sg = f64::div_pair(d, eh, el, oh, ol, s_c);
    const f64::V<D> k1h = f64::pair_product(d, r, r_c, sg, s_c, k1l);
    // x > 0: t = (1 + 2e)/(1 + 2e + 2e²), K = e²(1 + e)/(1 + 2e + 2e²)².
    f64::V<D> ul, wl, dl, pt_c, vl, zl, k2l;
    const f64::V<D> uh = f64::fast_two_sum<D>(one, hn::Mul(two, eh), ul);
    ul = hn::MulAdd(two, el, ul);
    const f64::V<D> wh = f64::pair_product(d, eh, el, eh, el, wl);
    const f64::V<D> dh = f64::fast_two_sum<D>(uh, hn::Mul(two, wh), dl);
    dl = hn::Add(dl, hn::MulAdd(two, wl, ul));
    const f64::V<D> pt = f64::div_pair(d, uh, ul, dh, dl, pt_c);
    const f64::V<D> vh = f64::pair_product(d, wh, wl, oh, ol, vl);
    const f64::V<D> zh = f64::pair_product(d, dh, dl, dh, dl, zl);
    f64::V<D> k2c;
    const f64::V<D> k2h = f64::div_pair(d, vh, vl, zh, zl, k2c);
    k2l = k2c;
    const auto pos = x > hn::Zero(d);
    tl = hn::IfThenElse(pos, pt_c, nt_c);
    kh = hn::IfThenElse(pos, k2h, k1h);
    kl = hn::IfThenElse(pos, k2l, k1l);
    return hn::IfThenElse(pos, pt, nt);
  }
  template <class D>
  static f64::V<D> clamped(D d, f64::V<D> x) {
    return hn::Min(hn::Max(x, hn::Set(d, -37.0)), hn::Set(d, 40.0));
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> tl, kh, kl;
    const f64::V<D> t = parts(d, clamped(d, x), tl, kh, kl);
    f64::V<D> y = f64::mul_pair(d, x, hn::Zero(d), t, tl);
    const auto far = x < hn::Set(d, -37.0);
    if (HWY_UNLIKELY(!hn::AllFalse(d, far))) y = hn::IfThenElse(far, f64::scaled_exp(d, x, hn::Zero(d), x, hn::Zero(d)), y);
    y = hn::CopySign(y, x);  // t > 0
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElse(x > hn::Zero(d), x, hn::Set(d, -0.0)), y);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> xc = clamped(d, x);
    f64::V<D> tl, kh, kl, bl, sl;
    const f64::V<D> t = parts(d, xc, tl, kh, kl);
    const f64::V<D> x4 = hn::Mul(hn::Set(d, 4.0), xc);
    const f64::V<D> bh = f64::pair_product(d, x4, hn::Zero(d), kh, kl, bl);
    const f64::V<D> sh = f64::two_sum<D>(t, bh, sl);
    f64::V<D> g = hn::Add(sh, hn::Add(sl, hn::Add(tl, bl)));
    f64::V<D> t0;
    const f64::V<D> near = f64::near_zero<MishSlopeFit>(d, x, hn::Zero(d), t0);
    g = hn::IfThenElse(hn::Abs(t0) <= hn::Set(d, MishSlopeFit::kHalfWidth), near, g);
    const auto far = x < hn::Set(d, -37.0);
    if (HWY_UNLIKELY(!hn::AllFalse(d, far))) {
      f64::V<D> ml;
      const f64::V<D> mh = f64::two_sum<D>(hn::Set(d, 1.0), x, ml);
      const f64::V<D> e1 = hn::Abs(f64::scaled_exp(d, x, hn::Zero(d), mh, hn::IfThenElseZero(hn::IsFinite(mh), ml)));
      // Negative, or +0 where the reference's e^x is 0.
      const auto reference_zero = x <= hn::Set(d, f64::kReferenceExpUnderflow);
      g = hn::IfThenElse(far, hn::IfThenElse(reference_zero, e1, hn::Neg(e1)), g);
    }
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElseZero(x > hn::Zero(d), hn::Set(d, 1.0)), g);
  }
  /// f' near x0 (scripts/fits/near_zero.py mish 12 0.125).
  struct MishSlopeFit {
    static constexpr double kHalfWidth = 0.125;
    static constexpr double kZeroHi = -0x1.31432c0d12d84p+0, kZeroLo = -0x1.bf319154da210p-55;
    static constexpr double kC0Hi = 0x1.115acb42500bbp-2, kC0Lo = 0x1.1ad72de557d4cp-56;
    static constexpr double kR[] = {0x1.a34a251d8ad7bp-3,  0x1.574f121a868dbp-5,  -0x1.4c222fe64d4fbp-6,
                                    -0x1.03369d4ac90e1p-6, -0x1.b87ddfb51b741p-9, 0x1.1e5e1849dd131p-10,
                                    0x1.03799182b0f46p-10, 0x1.0a795596a44a8p-12, -0x1.5fffa047ae71bp-15,
                                    -0x1.d455f4203a84ep-15, -0x1.223be7f0c640cp-16, 0x1.0b9cb658da5ebp-20,
                                    0x1.8695d58303b14p-19};
  };
};

/// GELU, erf form: f = x Φ(x), f' = Φ(x) + x φ(x), through the upper tail Q(a) = Φ(-a) = φ(a) M(a)
/// (a = |x|, M Mills' ratio), so Φ(x) = Q(a) below 0 and 1 - Q(a) above, never 1 - something
/// small in the negative tail. φ(a) = e^(-a²/2)/√(2π) with a² an exact pair (exp_pair's argument
/// error would otherwise be a²·2^-53 relative); M as a pair: on a ≤ 16, M = t P(t - 0.6) with
/// t = 4/(4 + a) a corrected quotient and P of degree 24 (scripts/fits/mills.py 24 4: its first four
/// coefficients as pairs, Horner steps as pairs; relative error 2^-61), above 16 the asymptotic
/// series (1/a)(1 - w + 3w² - ... + 316234143225 w¹²), w = 1/a² (truncation ≤ 2^-58 at a = 16).
/// f = x Q (x < 0, tails subnormal rounded once) or x (1 - Q); f' = φ (M - a) below 0 (negative
/// past the zero x0 = -0.7517915246935645, where M(a0) = a0) and 1 + φ (x - M) above; next to
/// x0 the fit GeluSlopeFit (|x - x0| ≤ 1/4, degree 13, Q's relative error 2^-55.7). Zeros: f has x's sign; f' is
/// -0 where it underflows, +0 where the reference's long-double φ is 0 (x ≤ -150.99). Limits:
/// f(±inf) = +inf, -0; f'(±inf) = 1, 0. Valid for every double.
template <>
struct F64Lanes<fn::Gelu> {
  static constexpr double kPairs[][2] = {{0x1.1ed1cd13c268ap-1, 0x1.d92db63841d6ep-55},
                                         {0x1.f917a1fde6642p-1, 0x1.c12de0ad572cbp-58},
                                         {0x1.49de0931610bdp+0, -0x1.7f559618e39dep-59},
                                         {0x1.306f4bf00367bp+0, -0x1.9763a63e3d2c5p-58}};
  static constexpr double kRest[] = {
      0x1.4fd1ea21c9f51p-1,  0x1.58f2c7cbc4a16p-5,  -0x1.c0c96e248d393p-3, -0x1.6ad029ce29988p-4,
      0x1.4a0f75cf7c75dp-4,  0x1.9d795beaae1d6p-5,  -0x1.58e795ad77c16p-5, -0x1.8616b901f356cp-6,
      0x1.d27fb019c209cp-6,  0x1.e2e45a08a65f4p-8,  -0x1.4b6b164897205p-6, 0x1.6f23aa571e4aap-9,
      0x1.972ecb13f56a6p-7,  -0x1.06916da0e63a6p-7, -0x1.2e0e8c18f0991p-8, 0x1.1b090d82a5843p-7,
      -0x1.c2c9f771c0264p-10, -0x1.7989447495196p-8, 0x1.22286de645878p-8, 0x1.0027066cb2beep-9,
      -0x1.6f76e73865fe4p-9};
  /// (2k - 1)!! (-1)^k, k = 1..12: M(a) = (1/a)(1 + w S(w)), S(w) = Σ kAsymptotic[k - 1] w^(k-1).
  static constexpr double kAsymptotic[] = {-1.0,       3.0,          -15.0,         105.0,
                                           -945.0,     10395.0,      -135135.0,     2027025.0,
                                           -34459425.0, 654729075.0, -13749310575.0, 316234143225.0};
  static constexpr double kInvSqrt2PiHi = 0x1.9884533d43651p-2, kInvSqrt2PiLo = -0x1.cbc0d30ebfd15p-56;

  /// Mills' ratio M(a) = Q(a)/φ(a) as hi + lo for a ≥ 0 (+inf gives 0).
  template <class D>
  static f64::V<D> mills(D d, f64::V<D> a, f64::V<D>& lo) {
    const f64::V<D> am = hn::Min(a, hn::Set(d, 16.0)), four = hn::Set(d, 4.0);
    f64::V<D> sl, tc, ul;
    const f64::V<D> sh = f64::two_sum<D>(four, am, sl);
    const f64::V<D> t = f64::div_pair(d, four, hn::Zero(d), sh, sl, tc);
    const f64::V<D> uh = f64::two_sum<D>(t, hn::Set(d, -0.6), ul);
    ul = hn::Add(ul, tc);
    constexpr std::size_t kN = sizeof(kRest) / sizeof(kRest[0]);
    f64::V<D> ph = hn::Set(d, kRest[kN - 1]);
    for (std::size_t i = kN - 1; i-- > 0;) ph = hn::MulAdd(ph, uh, hn::Set(d, kRest[i]));
    f64::V<D> pl = hn::Zero(d);
    for (std::size_t k = 4; k-- > 0;) {
      f64::V<D> ml, cl;
      const f64::V<D> mh = f64::pair_product(d, uh, ul, ph, pl, ml);
      ph = f64::two_sum<D>(hn::Set(d, kPairs[k][0]), mh, cl);
      pl = hn::Add(cl, hn::Add(ml, hn::Set(d, kPairs[k][1])));
    }
    f64::V<D> m = f64::pair_product(d, t, tc, ph, pl, lo);
    const auto far = a > hn::Set(d, 16.0);
    if (HWY_UNLIKELY(!hn::AllFalse(d, far))) {
      f64::V<D> rc, ql, fl;
      const f64::V<D> r = f64::div_pair(d, hn::Set(d, 1.0), hn::Zero(d), a, hn::Zero(d), rc);
      rc = hn::IfThenElseZero(hn::IsFinite(a), rc);
      const f64::V<D> w = hn::Mul(r, r);
      constexpr std::size_t kA = sizeof(kAsymptotic) / sizeof(kAsymptotic[0]);
      f64::V<D> sw = hn::Set(d, kAsymptotic[kA - 1]);
      for (std::size_t i = kA - 1; i-- > 0;) sw = hn::MulAdd(sw, w, hn::Set(d, kAsymptotic[i]));
      const f64::V<D> qh = f64::fast_two_sum<D>(hn::Set(d, 1.0), hn::Mul(w, sw), ql);
      const f64::V<D> fh = f64::pair_product(d, r, rc, qh, ql, fl);
      m = hn::IfThenElse(far, fh, m);
      lo = hn::IfThenElse(far, fl, lo);
    }
    return m;
  }
  /// -a²/2 as hi + lo (exact unless a² overflows, where exp_pair clamps it).
  template <class D>
  static f64::V<D> half_square(D d, f64::V<D> a, f64::V<D>& lo) {
    const f64::V<D> mh = hn::Set(d, -0.5);
    const f64::V<D> hi = f64::two_prod(d, a, a, lo);
    lo = hn::Mul(lo, mh);
    return hn::Mul(hi, mh);
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> a = hn::Abs(x);
    f64::V<D> ml, hl;
    const f64::V<D> mh = mills(d, a, ml);
    const f64::V<D> hh = half_square(d, a, hl);
    const f64::V<D> y = f64::by_range(d, hh, [&](auto range) {
      const f64::Exp<D> e = f64::exp_pair<decltype(range)::value>(d, hh, hl);
      f64::V<D> pl, bl;
      const f64::V<D> ph = f64::pair_product(d, e.hi, e.lo, hn::Set(d, kInvSqrt2PiHi), hn::Set(d, kInvSqrt2PiLo), pl);
      const f64::V<D> bh = f64::pair_product(d, ph, pl, mh, ml, bl);  // Q·2^-n
      const f64::V<D> neg = f64::scale<decltype(range)::value>(d, f64::mul_pair(d, x, hn::Zero(d), bh, bl), e.n);
      // 1 - Q (Q ≤ 1/2; a Q below 2^-1022 is nothing next to 1).
      f64::V<D> ol;
      const f64::V<D> qh = f64::scale<decltype(range)::value>(d, bh, e.n);
      const f64::V<D> oh = f64::two_sum<D>(hn::Set(d, 1.0), hn::Neg(qh), ol);
      ol = hn::Sub(ol, f64::scale<decltype(range)::value>(d, bl, e.n));
      const f64::V<D> pos = f64::mul_pair(d, x, hn::Zero(d), oh, ol);
      return hn::IfThenElse(x < hn::Zero(d), neg, pos);
    });
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElse(x > hn::Zero(d), x, hn::Set(d, -0.0)), hn::CopySign(y, x));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> a = hn::Abs(x);
    f64::V<D> ml, hl;
    const f64::V<D> mh = mills(d, a, ml);
    const f64::V<D> hh = half_square(d, a, hl);
    f64::V<D> g = f64::by_range(d, hh, [&](auto range) {
      const f64::Exp<D> e = f64::exp_pair<decltype(range)::value>(d, hh, hl);
      f64::V<D> pl, dl, sl, kl;
      const f64::V<D> ph = f64::pair_product(d, e.hi, e.lo, hn::Set(d, kInvSqrt2PiHi), hn::Set(d, kInvSqrt2PiLo), pl);
      // x < 0: φ (M - a); x ≥ 0: 1 + φ (x - M) = 1 - φ (M - a). Both from M - a as a pair.
      const f64::V<D> dh = f64::two_sum<D>(mh, hn::Neg(a), dl);
      dl = hn::Add(dl, ml);
      // M - a's sign also where φ is 0 (e.g. past exp_pair's floor): -0 below x0.
      const f64::V<D> neg = hn::CopySign(f64::scale<decltype(range)::value>(d, f64::mul_pair(d, ph, pl, dh, dl), e.n), dh);
      const f64::V<D> kh = f64::pair_product(d, ph, pl, dh, dl, kl);
      const f64::V<D> sh = f64::two_sum<D>(hn::Set(d, 1.0), hn::Neg(f64::scale<decltype(range)::value>(d, kh, e.n)), sl);
      const f64::V<D> pos = hn::Sub(sh, hn::Sub(f64::scale<decltype(range)::value>(d, kl, e.n), sl));
      return hn::IfThenElse(x < hn::Zero(d), neg, pos);
    });
    f64::V<D> t0;
    const f64::V<D> near = f64::near_zero<GeluSlopeFit>(d, x, hn::Zero(d), t0);
    g = hn::IfThenElse(hn::Abs(t0) <= hn::Set(d, GeluSlopeFit::kHalfWidth), near, g);
    g = hn::IfThenElse(hh <= hn::Set(d, f64::kReferenceExpUnderflow), hn::Abs(g), g);
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElseZero(x > hn::Zero(d), hn::Set(d, 1.0)), g);
  }
  /// f' near x0 (scripts/fits/near_zero.py gelu 13 0.25).
  struct GeluSlopeFit {
    static constexpr double kHalfWidth = 0.25;
    static constexpr double kZeroHi = -0x1.80ead197f00b4p-1, kZeroLo = 0x1.13e74c58cada8p-56;
    static constexpr double kC0Hi = 0x1.b9d98fa5a3215p-2, kC0Lo = 0x1.f7c1a23190c7cp-56;
    static constexpr double kR[] = {0x1.8d9a941de3ac5p-2,  -0x1.2a2ef9bb865aep-6, -0x1.d2fa4c17c7e84p-4,
                                    -0x1.e4088244f900fp-7, 0x1.3e346def41ff3p-6,  0x1.297b9d6ff8dfcp-8,
                                    -0x1.258a6d855091ep-9, -0x1.8680f74903b9ap-11, 0x1.86c8638180b9ep-13,
                                    0x1.6961016af1e92p-14, -0x1.784a7e74fd459p-17, -0x1.03f91a834f3f1p-17,
                                    0x1.d058093e844c9p-22, 0x1.2e07aca6e36bep-21};
  };
};

/// Evaluation-mode RReLU: x for x > 0, m·x below, m = (lower + upper)/2 as a pair (TwoSum, halved
/// exactly) and the product hi + lo rounded once: the correctly rounded m·x up to ties within
/// 2^-100 (the reference rounds twice, through long double: within 2^-11 ULP of that). Below
/// |x| = 2^-800, where lo would underflow, the product is taken on x·2^200; a result that is then
/// subnormal is hi·2^-200 corrected by one unit where the residual (hi - that·2^200) + lo passes
/// half a unit, so it too is rounded once. The sign is x's (m ≥ 0: -0 stays -0), ±inf·m plain.
/// The slope from y is read off y's sign. Valid for every double.
template <>
struct F64Lanes<fn::Rrelu> {
  template <class D>
  static f64::V<D> slope(D d, const P<D>& p, f64::V<D>& lo) {
    const f64::V<D> half = hn::Set(d, 0.5);
    const f64::V<D> hi = f64::two_sum<D>(hn::Set(d, p[fn::Rrelu::kLower]), hn::Set(d, p[fn::Rrelu::kUpper]), lo);
    lo = hn::Mul(lo, half);
    return hn::Mul(hi, half);
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>& p) {
    f64::V<D> ml, lo;
    const f64::V<D> mh = slope(d, p, ml);
    const auto tiny = hn::Abs(x) < hn::Set(d, 0x1p-800);
    const f64::V<D> xs = hn::IfThenElse(tiny, hn::Mul(x, hn::Set(d, 0x1p200)), x);
    const f64::V<D> hi = f64::two_prod(d, xs, mh, lo);
    lo = hn::MulAdd(xs, ml, lo);
    f64::V<D> neg = hn::Add(hi, lo);
    if (HWY_UNLIKELY(!hn::AllFalse(d, tiny))) {
      const f64::V<D> r0 = hn::Mul(hi, hn::Set(d, 0x1p-200));
      const f64::V<D> t = hn::Add(hn::Sub(hi, hn::Mul(r0, hn::Set(d, 0x1p200))), lo);
      const f64::V<D> step = hn::IfThenElseZero(hn::Abs(t) > hn::Set(d, 0x1p-875), hn::CopySign(hn::Set(d, 0x1p-1074), t));
      const f64::V<D> rounded = hn::IfThenElse(hn::Abs(r0) < hn::Set(d, 0x1p-1022), hn::Add(r0, step),
                                               hn::Mul(neg, hn::Set(d, 0x1p-200)));
      neg = hn::IfThenElse(tiny, rounded, neg);
    }
    neg = hn::IfThenElse(hn::IsFinite(hi), hn::CopySign(neg, x), hn::Mul(x, mh));
    return hn::IfThenElse(x > hn::Zero(d), x, neg);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>& p) {
    f64::V<D> ml;
    const f64::V<D> mh = slope(d, p, ml);
    return hn::IfThenElse(x > hn::Zero(d), hn::Set(d, 1.0), hn::Add(mh, ml));
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>& p) {
    return df(d, y, p);
  }
};

// ---- learnable-parameter gradients of f64 data ---------------------------------------------------

/// ∂f/∂p_k for f64 data: F64ParamGradient<F>::grad(d, x, p, g) fills g[k] for every learnable k,
/// each within ~1 ULP (the forward kernels' pairs); the driver (simd.cpp) multiplies by dy and sums
/// with compensation.
template <class F>
struct F64ParamGradient;

/// swish: ∂f/∂β = x² σ'(v), v = βx as a pair: x² as a pair times the unscaled logistic slope, then
/// 2^n once (tails subnormal, rounded once). x = ±inf: 0 for β ≠ 0, +inf for β = 0 (x²/4), as the
/// reference; x² beyond DBL_MAX gives inf·σ' (0 where σ' is 0).
template <>
struct F64ParamGradient<fn::Swish> {
  template <class D>
  static void grad(D d, f64::V<D> x, const P<D>& p, f64::V<D>* g) {
    f64::V<D> vl, ql;
    const f64::V<D> vh = F64Lanes<fn::Swish>::v_of(d, x, p, vl);
    const f64::V<D> qh = f64::two_prod(d, x, x, ql);
    const f64::V<D> h = hn::Min(hn::Abs(vh), hn::Set(d, 1500.0));  // σ' is 0 past 1500
    const f64::V<D> finite = f64::by_range(d, hn::Neg(h), [&](auto range) {
      const f64::Logistic<D> s = f64::logistic<decltype(range)::value>(d, hn::CopySign(h, vh), hn::IfThenElseZero(h < hn::Set(d, 1500.0), vl));
      const f64::V<D> slope = f64::logistic_slope_unscaled(d, s);
      const f64::V<D> t = hn::IfThenElse(hn::IsFinite(qh), f64::mul_pair(d, qh, ql, slope, hn::Zero(d)), hn::Mul(qh, slope));
      return f64::scale<decltype(range)::value>(d, t, s.e.n);
    });
    g[fn::Swish::kBeta] = hn::IfThenElse(hn::IsInf(x), hn::Set(d, p[fn::Swish::kBeta] == 0.0 ? HUGE_VAL : 0.0), finite);
  }
};

/// shifted_tanh: ∂f/∂input_shift = -sech²(v) on the pair v = x - input_shift (f64::scaled_sech2),
/// ∂f/∂output_shift = 1.
template <>
struct F64ParamGradient<fn::ShiftedTanh> {
  template <class D>
  static void grad(D d, f64::V<D> x, const P<D>& p, f64::V<D>* g) {
    f64::V<D> vl;
    const f64::V<D> vh = F64Lanes<fn::ShiftedTanh>::v_of(d, x, p, vl);
    g[fn::ShiftedTanh::kInputShift] = hn::Neg(f64::scaled_sech2(d, vh, vl, hn::Set(d, 1.0), hn::Zero(d)));
    g[fn::ShiftedTanh::kOutputShift] = hn::Set(d, 1.0);
  }
};

/// generalized_sigmoid, as fn::GeneralizedSigmoid::dparams on the forward kernel's pair u (ln beta
/// once per call): s = σ(u) (corrected quotient), slope = alpha σ'(u), then ∂/∂alpha = s,
/// ∂/∂beta = -slope/beta, ∂/∂gamma = (x - epsilon)·slope (0 where the slope is 0: x = ±inf gives 0),
/// ∂/∂epsilon = -slope·gamma, ∂/∂delta = 1.
template <>
struct F64ParamGradient<fn::GeneralizedSigmoid> {
  using Kernel = F64Lanes<fn::GeneralizedSigmoid>;
  static Kernel::Prepared prepare(const fn::Params<double>& p) { return Kernel::prepare(p); }
  template <class D>
  static void grad(D d, f64::V<D> x, const Kernel::Prepared& c, f64::V<D>* g) {
    f64::V<D> ul;
    const f64::V<D> uh = Kernel::u_of(d, x, c, ul);
    f64::V<D> slope;
    g[fn::GeneralizedSigmoid::kAlpha] = f64::by_range(d, hn::Neg(hn::Abs(uh)), [&](auto range) {
      const f64::Logistic<D> s = f64::logistic<decltype(range)::value>(d, uh, ul);
      slope = f64::scale<decltype(range)::value>(d, f64::logistic_slope_unscaled(d, s), s.e.n);
      f64::V<D> corr, m;
      const f64::V<D> y = f64::sigmoid_parts(d, s, corr, m);
      return f64::scale<decltype(range)::value>(d, hn::Add(y, corr), m);
    });
    slope = hn::Mul(hn::Set(d, c.p[fn::GeneralizedSigmoid::kAlpha]), slope);
    g[fn::GeneralizedSigmoid::kBeta] = hn::Div(hn::Neg(slope), hn::Set(d, c.p[fn::GeneralizedSigmoid::kBeta]));
    g[fn::GeneralizedSigmoid::kGamma] = hn::IfThenElseZero(slope != hn::Zero(d), hn::Mul(hn::Sub(x, hn::Set(d, c.p[fn::GeneralizedSigmoid::kEpsilon])), slope));
    g[fn::GeneralizedSigmoid::kEpsilon] = hn::Mul(hn::Neg(slope), hn::Set(d, c.p[fn::GeneralizedSigmoid::kGamma]));
    g[fn::GeneralizedSigmoid::kDelta] = hn::Set(d, 1.0);
  }
};

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
