// What the public operations' three call shapes (element-wise, per channel, along an axis) share:
// the kernel table's answer for a data type, the overlap rules and the slice grain. Each shape's
// file has one predicate deciding whether a kernel takes a call; a call no kernel takes as it is
// (bad sizes, partial overlap, invalid parameters, no kernel) goes to the reference unchanged and
// gets its results and its errors. Internal to src/ops.
#pragma once

#include <cstddef>
#include <span>
#include <type_traits>

#include "actfn/ops.hpp"
#include "checks.hpp"
#include "table.hpp"

namespace actfn::ops {

using kernels::Path;

/// Exact aliasing or no overlap at all; partial overlap is the reference's error to report.
template <class A, class B>
bool disjoint_or_same(std::span<A> a, std::span<B> b) {
  return !checks::partially_overlap(a, b);
}

/// No byte shared.
template <class A, class B>
bool disjoint(std::span<A> a, std::span<B> b) {
  return !checks::overlap(a, b);
}

/// What the kernel table (table.hpp) gives act for T data; bf16 and f16 compute as float.
template <class T>
const kernels::Ops& kernel_ops(const Activation& act) {
  return kernels::row(act.kind()).ops(std::is_same_v<T, double>);
}

/// An element-wise activation whose parameters are valid in T's precision (validate throws the
/// reference's error for invalid ones).
template <class T>
bool element_wise_and_valid(const Activation& act) {
  if (act.info().vector_wise) return false;
  act.validate(precision_of<T>);
  return true;
}

/// Slices handed to threads are whole multiples of this many elements: whole vectors on every
/// target, whole cache lines for f32 and f64.
constexpr std::size_t kGrain = 64;

/// PReLU's backward kernel over a per-channel layout, dlearned[c] += Σ dy·x over x ≤ 0 in the same
/// pass as dx (when dlearned is not empty), the same result for the same thread count
/// (per_channel.cpp; the element-wise call with one learned weight uses it too).
template <class T>
void prelu_backward(Channels L, std::span<const T> learned, std::span<const T> x, std::span<const T> dy,
                    std::span<T> dx, std::span<T> dlearned);

}  // namespace actfn::ops
