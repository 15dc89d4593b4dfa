// Moments under a Gaussian input, the initialisation gain and the mean-field variance map.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "actfn/analyze.hpp"
#include "actfn/error.hpp"
#include "gaussian.hpp"

namespace actfn::analyze {
namespace {

void require_element_wise(const Activation& act) {
  act.validate();
  if (act.info().vector_wise)
    throw Error("analyze: " + std::string(act.name()) + " is vector-wise; moments need an element-wise activation");
}

void require(bool ok, const std::string& what) {
  if (!ok) throw Error("analyze: " + what);
}

/// |V(q) - q| below this times q is within the quadrature's error: q counts as a fixed point.
constexpr double kNoise = 1e-12;

/// E[f(√q z)²] for z ~ N(0, 1).
double second_moment(const detail::GaussianExpectation& e, double q) {
  return e(0, std::sqrt(q), [](double, double f, double) { return f * f; });
}

}  // namespace

std::string_view to_string(Phase p) {
  switch (p) {
    case Phase::Ordered: return "ordered";
    case Phase::Edge: return "edge";
    case Phase::Chaotic: return "chaotic";
    case Phase::Diverges: return "diverges";
  }
  return "?";
}

GaussianMoments gaussian_moments(const Activation& act, double q) {
  require_element_wise(act);
  require(std::isfinite(q) && q >= 0, "the input variance q must be finite and >= 0, not " + std::to_string(q));
  const detail::GaussianExpectation e(act);
  const double s = std::sqrt(q);
  return {.q = q,
          .mean = e(0, s, [](double, double f, double) { return f; }),
          .second = e(0, s, [](double, double f, double) { return f * f; }),
          .slope_mean = e(0, s, [](double, double, double df) { return df; }),
          .slope_second = e(0, s, [](double, double, double df) { return df * df; })};
}

double init_gain(const Activation& act) {
  require_element_wise(act);
  const double second = second_moment(detail::GaussianExpectation(act), 1);
  require(second > 0, std::string(act.name()) + " has E[f(z)^2] = 0: no gain preserves the second moment");
  return 1 / second;
}

double variance_map(const Activation& act, double q, double sigma_w, double sigma_b) {
  require_element_wise(act);
  require(std::isfinite(q) && q >= 0, "the input variance q must be finite and >= 0");
  require(std::isfinite(sigma_w) && sigma_w >= 0 && std::isfinite(sigma_b) && sigma_b >= 0,
          "sigma_w and sigma_b must be finite and >= 0");
  return sigma_w * sigma_w * second_moment(detail::GaussianExpectation(act), q) + sigma_b * sigma_b;
}

FixedPoint variance_fixed_point(const Activation& act, double sigma_w, double sigma_b, double q0) {
  require_element_wise(act);
  require(std::isfinite(sigma_w) && sigma_w >= 0 && std::isfinite(sigma_b) && sigma_b >= 0,
          "sigma_w and sigma_b must be finite and >= 0");
  require(std::isfinite(q0) && q0 > 0, "the starting variance q0 must be finite and > 0");
  const detail::GaussianExpectation e(act);
  const double w2 = sigma_w * sigma_w, b2 = sigma_b * sigma_b;
  const auto excess = [&](double q) { return w2 * second_moment(e, q) + b2 - q; };  // V(q) - q

  double q_star = q0;
  const double h0 = excess(q0);
  if (std::fabs(h0) > kNoise * q0) {
    // Bracket the first sign change of V(q) - q in the direction the iteration moves, then bisect.
    const bool up = h0 > 0;
    double near = q0, far = q0;
    bool bracketed = false;
    for (int i = 0; i < 200 && !bracketed; ++i) {
      near = far;
      far = up ? far * 2 : far / 2;
      if (up ? far > 1e15 : far < 1e-30) break;
      // A sign change only counts beyond the quadrature's noise (~1e-13 q): below q ~ 1e-12 an
      // algebraic approach to 0 (tanh at σ_w = 1: V(q) - q ≈ -2q²) is indistinguishable from a root.
      const double h = excess(far);
      bracketed = up ? h < -kNoise * far : h > kNoise * far;
    }
    if (!bracketed) {
      q_star = up ? std::numeric_limits<double>::infinity() : 0;
    } else {
      // excess(near) has the sign of h0, excess(far) the other (or is 0).
      while (std::fabs(far - near) > 1e-14 * std::max(far, near)) {
        const double mid = (near + far) / 2;
        ((excess(mid) > 0) == up ? near : far) = mid;
      }
      q_star = (near + far) / 2;
    }
  }
  if (std::isinf(q_star)) return {.q_star = q_star, .chi = std::numeric_limits<double>::quiet_NaN(), .phase = Phase::Diverges};
  const double chi = w2 * e(0, std::sqrt(q_star), [](double, double, double df) { return df * df; });
  const Phase phase = std::fabs(chi - 1) <= 1e-9 ? Phase::Edge : chi < 1 ? Phase::Ordered : Phase::Chaotic;
  return {.q_star = q_star, .chi = chi, .phase = phase};
}

}  // namespace actfn::analyze
