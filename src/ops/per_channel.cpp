// Per-channel calls (actfn/ops.hpp: a learned parameter per channel of an [outer, channels, inner]
// layout): PReLU's fused kernels (kernels/channels.cpp) where the table declares them, the
// reference for everything else.
#include <vector>

#include "actfn/reference.hpp"
#include "common.hpp"
#include "parallel.hpp"
#include "simd.hpp"

namespace actfn::ops {
namespace {

/// Channels-first blocks shorter than this (but longer than 1) stay on the reference: a kernel
/// pass per handful of elements would cost more than it saves. inner = 1 (channels last) has its
/// own kernel, along the channels.
constexpr std::size_t kMinPreluBlock = 16;

/// The call shape's predicate: whether the fused kernels take a per-channel call (forward: a.x = x,
/// out = y; backward: out = dx). Anything else, every malformed call included, goes to the
/// reference, which reports the error.
template <class T>
bool kernel_takes(bool backward, const Activation& act, Channels L, std::span<const T> learned, BackwardArgs<T> a,
                  std::span<const T> out, std::span<T> dlearned) {
  const std::size_t n = a.x.size();
  return kernel_ops<T>(act).per_channel == Path::Channels && element_wise_and_valid<T>(act) &&
         learned.size() == L.channels && checks::holds(L.outer, L.channels, L.inner, n) &&
         (L.inner == 1 || L.inner >= kMinPreluBlock) && out.size() == n && disjoint_or_same(a.x, out) &&
         disjoint(learned, out) &&
         (!backward || (a.dy.size() == n && (a.y.empty() || a.y.size() == n) &&
                        (dlearned.empty() || dlearned.size() == L.channels) && disjoint_or_same(a.dy, out) &&
                        disjoint(a.x, std::span<const T>(dlearned)) && disjoint(a.y, std::span<const T>(dlearned)) &&
                        disjoint(a.dy, std::span<const T>(dlearned)) && disjoint(out, std::span<const T>(dlearned)) &&
                        disjoint(learned, std::span<const T>(dlearned))));
}

}  // namespace

/// Each thread's slice sums into its own row of partial sums, added in slice order.
template <class T>
void prelu_backward(Channels L, std::span<const T> learned, std::span<const T> x, std::span<const T> dy,
                    std::span<T> dx, std::span<T> dlearned) {
  const std::size_t C = L.channels;
  std::vector<double> partial(dlearned.empty() ? 0 : max_slices() * C, 0.0);
  const auto sums = [&](std::size_t slice) { return dlearned.empty() ? nullptr : partial.data() + slice * C; };
  if (L.inner == 1)
    parallel_for(L.outer, 1, C, [&](std::size_t slice, std::size_t begin, std::size_t end) {
      kernels::simd_prelu_rows_backward(learned.data(), C, begin, end, x.data(), dy.data(), dx.data(), sums(slice));
    });
  else
    parallel_for(L.outer * C, 1, L.inner, [&](std::size_t slice, std::size_t begin, std::size_t end) {
      kernels::simd_prelu_backward(learned.data(), C, L.inner, begin, end, x.data(), dy.data(), dx.data(),
                                   sums(slice));
    });
  for (std::size_t c = 0; c < dlearned.size(); ++c) {
    double sum = static_cast<double>(dlearned[c]);
    for (std::size_t s = 0; s < max_slices(); ++s) sum += partial[s * C + c];
    dlearned[c] = static_cast<T>(sum);
  }
}
template void prelu_backward<float>(Channels, std::span<const float>, std::span<const float>,
                                    std::span<const float>, std::span<float>, std::span<float>);
template void prelu_backward<double>(Channels, std::span<const double>, std::span<const double>,
                                     std::span<const double>, std::span<double>, std::span<double>);

}  // namespace actfn::ops

namespace actfn {

template <class T>
void forward(const Activation& act, Channels layout, std::span<const T> learned, std::span<const T> x,
             std::span<T> y) {
  if (!ops::kernel_takes<T>(false, act, layout, learned, {.x = x}, y, {}))
    return reference::forward(act, layout, learned, x, y);
  const std::size_t C = layout.channels;
  if (layout.inner == 1)
    ops::parallel_for(layout.outer, 1, C, [&](std::size_t, std::size_t begin, std::size_t end) {
      kernels::simd_prelu_rows_forward(learned.data(), C, begin, end, x.data(), y.data());
    });
  else
    ops::parallel_for(layout.outer * C, 1, layout.inner, [&](std::size_t, std::size_t begin, std::size_t end) {
      kernels::simd_prelu_forward(learned.data(), C, layout.inner, begin, end, x.data(), y.data());
    });
}

template <class T>
void backward(const Activation& act, Channels layout, std::span<const T> learned, BackwardArgs<T> a,
              std::span<T> dx, std::span<T> dlearned) {
  if (ops::kernel_takes<T>(true, act, layout, learned, a, dx, dlearned))
    return ops::prelu_backward(layout, learned, a.x, a.dy, dx, dlearned);
  reference::backward(act, layout, learned, a, dx, dlearned);
}

#define ACTFN_INSTANTIATE(T)                                                                                  \
  template void forward<T>(const Activation&, Channels, std::span<const T>, std::span<const T>, std::span<T>); \
  template void backward<T>(const Activation&, Channels, std::span<const T>, BackwardArgs<T>, std::span<T>,    \
                            std::span<T>);
ACTFN_INSTANTIATE(float)
ACTFN_INSTANTIATE(double)
#undef ACTFN_INSTANTIATE

}  // namespace actfn
