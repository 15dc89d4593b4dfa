// Shared helpers for the unit tests: registry loops, scalar wrappers, finite differences, ULPs.
//
// Expected values in the tests come from mathematics and documented conventions (PyTorch's
// derivative choices at kinks, literature constants), never from running the code under test.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "actfn/actfn.hpp"
#include "functions/all.hpp"

namespace actfn {
// Readable parameter values in gtest output and in the CTest names gtest_discover_tests builds.
inline void PrintTo(Kind k, std::ostream* os) { *os << info(k).name; }
inline void PrintTo(Smoothness s, std::ostream* os) { *os << to_string(s); }
}  // namespace actfn

namespace actfn_test {

using actfn::Activation;
using actfn::Kind;

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline std::vector<Kind> kinds(bool vector_wise) {
  std::vector<Kind> out;
  for (const actfn::FunctionInfo& fi : actfn::all())
    if (fi.vector_wise == vector_wise) out.push_back(fi.kind);
  return out;
}
inline std::vector<Kind> element_wise_kinds() { return kinds(false); }
inline std::vector<Kind> learnable_kinds() {
  std::vector<Kind> out;
  for (Kind k : kinds(false))
    if (actfn::learnable_count(k) > 0) out.push_back(k);
  return out;
}
inline std::vector<Kind> vector_wise_kinds() { return kinds(true); }

/// gtest parameter names: the activation's registry name.
struct KindName {
  std::string operator()(const testing::TestParamInfo<Kind>& i) const {
    return std::string(actfn::info(i.param).name);
  }
};

// ---- scalar wrappers over the span API ---------------------------------------------------------

template <class T>
T fwd(const Activation& a, T x) {
  T y = 0;
  actfn::reference::forward<T>(a, std::span<const T>(&x, 1), std::span<T>(&y, 1));
  return y;
}
/// f'(x) via backward from x with dy = 1.
template <class T>
T bwd(const Activation& a, T x, T dy = T(1)) {
  T dx = 0;
  actfn::reference::backward<T>(a, actfn::BackwardArgs<T>{.x = std::span<const T>(&x, 1), .dy = std::span<const T>(&dy, 1)},
                     std::span<T>(&dx, 1));
  return dx;
}
/// f'(x) via backward from y with dy = 1.
template <class T>
T bwd_y(const Activation& a, T y, T dy = T(1)) {
  T dx = 0;
  actfn::reference::backward<T>(a, actfn::BackwardArgs<T>{.y = std::span<const T>(&y, 1), .dy = std::span<const T>(&dy, 1)},
                     std::span<T>(&dx, 1));
  return dx;
}
inline double f64(const Activation& a, double x) { return fwd<double>(a, x); }
inline double df64(const Activation& a, double x) { return bwd<double>(a, x); }

inline Activation with(Kind k, std::initializer_list<std::pair<const char*, double>> values) {
  Activation a(k);
  for (const auto& [name, v] : values) a.set_param(name, v);
  a.validate();
  return a;
}

// ---- where f or f' is not smooth ---------------------------------------------------------------

/// Points where f is not C-infinity, for these parameters: those the formula declares plus those
/// known from the mathematics that a formula may not declare (softsign's f'' jumps from +2 to -2 at
/// 0). Finite differences never straddle one of these.
inline std::vector<double> rough_points(const Activation& a) {
  std::vector<double> out;
  actfn::fn::visit(a.kind(), [&]<class F>() {
    if constexpr (actfn::fn::HasKinks<F>) {
      const auto k = F::kinks(a.params());
      out.assign(k.points().begin(), k.points().end());
    }
  });
  if (a.kind() == Kind::Softsign) out.push_back(0.0);
  return out;
}

inline double distance_to(const std::vector<double>& pts, double x) {
  double d = kInf;
  for (double p : pts) d = std::min(d, std::fabs(x - p));
  return d;
}

// ---- activations to test: defaults, hand-picked values, generic perturbations ------------------

/// Non-default, valid parameter values worth testing, by registry name.
inline const std::vector<std::string>& hand_specs() {
  static const std::vector<std::string> specs = {
      "step(value_at_zero=0.25)",
      "hard_sigmoid(preset=keras2)",
      "hard_sigmoid(slope=0.5, offset=0.25)",
      "generalized_sigmoid(alpha=2, beta=0.5, gamma=1.5, epsilon=0.3, delta=-0.2)",
      "generalized_sigmoid(gamma=-0.7)",
      "generalized_sigmoid(gamma=0)",
      "hardtanh(min_val=-2, max_val=3)",
      "shifted_tanh(input_shift=0.5, output_shift=-0.3)",
      "leaky_relu(negative_slope=0.2)",
      "leaky_relu(negative_slope=-0.5)",
      "prelu(weight=-0.3)",
      "prelu(weight=0.1)",
      "rrelu(lower=0.1, upper=0.3)",
      "rrelu(lower=0.2, upper=0.2)",
      "clipped_relu(ceiling=2.5)",
      "relu6",
      "threshold(threshold=0.5, value=-1)",
      "threshold(threshold=-1, value=2)",
      "elu(alpha=2)",
      "elu(alpha=0.5)",
      "elu(alpha=0)",
      "elu(alpha=-0.5)",
      "celu(alpha=0.5)",
      "celu(alpha=3)",
      "swish(beta=1.7)",
      "swish(beta=0)",
      "swish(beta=-0.8)",
      "softplus(beta=2)",
      "softplus(beta=0.3)",
      "squareplus(b=1)",
      "squareplus(b=0.01)",
      "hardshrink(lambd=1)",
      "hardshrink(lambd=0)",
      "softshrink(lambd=0.25)",
      "softshrink(lambd=0)",
  };
  return specs;
}

/// The activation at defaults, at the hand-picked values above, and with each non-structural
/// parameter moved on its own to another valid value (so a new activation is covered too).
inline std::vector<Activation> variants(Kind k) {
  std::vector<Activation> out{Activation(k)};
  const actfn::FunctionInfo& fi = actfn::info(k);
  for (const std::string& s : hand_specs()) {
    Activation a(k);
    try {
      a = actfn::parse(s);
    } catch (const actfn::Error&) {
      continue;  // parser_test reports parse failures
    }
    if (a.kind() == k && std::ranges::find(out, a) == out.end()) out.push_back(a);
  }
  for (std::size_t i = 0; i < fi.params.size(); ++i) {
    const actfn::ParamSpec& p = fi.params[i];
    if (p.integer) continue;
    for (double v : {p.default_value * 1.3 + 0.1, p.default_value * 0.6 - 0.05}) {
      Activation a(k);
      try {
        a.set_param(p.name, v);
        a.validate();
      } catch (const actfn::Error&) {
        continue;
      }
      if (std::ranges::find(out, a) == out.end()) out.push_back(a);
    }
  }
  return out;
}

// ---- finite differences ------------------------------------------------------------------------

/// Richardson-extrapolated central difference: (4 D(h/2) - D(h)) / 3, error O(h^4).
inline double richardson(const std::function<double(double)>& f, double x, double h) {
  const auto central = [&](double s) {
    const double xp = x + s, xm = x - s;
    return (f(xp) - f(xm)) / (xp - xm);
  };
  return (4 * central(h / 2) - central(h)) / 3;
}

// ---- ULPs --------------------------------------------------------------------------------------

/// Distance in units in the last place between two floats of the same type (0 for NaN/NaN).
template <class T>
std::uint64_t ulp_distance(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : UINT64_MAX;
  if (a == b) return 0;
  if (a == 0) a = T(0);  // one zero: +0 and -0 are the same value
  if (b == 0) b = T(0);
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  // Map the bit patterns onto an unsigned scale that is monotone in the value.
  const auto key = [](T v) -> U {
    const U u = std::bit_cast<U>(v);
    const U sign = U(1) << (sizeof(U) * 8 - 1);
    return (u & sign) ? static_cast<U>(~u) : static_cast<U>(u | sign);
  };
  const U ka = key(a), kb = key(b);
  std::uint64_t d = ka > kb ? ka - kb : kb - ka;
  // -0 has its own slot on this scale; a distance across zero skips it.
  if ((a < 0) != (b < 0)) d -= 1;
  return d;
}

/// A copy of `a` whose parameter values are rounded to float: what the float path computes with.
inline Activation float_params(const Activation& a) {
  Activation out = a;
  for (std::size_t i = 0; i < a.info().params.size(); ++i)
    out.set_param(a.info().params[i].name, static_cast<double>(static_cast<float>(a.params()[i])));
  out.validate();
  return out;
}

}  // namespace actfn_test
