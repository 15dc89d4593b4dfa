// Every formula struct, and `visit`: the one place a Kind becomes a formula type. Dispatch happens
// here once per call; the loops that follow are over a known type, with no switch per element.
#pragma once

#include <utility>

#include "exponential_family.hpp"
#include "gate_family.hpp"
#include "rectifier_family.hpp"
#include "shrink_family.hpp"
#include "sigmoid_family.hpp"
#include "tanh_family.hpp"
#include "vector_wise.hpp"

namespace actfn::fn {

/// Calls fn.template operator()<F>() with the formula struct of `kind`.
template <class Fn>
decltype(auto) visit(Kind kind, Fn&& fn) {
  switch (kind) {
#define ACTFN_VISIT_ROW(name) \
  case Kind::name:            \
    return std::forward<Fn>(fn).template operator()<name>();
    ACTFN_KINDS(ACTFN_VISIT_ROW)
#undef ACTFN_VISIT_ROW
    case Kind::Count:
      break;
  }
  throw Error("actfn: invalid activation kind " + std::to_string(static_cast<int>(kind)));
}

}  // namespace actfn::fn
