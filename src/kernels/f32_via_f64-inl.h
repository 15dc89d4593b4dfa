// Smooth activations for f32 data, computed in f64 lanes and rounded once, as the reference
// computes f32 in double. Highway's f64 Exp (1 ULP) and Expm1 (4 ULP) err by < 1e-15 relative,
// far below half an f32 ULP (3e-8), so results are within 1 ULP of the reference (which is within
// 0.5 ULP of the correctly rounded value) on every target. The formulas are the reference's stable
// splits (src/core/functions), with exp arguments clamped where the f32 result has saturated.
// These are the functions without a native f32 kernel yet (smooth_f32-inl.h has sigmoid, tanh,
// silu, swish, gelu_sigmoid, hardswish, elu, celu, selu, softplus, log_sigmoid, softsign
// and lecun_tanh in f32 lanes), and evaluation-mode RReLU, whose mean slope only f64 holds exactly.
// No include guard: compiled once per target, inside that target's namespace.

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class F>
struct SimdF32ViaF64;  // specialised below; D is always a double descriptor

/// Parameters as the reference uses them for f32 data: rounded to float, then widened.
using Pd = fn::Params<double>;

/// sigmoid(x) with e = e^-|x|: 1/(1 + e) for x ≥ 0, e/(1 + e) below. |x| is clamped at 1000, which
/// keeps Exp in its valid range yet past f64's underflow (745), so e and the slope become exactly
/// 0 where the reference's do: a slope times a huge factor (gelu_tanh's x u') must stay 0.
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
/// significant bits): one rounding to float, bit-identical to the reference (measured 0 ULP
/// difference; ≤ 0.5 ULP of the truth).
template <>
struct SimdF32ViaF64<fn::Rrelu> {
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
struct SimdF32ViaF64<fn::Mish> {
  /// fn::Mish::parts in both branches: rational in e = e^x below 0 and in e = e^-x above.
  template <class D, class V>
  static void parts(D d, V x, V& t, V& sech2, V& sig) {
    const V one = hn::Set(d, 1.0), two = hn::Set(d, 2.0), four = hn::Set(d, 4.0);
    const V en = exp_nonpositive(d, hn::Min(x, hn::Zero(d)));  // x <= 0 branch
    const V n = hn::Mul(en, hn::Add(en, two));
    const V dn = hn::Add(n, two);
    const V ep = exp_nonpositive(d, hn::Neg(hn::Max(x, hn::Zero(d))));  // x > 0 branch
    const V dp = hn::Add(one, hn::Mul(hn::Mul(two, ep), hn::Add(one, ep)));
    const V onep = hn::Add(one, ep);
    const auto neg = x <= hn::Zero(d);
    t = hn::IfThenElse(neg, hn::Div(n, dn), hn::Div(hn::Add(one, hn::Mul(two, ep)), dp));
    sech2 = hn::IfThenElse(neg, hn::Div(hn::Mul(four, hn::Add(n, one)), hn::Mul(dn, dn)),
                           hn::Div(hn::Mul(hn::Mul(four, hn::Mul(ep, ep)), hn::Mul(onep, onep)), hn::Mul(dp, dp)));
    sig = hn::IfThenElse(neg, hn::Div(en, hn::Add(one, en)), hn::Div(one, onep));
  }
  template <class D, class V>
  static V f(D d, V x, const Pd&) {
    V t, sech2, sig;
    parts(d, x, t, sech2, sig);
    return gated_limit_f64(d, x, hn::Mul(x, t));
  }
  template <class D, class V>
  static V df(D d, V x, const Pd&) {
    V t, sech2, sig;
    parts(d, x, t, sech2, sig);
    const V g = hn::Add(t, hn::IfThenElseZero(sech2 != hn::Zero(d), hn::Mul(hn::Mul(x, sig), sech2)));
    return gated_slope_limit_f64(d, x, g);
  }
};

template <>
struct SimdF32ViaF64<fn::GeluTanh> {
  /// x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3), in the reference's operation order.
  template <class D, class V>
  static V v_of(D d, V x) {
    const V k = hn::Set(d, static_cast<double>(fn::GeluTanh::kK));
    const V u = hn::Mul(hn::Set(d, static_cast<double>(fn::GeluTanh::kC)), hn::Add(x, hn::Mul(hn::Mul(hn::Mul(k, x), x), x)));
    return hn::Mul(hn::Set(d, 2.0), u);
  }
  template <class D, class V>
  static V f(D d, V x, const Pd&) {
    V slope;
    return gated_limit_f64(d, x, hn::Mul(x, sigmoid_f64(d, v_of(d, x), slope)));
  }
  template <class D, class V>
  static V df(D d, V x, const Pd&) {
    V slope;
    const V s = sigmoid_f64(d, v_of(d, x), slope);
    const V k3 = hn::Mul(hn::Set(d, 3.0), hn::Set(d, static_cast<double>(fn::GeluTanh::kK)));
    const V du = hn::Mul(hn::Set(d, static_cast<double>(fn::GeluTanh::kC)), hn::Add(hn::Set(d, 1.0), hn::Mul(hn::Mul(k3, x), x)));
    const V g = hn::Add(s, hn::IfThenElseZero(slope != hn::Zero(d), hn::Mul(hn::Mul(hn::Mul(hn::Set(d, 2.0), x), du), slope)));
    return gated_slope_limit_f64(d, x, g);
  }
};

template <>
struct SimdF32ViaF64<fn::Squareplus> {
  /// h = sqrt(x^2 + b) (x^2 cannot overflow f64 for an f32 x); (x + h)/2 for x >= 0 and
  /// b/(2(h - x)) below, where x + h would cancel.
  template <class D, class V>
  static V h_of(D d, V x, const Pd& p) {
    return hn::Sqrt(hn::MulAdd(x, x, hn::Set(d, p[0])));
  }
  template <class D, class V>
  static V f(D d, V x, const Pd& p) {
    const V h = h_of(d, x, p), half = hn::Set(d, 0.5);
    return hn::IfThenElse(x >= hn::Zero(d), hn::Mul(hn::Add(x, h), half),
                          hn::Div(hn::Set(d, p[0]), hn::Mul(hn::Set(d, 2.0), hn::Sub(h, x))));
  }
  template <class D, class V>
  static V df(D d, V x, const Pd& p) {
    const V h = h_of(d, x, p), one = hn::Set(d, 1.0);
    const V pos = hn::Mul(hn::Add(one, hn::Div(x, h)), hn::Set(d, 0.5));
    const V neg = hn::Div(hn::Set(d, p[0]), hn::Mul(hn::Mul(hn::Set(d, 2.0), h), hn::Sub(h, x)));
    const V g = hn::IfThenElse(x >= hn::Zero(d), pos, neg);
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElseZero(x > hn::Zero(d), one), g);
  }
  /// y^2 / (y^2 + b/4).
  template <class D, class V>
  static V df_from_y(D d, V y, const Pd& p) {
    const V y2 = hn::Mul(y, y);
    return hn::Div(y2, hn::Add(y2, hn::Div(hn::Set(d, p[0]), hn::Set(d, 4.0))));
  }
};

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
