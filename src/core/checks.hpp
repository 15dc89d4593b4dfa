// Argument checks shared by every span entry point (the reference for float and double, the
// kernels layer for bf16 and f16): one wording of each error, whatever the element type.
//
// Memory rules, the same for every entry point: an output may be exactly an input of its own shape
// (in place: each element, or row, is read before it is written), never partly overlap one; an
// output of another shape than an input (glu's and maxout's dx against dy), and accumulated
// outputs (parameter gradients), share no byte with any other argument. Empty spans share none.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "actfn/activation.hpp"
#include "actfn/error.hpp"
#include "actfn/types.hpp"

namespace actfn::checks {

/// Whether two spans share a byte.
template <class A, class B>
bool overlap(std::span<A> a, std::span<B> b) {
  if (a.empty() || b.empty()) return false;
  const auto* a0 = reinterpret_cast<const char*>(a.data());
  const auto* b0 = reinterpret_cast<const char*>(b.data());
  return a0 < b0 + b.size_bytes() && b0 < a0 + a.size_bytes();
}

/// Whether two spans share bytes without being the same array (exact aliasing is allowed).
template <class A, class B>
bool partially_overlap(std::span<A> a, std::span<B> b) {
  return overlap(a, b) && (static_cast<const void*>(a.data()) != static_cast<const void*>(b.data()) ||
                           a.size_bytes() != b.size_bytes());
}

/// An output that is its input exactly (in place) or shares no byte with it.
template <class A, class B>
void same_or_apart(const Activation& act, std::string_view what, std::span<A> in, std::span<B> out,
                   std::string_view in_name, std::string_view out_name) {
  if (partially_overlap(in, out))
    throw Error(std::string(act.name()) + " " + std::string(what) + ": " + std::string(out_name) +
                " partially overlaps " + std::string(in_name) + " (only exact aliasing is allowed)");
}

/// Same sizes, and the output is the input exactly or shares no byte with it.
template <class A, class B>
void pair(const Activation& act, std::string_view what, std::span<A> in, std::span<B> out, std::string_view in_name,
          std::string_view out_name) {
  if (in.size() != out.size())
    throw Error(std::string(act.name()) + " " + std::string(what) + ": " + std::string(out_name) + " has " +
                std::to_string(out.size()) + " elements, " + std::string(in_name) + " has " +
                std::to_string(in.size()));
  same_or_apart(act, what, in, out, in_name, out_name);
}

/// An output that shares no byte with another argument (parameter gradients; outputs of another
/// shape than the input).
template <class A, class B>
void apart(const Activation& act, std::string_view what, std::span<A> other, std::span<B> out,
           std::string_view other_name, std::string_view out_name) {
  if (overlap(other, out))
    throw Error(std::string(act.name()) + " " + std::string(what) + ": " + std::string(out_name) + " overlaps " +
                std::string(other_name) + " (it may share no memory with it)");
}

/// a·b·c, or nothing where the product overflows size_t (a layout no array can have).
inline std::optional<std::size_t> product(std::size_t a, std::size_t b, std::size_t c) {
  std::size_t ab = 0, abc = 0;
  if (__builtin_mul_overflow(a, b, &ab) || __builtin_mul_overflow(ab, c, &abc)) return std::nullopt;
  return abc;
}

/// Whether a layout's a·b·c elements are exactly n (false where the product overflows).
inline bool holds(std::size_t a, std::size_t b, std::size_t c, std::size_t n) {
  const std::optional<std::size_t> p = product(a, b, c);
  return p && *p == n;
}

/// The call's shape (with or without an Axis) fits the activation; its parameters are valid in
/// the precision the call uses them in.
inline void shape(const Activation& act, bool vector_call, Precision precision) {
  if (act.info().vector_wise && !vector_call)
    throw Error(std::string(act.name()) + " is vector-wise: call it with an Axis layout");
  if (!act.info().vector_wise && vector_call)
    throw Error(std::string(act.name()) + " is element-wise: call it without an Axis layout");
  act.validate(precision);
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
  same_or_apart(act, "backward", in, dx, a.x.empty() ? "y" : "x", "dx");
}

/// Parameter gradients (accumulated after every input is read and dx is written) share no byte
/// with x, y, dy, dx or the per-channel parameters.
template <class T, class D>
void gradients_apart(const Activation& act, const BackwardArgs<T>& a, std::span<D> dx, std::span<const D> learned,
                     std::span<D> dparams, std::string_view name) {
  apart(act, "backward", a.x, dparams, "x", name);
  apart(act, "backward", a.y, dparams, "y", name);
  apart(act, "backward", a.dy, dparams, "dy", name);
  apart(act, "backward", std::span<const D>(dx), dparams, "dx", name);
  apart(act, "backward", learned, dparams, "learned", name);
}

}  // namespace actfn::checks
