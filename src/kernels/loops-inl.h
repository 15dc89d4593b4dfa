// The loops the element-wise kernels run in, and the types their kernel structs take, shared by
// the kernel files (simd.cpp, channels.cpp, softmax.cpp, rrelu_noise.cpp). No include guard:
// compiled once per target, inside that target's namespace.

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

/// The parameters of a kernel struct's f and df for lanes of D: already in the lanes' type.
template <class D>
using P = fn::Params<hn::TFromD<D>>;

/// The reference's compute type for T data (reference.cpp's Wide), for the lanes a kernel hands
/// to the reference's formulas.
template <class T>
using Wide = std::conditional_t<std::is_same_v<T, float>, double, long double>;

/// Runs step(pa, pb, po) on each whole block of `block` elements of the inputs (b null: pb null),
/// then once on the tail through zero-filled stack buffers of one block (block ≤ the lanes of T
/// in the widest vector), so no step reads or writes outside the spans (in place is fine: each
/// block is read before it is written).
template <class T, class Step>
void for_each_block(const T* a, const T* b, T* out, std::size_t n, std::size_t block, Step step) {
  std::size_t i = 0;
  for (; i + block <= n; i += block) step(a + i, b ? b + i : nullptr, out + i);
  if (i == n) return;
  HWY_ALIGN T ta[HWY_MAX_BYTES / sizeof(T)] = {}, tb[HWY_MAX_BYTES / sizeof(T)] = {};
  const std::size_t rest = n - i;
  std::memcpy(ta, a + i, rest * sizeof(T));
  if (b) std::memcpy(tb, b + i, rest * sizeof(T));
  step(ta, b ? tb : nullptr, ta);
  std::memcpy(out + i, ta, rest * sizeof(T));
}

/// As for_each_block for one input and two outputs: step(pa, po, po2) on each whole block, then on
/// the tail through zero-filled buffers (out may be a; out2 is neither).
template <class T, class Step>
void for_each_block_two_outputs(const T* a, T* out, T* out2, std::size_t n, std::size_t block, Step step) {
  std::size_t i = 0;
  for (; i + block <= n; i += block) step(a + i, out + i, out2 + i);
  if (i == n) return;
  HWY_ALIGN T ta[HWY_MAX_BYTES / sizeof(T)] = {}, t2[HWY_MAX_BYTES / sizeof(T)] = {};
  const std::size_t rest = n - i;
  std::memcpy(ta, a + i, rest * sizeof(T));
  step(ta, ta, t2);
  std::memcpy(out + i, ta, rest * sizeof(T));
  std::memcpy(out2 + i, t2, rest * sizeof(T));
}

/// Rounds f64 lanes to floats, once, and stores them. Rounding to f32 overflows to ±inf from
/// FLT_MAX + half an ULP up (2^128 - 2^103). x86 targets' conversions do that; Highway's emulated
/// targets clamp to ±FLT_MAX instead, so there lanes that far out (rare: an infinite input or an
/// enormous dy) are set to ±inf after the store, a test the x86 targets skip.
template <class DD>
HWY_INLINE void store_rounded_f32(DD dd, hn::Vec<DD> r, float* out) {
  const hn::Rebind<float, DD> df;
  hn::StoreU(hn::DemoteTo(df, r), df, out);
  constexpr bool kDemoteClamps = HWY_TARGET == HWY_SCALAR || HWY_TARGET == HWY_EMU128;
  if (kDemoteClamps && HWY_UNLIKELY(!hn::AllFalse(dd, hn::Abs(r) >= hn::Set(dd, 0x1.ffffffp127)))) {
    double wide[HWY_MAX_BYTES / sizeof(double)];
    hn::StoreU(r, dd, wide);
    for (std::size_t k = 0; k < hn::Lanes(dd); ++k)
      if (std::fabs(wide[k]) >= 0x1.ffffffp127) out[k] = std::copysign(HUGE_VALF, static_cast<float>(wide[k]));
  }
}

/// Applies op(d, v0, v1) to the vectors of the inputs (b null: v1 = v0), by for_each_block.
template <class T, class Op>
void for_each_vector(const T* a, const T* b, T* out, std::size_t n, Op op) {
  const hn::ScalableTag<T> d;
  for_each_block(a, b, out, n, hn::Lanes(d), [&](const T* pa, const T* pb, T* po) {
    const auto va = hn::LoadU(d, pa);
    hn::StoreU(op(d, va, pb ? hn::LoadU(d, pb) : va), d, po);
  });
}

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
