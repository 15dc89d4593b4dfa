// The tanh family's smooth kernels (src/core/functions/tanh_family.hpp); the layout of every
// family file is described where simd.cpp includes them. No include guard.

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

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

/// tanh(x) = sign(x)·tanh|x| (f64::tanh_abs); below 2^-27 the result is x (x³/3 is under a
/// quarter ULP), which keeps signed zeros and subnormals. f' = sech²x = 4e/(1 + e)², e = e^-2|x|
/// (the logistic slope, tails scaled once); from y, (1 - y)(1 + y) with both factors exact pairs
/// and one rounding. Valid for every double.
template <>
struct F64Lanes<fn::Tanh> {
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> corr;
    const f64::V<D> y = f64::tanh_abs(d, hn::Abs(x), hn::Zero(d), corr);
    return hn::IfThenElse(hn::Abs(x) < hn::Set(d, 0x1p-27), x, hn::CopySign(hn::Add(y, corr), x));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    return f64::scaled_sech2(d, x, hn::Zero(d), hn::Set(d, 1.0), hn::Zero(d));
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>&) {
    const f64::V<D> one = hn::Set(d, 1.0);
    f64::V<D> ml, pl;
    const f64::V<D> mh = f64::two_sum<D>(one, hn::Neg(y), ml);
    const f64::V<D> ph = f64::two_sum<D>(one, y, pl);
    return hn::IfThenElse(hn::IsFinite(y), f64::mul_pair(d, mh, ml, ph, pl), hn::Mul(hn::Sub(one, y), hn::Add(one, y)));
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

/// shifted_tanh(x) = tanh(v) + output_shift, v = x - input_shift as an exact pair (TwoSum), so
/// the kernel sees the true argument even where x ≈ input_shift: tanh|v| as y + corr
/// (f64::tanh_abs on the pair), v itself below |v| = 2^-27, then the output shift added as a pair
/// and rounded once. Where output_shift ≈ -tanh(v) the sum cancels in the truth's own definition
/// too: certified (tests) only for shifts without such a zero (|output_shift| > 1, or 0).
/// f' = sech²v = 4σ(2|v|)σ(-2|v|) on the pair (the logistic slope, tails scaled once); 0 at ±inf.
/// Valid for every double x and finite shifts.
template <>
struct F64Lanes<fn::ShiftedTanh> {
  template <class D>
  static f64::V<D> v_of(D d, f64::V<D> x, const P<D>& p, f64::V<D>& lo) {
    const f64::V<D> hi = f64::two_sum<D>(x, hn::Set(d, -p[fn::ShiftedTanh::kInputShift]), lo);
    lo = hn::IfThenElseZero(hn::IsFinite(hi), lo);
    return hi;
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>& p) {
    f64::V<D> vl, corr;
    const f64::V<D> vh = v_of(d, x, p, vl);
    const auto neg = vh < hn::Zero(d);
    const f64::V<D> th = f64::tanh_abs(d, hn::Abs(vh), hn::IfThenElse(neg, hn::Neg(vl), vl), corr);
    // tanh v as a pair with v's sign; v itself where tanh v = v - v³/3 is v to 2^-55.
    const auto tiny = hn::Abs(vh) < hn::Set(d, 0x1p-27);
    const f64::V<D> t_hi = hn::IfThenElse(tiny, vh, hn::CopySign(th, vh));
    const f64::V<D> t_lo = hn::IfThenElse(tiny, vl, hn::IfThenElse(neg, hn::Neg(corr), corr));
    f64::V<D> sl;
    const f64::V<D> sh = f64::two_sum<D>(t_hi, hn::Set(d, p[fn::ShiftedTanh::kOutputShift]), sl);
    return hn::Add(sh, hn::Add(sl, t_lo));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>& p) {
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, p, vl);
    return f64::scaled_sech2(d, vh, vl, hn::Set(d, 1.0), hn::Zero(d));
  }
};

/// shifted_tanh: ∂f/∂input_shift = -sech²(v) on the pair v = x - input_shift (f64::scaled_sech2),
/// ∂f/∂output_shift = 1.
template <>
struct F64ParamGradient<fn::ShiftedTanh> {
  template <class D>
  static void grad(D d, f64::V<D> x, const P<D>& p, f64::V<D>* g) {
    f64::V<D> vl;
    const f64::V<D> vh = F64Lanes<fn::ShiftedTanh>::v_of(d, x, p, vl);
    g[fn::ShiftedTanh::kInputShift] = hn::Neg(f64::scaled_sech2(d, vh, vl, hn::Set(d, 1.0), hn::Zero(d)));
    g[fn::ShiftedTanh::kOutputShift] = hn::Set(d, 1.0);
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

/// tanhshrink(x) = x - tanh x. For |x| ≤ 3/4, where the difference cancels, x³P(x²) with
/// P(w) = (v - tanh v)/v³ = 1/3 - 2w/15 + w²R(w): 1/3 and -2/15 as double pairs, R a degree-12
/// fit (this project's own, scripts/fits/tanhshrink.py 12 0.5625: interpolation at 13 Chebyshev
/// nodes of w ∈ [0, 9/16]; with its coefficients rounded to double, w²R is within 2^-57.3 of P
/// relative), and x³
/// and P carried as pairs, so only R's own rounding (≤ 5% of P) and the final product round.
/// Below 2^-300 (x³ near or below the subnormal range) f = x³/3 on x·2^300, scaled back once.
/// Above 3/4, |x| - tanh|x| with tanh a pair (f64::tanh_abs; x - tanh x ≥ 0.15 x there), the
/// sign of x copied (f(±0) = ±0, ±inf at ±inf). f' = tanh²x, the pair squared and rounded once;
/// x² below 2^-27. Valid for every double.
template <>
struct F64Lanes<fn::Tanhshrink> {
  static constexpr double kR[] = {
      0x1.ba1ba1ba1ba1bp-5,  -0x1.664f4882c0fbcp-6, 0x1.226e355e5c9b9p-7,  -0x1.d6d3d0d7caa28p-9,
      0x1.7da362cad6afcp-10, -0x1.3557fefb07888p-11, 0x1.f578d49e53339p-13, -0x1.964ca2a4e326bp-14,
      0x1.481075cf14918p-15, -0x1.03b926c1b65adp-16, 0x1.7c3c60b9fd358p-18, -0x1.bb0a149d1ae35p-20,
      0x1.21654427ec679p-22};
  static constexpr double kThirdHi = 0x1.5555555555555p-2, kThirdLo = 0x1.5555555555555p-56;
  static constexpr double kC1Hi = -0x1.1111111111111p-3, kC1Lo = -0x1.1111111111111p-59;
  /// |x|³P(x²) for |x| ≤ 3/4 (a = |x| ≥ 2^-300).
  template <class D>
  static f64::V<D> central(D d, f64::V<D> a) {
    f64::V<D> wl;
    const f64::V<D> wh = f64::two_prod(d, a, a, wl);
    constexpr std::size_t kN = sizeof(kR) / sizeof(kR[0]);
    f64::V<D> r = hn::Set(d, kR[kN - 1]);
    for (std::size_t i = kN - 1; i-- > 0;) r = hn::MulAdd(r, wh, hn::Set(d, kR[i]));
    // s = -2/15 + w R, then P = 1/3 + w s, both as pairs.
    f64::V<D> sl;
    const f64::V<D> sh = f64::fast_two_sum<D>(hn::Set(d, kC1Hi), hn::Mul(wh, r), sl);
    sl = hn::Add(sl, hn::MulAdd(wl, r, hn::Set(d, kC1Lo)));
    f64::V<D> ml, pl;
    const f64::V<D> mh = f64::two_prod(d, wh, sh, ml);
    ml = hn::Add(ml, hn::MulAdd(wh, sl, hn::Mul(wl, sh)));
    const f64::V<D> ph = f64::fast_two_sum<D>(hn::Set(d, kThirdHi), mh, pl);
    pl = hn::Add(pl, hn::Add(ml, hn::Set(d, kThirdLo)));
    f64::V<D> cl;
    const f64::V<D> ch = f64::two_prod(d, a, wh, cl);
    cl = hn::MulAdd(a, wl, cl);
    return f64::mul_pair(d, ch, cl, ph, pl);
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> a = hn::Abs(x);
    f64::V<D> corr;
    const f64::V<D> t = f64::tanh_abs(d, a, hn::Zero(d), corr);
    f64::V<D> bl;
    const f64::V<D> bh = f64::two_sum<D>(a, hn::Neg(t), bl);
    const f64::V<D> big = hn::Add(bh, hn::IfThenElseZero(hn::IsFinite(bh), hn::Sub(bl, corr)));
    const auto tiny = a < hn::Set(d, 0x1p-300);
    const f64::V<D> mid = central(d, hn::IfThenElse(tiny, hn::Set(d, 1.0), a));
    // x³/3 on a·2^300 (cubed: 2^900, a normal double), scaled back by 2^-900 with one rounding.
    const f64::V<D> as = hn::Mul(a, hn::Set(d, 0x1p300));
    f64::V<D> wl, cl;
    const f64::V<D> wh = f64::two_prod(d, as, as, wl);
    const f64::V<D> ch = f64::two_prod(d, as, wh, cl);
    cl = hn::MulAdd(as, wl, cl);
    const f64::V<D> small = hn::Mul(f64::mul_pair(d, ch, cl, hn::Set(d, kThirdHi), hn::Set(d, kThirdLo)), hn::Set(d, 0x1p-900));
    const f64::V<D> y = hn::IfThenElse(a > hn::Set(d, 0.75), big, hn::IfThenElse(tiny, small, mid));
    return hn::CopySign(y, x);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> corr;
    const f64::V<D> t = f64::tanh_abs(d, hn::Abs(x), hn::Zero(d), corr);
    return hn::IfThenElse(hn::Abs(x) < hn::Set(d, 0x1p-27), hn::Mul(x, x), f64::mul_pair(d, t, corr, t, corr));
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

/// lecun_tanh(x) = A tanh(2x/3), A = 1.7159 (the reference's long double) as a double pair.
/// v = 2x/3 is a pair (v_hi = x·(2/3)_d, v_lo from the exact residual x - 1.5 v_hi), tanh|v| as
/// y + corr (f64::tanh_abs), A·tanh rounded once; x·(2A/3) below |v| = 2^-27 (tanh v = v to
/// v²/3 < 2^-55). f' = (8A/3)·σ(2|v|)σ(-2|v|) (the logistic slope of the pair 2|v|, tails scaled
/// once); from y, (2/(3A))(A - y)(A + y) with A - y, A + y and their product as pairs, rounded
/// once. Valid for every double.
template <>
struct F64Lanes<fn::LecunTanh> {
  static constexpr double kAHi = 0x1.b74538ef34d6ap+0, kALo = 0x1.62p-56;
  template <class D>
  static f64::V<D> v_of(D d, f64::V<D> x, f64::V<D>& lo) {
    const f64::V<D> c = hn::Set(d, 2.0 / 3.0);
    const f64::V<D> hi = hn::Mul(x, c);
    lo = hn::IfThenElseZero(hn::IsFinite(hi), hn::Mul(f64::residual(d, hi, hn::Set(d, 1.5), x), c));
    return hi;
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> vl, corr;
    const f64::V<D> vh = v_of(d, x, vl);
    const f64::V<D> al_abs = hn::IfThenElse(vh < hn::Zero(d), hn::Neg(vl), vl);  // |v|'s low part
    const f64::V<D> th = f64::tanh_abs(d, hn::Abs(vh), al_abs, corr);
    const f64::V<D> big = hn::CopySign(f64::mul_pair(d, hn::Set(d, kAHi), hn::Set(d, kALo), th, corr), x);
    // Below |v| = 2^-27: f = x·(2A/3), the pair product rounded once, on x·2^54 so that no
    // partial product underflows (v itself would lose the bits of a subnormal x), then scaled
    // back: exact unless the result is subnormal. f(±0) = ±0.
    const f64::V<D> xs = hn::Mul(x, hn::Set(d, 0x1p54));
    const f64::V<D> ss = f64::mul_pair(d, hn::Set(d, 0x1.24d8d09f788f1p+0), hn::Set(d, 0x1.9055555555555p-54), xs, hn::Zero(d));
    const f64::V<D> small = hn::CopySign(hn::Mul(ss, hn::Set(d, 0x1p-54)), x);
    return hn::IfThenElse(hn::Abs(vh) < hn::Set(d, 0x1p-27), small, big);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, vl);
    return f64::scaled_sech2(d, vh, vl, hn::Set(d, 0x1.24d8d09f788f1p+0), hn::Set(d, 0x1.9055555555555p-54));
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>&) {
    const f64::V<D> ah = hn::Set(d, kAHi), al = hn::Set(d, kALo);
    f64::V<D> ml, pl, ql;
    const f64::V<D> mh = f64::two_sum<D>(ah, hn::Neg(y), ml);
    const f64::V<D> ph = f64::two_sum<D>(ah, y, pl);
    const f64::V<D> qh = f64::two_prod(d, mh, ph, ql);
    ql = hn::Add(ql, hn::MulAdd(mh, hn::Add(pl, al), hn::Mul(hn::Add(ml, al), ph)));
    const f64::V<D> r = f64::mul_pair(d, hn::Set(d, 0x1.8dd8fb2943033p-2), hn::Set(d, 0x1.088cd95021c4ap-62), qh, ql);
    return hn::IfThenElse(hn::IsFinite(y), r, hn::Mul(hn::Set(d, 0x1.8dd8fb2943033p-2), hn::Mul(mh, ph)));
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

/// softsign(x) = x/(1 + |x|) with 1 + |x| an exact pair and one corrected quotient (~0.5 ULP);
/// the sign copied from x (f(-0) = -0) and ±1 at ±inf. f' = r² for r = 1/(1 + |x|) as a pair,
/// the square rounded once, so |x| > 2^511 gives its subnormal value and inf gives 0.
/// Valid for every double.
template <>
struct F64Lanes<fn::Softsign> {
  template <class D>
  static f64::V<D> den(D d, f64::V<D> x, f64::V<D>& lo) {
    return f64::two_sum<D>(hn::Set(d, 1.0), hn::Abs(x), lo);
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> dl, corr;
    const f64::V<D> dh = den(d, x, dl);
    const f64::V<D> y = f64::div_pair(d, hn::Abs(x), hn::Zero(d), dh, dl, corr);
    return hn::CopySign(hn::IfThenElse(hn::IsInf(x), hn::Set(d, 1.0), hn::Add(y, corr)), x);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> dl, r_lo;
    const f64::V<D> dh = den(d, x, dl);
    const f64::V<D> r = f64::div_pair(d, hn::Set(d, 1.0), hn::Zero(d), dh, dl, r_lo);
    return hn::IfThenElseZero(hn::IsFinite(x), hn::MulAdd(r, r, hn::Mul(hn::Add(r, r), r_lo)));
  }
};

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

/// telu(x) = x tanh(u), u = e^x: u as a pair (exp_pair for x ≤ 0; 1/e^-x, one corrected quotient,
/// above), x clamped at 20 (tanh(e^20) is 1 in f64), tanh u as a pair (f64::tanh_abs), the product
/// with x rounded once. Below x = -20, where tanh u = u to 2^-59, f = x e^x, subnormal tails
/// rounded once; the sign is x's (f(-0) = -0, -0 far down). f' = tanh u + 4x u σ(2u)σ(-2u)
/// (x u sech²u; the logistic slope, never 1 - tanh²), both terms pairs and one rounding; below -20
/// f' = e^x (1 + x); next to its zero x0 = -1.078860058464624 the fit TeluSlopeFit (degree 12, Q's
/// relative error 2^-58.7). Zeros: f' is -0 where it underflows, +0 where the reference's
/// long-double e^x is 0. Limits: f(±inf) = +inf, -0; f'(±inf) = 1, 0. Valid for every double.
template <>
struct F64Lanes<fn::Telu> {
  /// e^x as hi + lo for x ∈ [-20, 20].
  template <class D>
  static f64::V<D> u_of(D d, f64::V<D> x, f64::V<D>& lo) {
    const f64::Exp<D> e = f64::exp_pair<f64::Range::kNormal>(d, hn::Neg(hn::Abs(x)), hn::Zero(d));
    f64::V<D> corr;
    const f64::V<D> inv = f64::div_pair(d, hn::Set(d, 1.0), hn::Zero(d), e.hi, e.lo, corr);
    const f64::V<D> up = f64::pow2(d, hn::Neg(e.n));  // 2^-n ≤ 2^29
    const auto pos = x > hn::Zero(d);
    lo = hn::IfThenElse(pos, hn::Mul(corr, up), hn::Mul(e.lo, e.unit));
    return hn::IfThenElse(pos, hn::Mul(inv, up), hn::Mul(e.hi, e.unit));
  }
  template <class D>
  static f64::V<D> clamped(D d, f64::V<D> x) {
    return hn::Min(hn::Max(x, hn::Set(d, -20.0)), hn::Set(d, 20.0));
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> xc = clamped(d, x);
    f64::V<D> ul, corr;
    const f64::V<D> uh = u_of(d, xc, ul);
    const f64::V<D> t = f64::tanh_abs(d, uh, ul, corr);
    f64::V<D> y = f64::mul_pair(d, x, hn::Zero(d), t, corr);
    const auto tail = x < hn::Set(d, -20.0);
    if (HWY_UNLIKELY(!hn::AllFalse(d, tail))) {
      y = hn::IfThenElse(tail, f64::scaled_exp(d, x, hn::Zero(d), x, hn::Zero(d)), y);
    }
    y = hn::CopySign(y, x);  // tanh u > 0
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElse(x > hn::Zero(d), x, hn::Set(d, -0.0)), y);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> xc = clamped(d, x);
    f64::V<D> ul, tl;
    const f64::V<D> uh = u_of(d, xc, ul);
    const f64::V<D> th = f64::tanh_abs(d, uh, ul, tl);
    // 4x u as a pair, times σ(w)σ(-w) for w = 2u as a pair, then scaled by w's 2^n.
    const f64::V<D> wh = hn::Mul(hn::Set(d, 2.0), uh), wl = hn::Mul(hn::Set(d, 2.0), ul);
    f64::V<D> bl;
    const f64::V<D> bh = f64::by_range(d, hn::Neg(wh), [&](auto range) {
      const f64::Logistic<D> s = f64::logistic<decltype(range)::value>(d, wh, wl);
      f64::V<D> r_lo, small, small_lo, gl, cl, pl;
      const f64::V<D> r = f64::logistic_halves(d, s, r_lo, small, small_lo);
      const f64::V<D> gh = f64::two_prod(d, small, r, gl);
      gl = hn::Add(gl, hn::MulAdd(small, r_lo, hn::Mul(small_lo, r)));
      const f64::V<D> x4 = hn::Mul(hn::Set(d, 4.0), xc);
      const f64::V<D> ch = f64::two_prod(d, x4, uh, cl);
      cl = hn::MulAdd(x4, ul, cl);
      const f64::V<D> ph = f64::two_prod(d, ch, gh, pl);
      pl = hn::Add(pl, hn::MulAdd(ch, gl, hn::Mul(cl, gh)));
      bl = f64::scale<decltype(range)::value>(d, pl, s.e.n);
      return f64::scale<decltype(range)::value>(d, ph, s.e.n);
    });
    f64::V<D> sl;
    const f64::V<D> sh = f64::two_sum<D>(th, bh, sl);
    f64::V<D> g = hn::Add(sh, hn::Add(sl, hn::Add(tl, bl)));
    f64::V<D> t0;
    const f64::V<D> near = f64::near_zero<TeluSlopeFit>(d, x, hn::Zero(d), t0);
    g = hn::IfThenElse(hn::Abs(t0) <= hn::Set(d, TeluSlopeFit::kHalfWidth), near, g);
    const auto tail = x < hn::Set(d, -20.0);
    if (HWY_UNLIKELY(!hn::AllFalse(d, tail))) {
      // e^x (1 + x), 1 + x an exact pair; the sign is -, or + where the reference's e^x is 0.
      f64::V<D> ml;
      const f64::V<D> mh = f64::two_sum<D>(hn::Set(d, 1.0), x, ml);
      const f64::V<D> far = f64::scaled_exp(d, x, hn::Zero(d), mh, hn::IfThenElseZero(hn::IsFinite(mh), ml));
      const auto reference_zero = x <= hn::Set(d, f64::kReferenceExpUnderflow);
      g = hn::IfThenElse(tail, hn::IfThenElse(reference_zero, hn::Abs(far), hn::Neg(hn::Abs(far))), g);
    }
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElseZero(x > hn::Zero(d), hn::Set(d, 1.0)), g);
  }
  /// f' near x0 (scripts/fits/near_zero.py telu 12 0.125).
  struct TeluSlopeFit {
    static constexpr double kHalfWidth = 0.125;
    static constexpr double kZeroHi = -0x1.14302c3c10f30p+0, kZeroLo = -0x1.b8c761c7b1289p-54;
    static constexpr double kC0Hi = 0x1.68f6b660942b4p-2, kC0Lo = -0x1.accdac615c81ep-57;
    static constexpr double kR[] = {0x1.4d0848bbb42d2p-2,  0x1.b9cbc0b27eec1p-4,  -0x1.76ccc7f75d22ep-6,
                                    -0x1.75ed50eb6a6f2p-5, -0x1.a1972d506d17ep-6, -0x1.70f433c71dd7ep-8,
                                    0x1.6b4739a9b38c3p-9,  0x1.bdae45a1892ffp-9,  0x1.b44080a4643b1p-10,
                                    0x1.3cff62e2ac222p-12, -0x1.a76410f18b68fp-13, -0x1.bdf3a294608c0p-13,
                                    -0x1.901262d38fdbap-14};
  };
};

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
