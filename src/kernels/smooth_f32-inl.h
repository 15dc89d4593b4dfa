// Smooth activations for f32 data computed in f32 lanes. No include guard: Highway compiles this
// file once per target (foreach_target.h), inside that target's namespace.
//
// Accuracy comes from three habits, not from wider lanes:
//  - exp is only ever taken of a non-positive argument (the reference's stable splits), as a pair
//    (1 + q)·2^n; in vectors where every e is ≥ e^-70 the pair comes already scaled (exp_normal,
//    the fast common path), elsewhere the 2^n is applied last, in exact steps, so tails whose
//    true value is subnormal (sigmoid(-100), x e^x) round once (exp_pair, by_range's kTail);
//  - values that feed an exponential are carried as double-float pairs hi + lo (an argument error
//    of δ becomes a relative error |v|·δ in e^v: -80·(1e-7) would be 8e-6);
//  - quotients are corrected once with the exact residual (num - y0·den), so a result that is the
//    ratio of two rounded pairs costs ~0.5 ULP, not 1.5.
// Error-free products use FMA where the target has it (HWY_NATIVE_FMA) and Veltkamp/Dekker
// splitting where it does not (SSSE3, SSE4, EMU128), so every target meets the same bounds.
//
// A kernel struct F32Lanes<F> has f(d, x, p) and df(d, x, p) (or one of them, the other then from
// F32InF64Lanes<F>), and df_from_y(d, y, p) where F has it; p holds the parameters rounded to
// float. NaN handling is the driver's (simd.cpp). Each kernel's contract is its row of the kernel
// table (table.hpp); `actfn accuracy` certifies it on every target, and the README's tables show
// the measured maxima (scripts/docs.py, docs/data).

#include "exact-inl.h"

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class F>
struct F32Lanes;  // specialised below for the smooth activations with a native f32 kernel

namespace f32 {

template <class D>
using V = hn::Vec<D>;

// The error-free transformations (exact-inl.h).
using exact::fast_two_sum;
using exact::residual;
using exact::two_prod;
using exact::two_sum;

/// (ah + al)(bh + bl) as a pair hi + lo, as f64::pair_product: ah·bh exactly (two_prod), the cross
/// terms ah·bl and al·bh added to its low part (al·bl, ~2^-48 of the product, dropped). Relative
/// error ~2^-47 for pairs whose lows are within an ULP of their highs.
template <class D>
HWY_INLINE V<D> pair_product(D d, V<D> ah, V<D> al, V<D> bh, V<D> bl, V<D>& lo) {
  const V<D> hi = two_prod(d, ah, bh, lo);
  lo = hn::MulAdd(ah, bl, hn::MulAdd(al, bh, lo));
  return hi;
}

// Exact scaling by powers of 2 and the kNormal/kTail instances (exact-inl.h).
using exact::expm1_is_identity;
using exact::pow2;
using exact::Range;
using exact::scale;
using exact::scale_tail;

/// The smallest exponent argument of the kNormal instances: every e^h of a vector ≥ e^-70 ≈ 2^-101,
/// so e and the low part of its pair, ~2^-24 e, are both normal. The margin below FLT_MIN keeps
/// subnormal operands, which x86 handles in slow microcode and exp_normal would round, out of the
/// common path.
constexpr float kNormalFloor = -70.0f;

/// Stands for the low part of an argument that is exact (a bare x rather than a product pair):
/// the helpers that take a pair hi + lo skip the additions of a zero, which the compiler may not
/// drop itself (r + 0 is not r when r = -0).
struct Exact {};

template <class D>
HWY_INLINE V<D> plus_low(V<D> v, V<D> lo) {
  return hn::Add(v, lo);
}
template <class D>
HWY_INLINE V<D> plus_low(V<D> v, Exact) {
  return v;
}

/// The low part's transformations, each of which leaves Exact as it is: kept only in the lanes
/// of `keep`, negated outside `keep_sign`, multiplied by k (exact when k is a power of 2).
template <class M, class V>
HWY_INLINE V low_where(M keep, V lo) {
  return hn::IfThenElseZero(keep, lo);
}
template <class M>
HWY_INLINE Exact low_where(M, Exact) {
  return {};
}
template <class M, class V>
HWY_INLINE V low_negated_unless(M keep_sign, V lo) {
  return hn::IfThenElse(keep_sign, lo, hn::Neg(lo));
}
template <class M>
HWY_INLINE Exact low_negated_unless(M, Exact) {
  return {};
}
template <class V>
HWY_INLINE V low_times(V k, V lo) {
  return hn::Mul(k, lo);
}
template <class V>
HWY_INLINE Exact low_times(V, Exact) {
  return {};
}

/// e^(h + l) = (hi + lo)·2^n with hi + lo = 1 + q an exact pair (hi ∈ [0.7, 1.42]), for h ≤ 0 and
/// |l| ≤ ulp(h) (or l = Exact{}). unit = 2^max(n, -126), so hi·unit is e itself wherever e is normal.
///
/// Cody–Waite: n = round(h/ln2) by the 1.5·2^23 trick (its low bits are n, giving 2^n for free),
/// r = h - n ln2_hi exactly (ln2_hi has 15 significant bits, n ≤ 174 has 8; Sterbenz), then
/// - n ln2_lo + l; q = r + r² P(r), P a degree-5 fit of (e^r - 1 - r)/r² on |r| ≤ ln2/2 with
/// relative error 3e-9, the rounding of r + r²P kept in the pair: e is within ~0.2 ULP.
/// kNormal clamps h at -87.3 (e^h ≥ FLT_MIN), kTail at -195, where e^h = 2^-281 times even the
/// largest float factor (x in x e^v) rounds to 0; the tail instance returns e = 0 below its floor,
/// so no factor can revive it. l is dropped where clamped.
template <class D>
struct Exp {
  V<D> hi, lo, n, unit;
  V<D> q, q_lo;  // e^r - 1 as a pair (expm1 where n = 0)
};

/// The Cody–Waite reduction the exponentials share: e^(h + l) = 2^n (1 + r + r2p()), with t the
/// rounding sum (its low bits hold n + 127), r = h + l - n ln2 rounded once, rr = r² and poly =
/// P(r). The rounding constant is 1.5·2^23 + 127, so that t's low nine bits are n's biased
/// exponent itself (unit_of shifts them into place, as XNNPACK's kernels do).
template <class D>
struct Reduced {
  V<D> t, n, r, rr, poly;
  /// r² P(r), rounded once more.
  HWY_INLINE V<D> r2p() const { return hn::Mul(rr, poly); }
};
template <class D, class L>
HWY_INLINE Reduced<D> reduce_exp(D d, V<D> h, L l) {
  const V<D> magic = hn::Set(d, exact::Format<float>::kRoundMagic + 127.0f);
  Reduced<D> e;
  e.t = hn::MulAdd(h, hn::Set(d, 1.44269504088896341f), magic);
  e.n = hn::Sub(e.t, magic);
  e.r = hn::NegMulAdd(e.n, hn::Set(d, 0x1.62e4p-1f), h);
  e.r = plus_low<D>(hn::NegMulAdd(e.n, hn::Set(d, 0x1.7f7d1cp-20f), e.r), l);
  V<D> poly = hn::Set(d, 1.9891009596308316e-4f);
  poly = hn::MulAdd(poly, e.r, hn::Set(d, 1.3933666900006931e-3f));
  poly = hn::MulAdd(poly, e.r, hn::Set(d, 8.333310908565454e-3f));
  poly = hn::MulAdd(poly, e.r, hn::Set(d, 4.1666464772966816e-2f));
  poly = hn::MulAdd(poly, e.r, hn::Set(d, 1.6666666681640166e-1f));
  poly = hn::MulAdd(poly, e.r, hn::Set(d, 0.5f));
  e.rr = hn::Mul(e.r, e.r);
  e.poly = poly;
  return e;
}

/// 2^n from the reduction's rounding sum, for n ∈ [-126, 128]: t's low mantissa bits hold n +
/// 127, and the shift into the exponent field drops everything above them.
template <class D>
HWY_INLINE V<D> unit_of(D d, const Reduced<D>& e) {
  const hn::RebindToSigned<D> di;
  return hn::BitCast(d, hn::ShiftLeft<23>(hn::BitCast(di, e.t)));
}

template <Range kRange, class D, class L>
HWY_INLINE Exp<D> exp_pair(D d, V<D> h, L l) {
  const V<D> floor = hn::Set(d, kRange == Range::kTail ? -195.0f : -87.3f);
  const auto in_range = h >= floor;
  const Reduced<D> red = reduce_exp(d, hn::Max(h, floor), low_where(in_range, l));
  Exp<D> e;
  e.n = red.n;
  e.unit = kRange == Range::kTail ? pow2(d, hn::Max(e.n, hn::Set(d, -126.0f))) : unit_of(d, red);
  e.q = fast_two_sum<D>(red.r, red.r2p(), e.q_lo);
  e.hi = fast_two_sum<D>(hn::Set(d, 1.0f), e.q, e.lo);
  e.lo = hn::Add(e.lo, e.q_lo);
  if constexpr (kRange == Range::kTail) {
    // Past the floor e counts as 0, so a huge factor (x e^x at x = -1e38) cannot revive it.
    e.hi = hn::IfThenElseZero(in_range, e.hi);
    e.lo = hn::IfThenElseZero(in_range, e.lo);
  }
  return e;
}

/// How exp_normal keeps q = e^r - 1: rounded once (kRounded: 2^-25.3 of e at most, ~0.4 ULP), or
/// as the pair r + r²P(r) (kPair: ~2^-30, 3 more operations), for results that divide or
/// subtract e so that q's own rounding would show (tanh's 1 - e near 0).
enum class ExpQ : bool { kRounded, kPair };

/// e^(h + l) for h ∈ [-87.3, 0], where e is normal, already scaled: hi + lo = 2^n (1 + q), exact
/// given q: 2^n enters hi inside one multiply-add and lo is that sum's rounding error (Fast2Sum:
/// q·2^n is exact and smaller than 2^n), plus q's low part for kPair; only below e = 2^-102 is lo
/// subnormal and rounded, by at most 2^-150, half an ULP of the smallest e. The lean form of
/// exp_pair for the vectors by_range sends to kNormal: n = 0 and unit = 1 in the result, and ~10
/// fewer operations than exp_pair followed by the scaling.
template <ExpQ kQ, class D, class L>
HWY_INLINE Exp<D> exp_normal(D d, V<D> h, L l) {
  const Reduced<D> red = reduce_exp(d, h, l);
  const V<D> unit = unit_of(d, red);
  Exp<D> e;
  if constexpr (kQ == ExpQ::kPair) {
    e.q = fast_two_sum<D>(red.r, red.r2p(), e.q_lo);
  } else {
    e.q = hn::Add(red.r, red.r2p());
    e.q_lo = hn::Zero(d);
  }
  e.hi = hn::MulAdd(e.q, unit, unit);
  e.lo = hn::MulAdd(e.q, unit, hn::Sub(unit, e.hi));
  if constexpr (kQ == ExpQ::kPair) e.lo = hn::MulAdd(e.q_lo, unit, e.lo);
  e.n = hn::Zero(d);
  e.unit = hn::Set(d, 1.0f);
  return e;
}

/// e^(r + l) - 1 - r = r² P(r) + l e^r for a reduction made without l (r = h - n ln2), l e^r
/// as l (1 + r + r² P(r)) with l to first order (|l| ≤ ulp(h) ≤ 2^-17, so l²/2 is below 2^-35,
/// nothing next to 1 + w), rounded once: at most 0.19 |r| + 1.5 |l|, so its rounding is a small
/// fraction of an ULP of r plus it.
template <class D>
HWY_INLINE V<D> expm1_rest(const Reduced<D>& red, Exact) {
  return red.r2p();
}
template <class D>
HWY_INLINE V<D> expm1_rest(const Reduced<D>& red, V<D> l) {
  return hn::MulAdd(red.rr, red.poly, hn::MulAdd(l, hn::MulAdd(red.rr, red.poly, red.r), l));
}

/// The lean exponentials, for results that round once more after them (a scale factor, a
/// blend): plain float operations on exp_pair's reduction, with the rounding errors kept only
/// where they would show.
///
/// expm1(h + l) for h ≤ 0 (|l| ≤ ulp(h), or Exact) as an unrounded pair hi + lo, from
/// e^(h + l) - 1 = 2^n w + (2^n - 1), w = e^(r + l) - 1 = r + expm1_rest:
///  - w + wl: the sum of r and the rest as an exact pair (Fast2Sum), so only the rest's rounding
///    (~0.1 ULP of w) remains;
///  - hi + lo: 2^n w is exact, 2^n - 1 exact for n ≥ -24, and their sum's rounding error is
///    (2^n - 1 - hi) + 2^n w (Fast2Sum: |2^n - 1| ≥ 2^n |w| for n ≤ -1; n = 0 gives hi = w).
/// Within ~0.15 ULP before the caller's one rounding. h is clamped at -18, where expm1 rounds to
/// -1 (from h = -16.98 on, 2^n - 1 itself rounds; there hi + lo is within 0.71 ULP of the
/// truth). Tiny h (below 2^-25) give h itself; a zero gives +0 whatever its sign (r² P adds +0):
/// the callers copy the sign back.
template <class D, class L>
HWY_INLINE V<D> expm1_lean(D d, V<D> h, L l, V<D>& lo) {
  const V<D> floor = hn::Set(d, -18.0f);
  const Reduced<D> red = reduce_exp(d, hn::Max(h, floor), Exact{});
  V<D> wl;
  const V<D> w = fast_two_sum<D>(red.r, expm1_rest(red, low_where(h >= floor, l)), wl);
  const V<D> s = unit_of(d, red);
  const V<D> sm1 = hn::Sub(s, hn::Set(d, 1.0f));
  const V<D> hi = hn::MulAdd(w, s, sm1);
  lo = hn::MulAdd(wl, s, hn::MulAdd(w, s, hn::Sub(sm1, hi)));
  return hi;
}

/// expm1(h) for h ≤ 0 rounded once, for a caller whose next step is exact (a product with a
/// power of 2): 2^n w + (2^n - 1) in one multiply-add, w = r + r² P(r) in another. Within ~0.85
/// ULP (n = 0, where the result is w itself: its rounding and ~0.35 of an ULP from r² and P's
/// own; elsewhere 2^n w is at most 0.21 of the result). h is clamped at -18 as in expm1_lean; a
/// zero gives +0 whatever its sign. Lanes with h > 0 give values the callers blend away.
template <class D>
HWY_INLINE V<D> expm1_rounded(D d, V<D> h) {
  const Reduced<D> red = reduce_exp(d, hn::Max(h, hn::Set(d, -18.0f)), Exact{});
  const V<D> s = unit_of(d, red);
  return hn::MulAdd(hn::MulAdd(red.rr, red.poly, red.r), s, hn::Sub(s, hn::Set(d, 1.0f)));
}

/// Whether s·v and v/s are exact for the results of expm1_rounded: s = ±2^k with k ≥ -100, so
/// that s·v stays normal for |v| ≥ 2^-25 (tinier v are h itself, whose product with s rounds once
/// as the reference's does). Scalar, once per call (the kernels' prepare).
inline bool exact_scale(float s) {
  int e = 0;
  return std::isfinite(s) && std::fabs(std::frexp(s, &e)) == 0.5f && e >= -99;
}

/// e^(h + l) for h ∈ [kNormalFloor, 0] (the kNormal vectors of by_range; |l| ≤ ulp(h), or Exact)
/// as an unrounded pair hi + lo: hi = 2^n (1 + w) in one multiply-add, w = r + expm1_rest
/// rounded (its error shrunk by w/(1 + w) ≤ 0.3 in e, ~0.15 ULP), lo = 2^n w + (2^n - hi) that
/// multiply-add's rounding error (2^n w is exact and so is 2^n - hi, Sterbenz).
template <class D, class L>
HWY_INLINE V<D> exp_lean(D d, V<D> h, L l, V<D>& lo) {
  const Reduced<D> red = reduce_exp(d, h, Exact{});
  const V<D> s = unit_of(d, red);
  const V<D> w = hn::Add(red.r, expm1_rest(red, l));
  const V<D> hi = hn::MulAdd(w, s, s);
  lo = hn::MulAdd(w, s, hn::Sub(s, hi));
  return hi;
}

/// (nh + nl)/(dh + dl) as y + corr, within ~0.5 ULP once added. The residual nh - y·dh is exact
/// (y is within an ULP of the quotient); the correction is divided through the approximate
/// reciprocal, whose error only touches the correction (a fraction of an ULP).
template <class D>
HWY_INLINE V<D> div_pair(D d, V<D> nh, V<D> nl, V<D> dh, V<D> dl, V<D>& corr) {
  const V<D> y = hn::Div(nh, dh);
  corr = hn::Mul(hn::Add(residual(d, y, dh, nh), hn::NegMulAdd(y, dl, nl)), hn::ApproximateReciprocal(dh));
  return y;
}

/// The logistic function's parts at v = vh + vl, split by sign as the reference does:
/// e = e^-|v| = (e.hi + e.lo)·2^n and den = 1 + e as an exact pair; σ(|v|) = 1/den and
/// σ(-|v|) = e/den. Only the lanes whose e is normal get it in den: below 2^-126 it cannot
/// change 1 + e. The kNormal instance takes e from exp_normal, already scaled (n = 0), so its
/// scale and times_unit do nothing; the kTail instance's parts are unscaled.
template <Range kRange, class D>
struct Logistic {
  Exp<D> e;
  V<D> den_h, den_l;
  hn::Mask<D> neg;  // v < 0: σ(v) is the small one, e/den

  /// v·2^n, rounded once (n: e.n or a masked copy of it).
  HWY_INLINE V<D> scale(D d, V<D> v, V<D> n) const {
    if constexpr (kRange == Range::kTail) return scale_tail(d, v, n);
    (void)d;
    (void)n;
    return v;
  }
  /// v·2^max(n, -126), exact.
  HWY_INLINE V<D> times_unit(V<D> v) const {
    if constexpr (kRange == Range::kTail) return hn::Mul(v, e.unit);
    return v;
  }
};
template <Range kRange, class D, class L>
HWY_INLINE Logistic<kRange, D> logistic(D d, V<D> vh, L vl) {
  Logistic<kRange, D> s;
  s.neg = vh < hn::Zero(d);
  const V<D> a = hn::Neg(hn::Abs(vh));
  const auto al = low_negated_unless(s.neg, vl);
  // In kNormal vectors the lanes past kNormalFloor are those with v > 70 (by_range checks v or
  // -|v|), where e^-v < 2^-100 is nothing next to 1: clamping them (and dropping their low part,
  // which may be huge) keeps e and its low part normal.
  if constexpr (kRange == Range::kNormal) {
    const V<D> floor = hn::Set(d, kNormalFloor);
    s.e = exp_normal<ExpQ::kRounded>(d, hn::Max(a, floor), low_where(a >= floor, al));
  } else
    s.e = exp_pair<kRange>(d, a, al);
  s.den_h = fast_two_sum<D>(hn::Set(d, 1.0f), s.times_unit(s.e.hi), s.den_l);
  s.den_l = hn::Add(s.times_unit(s.e.lo), s.den_l);
  return s;
}

/// σ(v) = (y + corr)·2^m, m = n where v < 0 and 0 elsewhere (then 2^m = 1).
template <Range kRange, class D>
HWY_INLINE V<D> sigmoid_parts(D d, const Logistic<kRange, D>& s, V<D>& corr, V<D>& m) {
  m = hn::IfThenElseZero(s.neg, s.e.n);
  return div_pair(d, hn::IfThenElse(s.neg, s.e.hi, hn::Set(d, 1.0f)), hn::IfThenElseZero(s.neg, s.e.lo), s.den_h,
                  s.den_l, corr);
}

/// σ(|v|) = 1/den as r + r_lo and σ(-|v|)·2^-n = e·r as small + small_lo.
template <Range kRange, class D>
HWY_INLINE V<D> logistic_halves(D d, const Logistic<kRange, D>& s, V<D>& r_lo, V<D>& small, V<D>& small_lo) {
  const V<D> r = div_pair(d, hn::Set(d, 1.0f), hn::Zero(d), s.den_h, s.den_l, r_lo);
  V<D> lo;
  small = two_prod(d, s.e.hi, r, lo);
  small_lo = hn::Add(lo, hn::MulAdd(s.e.hi, r_lo, hn::Mul(s.e.lo, r)));
  return r;
}

/// σ(v)σ(-v)·2^-n = e/den² (unscaled), never 1 - σ cancelling: den² as a pair (dh² exact, 2 dh·dl
/// beside) and one corrected quotient of e's pair by it; within ~0.5 ULP plus e's own error.
template <Range kRange, class D>
HWY_INLINE V<D> logistic_slope_unscaled(D d, const Logistic<kRange, D>& s) {
  V<D> sl, corr;
  const V<D> sh = two_prod(d, s.den_h, s.den_h, sl);
  sl = hn::MulAdd(hn::Add(s.den_h, s.den_h), s.den_l, sl);
  const V<D> q = div_pair(d, s.e.hi, s.e.lo, sh, sl, corr);
  return hn::Add(q, corr);
}

/// Runs body(Range) with the cheap instance unless some lane of `arg` (the exponent's argument,
/// ≤ 0 where it matters) is below kNormalFloor: past -87 e^arg is subnormal and the result may be
/// too.
template <class D, class Body>
HWY_INLINE V<D> by_range(D d, V<D> arg, Body body) {
  if (HWY_LIKELY(hn::AllFalse(d, arg < hn::Set(d, kNormalFloor))))
    return body(std::integral_constant<Range, Range::kNormal>());
  return body(std::integral_constant<Range, Range::kTail>());
}

/// k·sech² v for v = vh + vl as times(g), g = σ(2|v|)σ(-2|v|)·2^-n (sech² v = 4g·2^n), scaled
/// once: 2|v| as a pair (its low part's sign follows |v|), clamped at 200, where sech² is 0 in
/// f32 anyway (a NaN low part of an infinite v is dropped there). times(g) is k·4g rounded once.
template <class D, class Times>
HWY_INLINE V<D> sech2_of_pair(D d, V<D> vh, V<D> vl, Times times) {
  const V<D> limit = hn::Set(d, 200.0f);
  const V<D> wh = hn::Min(hn::Mul(hn::Set(d, 2.0f), hn::Abs(vh)), limit);
  const V<D> wl = hn::IfThenElseZero(wh < limit, hn::Mul(hn::Set(d, 2.0f), hn::IfThenElse(vh < hn::Zero(d), hn::Neg(vl), vl)));
  return by_range(d, hn::Neg(wh), [&](auto range) {
    const auto s = logistic<decltype(range)::value>(d, wh, wl);
    return s.scale(d, times(logistic_slope_unscaled(d, s)), s.e.n);
  });
}

/// (x + xl)·σ(v) for v = vh + vl (xl: x's low part, or Exact): the quotient and x are multiplied
/// before the one rounding into the subnormal range. At x = ±inf the limits (as fn::swish): x/2
/// for b = 0 (v is NaN there), x where v > 0, a zero with x's sign where v < 0.
template <class D, class XL, class L>
HWY_INLINE V<D> gated(D d, V<D> x, XL xl, V<D> vh, L vl) {
  const V<D> y = by_range(d, vh, [&](auto range) {
    const auto s = logistic<decltype(range)::value>(d, vh, vl);
    V<D> corr, m;
    const V<D> q = sigmoid_parts(d, s, corr, m);
    // The sign is x's (σ > 0); without FMA, x q + x corr could be -0 + +0 = +0.
    return hn::CopySign(s.scale(d, hn::MulAdd(x, q, plus_low<D>(hn::Mul(x, corr), low_times(q, xl))), m), x);
  });
  const V<D> at_inf = hn::IfThenElse(hn::IsNaN(vh), hn::Mul(x, hn::Set(d, 0.5f)),
                                     hn::IfThenElse(vh > hn::Zero(d), x, hn::CopySign(hn::Zero(d), x)));
  return hn::IfThenElse(hn::IsInf(x), at_inf, y);
}

/// The polynomial with coefficients kC[first..] (the first one for u^0) at u, in plain Horner
/// steps.
template <const auto& kC, class D>
HWY_INLINE V<D> horner(D d, V<D> u, std::size_t first = 0) {
  constexpr std::size_t kN = sizeof(kC) / sizeof(kC[0]);
  V<D> r = hn::Set(d, kC[kN - 1]);
  for (std::size_t k = kN - 1; k-- > first;) r = hn::MulAdd(r, u, hn::Set(d, kC[k]));
  return r;
}

/// The two factors of the slope σ(v)·(1 + w σ(-v)) of x σ(v(x)) (w = x v'(x); the swish family's
/// w = v) for v = vh + vl and w = wh + wl: σ(v) = sh + sl (unscaled by 2^n where v < 0, as the
/// logistic `s` leaves it) and 1 + w σ(-v) = mh + ml, formed exactly from σ(v) and σ(-v), which
/// come as pairs accurate to ~2^-26; away from the slope's zero their product is within ~2 ULP.
template <Range kRange, class D>
struct SlopeFactors {
  Logistic<kRange, D> s;
  V<D> sh, sl, mh, ml;
};
template <Range kRange, class D, class L>
HWY_INLINE SlopeFactors<kRange, D> slope_factors(D d, V<D> vh, L vl, V<D> wh, V<D> wl) {
  SlopeFactors<kRange, D> f;
  f.s = logistic<kRange>(d, vh, vl);
  V<D> r_lo, small, small_lo;
  const V<D> r = logistic_halves(d, f.s, r_lo, small, small_lo);
  // σ(v) (unscaled by 2^n where v < 0) and σ(-v) (scaled: a w σ(-v) below 2^-126 is nothing
  // next to 1).
  f.sh = hn::IfThenElse(f.s.neg, small, r);
  f.sl = hn::IfThenElse(f.s.neg, small_lo, r_lo);
  const V<D> qh = hn::IfThenElse(f.s.neg, r, f.s.times_unit(small));
  const V<D> ql = hn::IfThenElse(f.s.neg, r_lo, f.s.times_unit(small_lo));
  V<D> pl;
  const V<D> ph = pair_product(d, wh, wl, qh, ql, pl);
  f.mh = two_sum<D>(hn::Set(d, 1.0f), ph, f.ml);
  f.ml = hn::Add(f.ml, pl);
  return f;
}

/// G(v) = σ(v)(1 + v σ(-v))'s zero v0 = -1.27846454 as a float pair, and Q(t) = G(v0 + t)/t =
/// kSlopeQ0 + t R(t), a degree-7 fit on |t| ≤ 0.3 with relative error 1.2e-10, where the product
/// of the slope factors would have an absolute error of many ULP of the tiny G;
/// slope_near_zero_rest is R.
constexpr float kSlopeZeroHi = -0x1.474974p+0f, kSlopeZeroLo = 0x1.bdf6fap-27f, kSlopeQ0 = 0.2178117036819458f;
template <class D>
HWY_INLINE V<D> slope_near_zero_rest(D d, V<D> t) {
  V<D> q = hn::Set(d, 0.00018040738359559327f);
  q = hn::MulAdd(q, t, hn::Set(d, 0.0007910953718237579f));
  q = hn::MulAdd(q, t, hn::Set(d, 0.00012692461314145476f));
  q = hn::MulAdd(q, t, hn::Set(d, -0.006606170441955328f));
  q = hn::MulAdd(q, t, hn::Set(d, -0.015222660265862942f));
  q = hn::MulAdd(q, t, hn::Set(d, 0.01887480728328228f));
  return hn::MulAdd(q, t, hn::Set(d, 0.14664879441261292f));
}

/// G(v) for an exact v in [-70, 200] as an unrounded pair hi + lo, for products that round once
/// after it (swiglu's db): away from v0 the slope factors' product as an exact product plus its
/// cross terms (within ~2^-25 of G); within 0.3 of it t Q(t) as (th + t_lo)·Q with th = v - v0_hi
/// exact and Q's last Horner step exact (Q0 dominates t R: Fast2Sum), so that only R's rounding,
/// a fifth of Q at most, shows. In that range e^-|v| is normal (the kNormal
/// instance) and G neither underflows nor needs a sign fixed.
template <class D>
HWY_INLINE V<D> gate_slope_pair(D d, V<D> v, V<D>& lo) {
  const V<D> th = hn::Sub(v, hn::Set(d, kSlopeZeroHi)), tl = hn::Set(d, -kSlopeZeroLo);
  const V<D> t = hn::Add(th, tl);
  V<D> rl, ql, nl;
  const V<D> rh = two_prod(d, t, slope_near_zero_rest(d, t), rl);
  const V<D> qh = fast_two_sum<D>(hn::Set(d, kSlopeQ0), rh, ql);
  ql = hn::Add(ql, rl);
  const V<D> nh = pair_product(d, th, tl, qh, ql, nl);
  const auto f = slope_factors<Range::kNormal>(d, v, Exact{}, v, hn::Zero(d));
  V<D> fl;
  const V<D> fh = two_prod(d, f.sh, f.mh, fl);
  fl = hn::MulAdd(f.sh, f.ml, hn::MulAdd(f.sl, f.mh, fl));
  const auto near = hn::Abs(t) <= hn::Set(d, 0.3f);
  lo = hn::IfThenElse(near, nl, fl);
  return hn::IfThenElse(near, nh, fh);
}

}  // namespace f32

/// sigmoid(x) = 1/(1 + e^-x): σ(|x|) = 1/(1 + e), σ(-|x|) = e/(1 + e) with e = e^-|x|, one
/// corrected quotient. Valid for every float (e^-|x| is clamped where it no longer matters).
template <>
struct F32Lanes<fn::Sigmoid> {
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    return f32::by_range(d, x, [&](auto range) {
      const auto s = f32::logistic<decltype(range)::value>(d, x, f32::Exact{});
      f32::V<D> corr, m;
      const f32::V<D> y = f32::sigmoid_parts(d, s, corr, m);
      return s.scale(d, hn::Add(y, corr), m);
    });
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    return f32::by_range(d, hn::Neg(hn::Abs(x)), [&](auto range) {
      const auto s = f32::logistic<decltype(range)::value>(d, x, f32::Exact{});
      return s.scale(d, f32::logistic_slope_unscaled(d, s), s.e.n);
    });
  }
  /// y(1 - y): 1 - y is exact for y ≥ 1/2 (Sterbenz) and a 0.5 ULP rounding below.
  template <class D>
  static f32::V<D> df_from_y(D d, f32::V<D> y, const P<D>&) {
    return hn::Mul(y, hn::Sub(hn::Set(d, 1.0f), y));
  }
};

namespace f32 {
/// tanh(a + al) for a = |v| ≥ 0 (al its low part, or Exact) as y + corr: (1 - e)/(1 + e) with
/// e = e^-2a a pair (exp_normal, q kept as a pair), so near 0 the numerator is -q with no
/// cancellation. a is clamped at 10, where tanh is 1 in f32 (e stays normal: no tail instance).
template <class D, class L>
HWY_INLINE V<D> tanh_abs(D d, V<D> a, L al, V<D>& corr) {
  const V<D> ten = hn::Set(d, 10.0f);
  const V<D> m2 = hn::Set(d, -2.0f);
  const Exp<D> e = exp_normal<ExpQ::kPair>(d, hn::Mul(m2, hn::Min(a, ten)), low_times(m2, low_where(a < ten, al)));
  const V<D> eh = e.hi, el = e.lo;
  const V<D> one = hn::Set(d, 1.0f);
  V<D> num_l, den_l;
  const V<D> num_h = fast_two_sum<D>(one, hn::Neg(eh), num_l);
  const V<D> den_h = fast_two_sum<D>(one, eh, den_l);
  return div_pair(d, num_h, hn::Sub(num_l, el), den_h, hn::Add(den_l, el), corr);
}
}  // namespace f32

/// tanh(x) = sign(x)·tanh|x| (f32::tanh_abs); below 2^-12 the result is x. tanh(-0) = -0 (the
/// sign is copied back). Valid for every float.
template <>
struct F32Lanes<fn::Tanh> {
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    f32::V<D> corr;
    const f32::V<D> y = f32::tanh_abs(d, hn::Abs(x), f32::Exact{}, corr);
    // Below 2^-12, tanh x rounds to x (x³/3 is under half an ULP), and the quotient's correction
    // (through a 12-bit reciprocal) would be the whole result.
    return hn::IfThenElse(hn::Abs(x) < hn::Set(d, 0x1p-12f), x, hn::CopySign(hn::Add(y, corr), x));
  }
  /// sech²x = 4σ(2|x|)σ(-2|x|) = 4e/(1 + e)², e = e^-2|x|: the logistic slope, scaled once.
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    const f32::V<D> v = hn::Mul(hn::Set(d, 2.0f), hn::Abs(x));
    return f32::by_range(d, hn::Neg(v), [&](auto range) {
      const auto s = f32::logistic<decltype(range)::value>(d, v, f32::Exact{});
      return s.scale(d, hn::Mul(hn::Set(d, 4.0f), f32::logistic_slope_unscaled(d, s)), s.e.n);
    });
  }
  /// (1 - y)(1 + y): each factor is exact or rounded once.
  template <class D>
  static f32::V<D> df_from_y(D d, f32::V<D> y, const P<D>&) {
    return hn::Mul(hn::Sub(hn::Set(d, 1.0f), y), hn::Add(hn::Set(d, 1.0f), y));
  }
};

/// shifted_tanh(x) = tanh(v) + output_shift with v = x - input_shift an exact pair (TwoSum):
/// tanh|v| as y + corr (f32::tanh_abs on the pair), v itself below |v| = 2^-12 (as tanh's
/// kernel), and the sum with output_shift as an exact pair plus the low parts, rounded once.
/// Where output_shift ≈ -tanh v the sum cancels, as in the reference and in the truth's own
/// definition: there the error is tanh's (~2^-25 relative) in ULP of the small result, so
/// non-default shifts are certified away from such zeros. f' = sech² v = 4σ(2|v|)σ(-2|v|), the
/// logistic slope of the pair 2|v| (as tanh's f'). Valid for every float and shift (an infinite
/// x drops v's low part with tanh_abs's clamp: f(±inf) = ±1 + output_shift, f' = 0).
template <>
struct F32Lanes<fn::ShiftedTanh> {
  /// v = x - input_shift as vh + vl.
  template <class D>
  static f32::V<D> v_of(D d, f32::V<D> x, const P<D>& p, f32::V<D>& vl) {
    return f32::two_sum<D>(x, hn::Set(d, -p[fn::ShiftedTanh::kInputShift]), vl);
  }
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>& p) {
    f32::V<D> vl, corr, sl;
    const f32::V<D> vh = v_of(d, x, p, vl);
    const auto neg = vh < hn::Zero(d);
    const f32::V<D> y = f32::tanh_abs(d, hn::Abs(vh), hn::IfThenElse(neg, hn::Neg(vl), vl), corr);
    // tanh v as th + tl: ±(y + corr), or v itself below 2^-12 (tanh v = v to a third of 2^-24).
    const auto tiny = hn::Abs(vh) < hn::Set(d, 0x1p-12f);
    const f32::V<D> th = hn::IfThenElse(tiny, vh, hn::CopySign(y, vh));
    const f32::V<D> tl = hn::IfThenElse(tiny, vl, hn::IfThenElse(neg, hn::Neg(corr), corr));
    const f32::V<D> sh = f32::two_sum<D>(th, hn::Set(d, p[fn::ShiftedTanh::kOutputShift]), sl);
    return hn::Add(sh, hn::Add(sl, tl));
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>& p) {
    f32::V<D> vl;
    const f32::V<D> vh = v_of(d, x, p, vl);
    return f32::sech2_of_pair(d, vh, vl, [&](f32::V<D> g) { return hn::Mul(hn::Set(d, 4.0f), g); });
  }
};

/// tanhshrink(x) = x - tanh x, f' = tanh² x (fn::Tanhshrink), split at |x| = 3/4:
/// - |x| ≤ 3/4: x - tanh x = x³ P(w), w = x², P(w) = (v - tanh v)/v³ a degree-6 fit with float
///   coefficients and a float pair P(0) ≈ 1/3 (scripts/fits/tanhshrink.py 6 0.5625 f32: 2^-27.7
///   relative); x³ and P are pairs and their product rounds once. Below |x| = 2^-30 (where x³'s
///   low part would be subnormal) x is scaled by 2^32 and the result by 2^-96, rounded once more
///   into the subnormal range. tanh x = x (1 - w P) there, so f' = w (1 - w P)², all in pairs;
///   below |x| = 2^-20 f' is x² rounded once.
/// - above: tanh|x| = y + corr (f32::tanh_abs), f = |x| - y - corr with |x| - y an exact pair
///   (f ≥ 0.11|x|: tanh's few 2^-29 grow at most 5.5×), f' = y² + 2y·corr.
/// f has x's sign (f(±0) = ±0, f(±inf) = ±inf); f'(±inf) = 1.
template <>
struct F32Lanes<fn::Tanhshrink> {
  static constexpr float kP0Hi = 0x1.555556p-2f, kP0Lo = -0x1.8aa6b8p-27f;
  /// P's coefficients from w^1 on (kP[0] is unused: the constant term is the pair above).
  static constexpr float kP[] = {0.0f,           -0x1.1110fcp-3f, 0x1.ba13c4p-5f,  -0x1.65b2acp-6f,
                                 0x1.1c4652p-7f, -0x1.9389f6p-9f, 0x1.6a98e4p-11f};
  /// P(w) as hi + lo (w ≤ 9/16: the terms past the constant are at most 20% of it).
  template <class D>
  static f32::V<D> p_of(D d, f32::V<D> w, f32::V<D>& lo) {
    const f32::V<D> hi = f32::fast_two_sum<D>(hn::Set(d, kP0Hi), hn::Mul(w, f32::horner<kP>(d, w, 1)), lo);
    lo = hn::Add(lo, hn::Set(d, kP0Lo));
    return hi;
  }
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    const f32::V<D> a = hn::Abs(x);
    const auto tiny = a < hn::Set(d, 0x1p-30f);
    const f32::V<D> xs = hn::IfThenElse(tiny, hn::Mul(x, hn::Set(d, 0x1p32f)), x);
    f32::V<D> wl, cl, pl, ml;
    const f32::V<D> wh = f32::two_prod(d, xs, xs, wl);
    const f32::V<D> ch = f32::two_prod(d, wh, xs, cl);
    cl = hn::MulAdd(wl, xs, cl);
    // P at the unscaled w: below 2^-30 it is P(0) to float precision.
    const f32::V<D> ph = p_of(d, hn::IfThenZeroElse(tiny, wh), pl);
    const f32::V<D> mh = f32::two_prod(d, ch, ph, ml);
    const f32::V<D> near = hn::Mul(hn::Add(mh, hn::Add(ml, hn::MulAdd(ch, pl, hn::Mul(cl, ph)))),
                                   hn::IfThenElse(tiny, hn::Set(d, 0x1p-96f), hn::Set(d, 1.0f)));
    f32::V<D> corr, sl;
    const f32::V<D> y = f32::tanh_abs(d, a, f32::Exact{}, corr);
    const f32::V<D> sh = f32::two_sum<D>(a, hn::Neg(y), sl);
    const f32::V<D> far = hn::IfThenElse(hn::IsInf(x), a, hn::Add(sh, hn::Sub(sl, corr)));
    return hn::CopySign(hn::IfThenElse(a <= hn::Set(d, 0.75f), near, far), x);
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    const f32::V<D> a = hn::Abs(x), one = hn::Set(d, 1.0f);
    // |x| ≤ 3/4: w (1 - w P)².
    f32::V<D> wl, pl, ml, kl, ql, rl;
    const f32::V<D> wh = f32::two_prod(d, x, x, wl);
    const f32::V<D> ph = p_of(d, wh, pl);
    const f32::V<D> mh = f32::pair_product(d, wh, wl, ph, pl, ml);
    const f32::V<D> kh = f32::fast_two_sum<D>(one, hn::Neg(mh), kl);
    kl = hn::Sub(kl, ml);
    const f32::V<D> qh = f32::two_prod(d, kh, kh, ql);
    ql = hn::MulAdd(hn::Add(kh, kh), kl, ql);
    const f32::V<D> rh = f32::two_prod(d, wh, qh, rl);
    const f32::V<D> near = hn::Add(rh, hn::Add(rl, hn::MulAdd(wh, ql, hn::Mul(wl, qh))));
    // Above: (y + corr)².
    f32::V<D> corr, yl;
    const f32::V<D> y = f32::tanh_abs(d, a, f32::Exact{}, corr);
    const f32::V<D> yh = f32::two_prod(d, y, y, yl);
    const f32::V<D> far = hn::Add(yh, hn::MulAdd(hn::Add(y, y), corr, yl));
    // Below 2^-20, f' = x² (1 - 2x²/3 + ...) rounds as x² does, also where x² is subnormal and
    // the pairs' low parts are not exact.
    return hn::IfThenElse(a < hn::Set(d, 0x1p-20f), hn::Mul(x, x), hn::IfThenElse(a <= hn::Set(d, 0.75f), near, far));
  }
};

/// silu(x) = x σ(x) through f32::gated, the product inside the sigmoid quotient's one rounding.
/// Within the table's contract (table.hpp); f' is F32InF64Lanes<fn::Silu>'s.
template <>
struct F32Lanes<fn::Silu> {
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    return f32::gated(d, x, f32::Exact{}, x, f32::Exact{});
  }
};

/// swish(x) = x σ(b x) with v = b x an exact pair (b is already a float). Within the table's
/// contract (table.hpp); f' is F32InF64Lanes<fn::Swish>'s.
template <>
struct F32Lanes<fn::Swish> {
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>& p) {
    f32::V<D> vl;
    const f32::V<D> vh = f32::two_prod(d, hn::Set(d, p[fn::Swish::kBeta]), x, vl);
    return f32::gated(d, x, f32::Exact{}, vh, vl);
  }
};

/// gelu_sigmoid(x) = x σ(1.702 x): 1.702 is not a float, so v = k_hi x + k_lo x as a pair
/// (k_hi + k_lo = 1.702 to 2^-48). Within the table's contract (table.hpp); f' is
/// F32InF64Lanes<fn::GeluSigmoid>'s.
template <>
struct F32Lanes<fn::GeluSigmoid> {
  template <class D>
  static f32::V<D> v_of(D d, f32::V<D> x, f32::V<D>& lo) {
    const f32::V<D> hi = f32::two_prod(d, hn::Set(d, 0x1.b3b646p+0f), x, lo);
    lo = hn::MulAdd(hn::Set(d, -0x1.78d4fep-26f), x, lo);
    return hi;
  }
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    f32::V<D> vl;
    const f32::V<D> vh = v_of(d, x, vl);
    return f32::gated(d, x, f32::Exact{}, vh, vl);
  }
};

/// hardswish(x) = x (x + 3)/6 on (-3, 3), 0 at and below -3, x at and above 3 (fn::Hardswish).
/// One rounding that matters: s = x + 3 as an exact pair (Fast2Sum: |x| < 3 where it is used),
/// p = x·s as an exact pair (x·s_lo folded in; its rounding is 2^-24 of p_lo), then p·(1/6) with
/// 1/6 as a float pair c_hi + c_lo and one final rounding:
/// within ~0.5 ULP (correctly rounded but for ties within 2^-40). Zeros: f(±0) = ±0 and +0 at
/// and below -3, as the reference's; the blends drop the lanes where x·s overflows, so it is
/// valid for every float; the worst inputs are x ≈ 2^-125, where x·s's low part underflows. Twice
/// the cost of XNNPACK's 3-rounding form, which errs by up to ~2 ULP.
template <>
struct F32Lanes<fn::Hardswish> {
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    const f32::V<D> three = hn::Set(d, 3.0f), c_hi = hn::Set(d, 0x1.555554p-3f);
    f32::V<D> sl, pl;
    const f32::V<D> sh = f32::fast_two_sum<D>(three, x, sl);
    const f32::V<D> ph = f32::two_prod(d, x, sh, pl);
    pl = hn::MulAdd(x, sl, pl);
    const f32::V<D> mid = hn::MulAdd(ph, c_hi, hn::MulAdd(ph, hn::Set(d, 0x1.555556p-27f), hn::Mul(pl, c_hi)));
    // f has x's sign on (-3, 3); at x = -0 the sum above would be -0 + +0 = +0.
    return hn::IfThenElse(x >= three, x, hn::IfThenElseZero(x > hn::Neg(three), hn::CopySign(mid, x)));
  }
  /// x/3 + 1/2 = (x + 3/2)/3 on [-3, 3]: x + 3/2 is exact near the zero at -3/2 (Sterbenz on
  /// [-3, -0.75]), then one product with 1/3 as a float pair: within ~1 ULP. 0 below -3 and 1 above
  /// (at ±3 the reference's -1/2, 3/2).
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    const f32::V<D> three = hn::Set(d, 3.0f);
    const f32::V<D> t = hn::Add(x, hn::Set(d, 1.5f));
    const f32::V<D> mid = hn::MulAdd(t, hn::Set(d, 0x1.555554p-2f), hn::Mul(t, hn::Set(d, 0x1.555556p-26f)));
    return hn::IfThenElse(x > three, hn::Set(d, 1.0f), hn::IfThenElseZero(x >= hn::Neg(three), mid));
  }
};

namespace f32 {

/// (sh + sl)·(vh + vl) rounded once, the low parts' product dropped.
template <class V>
HWY_INLINE V scaled_pair(V sh, V sl, V vh, V vl) {
  return hn::MulAdd(sh, vh, hn::MulAdd(sh, vl, hn::Mul(sl, vh)));
}
template <class V>
HWY_INLINE V scaled_pair(V sh, Exact, V vh, V vl) {
  return hn::MulAdd(sh, vh, hn::Mul(sh, vl));
}

/// The exponential linear units' negative side, (sh + sl)·expm1(vh + vl) for vh ≤ 0 (lanes with
/// vh > 0 compute garbage the callers blend away): expm1 as a pair (expm1_lean), the product
/// rounded once, ~0.65 ULP; signed zeros as the reference's s·expm1(±0) = s·(±0).
template <class D, class L, class SL>
HWY_INLINE V<D> scaled_expm1(D d, V<D> vh, L vl, V<D> sh, SL sl) {
  V<D> lo;
  const V<D> hi = expm1_lean(d, hn::Min(vh, hn::Zero(d)), vl, lo);
  return hn::CopySign(scaled_pair(sh, sl, hi, lo), hn::Mul(sh, vh));
}

/// (sh + sl)·e^(vh + vl) for vh ≤ 0, the pair product rounded once: in the common vectors e from
/// exp_lean (~0.65 ULP); where a lane's e may be subnormal, from exp_pair with the scaling in
/// exact steps, subnormal tails rounded once.
template <class D, class L, class SL>
HWY_INLINE V<D> scaled_exp(D d, V<D> vh, L vl, V<D> sh, SL sl) {
  vh = hn::Min(vh, hn::Zero(d));
  return by_range(d, vh, [&](auto range) {
    constexpr Range kRange = decltype(range)::value;
    if constexpr (kRange == Range::kNormal) {
      V<D> lo;
      const V<D> hi = exp_lean(d, vh, vl, lo);
      return scaled_pair(sh, sl, hi, lo);
    } else {
      const Exp<D> e = exp_pair<kRange>(d, vh, vl);
      return scale<kRange>(d, scaled_pair(sh, sl, e.hi, e.lo), e.n);
    }
  });
}

}  // namespace f32

/// elu(x) = x for x > 0, alpha·expm1(x) below (f32::scaled_expm1: a pair from exp_pair's
/// reduction in plain float operations, its product with alpha rounded once; x itself below
/// 2^-25); signed zeros as the reference's (alpha·(-0)). f' = 1 or alpha·e^x (f32::scaled_exp,
/// tails subnormal, rounded once); from y, y + alpha (one rounding, as the reference). Valid for
/// every float and alpha.
template <>
struct F32Lanes<fn::Elu> {
  /// alpha, and whether its products are exact (f32::exact_scale: a power of 2, the default 1).
  struct Prepared {
    float alpha;
    bool exact;
  };
  static Prepared prepare(const fn::Params<float>& p) { return {p[fn::Elu::kAlpha], f32::exact_scale(p[fn::Elu::kAlpha])}; }
  /// Where alpha's product is exact, expm1 rounded once is the result's one rounding and the
  /// pair's low part can go (~1.4× the speed).
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const Prepared& p) {
    const f32::V<D> a = hn::Set(d, p.alpha);
    const auto pos = x > hn::Zero(d);
    if (p.exact) return hn::IfThenElse(pos, x, hn::Mul(a, hn::CopySign(f32::expm1_rounded(d, x), x)));
    return hn::IfThenElse(pos, x, f32::scaled_expm1(d, x, f32::Exact{}, a, f32::Exact{}));
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const Prepared& p) {
    const f32::V<D> e = f32::scaled_exp(d, x, f32::Exact{}, hn::Set(d, p.alpha), f32::Exact{});
    return hn::IfThenElse(x > hn::Zero(d), hn::Set(d, 1.0f), e);
  }
  template <class D>
  static f32::V<D> df_from_y(D d, f32::V<D> y, const Prepared& p) {
    return hn::IfThenElse(y > hn::Zero(d), hn::Set(d, 1.0f), hn::Add(y, hn::Set(d, p.alpha)));
  }
};

/// celu(x) = x for x > 0, alpha·expm1(x/alpha) below, with v = x/alpha as a pair (the residual
/// x - v·alpha is exact) so the quotient's rounding does not reach the exponential (where alpha
/// is a power of 2, v = x·(1/alpha) is exact and so is the product: elu's lean path); x itself
/// where |v| < 2^-25. f' = 1 or e^v; from y, y/alpha + 1 = (y + alpha)/alpha: y + alpha is
/// exact where the result is small (Sterbenz, y ≤ -alpha/2), so ≤ 1 ULP. Valid for every float,
/// alpha > 0 (the registry's range).
template <>
struct F32Lanes<fn::Celu> {
  /// alpha, 1/alpha, and whether both are exact factors (f32::exact_scale: a power of 2, the
  /// default 1).
  struct Prepared {
    float alpha, inverse;
    bool exact;
  };
  static Prepared prepare(const fn::Params<float>& p) { return {p[fn::Celu::kAlpha], 1.0f / p[fn::Celu::kAlpha], f32::exact_scale(p[fn::Celu::kAlpha])}; }
  template <class D>
  static f32::V<D> v_of(D d, f32::V<D> x, f32::V<D> a, f32::V<D>& lo) {
    const f32::V<D> v = hn::Div(x, a);
    lo = hn::Mul(f32::residual(d, v, a, x), hn::ApproximateReciprocal(a));
    lo = hn::IfThenElseZero(hn::IsFinite(v), lo);
    return v;
  }
  /// Where alpha is a power of 2, x/alpha and the product with alpha are exact, and expm1 rounded
  /// once suffices (as elu's).
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const Prepared& p) {
    const f32::V<D> a = hn::Set(d, p.alpha);
    if (p.exact) {
      const f32::V<D> v = hn::Mul(x, hn::Set(d, p.inverse));
      const f32::V<D> neg = hn::Mul(a, hn::CopySign(f32::expm1_rounded(d, v), v));
      return hn::IfThenElse(hn::Or(x > hn::Zero(d), f32::expm1_is_identity(d, v)), x, neg);
    }
    f32::V<D> vl;
    const f32::V<D> vh = v_of(d, x, a, vl);
    const f32::V<D> neg = f32::scaled_expm1(d, vh, vl, a, f32::Exact{});
    return hn::IfThenElse(hn::Or(x > hn::Zero(d), f32::expm1_is_identity(d, vh)), x, neg);
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const Prepared& p) {
    const f32::V<D> one = hn::Set(d, 1.0f);
    if (p.exact) return hn::IfThenElse(x > hn::Zero(d), one, f32::scaled_exp(d, hn::Mul(x, hn::Set(d, p.inverse)), f32::Exact{}, one, f32::Exact{}));
    f32::V<D> vl;
    const f32::V<D> vh = v_of(d, x, hn::Set(d, p.alpha), vl);
    return hn::IfThenElse(x > hn::Zero(d), one, f32::scaled_exp(d, vh, vl, one, f32::Exact{}));
  }
  template <class D>
  static f32::V<D> df_from_y(D d, f32::V<D> y, const Prepared& p) {
    const f32::V<D> a = hn::Set(d, p.alpha);
    return hn::IfThenElse(y > hn::Zero(d), hn::Set(d, 1.0f), hn::Div(hn::Add(y, a), a));
  }
};

/// selu(x) = λx for x > 0, λα·expm1(x) below, λ and λα (the reference's double constants) as
/// float pairs with positive low parts (λ·inf stays inf), each product rounded once (expm1 and e^x
/// as elu's pairs; λα·x below 2^-25). f' = λ or λα·e^x; from y, y + λα as y + hi an exact pair
/// plus lo (one rounding).
template <>
struct F32Lanes<fn::Selu> {
  static constexpr double kLambda = static_cast<double>(fn::Selu::kLambda);
  static constexpr double kLambdaAlpha = kLambda * static_cast<double>(fn::Selu::kAlpha);
  static constexpr float kLambdaHi = 0x1.0cfabcp+0f, kLambdaLo = 0x1.6a9114p-24f;
  static constexpr float kLaHi = 0x1.c212ccp+0f, kLaLo = 0x1.903c0cp-26f;
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    const f32::V<D> neg = f32::scaled_expm1(d, x, f32::Exact{}, hn::Set(d, kLaHi), hn::Set(d, kLaLo));
    const f32::V<D> pos = hn::MulAdd(hn::Set(d, kLambdaHi), x, hn::Mul(hn::Set(d, kLambdaLo), x));
    return hn::IfThenElse(x > hn::Zero(d), pos, neg);
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    const f32::V<D> e = f32::scaled_exp(d, x, f32::Exact{}, hn::Set(d, kLaHi), hn::Set(d, kLaLo));
    return hn::IfThenElse(x > hn::Zero(d), hn::Set(d, static_cast<float>(kLambda)), e);
  }
  template <class D>
  static f32::V<D> df_from_y(D d, f32::V<D> y, const P<D>&) {
    f32::V<D> sl;
    const f32::V<D> sh = f32::two_sum<D>(y, hn::Set(d, kLaHi), sl);
    const f32::V<D> neg = hn::Add(sh, hn::Add(sl, hn::Set(d, kLaLo)));
    return hn::IfThenElse(y > hn::Zero(d), hn::Set(d, static_cast<float>(kLambda)), neg);
  }
};

namespace f32 {

/// -expm1(v) for v = vh + vl ≤ 0 (|vl| ≤ ulp(vh)); -v below 2^-25, which keeps signed zeros as
/// the reference's (-expm1(-0) = +0).
template <class D>
HWY_INLINE V<D> neg_expm1(D d, V<D> vh, V<D> vl) {
  V<D> lo;
  const V<D> hi = expm1_lean(d, hn::Min(vh, hn::Zero(d)), vl, lo);
  return hn::IfThenElse(expm1_is_identity(d, vh), hn::Neg(vh), hn::Neg(hn::Add(hi, lo)));
}

}  // namespace f32

/// softplus's f' = σ(z), z = beta x an exact pair (the sigmoid kernel's quotient on the pair);
/// from y, -expm1(-beta y) (f32::expm1_lean's pair, rounded once). Valid for every float,
/// beta > 0. f is F32InF64Lanes<fn::Softplus>'s.
template <>
struct F32Lanes<fn::Softplus> {
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>& p) {
    f32::V<D> zl;
    const f32::V<D> zh = f32::two_prod(d, hn::Set(d, p[fn::Softplus::kBeta]), x, zl);
    return f32::by_range(d, hn::Neg(hn::Abs(zh)), [&](auto range) {
      const auto s = f32::logistic<decltype(range)::value>(d, zh, zl);
      f32::V<D> corr, m;
      const f32::V<D> y = f32::sigmoid_parts(d, s, corr, m);
      return s.scale(d, hn::Add(y, corr), m);
    });
  }
  template <class D>
  static f32::V<D> df_from_y(D d, f32::V<D> y, const P<D>& p) {
    f32::V<D> vl;
    const f32::V<D> vh = f32::two_prod(d, hn::Set(d, p[fn::Softplus::kBeta]), y, vl);
    return f32::neg_expm1(d, hn::Neg(vh), hn::Neg(vl));
  }
};

/// log_sigmoid's f' = σ(-x); from y, -expm1(y). f is F32InF64Lanes<fn::LogSigmoid>'s.
template <>
struct F32Lanes<fn::LogSigmoid> {
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>& p) {
    return F32Lanes<fn::Sigmoid>::f(d, hn::Neg(x), p);
  }
  template <class D>
  static f32::V<D> df_from_y(D d, f32::V<D> y, const P<D>&) {
    return f32::neg_expm1(d, y, hn::Zero(d));
  }
};

/// softsign(x) = x/(1 + |x|) with 1 + |x| an exact pair and one corrected quotient (~0.5 ULP);
/// the sign copied from x (f(-0) = -0) and ±1 at ±inf. f' = r² for r = 1/(1 + |x|) as a pair,
/// the square rounded once, so |x| > 2^63 gives its subnormal value and inf gives 0.
/// f′'s worst inputs are near |x| = 2^62, where r² nears the subnormal range.
template <>
struct F32Lanes<fn::Softsign> {
  template <class D>
  static f32::V<D> den(D d, f32::V<D> x, f32::V<D>& lo) {
    return f32::two_sum<D>(hn::Set(d, 1.0f), hn::Abs(x), lo);
  }
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    f32::V<D> dl, corr;
    const f32::V<D> dh = den(d, x, dl);
    const f32::V<D> y = f32::div_pair(d, hn::Abs(x), hn::Zero(d), dh, dl, corr);
    const f32::V<D> one = hn::Set(d, 1.0f);
    return hn::CopySign(hn::IfThenElse(hn::IsInf(x), one, hn::Add(y, corr)), x);
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    f32::V<D> dl, r_lo;
    const f32::V<D> dh = den(d, x, dl);
    const f32::V<D> r = f32::div_pair(d, hn::Set(d, 1.0f), hn::Zero(d), dh, dl, r_lo);
    return hn::IfThenElseZero(hn::IsFinite(x), hn::MulAdd(r, r, hn::Mul(hn::Add(r, r), r_lo)));
  }
};

/// lecun_tanh(x) = A tanh(2x/3), A = 1.7159 (the reference's double) as a float pair.
/// v = 2x/3 is a pair (v_hi = x·(2/3)_f, v_lo from the exact residual x - 1.5 v_hi), tanh|v| as
/// y + corr (f32::tanh_abs), A·tanh rounded once; x·(2A/3) below |v| = 2^-12. f' = (4A·2/3)·σ(2|v|)σ(-2|v|)
/// (the logistic slope of the pair 2v), from y (2/(3A))(A - y)(A + y) with A - y, A + y and
/// their product as pairs, rounded once.
template <>
struct F32Lanes<fn::LecunTanh> {
  static constexpr float kAHi = 0x1.b74538p+0f, kALo = 0x1.de69aep-25f;
  template <class D>
  static f32::V<D> v_of(D d, f32::V<D> x, f32::V<D>& lo) {
    const f32::V<D> c = hn::Set(d, 2.0f / 3.0f);
    const f32::V<D> hi = hn::Mul(x, c);
    lo = hn::Mul(f32::residual(d, hi, hn::Set(d, 1.5f), x), c);
    lo = hn::IfThenElseZero(hn::IsFinite(hi), lo);
    return hi;
  }
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    f32::V<D> vl, corr;
    const f32::V<D> vh = v_of(d, x, vl);
    const f32::V<D> ah = hn::Set(d, kAHi), al = hn::Set(d, kALo);
    const f32::V<D> al_abs = hn::IfThenElse(vh < hn::Zero(d), hn::Neg(vl), vl);  // |v|'s low part
    const f32::V<D> th = f32::tanh_abs(d, hn::Abs(vh), al_abs, corr);
    // Products as exact pairs: without FMA, MulAdd would round A·th before the sum.
    f32::V<D> pl, sl;
    const f32::V<D> ph = f32::two_prod(d, ah, th, pl);
    const f32::V<D> big = hn::CopySign(hn::Add(ph, hn::Add(pl, hn::MulAdd(ah, corr, hn::Mul(al, th)))), x);
    // Below |v| = 2^-12, tanh v = v to a third of 2^-24: f = x·(2A/3), the pair product rounded
    // once, on x·2^24 so that no partial product underflows (v itself would lose the bits of a
    // subnormal x), then scaled back: exact unless the result is subnormal. f(±0) = ±0.
    const f32::V<D> xs = hn::Mul(x, hn::Set(d, 0x1p24f));
    const f32::V<D> sh = f32::two_prod(d, hn::Set(d, 0x1.24d8d0p+0f), xs, sl);
    const f32::V<D> ss = hn::Add(sh, hn::MulAdd(hn::Set(d, 0x1.3ef11ep-25f), xs, sl));
    const f32::V<D> small = hn::CopySign(hn::Mul(ss, hn::Set(d, 0x1p-24f)), x);
    return hn::IfThenElse(hn::Abs(vh) < hn::Set(d, 0x1p-12f), small, big);
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    f32::V<D> vl;
    const f32::V<D> vh = v_of(d, x, vl);
    // (2A/3)·4g with 4·(2A/3) as a float pair.
    return f32::sech2_of_pair(d, vh, vl, [&](f32::V<D> g) {
      return hn::MulAdd(hn::Set(d, 0x1.24d8d0p+2f), g, hn::Mul(hn::Set(d, 0x1.3ef11ep-23f), g));
    });
  }
  template <class D>
  static f32::V<D> df_from_y(D d, f32::V<D> y, const P<D>&) {
    const f32::V<D> ah = hn::Set(d, kAHi), al = hn::Set(d, kALo);
    f32::V<D> ml, pl, ql;
    const f32::V<D> mh = f32::two_sum<D>(ah, hn::Neg(y), ml);
    const f32::V<D> ph = f32::two_sum<D>(ah, y, pl);
    ml = hn::Add(ml, al);
    pl = hn::Add(pl, al);
    const f32::V<D> qh = f32::pair_product(d, mh, ml, ph, pl, ql);
    const f32::V<D> ch = hn::Set(d, 0x1.8dd8fcp-2f);
    return hn::MulAdd(ch, qh, hn::MulAdd(ch, ql, hn::Mul(hn::Set(d, -0x1.ad79fap-27f), qh)));
  }
};

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
