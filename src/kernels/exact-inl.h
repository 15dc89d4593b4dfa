// Error-free transformations in SIMD lanes of float or double, shared by the smooth kernels
// (smooth_f32-inl.h, smooth_f64-inl.h): sums and products returned as hi + lo pairs whose sum is
// the exact result. Products use FMA where the target has it (HWY_NATIVE_FMA) and Dekker's
// splitting where it does not (SSSE3, SSE4, EMU128), so every target gets the same exact values.
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

}  // namespace exact
}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
