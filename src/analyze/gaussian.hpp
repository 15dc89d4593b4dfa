// Expectations of functions of an activation under a Gaussian input, by adaptive Gauss–Kronrod
// quadrature split at the activation's kinks. Internal to actfn_analyze.
#pragma once

#include <functional>
#include <vector>

#include "actfn/activation.hpp"

namespace actfn::analyze::detail {

/// What is integrated at one node: z the standard normal variable, x = m + s z the input, f and df
/// the (scaled) activation and its derivative at x.
using Integrand = std::function<double(double z, double f, double df)>;

/// E[g(z, c f(x), c f'(x))] for x = m + s z, z ~ N(0, 1), with f the reference f64 activation
/// scaled by c. The kinks are computed once (actfn::properties) at construction.
class GaussianExpectation {
 public:
  explicit GaussianExpectation(const Activation& act, double scale = 1);
  /// s ≥ 0; s = 0 gives g at x = m. Absolute error ≤ 1e-12 · E[|g|] (see analyze.hpp).
  [[nodiscard]] double operator()(double m, double s, const Integrand& g) const;

 private:
  Activation act_;
  double scale_;
  std::vector<double> kinks_;  // in x, sorted
};

}  // namespace actfn::analyze::detail
