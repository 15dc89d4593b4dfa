// Conversions between float and the 16-bit storage types over arrays, compiled once per
// instruction set (foreach_target). The scalar to_float / to_bf16 / to_f16 (src/core/half.cpp) are
// the specification; these compute the same bits with integer vector operations.
//
// bf16 → f32: the 16 bits become the upper half.  f32 → bf16: add 0x7fff plus the lowest kept bit
// (round to nearest, ties to even; a carry reaches the exponent as rounding should), NaN made quiet.
// f16 → f32: rebias the exponent by 112 (127 - 15); exponent 31 (inf/NaN) goes to 255; subnormals
// are fraction · 2^-24, exact in float.  f32 → f16: normal range as for bf16 on 13 dropped bits;
// below 2^-14, |x| + 0.5 rounds |x| to a multiple of 2^-24 (the float ULP in [0.5, 1)) by the
// hardware's own round-to-nearest-even, and the integer difference from 0.5 is the subnormal.
#include <cstddef>
#include <cstdint>
#include <cstring>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "storage16.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

using DU = hn::ScalableTag<std::uint32_t>;
using DF = hn::Repartition<float, DU>;
using DH = hn::Rebind<std::uint16_t, DU>;  // as many 16-bit lanes as DU has 32-bit lanes
using DI = hn::RebindToSigned<DU>;
using VU = hn::Vec<DU>;

// Comparisons of magnitudes (< 2^31) as signed integers: every target has those.
auto greater(VU a, std::uint32_t b) { return hn::RebindMask(DU(), hn::BitCast(DI(), a) > hn::Set(DI(), static_cast<std::int32_t>(b))); }
auto less(VU a, std::uint32_t b) { return hn::RebindMask(DU(), hn::BitCast(DI(), a) < hn::Set(DI(), static_cast<std::int32_t>(b))); }
auto equal(VU a, std::uint32_t b) { return a == hn::Set(DU(), b); }

VU bf16_to_f32_bits(VU h) { return hn::ShiftLeft<16>(h); }

VU f32_to_bf16_bits(VU u) {
  const DU du;
  const VU magnitude = hn::And(u, hn::Set(du, 0x7fffffffu));
  const VU rounded = hn::ShiftRight<16>(hn::Add(u, hn::Add(hn::Set(du, 0x7fffu), hn::And(hn::ShiftRight<16>(u), hn::Set(du, 1u)))));
  const VU quiet_nan = hn::Or(hn::ShiftRight<16>(u), hn::Set(du, 0x0040u));
  return hn::IfThenElse(greater(magnitude, 0x7f800000u), quiet_nan, rounded);
}

VU f16_to_f32_bits(VU h) {
  const DU du;
  const DF df;
  const VU sign = hn::ShiftLeft<16>(hn::And(h, hn::Set(du, 0x8000u)));
  const VU exponent = hn::And(h, hn::Set(du, 0x7c00u)), fraction = hn::And(h, hn::Set(du, 0x3ffu));
  const VU normal = hn::Add(hn::ShiftLeft<13>(hn::And(h, hn::Set(du, 0x7fffu))), hn::Set(du, 112u << 23));
  const VU special = hn::Add(normal, hn::Set(du, 112u << 23));  // exponent 31 → 255
  const VU subnormal = hn::BitCast(du, hn::Mul(hn::ConvertTo(df, hn::BitCast(hn::RebindToSigned<DU>(), fraction)),
                                               hn::Set(df, 0x1p-24f)));
  const VU magnitude =
      hn::IfThenElse(equal(exponent, 0), subnormal, hn::IfThenElse(equal(exponent, 0x7c00u), special, normal));
  return hn::Or(sign, magnitude);
}

VU f32_to_f16_bits(VU u) {
  const DU du;
  const DF df;
  const VU sign = hn::And(hn::ShiftRight<16>(u), hn::Set(du, 0x8000u));
  const VU magnitude = hn::And(u, hn::Set(du, 0x7fffffffu));
  const VU nan = hn::Or(hn::Set(du, 0x7e00u), hn::And(hn::ShiftRight<13>(magnitude), hn::Set(du, 0x3ffu)));
  const VU rebiased = hn::Sub(magnitude, hn::Set(du, 112u << 23));
  const VU normal = hn::ShiftRight<13>(
      hn::Add(rebiased, hn::Add(hn::Set(du, 0xfffu), hn::And(hn::ShiftRight<13>(rebiased), hn::Set(du, 1u)))));
  const auto half = hn::Set(df, 0.5f);
  const VU subnormal = hn::Sub(hn::BitCast(du, hn::Add(hn::BitCast(df, magnitude), half)), hn::BitCast(du, half));
  VU r = hn::IfThenElse(less(magnitude, 0x38800000u), subnormal, normal);
  r = hn::IfThenElse(greater(magnitude, 0x477fefffu), hn::Set(du, 0x7c00u), r);  // ≥ 65520: inf
  r = hn::IfThenElse(greater(magnitude, 0x7f800000u), nan, r);
  return hn::Or(sign, r);
}

/// out[i] = convert(in[i]) vector by vector; the tail through zero-filled buffers.
template <class In, class Out, class Convert>
void convert_all(const In* in, Out* out, std::size_t n, Convert convert) {
  const DU du;
  const DH dh;
  const std::size_t lanes = hn::Lanes(du);
  const auto step = [&](const In* pi, Out* po) {
    VU v;
    if constexpr (sizeof(In) == 2)
      v = hn::PromoteTo(du, hn::LoadU(dh, pi));
    else
      v = hn::LoadU(du, pi);
    const VU r = convert(v);
    if constexpr (sizeof(Out) == 2)
      hn::StoreU(hn::DemoteTo(dh, hn::BitCast(DI(), r)), dh, po);  // every result fits 16 bits: no saturation
    else
      hn::StoreU(r, du, po);
  };
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) step(in + i, out + i);
  if (i == n) return;
  In ti[HWY_MAX_BYTES / sizeof(std::uint32_t)] = {};
  Out to[HWY_MAX_BYTES / sizeof(std::uint32_t)];
  std::memcpy(ti, in + i, (n - i) * sizeof(In));
  step(ti, to);
  std::memcpy(out + i, to, (n - i) * sizeof(Out));
}

}  // namespace

// Lambdas rather than function pointers, so that the conversion inlines into the loop.
void WidenBf16(const std::uint16_t* in, std::uint32_t* out, std::size_t n) {
  convert_all(in, out, n, [](VU v) { return bf16_to_f32_bits(v); });
}
void WidenF16(const std::uint16_t* in, std::uint32_t* out, std::size_t n) {
  convert_all(in, out, n, [](VU v) { return f16_to_f32_bits(v); });
}
void NarrowBf16(const std::uint32_t* in, std::uint16_t* out, std::size_t n) {
  convert_all(in, out, n, [](VU v) { return f32_to_bf16_bits(v); });
}
void NarrowF16(const std::uint32_t* in, std::uint16_t* out, std::size_t n) {
  convert_all(in, out, n, [](VU v) { return f32_to_f16_bits(v); });
}

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd.hpp"

namespace actfn::kernels {

HWY_EXPORT(WidenBf16);
HWY_EXPORT(WidenF16);
HWY_EXPORT(NarrowBf16);
HWY_EXPORT(NarrowF16);

// float and its bit pattern are both 4 bytes; the kernels work on the patterns.
void simd_widen(const bf16* in, float* out, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(WidenBf16)(reinterpret_cast<const std::uint16_t*>(in), reinterpret_cast<std::uint32_t*>(out), n);
}
void simd_widen(const f16* in, float* out, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(WidenF16)(reinterpret_cast<const std::uint16_t*>(in), reinterpret_cast<std::uint32_t*>(out), n);
}
void simd_narrow(const float* in, bf16* out, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(NarrowBf16)(reinterpret_cast<const std::uint32_t*>(in), reinterpret_cast<std::uint16_t*>(out), n);
}
void simd_narrow(const float* in, f16* out, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(NarrowF16)(reinterpret_cast<const std::uint32_t*>(in), reinterpret_cast<std::uint16_t*>(out), n);
}

}  // namespace actfn::kernels
#endif  // HWY_ONCE
