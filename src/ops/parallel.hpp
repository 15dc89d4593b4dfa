// Splitting one call's array across threads. Kernels see flat spans; this layer decides how many
// slices there are and runs them on a small pool of persistent workers (starting a thread costs
// tens of microseconds, as much as computing ~100K elements).
#pragma once

#include <cstddef>
#include <functional>
#include <utility>

namespace actfn::ops {

/// A slice of [0, n): body(slice, begin, end); slice numbers run from 0 to max_slices() - 1.
using SliceBody = std::function<void(std::size_t slice, std::size_t begin, std::size_t end)>;

/// How many slices parallel_for cuts n items of `cost` elements each into: 1 below the parallel
/// threshold (or with one thread), else up to threads(), each slice at least `grain` items and
/// 4096 elements of work.
std::size_t slices_for(std::size_t n, std::size_t grain, std::size_t cost);

/// Runs body over `slices` consecutive slices of [0, n), multiples of `grain` long (except the
/// last), on the pool; the caller's thread takes a slice too. If another thread's call holds the
/// pool, runs body(0, 0, n) alone instead (never waits, never deadlocks in nested use).
void run_slices(std::size_t slices, std::size_t n, std::size_t grain, const SliceBody& body);

/// Runs body over consecutive slices covering [0, n) of items that each cost `cost` elements of
/// work, concurrently when slices_for says so; otherwise as one direct call body(0, 0, n) (no
/// allocation, no pool: the common in-cache case costs nothing extra). `body` must not throw.
template <class Body>
void parallel_for(std::size_t n, std::size_t grain, std::size_t cost, Body&& body) {
  const std::size_t slices = slices_for(n, grain, cost);
  if (slices <= 1) return body(std::size_t{0}, std::size_t{0}, n);
  run_slices(slices, n, grain, SliceBody(std::ref(body)));
}

/// An upper bound on the slice numbers parallel_for passes (the thread count).
std::size_t max_slices();

}  // namespace actfn::ops
