// The exponential family's smooth kernels (src/core/functions/exponential_family.hpp); the layout of every
// family file is described where simd.cpp includes them. No include guard.

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

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

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
