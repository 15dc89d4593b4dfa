// The gate family's smooth kernels (src/core/functions/gate_family.hpp); the layout of every
// family file is described where simd.cpp includes them. No include guard.

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

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
};

/// GELU in f32 lanes, within the budget (2 ULP f, 4 ULP f'). With a = |x|, Q(a) = Φ(-a) and
/// e^(-a²/2) = s (1 + w) (a² an exact pair; s = 2^n, w rounded once):
///   f  = -a Q (x < 0), x - a Q (x ≥ 0),   a Q = s U + s U w
///   f' =  g   (x < 0), 1 - g    (x ≥ 0),  g = Q - a φ(a) = s G + s G w
/// so nothing cancels (a Q ≤ x/2; g ≤ 1/2). U(a) = a M(a)/√(2π) and G(a) = (M(a) - a)/√(2π) (M
/// Mills' ratio) are degree-8 polynomials in z = a - c_i on eight intervals of [0, 13] chosen by
/// the bits of a + 1, their coefficients picked per lane from 8-entry tables
/// (scripts/fits/gelu_lean.py: relative errors ≤ 2^-28.6; z exact, Sterbenz). On the first
/// interval (a < 1/2) the polynomials are a Q and g themselves and the exponential's argument is
/// scaled by 0 (kHalf: s = 1, w = 0), so a tiny x gives x/2 rounded once; G's zero (f''s, x =
/// -0.7518) is a centre, so f' keeps its relative accuracy there. Vectors with a lane below -13
/// (where a Q nears the subnormals), -inf or NaN, and targets without FMA or 8-lane tables, take
/// F32InF64Lanes<fn::Gelu>; a = min(a, 13) above, where f = x and f' = 1. Signed zeros: x - (+0).
template <>
struct F32Lanes<fn::Gelu> {
  static constexpr float kFloor = -13.0f;
  alignas(64) static constexpr float kHalf[16] = {0, -0.5f, -0.5f, -0.5f, -0.5f, -0.5f, -0.5f, -0.5f, 0, 0, 0, 0, 0, 0, 0, 0};
  alignas(64) static constexpr float kUCentre[16] = {0x0p+0f, 0x1.7fdp-1f, 0x1.7f24p+0f, 0x1.3fbap+1f, 0x1.fdeep+1f, 0x1.833ep+2f, 0x1.1fa8p+3f, 0x1.803a8p+3f, 0, 0, 0, 0, 0, 0, 0, 0};
  alignas(64) static constexpr float kU[9][16] = {
      {0x0p+0f, 0x1.cd0794p-3f, 0x1.3bd636p-2f, 0x1.69bf9ap-2f, 0x1.828d7ap-2f, 0x1.8e2adp-2f, 0x1.93a36ep-2f, 0x1.95bd88p-2f, 0, 0, 0, 0, 0, 0, 0, 0},
      {0x1p-1f, 0x1.5c2238p-3f, 0x1.2148bep-4f, 0x1.c007dp-6f, 0x1.30eb92p-7f, 0x1.9777a2p-9f, 0x1.0c58bap-10f, 0x1.d02caep-12f, 0, 0, 0, 0, 0, 0, 0, 0},
      {-0x1.988454p-2f, -0x1.c3091ep-4f, -0x1.347c66p-5f, -0x1.7978a6p-7f, -0x1.7ded02p-9f, -0x1.70223p-11f, -0x1.5635ep-13f, -0x1.c3c4d2p-15f, 0, 0, 0, 0, 0, 0, 0, 0},
      {0x1.d63016p-22f, 0x1.d6dbcp-5f, 0x1.0ec624p-6f, 0x1.0b7adp-8f, 0x1.9aadfap-11f, 0x1.21ce18p-13f, 0x1.7fe1c4p-16f, 0x1.8460a8p-18f, 0, 0, 0, 0, 0, 0, 0, 0},
      {0x1.1051bep-4f, -0x1.a8e5c6p-6f, -0x1.a16256p-8f, -0x1.5275bp-10f, -0x1.90f07cp-13f, -0x1.a3c524p-16f, -0x1.8f8de4p-19f, -0x1.37149p-21f, 0, 0, 0, 0, 0, 0, 0, 0},
      {0x1.66bf0cp-15f, 0x1.57931p-7f, 0x1.237bd6p-9f, 0x1.897ee6p-12f, 0x1.6bc4bp-15f, 0x1.1e690ap-18f, 0x1.893682p-22f, 0x1.dbe0fcp-25f, 0, 0, 0, 0, 0, 0, 0, 0},
      {-0x1.4c0b4ap-7f, -0x1.fb7adp-9f, -0x1.7863dap-11f, -0x1.abcce6p-14f, -0x1.3991f8p-17f, -0x1.748c5ep-21f, -0x1.76ca24p-25f, -0x1.5f5b2ep-28f, 0, 0, 0, 0, 0, 0, 0, 0},
      {0x1.4d09b6p-12f, 0x1.5803bap-10f, 0x1.da6b78p-13f, 0x1.c26d56p-16f, 0x1.18ca24p-19f, 0x1.ec0486p-24f, 0x1.86235cp-28f, 0x1.e54c7ap-32f, 0, 0, 0, 0, 0, 0, 0, 0},
      {0x1.dada72p-11f, -0x1.f63b7cp-12f, -0x1.10bd22p-14f, -0x1.b1a022p-18f, -0x1.b212dcp-22f, -0x1.44bafcp-26f, -0x1.5d7d56p-31f, -0x1.634a56p-35f, 0, 0, 0, 0, 0, 0, 0, 0},
  };
  alignas(64) static constexpr float kGCentre[16] = {0x0p+0f, 0x1.80ead2p-1f, 0x1.7ae4p+0f, 0x1.42bp+1f, 0x1.feb8p+1f, 0x1.7f5p+2f, 0x1.1fd88p+3f, 0x1.7f878p+3f, 0, 0, 0, 0, 0, 0, 0, 0};
  alignas(64) static constexpr float kG[9][16] = {
      {0x1p-1f, -0x1.dc87p-28f, -0x1.880b0ep-2f, -0x1.bb0f76p-1f, -0x1.7f4552p+0f, -0x1.298882p+1f, -0x1.c5b9e2p+1f, -0x1.2fe576p+2f, 0, 0, 0, 0, 0, 0, 0, 0},
      {-0x1.988454p-1f, -0x1.25126cp-1f, -0x1.f6688cp-2f, -0x1.c6a4d4p-2f, -0x1.ae6c2ap-2f, -0x1.a31094p-2f, -0x1.9d63a2p-2f, -0x1.9b4daap-2f, 0, 0, 0, 0, 0, 0, 0, 0},
      {0x1.8a760cp-21f, 0x1.5b297ep-4f, 0x1.267638p-5f, 0x1.b767aap-7f, 0x1.2fbefep-8f, 0x1.a2fa14p-10f, 0x1.0bd748p-11f, 0x1.d2a4e6p-13f, 0, 0, 0, 0, 0, 0, 0, 0},
      {0x1.10561p-2f, -0x1.2bad4p-5f, -0x1.a46a52p-7f, -0x1.eb1814p-9f, -0x1.fabacp-11f, -0x1.fd0db2p-13f, -0x1.c72f1p-15f, -0x1.2e4d62p-16f, 0, 0, 0, 0, 0, 0, 0, 0},
      {0x1.431b4p-15f, 0x1.d508a4p-7f, 0x1.15d4ccp-8f, 0x1.03cd2p-10f, 0x1.98319ep-13f, 0x1.2f1282p-15f, 0x1.7ea9c6p-18f, 0x1.8aac12p-20f, 0, 0, 0, 0, 0, 0, 0, 0},
      {-0x1.ea91b2p-5f, -0x1.52585p-8f, -0x1.57f20ep-10f, -0x1.061b4ep-12f, -0x1.3da97p-15f, -0x1.612c48p-18f, -0x1.3ce832p-21f, -0x1.d884cp-23f, 0, 0, 0, 0, 0, 0, 0, 0},
      {-0x1.32986ap-12f, 0x1.c700b8p-10f, 0x1.8ed4dcp-12f, 0x1.f43982p-15f, 0x1.e25722p-18f, 0x1.92b45ep-21f, 0x1.06062ap-24f, -0x1.e089e8p-30f, 0, 0, 0, 0, 0, 0, 0, 0},
      {0x1.5ff47cp-7f, -0x1.293034p-11f, -0x1.c284f6p-14f, -0x1.c8d52cp-17f, -0x1.81ac96p-20f, -0x1.ef32b4p-24f, -0x1.ded98ap-28f, 0x1.c431fcp-25f, 0, 0, 0, 0, 0, 0, 0, 0},
      {-0x1.fb35aep-10f, 0x1.8b0852p-13f, 0x1.1abe3ap-15f, 0x1.33d36cp-18f, 0x1.0cbbap-22f, 0x1.31c4a4p-26f, 0x1.742206p-31f, 0x1.ae78e2p-29f, 0, 0, 0, 0, 0, 0, 0, 0},
  };

  /// Whether the lean form takes this vector: the target has FMA and 8-lane tables, every x ≥ -13.
  template <class D>
  static bool lean(D d, f32::V<D> x) {
    if constexpr (f32::kLean && hn::MaxLanes(D()) >= 8)
      return hn::AllTrue(d, x >= hn::Set(d, kFloor));
    else
      return false;
  }
  /// What f and f' share: a = min(|x|, 13), the interval's index and e^(-a²/2) = s (1 + w).
  template <class D>
  struct Parts {
    f32::V<D> a, s, w;
    decltype(hn::IndicesFromVec(D(), hn::Zero(hn::RebindToSigned<D>()))) idx;
    /// The row's coefficient for each lane's interval.
    f32::V<D> pick(D d, const float* row) const { return hn::TableLookupLanes(hn::Load(d, row), idx); }
    /// e^(-a²/2) times the polynomial kC (centres kCentre) at a, rounded once after it.
    template <const float (&kCentre)[16], const float (&kC)[9][16]>
    f32::V<D> scaled(D d) const {
      const f32::V<D> z = hn::Sub(a, pick(d, kCentre));
      f32::V<D> p = pick(d, kC[8]);
      for (int k = 7; k >= 0; --k) p = hn::MulAdd(p, z, pick(d, kC[k]));
      const f32::V<D> sp = hn::Mul(s, p);
      return hn::MulAdd(sp, w, sp);
    }
  };
  template <class D>
  static Parts<D> parts(D d, f32::V<D> x) {
    const hn::RebindToSigned<D> di;
    Parts<D> t;
    t.a = hn::Min(hn::Abs(x), hn::Set(d, -kFloor));
    // a + 1's exponent and first mantissa bit: 254 for [1, 1.5), ... 261 for [12, 16).
    t.idx = hn::IndicesFromVec(
        d, hn::Sub(hn::ShiftRight<22>(hn::BitCast(di, hn::Add(t.a, hn::Set(d, 1.0f)))), hn::Set(di, 254)));
    f32::V<D> a2_lo;
    const f32::V<D> a2 = f32::two_prod(d, t.a, t.a, a2_lo);
    const f32::V<D> half = t.pick(d, kHalf);
    const f32::Reduced<D> red = f32::reduce_exp(d, hn::Mul(a2, half), hn::Mul(a2_lo, half));
    t.s = f32::unit_of(d, red);
    t.w = hn::MulAdd(red.rr, red.poly, red.r);
    return t;
  }
  template <class D>
  static f32::V<D> value(D d, f32::V<D> x, const Parts<D>& t) {
    const f32::V<D> aq = t.template scaled<kUCentre, kU>(d);
    return hn::IfThenElse(x < hn::Zero(d), hn::Neg(aq), hn::Sub(x, aq));
  }
  template <class D>
  static f32::V<D> slope(D d, f32::V<D> x, const Parts<D>& t) {
    const f32::V<D> g = t.template scaled<kGCentre, kG>(d);
    return hn::IfThenElse(x < hn::Zero(d), g, hn::Sub(hn::Set(d, 1.0f), g));
  }

  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    if (HWY_LIKELY(lean(d, x))) return value(d, x, parts(d, x));
    return in_f64_lanes(d, x, [](auto dd, auto v) { return F32InF64Lanes<fn::Gelu>::f(dd, v, Pd{}); });
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    if (HWY_LIKELY(lean(d, x))) return slope(d, x, parts(d, x));
    return in_f64_lanes(d, x, [](auto dd, auto v) { return F32InF64Lanes<fn::Gelu>::df(dd, v, Pd{}); });
  }
  /// f, with f' in `s`, on the same parts (forward_with_slope).
  template <class D>
  static f32::V<D> fdf(D d, f32::V<D> x, const P<D>& p, f32::V<D>& s) {
    if (HWY_LIKELY(lean(d, x))) {
      const Parts<D> t = parts(d, x);
      s = slope(d, x, t);
      return value(d, x, t);
    }
    s = df(d, x, p);
    return f(d, x, p);
  }
};

/// GELU, erf form: f = x Φ(x), f' = Φ(x) + x φ(x), through the upper tail Q(a) = Φ(-a) = φ(a) M(a)
/// (a = |x|, M Mills' ratio), so Φ(x) = Q(a) below 0 and 1 - Q(a) above, never 1 - something
/// small in the negative tail. φ(a) = e^(-a²/2)/√(2π) with a² an exact pair (exp_pair's argument
/// error would otherwise be a²·2^-53 relative); M as a pair: on a ≤ 16, M = t P(t - 0.6) with
/// t = 4/(4 + a) a corrected quotient and P of degree 24 (scripts/fits/mills.py 24 4: its first four
/// coefficients as pairs, Horner steps as pairs; relative error 2^-61), above 16 the asymptotic
/// series (1/a)(1 - w + 3w² - ... + 316234143225 w¹²), w = 1/a² (truncation ≤ 2^-58 at a = 16).
/// f = x Q (x < 0, tails subnormal rounded once) or x (1 - Q); f' = φ (M - a) below 0 (negative
/// past the zero x0 = -0.7517915246935645, where M(a0) = a0) and 1 + φ (x - M) above; next to
/// x0 the fit GeluSlopeFit (|x - x0| ≤ 1/4, degree 13, Q's relative error 2^-55.7). Zeros: f has x's sign; f' is
/// -0 where it underflows, +0 where the reference's long-double φ is 0 (x ≤ -150.99). Limits:
/// f(±inf) = +inf, -0; f'(±inf) = 1, 0. Valid for every double.
template <>
struct F64Lanes<fn::Gelu> {
  static constexpr double kPairs[][2] = {{0x1.1ed1cd13c268ap-1, 0x1.d92db63841d6ep-55},
                                         {0x1.f917a1fde6642p-1, 0x1.c12de0ad572cbp-58},
                                         {0x1.49de0931610bdp+0, -0x1.7f559618e39dep-59},
                                         {0x1.306f4bf00367bp+0, -0x1.9763a63e3d2c5p-58}};
  static constexpr double kRest[] = {
      0x1.4fd1ea21c9f51p-1,  0x1.58f2c7cbc4a16p-5,  -0x1.c0c96e248d393p-3, -0x1.6ad029ce29988p-4,
      0x1.4a0f75cf7c75dp-4,  0x1.9d795beaae1d6p-5,  -0x1.58e795ad77c16p-5, -0x1.8616b901f356cp-6,
      0x1.d27fb019c209cp-6,  0x1.e2e45a08a65f4p-8,  -0x1.4b6b164897205p-6, 0x1.6f23aa571e4aap-9,
      0x1.972ecb13f56a6p-7,  -0x1.06916da0e63a6p-7, -0x1.2e0e8c18f0991p-8, 0x1.1b090d82a5843p-7,
      -0x1.c2c9f771c0264p-10, -0x1.7989447495196p-8, 0x1.22286de645878p-8, 0x1.0027066cb2beep-9,
      -0x1.6f76e73865fe4p-9};
  /// (2k - 1)!! (-1)^k, k = 1..12: M(a) = (1/a)(1 + w S(w)), S(w) = Σ kAsymptotic[k - 1] w^(k-1).
  static constexpr double kAsymptotic[] = {-1.0,       3.0,          -15.0,         105.0,
                                           -945.0,     10395.0,      -135135.0,     2027025.0,
                                           -34459425.0, 654729075.0, -13749310575.0, 316234143225.0};
  static constexpr double kInvSqrt2PiHi = 0x1.9884533d43651p-2, kInvSqrt2PiLo = -0x1.cbc0d30ebfd15p-56;

  /// Mills' ratio M(a) = Q(a)/φ(a) as hi + lo for a ≥ 0 (+inf gives 0).
  template <class D>
  static f64::V<D> mills(D d, f64::V<D> a, f64::V<D>& lo) {
    const f64::V<D> am = hn::Min(a, hn::Set(d, 16.0)), four = hn::Set(d, 4.0);
    f64::V<D> sl, tc, ul;
    const f64::V<D> sh = f64::two_sum<D>(four, am, sl);
    const f64::V<D> t = f64::div_pair(d, four, hn::Zero(d), sh, sl, tc);
    const f64::V<D> uh = f64::two_sum<D>(t, hn::Set(d, -0.6), ul);
    ul = hn::Add(ul, tc);
    constexpr std::size_t kN = sizeof(kRest) / sizeof(kRest[0]);
    f64::V<D> ph = hn::Set(d, kRest[kN - 1]);
    for (std::size_t i = kN - 1; i-- > 0;) ph = hn::MulAdd(ph, uh, hn::Set(d, kRest[i]));
    f64::V<D> pl = hn::Zero(d);
    for (std::size_t k = 4; k-- > 0;) {
      f64::V<D> ml, cl;
      const f64::V<D> mh = f64::pair_product(d, uh, ul, ph, pl, ml);
      ph = f64::two_sum<D>(hn::Set(d, kPairs[k][0]), mh, cl);
      pl = hn::Add(cl, hn::Add(ml, hn::Set(d, kPairs[k][1])));
    }
    f64::V<D> m = f64::pair_product(d, t, tc, ph, pl, lo);
    const auto far = a > hn::Set(d, 16.0);
    if (HWY_UNLIKELY(!hn::AllFalse(d, far))) {
      f64::V<D> rc, ql, fl;
      const f64::V<D> r = f64::div_pair(d, hn::Set(d, 1.0), hn::Zero(d), a, hn::Zero(d), rc);
      rc = hn::IfThenElseZero(hn::IsFinite(a), rc);
      const f64::V<D> w = hn::Mul(r, r);
      constexpr std::size_t kA = sizeof(kAsymptotic) / sizeof(kAsymptotic[0]);
      f64::V<D> sw = hn::Set(d, kAsymptotic[kA - 1]);
      for (std::size_t i = kA - 1; i-- > 0;) sw = hn::MulAdd(sw, w, hn::Set(d, kAsymptotic[i]));
      const f64::V<D> qh = f64::fast_two_sum<D>(hn::Set(d, 1.0), hn::Mul(w, sw), ql);
      const f64::V<D> fh = f64::pair_product(d, r, rc, qh, ql, fl);
      m = hn::IfThenElse(far, fh, m);
      lo = hn::IfThenElse(far, fl, lo);
    }
    return m;
  }
  /// -a²/2 as hi + lo (exact unless a² overflows, where exp_pair clamps it).
  template <class D>
  static f64::V<D> half_square(D d, f64::V<D> a, f64::V<D>& lo) {
    const f64::V<D> mh = hn::Set(d, -0.5);
    const f64::V<D> hi = f64::two_prod(d, a, a, lo);
    lo = hn::Mul(lo, mh);
    return hn::Mul(hi, mh);
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> a = hn::Abs(x);
    f64::V<D> ml, hl;
    const f64::V<D> mh = mills(d, a, ml);
    const f64::V<D> hh = half_square(d, a, hl);
    const f64::V<D> y = f64::by_range(d, hh, [&](auto range) {
      const f64::Exp<D> e = f64::exp_pair<decltype(range)::value>(d, hh, hl);
      f64::V<D> pl, bl;
      const f64::V<D> ph = f64::pair_product(d, e.hi, e.lo, hn::Set(d, kInvSqrt2PiHi), hn::Set(d, kInvSqrt2PiLo), pl);
      const f64::V<D> bh = f64::pair_product(d, ph, pl, mh, ml, bl);  // Q·2^-n
      const f64::V<D> neg = f64::scale<decltype(range)::value>(d, f64::mul_pair(d, x, hn::Zero(d), bh, bl), e.n);
      // 1 - Q (Q ≤ 1/2; a Q below 2^-1022 is nothing next to 1).
      f64::V<D> ol;
      const f64::V<D> qh = f64::scale<decltype(range)::value>(d, bh, e.n);
      const f64::V<D> oh = f64::two_sum<D>(hn::Set(d, 1.0), hn::Neg(qh), ol);
      ol = hn::Sub(ol, f64::scale<decltype(range)::value>(d, bl, e.n));
      const f64::V<D> pos = f64::mul_pair(d, x, hn::Zero(d), oh, ol);
      return hn::IfThenElse(x < hn::Zero(d), neg, pos);
    });
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElse(x > hn::Zero(d), x, hn::Set(d, -0.0)), hn::CopySign(y, x));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> a = hn::Abs(x);
    f64::V<D> ml, hl;
    const f64::V<D> mh = mills(d, a, ml);
    const f64::V<D> hh = half_square(d, a, hl);
    f64::V<D> g = f64::by_range(d, hh, [&](auto range) {
      const f64::Exp<D> e = f64::exp_pair<decltype(range)::value>(d, hh, hl);
      f64::V<D> pl, dl, sl, kl;
      const f64::V<D> ph = f64::pair_product(d, e.hi, e.lo, hn::Set(d, kInvSqrt2PiHi), hn::Set(d, kInvSqrt2PiLo), pl);
      // x < 0: φ (M - a); x ≥ 0: 1 + φ (x - M) = 1 - φ (M - a). Both from M - a as a pair.
      const f64::V<D> dh = f64::two_sum<D>(mh, hn::Neg(a), dl);
      dl = hn::Add(dl, ml);
      // M - a's sign also where φ is 0 (e.g. past exp_pair's floor): -0 below x0.
      const f64::V<D> neg = hn::CopySign(f64::scale<decltype(range)::value>(d, f64::mul_pair(d, ph, pl, dh, dl), e.n), dh);
      const f64::V<D> kh = f64::pair_product(d, ph, pl, dh, dl, kl);
      const f64::V<D> sh = f64::two_sum<D>(hn::Set(d, 1.0), hn::Neg(f64::scale<decltype(range)::value>(d, kh, e.n)), sl);
      const f64::V<D> pos = hn::Sub(sh, hn::Sub(f64::scale<decltype(range)::value>(d, kl, e.n), sl));
      return hn::IfThenElse(x < hn::Zero(d), neg, pos);
    });
    f64::V<D> t0;
    const f64::V<D> near = f64::near_zero<GeluSlopeFit>(d, x, hn::Zero(d), t0);
    g = hn::IfThenElse(hn::Abs(t0) <= hn::Set(d, GeluSlopeFit::kHalfWidth), near, g);
    g = hn::IfThenElse(hh <= hn::Set(d, f64::kReferenceExpUnderflow), hn::Abs(g), g);
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElseZero(x > hn::Zero(d), hn::Set(d, 1.0)), g);
  }
  /// f' near x0 (scripts/fits/near_zero.py gelu 13 0.25).
  struct GeluSlopeFit {
    static constexpr double kHalfWidth = 0.25;
    static constexpr double kZeroHi = -0x1.80ead197f00b4p-1, kZeroLo = 0x1.13e74c58cada8p-56;
    static constexpr double kC0Hi = 0x1.b9d98fa5a3215p-2, kC0Lo = 0x1.f7c1a23190c7cp-56;
    static constexpr double kR[] = {0x1.8d9a941de3ac5p-2,  -0x1.2a2ef9bb865aep-6, -0x1.d2fa4c17c7e84p-4,
                                    -0x1.e4088244f900fp-7, 0x1.3e346def41ff3p-6,  0x1.297b9d6ff8dfcp-8,
                                    -0x1.258a6d855091ep-9, -0x1.8680f74903b9ap-11, 0x1.86c8638180b9ep-13,
                                    0x1.6961016af1e92p-14, -0x1.784a7e74fd459p-17, -0x1.03f91a834f3f1p-17,
                                    0x1.d058093e844c9p-22, 0x1.2e07aca6e36bep-21};
  };
};

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

/// gelu_tanh(x) = x σ(v), v = 2u = 2c·x(1 + k x²) (c = sqrt(2/π), k = 0.044715, the
/// reference's long-double constants, each held exactly as a double pair): x² exact, then
/// k x², 1 + k x², the product with x and with 2c each as a pair, so v is within ~2^-100 of the
/// reference's own (an error δ in v is a relative error δ in the far negative tail, where
/// f ≈ x e^v); x·σ(v) as f64::gated. x is clamped at ±2^20 inside v (|v| > 1500 from |x| = 40:
/// σ is 0 or 1 there). f' = σ(v)(1 + m σ(-v)) with m = x v' = 2c·x(1 + 3k x²) a pair formed the
/// same way (f64::gate_slope_far); next to its zero x0 = -0.7524614220710163 the fit
/// GeluTanhSlopeFit (degree 10, Q's relative error 2^-56.7). Limits: f(±inf) = ±inf·[x > 0] (-0
/// below), f'(±inf) = 1, 0; f' is +0 where the reference's long-double e^v underflows. Valid for
/// every double.
template <>
struct F64Lanes<fn::GeluTanh> {
  static constexpr double kC2Hi = 0x1.9884533d43651p+0, kC2Lo = -0x1.ccp-54;  // 2c
  static constexpr double kKHi = 0x1.6e4e26d4801f7p-5, kKLo = 0x1.44p-59;     // k
  static constexpr double kK3Hi = 0x1.12ba9d1f60179p-3, kK3Lo = 0x1.f3p-57;   // 3k
  /// 2c·x(1 + kk·x²) as a pair, for the clamped x (kk = k for v, 3k for m = x v').
  template <class D>
  static f64::V<D> scaled_cubic(D d, f64::V<D> x, double kk_hi, double kk_lo, f64::V<D>& lo) {
    const f64::V<D> kh = hn::Set(d, kk_hi), c2 = hn::Set(d, kC2Hi);
    f64::V<D> ql, al, sl, pl;
    const f64::V<D> qh = f64::two_prod(d, x, x, ql);
    const f64::V<D> ah = f64::two_prod(d, kh, qh, al);
    al = hn::Add(al, hn::MulAdd(kh, ql, hn::Mul(hn::Set(d, kk_lo), qh)));
    const f64::V<D> sh = f64::two_sum<D>(hn::Set(d, 1.0), ah, sl);
    sl = hn::Add(sl, al);
    const f64::V<D> ph = f64::two_prod(d, x, sh, pl);
    pl = hn::MulAdd(x, sl, pl);
    const f64::V<D> vh = f64::two_prod(d, c2, ph, lo);
    lo = hn::Add(lo, hn::MulAdd(c2, pl, hn::Mul(hn::Set(d, kC2Lo), ph)));
    return vh;
  }
  template <class D>
  static f64::V<D> clamped(D d, f64::V<D> x) {
    const f64::V<D> limit = hn::Set(d, 0x1p20);
    return hn::Min(hn::Max(x, hn::Neg(limit)), limit);
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> vl;
    const f64::V<D> vh = scaled_cubic(d, clamped(d, x), kKHi, kKLo, vl);
    return f64::gated(d, x, vh, vl);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> xc = clamped(d, x);
    f64::V<D> vl, ml;
    f64::V<D> vh = scaled_cubic(d, xc, kKHi, kKLo, vl);
    const f64::V<D> mh = scaled_cubic(d, xc, kK3Hi, kK3Lo, ml);
    const auto reference_underflows = vh <= hn::Set(d, f64::kReferenceExpUnderflow);
    const f64::V<D> limit = hn::Set(d, 1500.0);
    vl = hn::IfThenElseZero(hn::Abs(vh) <= limit, vl);
    vh = hn::Min(hn::Max(vh, hn::Neg(limit)), limit);
    const f64::V<D> g = f64::gate_slope_far(d, vh, vl, mh, ml);
    f64::V<D> th;
    const f64::V<D> near = f64::near_zero<GeluTanhSlopeFit>(d, xc, hn::Zero(d), th);
    // f' has the sign of x - x0 (its one zero), -0 where it underflows, but +0 where the
    // reference's own e^v is 0.
    const f64::V<D> sign = hn::IfThenElse(reference_underflows, hn::Set(d, 1.0), th);
    const f64::V<D> finite = hn::IfThenElse(hn::Abs(th) <= hn::Set(d, GeluTanhSlopeFit::kHalfWidth), near, hn::CopySign(g, sign));
    return f64::gate_slope_at_inf(d, x, vh, finite);
  }
  /// f' near x0 (scripts/fits/near_zero.py gelu_tanh 10 0.125).
  struct GeluTanhSlopeFit {
    static constexpr double kHalfWidth = 0.125;
    static constexpr double kZeroHi = -0x1.81429f9e97e4dp-1, kZeroLo = 0x1.4f1c020706d4bp-55;
    static constexpr double kC0Hi = 0x1.b8bacd2c96b91p-2, kC0Lo = 0x1.75f52d3fc7eacp-56;
    static constexpr double kR[] = {0x1.8cd1a2b2fff33p-2,  -0x1.029615edb07a7p-6, -0x1.d2b77346470a7p-4,
                                    -0x1.104a83edb295bp-6, 0x1.427996dc1f512p-6,  0x1.58c9ed213427ep-8,
                                    -0x1.3d8d63dbb638ap-9, -0x1.e63dbb50e56cep-11, 0x1.14be79edaf3e1p-12,
                                    0x1.0324ff2f0d5f2p-13, -0x1.231c289e9f6e1p-15};
  };
};

/// The swish family's slope G(v) at v = vh + vl (v = Arg's k x) within the budget:
/// f32::gate_slope_lean where the vector is in its range on FMA targets, elsewhere the f64-lane
/// slope SwishSlopeF64<Arg> (p: the parameters as the reference uses them).
template <class Arg, class D, class L>
HWY_INLINE f32::V<D> gate_slope_within_budget(D d, f32::V<D> x, f32::V<D> vh, L vl, const Pd& p) {
  const auto a = f32::lean_arg(d, vh, vl);
  if (HWY_LIKELY(a.holds(d))) return f32::gate_slope_lean(d, vh, vl, a);
  return in_f64_lanes(d, x, [&](auto dd, auto v) { return SwishSlopeF64<Arg>::df(dd, v, p); });
}

/// gelu_sigmoid(x) = x σ(1.702 x): 1.702 is not a float, so v = k_hi x + k_lo x as a pair
/// (k_hi + k_lo = 1.702 to 2^-48), then x σ(v) and f' = G(v) as silu's; the slope's fallback in
/// f64 lanes.
template <>
struct F32Lanes<fn::GeluSigmoid> {
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
    return f32::gated_within_budget(d, x, vh, vl);
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    f32::V<D> vl;
    const f32::V<D> vh = v_of(d, x, vl);
    return gate_slope_within_budget<GeluSigmoidArg>(d, x, vh, vl, Pd{});
  }
};

/// gelu_sigmoid(x) = x σ(1.702 x): the reference's long-double 1.702 is k_hi + k_lo exactly, so
/// v = k_hi x + k_lo x as a pair; f' = G(v). Valid for every double.
template <>
struct F64Lanes<fn::GeluSigmoid> {
  template <class D>
  static f64::V<D> v_of(D d, f64::V<D> x, f64::V<D>& lo) {
    const f64::V<D> hi = f64::two_prod(d, hn::Set(d, 0x1.b3b645a1cac08p+0), x, lo);
    lo = hn::IfThenElseZero(hn::IsFinite(hi), hn::MulAdd(hn::Set(d, 0x1.89p-55), x, lo));
    return hi;
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, vl);
    return f64::gated(d, x, vh, vl);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, vl);
    return f64::gate_slope_at_inf(d, x, vh, f64::gate_slope(d, vh, vl));
  }
};

/// silu(x) = x σ(x) by f32::gated_within_budget: gated_lean (x/(1 + e^-x), or x e^x/(1 + e^x)
/// below -16; within 2 ULP), vectors with a lane past its range by f32::gated (the product inside
/// the sigmoid quotient's one rounding, subnormal tails rounded once). f' = G(x) by
/// f32::gate_slope_lean (within 4 ULP), vectors with a lane past its range and targets without
/// FMA by the f64-lane slope (SwishSlopeF64, also swiglu's gate, F32InF64Lanes<fn::Silu>).
template <>
struct F32Lanes<fn::Silu> {
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    return f32::gated_within_budget(d, x, x, f32::Exact{});
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    return gate_slope_within_budget<SiluArg>(d, x, x, f32::Exact{}, Pd{});
  }
};

template <>
struct F32InF64Lanes<fn::Silu> : SwishSlopeF64<SiluArg> {};

/// silu(x) = x σ(x); f'(x) = G(x) = σ(x)(1 + x σ(-x)) (see f64::gate_slope). Valid for every double.
template <>
struct F64Lanes<fn::Silu> {
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    return f64::gated(d, x, x, hn::Zero(d));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    return f64::gate_slope_at_inf(d, x, x, f64::gate_slope(d, x, hn::Zero(d)));
  }
};

/// swish(x) = x σ(b x) with v = b x an exact pair (b is already a float), then x σ(v) and f' =
/// G(v) as silu's; the slope's fallback in f64 lanes.
template <>
struct F32Lanes<fn::Swish> {
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>& p) {
    f32::V<D> vl;
    const f32::V<D> vh = f32::two_prod(d, hn::Set(d, p[fn::Swish::kBeta]), x, vl);
    return f32::gated_within_budget(d, x, vh, vl);
  }
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>& p) {
    f32::V<D> vl;
    const f32::V<D> vh = f32::two_prod(d, hn::Set(d, p[fn::Swish::kBeta]), x, vl);
    Pd pd{};
    pd[fn::Swish::kBeta] = p[fn::Swish::kBeta];
    return gate_slope_within_budget<SwishArg>(d, x, vh, vl, pd);
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

/// swish(x) = x σ(b x) with v = b x an exact pair; f' = G(v). Valid for every double and b.
template <>
struct F64Lanes<fn::Swish> {
  template <class D>
  static f64::V<D> v_of(D d, f64::V<D> x, const P<D>& p, f64::V<D>& lo) {
    const f64::V<D> hi = f64::two_prod(d, hn::Set(d, p[fn::Swish::kBeta]), x, lo);
    lo = hn::IfThenElseZero(hn::IsFinite(hi), lo);
    return hi;
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>& p) {
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, p, vl);
    return f64::gated(d, x, vh, vl);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>& p) {
    f64::V<D> vl;
    const f64::V<D> vh = v_of(d, x, p, vl);
    return f64::gate_slope_at_inf(d, x, vh, f64::gate_slope(d, vh, vl));
  }
};

/// swish: ∂f/∂β = x² σ'(v), v = βx as a pair: x² as a pair times the unscaled logistic slope, then
/// 2^n once (tails subnormal, rounded once). x = ±inf: 0 for β ≠ 0, +inf for β = 0 (x²/4), as the
/// reference; x² beyond DBL_MAX gives inf·σ' (0 where σ' is 0).
template <>
struct F64ParamGradient<fn::Swish> {
  template <class D>
  static void grad(D d, f64::V<D> x, const P<D>& p, f64::V<D>* g) {
    f64::V<D> vl, ql;
    const f64::V<D> vh = F64Lanes<fn::Swish>::v_of(d, x, p, vl);
    const f64::V<D> qh = f64::two_prod(d, x, x, ql);
    const f64::V<D> h = hn::Min(hn::Abs(vh), hn::Set(d, 1500.0));  // σ' is 0 past 1500
    const f64::V<D> finite = f64::by_range(d, hn::Neg(h), [&](auto range) {
      const f64::Logistic<D> s = f64::logistic<decltype(range)::value>(d, hn::CopySign(h, vh), hn::IfThenElseZero(h < hn::Set(d, 1500.0), vl));
      const f64::V<D> slope = f64::logistic_slope_unscaled(d, s);
      const f64::V<D> t = hn::IfThenElse(hn::IsFinite(qh), f64::mul_pair(d, qh, ql, slope, hn::Zero(d)), hn::Mul(qh, slope));
      return f64::scale<decltype(range)::value>(d, t, s.e.n);
    });
    g[fn::Swish::kBeta] = hn::IfThenElse(hn::IsInf(x), hn::Set(d, p[fn::Swish::kBeta] == 0.0 ? HUGE_VAL : 0.0), finite);
  }
};

/// hardswish(x) = x (x + 3)/6 on (-3, 3), 0 at and below -3, x at and above 3 (fn::Hardswish).
/// x + 3 = sh + sl exactly (Fast2Sum, |x| < 3 where it is used; sl = (3 - sh) + x, so that
/// f(-0) = -0), p = x sh + x sl rounded once by FMA, then p (1/6) with 1/6 as a float pair (both
/// parts positive: zeros keep x's sign), rounded once: within about 1 ULP (docs/accuracy.md);
/// without FMA p is an exact pair and only the end rounds. +0 at and below -3; the blends drop
/// the lanes where x sh overflows, so it is valid for every float.
template <>
struct F32Lanes<fn::Hardswish> {
  template <class D>
  static f32::V<D> f(D d, f32::V<D> x, const P<D>&) {
    const f32::V<D> three = hn::Set(d, 3.0f), c_hi = hn::Set(d, 0x1.555554p-3f), c_lo = hn::Set(d, 0x1.555556p-27f);
    const f32::V<D> sh = hn::Add(x, three);
    const f32::V<D> sl = hn::Add(hn::Sub(three, sh), x);
    f32::V<D> mid;
    if constexpr (f32::kLean) {
      const f32::V<D> p = hn::MulAdd(x, sh, hn::Mul(x, sl));
      mid = hn::MulAdd(p, c_hi, hn::Mul(p, c_lo));
    } else {
      // Without FMA: p = x(x + 3) as an exact pair (Dekker), one rounding at the end; zeros get
      // x's sign back (-0 + +0 would be +0).
      f32::V<D> pl;
      const f32::V<D> ph = f32::two_prod(d, x, sh, pl);
      pl = hn::MulAdd(x, sl, pl);
      mid = hn::CopySign(hn::MulAdd(ph, c_hi, hn::MulAdd(ph, c_lo, hn::Mul(pl, c_hi))), x);
    }
    return hn::IfThenElse(x >= three, x, hn::IfThenElseZero(x > hn::Neg(three), mid));
  }
  /// x/3 + 1/2 = (x + 3/2)/3 on [-3, 3]: x + 3/2 is exact near the zero at -3/2 (Sterbenz on
  /// [-3, -0.75]), then one product with 1/3 as a float pair: within ~1 ULP. 0 below -3 and 1 above
  /// (at ±3 the reference's -1/2, 3/2).
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>&) {
    const f32::V<D> three = hn::Set(d, 3.0f);
    const f32::V<D> t = hn::Add(x, hn::Set(d, 1.5f));
    const f32::V<D> mid = hn::MulAdd(t, hn::Set(d, 0x1.555554p-2f), hn::Mul(t, hn::Set(d, 0x1.555556p-26f)));
    return hn::IfThenElse(x > three, hn::Set(d, 1.0f), hn::IfThenElseZero(x >= hn::Neg(three), mid));
  }
};

/// hardswish(x) = x (x + 3)/6 on (-3, 3), 0 at and below -3, x at and above 3 (fn::Hardswish).
/// s = x + 3 as an exact pair (Fast2Sum: |x| < 3 where it is used), p = x·s as a pair, then
/// p·(1/6) with 1/6 as a double pair and one final rounding (~0.5 ULP; subnormal x loses p's
/// low part, a few units of 2^-1074). Zeros: f(±0) = ±0 and +0 at and below -3, as the
/// reference's; the blends drop the lanes where x·s overflows, so it is valid for every double.
/// f' = (x + 3/2)/3 on [-3, 3] with x + 3/2 a pair and 1/3 a pair, rounded once; 0 below -3 and
/// 1 above (at ±3 the reference's -1/2, 3/2).
template <>
struct F64Lanes<fn::Hardswish> {
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> three = hn::Set(d, 3.0);
    f64::V<D> sl, pl;
    const f64::V<D> sh = f64::fast_two_sum<D>(three, x, sl);
    const f64::V<D> ph = f64::two_prod(d, x, sh, pl);
    pl = hn::MulAdd(x, sl, pl);
    const f64::V<D> mid = f64::mul_pair(d, ph, pl, hn::Set(d, 0x1.5555555555555p-3), hn::Set(d, 0x1.5555555555555p-57));
    // f has x's sign on (-3, 3); at x = -0 the sum above would be -0 + +0 = +0.
    return hn::IfThenElse(x >= three, x, hn::IfThenElseZero(x > hn::Neg(three), hn::CopySign(mid, x)));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> three = hn::Set(d, 3.0);
    f64::V<D> tl;
    const f64::V<D> th = f64::two_sum<D>(x, hn::Set(d, 1.5), tl);
    const f64::V<D> mid = f64::mul_pair(d, th, tl, hn::Set(d, 0x1.5555555555555p-2), hn::Set(d, 0x1.5555555555555p-56));
    return hn::IfThenElse(x > three, hn::Set(d, 1.0), hn::IfThenElseZero(x >= hn::Neg(three), mid));
  }
};

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

/// mish(x) = x t, t = tanh(softplus(x)), in the reference's rational form: t = n/(n + 2) with
/// n = e(e + 2), e = e^x, for x ≤ 0, and (1 + 2e)/(1 + 2e + 2e²) with e = e^-x above (x clamped
/// at 40, where t is 1 in f64); every sum, product and the corrected quotient as pairs, x t rounded
/// once. Below x = -37, where t = e to 2^-54, f = x e^x, subnormal tails rounded once; the sign is
/// x's. f' = t + x σ(x)(1 - t²): x σ(x)(1 - t²) = 4x K with K = (n + 1)e/((n + 2)²(1 + e)) below 0
/// and e²(1 + e)/(1 + 2e + 2e²)² above, as pairs, one rounding for the sum; below -37
/// f' = e^x (1 + x); next to its zero x0 = -1.1924312145154952 the fit MishSlopeFit (degree 12,
/// Q's relative error 2^-58.9). Zeros: f' is -0 where it underflows, +0 where the reference's
/// long-double e^x is 0. Limits: f(±inf) = +inf, -0; f'(±inf) = 1, 0. Valid for every double.
template <>
struct F64Lanes<fn::Mish> {
  /// t as th + tl and K as kh + kl for the clamped x ∈ [-37, 40].
  template <class D>
  static f64::V<D> parts(D d, f64::V<D> x, f64::V<D>& tl, f64::V<D>& kh, f64::V<D>& kl) {
    const f64::V<D> one = hn::Set(d, 1.0), two = hn::Set(d, 2.0);
    const f64::Exp<D> e = f64::exp_pair<f64::Range::kNormal>(d, hn::Neg(hn::Abs(x)), hn::Zero(d));
    const f64::V<D> eh = hn::Mul(e.hi, e.unit), el = hn::Mul(e.lo, e.unit);
    f64::V<D> ol;  // 1 + e
    const f64::V<D> oh = f64::fast_two_sum<D>(one, eh, ol);
    ol = hn::Add(ol, el);
    // x ≤ 0: n = e(e + 2), t = n/(n + 2), K = (n + 1)/(n + 2)² · e/(1 + e).
    f64::V<D> al, nl, ml, pl, ql, nt_c, r_c, s_c, k1l;
    const f64::V<D> ah = f64::fast_two_sum<D>(two, eh, al);
    const f64::V<D> nh = f64::pair_product(d, eh, el, ah, hn::Add(al, el), nl);
    const f64::V<D> mh = f64::two_sum<D>(two, nh, ml);
    ml = hn::Add(ml, nl);
    const f64::V<D> ph = f64::two_sum<D>(one, nh, pl);
    pl = hn::Add(pl, nl);
    const f64::V<D> nt = f64::div_pair(d, nh, nl, mh, ml, nt_c);
    const f64::V<D> qh = f64::pair_product(d, mh, ml, mh, ml, ql);
    const f64::V<D> r = f64::div_pair(d, ph, pl, qh, ql, r_c);
    const f64::V<D> sg = f64::div_pair(d, eh, el, oh, ol, s_c);
    const f64::V<D> k1h = f64::pair_product(d, r, r_c, sg, s_c, k1l);
    // x > 0: t = (1 + 2e)/(1 + 2e + 2e²), K = e²(1 + e)/(1 + 2e + 2e²)².
    f64::V<D> ul, wl, dl, pt_c, vl, zl, k2l;
    const f64::V<D> uh = f64::fast_two_sum<D>(one, hn::Mul(two, eh), ul);
    ul = hn::MulAdd(two, el, ul);
    const f64::V<D> wh = f64::pair_product(d, eh, el, eh, el, wl);
    const f64::V<D> dh = f64::fast_two_sum<D>(uh, hn::Mul(two, wh), dl);
    dl = hn::Add(dl, hn::MulAdd(two, wl, ul));
    const f64::V<D> pt = f64::div_pair(d, uh, ul, dh, dl, pt_c);
    const f64::V<D> vh = f64::pair_product(d, wh, wl, oh, ol, vl);
    const f64::V<D> zh = f64::pair_product(d, dh, dl, dh, dl, zl);
    f64::V<D> k2c;
    const f64::V<D> k2h = f64::div_pair(d, vh, vl, zh, zl, k2c);
    k2l = k2c;
    const auto pos = x > hn::Zero(d);
    tl = hn::IfThenElse(pos, pt_c, nt_c);
    kh = hn::IfThenElse(pos, k2h, k1h);
    kl = hn::IfThenElse(pos, k2l, k1l);
    return hn::IfThenElse(pos, pt, nt);
  }
  template <class D>
  static f64::V<D> clamped(D d, f64::V<D> x) {
    return hn::Min(hn::Max(x, hn::Set(d, -37.0)), hn::Set(d, 40.0));
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>&) {
    f64::V<D> tl, kh, kl;
    const f64::V<D> t = parts(d, clamped(d, x), tl, kh, kl);
    f64::V<D> y = f64::mul_pair(d, x, hn::Zero(d), t, tl);
    const auto far = x < hn::Set(d, -37.0);
    if (HWY_UNLIKELY(!hn::AllFalse(d, far))) y = hn::IfThenElse(far, f64::scaled_exp(d, x, hn::Zero(d), x, hn::Zero(d)), y);
    y = hn::CopySign(y, x);  // t > 0
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElse(x > hn::Zero(d), x, hn::Set(d, -0.0)), y);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>&) {
    const f64::V<D> xc = clamped(d, x);
    f64::V<D> tl, kh, kl, bl, sl;
    const f64::V<D> t = parts(d, xc, tl, kh, kl);
    const f64::V<D> x4 = hn::Mul(hn::Set(d, 4.0), xc);
    const f64::V<D> bh = f64::pair_product(d, x4, hn::Zero(d), kh, kl, bl);
    const f64::V<D> sh = f64::two_sum<D>(t, bh, sl);
    f64::V<D> g = hn::Add(sh, hn::Add(sl, hn::Add(tl, bl)));
    f64::V<D> t0;
    const f64::V<D> near = f64::near_zero<MishSlopeFit>(d, x, hn::Zero(d), t0);
    g = hn::IfThenElse(hn::Abs(t0) <= hn::Set(d, MishSlopeFit::kHalfWidth), near, g);
    const auto far = x < hn::Set(d, -37.0);
    if (HWY_UNLIKELY(!hn::AllFalse(d, far))) {
      f64::V<D> ml;
      const f64::V<D> mh = f64::two_sum<D>(hn::Set(d, 1.0), x, ml);
      const f64::V<D> e1 = hn::Abs(f64::scaled_exp(d, x, hn::Zero(d), mh, hn::IfThenElseZero(hn::IsFinite(mh), ml)));
      // Negative, or +0 where the reference's e^x is 0.
      const auto reference_zero = x <= hn::Set(d, f64::kReferenceExpUnderflow);
      g = hn::IfThenElse(far, hn::IfThenElse(reference_zero, e1, hn::Neg(e1)), g);
    }
    return hn::IfThenElse(hn::IsInf(x), hn::IfThenElseZero(x > hn::Zero(d), hn::Set(d, 1.0)), g);
  }
  /// f' near x0 (scripts/fits/near_zero.py mish 12 0.125).
  struct MishSlopeFit {
    static constexpr double kHalfWidth = 0.125;
    static constexpr double kZeroHi = -0x1.31432c0d12d84p+0, kZeroLo = -0x1.bf319154da210p-55;
    static constexpr double kC0Hi = 0x1.115acb42500bbp-2, kC0Lo = 0x1.1ad72de557d4cp-56;
    static constexpr double kR[] = {0x1.a34a251d8ad7bp-3,  0x1.574f121a868dbp-5,  -0x1.4c222fe64d4fbp-6,
                                    -0x1.03369d4ac90e1p-6, -0x1.b87ddfb51b741p-9, 0x1.1e5e1849dd131p-10,
                                    0x1.03799182b0f46p-10, 0x1.0a795596a44a8p-12, -0x1.5fffa047ae71bp-15,
                                    -0x1.d455f4203a84ep-15, -0x1.223be7f0c640cp-16, 0x1.0b9cb658da5ebp-20,
                                    0x1.8695d58303b14p-19};
  };
};

/// softplus's f' = σ(z), z = beta x an exact pair (the sigmoid kernel's quotient on the pair);
/// from y, -expm1(-beta y) (f32::expm1_lean's pair, rounded once). Valid for every float,
/// beta > 0. f is F32InF64Lanes<fn::Softplus>'s.
template <>
struct F32Lanes<fn::Softplus> {
  template <class D>
  static f32::V<D> df(D d, f32::V<D> x, const P<D>& p) {
    f32::V<D> zl;
    const f32::V<D> zh = f32::two_prod(d, hn::Set(d, p[fn::Softplus::kBeta]), x, zl);
    return f32::by_range(d, hn::Neg(hn::Abs(zh)), [&](auto range) {
      const auto s = f32::logistic<decltype(range)::value>(d, zh, zl);
      f32::V<D> corr, m;
      const f32::V<D> y = f32::sigmoid_parts(d, s, corr, m);
      return s.scale(d, hn::Add(y, corr), m);
    });
  }
  template <class D>
  static f32::V<D> df_from_y(D d, f32::V<D> y, const P<D>& p) {
    f32::V<D> vl;
    const f32::V<D> vh = f32::two_prod(d, hn::Set(d, p[fn::Softplus::kBeta]), y, vl);
    return f32::neg_expm1(d, hn::Neg(vh), hn::Neg(vl));
  }
};

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

/// softplus(x) = (max(z, 0) + log1p(e^-|z|))/beta, z = beta x an exact pair (the reference's
/// form): the sum as a pair, one corrected quotient. Where z > 37 the result is x (e^-z/z <
/// 2^-59); below z = -37 it is e^z/beta (e^z/2 < 2^-54), subnormal tails rounded once.
/// f' = σ(z) (the sigmoid kernel's quotient on the pair); from y, -expm1(-beta y).
/// Valid for every double x, beta > 0, and for y ≥ 0 (softplus's outputs).
template <>
struct F64Lanes<fn::Softplus> {
  template <class D>
  static f64::V<D> z_of(D d, f64::V<D> x, const P<D>& p, f64::V<D>& lo) {
    const f64::V<D> hi = f64::two_prod(d, hn::Set(d, p[fn::Softplus::kBeta]), x, lo);
    lo = hn::IfThenElseZero(hn::IsFinite(hi), lo);
    return hi;
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>& p) {
    const f64::V<D> b = hn::Set(d, p[fn::Softplus::kBeta]);
    f64::V<D> zl, ll, sl, corr;
    const f64::V<D> zh = z_of(d, x, p, zl);
    const f64::V<D> lh = f64::softplus_term(d, zh, zl, ll);
    const auto pos = zh > hn::Zero(d);
    const f64::V<D> sh = f64::two_sum<D>(hn::IfThenElseZero(pos, zh), lh, sl);
    sl = hn::Add(sl, hn::Add(ll, hn::IfThenElseZero(pos, zl)));
    const f64::V<D> y = f64::div_pair(d, sh, sl, b, hn::Zero(d), corr);
    const f64::V<D> mid = hn::Add(y, corr);
    const auto far_neg = zh < hn::Set(d, -37.0);
    const f64::V<D> tail = hn::AllFalse(d, far_neg) ? mid : hn::IfThenElse(far_neg, f64::exp_tail_over(d, zh, zl, b), mid);
    return hn::IfThenElse(zh > hn::Set(d, 37.0), x, tail);
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>& p) {
    f64::V<D> zl;
    const f64::V<D> zh = z_of(d, x, p, zl);
    return f64::by_range(d, hn::Neg(hn::Abs(zh)), [&](auto range) {
      const f64::Logistic<D> s = f64::logistic<decltype(range)::value>(d, zh, zl);
      f64::V<D> corr, m;
      const f64::V<D> y = f64::sigmoid_parts(d, s, corr, m);
      return f64::scale<decltype(range)::value>(d, hn::Add(y, corr), m);
    });
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>& p) {
    f64::V<D> vl;
    const f64::V<D> vh = z_of(d, y, p, vl);
    return f64::neg_expm1(d, hn::Neg(vh), hn::Neg(vl));
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

/// squareplus(x) = (x + h)/2, h = sqrt(x² + b), and b/(2(h - x)) for x < 0, where x + h would
/// cancel (the reference's split). x² + b is a pair (x² exact, then TwoSum) and h = s + s_lo its
/// corrected square root (s_lo from the exact residual of s²), so each branch rounds once: the
/// halved pair sum, or one corrected quotient. f' = f/h for every x ((1 + x/h)/2 = (x + h)/(2h),
/// b/(2h(h - x)) likewise) from the pairs, one corrected quotient. Above |x| = 2^500 the b/x²
/// terms are below 2^-1000 relative: f = x or (b/4)/|x|, f' = 1 or ((b/4)/|x|)/|x| (so ±inf give
/// inf, +0 and 1, 0). From y (y ≥ 0): y²/(y² + b/4) with y² and the sum as pairs; 1 above 2^500
/// (NaN at y = inf, the reference's inf/inf) and y·(y/(b/4)) below 2^-500, where y² would leave
/// the normal range.
/// Valid for every double x, b > 0 normal.
template <>
struct F64Lanes<fn::Squareplus> {
  static constexpr double kBig = 0x1p500;
  /// h = sqrt(x² + b) as hi + lo (for |x| ≤ 2^500).
  template <class D>
  static f64::V<D> h_of(D d, f64::V<D> x, f64::V<D> b, f64::V<D>& lo) {
    f64::V<D> ql, sl;
    const f64::V<D> qh = f64::two_prod(d, x, x, ql);
    const f64::V<D> sh = f64::two_sum<D>(qh, b, sl);
    sl = hn::Add(sl, ql);
    const f64::V<D> h = hn::Sqrt(sh);
    lo = hn::Div(hn::Add(f64::residual(d, h, h, sh), sl), hn::Add(h, h));
    return h;
  }
  /// f as fh + fl, and h as h + hl, for |x| ≤ 2^500 (other lanes: finite garbage or NaN, blended away).
  template <class D>
  static f64::V<D> parts(D d, f64::V<D> x, f64::V<D> b, f64::V<D>& fl, f64::V<D>& h, f64::V<D>& hl) {
    const f64::V<D> xm = hn::IfThenElse(hn::Abs(x) <= hn::Set(d, kBig), x, hn::Zero(d));
    h = h_of(d, xm, b, hl);
    f64::V<D> tl, dl, corr;
    const f64::V<D> th = f64::two_sum<D>(xm, h, tl);
    const f64::V<D> half = hn::Set(d, 0.5);
    f64::V<D> pl;
    const f64::V<D> ph = f64::fast_two_sum<D>(th, hn::Add(tl, hl), pl);
    const f64::V<D> dh = f64::two_sum<D>(h, hn::Abs(xm), dl);
    const f64::V<D> q = f64::div_pair(d, b, hn::Zero(d), hn::Add(dh, dh), hn::Add(hn::Add(dl, hl), hn::Add(dl, hl)), corr);
    const auto pos = xm >= hn::Zero(d);
    fl = hn::IfThenElse(pos, hn::Mul(pl, half), corr);
    return hn::IfThenElse(pos, hn::Mul(ph, half), q);
  }
  template <class D>
  static f64::V<D> f(D d, f64::V<D> x, const P<D>& p) {
    const f64::V<D> b = hn::Set(d, p[fn::Squareplus::kB]);
    f64::V<D> fl, h, hl;
    const f64::V<D> fh = parts(d, x, b, fl, h, hl);
    const f64::V<D> far = hn::IfThenElse(x > hn::Zero(d), x, hn::Div(hn::Mul(b, hn::Set(d, 0.25)), hn::Abs(x)));
    return hn::IfThenElse(hn::Abs(x) > hn::Set(d, kBig), far, hn::Add(fh, fl));
  }
  template <class D>
  static f64::V<D> df(D d, f64::V<D> x, const P<D>& p) {
    const f64::V<D> b = hn::Set(d, p[fn::Squareplus::kB]);
    f64::V<D> fl, h, hl, corr;
    const f64::V<D> fh = parts(d, x, b, fl, h, hl);
    const f64::V<D> g = f64::div_pair(d, fh, fl, h, hl, corr);
    const f64::V<D> a = hn::Abs(x);
    const f64::V<D> far = hn::IfThenElse(x > hn::Zero(d), hn::Set(d, 1.0), hn::Div(hn::Div(hn::Mul(b, hn::Set(d, 0.25)), a), a));
    return hn::IfThenElse(a > hn::Set(d, kBig), far, hn::Add(g, corr));
  }
  template <class D>
  static f64::V<D> df_from_y(D d, f64::V<D> y, const P<D>& p) {
    const f64::V<D> b4 = hn::Mul(hn::Set(d, p[fn::Squareplus::kB]), hn::Set(d, 0.25));
    const f64::V<D> a = hn::Abs(y);
    const f64::V<D> ym = hn::IfThenElse(a <= hn::Set(d, kBig), y, hn::Zero(d));
    f64::V<D> ql, sl, corr;
    const f64::V<D> qh = f64::two_prod(d, ym, ym, ql);
    const f64::V<D> sh = f64::two_sum<D>(qh, b4, sl);
    const f64::V<D> g = f64::div_pair(d, qh, ql, sh, hn::Add(sl, ql), corr);
    const f64::V<D> tiny = hn::Mul(y, hn::Div(y, b4));
    // y = inf: inf/inf as in the reference (NaN).
    const f64::V<D> far = hn::IfThenElse(hn::IsFinite(y), hn::Set(d, 1.0), hn::Sub(y, y));
    return hn::IfThenElse(a > hn::Set(d, kBig), far, hn::IfThenElse(a < hn::Set(d, 0x1p-500), tiny, hn::Add(g, corr)));
  }
};

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
