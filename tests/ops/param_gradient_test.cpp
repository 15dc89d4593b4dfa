// Learnable-parameter gradients on the fused kernels (f32 and f64 data): swish's dβ = Σ dy·x²σ'(βx), and
// the generalized sigmoid's and shifted tanh's parameters, accumulated into dparams within rounding
// of exact long-double sums computed here from the formulas (not from actfn's code), dx
// bit-identical to the backward without dparams, on every target, in place, split across threads,
// with the reference's special values.
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/actfn.hpp"
#include "settings_guard.hpp"

namespace {

/// Σ dy·x²σ'(βx) + start, σ'(v) = e/(1 + e)², e = e^-|v|, in long double; and Σ |terms| for the bound.
long double exact_dbeta(const std::vector<float>& x, const std::vector<float>& dy, float beta, float start,
                        long double& magnitude) {
  long double sum = start;
  magnitude = std::fabs(static_cast<long double>(start));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const long double xv = x[i], v = static_cast<long double>(beta) * xv;
    const long double e = std::exp(-std::fabs(v));
    const long double term = static_cast<long double>(dy[i]) * xv * xv * e / ((1 + e) * (1 + e));
    sum += term;
    magnitude += std::fabs(term);
  }
  return sum;
}

void expect_near_exact(float got, long double exact, long double magnitude, std::size_t n) {
  const float rounded = static_cast<float>(exact);
  const double ulp = std::fabs(static_cast<double>(std::nextafter(rounded, std::numeric_limits<float>::infinity()) - rounded));
  // Half an ULP of the final rounding, an f64 sum of n terms each within 1e-15 relative.
  const double bound = 0.5 * ulp + static_cast<double>(magnitude) * (static_cast<double>(n) * 0x1p-53 + 1e-15);
  EXPECT_NEAR(static_cast<double>(got), static_cast<double>(exact), bound);
}

std::vector<float> random_values(std::size_t n, std::uint32_t seed, double scale) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal(0.0, scale);
  std::vector<float> v(n);
  for (float& e : v) e = static_cast<float>(normal(gen));
  return v;
}

TEST(SwishBetaGradient, WithinRoundingOfTheExactSumOnEveryTargetAndLength) {
  const SettingsGuard guard;
  for (const float beta : {1.0f, 1.5f, -0.75f, 0.0f}) {
    actfn::Activation act = actfn::parse("swish");
    act.set_param("beta", beta);
    for (const std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1000}, std::size_t{4099}}) {
      const std::vector<float> x = random_values(n, 3, 4.0), dy = random_values(n, 4, 1.0);
      long double magnitude = 0;
      const long double exact = exact_dbeta(x, dy, beta, 0.5f, magnitude);
      for (const std::string& target : actfn::targets()) {
        SCOPED_TRACE(target + " beta " + std::to_string(beta) + " n " + std::to_string(n));
        actfn::set_target(target);
        // dx as the same target computes it without dβ (FMA and non-FMA targets may differ in the
        // last bit of smooth kernels).
        std::vector<float> dx_plain(n);
        actfn::backward<float>(act, {.x = x, .dy = dy}, dx_plain);
        std::vector<float> dx(n), dbeta{0.5f};
        actfn::backward<float>(act, {.x = x, .dy = dy}, dx, dbeta);
        EXPECT_EQ(dx, dx_plain);
        expect_near_exact(dbeta[0], exact, magnitude, n);
        // In place over dy, then over x: the same dx and dβ.
        std::vector<float> over_dy = dy, over_x = x, d2{0.5f}, d3{0.5f};
        actfn::backward<float>(act, {.x = x, .dy = over_dy}, over_dy, d2);
        actfn::backward<float>(act, {.x = over_x, .dy = dy}, over_x, d3);
        EXPECT_EQ(over_dy, dx_plain);
        EXPECT_EQ(over_x, dx_plain);
        EXPECT_EQ(d2, dbeta);
        EXPECT_EQ(d3, dbeta);
      }
    }
  }
}

TEST(SwishBetaGradient, ThreadsAndSpecialValues) {
  const SettingsGuard guard;
  const actfn::Activation act = actfn::parse("swish(beta=1.25)");
  const std::size_t n = 1 << 20;
  const std::vector<float> x = random_values(n, 5, 3.0), dy = random_values(n, 6, 1.0);
  long double magnitude = 0;
  const long double exact = exact_dbeta(x, dy, 1.25f, 0.0f, magnitude);
  actfn::set_parallel_threshold(1024);
  for (const unsigned threads : {1u, 2u, 3u}) {
    actfn::set_threads(threads);
    std::vector<float> dx(n), dbeta{0.0f}, again{0.0f};
    actfn::backward<float>(act, {.x = x, .dy = dy}, dx, dbeta);
    actfn::backward<float>(act, {.x = x, .dy = dy}, dx, again);
    EXPECT_EQ(dbeta, again) << threads;  // same thread count, same sum
    expect_near_exact(dbeta[0], exact, magnitude, n);
  }
  // As the reference: NaN in x poisons dβ; x = ±inf contributes 0 for β ≠ 0 and +inf for β = 0
  // (x²/4); an infinite dy times a zero gradient is NaN.
  const auto dbeta_of = [](const actfn::Activation& a, std::vector<float> xs, std::vector<float> dys) {
    std::vector<float> dx(xs.size()), g{0.0f};
    actfn::backward<float>(a, {.x = xs, .dy = dys}, dx, g);
    std::vector<float> dx_ref(xs.size()), g_ref{0.0f};
    actfn::reference::backward<float>(a, {.x = xs, .dy = dys}, dx_ref, g_ref);
    return std::pair{g[0], g_ref[0]};
  };
  for (const auto& [xs, dys] : {std::pair<std::vector<float>, std::vector<float>>{{1.0f, NAN, 2.0f}, {1.0f, 1.0f, 1.0f}},
                                {{INFINITY, -INFINITY, 1.0f}, {1.0f, 2.0f, 1.0f}},
                                {{0.0f, 1.0f}, {INFINITY, 1.0f}}}) {
    for (const char* spec : {"swish(beta=1.25)", "swish(beta=0)"}) {
      const auto [got, ref] = dbeta_of(actfn::parse(spec), xs, dys);
      if (std::isnan(ref)) {
        EXPECT_TRUE(std::isnan(got)) << spec;
      } else if (std::isinf(ref)) {
        EXPECT_EQ(got, ref) << spec;
      } else {
        EXPECT_NEAR(got, ref, 1e-6 * std::fabs(ref) + 1e-30) << spec;
      }
    }
  }
}

/// Σ dy·∂f/∂p_k + start_k for every parameter of generalized_sigmoid(alpha, beta, gamma, epsilon,
/// delta) = alpha/(1 + beta e^(-gamma (x - epsilon))) + delta, shifted_tanh(input_shift,
/// output_shift) = tanh(x - input_shift) + output_shift, or swish(beta) = x σ(beta x), in long
/// double from the calculus, summed with Neumaier's compensation (so the sum itself adds nothing
/// at f64's scale): with s = 1/(1 + beta e^(-gamma (x - epsilon))) and s(1 - s) = e/(1 + e)²,
/// e = e^-|u|, u = gamma (x - epsilon) - ln beta: ∂alpha = s, ∂beta = -alpha s(1 - s)/beta,
/// ∂gamma = alpha s(1 - s)(x - epsilon), ∂epsilon = -alpha gamma s(1 - s), ∂delta = 1;
/// ∂input_shift = -sech²(x - input_shift) = -4e/(1 + e)², e = e^-2|x - input_shift|, ∂output_shift = 1;
/// ∂beta = x² σ'(beta x). magnitude[k] collects Σ |terms| for the bound.
template <class T>
std::vector<long double> exact_grads(const std::string& name, const std::vector<double>& p, const std::vector<T>& x,
                                     const std::vector<T>& dy, const std::vector<T>& start,
                                     std::vector<long double>& magnitude) {
  std::vector<long double> sum(start.begin(), start.end()), lost(start.size(), 0.0L);
  magnitude.assign(start.size(), 0.0L);
  for (std::size_t k = 0; k < start.size(); ++k) magnitude[k] = std::fabs(static_cast<long double>(start[k]));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const long double xv = x[i], g = dy[i];
    std::vector<long double> d;
    if (name == "generalized_sigmoid") {
      const long double a = p[0], b = p[1], c = p[2], eps = p[3];
      const long double u = c * (xv - eps) - std::log(b);
      const long double e = std::exp(-std::fabs(u));
      const long double s = u >= 0 ? 1 / (1 + e) : e / (1 + e), s1 = e / ((1 + e) * (1 + e));
      d = {s, -a * s1 / b, a * s1 * (xv - eps), -a * c * s1, 1.0L};
    } else if (name == "shifted_tanh") {
      const long double e = std::exp(-2 * std::fabs(xv - static_cast<long double>(p[0])));
      d = {-4 * e / ((1 + e) * (1 + e)), 1.0L};
    } else {
      const long double e = std::exp(-std::fabs(static_cast<long double>(p[0]) * xv));
      d = {xv * xv * e / ((1 + e) * (1 + e))};
    }
    for (std::size_t k = 0; k < d.size(); ++k) {
      const long double term = g * d[k], next = sum[k] + term;
      lost[k] += std::fabs(sum[k]) >= std::fabs(term) ? (sum[k] - next) + term : (term - next) + sum[k];
      sum[k] = next;
      magnitude[k] += std::fabs(term);
    }
  }
  for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += lost[k];
  return sum;
}

TEST(SigmoidAndTanhParameterGradients, WithinRoundingOfTheExactSumsOnEveryTargetAndLength) {
  const SettingsGuard guard;
  struct Case {
    std::string name;
    std::vector<double> params;
  };
  const Case cases[] = {{"generalized_sigmoid", {1.0, 1.0, 1.0, 0.0, 0.0}},
                        {"generalized_sigmoid", {2.0, 3.0, 0.5, 1.0, -0.25}},
                        {"generalized_sigmoid", {-1.5, 0.25, -1.5, -0.5, 2.0}},
                        {"shifted_tanh", {0.0, 0.0}},
                        {"shifted_tanh", {0.75, -1.5}}};
  for (const Case& c : cases) {
    actfn::Activation act = actfn::parse(c.name);
    for (std::size_t k = 0; k < c.params.size(); ++k) act.set_param(act.info().params[k].name, c.params[k]);
    // The kernels see the parameters as f32 data does: rounded to float.
    std::vector<double> p;
    for (const double v : c.params) p.push_back(static_cast<float>(v));
    for (const std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1000}, std::size_t{4099}}) {
      const std::vector<float> x = random_values(n, 7, 3.0), dy = random_values(n, 8, 1.0);
      const std::vector<float> start(c.params.size(), 0.25f);
      std::vector<long double> magnitude;
      const std::vector<long double> exact = exact_grads(c.name, p, x, dy, start, magnitude);
      for (const std::string& target : actfn::targets()) {
        SCOPED_TRACE(act.spec() + " " + target + " n " + std::to_string(n));
        actfn::set_target(target);
        std::vector<float> dx_plain(n);
        actfn::backward<float>(act, {.x = x, .dy = dy}, dx_plain);
        std::vector<float> dx(n), dp = start;
        actfn::backward<float>(act, {.x = x, .dy = dy}, dx, dp);
        EXPECT_EQ(dx, dx_plain);
        for (std::size_t k = 0; k < dp.size(); ++k) {
          SCOPED_TRACE(act.info().params[k].name);
          expect_near_exact(dp[k], exact[k], magnitude[k], n);
        }
        std::vector<float> over_dy = dy, d2 = start;
        actfn::backward<float>(act, {.x = x, .dy = over_dy}, over_dy, d2);
        EXPECT_EQ(over_dy, dx_plain);
        EXPECT_EQ(d2, dp);
      }
    }
  }
}

TEST(SigmoidAndTanhParameterGradients, ThreadsAndSpecialValuesAsTheReference) {
  const SettingsGuard guard;
  for (const char* spec : {"generalized_sigmoid(alpha=2,beta=3,gamma=0.5,epsilon=1,delta=-0.25)",
                           "shifted_tanh(input_shift=0.75,output_shift=-1.5)"}) {
    SCOPED_TRACE(spec);
    const actfn::Activation act = actfn::parse(spec);
    const std::size_t count = act.info().name == std::string("shifted_tanh") ? 2 : 5;
    const std::size_t n = 1 << 20;
    const std::vector<float> x = random_values(n, 9, 3.0), dy = random_values(n, 10, 1.0);
    actfn::set_parallel_threshold(1024);
    std::vector<float> one_thread;
    for (const unsigned threads : {1u, 2u, 3u}) {
      actfn::set_threads(threads);
      std::vector<float> dx(n), g(count, 0.0f), again(count, 0.0f);
      actfn::backward<float>(act, {.x = x, .dy = dy}, dx, g);
      actfn::backward<float>(act, {.x = x, .dy = dy}, dx, again);
      EXPECT_EQ(g, again) << threads;  // same thread count, same sums
      if (one_thread.empty()) one_thread = g;
      for (std::size_t k = 0; k < count; ++k)
        EXPECT_NEAR(g[k], one_thread[k], 1e-5 * (std::fabs(one_thread[k]) + 1.0f)) << threads;
    }
    // NaN in x poisons every parameter; ±inf gives the reference's limits; an infinite dy times
    // a zero gradient is NaN.
    for (const auto& [xs, dys] : {std::pair<std::vector<float>, std::vector<float>>{{1.0f, NAN, 2.0f}, {1.0f, 1.0f, 1.0f}},
                                  {{INFINITY, -INFINITY, 1.0f}, {1.0f, 2.0f, 1.0f}},
                                  {{0.0f, 1.0f}, {INFINITY, 1.0f}}}) {
      std::vector<float> dx(xs.size()), g(count, 0.0f), dx_ref(xs.size()), g_ref(count, 0.0f);
      actfn::backward<float>(act, {.x = xs, .dy = dys}, dx, g);
      actfn::reference::backward<float>(act, {.x = xs, .dy = dys}, dx_ref, g_ref);
      for (std::size_t k = 0; k < count; ++k) {
        if (std::isnan(g_ref[k])) {
          EXPECT_TRUE(std::isnan(g[k])) << k;
        } else if (std::isinf(g_ref[k])) {
          EXPECT_EQ(g[k], g_ref[k]) << k;
        } else {
          EXPECT_NEAR(g[k], g_ref[k], 1e-6 * std::fabs(g_ref[k]) + 1e-30) << k;
        }
      }
    }
  }
}

/// f64 data: every term within a few ULP (the f64 kernels' pairs) and the sum compensated, so the
/// result is within a few ULP of the magnitude Σ |terms| of the exact sum, whatever n is.
void expect_near_exact_f64(double got, long double exact, long double magnitude) {
  const double bound = 0.5 * std::fabs(std::nextafter(static_cast<double>(exact), INFINITY) - static_cast<double>(exact)) +
                       static_cast<double>(magnitude) * 8 * 0x1p-53;
  EXPECT_NEAR(got, static_cast<double>(exact), bound);
}

std::vector<double> random_doubles(std::size_t n, std::uint32_t seed, double scale) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, scale);
  std::vector<double> v(n);
  for (double& e : v) e = normal(gen);
  return v;
}

TEST(F64ParameterGradients, WithinAFewUlpOfTheExactSumsOnEveryTargetAndLength) {
  const SettingsGuard guard;
  struct Case {
    std::string name;
    std::vector<double> params;
  };
  const Case cases[] = {{"swish", {1.0}},
                        {"swish", {1.5}},
                        {"swish", {-0.75}},
                        {"swish", {0.0}},
                        {"generalized_sigmoid", {1.0, 1.0, 1.0, 0.0, 0.0}},
                        {"generalized_sigmoid", {2.0, 3.0, 0.5, 1.0, -0.25}},
                        {"generalized_sigmoid", {-1.5, 0.25, -1.5, -0.5, 2.0}},
                        {"shifted_tanh", {0.0, 0.0}},
                        {"shifted_tanh", {0.75, -1.5}}};
  for (const Case& c : cases) {
    actfn::Activation act = actfn::parse(c.name);
    for (std::size_t k = 0; k < c.params.size(); ++k) act.set_param(act.info().params[k].name, c.params[k]);
    for (const std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1000}, std::size_t{40001}}) {
      // Mostly moderate inputs, every 97th far out (the tails: subnormal slopes, saturation).
      std::vector<double> x = random_doubles(n, 11, 3.0);
      for (std::size_t i = 0; i < n; i += 97) x[i] *= 150.0;
      const std::vector<double> dy = random_doubles(n, 12, 1.0);
      const std::vector<double> start(c.params.size(), 0.25);
      std::vector<long double> magnitude;
      const std::vector<long double> exact = exact_grads(c.name, c.params, x, dy, start, magnitude);
      for (const std::string& target : actfn::targets()) {
        SCOPED_TRACE(act.spec() + " " + target + " n " + std::to_string(n));
        actfn::set_target(target);
        std::vector<double> dx_plain(n);
        actfn::backward<double>(act, {.x = x, .dy = dy}, dx_plain);
        std::vector<double> dx(n), dp = start;
        actfn::backward<double>(act, {.x = x, .dy = dy}, dx, dp);
        EXPECT_EQ(dx, dx_plain);
        for (std::size_t k = 0; k < dp.size(); ++k) {
          SCOPED_TRACE(act.info().params[k].name);
          expect_near_exact_f64(dp[k], exact[k], magnitude[k]);
        }
      }
    }
  }
}

TEST(F64ParameterGradients, ThreadsAndSpecialValuesAsTheReference) {
  const SettingsGuard guard;
  for (const char* spec : {"swish(beta=1.25)", "swish(beta=0)", "generalized_sigmoid(alpha=2,beta=3,gamma=0.5,epsilon=1,delta=-0.25)",
                           "shifted_tanh(input_shift=0.75,output_shift=-1.5)"}) {
    SCOPED_TRACE(spec);
    const actfn::Activation act = actfn::parse(spec);
    std::size_t count = 0;
    for (const auto& param : act.info().params) count += param.learnable ? 1 : 0;
    const std::size_t n = 1 << 19;
    const std::vector<double> x = random_doubles(n, 13, 3.0), dy = random_doubles(n, 14, 1.0);
    actfn::set_parallel_threshold(1024);
    std::vector<double> one_thread;
    for (const unsigned threads : {1u, 2u, 3u}) {
      actfn::set_threads(threads);
      std::vector<double> dx(n), g(count, 0.0), again(count, 0.0);
      actfn::backward<double>(act, {.x = x, .dy = dy}, dx, g);
      actfn::backward<double>(act, {.x = x, .dy = dy}, dx, again);
      EXPECT_EQ(g, again) << threads;
      if (one_thread.empty()) one_thread = g;
      for (std::size_t k = 0; k < count; ++k) EXPECT_NEAR(g[k], one_thread[k], 1e-12 * (std::fabs(one_thread[k]) + 1.0)) << threads;
    }
    for (const auto& [xs, dys] : {std::pair<std::vector<double>, std::vector<double>>{{1.0, NAN, 2.0}, {1.0, 1.0, 1.0}},
                                  {{INFINITY, -INFINITY, 1.0}, {1.0, 2.0, 1.0}},
                                  {{0.0, 1.0}, {INFINITY, 1.0}}}) {
      std::vector<double> dx(xs.size()), g(count, 0.0), dx_ref(xs.size()), g_ref(count, 0.0);
      actfn::backward<double>(act, {.x = xs, .dy = dys}, dx, g);
      actfn::reference::backward<double>(act, {.x = xs, .dy = dys}, dx_ref, g_ref);
      for (std::size_t k = 0; k < count; ++k) {
        if (std::isnan(g_ref[k])) {
          EXPECT_TRUE(std::isnan(g[k])) << k;
        } else if (std::isinf(g_ref[k])) {
          EXPECT_EQ(g[k], g_ref[k]) << k;
        } else {
          EXPECT_NEAR(g[k], g_ref[k], 1e-14 * std::fabs(g_ref[k]) + 1e-300) << k;
        }
      }
    }
  }
}

}  // namespace
