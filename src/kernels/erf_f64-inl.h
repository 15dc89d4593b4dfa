// The standard normal distribution in f64 lanes, for GELU (erf form) on f32 data: Highway 1.0's
// contrib math has no erf/erfc. Included from f32_via_f64-inl.h; no include guard: compiled once
// per target, inside that target's namespace.
//
// Everything is written through the upper tail Q(a) = Φ(-a) = erfc(a/√2)/2, a ≥ 0, as
//   Q(a) = φ(a)·M(a),   φ(a) = e^(-a²/2)/√(2π),   M(a) = Q(a)/φ(a)  (Mills' ratio),
// so Φ(x) = Q(-x) for x < 0 and 1 - Q(x) for x ≥ 0 (Q ≤ 1/2: no cancellation), and
// erfc(z) = 2 Q(z√2). M is smooth and slowly varying on [0, ∞) (M(0) = √(π/2), M(a) ~ 1/a), so
// one polynomial covers the whole range once the half-line is folded onto an interval by
//   t = 4/(4 + a) ∈ (0, 1],   M(a) = t·P(t - 0.6),
// P of degree 20 (12 where Φ alone is wanted: kMillsForValue) in u = t - 0.6 (|u| ≤ 0.4 on
// a ∈ [0, 16]; t - 0.6 is exact wherever t ≥ 0.3).
// The coefficients are this project's own: Chebyshev interpolation of M(a(t))/t at 21 nodes of
// t ∈ [0.2, 1] (a ∈ [0, 16]) computed with mpmath at 60 digits, rounded to double
// (scripts/fits/mills.py 20 0; the f64 kernel's degree-24 fit is the same script's). Measured with
// mpmath on 1601 points of [0, 16]: interpolation error 6.0e-17 relative; in double arithmetic
// (unfused Horner, the non-FMA targets' case) 6.0e-16 relative, almost all of it from rounding
// t (an argument error of (4 + a)·2^-53 in a), i.e. ≤ 2.5e-16 absolute in Q.
//
// No error amplification through exp: callers pass f32 values widened to f64, whose square is
// exact in f64 (24 + 24 ≤ 53 bits), so the argument -a²/2 of exp is exact and φ(a) carries only
// Exp's 1 ULP and one rounding of the constant.
//
// Past a = 16 (Q(16) = 6e-58, far below FLT_TRUE_MIN) M is evaluated at 16: Q is then too large
// by the factor a/16 but still < φ(a)/16, which keeps Q + x φ (GELU's slope) negative as
// long as φ(a) > 0 and makes Q exactly 0 where φ underflows (a > 38.6), as the reference's erfc.

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace gauss {

/// P's coefficients, u^0 first (see the file comment for the fit).
inline constexpr double kMills[] = {
    0.5601944052334187,    0.9865084288059702,     1.288544249110642,      1.1891982518163309,
    0.6558983961342251,    0.042107954297593966,   -0.21913419773138945,   -0.08857742974551483,
    0.08058115202985272,   0.050473027433589356,   -0.04210267753852265,   -0.02381160266845827,
    0.028474123261330486,  0.007400496358836761,   -0.020245413476804447,  0.002535372619873731,
    0.012573609295064455,  -0.006648246667875259,  -0.005406561859437431,  0.004586501469627751,
    0.0008690583624253987,
};

/// A degree-12 P (scripts/fits/mills.py 12 0: 2^-33.8 relative) for Φ alone: GELU's x·Φ(x) passes
/// Q's relative error straight to an f32 result, where 2^-33.8 is 2^-10 ULP, and costs 8 FMAs fewer.
/// Its slope Φ + xφ cancels next to its zero (x = -0.7518) and keeps kMills.
inline constexpr double kMillsForValue[] = {
    0x1.1ed1cd13c268ap-1,  0x1.f917a1fa54376p-1,  0x1.49de0934b6113p+0,  0x1.306f4d2882bd2p+0,
    0x1.4fd1e58f04cf4p-1,  0x1.58eb2642f6eb5p-5,  -0x1.c0c5d29868b48p-3, -0x1.6a7e65ca371ecp-4,
    0x1.49720a9c69739p-4,  0x1.96d3c23538e9dp-5,  -0x1.4ba9aca2f1481p-5, -0x1.4413903d46c62p-6,
    0x1.44b0fd925efb8p-6,
};

/// 1/√(2π).
inline constexpr double kInvSqrt2Pi = 0.398942280401432677939946059934;

/// Mills' ratio M(a) = Φ(-a)/φ(a) for a ≥ 0 (a = +inf allowed), evaluated at min(a, 16) with the
/// coefficients kP (kMills or kMillsForValue). Error ≤ 6e-16 relative on [0, 16] with kMills
/// (measured, see the file comment).
template <const auto& kP, class D, class V>
HWY_INLINE V mills_ratio(D d, V a) {
  const V four = hn::Set(d, 4.0);
  const V t = hn::Div(four, hn::Add(four, hn::Min(a, hn::Set(d, 16.0))));
  const V u = hn::Sub(t, hn::Set(d, 0.6));
  constexpr std::size_t kN = sizeof(kP) / sizeof(kP[0]);
  V p = hn::Set(d, kP[kN - 1]);
  for (std::size_t k = kN - 1; k-- > 0;) p = hn::MulAdd(p, u, hn::Set(d, kP[k]));
  return hn::Mul(t, p);
}

/// Q(a) = Φ(-a) = erfc(a/√2)/2 for a ≥ 0, an f32 value widened (so a² is exact); also returns the
/// density φ(a) = e^(-a²/2)/√(2π). e^(-a²/2) is clamped at e^-1000 = 0 (Highway's Exp range), so
/// a = +inf gives Q = φ = 0. Error: φ within 2 ULP; Q within 6e-16 relative (+ φ's) for a ≤ 16,
/// where Q is normal in f64; beyond 16 see the file comment (< φ/16, 0 where φ is 0).
template <const auto& kP, class D, class V>
HWY_INLINE V normal_tail(D d, V a, V& pdf) {
  const V arg = hn::Mul(hn::Mul(a, a), hn::Set(d, -0.5));  // exact for a widened float
  pdf = hn::Mul(hn::Exp(d, hn::Max(arg, hn::Set(d, -1000.0))), hn::Set(d, kInvSqrt2Pi));
  return hn::Mul(pdf, mills_ratio<kP>(d, a));
}

/// Φ(x) = Q(-x) for x < 0, 1 - Q(x) for x ≥ 0; pdf = φ(x). x a widened float, ±inf allowed
/// (Φ = 0 or 1). Error: ≤ 6e-16 relative + 2 ULP of φ·M below 0, ≤ 2 ULP of 1 above.
template <const auto& kP, class D, class V>
HWY_INLINE V normal_cdf(D d, V x, V& pdf) {
  const V q = normal_tail<kP>(d, hn::Abs(x), pdf);
  return hn::IfThenElse(x < hn::Zero(d), q, hn::Sub(hn::Set(d, 1.0), q));
}

}  // namespace gauss
}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
