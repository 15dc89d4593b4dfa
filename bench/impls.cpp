// actfn's SIMD kernels, the scalar reference, and the memcpy roofline as bench implementations.
#include <cstring>
#include <memory>

#include "harness.hpp"

namespace actfn::bench {

namespace {

/// actfn::forward/backward (kReference = false) or actfn::reference::* on the case's data.
template <bool kReference>
Run actfn_run(const Case& c, const Data& d) {
  const Activation act = c.act;
  if (c.row != 0) {  // vector-wise, over the rows
    if (c.direction == Direction::Forward)
      return [act, d] {
        if constexpr (kReference) reference::forward<float>(act, d.rows, d.x, d.out);
        else forward<float>(act, d.rows, d.x, d.out);
      };
    const BackwardArgs<float> args = c.direction == Direction::BackwardY ? BackwardArgs<float>{.y = d.y, .dy = d.dy}
                                                                         : BackwardArgs<float>{.x = d.x, .dy = d.dy};
    return [act, d, args] {
      if constexpr (kReference) reference::backward<float>(act, d.rows, args, d.dx);
      else backward<float>(act, d.rows, args, d.dx);
    };
  }
  const bool per_channel = c.channels > 1;
  const auto fwd = [act, d, per_channel] {
    if (per_channel) {
      if constexpr (kReference) reference::forward<float>(act, d.layout, d.learned, d.x, d.out);
      else forward<float>(act, d.layout, d.learned, d.x, d.out);
    } else {
      if constexpr (kReference) reference::forward<float>(act, d.x, d.out);
      else forward<float>(act, d.x, d.out);
    }
  };
  // Per channel, backward includes the parameter gradient (dlearned), as training needs it.
  const auto bwd = [act, d, per_channel](BackwardArgs<float> args) {
    if (per_channel) {
      if constexpr (kReference) reference::backward<float>(act, d.layout, d.learned, args, d.dx, d.dlearned);
      else backward<float>(act, d.layout, d.learned, args, d.dx, d.dlearned);
    } else {
      if constexpr (kReference) reference::backward<float>(act, args, d.dx);
      else backward<float>(act, args, d.dx);
    }
  };
  switch (c.direction) {
    case Direction::Forward: return fwd;
    case Direction::BackwardX: return [bwd, d] { bwd({.x = d.x, .dy = d.dy}); };
    case Direction::BackwardY: return [bwd, d] { bwd({.y = d.y, .dy = d.dy}); };
    case Direction::ForwardBackward:
      return [fwd, bwd, d] {
        fwd();
        bwd({.x = d.x, .dy = d.dy});
      };
  }
  return {};
}

/// Below this many elements one thread moves the data sooner than waking others (actfn's default
/// parallel threshold; ATen's grain is 32Ki), so the roofline does not split smaller arrays.
constexpr std::size_t kMinParallel = 1 << 18;

/// Splits [0, n) into `threads` contiguous slices, one per OpenMP thread (as actfn splits).
template <class F>
void split(std::size_t n, unsigned threads, F&& slice) {
  if (threads <= 1 || n < kMinParallel) return slice(std::size_t{0}, n);
  const auto t = static_cast<int>(threads);
#pragma omp parallel for num_threads(t) schedule(static)
  for (int k = 0; k < t; ++k) {
    const std::size_t lo = n * static_cast<std::size_t>(k) / threads;
    const std::size_t hi = n * static_cast<std::size_t>(k + 1) / threads;
    slice(lo, hi);
  }
}

void copy(std::span<const float> in, std::span<float> out, unsigned threads) {
  split(in.size(), threads,
        [&](std::size_t lo, std::size_t hi) { std::memcpy(&out[lo], &in[lo], (hi - lo) * sizeof(float)); });
}

/// The least work that reads two streams and writes one: a sum (vectorized by the compiler).
void add(std::span<const float> a, std::span<const float> b, std::span<float> out, unsigned threads) {
  split(a.size(), threads, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) out[i] = a[i] + b[i];
  });
}

}  // namespace

Impl actfn_impl() {
  return {.name = "actfn",
          .version = "target " + target(),
          .peer = false,
          .set_threads = [](unsigned n) { set_threads(n); },
          .prepare = actfn_run<false>};
}

Impl reference_impl() {
  // The reference has no threads: it only runs the one-thread cases.
  auto threads = std::make_shared<unsigned>(1);
  return {.name = "reference",
          .version = "scalar",
          .peer = false,
          .set_threads = [threads](unsigned n) { *threads = n; },
          .prepare = [threads](const Case& c, const Data& d) { return *threads == 1 ? actfn_run<true>(c, d) : Run{}; }};
}

Impl roofline_impl() {
  // The same memory traffic as the case with no arithmetic: forward reads x and writes y (memcpy);
  // backward reads two arrays and writes one (2-in-1-out); a training step does both. Vector-wise
  // rows count as n elements throughout (for the GLU family and maxout, whose outputs are
  // smaller, a slightly stricter roofline than their own traffic).
  auto threads = std::make_shared<unsigned>(1);
  return {.name = "memcpy",
          .version = "roofline",
          .peer = false,
          .set_threads = [threads](unsigned n) { *threads = n; },
          .prepare = [threads](const Case& c, const Data& d) -> Run {
            const unsigned t = *threads;
            if (c.row != 0) {
              // Whole-size views: the buffers behind d hold n elements each.
              const std::span<const float> dy(d.dy.data(), d.n);
              const std::span<float> out(d.out.data(), d.n);
              if (c.direction == Direction::Forward) return [d, out, t] { copy(d.x, out, t); };
              return [d, dy, t] { add(d.x, dy, d.dx, t); };
            }
            switch (c.direction) {
              case Direction::Forward: return [d, t] { copy(d.x, d.out, t); };
              case Direction::BackwardX:
              case Direction::BackwardY: return [d, t] { add(d.x, d.dy, d.dx, t); };
              case Direction::ForwardBackward:
                return [d, t] {
                  copy(d.x, d.out, t);
                  add(d.x, d.dy, d.dx, t);
                };
            }
            return {};
          }};
}

}  // namespace actfn::bench
