// actfn::reference — the scalar reference: forward, backward and parameter gradients over spans.
// It is the specification the SIMD kernels (actfn/ops.hpp) are tested against, and their
// fallback for activations without a kernel.
//
// Each element is computed in a wider type (f32 in f64, f64 in the x87
// 64-bit-mantissa long double) from a numerically stable formula and rounded once, so results are
// within ~0.5 ULP of the correctly rounded value. Dispatch on the activation happens once per call.
//
// Aliasing: y may be x (in place) and dx may be dy or x; any other overlap is an error.
// NaN in x gives NaN out, forward and backward.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "actfn/activation.hpp"
#include "actfn/types.hpp"

namespace actfn::reference {

// ---- element-wise activations -----------------------------------------------------------------

/// y[i] = f(x[i]).
template <class T>
void forward(const Activation& act, std::span<const T> x, std::span<T> y);

/// dx[i] = dy[i] * f'(x[i]) (written, not accumulated). Uses x when given, else y (when the
/// activation allows it). When `dparams` is non-empty it must have one slot per learnable
/// parameter; sum_i dy[i] * df(x[i])/dparam is ADDED to it (needs x).
template <class T>
void backward(const Activation& act, BackwardArgs<T> args, std::span<T> dx,
              std::span<T> dparams = {});

template <class T>
void forward(const Activation& act, Channels layout, std::span<const T> learned,
             std::span<const T> x, std::span<T> y);
/// As backward above; `dlearned` (channels × learnable_count, may be empty) is accumulated.
template <class T>
void backward(const Activation& act, Channels layout, std::span<const T> learned,
              BackwardArgs<T> args, std::span<T> dx, std::span<T> dlearned = {});

/// RReLU in training mode: each negative input gets its own slope drawn uniformly from
/// [lower, upper] by a counter-based generator: slope i depends only on (seed, offset + i), so
/// backward regenerates the same slopes with no saved noise, and a split array gives the same
/// slopes as one call. Eval mode (plain forward) uses the mean slope (lower + upper) / 2.
template <class T>
void rrelu_train_forward(const Activation& act, std::uint64_t seed, std::uint64_t offset,
                         std::span<const T> x, std::span<T> y);
template <class T>
void rrelu_train_backward(const Activation& act, std::uint64_t seed, std::uint64_t offset,
                          std::span<const T> x, std::span<const T> dy, std::span<T> dx);
/// The slope rrelu_train_* uses for element `index`.
double rrelu_slope(const Activation& act, std::uint64_t seed, std::uint64_t index);

// ---- vector-wise activations (softmax family, glu family, maxout) -----------------------------

/// Output length along the axis (axis for softmax, axis/2 for glu, axis/pieces for maxout);
/// throws Error when the length does not fit the activation (odd length for glu, ...).
std::size_t output_axis(const Activation& act, std::size_t axis_len);

template <class T>
void forward(const Activation& act, Axis layout, std::span<const T> x, std::span<T> y);
/// dx has the input's shape. Softmax family: from y; glu family and maxout: from x.
template <class T>
void backward(const Activation& act, Axis layout, BackwardArgs<T> args, std::span<T> dx);

}  // namespace actfn::reference
