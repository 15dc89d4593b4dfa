// Smooth activations for f32 data computed in f32 lanes. No include guard: Highway compiles this
// file once per target (foreach_target.h), inside that target's namespace.
//
// Accuracy comes from three habits, not from wider lanes:
//  - exp is only ever taken of a non-positive argument (the reference's stable splits), returned
//    as (1 + q)·2^n with q = e^r - 1 accurate to ~1e-9 relative, and the 2^n applied last, in two
//    exact steps, so tails whose true value is subnormal (sigmoid(-100), x e^x) round once;
//  - values that feed an exponential are carried as double-float pairs hi + lo (an argument error
//    of δ becomes a relative error |v|·δ in e^v: -80·(1e-7) would be 8e-6);
//  - quotients are corrected once with the exact residual (num - y0·den), so a result that is the
//    ratio of two rounded pairs costs ~0.5 ULP, not 1.5.
// Error-free products use FMA where the target has it (HWY_NATIVE_FMA) and Veltkamp/Dekker
// splitting where it does not (SSSE3, SSE4, EMU128), so every target meets the same bounds.
//
// A kernel struct SimdF32<F> has f(d, x, p) and df(d, x, p), and df_from_y(d, y, p) where F has
// it; p holds the parameters rounded to float. NaN handling is the driver's (simd.cpp).

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class F>
struct SimdF32;  // specialised below for the smooth activations with a native f32 kernel

namespace f32 {

template <class D>
using V = hn::Vec<D>;

/// hi + lo = a + b exactly, given |a| ≥ |b| or a = 0 (Fast2Sum).
template <class D>
HWY_INLINE V<D> fast_two_sum(V<D> a, V<D> b, V<D>& lo) {
  const V<D> hi = hn::Add(a, b);
  lo = hn::Sub(b, hn::Sub(hi, a));
  return hi;
}

/// hi + lo = a + b exactly, any magnitudes (Knuth's TwoSum).
template <class D>
HWY_INLINE V<D> two_sum(V<D> a, V<D> b, V<D>& lo) {
  const V<D> hi = hn::Add(a, b);
  const V<D> b_part = hn::Sub(hi, a);
  lo = hn::Add(hn::Sub(a, hn::Sub(hi, b_part)), hn::Sub(b, b_part));
  return hi;
}

/// hi + lo = a·b exactly (for products that neither overflow nor underflow).
template <class D>
HWY_INLINE V<D> two_prod(D d, V<D> a, V<D> b, V<D>& lo) {
  const V<D> hi = hn::Mul(a, b);
#if HWY_NATIVE_FMA
  (void)d;
  lo = hn::MulSub(a, b, hi);
#else
  // Dekker: split each factor into 12-bit halves (the high half by masking off the low 12
  // mantissa bits: unlike Veltkamp's 4097·v it cannot overflow), so every partial product is exact.
  const hn::RebindToUnsigned<D> du;
  const auto halves = [&](V<D> v, V<D>& vh, V<D>& vl) {
    vh = hn::BitCast(d, hn::And(hn::BitCast(du, v), hn::Set(du, 0xFFFFF000u)));
    vl = hn::Sub(v, vh);
  };
  V<D> ah, al, bh, bl;
  halves(a, ah, al);
  halves(b, bh, bl);
  lo = hn::Add(hn::Add(hn::Add(hn::Sub(hn::Mul(ah, bh), hi), hn::Mul(ah, bl)), hn::Mul(al, bh)), hn::Mul(al, bl));
#endif
  return hi;
}

/// c - a·b, exact when it is representable and a·b ≈ c (the residual of a quotient or product).
template <class D>
HWY_INLINE V<D> residual(D d, V<D> a, V<D> b, V<D> c) {
#if HWY_NATIVE_FMA
  (void)d;
  return hn::NegMulAdd(a, b, c);
#else
  V<D> lo;
  const V<D> hi = two_prod(d, a, b, lo);
  return hn::Sub(hn::Sub(c, hi), lo);
#endif
}

/// 2^n for integer-valued n in [-126, 127], built from the exponent bits.
template <class D>
HWY_INLINE V<D> pow2(D d, V<D> n) {
  const hn::RebindToSigned<D> di;
  return hn::BitCast(d, hn::ShiftLeft<23>(hn::Add(hn::ConvertTo(di, n), hn::Set(di, 127))));
}

/// v·2^n for integer-valued n in [-282, 0] and |v| < 2^128, rounded once, for results that may be
/// subnormal: three steps 2^n1·2^n2·2^n3 of about n/3 each, all normal. The first two are exact
/// whenever the result is not 0 anyway (v·2^(2n/3) normal), so only the last one rounds.
template <class D>
HWY_INLINE V<D> scale_tail(D d, V<D> v, V<D> n) {
  const V<D> n1 = hn::Floor(hn::Mul(n, hn::Set(d, 1.0f / 3.0f)));
  const V<D> n2 = hn::Floor(hn::Mul(hn::Sub(n, n1), hn::Set(d, 0.5f)));
  const V<D> n3 = hn::Sub(hn::Sub(n, n1), n2);
  return hn::Mul(hn::Mul(hn::Mul(v, pow2(d, n1)), pow2(d, n2)), pow2(d, n3));
}

/// Whether a kernel instance handles arguments whose exponential is subnormal. The common case
/// (every e^h of a vector normal: h ≥ -87) skips the two-step scaling; the kernels pick the tail
/// instance for a vector only when one of its lanes needs it.
enum class Range : bool { kNormal, kTail };

/// e^(h + l) = (hi + lo)·2^n with hi + lo = 1 + q an exact pair (hi ∈ [0.7, 1.42]), for h ≤ 0 and
/// |l| ≤ ulp(h). unit = 2^max(n, -126), so hi·unit is e itself wherever e is normal.
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
};
template <Range kRange, class D>
HWY_INLINE Exp<D> exp_pair(D d, V<D> h, V<D> l) {
  const V<D> floor = hn::Set(d, kRange == Range::kTail ? -195.0f : -87.3f);
  const auto in_range = h >= floor;
  l = hn::IfThenElseZero(in_range, l);
  h = hn::Max(h, floor);
  const V<D> magic = hn::Set(d, 0x1.8p23f);
  const V<D> t = hn::MulAdd(h, hn::Set(d, 1.44269504088896341f), magic);
  Exp<D> e;
  e.n = hn::Sub(t, magic);
  if constexpr (kRange == Range::kTail) {
    e.unit = pow2(d, hn::Max(e.n, hn::Set(d, -126.0f)));
  } else {
    // The low mantissa bits of t hold n in two's complement; (n + 127) << 23 is 2^n.
    const hn::RebindToSigned<D> di;
    e.unit = hn::BitCast(d, hn::ShiftLeft<23>(hn::Add(hn::BitCast(di, t), hn::Set(di, 127))));
  }
  V<D> r = hn::NegMulAdd(e.n, hn::Set(d, 0x1.62e4p-1f), h);
  r = hn::Add(hn::NegMulAdd(e.n, hn::Set(d, 0x1.7f7d1cp-20f), r), l);
  V<D> poly = hn::Set(d, 1.9891009596308316e-4f);
  poly = hn::MulAdd(poly, r, hn::Set(d, 1.3933666900006931e-3f));
  poly = hn::MulAdd(poly, r, hn::Set(d, 8.333310908565454e-3f));
  poly = hn::MulAdd(poly, r, hn::Set(d, 4.1666464772966816e-2f));
  poly = hn::MulAdd(poly, r, hn::Set(d, 1.6666666681640166e-1f));
  poly = hn::MulAdd(poly, r, hn::Set(d, 0.5f));
  V<D> q_lo;
  const V<D> q = fast_two_sum<D>(r, hn::Mul(hn::Mul(r, r), poly), q_lo);
  e.hi = fast_two_sum<D>(hn::Set(d, 1.0f), q, e.lo);
  e.lo = hn::Add(e.lo, q_lo);
  if constexpr (kRange == Range::kTail) {
    // Past the floor e counts as 0, so a huge factor (x e^x at x = -1e38) cannot revive it.
    e.hi = hn::IfThenElseZero(in_range, e.hi);
    e.lo = hn::IfThenElseZero(in_range, e.lo);
  }
  return e;
}

/// v·2^n (n from an Exp), rounded once.
template <Range kRange, class D>
HWY_INLINE V<D> scale(D d, V<D> v, const Exp<D>& e, V<D> n) {
  if constexpr (kRange == Range::kTail) return scale_tail(d, v, n);
  (void)e;
  return hn::Mul(v, pow2(d, n));
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
/// change 1 + e.
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
  s.den_h = fast_two_sum<D>(hn::Set(d, 1.0f), hn::Mul(s.e.hi, s.e.unit), s.den_l);
  s.den_l = hn::MulAdd(s.e.lo, s.e.unit, s.den_l);
  return s;
}

/// σ(v) = (y + corr)·2^m, m = n where v < 0 and 0 elsewhere (then 2^m = 1).
template <class D>
HWY_INLINE V<D> sigmoid_parts(D d, const Logistic<D>& s, V<D>& corr, V<D>& m) {
  m = hn::IfThenElseZero(s.neg, s.e.n);
  return div_pair(d, hn::IfThenElse(s.neg, s.e.hi, hn::Set(d, 1.0f)), hn::IfThenElseZero(s.neg, s.e.lo), s.den_h,
                  s.den_l, corr);
}

/// σ(|v|) = 1/den as r + r_lo and σ(-|v|)·2^-n = e·r as small + small_lo.
template <class D>
HWY_INLINE V<D> logistic_halves(D d, const Logistic<D>& s, V<D>& r_lo, V<D>& small, V<D>& small_lo) {
  const V<D> r = div_pair(d, hn::Set(d, 1.0f), hn::Zero(d), s.den_h, s.den_l, r_lo);
  V<D> lo;
  small = two_prod(d, s.e.hi, r, lo);
  small_lo = hn::Add(lo, hn::MulAdd(s.e.hi, r_lo, hn::Mul(s.e.lo, r)));
  return r;
}

/// σ(v)σ(-v)·2^-n = e/den² (unscaled), never 1 - σ cancelling; within ~1 ULP.
template <class D>
HWY_INLINE V<D> logistic_slope_unscaled(D d, const Logistic<D>& s) {
  V<D> r_lo, small, small_lo;
  const V<D> r = logistic_halves(d, s, r_lo, small, small_lo);
  return hn::MulAdd(small, r, hn::MulAdd(small, r_lo, hn::Mul(small_lo, r)));
}

/// Runs body(Range) with the cheap instance unless some lane of `arg` (the exponent's argument,
/// ≤ 0 where it matters) is below -87: there e^arg is subnormal and the result may be too.
template <class D, class Body>
HWY_INLINE V<D> by_range(D d, V<D> arg, Body body) {
  if (HWY_LIKELY(hn::AllFalse(d, arg < hn::Set(d, -87.0f))))
    return body(std::integral_constant<Range, Range::kNormal>());
  return body(std::integral_constant<Range, Range::kTail>());
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
    return hn::CopySign(scale<decltype(range)::value>(d, hn::MulAdd(x, q, hn::Mul(x, corr)), s.e, m), x);
  });
  const V<D> at_inf = hn::IfThenElse(hn::IsNaN(vh), hn::Mul(x, hn::Set(d, 0.5f)),
                                     hn::IfThenElse(vh > hn::Zero(d), x, hn::CopySign(hn::Zero(d), x)));
  return hn::IfThenElse(hn::IsInf(x), at_inf, y);
}

/// G(v) = σ(v)(1 + v σ(-v)), the slope of x σ(b x) with v = b x (silu, swish, gelu_sigmoid).
/// σ(v) and σ(-v) come as pairs accurate to ~2^-26 and 1 + v σ(-v) is formed exactly from them,
/// so away from G's zero at v0 = -1.27846454 the error is ≲ 2 ULP. Within |v - v0| ≤ 0.3 that
/// absolute error would be many ULP of the tiny G, so there G = t Q(t), t = v - v0 formed exactly
/// (v0 as a pair, vh - v0_hi exact by Sterbenz), Q a degree-7 fit of G(v0 + t)/t with relative
/// error 1.2e-10. |v| is clamped at 200, where G is 0 or 1 in f32 (so v σ(-v) cannot overflow).
/// Limits at x = ±inf are the caller's.
template <class D>
HWY_INLINE V<D> gate_slope(D d, V<D> vh, V<D> vl) {
  const V<D> limit = hn::Set(d, 200.0f);
  const auto reference_underflows = vh < hn::Set(d, -745.13321910194122f);
  vl = hn::IfThenElseZero(hn::Abs(vh) <= limit, vl);
  vh = hn::Min(hn::Max(vh, hn::Neg(limit)), limit);
  const V<D> g = by_range(d, vh, [&](auto range) {
    const Logistic<D> s = logistic<decltype(range)::value>(d, vh, vl);
    V<D> r_lo, small, small_lo;
    const V<D> r = logistic_halves(d, s, r_lo, small, small_lo);
    // σ(v) (unscaled by 2^n where v < 0) and σ(-v) (scaled: a w below 2^-126 is nothing next to 1).
    const V<D> sh = hn::IfThenElse(s.neg, small, r), sl = hn::IfThenElse(s.neg, small_lo, r_lo);
    const V<D> wh = hn::IfThenElse(s.neg, r, hn::Mul(small, s.e.unit));
    const V<D> wl = hn::IfThenElse(s.neg, r_lo, hn::Mul(small_lo, s.e.unit));
    V<D> pl, ml;
    const V<D> ph = two_prod(d, vh, wh, pl);
    pl = hn::Add(pl, hn::MulAdd(vh, wl, hn::Mul(vl, wh)));
    const V<D> mh = two_sum<D>(hn::Set(d, 1.0f), ph, ml);
    ml = hn::Add(ml, pl);
    const V<D> gu = hn::MulAdd(sh, mh, hn::MulAdd(sh, ml, hn::Mul(sl, mh)));
    return scale<decltype(range)::value>(d, gu, s.e, hn::IfThenElseZero(s.neg, s.e.n));
  });
  const V<D> t = hn::Add(hn::Sub(hn::Sub(vh, hn::Set(d, -0x1.474974p+0f)), hn::Set(d, 0x1.bdf6fap-27f)), vl);
  V<D> q = hn::Set(d, 0.00018040738359559327f);
  q = hn::MulAdd(q, t, hn::Set(d, 0.0007910953718237579f));
  q = hn::MulAdd(q, t, hn::Set(d, 0.00012692461314145476f));
  q = hn::MulAdd(q, t, hn::Set(d, -0.006606170441955328f));
  q = hn::MulAdd(q, t, hn::Set(d, -0.015222660265862942f));
  q = hn::MulAdd(q, t, hn::Set(d, 0.01887480728328228f));
  q = hn::MulAdd(q, t, hn::Set(d, 0.14664879441261292f));
  q = hn::MulAdd(q, t, hn::Set(d, 0.2178117036819458f));
  // G has t's sign (its one zero is v0), so a result that underflows is -0 below v0, as the
  // reference's; below -745.1332, where the reference's own (double) e^v is 0, it returns +0.
  const V<D> sign = hn::IfThenElse(reference_underflows, hn::Set(d, 1.0f), t);
  return hn::IfThenElse(hn::Abs(t) <= hn::Set(d, 0.3f), hn::Mul(t, q), hn::CopySign(g, sign));
}

/// The slope's limits at x = ±inf (as fn::swish_slope): 1/2 for b = 0, 1 where v > 0, else 0.
template <class D>
HWY_INLINE V<D> gate_slope_at_inf(D d, V<D> x, V<D> vh, V<D> finite) {
  const V<D> at_inf = hn::IfThenElse(hn::IsNaN(vh), hn::Set(d, 0.5f), hn::IfThenElseZero(vh > hn::Zero(d), hn::Set(d, 1.0f)));
  return hn::IfThenElse(hn::IsInf(x), at_inf, finite);
}

}  // namespace f32

/// sigmoid(x) = 1/(1 + e^-x): σ(|x|) = 1/(1 + e), σ(-|x|) = e/(1 + e) with e = e^-|x|, one
/// corrected quotient. Valid for every float (e^-|x| is clamped where it no longer matters).
/// Measured against the f64 reference, every 256th bit pattern, all five targets: f ≤ 0.77 ULP,
/// f' ≤ 0.77 (FMA targets) / 1.20 (SSE4, SSSE3, EMU128), f' from y ≤ 1.5.
template <>
struct SimdF32<fn::Sigmoid> {
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    return f32::by_range(d, x, [&](auto range) {
      const f32::Logistic<D> s = f32::logistic<decltype(range)::value>(d, x, hn::Zero(d));
      f32::V<D> corr, m;
      const f32::V<D> y = f32::sigmoid_parts(d, s, corr, m);
      return f32::scale<decltype(range)::value>(d, hn::Add(y, corr), s.e, m);
    });
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    return f32::by_range(d, hn::Neg(hn::Abs(x)), [&](auto range) {
      const f32::Logistic<D> s = f32::logistic<decltype(range)::value>(d, x, hn::Zero(d));
      return f32::scale<decltype(range)::value>(d, f32::logistic_slope_unscaled(d, s), s.e, s.e.n);
    });
  }
  /// y(1 - y): 1 - y is exact for y ≥ 1/2 (Sterbenz) and a 0.5 ULP rounding below.
  template <class D>
  static f32::V<D> df_from_y(D d, f32::V<D> y, const P<D>&) {
    return hn::Mul(y, hn::Sub(hn::Set(d, 1.0f), y));
  }
};

/// tanh(x) = sign(x)·(1 - e)/(1 + e), e = e^-2|x| as an exact pair: near 0 the numerator 1 - e is
/// -q with no cancellation; below 2^-12 the result is x. |x| is clamped at 10, where
/// tanh is 1 in f32 (e is then normal: no tail instance). tanh(-0) = -0 (the sign is copied back).
/// Measured (as sigmoid): f ≤ 0.66 ULP (FMA) / 0.77, f' ≤ 0.80 / 1.20, f' from y ≤ 1.5.
template <>
struct SimdF32<fn::Tanh> {
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    const f32::V<D> a = hn::Min(hn::Abs(x), hn::Set(d, 10.0f));
    const f32::Exp<D> e = f32::exp_pair<f32::Range::kNormal>(d, hn::Mul(hn::Set(d, -2.0f), a), hn::Zero(d));
    const f32::V<D> eh = hn::Mul(e.hi, e.unit), el = hn::Mul(e.lo, e.unit);
    const f32::V<D> one = hn::Set(d, 1.0f);
    f32::V<D> num_l, den_l, corr;
    const f32::V<D> num_h = f32::fast_two_sum<D>(one, hn::Neg(eh), num_l);
    const f32::V<D> den_h = f32::fast_two_sum<D>(one, eh, den_l);
    const f32::V<D> y = f32::div_pair(d, num_h, hn::Sub(num_l, el), den_h, hn::Add(den_l, el), corr);
    // Below 2^-12, tanh x rounds to x (x³/3 is under half an ULP), and the quotient's correction
    // (through a 12-bit reciprocal) would be the whole result.
    return hn::IfThenElse(hn::Abs(x) < hn::Set(d, 0x1p-12f), x, hn::CopySign(hn::Add(y, corr), x));
  }
  /// sech²x = 4σ(2|x|)σ(-2|x|) = 4e/(1 + e)², e = e^-2|x|: the logistic slope, scaled once.
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    const f32::V<D> v = hn::Mul(hn::Set(d, 2.0f), hn::Abs(x));
    return f32::by_range(d, hn::Neg(v), [&](auto range) {
      const f32::Logistic<D> s = f32::logistic<decltype(range)::value>(d, v, hn::Zero(d));
      return f32::scale<decltype(range)::value>(d, hn::Mul(hn::Set(d, 4.0f), f32::logistic_slope_unscaled(d, s)), s.e, s.e.n);
    });
  }
  /// (1 - y)(1 + y): each factor is exact or rounded once.
  template <class D>
  static f32::V<D> df_from_y(D d, f32::V<D> y, const P<D>&) {
    return hn::Mul(hn::Sub(hn::Set(d, 1.0f), y), hn::Add(hn::Set(d, 1.0f), y));
  }
};

/// silu(x) = x σ(x); f'(x) = G(x) = σ(x)(1 + x σ(-x)) (see f32::gate_slope).
/// Measured (as sigmoid): f ≤ 0.87 ULP (FMA) / 1.23, f' ≤ 1.93.
template <>
struct SimdF32<fn::Silu> {
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    return f32::gated(d, x, x, hn::Zero(d));
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    return f32::gate_slope_at_inf(d, x, x, f32::gate_slope(d, x, hn::Zero(d)));
  }
};

/// swish(x) = x σ(b x) with v = b x an exact pair (b is already a float); f' = G(v).
/// Measured (as sigmoid; b = 1.5, -0.5, 0, 2^-100): f ≤ 0.81 ULP (FMA) / 1.23, f' ≤ 1.93.
template <>
struct SimdF32<fn::Swish> {
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>& p) {
    f32::V<D> vl;
    const f32::V<D> vh = f32::two_prod(d, hn::Set(d, p[0]), x, vl);
    return f32::gated(d, x, vh, vl);
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>& p) {
    f32::V<D> vl;
    const f32::V<D> vh = f32::two_prod(d, hn::Set(d, p[0]), x, vl);
    return f32::gate_slope_at_inf(d, x, vh, f32::gate_slope(d, vh, vl));
  }
};

/// gelu_sigmoid(x) = x σ(1.702 x): 1.702 is not a float, so v = k_hi x + k_lo x as a pair
/// (k_hi + k_lo = 1.702 to 2^-48); f' = G(v).
/// Measured (as sigmoid): f ≤ 0.99 ULP (FMA) / 1.42, f' ≤ 2.48.
template <>
struct SimdF32<fn::GeluSigmoid> {
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
    return f32::gated(d, x, vh, vl);
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    f32::V<D> vl;
    const f32::V<D> vh = v_of(d, x, vl);
    return f32::gate_slope_at_inf(d, x, vh, f32::gate_slope(d, vh, vl));
  }
};

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
