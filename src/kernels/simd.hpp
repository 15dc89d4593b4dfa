// The SIMD entry points (simd.cpp and the other kernel files) as the ops layer (src/ops) sees
// them: plain functions that dispatch to the best compiled instruction set. Each runs the kernel
// the kernel table (table.hpp) declares for the operation and returns true; where it declares
// none, false, doing nothing. Callers ask the table first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actfn/registry.hpp"
#include "actfn/types.hpp"

namespace actfn::kernels {

bool simd_forward(Kind kind, const double* params, const float* x, float* y, std::size_t n);
bool simd_forward(Kind kind, const double* params, const double* x, double* y, std::size_t n);
/// y = f(x) and s = f'(x) in one pass, bit-identical to simd_forward and to simd_backward from x
/// with dy = 1 (y may alias x; s aliases neither): the table's fdf.
bool simd_forward_with_slope(Kind kind, const double* params, const float* x, float* y, float* s, std::size_t n);
bool simd_forward_with_slope(Kind kind, const double* params, const double* x, double* y, double* s, std::size_t n);
bool simd_backward(Kind kind, bool from_y, const double* params, const float* in, const float* dy, float* dx,
                   std::size_t n);
bool simd_backward(Kind kind, bool from_y, const double* params, const double* in, const double* dy, double* dx,
                   std::size_t n);

/// Learnable-parameter gradients of element-wise activations for f32 data (swish's β, the
/// generalized sigmoid's five parameters, shifted tanh's two shifts): sums[k] +=
/// Σ dy·∂f/∂p_k over the n elements for every learnable parameter index k (kMaxParams slots, in
/// f64; other slots untouched), NaN inputs contributing NaN: the table's dparams. dx is
/// simd_backward's business.
bool simd_param_gradient(Kind kind, const double* params, const float* x, const float* dy, std::size_t n,
                         double* sums);
/// The same for f64 data (swish, generalized sigmoid, shifted tanh), summed with compensation.
bool simd_param_gradient(Kind kind, const double* params, const double* x, const double* dy, std::size_t n,
                         double* sums);

/// Per-channel PReLU over blocks u0 ≤ u < u1 of `inner` elements, block u at u·inner with slope
/// alpha[u % channels] (channels.cpp). y may alias x; dx may alias x or dy. Backward adds the slopes'
/// gradient Σ dy·x over x ≤ 0 of each block to dalpha[c] (summed in f64; dalpha null: not wanted).
void simd_prelu_forward(const float* alpha, std::size_t channels, std::size_t inner, std::size_t u0, std::size_t u1,
                        const float* x, float* y);
void simd_prelu_forward(const double* alpha, std::size_t channels, std::size_t inner, std::size_t u0, std::size_t u1,
                        const double* x, double* y);
void simd_prelu_backward(const float* alpha, std::size_t channels, std::size_t inner, std::size_t u0,
                         std::size_t u1, const float* x, const float* dy, float* dx, double* dalpha);
void simd_prelu_backward(const double* alpha, std::size_t channels, std::size_t inner, std::size_t u0,
                         std::size_t u1, const double* x, const double* dy, double* dx, double* dalpha);
/// Channels-last per-channel PReLU (inner = 1): rows r0 ≤ r < r1 of `channels` elements, element c
/// with slope alpha[c]; backward adds Σ dy·x over x ≤ 0 of column c to dalpha[c] (null: not wanted).
void simd_prelu_rows_forward(const float* alpha, std::size_t channels, std::size_t r0, std::size_t r1,
                             const float* x, float* y);
void simd_prelu_rows_forward(const double* alpha, std::size_t channels, std::size_t r0, std::size_t r1,
                             const double* x, double* y);
void simd_prelu_rows_backward(const float* alpha, std::size_t channels, std::size_t r0, std::size_t r1,
                              const float* x, const float* dy, float* dx, double* dalpha);
void simd_prelu_rows_backward(const double* alpha, std::size_t channels, std::size_t r0, std::size_t r1,
                              const double* x, const double* dy, double* dx, double* dalpha);

/// Softmax, softmin or log_softmax over `rows` contiguous f32 or f64 rows of n (softmax.cpp):
/// forward, and backward from y (dx may alias y or dy). False, doing nothing, for any other kind.
bool simd_softmax_forward(Kind kind, const float* x, float* y, std::size_t rows, std::size_t n);
bool simd_softmax_forward(Kind kind, const double* x, double* y, std::size_t rows, std::size_t n);
bool simd_softmax_backward(Kind kind, const float* y, const float* dy, float* dx, std::size_t rows, std::size_t n);
bool simd_softmax_backward(Kind kind, const double* y, const double* dy, double* dx, std::size_t rows,
                           std::size_t n);

/// Gated linear units (glu, geglu, swiglu, reglu) over n elements of one block, a the first half
/// of the row block and b the gate half (simd.cpp): y = a·gate(b); backward da = dy·gate(b),
/// db = dy·a·gate'(b), da and db may alias a and b. False, doing nothing, for any other kind.
bool simd_gated_forward(Kind kind, const float* a, const float* b, float* y, std::size_t n);
bool simd_gated_forward(Kind kind, const double* a, const double* b, double* y, std::size_t n);
bool simd_gated_backward(Kind kind, const float* a, const float* b, const float* dy, float* da, float* db,
                         std::size_t n);
bool simd_gated_backward(Kind kind, const double* a, const double* b, const double* dy, double* da, double* db,
                         std::size_t n);

/// Maxout over blocks o0 ≤ o < o1 of an [outer, groups·k, inner] layout (maxout.cpp): y[o, j, i] =
/// the first maximal of x[o, jk + m, i], m < k (a NaN counts as maximal); backward dx = dy at
/// that entry and +0 at the others of its group (dx may alias x). Bit-identical to the reference.
void simd_maxout_forward(const float* x, float* y, std::size_t o0, std::size_t o1, std::size_t groups, std::size_t k,
                         std::size_t inner);
void simd_maxout_forward(const double* x, double* y, std::size_t o0, std::size_t o1, std::size_t groups,
                         std::size_t k, std::size_t inner);
void simd_maxout_backward(const float* x, const float* dy, float* dx, std::size_t o0, std::size_t o1,
                          std::size_t groups, std::size_t k, std::size_t inner);
void simd_maxout_backward(const double* x, const double* dy, double* dx, std::size_t o0, std::size_t o1,
                          std::size_t groups, std::size_t k, std::size_t inner);

/// RReLU in training mode over n elements that start at index `offset` of the call's noise
/// (rrelu_noise.cpp): forward (dy null) out = y, backward out = dx; out may alias x or dy.
/// Bit-identical to reference::rrelu_train_forward/backward, whose slope formula is the spec.
void simd_rrelu_train(double lower, double upper, std::uint64_t seed, std::uint64_t offset, const float* x,
                      const float* dy, float* out, std::size_t n);
void simd_rrelu_train(double lower, double upper, std::uint64_t seed, std::uint64_t offset, const double* x,
                      const double* dy, double* out, std::size_t n);

/// bf16/f16 arrays to float and back (storage16.cpp), bit-identical to the scalar to_float /
/// to_bf16 / to_f16 (round to nearest, ties to even).
void simd_widen(const bf16* in, float* out, std::size_t n);
void simd_widen(const f16* in, float* out, std::size_t n);
void simd_narrow(const float* in, bf16* out, std::size_t n);
void simd_narrow(const float* in, f16* out, std::size_t n);

/// The target HWY_DYNAMIC_DISPATCH runs now.
std::string dispatched_target();
/// Compiled and supported targets, best first (narrowed by restrict_targets).
std::vector<std::string> compiled_targets();
/// Limits dispatch to the targets in `mask` (0: no limit).
void restrict_targets(std::int64_t mask);
/// The Highway bit of a compiled target's name, 0 if none.
std::int64_t target_bit(std::string_view name);

}  // namespace actfn::kernels
