// SELU's mean/variance map (Klambauer et al. 2017, section "Deriving the mapping function"), by
// quadrature of SELU_{α,λ} = λ·elu_α from the registry.
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>

#include "actfn/analyze.hpp"
#include "actfn/error.hpp"
#include "actfn/reference.hpp"
#include "gaussian.hpp"

namespace actfn::analyze {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw Error("analyze selu: " + what);
}

Activation elu(double alpha) {
  Activation a = parse("elu");
  a.set_param("alpha", alpha);
  return a;
}

/// The input z ~ N(m, s²) of a unit: m = μω, s = √(ντ).
struct Input {
  double m, s;
};
Input unit_input(MeanVar in, double omega, double tau) {
  require(std::isfinite(in.mean) && std::isfinite(omega) && std::isfinite(tau), "mean, omega and tau must be finite");
  require(in.var > 0 && tau > 0 && std::isfinite(in.var * tau), "var and tau must be > 0 and finite");
  return {in.mean * omega, std::sqrt(in.var * tau)};
}

detail::GaussianExpectation selu_expectation(SeluConstants c) {
  require(c.alpha > 0 && c.lambda > 0 && std::isfinite(c.alpha) && std::isfinite(c.lambda),
          "alpha and lambda must be > 0 and finite");
  return detail::GaussianExpectation(elu(c.alpha), c.lambda);
}

MeanVar map_with(const detail::GaussianExpectation& e, Input x) {
  const double mean = e(x.m, x.s, [](double, double f, double) { return f; });
  const double second = e(x.m, x.s, [](double, double f, double) { return f * f; });
  return {mean, second - mean * mean};
}

}  // namespace

SeluConstants selu_defaults() {
  const Activation selu = parse("selu");
  const double xs[2] = {1.0, -std::numeric_limits<double>::infinity()};
  const double ones[2] = {1.0, 1.0};
  double ys[2], slopes[2];
  reference::forward<double>(selu, xs, ys);
  reference::backward<double>(selu, {.x = xs, .dy = ones}, slopes);
  const double lambda = slopes[0];  // f'(x) = λ for x > 0
  return {.alpha = -ys[1] / lambda, .lambda = lambda};  // f(-inf) = -λα
}

MeanVar selu_map(SeluConstants c, MeanVar in, double omega, double tau) {
  return map_with(selu_expectation(c), unit_input(in, omega, tau));
}

SeluJacobian selu_jacobian(SeluConstants c, MeanVar at, double omega, double tau) {
  const detail::GaussianExpectation e = selu_expectation(c);
  const Input x = unit_input(at, omega, tau);
  // μ̃ = E[f], ξ̃ = E[f²], ν̃ = ξ̃ - μ̃². With m = μω and s = √(ντ): ∂m/∂μ = ω, ∂s/∂ν = τ / (2s), and
  // ∂E[h]/∂m = E[h'], ∂E[h]/∂s = E[h' z] (Stein) for h = f and h = f², h' = f' and 2 f f'.
  const double mean = e(x.m, x.s, [](double, double f, double) { return f; });
  const double dmean_dm = e(x.m, x.s, [](double, double, double df) { return df; });
  const double dmean_ds = e(x.m, x.s, [](double z, double, double df) { return df * z; });
  const double dsecond_dm = e(x.m, x.s, [](double, double f, double df) { return 2 * f * df; });
  const double dsecond_ds = e(x.m, x.s, [](double z, double f, double df) { return 2 * f * df * z; });
  const double ds_dnu = tau / (2 * x.s);
  SeluJacobian out;
  out.j[0] = {omega * dmean_dm, ds_dnu * dmean_ds};
  out.j[1] = {omega * (dsecond_dm - 2 * mean * dmean_dm), ds_dnu * (dsecond_ds - 2 * mean * dmean_ds)};
  // Largest singular value of a 2×2 matrix: √ of the largest eigenvalue of JᵀJ, whose trace is the
  // squared Frobenius norm t and determinant det(J)².
  const auto& j = out.j;
  const double t = j[0][0] * j[0][0] + j[0][1] * j[0][1] + j[1][0] * j[1][0] + j[1][1] * j[1][1];
  const double det = j[0][0] * j[1][1] - j[0][1] * j[1][0];
  out.spectral_norm = std::sqrt((t + std::sqrt(std::max(0.0, t * t - 4 * det * det))) / 2);
  return out;
}

MeanVar selu_fixed_point(SeluConstants c, double omega, double tau, MeanVar start) {
  const detail::GaussianExpectation e = selu_expectation(c);
  MeanVar p = start;
  for (int i = 0; i < 10000; ++i) {
    const MeanVar next = map_with(e, unit_input(p, omega, tau));
    require(next.var > 0 && next.var < 1e6, "the map left 0 < var < 1e6: no fixed point reached from (" +
                                                std::to_string(start.mean) + ", " + std::to_string(start.var) + ")");
    const double step = std::fabs(next.mean - p.mean) + std::fabs(next.var - p.var);
    p = next;
    if (step < 1e-14) return p;
  }
  throw Error("analyze selu: the map did not settle within 10000 steps");
}

SeluConstants selu_constants_for(MeanVar target, double omega, double tau) {
  const Input x = unit_input(target, omega, tau);
  const detail::GaussianExpectation relu(parse("relu")), elu1(elu(1));
  const auto first = [&](const detail::GaussianExpectation& e) {
    return e(x.m, x.s, [](double, double f, double) { return f; });
  };
  const auto second = [&](const detail::GaussianExpectation& e) {
    return e(x.m, x.s, [](double, double f, double) { return f * f; });
  };
  // relu and elu_1 - relu = min(e^z - 1, 0) have disjoint supports, so E[f] = λ(A + αB) and
  // E[f²] = λ²(C + α²E) with no cross term.
  const double a = first(relu), b = first(elu1) - a;
  const double c = second(relu), e = second(elu1) - c;
  const double mu = target.mean, nu = target.var;
  SeluConstants out{};
  if (mu == 0) {
    out.alpha = -a / b;
    out.lambda = std::sqrt(nu / (c + out.alpha * out.alpha * e));
  } else {
    // (A + αB)² / (C + α²E) = μ² / (ν + μ²) =: r, i.e. (B² - rE) α² + 2AB α + (A² - rC) = 0; the root
    // must give A + αB of μ's sign, and then λ = μ / (A + αB).
    const double r = mu * mu / (nu + mu * mu);
    const double qa = b * b - r * e, qb = 2 * a * b, qc = a * a - r * c;
    const double disc = qb * qb - 4 * qa * qc;
    require(disc >= 0, "no alpha, lambda give the fixed point (" + std::to_string(mu) + ", " + std::to_string(nu) + ")");
    for (const double sign : {-1.0, 1.0}) {
      const double alpha = qa != 0 ? (-qb + sign * std::sqrt(disc)) / (2 * qa) : -qc / qb;
      const double lambda = mu / (a + alpha * b);
      if (alpha > 0 && lambda > 0 && std::isfinite(lambda) && (out.alpha == 0 || alpha < out.alpha))
        out = {alpha, lambda};
    }
  }
  require(out.alpha > 0 && out.lambda > 0 && std::isfinite(out.alpha) && std::isfinite(out.lambda),
          "no positive alpha, lambda give the fixed point (" + std::to_string(mu) + ", " + std::to_string(nu) + ")");
  return out;
}

}  // namespace actfn::analyze
