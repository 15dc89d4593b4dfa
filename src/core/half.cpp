// Conversions between float and the 16-bit storage types (actfn/types.hpp), on the bit patterns.
#include <bit>
#include <cstdint>

#include "actfn/types.hpp"

namespace actfn {

float to_float(bf16 h) { return std::bit_cast<float>(static_cast<std::uint32_t>(h.bits) << 16); }

bf16 to_bf16(float x) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  if ((u & 0x7fffffffu) > 0x7f800000u) return bf16{static_cast<std::uint16_t>((u >> 16) | 0x0040u)};  // quiet NaN
  // Adding 0x7fff plus the lowest kept bit rounds the dropped 16 bits to nearest, ties to even;
  // a carry out of the fraction moves to the exponent, up to inf, as rounding should.
  const std::uint32_t rounded = u + 0x7fffu + ((u >> 16) & 1u);
  return bf16{static_cast<std::uint16_t>(rounded >> 16)};
}

float to_float(f16 h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h.bits & 0x8000u) << 16;
  const std::uint32_t exponent = (h.bits >> 10) & 0x1fu, fraction = h.bits & 0x3ffu;
  if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (fraction << 13));  // inf, NaN
  if (exponent != 0) return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (fraction << 13));
  // Zero or subnormal: fraction · 2^-24 is exact in float.
  const float magnitude = static_cast<float>(fraction) * 0x1p-24f;
  return sign ? -magnitude : magnitude;
}

f16 to_f16(float x) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  const auto sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  const std::uint32_t magnitude = u & 0x7fffffffu;
  if (magnitude > 0x7f800000u) return f16{static_cast<std::uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu))};
  if (magnitude >= 0x477ff000u) return f16{static_cast<std::uint16_t>(sign | 0x7c00u)};  // ≥ 65520 rounds to inf
  if (magnitude >= 0x38800000u) {  // ≥ 2^-14: normal in f16; rebias the exponent by 127 - 15
    const std::uint32_t rebiased = magnitude - (112u << 23);
    const std::uint32_t rounded = rebiased + 0xfffu + ((rebiased >> 13) & 1u);  // 13 dropped bits, ties to even
    return f16{static_cast<std::uint16_t>(sign | (rounded >> 13))};
  }
  // Below 2^-14: the f16 value is n · 2^-24 with n = round(|x| · 2^24), n ≤ 1024 (1024 is the
  // smallest normal, which the bit pattern below spells correctly). |x| · 2^24 is exact in float,
  // and the float-to-integer rounding is done by hand to keep ties to even.
  const float scaled = std::bit_cast<float>(magnitude) * 0x1p24f;
  auto n = static_cast<std::uint32_t>(scaled);  // truncation
  const float rest = scaled - static_cast<float>(n);
  if (rest > 0.5f || (rest == 0.5f && (n & 1u))) ++n;
  return f16{static_cast<std::uint16_t>(sign | n)};
}

}  // namespace actfn
