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

// ---- the f64 oracle ----------------------------------------------------------------------------

/// The f32 reference's results before their final rounding: y[i] = f(x[i]) computed in double,
/// by the same formula structs and with the same parameter values (rounded to float first) as
/// forward<float>, which returns exactly static_cast<float>(y[i]) for every smooth activation.
/// Piecewise-linear activations, which the f32 reference computes in float with one rounding, are
/// computed here in double too: their one product, sum or fma of floats is then exact or within
/// one double rounding, so static_cast<float>(y[i]) is their correctly rounded value.
///
/// This is the f64 oracle the SIMD kernels are certified against (actfn accuracy): its error is far
/// below a float ULP (stable formulas in double carry a few 2^-53 relative, i.e. ~2^-29 ULP of
/// float), and rounded once it is within 0.5 ULP of the exact value wherever MPFR checked it
/// (docs/accuracy.md).
/// Element-wise activations only (throws Error for vector-wise ones); y must not overlap x.
void forward_wide(const Activation& act, std::span<const float> x, std::span<double> y);

/// As forward_wide, for backward: dx[i] = dy[i] · f'(x[i]) in double, from x when given, else
/// from y (when act.backward_from_y()), by the code of backward<float> without its final rounding.
/// The same argument checks as backward<float>; dx must not overlap the inputs. No parameter
/// gradients.
void backward_wide(const Activation& act, BackwardArgs<float> args, std::span<double> dx);

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
