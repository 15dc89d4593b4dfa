// Smooth activations for f32 data, computed in f64 lanes and rounded once, as the reference
// computes f32 in double. Two kinds live here:
//  - kernels on Highway's f64 Exp (1 ULP) and Expm1 (4 ULP), < 1e-15 relative, far below half an
//    f32 ULP (3e-8), so results are within 1 ULP of the reference (which is within 0.5 ULP of the
//    correctly rounded value) on every target: squareplus, generalized_sigmoid (functions
//    without an f32 kernel of their own yet), shifted tanh's parameter gradient, and
//    evaluation-mode RReLU, whose mean slope only f64 holds exactly;
//  - kernels accurate to f32 rather than f64, on their own fits and a lean exponential (~2^-28,
//    exp_to_f32_accuracy): GELU (both forms), Mish, TeLU, softplus's and log_sigmoid's forward,
//    and the swish family's slope. In f64 lanes the squares, folds and products of positive terms
//    are exact enough as they come, where f32 lanes need each of them as a float pair, so these
//    are both faster and more accurate than f32-lane forms of the same splits. Where the f32-lane
//    kernel is the faster one (sigmoid, the swish family's f, the slopes of softplus and
//    log_sigmoid), it stays in smooth_f32-inl.h.
// The formulas are the reference's stable splits (src/core/functions), with exp arguments clamped
// where the f32 result has saturated. smooth_f32-inl.h has the rest (sigmoid, tanh, silu, swish,
// gelu_sigmoid, hardswish, elu, celu, selu, softsign, lecun_tanh, tanhshrink, shifted_tanh, and
// the slopes of softplus and log_sigmoid) in f32 lanes.
// No include guard: compiled once per target, inside that target's namespace.

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class F>
struct F32InF64Lanes;  // specialised below; D is always a double descriptor

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
/// Evaluation-mode RReLU: x for x > 0, else m·x with m = (lower + upper)/2 (fn::Rrelu::mean_slope).
/// For float parameters m is exact in f64 (a sum of two floats, halved) and so is m·x (≤ 49
/// significant bits): one rounding to float, bit-identical to the reference (correctly
/// rounded).
template <>
struct F32InF64Lanes<fn::Rrelu> {
  template <class D, class V>
  static V f(D d, V x, const Pd& p) {
    return hn::IfThenElse(x > hn::Zero(d), x, hn::Mul(hn::Set(d, fn::Rrelu::mean_slope(p)), x));
  }
  template <class D, class V>
  static V df(D d, V x, const Pd& p) {
    return hn::IfThenElse(x > hn::Zero(d), hn::Set(d, 1.0), hn::Set(d, fn::Rrelu::mean_slope(p)));
  }
  /// y has x's sign (m ≥ 0), so the slope reads the same from y.
  template <class D, class V>
  static V df_from_y(D d, V y, const Pd& p) {
    return df(d, y, p);
  }
};

template <>
struct F32InF64Lanes<fn::Squareplus> {
  /// h = sqrt(x^2 + b) (x^2 cannot overflow f64 for an f32 x); (x + h)/2 for x >= 0 and
  /// b/(2(h - x)) below, where x + h would cancel.
  template <class D, class V>
  static V h_of(D d, V x, const Pd& p) {
    return hn::Sqrt(hn::MulAdd(x, x, hn::Set(d, p[fn::Squareplus::kB])));
  }
  template <class D, class V>
  static V f(D d, V x, const Pd& p) {
    const V h = h_of(d, x, p), half = hn::Set(d, 0.5);
    return hn::IfThenElse(x >= hn::Zero(d), hn::Mul(hn::Add(x, h), half),
                          hn::Div(hn::Set(d, p[fn::Squareplus::kB]), hn::Mul(hn::Set(d, 2.0), hn::Sub(h, x))));
  }
  template <class D, class V>
  static V df(D d, V x, const Pd& p) {
    const V h = h_of(d, x, p), one = hn::Set(d, 1.0);
    const V pos = hn::Mul(hn::Add(one, hn::Div(x, h)), hn::Set(d, 0.5));
    const V neg = hn::Div(hn::Set(d, p[fn::Squareplus::kB]), hn::Mul(hn::Mul(hn::Set(d, 2.0), h), hn::Sub(h, x)));
    const V g = hn::IfThenElse(x >= hn::Zero(d), pos, neg);
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElseZero(x > hn::Zero(d), one), g);
  }
  /// y^2 / (y^2 + b/4).
  template <class D, class V>
  static V df_from_y(D d, V y, const Pd& p) {
    const V y2 = hn::Mul(y, y);
    return hn::Div(y2, hn::Add(y2, hn::Div(hn::Set(d, p[fn::Squareplus::kB]), hn::Set(d, 4.0))));
  }
};

// ---- sech², for shifted tanh's parameter gradient --------------------------------------------------

/// sech² v = 4e/(1 + e)², e = e^-2|v| (fn::sech2: 1 - tanh² would cancel); 0 at ±inf.
/// Error ≤ 4 ULP.
template <class D, class V>
HWY_INLINE V sech2_f64(D d, V v) {
  const V e = exp_nonpositive(d, hn::Mul(hn::Set(d, -2.0), hn::Abs(v)));
  const V den = hn::Add(hn::Set(d, 1.0), e);
  return hn::Div(hn::Mul(hn::Set(d, 4.0), e), hn::Mul(den, den));
}

/// Generalized sigmoid (fn::GeneralizedSigmoid): f = alpha s(u) + delta, f' = (alpha gamma) s'(u),
/// u = gamma (x - epsilon) - ln beta (gamma = 0: u = -ln beta, also at x = ±inf), s = sigmoid,
/// s' = e/(1 + e)² with e = e^-|u| (sigmoid_f64, the reference's sign split), ln beta taken once per
/// call (prepare) in double as the reference does. Error: s and s' within 4 ULP (1e-15 relative),
/// then the reference's products and sum; alpha s + delta cancels like the reference where
/// delta ≈ -alpha s. Limits: u = ±inf gives s = 1 or 0 and s' = 0.
template <>
struct F32InF64Lanes<fn::GeneralizedSigmoid> {
  struct Prepared {
    Pd p;
    double log_beta;
  };
  static Prepared prepare(const Pd& p) { return {p, std::log(p[fn::GeneralizedSigmoid::kBeta])}; }
  template <class D, class V>
  static V arg(D d, V x, const Prepared& c) {
    const V shifted = c.p[fn::GeneralizedSigmoid::kGamma] == 0.0 ? hn::Zero(d) : hn::Mul(hn::Set(d, c.p[fn::GeneralizedSigmoid::kGamma]), hn::Sub(x, hn::Set(d, c.p[fn::GeneralizedSigmoid::kEpsilon])));
    return hn::Sub(shifted, hn::Set(d, c.log_beta));
  }
  template <class D, class V>
  static V f(D d, V x, const Prepared& c) {
    V slope;
    const V s = sigmoid_f64(d, arg(d, x, c), slope);
    return hn::Add(hn::Mul(hn::Set(d, c.p[fn::GeneralizedSigmoid::kAlpha]), s), hn::Set(d, c.p[fn::GeneralizedSigmoid::kDelta]));
  }
  template <class D, class V>
  static V df(D d, V x, const Prepared& c) {
    V slope;
    sigmoid_f64(d, arg(d, x, c), slope);
    return hn::Mul(hn::Set(d, c.p[fn::GeneralizedSigmoid::kAlpha] * c.p[fn::GeneralizedSigmoid::kGamma]), slope);
  }
};

// ---- an exponential to f32 accuracy --------------------------------------------------------------

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

// ---- GELU (erf form) -----------------------------------------------------------------------------

/// GELU, erf form (fn::Gelu): f = x Φ(x), f' = Φ(x) + x φ(x), through a = |x| and the tail
/// Q(a) = Φ(-a) = φ(a) M(a) (M Mills' ratio), so that nothing is 1 - something small:
///   x < 0:  f = x Q(a),         f' = g
///   x ≥ 0:  f = x (1 - Q(a)),   f' = 1 - g,     g = φ(a) (M(a) - a) = e^(-a²/2) (a0 - a) H(a)
/// with a0 = 0.75179 the root of M(a) = a (f' = 0 at x = -a0) and H(a) = (M(a) - a)/((a0 - a)
/// √(2π)) smooth and without a zero, so f' keeps its relative accuracy next to its zero. Q =
/// e^(-a²/2)·t PM(u) and H = PH(u) are fits in u = t - 1/2, t = 5/(5 + a) ∈ [0.149, 1] for
/// a ≤ 28.5 (scripts/fits/gelu_f32.py; relative errors 2^-31.0, degree 11, and 2^-28.3, degree
/// 9). In f64 lanes a² is exact and t, the products and 1 - Q carry ~2^-50, so the only errors
/// beyond the one rounding to f32 are the fits' and the exponential's (exp_to_f32_accuracy): within
/// ~2^-27.5 relative, 0.05 of an f32 ULP. The range reaches past where GELU's own f32 results
/// end (x < -14.6: ±0; x > 5.4: x) because geglu takes these lanes unrounded: a·gelu(b) and
/// dy·a·gelu'(b), with |a| < 2^128 and |dy·a| < 2^256, can be floats down to |gelu| = 2^-278 and
/// |gelu'| = 2^-406 (b = -19.6 and -23.7); the fits reach 28.5 (e^(-a²/2) = 2^-586, normal in
/// f64). Past 28.5 every such product is ±0 and the results are taken as: f(x < -28.5) = -0, f' = -0 (the
/// sign of a0 - a) while the reference's double φ is non-zero, +0 from a = 38.5755, where it
/// underflows; x > 28.5 reaches f = x, f' = 1 through the clamped fits. Limits: f(+inf) = +inf,
/// f(-inf) = -0, f'(±inf) = 1, +0.
template <>
struct F32InF64Lanes<fn::Gelu> {
  static constexpr double kAMax = 28.5, kA0 = 0.7517915246935645;
  static constexpr double kPM[] = {0.15383860991289536,  0.26615299975633383, 0.39624450884410733,
                                   0.5016532638530039,   0.5280639322228908,  0.44235053989170475,
                                   0.2662153217959794,   0.07677149558692678, -0.04143372375985698,
                                   -0.056706177134133326, -0.007813385870867287, 0.02150011967044253};
  static constexpr double kPH[] = {0.4514354947607239,  0.17959313420637485,  0.2419514260136473,
                                   0.28428358187258024, 0.28491466918616315,  0.23462985881017578,
                                   0.147588225423767,   0.057008645484055126, -0.006373884128648811,
                                   -0.022153422663788638};
  /// t = 5/(5 + a) for the clamped a = min(|x|, 28.5), with u = t - 1/2 and e = e^(-a²/2).
  template <class D, class V>
  static V fold(D d, V x, V& a, V& u, V& e) {
    a = hn::Min(hn::Abs(x), hn::Set(d, kAMax));
    const V five = hn::Set(d, 5.0);
    const V t = hn::Div(five, hn::Add(five, a));
    u = hn::Sub(t, hn::Set(d, 0.5));
    e = exp_to_f32_accuracy(d, hn::Mul(hn::Mul(a, a), hn::Set(d, -0.5)));
    return t;
  }
  /// f and f' from the fold's parts.
  template <class D, class V>
  static V value(D d, V x, V t, V u, V e) {
    const V q = hn::Mul(hn::Mul(t, horner_f64<kPM>(d, u)), e);
    const V y = hn::Mul(x, hn::IfThenElse(x < hn::Zero(d), q, hn::Sub(hn::Set(d, 1.0), q)));
    return hn::IfThenElse(x < hn::Set(d, -kAMax), hn::Set(d, -0.0), y);
  }
  template <class D, class V>
  static V slope(D d, V x, V a, V u, V e) {
    const V g = hn::Mul(hn::Mul(hn::Sub(hn::Set(d, kA0), a), horner_f64<kPH>(d, u)), e);
    const V s = hn::IfThenElse(x < hn::Zero(d), g, hn::Sub(hn::Set(d, 1.0), g));
    const V far = hn::IfThenElseZero(x > hn::Set(d, -0x1.349aa0p+5), hn::Set(d, -0.0));
    return hn::IfThenElse(x < hn::Set(d, -kAMax), far, s);
  }
  template <class D, class V>
  static V f(D d, V x, const Pd&) {
    V a, u, e;
    const V t = fold(d, x, a, u, e);
    return value(d, x, t, u, e);
  }
  template <class D, class V>
  static V df(D d, V x, const Pd&) {
    V a, u, e;
    fold(d, x, a, u, e);
    return slope(d, x, a, u, e);
  }
  /// f, with f' in `s`: one fold and one exponential for both (forward_with_slope).
  template <class D, class V>
  static V fdf(D d, V x, const Pd&, V& s) {
    V a, u, e;
    const V t = fold(d, x, a, u, e);
    s = slope(d, x, a, u, e);
    return value(d, x, t, u, e);
  }
};

// ---- the logistic gate: the swish family's slope, gelu_tanh --------------------------------------

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
/// (scripts/fits/near_zero.py silu 5 0.125: 2^-36.0 relative). An f32-lane slope of the same speed
/// cannot keep f′'s relative accuracy next to v0; f stays in f32 lanes (F32Lanes<F>), which are
/// faster for it. Zeros and limits as the reference's (fn::swish_slope):
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
template <>
struct F32InF64Lanes<fn::Silu> : SwishSlopeF64<SiluArg> {};
template <>
struct F32InF64Lanes<fn::Swish> : SwishSlopeF64<SwishArg> {};
template <>
struct F32InF64Lanes<fn::GeluSigmoid> : SwishSlopeF64<GeluSigmoidArg> {};

// ---- softplus and log_sigmoid --------------------------------------------------------------------

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

/// softplus(x) = (max(v, 0) + log1p(e^-|v|))/β, v = βx (exact in f64: two floats' product), the
/// reference's stable split; both terms are ≥ 0, so f is within ~0.03 of an f32 ULP before its
/// one rounding. 1/β is prepared once per call. f(+inf) = +inf, f(-inf) = +0. f' (σ(βx)) and f'
/// from y stay in f32 lanes (F32Lanes<fn::Softplus>).
template <>
struct F32InF64Lanes<fn::Softplus> {
  struct Prepared {
    double beta, inverse_beta;
  };
  static Prepared prepare(const Pd& p) { return {p[fn::Softplus::kBeta], 1.0 / p[fn::Softplus::kBeta]}; }
  template <class D, class V>
  static V f(D d, V x, const Prepared& c) {
    const V v = hn::Mul(hn::Set(d, c.beta), x);
    const V sum = hn::Add(hn::Max(v, hn::Zero(d)), softplus_term_f64(d, v));
    return hn::Mul(sum, hn::Set(d, c.inverse_beta));
  }
};

/// log_sigmoid(x) = min(x, 0) - log1p(e^-|x|), both terms ≤ 0 (as softplus). Zeros as the
/// reference's: -0 where the result underflows, but +0 from x = 745.13 (0x1.74910ep+9, the first
/// float past it), where the reference's double e^-x is 0 and its 0 - log1p(0) is +0; f(+inf) =
/// +0, f(-inf) = -inf. f' and f' from y stay in f32 lanes (F32Lanes<fn::LogSigmoid>).
template <>
struct F32InF64Lanes<fn::LogSigmoid> {
  template <class D, class V>
  static V f(D d, V x, const Pd&) {
    const V y = hn::Sub(hn::Min(x, hn::Zero(d)), softplus_term_f64(d, x));
    return hn::IfThenElseZero(x < hn::Set(d, 0x1.74910ep+9), y);
  }
};

// ---- GELU (tanh form) ----------------------------------------------------------------------------

/// gelu_tanh(x) = x σ(v), v = 2u = 2c(x + k x³) (c = √(2/π), k = 0.044715, fn::GeluTanh);
/// f' = σ(v)(1 + w σ(-v)), w = x v' = 2c(x + 3k x³) (logistic_f64, gate_slope_f64): one
/// exponential and division for both. In f64 lanes v
/// carries ~2^-51 relative, so e^-|v| errs by |v|·2^-51 < 2^-41 from v and 2^-28.9 from
/// exp_to_f32_accuracy: f is within ~0.03 of an f32 ULP before its one rounding. f''s bracket
/// cancels next to its zero x0 = -0.75246142; within |x - x0| ≤ 1/4 f' = t Q(t), t = x - x0, Q a
/// degree-8 fit (scripts/fits/near_zero.py gelu_tanh 7 0.25: 2^-35.5 relative). x is clamped at
/// ±20 inside v and w, where |v| > 600 already (σ(v) is 1, or so small that x σ(v) is -0 in f32).
/// Zeros and limits as the reference's: f(±inf) = +inf, -0; f'(±inf) = 1, +0; an underflowing f'
/// is -0, but +0 from the float where the reference's double v passes -745.13 and its e^v is 0
/// (x ≤ -21.53).
template <>
struct F32InF64Lanes<fn::GeluTanh> {
  struct SlopeFit {
    static constexpr double kHalfWidth = 0.25;
    static constexpr double kZeroHi = -0x1.81429f9e97e4dp-1, kZeroLo = 0x1.4f1c020706d4bp-55;
    static constexpr double kQ[] = {0x1.b8bacd2c96b91p-2,  0x1.8cd1a2b277d57p-2,  -0x1.029615f1b242fp-6,
                                    -0x1.d2b76f05116c2p-4, -0x1.104a7be9a6d99p-6, 0x1.427443746bd13p-6,
                                    0x1.58bfe4da26197p-8,  -0x1.3946d7a182177p-9, -0x1.de314bb2465e8p-11};
  };
  static constexpr double kC = static_cast<double>(fn::GeluTanh::kC), kK = static_cast<double>(fn::GeluTanh::kK);
  /// v for x clamped at ±20 (xc), with xc².
  template <class D, class V>
  static V v_of(D d, V x, V& xc, V& x2) {
    xc = hn::Min(hn::Max(x, hn::Set(d, -20.0)), hn::Set(d, 20.0));
    x2 = hn::Mul(xc, xc);
    return hn::Mul(hn::Set(d, 2.0 * kC), hn::MulAdd(hn::Mul(hn::Set(d, kK), x2), xc, xc));
  }
  template <class D, class V>
  static V slope(D d, V x, V xc, V x2, V v, const Logistic<V>& s) {
    const V w = hn::Mul(hn::Set(d, 2.0 * kC), hn::MulAdd(hn::Mul(hn::Set(d, 3.0 * kK), x2), xc, xc));
    const V g = near_zero_f64<SlopeFit>(d, x, gate_slope_f64(d, v, s, w));
    return hn::IfThenElseZero(x > hn::Set(d, -0x1.58441ep+4), g);
  }
  /// x r above 0, xc e r below: the clamped x keeps -inf·e from giving -inf (f = -0 there).
  template <class D, class V>
  static V value(D d, V x, V xc, const Logistic<V>& s) {
    return hn::Mul(hn::IfThenElse(x >= hn::Zero(d), x, hn::Mul(xc, s.e)), s.r);
  }
  template <class D, class V>
  static V f(D d, V x, const Pd&) {
    V xc, x2;
    const V v = v_of(d, x, xc, x2);
    return value(d, x, xc, logistic_f64(d, v));
  }
  template <class D, class V>
  static V df(D d, V x, const Pd&) {
    V xc, x2;
    const V v = v_of(d, x, xc, x2);
    return slope(d, x, xc, x2, v, logistic_f64(d, v));
  }
  /// f, with f' in `s`: one exponential and division for both (forward_with_slope).
  template <class D, class V>
  static V fdf(D d, V x, const Pd&, V& s) {
    V xc, x2;
    const V v = v_of(d, x, xc, x2);
    const Logistic<V> parts = logistic_f64(d, v);
    s = slope(d, x, xc, x2, v, parts);
    return value(d, x, xc, parts);
  }
};

// ---- Mish ----------------------------------------------------------------------------------------

/// mish(x) = x tanh(softplus x) = x n/(n + 2), n = e(e + 2), e = e^x (tanh(log(1 + e)) =
/// ((1 + e)² - 1)/((1 + e)² + 1)); f' = t + x σ(x) sech²(softplus x) = (n D + 4x e(1 + e))/D²,
/// D = n + 2 (σ sech² = 4e(1 + e)/D², as 1 + n = (1 + e)²). In f64 lanes every sum and product
/// of positive terms carries ~2^-52, so f's only error beyond its one rounding to f32 is e's
/// (exp_to_f32_accuracy, 2^-28.9): t inherits at most twice it, 0.07 of an f32 ULP. f''s
/// numerator cancels next to f's minimum x0 = -1.19243121 (f' = 0), where e's error counts
/// 1/|x - x0| times over; within |x - x0| ≤ 1/16 f' = t Q(t), t = x - x0, Q a degree-5 fit
/// (scripts/fits/near_zero.py mish 4 0.0625: 2^-35.9 relative). x is clamped to [-200, 20]:
/// below, f and f' are ±0 in f32 (|x e^x| < 2^-280), above, t and f' are 1 in f64. Zeros and
/// limits as the reference's: f(-inf) = -0, f' is -0 where it underflows but +0 from the float
/// where the reference's double e^x is 0 (x ≤ -745.13, -inf included).
template <>
struct F32InF64Lanes<fn::Mish> {
  struct SlopeFit {
    static constexpr double kHalfWidth = 0.0625;
    static constexpr double kZeroHi = -0x1.31432c0d12d84p+0, kZeroLo = -0x1.bf319154da210p-55;
    static constexpr double kQ[] = {0x1.115acb42500bbp-2,  0x1.a34a251d8ad7bp-3,  0x1.574f0f4dcb4ffp-5,
                                    -0x1.4c2234f7684b0p-6, -0x1.032038bd9702ap-6, -0x1.b7dbba9ccfba6p-9};
  };
  /// e = e^x for the clamped x, with n and D = n + 2.
  template <class D, class V>
  static V parts(D d, V x, V& xc, V& n) {
    xc = hn::Min(hn::Max(x, hn::Set(d, -200.0)), hn::Set(d, 20.0));
    const V e = exp_to_f32_accuracy(d, xc);
    n = hn::Mul(e, hn::Add(e, hn::Set(d, 2.0)));
    return e;
  }
  template <class D, class V>
  static V value(D d, V x, V xc, V n) {
    const V t = hn::Div(n, hn::Add(n, hn::Set(d, 2.0)));
    return hn::Mul(hn::Max(x, xc), t);  // x above 20 (t = 1), the clamped x below -200 (f = -0)
  }
  template <class D, class V>
  static V slope(D d, V x, V xc, V e, V n) {
    const V den = hn::Add(n, hn::Set(d, 2.0));
    const V k = hn::Mul(hn::Mul(hn::Set(d, 4.0), xc), hn::MulAdd(e, e, e));
    const V g = near_zero_f64<SlopeFit>(d, x, hn::Div(hn::MulAdd(n, den, k), hn::Mul(den, den)));
    return hn::IfThenElseZero(x > hn::Set(d, -0x1.74910ep+9), g);
  }
  template <class D, class V>
  static V f(D d, V x, const Pd&) {
    V xc, n;
    parts(d, x, xc, n);
    return value(d, x, xc, n);
  }
  template <class D, class V>
  static V df(D d, V x, const Pd&) {
    V xc, n;
    const V e = parts(d, x, xc, n);
    return slope(d, x, xc, e, n);
  }
  /// f, with f' in `s`: one exponential for both (forward_with_slope).
  template <class D, class V>
  static V fdf(D d, V x, const Pd&, V& s) {
    V xc, n;
    const V e = parts(d, x, xc, n);
    s = slope(d, x, xc, e, n);
    return value(d, x, xc, n);
  }
};

// ---- TeLU ----------------------------------------------------------------------------------------

/// TeLU (fn::Telu): f = x tanh(u), u = e^x; f' = tanh u + x u sech² u, from two exponentials to f32
/// accuracy (exp_to_f32_accuracy) and one division:
///  - u = e^x, and E = e^-2u (-2u clamped at -700, where E ≈ 2^-1010 is nothing next to 1, yet
///    non-zero) with r = 1/(1 + E): sech² u = 4E r² (no 1 - tanh² cancelling) and, for u > 1/4,
///    tanh u = (1 - E) r (1 - E ≥ 0.39, so E's 2^-28.9 grows at most 1.6×);
///  - u ≤ 1/4 (x ≤ -1.386): tanh u = u (1 - w P(w)), w = u², P the Taylor series of
///    (u - tanh u)/u³ to w⁴ (truncated at 2^-32 of tanh u), where 1 - E would cancel.
/// u's own 2^-28.9 reaches f directly and E through its argument (2u·2^-28.9 relative, only where
/// 4xuE is still visible next to tanh u = 1), so f is within ~0.05 of an f32 ULP before its one
/// rounding. f' cancels next to f's minimum x0 = -1.07886006 (f' = 0): within |x - x0| ≤ 1/4 f' =
/// t Q(t), t = x - x0, Q a degree-9 fit (scripts/fits/near_zero.py telu 8 0.25: 2^-37.8
/// relative); elsewhere |tanh u| and |x u sech² u| are at most 3.3|f'|. x is clamped to [-200, 20]:
/// below, f and f' are ±0 in f32 (|x e^x| < 2^-280), above, tanh u is 1 and x u sech² u ≈ 0.
/// Zeros and limits as the reference's: f(+inf) = +inf, f(-inf) = -0, f' is -0 where it
/// underflows (u (1 + x) < 0) but +0 from the float where the reference's double e^x is 0
/// (x ≤ -745.13, -inf included), f'(+inf) = 1.
template <>
struct F32InF64Lanes<fn::Telu> {
  struct SlopeFit {
    static constexpr double kHalfWidth = 0.25;
    static constexpr double kZeroHi = -0x1.14302c3c10f30p+0, kZeroLo = -0x1.b8c761c7b1289p-54;
    static constexpr double kQ[] = {0x1.68f6b660942b4p-2,  0x1.4d0848bbb42d2p-2,  0x1.b9cbc0a875082p-4,
                                    -0x1.76ccc7d7a1483p-6, -0x1.75ed40207fe18p-5, -0x1.a19747b46a8b8p-6,
                                    -0x1.7112ba868327fp-8, 0x1.6b7676cb99d8ap-9,  0x1.c2e277d4429dcp-9,
                                    0x1.ac7b4cbe0b0bdp-10};
  };
  /// (u - tanh u)/u³ = 1/3 - 2w/15 + 17w²/315 - 62w³/2835 + 1382w⁴/155925 - ..., w = u².
  static constexpr double kTanhSeries[] = {1.0 / 3.0, -2.0 / 15.0, 17.0 / 315.0, -62.0 / 2835.0, 1382.0 / 155925.0};
  /// The clamped x, u = e^xc, tanh u and sech² u.
  template <class V>
  struct Parts {
    V xc, u, t, sech2;
  };
  template <class D, class V>
  static Parts<V> parts(D d, V x) {
    Parts<V> p;
    p.xc = hn::Min(hn::Max(x, hn::Set(d, -200.0)), hn::Set(d, 20.0));
    p.u = exp_to_f32_accuracy(d, p.xc);
    const V one = hn::Set(d, 1.0);
    const V e = exp_to_f32_accuracy(d, hn::Max(hn::Mul(hn::Set(d, -2.0), p.u), hn::Set(d, -700.0)));
    const V r = hn::Div(one, hn::Add(one, e));
    p.sech2 = hn::Mul(hn::Mul(hn::Set(d, 4.0), e), hn::Mul(r, r));
    const V w = hn::Mul(p.u, p.u);
    const V small = hn::Mul(p.u, hn::NegMulAdd(w, horner_f64<kTanhSeries>(d, w), one));
    p.t = hn::IfThenElse(p.u <= hn::Set(d, 0.25), small, hn::Mul(hn::Sub(one, e), r));
    return p;
  }
  /// x above 20 (t = 1), the clamped x below -200 (f = -0).
  template <class V>
  static V value(V x, const Parts<V>& p) {
    return hn::Mul(hn::Max(x, p.xc), p.t);
  }
  template <class D, class V>
  static V slope(D d, V x, const Parts<V>& p) {
    const V g = near_zero_f64<SlopeFit>(d, x, hn::MulAdd(hn::Mul(p.xc, p.u), p.sech2, p.t));
    return hn::IfThenElseZero(x > hn::Set(d, -0x1.74910ep+9), g);
  }
  template <class D, class V>
  static V f(D d, V x, const Pd&) {
    return value(x, parts(d, x));
  }
  template <class D, class V>
  static V df(D d, V x, const Pd&) {
    return slope(d, x, parts(d, x));
  }
  /// f, with f' in `s`: the exponentials and the division shared (forward_with_slope).
  template <class D, class V>
  static V fdf(D d, V x, const Pd&, V& s) {
    const Parts<V> p = parts(d, x);
    s = slope(d, x, p);
    return value(x, p);
  }
};

// ---- learnable-parameter gradients ---------------------------------------------------------------

/// ∂f/∂p_k of an activation with learnable parameters, for f32 data in f64 lanes (as the reference
/// computes them, in double): F32InF64ParamGradient<F>::grad(d, x, p, g) fills g[k] for every learnable
/// k. The driver (simd.cpp) multiplies by dy and sums in f64 lanes.
template <class F>
struct F32InF64ParamGradient;

/// Shifted tanh: ∂f/∂input_shift = -sech²(x - input_shift) (sech2_f64), ∂f/∂output_shift = 1.
/// Error: sech² within 4 ULP of f64 (the reference's double formula, 1e-15 relative).
template <>
struct F32InF64ParamGradient<fn::ShiftedTanh> {
  template <class D, class V>
  static void grad(D d, V x, const Pd& p, V* g) {
    g[fn::ShiftedTanh::kInputShift] = hn::Neg(sech2_f64(d, hn::Sub(x, hn::Set(d, p[fn::ShiftedTanh::kInputShift]))));
    g[fn::ShiftedTanh::kOutputShift] = hn::Set(d, 1.0);
  }
};

/// Generalized sigmoid, as fn::GeneralizedSigmoid::dparams with s = σ(u), s' = σ'(u) from
/// sigmoid_f64 at the forward kernel's u (ln beta once per call): ∂/∂alpha = s,
/// ∂/∂beta = -alpha s'/beta, ∂/∂gamma = (x - epsilon)·alpha s' (0 where s' is: x = ±inf gives 0,
/// not inf·0), ∂/∂epsilon = -alpha s' gamma, ∂/∂delta = 1. Error: s, s' within 1e-15 relative,
/// then the reference's products.
template <>
struct F32InF64ParamGradient<fn::GeneralizedSigmoid> {
  using Kernel = F32InF64Lanes<fn::GeneralizedSigmoid>;
  static Kernel::Prepared prepare(const Pd& p) { return Kernel::prepare(p); }
  template <class D, class V>
  static void grad(D d, V x, const Kernel::Prepared& c, V* g) {
    V sp;
    g[fn::GeneralizedSigmoid::kAlpha] = sigmoid_f64(d, Kernel::arg(d, x, c), sp);
    const V slope = hn::Mul(hn::Set(d, c.p[fn::GeneralizedSigmoid::kAlpha]), sp);
    g[fn::GeneralizedSigmoid::kBeta] = hn::Div(hn::Neg(slope), hn::Set(d, c.p[fn::GeneralizedSigmoid::kBeta]));
    g[fn::GeneralizedSigmoid::kGamma] = hn::IfThenElseZero(slope != hn::Zero(d), hn::Mul(hn::Sub(x, hn::Set(d, c.p[fn::GeneralizedSigmoid::kEpsilon])), slope));
    g[fn::GeneralizedSigmoid::kEpsilon] = hn::Mul(hn::Neg(slope), hn::Set(d, c.p[fn::GeneralizedSigmoid::kGamma]));
    g[fn::GeneralizedSigmoid::kDelta] = hn::Set(d, 1.0);
  }
};

/// Swish: ∂f/∂β = x² σ'(βx), σ' = e/(1 + e)² with e = e^-|βx| (sigmoid_f64), never 1 - σ. x² and
/// βx are exact in f64 for float x and β; Exp's 1 ULP and two roundings: within 4e-16 relative.
/// At x = ±inf the reference's limits: 0 for β ≠ 0 (σ' decays faster than x² grows), +inf for β = 0.
template <>
struct F32InF64ParamGradient<fn::Swish> {
  template <class D, class V>
  static void grad(D d, V x, const Pd& p, V* g) {
    V slope;
    sigmoid_f64(d, hn::Mul(hn::Set(d, p[fn::Swish::kBeta]), x), slope);
    const V finite = hn::Mul(hn::Mul(x, x), slope);
    g[fn::Swish::kBeta] = hn::IfThenElse(hn::IsInf(x), hn::Set(d, p[fn::Swish::kBeta] == 0.0 ? HUGE_VAL : 0.0), finite);
  }
};

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
