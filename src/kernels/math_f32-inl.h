// The lane math of the f32 kernels in f32 lanes (F32Lanes<F>, in the family files): exponentials,
// expm1, the logistic function's parts and tanh as float pairs. No include guard: included once
// per translation unit (simd.cpp, softmax.cpp), compiled once per target (foreach_target.h),
// inside that target's namespace.
//
// Accuracy comes from three habits, not from wider lanes:
//  - the pair kernels take exp only of a non-positive argument (the reference's stable splits),
//    as a pair (1 + q)·2^n; in vectors where every e is ≥ e^-70 the pair comes already scaled
//    (exp_normal, the fast common path), elsewhere the 2^n is applied last, in exact steps, so tails whose
//    true value is subnormal (sigmoid(-100), x e^x) round once (exp_pair, by_range's kTail);
//  - values that feed an exponential are carried as double-float pairs hi + lo (an argument error
//    of δ becomes a relative error |v|·δ in e^v: -80·(1e-7) would be 8e-6);
//  - quotients are corrected once with the exact residual (num - y0·den), so a result that is the
//    ratio of two rounded pairs costs ~0.5 ULP, not 1.5.
// The budget's logistic (gated_lean, gated_within_budget) drops the pairs: one exponential and one
// division within 2 ULP, for the vectors whose lanes all lie in its range, on targets with FMA.
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
struct F32Lanes;  // specialised in the family files for the smooth activations with an f32-lane kernel

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

/// The budget's logistic (gated_lean) of v = vh + vl (vl: the low part of a
/// product pair, or Exact) takes one exponential e^h of h = -v, or of h = v where vh < kLeanFar
/// ("far"), and holds where h ≥ kLeanFloor (the kernels test it, NaN failing): there e^h is normal
/// (2^n from unit_of), and h ≤ -kLeanFar keeps 1 + 2^n exact (n ≤ 23).
constexpr float kLeanFloor = -87.0f, kLeanFar = -16.0f;
/// The lean forms count on FMA's single rounding: split into a product and a sum they can pass
/// 2 ULP (swish's far tail, docs/accuracy.md), so targets without FMA keep the pair forms.
constexpr bool kLean = HWY_NATIVE_FMA;
template <class D, class L>
struct LeanArg {
  hn::Mask<D> far;
  V<D> h;
  L l;
  /// Whether the lean form takes this vector: the target has FMA and every lane is in range.
  HWY_INLINE bool holds(D d) const { return kLean && hn::AllTrue(d, h >= hn::Set(d, kLeanFloor)); }
};
template <class D, class L>
HWY_INLINE LeanArg<D, L> lean_arg(D d, V<D> vh, L vl) {
  const auto far = vh < hn::Set(d, kLeanFar);
  return {far, hn::IfThenElse(far, vh, hn::Neg(vh)), low_negated_unless(far, vl)};
}

/// e^h = s(1 + w) for a lean argument, with s = 2^n and w = e^r - 1 rounded once, and den = 1 +
/// e^h rounded once (1 + s is exact). Then σ(v) = 1/den where not far (e^-v: no error of a
/// quotient grows) and e^v/den where far (e^v < 2^-23, so den's error is e^v times smaller).
template <class D>
struct LogisticLean {
  V<D> s, w, den;
};
template <class D, class L>
HWY_INLINE LogisticLean<D> logistic_lean(D d, const LeanArg<D, L>& a) {
  const Reduced<D> red = reduce_exp(d, a.h, a.l);
  LogisticLean<D> l;
  l.s = unit_of(d, red);
  l.w = hn::MulAdd(red.rr, red.poly, red.r);
  l.den = hn::MulAdd(l.w, l.s, hn::Add(hn::Set(d, 1.0f), l.s));
  return l;
}

/// x σ(v) for a lean argument: x/den, or x e^v/den with x e^v = xs + xs w rounded once; σ(v)
/// itself is x = 1 (xs = s exactly). Within 2 ULP (docs/accuracy.md, "The budget's logistic").
template <class D, class L>
HWY_INLINE V<D> gated_lean(D d, V<D> x, const LeanArg<D, L>& a) {
  const LogisticLean<D> l = logistic_lean(d, a);
  const V<D> xs = hn::Mul(x, l.s);
  return hn::Div(hn::IfThenElse(a.far, hn::MulAdd(l.w, xs, xs), x), l.den);
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

/// x σ(v) within the budget: gated_lean where the vector is in its range (on FMA targets),
/// gated's pairs elsewhere. The forward of silu, swish and gelu_sigmoid.
template <class D, class L>
HWY_INLINE V<D> gated_within_budget(D d, V<D> x, V<D> vh, L vl) {
  const auto a = lean_arg(d, vh, vl);
  if (HWY_LIKELY(a.holds(d))) return gated_lean(d, x, a);
  return gated(d, x, Exact{}, vh, vl);
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

/// G(v) = σ(v)(1 + v σ(-v)), the slope of x σ(v) for v = b x (silu, swish, gelu_sigmoid; v = vh +
/// vl), within the budget for a lean argument a of v: with u = e^h rounded once (e^-v, or e^v
/// where far) and p = 1 + v,
///   G = (1 + u p)/(1 + u)²   (not far)        G = u (p + u)/(1 + u)²   (far: u < 2^-23)
/// the numerator rounded once, (1 + u)² an exact pair and one corrected quotient, so u's own
/// error enters numerator and denominator alike (G's sensitivity to it is at most ~1, and small
/// where the numerator cancels); within 0.3 of G's zero v0, where it cancels, t Q(t) instead
/// (t = v - v0 as a pair). Within 4 ULP (docs/accuracy.md, "The budget's logistic").
template <class D, class L>
HWY_INLINE V<D> gate_slope_lean(D d, V<D> vh, L vl, const LeanArg<D, L>& a) {
  const Reduced<D> red = reduce_exp(d, a.h, a.l);
  const V<D> s = unit_of(d, red);
  const V<D> u = hn::MulAdd(s, hn::MulAdd(red.rr, red.poly, red.r), s);
  const V<D> one = hn::Set(d, 1.0f);
  V<D> dl, sl;
  const V<D> dh = two_sum<D>(one, u, dl);
  const V<D> sh = two_prod(d, dh, dh, sl);
  sl = hn::MulAdd(hn::Add(dh, dh), dl, sl);
  const V<D> p = plus_low<D>(hn::Add(one, vh), vl);
  const V<D> num = hn::IfThenElse(a.far, hn::Mul(u, hn::Add(p, u)), hn::MulAdd(u, p, one));
  V<D> corr;
  const V<D> g = div_pair(d, num, hn::Zero(d), sh, sl, corr);
  const V<D> t = plus_low<D>(hn::Sub(vh, hn::Set(d, kSlopeZeroHi)), plus_low<D>(hn::Set(d, -kSlopeZeroLo), vl));
  const V<D> near = hn::Mul(t, hn::MulAdd(slope_near_zero_rest(d, t), t, hn::Set(d, kSlopeQ0)));
  return hn::IfThenElse(hn::Abs(t) <= hn::Set(d, 0.3f), near, hn::Add(g, corr));
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

/// -expm1(v) for v = vh + vl ≤ 0 (|vl| ≤ ulp(vh)); -v below 2^-25, which keeps signed zeros as
/// the reference's (-expm1(-0) = +0).
template <class D>
HWY_INLINE V<D> neg_expm1(D d, V<D> vh, V<D> vl) {
  V<D> lo;
  const V<D> hi = expm1_lean(d, hn::Min(vh, hn::Zero(d)), vl, lo);
  return hn::IfThenElse(expm1_is_identity(d, vh), hn::Neg(vh), hn::Neg(hn::Add(hi, lo)));
}

}  // namespace f32

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
