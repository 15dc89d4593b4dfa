// The sigmoid family's smooth kernels (src/core/functions/sigmoid_family.hpp); the layout of every
// family file is described where simd.cpp includes them. No include guard.

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// sigmoid(x): f = f32::gated_lean with x = 1 (1/(1 + e^-x), or e^x/(1 + e^x) below -16; within
/// 2 ULP), vectors with a lane past its range (|x| > 87, inf, NaN) and targets without FMA by the pair
/// form (σ(|x|) = 1/(1 + e), σ(-|x|) = e/(1 + e), e = e^-|x|, one corrected quotient, subnormal
/// tails rounded once). f' = e/(1 + e)² from the pair form. Valid for every float.
template <>
struct F32Lanes<fn::Sigmoid> {
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    const auto a = f32::lean_arg(d, x, f32::Exact{});
    if (HWY_LIKELY(a.holds(d))) return f32::gated_lean(d, hn::Set(d, 1.0f), a);
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
