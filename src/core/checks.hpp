// Argument checks shared by every span entry point (the reference for float and double, the
// kernels layer for bf16 and f16): one wording of each error, whatever the element type.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "actfn/activation.hpp"
#include "actfn/error.hpp"
#include "actfn/types.hpp"

namespace actfn::checks {

/// Whether two spans share bytes without starting at the same place (exact aliasing is allowed).
template <class A, class B>
bool partially_overlap(std::span<A> a, std::span<B> b) {
  const auto* a0 = reinterpret_cast<const char*>(a.data());
  const auto* b0 = reinterpret_cast<const char*>(b.data());
  const auto* a1 = a0 + a.size_bytes();
  const auto* b1 = b0 + b.size_bytes();
  return a0 < b1 && b0 < a1 && a0 != b0;
}

/// Same sizes and no partial overlap of an input and an output.
template <class A, class B>
void pair(const Activation& act, std::string_view what, std::span<A> in, std::span<B> out, std::string_view in_name,
          std::string_view out_name) {
  if (in.size() != out.size())
    throw Error(std::string(act.name()) + " " + std::string(what) + ": " + std::string(out_name) + " has " +
                std::to_string(out.size()) + " elements, " + std::string(in_name) + " has " +
                std::to_string(in.size()));
  if (partially_overlap(in, out))
    throw Error(std::string(act.name()) + " " + std::string(what) + ": " + std::string(out_name) +
                " partially overlaps " + std::string(in_name) + " (only exact aliasing is allowed)");
}

/// The call's shape (with or without an Axis) fits the activation; its parameters are valid.
inline void shape(const Activation& act, bool vector_call) {
  if (act.info().vector_wise && !vector_call)
    throw Error(std::string(act.name()) + " is vector-wise: call it with an Axis layout");
  if (!act.info().vector_wise && vector_call)
    throw Error(std::string(act.name()) + " is element-wise: call it without an Axis layout");
  act.validate();
}

/// Backward's inputs: what the activation needs (x, or y where allowed), matching sizes, no
/// partial overlap of dx with an input.
template <class T, class D>
void backward_args(const Activation& act, const BackwardArgs<T>& a, std::span<D> dx, bool want_dparams) {
  const FunctionInfo& fi = act.info();
  // An empty call is a no-op: zero-length x and y cannot be told from absent ones.
  if (a.x.empty() && a.y.empty() && a.dy.empty() && dx.empty()) return;
  if (a.x.empty() && a.y.empty())
    throw Error(std::string(fi.name) + " backward: needs x" + (act.backward_from_y() ? " or y" : ""));
  if (a.x.empty() && !act.backward_from_y())
    throw Error(std::string(fi.name) + " backward: needs x (" +
                (fi.backward_needs == Needs::X ? std::string("its output does not determine the gradient")
                                               : "not from y with these parameters: " + act.spec()) +
                ")");
  if (want_dparams && a.x.empty()) throw Error(std::string(fi.name) + " backward: parameter gradients need x");
  const auto in = a.x.empty() ? a.y : a.x;
  pair(act, "backward", in, a.dy, a.x.empty() ? "y" : "x", "dy");
  pair(act, "backward", a.dy, dx, "dy", "dx");
  if (!a.x.empty() && !a.y.empty() && a.y.size() != a.x.size())
    throw Error(std::string(fi.name) + " backward: y and x differ in size");
  if (!dx.empty() && partially_overlap(in, dx))
    throw Error(std::string(fi.name) + " backward: dx partially overlaps the input");
}

}  // namespace actfn::checks
