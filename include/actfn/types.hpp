// actfn — the argument types shared by the reference and the kernels: backward inputs and the
// two layouts (per-channel parameters, vector-wise axis).
#pragma once

#include <cstddef>
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

}  // namespace actfn
