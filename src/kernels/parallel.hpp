// Splitting one call's array across threads. Kernels see flat spans; this layer decides how many
// slices there are and runs them on a small pool of persistent workers (starting a thread costs
// tens of microseconds, as much as computing ~100K elements).
#pragma once

#include <cstddef>
#include <functional>

namespace actfn::kernels {

/// A slice of [0, n): body(slice, begin, end); slice numbers run from 0 to max_slices() - 1.
using SliceBody = std::function<void(std::size_t slice, std::size_t begin, std::size_t end)>;

/// Runs body over consecutive slices covering [0, n) of items that each cost `cost` elements of
/// work, concurrently when n · cost is at least the parallel threshold and more than one thread is
/// allowed; otherwise as one call body(0, 0, n). Slice boundaries are multiples of `grain` (except
/// the end), so a slice never starts inside a unit that must stay whole (a vector of lanes). The
/// caller's thread takes a slice too. A call made while another thread's call holds the pool runs
/// alone on its own thread (never waits, never deadlocks in nested use). `body` must not throw.
void parallel_for(std::size_t n, std::size_t grain, std::size_t cost, const SliceBody& body);

/// An upper bound on the slice numbers parallel_for passes (the thread count).
std::size_t max_slices();

}  // namespace actfn::kernels
