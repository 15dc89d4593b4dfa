// actfn — the fast path: forward and backward over spans, on SIMD kernels (Google Highway) with
// runtime dispatch to the best instruction set of the machine, decided once per call.
//
// Same contract as actfn::reference (actfn/reference.hpp), which is the specification: a kernel
// either matches it bit for bit (piecewise-linear activations) or stays within the activation's
// documented accuracy bound, on every target. Activations or argument combinations without a
// kernel run the reference. Aliasing: y may be x; dx may be dy or the input.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "actfn/activation.hpp"
#include "actfn/types.hpp"

namespace actfn {

template <class T>
void forward(const Activation& act, std::span<const T> x, std::span<T> y);
template <class T>
void backward(const Activation& act, BackwardArgs<T> args, std::span<T> dx, std::span<T> dparams = {});
template <class T>
void forward(const Activation& act, Channels layout, std::span<const T> learned, std::span<const T> x,
             std::span<T> y);
template <class T>
void backward(const Activation& act, Channels layout, std::span<const T> learned, BackwardArgs<T> args,
              std::span<T> dx, std::span<T> dlearned = {});
template <class T>
void rrelu_train_forward(const Activation& act, std::uint64_t seed, std::uint64_t offset, std::span<const T> x,
                         std::span<T> y);
template <class T>
void rrelu_train_backward(const Activation& act, std::uint64_t seed, std::uint64_t offset,
                          std::span<const T> x, std::span<const T> dy, std::span<T> dx);
std::size_t output_axis(const Activation& act, std::size_t axis_len);
template <class T>
void forward(const Activation& act, Axis layout, std::span<const T> x, std::span<T> y);
template <class T>
void backward(const Activation& act, Axis layout, BackwardArgs<T> args, std::span<T> dx);

// ---- which kernel runs --------------------------------------------------------------------------

/// Instruction sets compiled in and supported by this CPU, best first (e.g. AVX3, AVX2, SSE4,
/// SSSE3, EMU128).
std::vector<std::string> targets();
/// The instruction set calls dispatch to now.
std::string target();
/// Forces one of targets() for every later call (tests, reproducible results); "auto" restores
/// the best. Process-wide; not to be changed while other threads run kernels. Throws Error for a
/// name not in targets().
void set_target(std::string_view name);
/// Whether `act` has a SIMD kernel for data type T (otherwise calls run the reference).
template <class T>
bool has_kernel(const Activation& act);

}  // namespace actfn
