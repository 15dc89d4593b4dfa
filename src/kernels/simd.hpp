// The SIMD entry points (simd.cpp) as the rest of the kernels layer sees them: plain functions
// that dispatch to the best compiled instruction set. Each returns false when the activation has
// no kernel for that argument combination; the caller then runs the reference.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actfn/registry.hpp"

namespace actfn::kernels {

bool simd_forward(Kind kind, const double* params, const float* x, float* y, std::size_t n);
bool simd_forward(Kind kind, const double* params, const double* x, double* y, std::size_t n);
bool simd_backward(Kind kind, bool from_y, const double* params, const float* in, const float* dy, float* dx,
                   std::size_t n);
bool simd_backward(Kind kind, bool from_y, const double* params, const double* in, const double* dy, double* dx,
                   std::size_t n);

/// The target HWY_DYNAMIC_DISPATCH runs now.
std::string dispatched_target();
/// Compiled and supported targets, best first (narrowed by restrict_targets).
std::vector<std::string> compiled_targets();
/// Limits dispatch to the targets in `mask` (0: no limit).
void restrict_targets(std::int64_t mask);
/// The Highway bit of a compiled target's name, 0 if none.
std::int64_t target_bit(std::string_view name);

}  // namespace actfn::kernels
