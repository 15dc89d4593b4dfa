// SELU's mean/variance map by quadrature against the paper's closed form (Klambauer et al. 2017,
// eqs. 4-5 and appendix A3), its fixed point, Jacobian and the constants for another fixed point.
#include <cmath>
#include <numbers>

#include "actfn/analyze.hpp"
#include "test_support.hpp"

namespace {

using actfn::analyze::MeanVar;
using actfn::analyze::SeluConstants;
namespace an = actfn::analyze;

// The paper's α01 and λ01 (section "Self-normalizing neural networks", eq. 14).
constexpr double kAlpha01 = 1.6732632423543772848170429916717;
constexpr double kLambda01 = 1.0507009873554804934193349852946;

/// The closed form: with m = μω, s² = ντ and erfc arguments scaled by 1/(√2 s),
///   μ̃ = λ/2 [ m erf(m/√2s) + α e^{m + s²/2} erfc((m + s²)/√2s) - α erfc(m/√2s) + √(2/π) s e^{-m²/2s²} + m ]
///   ξ̃ = λ²/2 [ (m² + s²)(2 - erfc(m/√2s)) + α² (-2 e^{m + s²/2} erfc((m + s²)/√2s)
///             + e^{2(m + s²)} erfc((m + 2s²)/√2s) + erfc(m/√2s)) + √(2/π) m s e^{-m²/2s²} ]
///   ν̃ = ξ̃ - μ̃².
MeanVar paper_map(SeluConstants c, MeanVar in, double omega, double tau) {
  const double m = in.mean * omega, s2 = in.var * tau, s = std::sqrt(s2), r = std::numbers::sqrt2 * s;
  const double a = c.alpha, l = c.lambda;
  const double gauss = std::sqrt(2 / std::numbers::pi) * std::exp(-m * m / (2 * s2));
  const double mean = l / 2 *
                      (m * std::erf(m / r) + a * std::exp(m + s2 / 2) * std::erfc((m + s2) / r) - a * std::erfc(m / r) +
                       gauss * s + m);
  const double second =
      l * l / 2 *
      ((m * m + s2) * (2 - std::erfc(m / r)) +
       a * a * (-2 * std::exp(m + s2 / 2) * std::erfc((m + s2) / r) + std::exp(2 * (m + s2)) * std::erfc((m + 2 * s2) / r) +
                std::erfc(m / r)) +
       gauss * m * s);
  return {mean, second - mean * mean};
}

TEST(Selu, DefaultsAreThePapersConstants) {
  const SeluConstants c = an::selu_defaults();
  EXPECT_NEAR(c.alpha, kAlpha01, 4e-16 * kAlpha01);
  EXPECT_NEAR(c.lambda, kLambda01, 4e-16 * kLambda01);
}

TEST(Selu, QuadratureMatchesTheClosedForm) {
  struct Case {
    SeluConstants c;
    MeanVar in;
    double omega, tau;
  };
  const Case cases[] = {{{kAlpha01, kLambda01}, {0, 1}, 0, 1},      {{kAlpha01, kLambda01}, {0.3, 1.4}, 0.2, 0.9},
                        {{kAlpha01, kLambda01}, {-0.5, 0.7}, 1, 1.2}, {{1.2, 1.5}, {0.1, 2.0}, -0.4, 1.1},
                        {{2.5, 0.8}, {1.0, 0.2}, 0.5, 3.0}};
  for (const Case& k : cases) {
    const MeanVar got = an::selu_map(k.c, k.in, k.omega, k.tau), want = paper_map(k.c, k.in, k.omega, k.tau);
    EXPECT_NEAR(got.mean, want.mean, 1e-12) << k.in.mean << " " << k.in.var;
    EXPECT_NEAR(got.var, want.var, 1e-12) << k.in.mean << " " << k.in.var;
  }
}

TEST(Selu, ZeroOneIsTheFixedPoint) {
  const SeluConstants c = an::selu_defaults();
  const MeanVar image = an::selu_map(c, {0, 1});
  EXPECT_NEAR(image.mean, 0, 1e-13);
  EXPECT_NEAR(image.var, 1, 1e-13);
  const MeanVar fixed = an::selu_fixed_point(c, 0, 1, {0.5, 2.0});  // reached from elsewhere too
  EXPECT_NEAR(fixed.mean, 0, 1e-12);
  EXPECT_NEAR(fixed.var, 1, 1e-12);
}

TEST(Selu, JacobianMatchesFiniteDifferencesOfTheClosedForm) {
  const SeluConstants c = an::selu_defaults();
  for (const auto& [at, omega, tau] : {std::tuple{MeanVar{0, 1}, 0.0, 1.0}, std::tuple{MeanVar{0.2, 1.3}, 0.7, 1.1}}) {
    const an::SeluJacobian j = an::selu_jacobian(c, at, omega, tau);
    const double h = 1e-5;
    const MeanVar mp = paper_map(c, {at.mean + h, at.var}, omega, tau), mm = paper_map(c, {at.mean - h, at.var}, omega, tau);
    const MeanVar vp = paper_map(c, {at.mean, at.var + h}, omega, tau), vm = paper_map(c, {at.mean, at.var - h}, omega, tau);
    EXPECT_NEAR(j.j[0][0], (mp.mean - mm.mean) / (2 * h), 1e-8);
    EXPECT_NEAR(j.j[1][0], (mp.var - mm.var) / (2 * h), 1e-8);
    EXPECT_NEAR(j.j[0][1], (vp.mean - vm.mean) / (2 * h), 1e-8);
    EXPECT_NEAR(j.j[1][1], (vp.var - vm.var) / (2 * h), 1e-8);
    // Spectral norm: max |J v| over unit v, by brute force over angles.
    double best = 0;
    for (int k = 0; k < 200000; ++k) {
      const double t = std::numbers::pi * k / 200000, x = std::cos(t), y = std::sin(t);
      best = std::max(best, std::hypot(j.j[0][0] * x + j.j[0][1] * y, j.j[1][0] * x + j.j[1][1] * y));
    }
    EXPECT_NEAR(j.spectral_norm, best, 1e-9);
    EXPECT_LT(j.spectral_norm, 1);
  }
}

TEST(Selu, ConstantsForTheUnitFixedPointAreThePapers) {
  const SeluConstants c = an::selu_constants_for({0, 1});
  EXPECT_NEAR(c.alpha, kAlpha01, 1e-12);
  EXPECT_NEAR(c.lambda, kLambda01, 1e-12);
}

TEST(Selu, ConstantsForAnotherFixedPointReproduceIt) {
  for (const auto& [target, omega, tau] : {std::tuple{MeanVar{0, 2}, 0.0, 1.0}, std::tuple{MeanVar{0.1, 1.5}, 1.0, 1.0},
                                           std::tuple{MeanVar{-0.2, 0.8}, 0.5, 1.0}}) {
    const SeluConstants c = an::selu_constants_for(target, omega, tau);
    const MeanVar image = paper_map(c, target, omega, tau);
    EXPECT_NEAR(image.mean, target.mean, 1e-11) << target.mean << " " << target.var;
    EXPECT_NEAR(image.var, target.var, 1e-11) << target.mean << " " << target.var;
  }
}

TEST(Selu, RejectsBadMoments) {
  const SeluConstants c = an::selu_defaults();
  EXPECT_THROW(an::selu_map(c, {0, 0}), actfn::Error);
  EXPECT_THROW(an::selu_map(c, {0, 1}, 0, -1), actfn::Error);
  EXPECT_THROW(an::selu_map({-1, 1}, {0, 1}), actfn::Error);
  EXPECT_THROW(an::selu_constants_for({0, -2}), actfn::Error);
}

}  // namespace
