// Random deep MLPs at initialisation (Monte Carlo) against what is known without them: the
// mean-field recursion q_(l+1) = σ_w² E[f(√q_l z)²] (computed by quadrature, a separate code path),
// He's and LeCun's closed forms for ReLU, SELU's fixed point (0, 1), χ for the backward pass, and
// the exact born-dead probability of width-1 ReLU networks.
#include <cmath>
#include <string>

#include "actfn/analyze.hpp"
#include "test_support.hpp"

namespace {

using actfn::parse;
namespace an = actfn::analyze;

an::DepthSignal run(const char* spec, const char* init, std::size_t depth, std::size_t width = 1024,
                    std::size_t batch = 32) {
  an::DepthOptions o;
  o.depth = depth;
  o.width = width;
  o.batch = batch;
  o.init = init;
  return an::signal_propagation(parse(spec), o);
}

TEST(Depth, InitialisationRules) {
  EXPECT_EQ(an::auto_init(parse("selu")), "lecun");
  EXPECT_EQ(an::auto_init(parse("tanh")), "xavier");
  EXPECT_EQ(an::auto_init(parse("sigmoid")), "xavier");
  EXPECT_EQ(an::auto_init(parse("gelu")), "he");
  EXPECT_EQ(an::auto_init(parse("telu")), "he");  // tanh family, but unbounded above: grows like ReLU
  EXPECT_NEAR(an::init_weight_variance(parse("relu"), "he", 100, 100), 2.0, 1e-11);
  EXPECT_NEAR(an::init_weight_variance(parse("leaky_relu(0.5)"), "he", 100, 100), 2 / 1.25, 1e-11);
  EXPECT_DOUBLE_EQ(an::init_weight_variance(parse("relu"), "xavier", 300, 100), 600.0 / 400.0);
  EXPECT_DOUBLE_EQ(an::init_weight_variance(parse("relu"), "lecun", 300, 100), 1.0);
  EXPECT_THROW(an::init_weight_variance(parse("relu"), "orthogonal", 3, 3), actfn::Error);
}

/// The finite-width noise: one layer's empirical second moment deviates from its mean-field value by
/// about √(2/width) relative (4.4% at width 1024), and the deviations compound through depth, so the
/// checks below compare one layer with the next (or average such ratios), never layer 1 with layer L.
double mean_ratio(const an::DepthSignal& s, double an::LayerSignal::*field) {
  const std::size_t n = s.layers.size();
  return std::pow(s.layers[n - 1].*field / s.layers[0].*field, 1.0 / static_cast<double>(n - 1));
}

TEST(Depth, ReluHePreservesAndLecunHalvesTheSecondMoment) {
  // z_1 = W x with E[x²] = 1: Var z_1 = σ_w². Then Var z_(l+1) = σ_w² E[relu(z_l)²] = σ_w² Var z_l / 2.
  const an::DepthSignal he = run("relu", "he", 10);
  EXPECT_DOUBLE_EQ(he.sigma_w2, 2.0);
  EXPECT_NEAR(he.layers[0].z_var, 2.0, 0.2);
  EXPECT_NEAR(mean_ratio(he, &an::LayerSignal::z_var), 1.0, 0.05);
  const an::DepthSignal lecun = run("relu", "lecun", 10);
  EXPECT_NEAR(lecun.layers[0].z_var, 1.0, 0.1);
  EXPECT_NEAR(mean_ratio(lecun, &an::LayerSignal::z_var), 0.5, 0.025);
  // Backward: E[g²] shrinks by χ = σ_w² E[relu'(z)²] = σ_w²/2 per layer going down: 1 under He (the
  // gradient keeps its size), 1/2 under LeCun (rms × √(1/2)); grad_h runs from layer 1 up to 1 at the top.
  EXPECT_NEAR(1 / mean_ratio(he, &an::LayerSignal::grad_h), 1.0, 0.05);
  EXPECT_NEAR(1 / mean_ratio(lecun, &an::LayerSignal::grad_h), std::sqrt(0.5), 0.04);
}

TEST(Depth, MonteCarloFollowsTheMeanFieldRecursion) {
  for (const char* spec : {"tanh", "gelu", "softplus", "elu"}) {
    const an::DepthSignal mc = run(spec, "auto", 8);
    const double sigma_w = std::sqrt(mc.sigma_w2);
    EXPECT_NEAR(mc.layers[0].z_var, mc.sigma_w2, 0.1 * mc.sigma_w2) << spec;  // q_1 = σ_w² E[x²]
    // Layer by layer: q_(l+1) = V(q_l) at the network's own q_l (zero-mean weights: z has mean ≈ 0,
    // so its variance is its second moment). 15% is 3.4 times the one-layer noise.
    for (std::size_t l = 0; l + 1 < mc.layers.size(); ++l) {
      const double q = mc.layers[l].z_var;
      EXPECT_NEAR(mc.layers[l + 1].z_var, an::variance_map(parse(spec), q, sigma_w, 0), 0.15 * q) << spec << " layer " << l + 2;
    }
  }
}

TEST(Depth, SeluStaysAtItsFixedPointAndTanhVanishes) {
  const an::DepthSignal selu = run("selu", "auto", 20);
  EXPECT_EQ(selu.init, "lecun");
  for (const an::LayerSignal& l : selu.layers) {
    EXPECT_NEAR(l.h_mean, 0.0, 0.05);
    EXPECT_NEAR(l.h_var, 1.0, 0.15);  // the map attracts (spectral norm 0.79): per-layer noise does not compound
  }
  const an::DepthSignal tanh = run("tanh", "auto", 20);
  EXPECT_LT(tanh.layers[19].h_var, tanh.layers[0].h_var / 5);   // the forward signal fades
  EXPECT_LT(tanh.layers[0].grad_h, tanh.layers[19].grad_h / 2);  // and so does the gradient, going down
}

TEST(Depth, SameSeedSameNumbers) {
  an::DepthOptions o;
  o.depth = 3;
  o.width = 16;
  o.batch = 8;
  const an::DepthSignal a = an::signal_propagation(parse("mish"), o), b = an::signal_propagation(parse("mish"), o);
  for (std::size_t l = 0; l < 3; ++l) {
    EXPECT_EQ(a.layers[l].z_var, b.layers[l].z_var);
    EXPECT_EQ(a.layers[l].grad_w, b.layers[l].grad_w);
  }
  o.width = 0;
  EXPECT_THROW(an::signal_propagation(parse("mish"), o), actfn::Error);
  EXPECT_THROW(an::signal_propagation(parse("softmax"), {}), actfn::Error);
}

TEST(BornDead, WidthOneReluDiesWithProbabilityOneMinusTwoToTheOneMinusDepth) {
  // Width 1, no bias, inputs of both signs: layer 1 is alive (some x has w x > 0); every later
  // layer sees h ≥ 0, not all 0, and stays alive iff its weight is positive: P(alive) = 2^-(L-1).
  for (std::size_t depth : {2, 3, 5, 8}) {
    an::DeadOptions o;
    o.depth = depth;
    o.width = 1;
    o.trials = 4000;
    o.seed = depth;
    const an::DeadNetworks r = an::born_dead(parse("relu"), o);
    const double exact = 1 - std::pow(2.0, 1.0 - static_cast<double>(depth));
    EXPECT_LE(r.low, exact) << depth;
    EXPECT_GE(r.high, exact) << depth;
    EXPECT_NEAR(r.probability, exact, 0.03) << depth;
  }
}

TEST(BornDead, DeeperDiesMoreWiderLessLeakyNever) {
  const auto p = [](const char* spec, std::size_t depth, std::size_t width) {
    an::DeadOptions o;
    o.depth = depth;
    o.width = width;
    o.trials = 2000;
    return an::born_dead(parse(spec), o).probability;
  };
  EXPECT_GT(p("relu", 20, 2), p("relu", 5, 2));
  EXPECT_GT(p("relu", 10, 2), p("relu", 10, 6));
  EXPECT_EQ(p("leaky_relu", 20, 2), 0.0);  // never exactly constant
  EXPECT_EQ(p("tanh", 20, 2), 0.0);
}

}  // namespace
