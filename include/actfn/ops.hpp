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

/// T: float, double, bf16 or f16. bf16/f16 data are widened to float in chunks, computed by the
/// float kernel and rounded once (within 1 ULP of the correctly rounded result at every 16-bit
/// input); their backward computes no parameter gradients (dparams must be empty).
template <class T>
void forward(const Activation& act, std::span<const T> x, std::span<T> y);
template <class T>
void backward(const Activation& act, BackwardArgs<T> args, std::span<T> dx, std::span<T> dparams = {});
/// y = f(x) and slope = f'(x) (backward's dx for dy = 1) in one pass, for training code that keeps
/// the slope instead of x: its backward is dx = dy·slope, and the work f and f' share (an
/// exponential, a fold) is done once. Element-wise activations, float or double; y may be x,
/// slope overlaps neither. Bit-identical to forward and to backward from x with dy = 1, for which
/// it falls back to those two calls where no one-pass kernel exists (see has_slope_kernel).
template <class T>
void forward_with_slope(const Activation& act, std::span<const T> x, std::span<T> y, std::span<T> slope);
/// Per-channel parameters (T: float or double). PReLU runs one fused pass: dx and the per-channel
/// dα = Σ dy·x over x ≤ 0, summed in double, channels first (inner ≥ 16) or channels last
/// (inner = 1); other activations, and PReLU with 1 < inner < 16, run the reference.
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
/// Vector-wise functions along an axis, on SIMD kernels (strided rows gathered per thread). f32
/// softmax and softmin rows are within 1.75 ULP of the truth (e^x stored in y, then scaled: two
/// roundings), log_softmax within 0.75, backward from y within 1 ULP of the reference plus its
/// f64 summation-order error; f64 rows within 1.5 ULP of the long-double reference. Rows holding
/// NaN or infinities run the reference's row code.
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
/// Whether `act` has a SIMD kernel for data type T (otherwise calls run the reference); for the
/// vector-wise functions, whether its contiguous and strided rows do.
template <class T>
bool has_kernel(const Activation& act);
/// Whether forward_with_slope runs one SIMD pass for `act` and T (otherwise two).
template <class T>
bool has_slope_kernel(const Activation& act);

// ---- threads ------------------------------------------------------------------------------------

/// Threads one call may use: arrays of at least parallel_threshold() elements are split into
/// contiguous slices, one per thread (results are identical to one thread: every element is
/// computed the same way wherever it lands). 0 restores the default, the hardware's thread count.
/// Process-wide; not to be changed while other threads run kernels.
void set_threads(unsigned n);
unsigned threads();
/// Smallest array split across threads (default 262144 elements: below it, waking threads costs
/// more than it saves). 0 restores the default.
void set_parallel_threshold(std::size_t n);
std::size_t parallel_threshold();

}  // namespace actfn
