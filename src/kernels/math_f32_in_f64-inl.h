// The lane math of the f32 kernels in f64 lanes (F32InF64Lanes<F>, in the family files), which
// compute f32 data in double and round once, as the reference does. Two kinds of kernel use it:
//  - kernels on Highway's f64 Exp (1 ULP) and Expm1 (4 ULP), < 1e-15 relative, far below half an
//    f32 ULP (3e-8), so results are within 1 ULP of the reference (which is within 0.5 ULP of the
//    correctly rounded value) on every target: squareplus, generalized_sigmoid, shifted tanh's
//    parameter gradient, and evaluation-mode RReLU, whose mean slope only f64 holds exactly;
//  - kernels accurate to f32 rather than f64, on their own fits and a lean exponential (~2^-28,
//    exp_to_f32_accuracy, here): GELU-tanh, Mish, TeLU, softplus's and log_sigmoid's forward,
//    and for geglu's products and the vectors and targets their f32-lane kernels leave
//    (in_f64_lanes), GELU's erf form and the swish family's slope. In f64 lanes the squares, folds and products of
//    positive terms are exact enough as they come, where f32 lanes need each of them as a float
//    pair, so these are both faster and more accurate than f32-lane forms of the same splits.
//    Where the f32-lane kernel is the faster one (sigmoid, the swish family, GELU, the slopes of
//    softplus and log_sigmoid), the table keeps F32Lanes<F>.
// The formulas are the reference's stable splits (src/core/functions), with exp arguments clamped
// where the f32 result has saturated. No include guard: included once per translation unit
// (simd.cpp), compiled once per target, inside that target's namespace.

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class F>
struct F32InF64Lanes;  // specialised in the family files; D is always a double descriptor

/// Parameters as the reference uses them for f32 data: rounded to float, then widened.
using Pd = fn::Params<double>;

/// sigmoid(x) with e = e^-|x|: 1/(1 + e) for x ≥ 0, e/(1 + e) below. |x| is clamped at 1000, which
/// keeps Exp in its valid range yet past f64's underflow (745), so e and the slope become exactly
/// 0 where the reference's do: a slope times a huge factor must stay 0.
template <class D, class V>
V sigmoid_f64(D d, V x, V& slope) {
  const V e = hn::Exp(d, hn::Neg(hn::Min(hn::Abs(x), hn::Set(d, 1000.0))));
  const V r = hn::Div(hn::Set(d, 1.0), hn::Add(hn::Set(d, 1.0), e));
  slope = hn::Mul(e, hn::Mul(r, r));  // sigmoid'(x) = e/(1 + e)^2, never 1 - s cancelling
  return hn::IfThenElse(x >= hn::Zero(d), r, hn::Mul(e, r));
}

/// x·g(x) at ±inf for a gate with g(-inf) = 0, g(+inf) = 1: +inf and -0 (as fn::gated_limit).
template <class D, class V>
V gated_limit_f64(D d, V x, V finite) {
  return hn::IfThenElse(hn::IsInf(x), hn::IfThenElse(x > hn::Zero(d), x, hn::Set(d, -0.0)), finite);
}
/// The derivative's limits there: 1 and 0.
template <class D, class V>
V gated_slope_limit_f64(D d, V x, V finite) {
  return hn::IfThenElse(hn::IsInf(x), hn::IfThenElseZero(x > hn::Zero(d), hn::Set(d, 1.0)), finite);
}
/// e^x for x ≤ 0 with x clamped at -1000 (e^-1000 is 0 in f64), keeping Exp inside its range.
template <class D, class V>
V exp_nonpositive(D d, V x) {
  return hn::Exp(d, hn::Max(x, hn::Set(d, -1000.0)));
}

/// sech² v = 4e/(1 + e)², e = e^-2|v| (fn::sech2: 1 - tanh² would cancel); 0 at ±inf.
/// Error ≤ 4 ULP.
template <class D, class V>
HWY_INLINE V sech2_f64(D d, V v) {
  const V e = exp_nonpositive(d, hn::Mul(hn::Set(d, -2.0), hn::Abs(v)));
  const V den = hn::Add(hn::Set(d, 1.0), e);
  return hn::Div(hn::Mul(hn::Set(d, 4.0), e), hn::Mul(den, den));
}

/// e^h for h ∈ [-700, 700] within 2^-28.9 relative: what a result rounded to f32 needs (0.03 of its
/// ULP), at a fraction of Highway's f64 Exp's cost. Cody–Waite with one double ln 2 (the error of
/// n·ln 2 stays below 2^-44 for |n| ≤ 1010), PE(r) on |r| ≤ ln2/2 (a degree-6 fit,
/// scripts/fits/gelu_f32.py), times 2^n built in the exponent bits: the rounding sum t =
/// h·log2(e) + 1.5·2^52 holds n in its low bits, and (n + 1023) << 52 is 2^n (normal: |n| ≤ 1010).
inline constexpr double kExpPoly[] = {1.0000000005920204,  1.0000000361258974,   0.4999999149303629,
                                      0.1666642083212278,  0.04166835803318827, 0.008374771519804673,
                                      0.001382942058349872};
template <const auto& kC, class D, class V>
HWY_INLINE V horner_f64(D d, V u) {
  constexpr std::size_t kN = std::size(kC);
  V p = hn::Set(d, kC[kN - 1]);
  for (std::size_t k = kN - 1; k-- > 0;) p = hn::MulAdd(p, u, hn::Set(d, kC[k]));
  return p;
}
template <class D, class V>
HWY_INLINE V exp_to_f32_accuracy(D d, V h) {
  const hn::RebindToSigned<D> di;
  const V magic = hn::Set(d, 0x1.8p52);
  const V t = hn::MulAdd(h, hn::Set(d, 1.4426950408889634), magic);
  const V n = hn::Sub(t, magic);
  const V r = hn::NegMulAdd(n, hn::Set(d, 0.6931471805599453), h);
  const V unit = hn::BitCast(d, hn::ShiftLeft<52>(hn::Add(hn::BitCast(di, t), hn::Set(di, 1023))));
  return hn::Mul(horner_f64<kExpPoly>(d, r), unit);
}

/// σ(v) and σ(-v) from one e = e^-|v| and one division r = 1/(1 + e): for v ≥ 0 they are r and
/// e r, below e r and r (nothing is 1 - σ). e carries exp_to_f32_accuracy's 2^-28.9 and r, e r
/// at most that again (1/(1 + e) and e/(1 + e) change by at most |δe/e| relative): each within
/// ~0.03 of an f32 ULP. |v| is clamped at 700: past it σ(v) and the slopes are below any f32
/// result's reach (e^-700 ≈ 2^-1010) yet non-zero, so the callers choose the signs of their zeros
/// where the reference's own e^v is 0 (v ≤ kExpZero).
template <class V>
struct Logistic {
  V e, r, er;  // e^-|v|, 1/(1 + e), e r
};
/// The largest double whose double e^v is 0 (-745.133219...).
inline constexpr double kExpZero = -0x1.74910d52d3052p+9;
/// e^-|v| with |v| clamped at 700.
template <class D, class V>
HWY_INLINE V exp_of_minus_abs(D d, V v) {
  return exp_to_f32_accuracy(d, hn::Neg(hn::Min(hn::Abs(v), hn::Set(d, 700.0))));
}
template <class D, class V>
HWY_INLINE Logistic<V> logistic_f64(D d, V v) {
  const V e = exp_of_minus_abs(d, v);
  const V r = hn::Div(hn::Set(d, 1.0), hn::Add(hn::Set(d, 1.0), e));
  return {e, r, hn::Mul(e, r)};
}
/// The slope of x σ(v(x)) for w = x v'(x): σ(v)(1 + w σ(-v)). Cancels next to its zero (the
/// callers take a fit there).
template <class D, class V>
HWY_INLINE V gate_slope_f64(D d, V v, const Logistic<V>& s, V w) {
  const auto pos = v >= hn::Zero(d);
  return hn::Mul(hn::IfThenElse(pos, s.r, s.er), hn::MulAdd(w, hn::IfThenElse(pos, s.er, s.r), hn::Set(d, 1.0)));
}

/// A slope's fit next to its zero z = z_hi + z_lo (doubles): t Q(t) for t = x - z where |t| ≤
/// Fit::kHalfWidth, else `far`. x - z_hi is exact near z (Sterbenz) and t carries 2^-53; Q
/// (Fit::kQ, t^0 first: c0 = f''(z), then R's, scripts/fits/near_zero.py) fits to ~2^-35, so
/// next to z, where `far` cancels, the slope keeps f32 accuracy.
template <class Fit, class D, class V>
HWY_INLINE V near_zero_f64(D d, V x, V far) {
  const V t = hn::Sub(hn::Sub(x, hn::Set(d, Fit::kZeroHi)), hn::Set(d, Fit::kZeroLo));
  return hn::IfThenElse(hn::Abs(t) <= hn::Set(d, Fit::kHalfWidth), hn::Mul(t, horner_f64<Fit::kQ>(d, t)), far);
}

/// The swish family's slope, x σ(v) with v = k x: k = 1 (silu), β (swish) or 1.702
/// (gelu_sigmoid), v formed in f64 as the reference forms it (exact for a float k): f' = G(v) =
/// σ(v)(1 + v σ(-v)), whose zero is v0 = -1.27846454; within |v - v0| ≤ 1/8 a fit
/// (scripts/fits/near_zero.py silu 5 0.125: 2^-36.0 relative). The f32-lane kernels' slope
/// (f32::gate_slope_lean) falls back to it for vectors past its range and on targets without
/// FMA. Zeros and limits as the reference's (fn::swish_slope):
/// an underflowing G is -0 below v0 but +0 where the reference's e^v is 0 (v ≤ kExpZero); at x =
/// ±inf, 1 where v > 0, 0 where v < 0, 1/2 for k = 0 (v is NaN there).
struct GateSlopeFit {
  static constexpr double kHalfWidth = 0.125;
  static constexpr double kZeroHi = -0x1.474973c84120bp+0, kZeroLo = -0x1.f8d74bc9ac154p-54;
  static constexpr double kQ[] = {0x1.be1410460527fp-3,  0x1.2c5634598e0a6p-3, 0x1.353eb572728e9p-6,
                                  -0x1.f2d119bd97c6bp-7, -0x1.b0f8141f15a78p-8, 0x1.12a8be2251702p-13,
                                  0x1.a226f42588ba9p-11};
};
template <class Arg>
struct SwishSlopeF64 {
  template <class D, class V>
  static V df(D d, V x, const Pd& p) {
    const V v = Arg::v(d, x, p);
    const V g = near_zero_f64<GateSlopeFit>(d, v, gate_slope_f64(d, v, logistic_f64(d, v), v));
    const V at_inf = hn::IfThenElse(hn::IsNaN(v), hn::Set(d, 0.5), hn::IfThenElseZero(v > hn::Zero(d), hn::Set(d, 1.0)));
    return hn::IfThenElse(hn::IsInf(x), at_inf, hn::IfThenElseZero(v > hn::Set(d, kExpZero), g));
  }
};
struct SiluArg {
  template <class D, class V>
  static V v(D, V x, const Pd&) {
    return x;
  }
};
struct SwishArg {
  template <class D, class V>
  static V v(D d, V x, const Pd& p) {
    return hn::Mul(hn::Set(d, p[fn::Swish::kBeta]), x);
  }
};
struct GeluSigmoidArg {
  template <class D, class V>
  static V v(D d, V x, const Pd&) {
    return hn::Mul(hn::Set(d, static_cast<double>(fn::GeluSigmoid::kK)), x);
  }
};

/// log1p(u) for u ∈ [0, 1] within 2^-32 relative: 2 atanh(s) = 2s Σ_k s^(2k)/(2k + 1) with s =
/// u/(2 + u) ∈ [0, 1/3], nine terms (the rest is below (1/9)^9/19 < 2^-32 of the sum); every term
/// positive, so nothing cancels, and the quotient and products carry ~2^-52.
inline constexpr double kAtanhSeries[] = {1.0,       1.0 / 3.0,  1.0 / 5.0,  1.0 / 7.0, 1.0 / 9.0,
                                          1.0 / 11.0, 1.0 / 13.0, 1.0 / 15.0, 1.0 / 17.0};
template <class D, class V>
HWY_INLINE V log1p_unit(D d, V u) {
  const V s = hn::Div(u, hn::Add(hn::Set(d, 2.0), u));
  return hn::Mul(hn::Add(s, s), horner_f64<kAtanhSeries>(d, hn::Mul(s, s)));
}
/// log1p(e^-|v|) (e^-|v| at exp_to_f32_accuracy's 2^-28.9, which log1p's slope u/(1 + u) ≤
/// log1p(u) does not magnify): within 2^-28.8 relative. |v| is clamped at 700 (exp_of_minus_abs),
/// far past where the term is below f32's reach of either caller.
template <class D, class V>
HWY_INLINE V softplus_term_f64(D d, V v) {
  return log1p_unit(d, exp_of_minus_abs(d, v));
}

/// op(dd, v) (an F32InF64Lanes kernel's member) on one vector of f32 lanes, each group of f64
/// lanes promoted, computed and rounded once, as the f64-lane driver does: the fallback of an
/// F32Lanes kernel for the vectors its own form does not take.
template <class D, class Op>
HWY_INLINE hn::Vec<D> in_f64_lanes(D d, hn::Vec<D> x, Op op) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<float, decltype(dd)> dh;
  HWY_ALIGN float lanes[hn::MaxLanes(D())];
  hn::Store(x, d, lanes);
  for (std::size_t i = 0; i < hn::Lanes(d); i += hn::Lanes(dd))
    store_rounded_f32(dd, op(dd, hn::PromoteTo(dd, hn::LoadU(dh, lanes + i))), lanes + i);
  return hn::Load(d, lanes);
}

/// ∂f/∂p_k of an activation with learnable parameters, for f32 data in f64 lanes (as the reference
/// computes them, in double): F32InF64ParamGradient<F>::grad(d, x, p, g) fills g[k] for every learnable
/// k. The driver (simd.cpp) multiplies by dy and sums in f64 lanes.
template <class F>
struct F32InF64ParamGradient;

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
