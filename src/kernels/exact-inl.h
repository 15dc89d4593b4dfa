// Exact arithmetic in SIMD lanes of float or double, one template for both, shared by the smooth
// kernels' lane math (math_f32-inl.h, math_f64-inl.h) and softmax.cpp: error-free sums
// and products returned as hi + lo pairs whose sum is the exact result, and scaling by powers of 2
// (exact, or rounded once where the result is subnormal). Products use FMA where the target has
// it (HWY_NATIVE_FMA) and Dekker's splitting where it does not (SSSE3, SSE4, EMU128), so every
// target gets the same exact values.
//
// Compiled once per target (foreach_target.h) and included by more than one kernel file, hence
// Highway's per-target include guard.
#if defined(ACTFN_KERNELS_EXACT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ACTFN_KERNELS_EXACT_INL_H_
#undef ACTFN_KERNELS_EXACT_INL_H_
#else
#define ACTFN_KERNELS_EXACT_INL_H_
#endif

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace exact {
namespace hn = hwy::HWY_NAMESPACE;

template <class D>
using V = hn::Vec<D>;

/// hi + lo = a + b exactly, given |a| ≥ |b| or a = 0 (Fast2Sum).
template <class D>
HWY_INLINE V<D> fast_two_sum(V<D> a, V<D> b, V<D>& lo) {
  const V<D> hi = hn::Add(a, b);
  lo = hn::Sub(b, hn::Sub(hi, a));
  return hi;
}

/// hi + lo = a + b exactly, any magnitudes (Knuth's TwoSum).
template <class D>
HWY_INLINE V<D> two_sum(V<D> a, V<D> b, V<D>& lo) {
  const V<D> hi = hn::Add(a, b);
  const V<D> b_part = hn::Sub(hi, a);
  lo = hn::Add(hn::Sub(a, hn::Sub(hi, b_part)), hn::Sub(b, b_part));
  return hi;
}

/// hi + lo = a·b, for products that neither overflow nor underflow: exact with FMA; with Dekker's
/// splitting exact for float and within 2^-104 |a·b| for double.
template <class D>
HWY_INLINE V<D> two_prod(D d, V<D> a, V<D> b, V<D>& lo) {
  const V<D> hi = hn::Mul(a, b);
#if HWY_NATIVE_FMA
  (void)d;
  lo = hn::MulSub(a, b, hi);
#else
  // Dekker: the high half keeps the top bits of the mantissa (the low 12 of float's 23, the low
  // 27 of double's 52 masked off: unlike Veltkamp's (2^s + 1)·v it cannot overflow), the low half
  // the rest. For float every partial product is exact; for double all but the last (27 × 27
  // bits, 2^-104 of a·b).
  const hn::RebindToUnsigned<D> du;
  using U = hn::TFromD<decltype(du)>;
  constexpr U kHigh = sizeof(U) == 4 ? U(0xFFFFF000u) : U(0xFFFFFFFFF8000000ull);
  const auto halves = [&](V<D> v, V<D>& vh, V<D>& vl) {
    vh = hn::BitCast(d, hn::And(hn::BitCast(du, v), hn::Set(du, kHigh)));
    vl = hn::Sub(v, vh);
  };
  V<D> ah, al, bh, bl;
  halves(a, ah, al);
  halves(b, bh, bl);
  lo = hn::Add(hn::Add(hn::Add(hn::Sub(hn::Mul(ah, bh), hi), hn::Mul(ah, bl)), hn::Mul(al, bh)), hn::Mul(al, bl));
#endif
  return hi;
}

/// c - a·b, exact (to 2^-104 |a·b| for double without FMA) when it is representable and a·b ≈ c:
/// the residual of a quotient or product.
template <class D>
HWY_INLINE V<D> residual(D d, V<D> a, V<D> b, V<D> c) {
#if HWY_NATIVE_FMA
  (void)d;
  return hn::NegMulAdd(a, b, c);
#else
  V<D> lo;
  const V<D> hi = two_prod(d, a, b, lo);
  return hn::Sub(hn::Sub(c, hi), lo);
#endif
}

/// The binary format of lane type T: mantissa bits, exponent bias, the smallest normal exponent,
/// and 1.5·2^mantissa_bits, which rounds a v with |v| < 2^(mantissa_bits - 1) to an integer held in
/// the sum's low mantissa bits, in two's complement.
template <class T>
struct Format;
template <>
struct Format<float> {
  static constexpr int kMantissaBits = 23, kBias = 127, kMinExponent = -126;
  static constexpr float kRoundMagic = 0x1.8p23f;
};
template <>
struct Format<double> {
  static constexpr int kMantissaBits = 52, kBias = 1023, kMinExponent = -1022;
  static constexpr double kRoundMagic = 0x1.8p52;
};

/// 2^n for integer-valued n in [kMinExponent, kBias], exactly, from the exponent bits:
/// (n + bias) << mantissa_bits, with n read from the low bits of n + kRoundMagic (the shift drops
/// everything above them). Cheaper than a conversion, which on x86 also fixes up out-of-range lanes.
template <class D>
HWY_INLINE V<D> pow2(D d, V<D> n) {
  using F = Format<hn::TFromD<D>>;
  const hn::RebindToSigned<D> di;
  const auto bits = hn::BitCast(di, hn::Add(n, hn::Set(d, F::kRoundMagic)));
  return hn::BitCast(d, hn::ShiftLeft<F::kMantissaBits>(hn::Add(bits, hn::Set(di, F::kBias))));
}

/// v·2^n for integer-valued n ≤ 0 down to about 3·kMinExponent (f32: -282, f64: -2200) and finite
/// v, rounded once, for results that may be subnormal: three steps 2^n1·2^n2·2^n3 of about n/3
/// each, all normal. The first two are exact whenever the result is not 0 anyway (v·2^(2n/3) is
/// then normal), so only the last one rounds.
template <class D>
HWY_INLINE V<D> scale_tail(D d, V<D> v, V<D> n) {
  using T = hn::TFromD<D>;
  const V<D> n1 = hn::Floor(hn::Mul(n, hn::Set(d, T(1) / T(3))));
  const V<D> n2 = hn::Floor(hn::Mul(hn::Sub(n, n1), hn::Set(d, T(0.5))));
  const V<D> n3 = hn::Sub(hn::Sub(n, n1), n2);
  return hn::Mul(hn::Mul(hn::Mul(v, pow2(d, n1)), pow2(d, n2)), pow2(d, n3));
}

/// Whether a kernel instance handles arguments whose exponential is subnormal: kNormal, the common
/// case, skips the three-step scaling; the kernels pick the kTail instance for a vector only when
/// one of its lanes needs it (by_range in each smooth kernel file).
enum class Range : bool { kNormal, kTail };

/// v·2^n (n integer-valued, ≤ 0 in kTail), rounded once: exact 2^n in kNormal, scale_tail in kTail.
template <Range kRange, class D>
HWY_INLINE V<D> scale(D d, V<D> v, V<D> n) {
  if constexpr (kRange == Range::kTail) return scale_tail(d, v, n);
  return hn::Mul(v, pow2(d, n));
}

/// Where expm1(x) = x(1 + x/2 + ...) is x to within a quarter ULP (|x| < 2^-(mantissa_bits + 2)):
/// the callers use x there, which keeps -0 and subnormal inputs exact.
template <class D>
HWY_INLINE hn::Mask<D> expm1_is_identity(D d, V<D> x) {
  using T = hn::TFromD<D>;
  return hn::Abs(x) < hn::Set(d, T(1) / T(1ull << (Format<T>::kMantissaBits + 2)));
}

}  // namespace exact
}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
