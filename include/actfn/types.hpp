// actfn — the argument types shared by the reference and the kernels: backward inputs and the
// two layouts (per-channel parameters, vector-wise axis).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace actfn {

template <class T>
struct BackwardArgs {
  std::span<const T> x = {};   // the input; needed when the activation's backward needs x
  std::span<const T> y = {};   // the output; enough for activations whose backward needs y
  std::span<const T> dy = {};  // upstream gradient
};

/// Per-channel learnable parameters (PReLU with one slope per channel, per-channel swish beta).
/// x is viewed as [outer, channels, inner] in row-major order; `learned` holds channels ×
/// learnable_count values, channel-major; other parameters come from `act`.
struct Channels {
  std::size_t outer = 1, channels = 1, inner = 1;
};

/// x viewed as [outer, axis, inner] row-major; the function runs along the middle axis. The output
/// has the same outer and inner sizes and output_axis(act, axis) along the axis.
struct Axis {
  std::size_t outer = 1, axis = 1, inner = 1;
};

/// 16-bit storage types. Activations on them compute in float and round the float result once to
/// the 16-bit type (round to nearest, ties to even), so every result is within 1 ULP of the
/// correctly rounded one. Plain bit containers: no arithmetic.
struct bf16 {  // bfloat16: sign, 8 exponent bits, 7 fraction bits (the upper half of a float)
  std::uint16_t bits = 0;
  friend bool operator==(bf16, bf16) = default;
};
struct f16 {  // IEEE 754 binary16: sign, 5 exponent bits, 10 fraction bits
  std::uint16_t bits = 0;
  friend bool operator==(f16, f16) = default;
};

/// Exact widening (every bf16 and f16 value is a float).
float to_float(bf16 h);
float to_float(f16 h);
/// Rounding to nearest, ties to even; overflow gives ±inf, NaN stays NaN (quiet, sign kept),
/// f16 results below its normal range are subnormal or ±0 as the rounding says.
bf16 to_bf16(float x);
f16 to_f16(float x);

}  // namespace actfn
