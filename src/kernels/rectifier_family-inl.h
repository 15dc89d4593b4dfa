// The rectifier family's smooth kernels (src/core/functions/rectifier_family.hpp); the layout of every
// family file is described where simd.cpp includes them. No include guard.

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

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

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
