// actfn's public operations: SIMD kernels where an activation has one, the reference otherwise.
// Every argument check stays in the reference: a call the kernels cannot take as it is (bad sizes,
// partial overlap, parameter gradients, vector-wise shapes, no kernel) goes there unchanged and
// gets the same results and the same errors.
#include "actfn/ops.hpp"

#include <algorithm>

#include "actfn/error.hpp"
#include "actfn/reference.hpp"
#include "simd.hpp"

namespace actfn {
namespace {

/// Exact aliasing or no overlap at all; partial overlap is the reference's error to report.
template <class A, class B>
bool disjoint_or_same(std::span<A> a, std::span<B> b) {
  const auto* a0 = reinterpret_cast<const char*>(a.data());
  const auto* b0 = reinterpret_cast<const char*>(b.data());
  return a0 == b0 || a0 + a.size_bytes() <= b0 || b0 + b.size_bytes() <= a0;
}

bool element_wise_and_valid(const Activation& act) {
  if (act.info().vector_wise) return false;
  act.validate();
  return true;
}

}  // namespace

template <class T>
void forward(const Activation& act, std::span<const T> x, std::span<T> y) {
  if (element_wise_and_valid(act) && x.size() == y.size() && disjoint_or_same(x, y) &&
      kernels::simd_forward(act.kind(), act.params().data(), x.data(), y.data(), x.size()))
    return;
  reference::forward(act, x, y);
}

template <class T>
void backward(const Activation& act, BackwardArgs<T> a, std::span<T> dx, std::span<T> dparams) {
  const bool from_y = a.x.empty();
  const std::span<const T> in = from_y ? a.y : a.x;
  const bool plain = element_wise_and_valid(act) && dparams.empty() && !in.empty() &&
                     (!from_y || act.backward_from_y()) && in.size() == a.dy.size() && dx.size() == a.dy.size() &&
                     (a.x.empty() || a.y.empty() || a.x.size() == a.y.size()) && disjoint_or_same(in, dx) &&
                     disjoint_or_same(a.dy, dx);
  if (plain && kernels::simd_backward(act.kind(), from_y, act.params().data(), in.data(), a.dy.data(), dx.data(),
                                      dx.size()))
    return;
  reference::backward(act, a, dx, dparams);
}

// Per-channel parameters, RReLU training noise and vector-wise functions have no kernels yet.
template <class T>
void forward(const Activation& act, Channels layout, std::span<const T> learned, std::span<const T> x,
             std::span<T> y) {
  reference::forward(act, layout, learned, x, y);
}
template <class T>
void backward(const Activation& act, Channels layout, std::span<const T> learned, BackwardArgs<T> args,
              std::span<T> dx, std::span<T> dlearned) {
  reference::backward(act, layout, learned, args, dx, dlearned);
}
template <class T>
void rrelu_train_forward(const Activation& act, std::uint64_t seed, std::uint64_t offset, std::span<const T> x,
                         std::span<T> y) {
  reference::rrelu_train_forward(act, seed, offset, x, y);
}
template <class T>
void rrelu_train_backward(const Activation& act, std::uint64_t seed, std::uint64_t offset, std::span<const T> x,
                          std::span<const T> dy, std::span<T> dx) {
  reference::rrelu_train_backward(act, seed, offset, x, dy, dx);
}
std::size_t output_axis(const Activation& act, std::size_t axis_len) { return reference::output_axis(act, axis_len); }
template <class T>
void forward(const Activation& act, Axis layout, std::span<const T> x, std::span<T> y) {
  reference::forward(act, layout, x, y);
}
template <class T>
void backward(const Activation& act, Axis layout, BackwardArgs<T> args, std::span<T> dx) {
  reference::backward(act, layout, args, dx);
}

template <class T>
bool has_kernel(const Activation& act) {
  return !act.info().vector_wise &&
         kernels::simd_forward(act.kind(), act.params().data(), static_cast<const T*>(nullptr), static_cast<T*>(nullptr), 0);
}

std::vector<std::string> targets() {
  static const std::vector<std::string> all = [] {
    kernels::restrict_targets(0);
    return kernels::compiled_targets();
  }();
  return all;
}

std::string target() { return kernels::dispatched_target(); }

void set_target(std::string_view name) {
  const std::vector<std::string> known = targets();
  if (name == "auto") return kernels::restrict_targets(0);
  if (std::ranges::find(known, name) == known.end()) {
    std::string list;
    for (const std::string& t : known) list += (list.empty() ? "" : ", ") + t;
    throw Error("unknown or unsupported target '" + std::string(name) + "' (this machine: " + list + ", auto)");
  }
  kernels::restrict_targets(kernels::target_bit(name));
}

#define ACTFN_INSTANTIATE(T)                                                                                  \
  template void forward<T>(const Activation&, std::span<const T>, std::span<T>);                              \
  template void backward<T>(const Activation&, BackwardArgs<T>, std::span<T>, std::span<T>);                  \
  template void forward<T>(const Activation&, Channels, std::span<const T>, std::span<const T>, std::span<T>); \
  template void backward<T>(const Activation&, Channels, std::span<const T>, BackwardArgs<T>, std::span<T>,    \
                            std::span<T>);                                                                    \
  template void rrelu_train_forward<T>(const Activation&, std::uint64_t, std::uint64_t, std::span<const T>,    \
                                       std::span<T>);                                                         \
  template void rrelu_train_backward<T>(const Activation&, std::uint64_t, std::uint64_t, std::span<const T>,   \
                                        std::span<const T>, std::span<T>);                                    \
  template void forward<T>(const Activation&, Axis, std::span<const T>, std::span<T>);                        \
  template void backward<T>(const Activation&, Axis, BackwardArgs<T>, std::span<T>);                         \
  template bool has_kernel<T>(const Activation&);
ACTFN_INSTANTIATE(float)
ACTFN_INSTANTIATE(double)
#undef ACTFN_INSTANTIATE

}  // namespace actfn
