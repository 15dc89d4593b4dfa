// Smooth activations for f32 data, computed in f64 lanes and rounded once, as the reference
// computes f32 in double. Highway's f64 Exp (1 ULP) and Expm1 (4 ULP) err by < 1e-15 relative,
// far below half an f32 ULP (3e-8), so results are within 1 ULP of the reference (which is within
// 0.5 ULP of the correctly rounded value) on every target. The formulas are the reference's stable
// splits (src/core/functions), with exp arguments clamped where the f32 result has saturated.
// No include guard: compiled once per target, inside that target's namespace.

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class F>
struct SimdF32ViaF64;  // specialised below; D is always a double descriptor

/// sigmoid(x) with e = e^-|x|: 1/(1 + e) for x ≥ 0, e/(1 + e) below. |x| is clamped at 200, where
/// e^-200 ~ 1e-87 is far below every f32 result; that also keeps Exp inside its valid range.
template <class D, class V>
V sigmoid_f64(D d, V x, V& slope) {
  const V e = hn::Exp(d, hn::Neg(hn::Min(hn::Abs(x), hn::Set(d, 200.0))));
  const V r = hn::Div(hn::Set(d, 1.0), hn::Add(hn::Set(d, 1.0), e));
  slope = hn::Mul(e, hn::Mul(r, r));  // sigmoid'(x) = e/(1 + e)^2, never 1 - s cancelling
  return hn::IfThenElse(x >= hn::Zero(d), r, hn::Mul(e, r));
}

template <>
struct SimdF32ViaF64<fn::Sigmoid> {
  template <class D, class V>
  static V f(D d, V x) {
    V slope;
    return sigmoid_f64(d, x, slope);
  }
  template <class D, class V>
  static V df(D d, V x) {
    V slope;
    sigmoid_f64(d, x, slope);
    return slope;
  }
  /// y(1 - y): exact in f64 for an f32 y, so identical to the reference.
  template <class D, class V>
  static V df_from_y(D d, V y) {
    return hn::Mul(y, hn::Sub(hn::Set(d, 1.0), y));
  }
};

template <>
struct SimdF32ViaF64<fn::Tanh> {
  /// tanh|x| = -t/(t + 2) with t = expm1(-2|x|) in (-1, 0]: no cancellation near 0; the sign is
  /// copied back so tanh(-0) = -0. |x| is clamped at 40, where tanh is 1 in f64.
  template <class D, class V>
  static V f(D d, V x) {
    const V t = hn::Expm1(d, hn::Mul(hn::Set(d, -2.0), hn::Min(hn::Abs(x), hn::Set(d, 40.0))));
    return hn::CopySign(hn::Div(hn::Neg(t), hn::Add(t, hn::Set(d, 2.0))), x);
  }
  /// sech^2 x = 4e/(1 + e)^2 with e = e^-2|x| (clamped: e^-800 is 0 for f32).
  template <class D, class V>
  static V df(D d, V x) {
    const V e = hn::Exp(d, hn::Mul(hn::Set(d, -2.0), hn::Min(hn::Abs(x), hn::Set(d, 400.0))));
    const V s = hn::Add(hn::Set(d, 1.0), e);
    return hn::Div(hn::Mul(hn::Set(d, 4.0), e), hn::Mul(s, s));
  }
  /// (1 - y)(1 + y): exact in f64 for an f32 y.
  template <class D, class V>
  static V df_from_y(D d, V y) {
    return hn::Mul(hn::Sub(hn::Set(d, 1.0), y), hn::Add(hn::Set(d, 1.0), y));
  }
};

template <>
struct SimdF32ViaF64<fn::Silu> {
  /// x sigmoid(x); at ±inf the limits +inf and -0 (the product would be -inf · 0).
  template <class D, class V>
  static V f(D d, V x) {
    V slope;
    const V y = hn::Mul(x, sigmoid_f64(d, x, slope));
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElse(x > hn::Zero(d), x, hn::Set(d, -0.0)), y);
  }
  /// s + x s'(x), with limits 1 and 0 at ±inf.
  template <class D, class V>
  static V df(D d, V x) {
    V slope;
    const V s = sigmoid_f64(d, x, slope);
    const V g = hn::Add(s, hn::Mul(x, slope));
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElseZero(x > hn::Zero(d), hn::Set(d, 1.0)), g);
  }
};

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
