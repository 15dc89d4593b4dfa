// Gaussian moments, init gain and the variance map against closed forms, and for every activation
// against an independent integration (composite Simpson split at the kinks).
#include <algorithm>
#include <cmath>
#include <vector>
#include <numbers>

#include "actfn/analyze.hpp"
#include "test_support.hpp"

namespace {

using actfn::parse;
using actfn::analyze::gaussian_moments;
using actfn::analyze::init_gain;
using actfn::analyze::Phase;
using actfn::analyze::variance_fixed_point;
using actfn::analyze::variance_map;
using actfn_test::Kind;

constexpr double kPi = std::numbers::pi;
constexpr double kTol = 1e-12;

double phi_cdf(double x) { return std::erfc(-x / std::numbers::sqrt2) / 2; }

TEST(Moments, ReluClosedForms) {
  for (double q : {0.25, 1.0, 3.7, 100.0}) {
    const auto m = gaussian_moments(parse("relu"), q);
    EXPECT_NEAR(m.second, q / 2, kTol * q) << q;                       // half of E[x²]
    EXPECT_NEAR(m.mean, std::sqrt(q / (2 * kPi)), kTol * std::sqrt(q)) << q;  // E[x⁺] = σ φ(0)
    EXPECT_NEAR(m.slope_mean, 0.5, kTol) << q;                         // P(x > 0)
    EXPECT_NEAR(m.slope_second, 0.5, kTol) << q;
  }
  EXPECT_NEAR(init_gain(parse("relu")), 2.0, 2 * kTol);  // He et al. 2015
}

TEST(Moments, LeakyReluGain) {
  // E[f²] = (1 + a²)/2 for z ~ N(0, 1): each half-line carries half the variance.
  for (double a : {0.01, 0.2, 0.5, 3.0}) {
    actfn::Activation act = parse("leaky_relu");
    act.set_param("negative_slope", a);
    EXPECT_NEAR(init_gain(act), 2 / (1 + a * a), kTol) << a;
  }
}

TEST(Moments, IdentityAndSymmetry) {
  for (double q : {0.5, 2.0}) {
    const auto id = gaussian_moments(parse("identity"), q);
    EXPECT_NEAR(id.second, q, kTol * q);
    EXPECT_NEAR(id.mean, 0, kTol);
    EXPECT_NEAR(id.slope_mean, 1, kTol);
    EXPECT_NEAR(gaussian_moments(parse("tanh"), q).mean, 0, 1e-15);     // odd f, even density
    EXPECT_NEAR(gaussian_moments(parse("sigmoid"), q).mean, 0.5, 1e-14);  // σ(x) - 1/2 is odd
  }
  EXPECT_NEAR(gaussian_moments(parse("step")).mean, 0.5, kTol);  // P(x > 0), across the jump
}

TEST(Moments, GeluMeanByStein) {
  // E[x Φ(x)] = q E[φ(x)] (Stein's lemma) = q / √(2π(1 + q)) for x ~ N(0, q).
  for (double q : {0.3, 1.0, 5.0})
    EXPECT_NEAR(gaussian_moments(parse("gelu"), q).mean, q / std::sqrt(2 * kPi * (1 + q)), kTol) << q;
}

TEST(Moments, EluMeanClosedForm) {
  // E[x⁺] + α E[(e^x - 1) 1{x ≤ 0}] = √(q/2π) + α (e^{q/2} Φ(-√q) - 1/2).
  for (double alpha : {0.5, 1.0, 2.0})
    for (double q : {0.5, 1.0, 4.0}) {
      actfn::Activation act = parse("elu");
      act.set_param("alpha", alpha);
      const double expected = std::sqrt(q / (2 * kPi)) + alpha * (std::exp(q / 2) * phi_cdf(-std::sqrt(q)) - 0.5);
      EXPECT_NEAR(gaussian_moments(act, q).mean, expected, kTol) << alpha << " " << q;
    }
}

TEST(Moments, HardtanhSlopeIsTheProbabilityOfTheLinearPart) {
  for (double q : {0.5, 1.0, 9.0})
    EXPECT_NEAR(gaussian_moments(parse("hardtanh"), q).slope_mean, std::erf(1 / std::sqrt(2 * q)), kTol) << q;
}

TEST(Moments, ZeroVarianceIsThePointZero) {
  const auto m = gaussian_moments(parse("sigmoid"), 0);
  EXPECT_EQ(m.mean, 0.5);
  EXPECT_EQ(m.slope_mean, 0.25);
}

/// The four moments by composite Simpson's rule in long double, 2^14 panels on each piece of
/// [-40, 40] between the kinks (in z = x/√q): O(h⁴) on each smooth piece, ~1e-13 here.
actfn::analyze::GaussianMoments simpson(const actfn::Activation& act, double q) {
  const double s = std::sqrt(q);
  std::vector<double> breaks{-40};
  for (const actfn::Kink& k : actfn::properties(act).kinks)
    if (std::fabs(k.x / s) < 40) breaks.push_back(k.x / s);
  breaks.push_back(40);
  std::ranges::sort(breaks);
  constexpr int kPanels = 1 << 14;
  std::vector<double> z, weight;
  for (std::size_t p = 0; p + 1 < breaks.size(); ++p) {
    const long double a = breaks[p], h = (breaks[p + 1] - a) / kPanels;
    for (int i = 0; i <= kPanels; ++i) {
      // Nodes just inside the ends: the pieces are smooth on the open interval, and a kink's own
      // derivative convention is not the one-sided limit.
      const long double zi = i == 0 ? std::nextafter(double(a), 40.0)
                             : i == kPanels ? std::nextafter(breaks[p + 1], -40.0)
                                            : a + i * h;
      const int w = (i == 0 || i == kPanels) ? 1 : i % 2 == 1 ? 4 : 2;
      z.push_back(static_cast<double>(zi));
      weight.push_back(static_cast<double>(w * h / 3 * std::exp(-zi * zi / 2) / std::sqrt(2 * std::numbers::pi_v<long double>)));
    }
  }
  std::vector<double> x(z.size()), f(z.size()), df(z.size()), ones(z.size(), 1.0);
  for (std::size_t i = 0; i < z.size(); ++i) x[i] = s * z[i];
  actfn::reference::forward<double>(act, x, f);
  actfn::reference::backward<double>(act, {.x = x, .dy = ones}, df);
  long double m1 = 0, m2 = 0, d1 = 0, d2 = 0;
  for (std::size_t i = 0; i < z.size(); ++i) {
    m1 += weight[i] * static_cast<long double>(f[i]);
    m2 += weight[i] * static_cast<long double>(f[i]) * f[i];
    d1 += weight[i] * static_cast<long double>(df[i]);
    d2 += weight[i] * static_cast<long double>(df[i]) * df[i];
  }
  return {q, double(m1), double(m2), double(d1), double(d2)};
}

class EveryActivation : public testing::TestWithParam<Kind> {};

TEST_P(EveryActivation, AgreesWithPiecewiseSimpson) {
  const actfn::Activation act(GetParam());
  for (double q : {0.5, 2.0}) {
    const auto got = gaussian_moments(act, q), want = simpson(act, q);
    const double scale = 1 + std::fabs(want.second);  // E[|f|] ≤ √E[f²]
    EXPECT_NEAR(got.mean, want.mean, 1e-10 * scale) << q;
    EXPECT_NEAR(got.second, want.second, 1e-10 * scale) << q;
    EXPECT_NEAR(got.slope_mean, want.slope_mean, 1e-10 * (1 + want.slope_second)) << q;
    EXPECT_NEAR(got.slope_second, want.slope_second, 1e-10 * (1 + want.slope_second)) << q;
  }
}
INSTANTIATE_TEST_SUITE_P(ElementWise, EveryActivation, testing::ValuesIn(actfn_test::element_wise_kinds()),
                         actfn_test::KindName{});

TEST(VarianceMap, ReluWithHeInitIsAtTheEdgeOfChaos) {
  const auto fp = variance_fixed_point(parse("relu"), std::sqrt(2.0), 0);
  EXPECT_NEAR(fp.q_star, 1, 1e-12);
  EXPECT_NEAR(fp.chi, 1, 1e-11);  // 2 · P(x > 0)
  EXPECT_EQ(fp.phase, Phase::Edge);
}

TEST(VarianceMap, ReluWithBias) {
  // V(q) = q/2 + 1 has q* = 2; χ = 1 · 1/2.
  const auto fp = variance_fixed_point(parse("relu"), 1, 1);
  EXPECT_NEAR(fp.q_star, 2, 1e-12);
  EXPECT_NEAR(fp.chi, 0.5, 1e-12);
  EXPECT_EQ(fp.phase, Phase::Ordered);
  EXPECT_NEAR(variance_map(parse("relu"), 3, 1, 1), 2.5, 1e-12);
}

TEST(VarianceMap, TanhPhases) {
  // σ_w = 1, σ_b = 0: E[tanh²(√q z)] < q, so q → 0, where χ = tanh'(0)² = 1 (the edge).
  const auto edge = variance_fixed_point(parse("tanh"), 1, 0);
  EXPECT_EQ(edge.q_star, 0);
  EXPECT_NEAR(edge.chi, 1, 1e-12);
  EXPECT_EQ(edge.phase, Phase::Edge);
  // σ_w = 2: a non-zero fixed point with χ > 1.
  const auto chaos = variance_fixed_point(parse("tanh"), 2, 0);
  EXPECT_GT(chaos.q_star, 0.5);
  EXPECT_NEAR(variance_map(parse("tanh"), chaos.q_star, 2, 0), chaos.q_star, 1e-12 * chaos.q_star);
  EXPECT_GT(chaos.chi, 1);
  EXPECT_EQ(chaos.phase, Phase::Chaotic);
  // σ_w = 0.5, σ_b = 0.3: fixed point V(q) = q, ordered.
  const auto ordered = variance_fixed_point(parse("tanh"), 0.5, 0.3);
  EXPECT_NEAR(variance_map(parse("tanh"), ordered.q_star, 0.5, 0.3), ordered.q_star, 1e-12);
  EXPECT_EQ(ordered.phase, Phase::Ordered);
}

TEST(VarianceMap, GrowthWithoutBoundDiverges) {
  // relu_squared: V(q) = E[(x⁺)⁴] = 3q²/2 > q from q = 1 on.
  EXPECT_EQ(variance_fixed_point(parse("relu_squared"), 1, 0).phase, Phase::Diverges);
}

TEST(Moments, RejectsWhatHasNoMoments) {
  EXPECT_THROW(gaussian_moments(parse("softmax")), actfn::Error);
  EXPECT_THROW(gaussian_moments(parse("relu"), -1), actfn::Error);
  EXPECT_THROW(gaussian_moments(parse("relu"), INFINITY), actfn::Error);
  EXPECT_THROW(variance_fixed_point(parse("relu"), -1, 0), actfn::Error);
}

}  // namespace
