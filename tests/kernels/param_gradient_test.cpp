// Learnable-parameter gradients on the fused kernels, f32 and f64 data, for every row of the kernel
// table that declares a dparams kernel, at the row's parameter cases: swish's dβ = Σ dy·x²σ'(βx),
// the generalized sigmoid's five parameters and shifted tanh's two shifts, accumulated into
// dparams within rounding of exact sums computed here from the calculus (not from actfn's code),
// dx bit-identical to the backward without dparams, on every target and length, in place, split
// across threads, with the reference's special values. A row added to the table is tested here
// once its calculus is (exact_grads fails naming it until then).
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/actfn.hpp"
#include "settings_guard.hpp"
#include "table_cases.hpp"

namespace {

/// The activations with a parameter-gradient kernel for f32 or f64 data, each at its defaults and
/// at the parameter values of its table row's cases.
std::vector<actfn::Activation> cases() {
  std::vector<actfn::Activation> out;
  for (const actfn_test::TableCase& c : actfn_test::table_cases([](const actfn::kernels::KernelRow& row) {
         return row.f32.dparams != actfn::kernels::Path::None || row.f64.dparams != actfn::kernels::Path::None;
       }))
    out.push_back(c.act);
  return out;
}

/// The parameters as the kernels see them for data of type T (f32 data: rounded to float).
template <class T>
std::vector<double> params_for(const actfn::Activation& act) {
  std::vector<double> p;
  for (std::size_t k = 0; k < act.info().params.size(); ++k) p.push_back(static_cast<T>(act.params()[k]));
  return p;
}

/// Normal values of deviation `scale`, every 97th one 150 times farther out (the tails: subnormal
/// slopes, saturation).
template <class T>
std::vector<T> random_values(std::size_t n, std::uint32_t seed, double scale) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, scale);
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<T>(normal(gen) * (i % 97 == 96 ? 150.0 : 1.0));
  return v;
}

/// Σ dy·∂f/∂p_k + start_k for every parameter, in long double from the calculus, summed with
/// Neumaier's compensation (so the sum itself adds nothing at f64's scale):
///  - generalized_sigmoid = alpha/(1 + beta e^(-gamma (x - epsilon))) + delta: with s = σ(u),
///    u = gamma (x - epsilon) - ln beta, s(1 - s) = e/(1 + e)², e = e^-|u|: ∂alpha = s,
///    ∂beta = -alpha s(1 - s)/beta, ∂gamma = alpha s(1 - s)(x - epsilon),
///    ∂epsilon = -alpha gamma s(1 - s), ∂delta = 1;
///  - shifted_tanh = tanh(x - input_shift) + output_shift: ∂input_shift = -sech²(x - input_shift)
///    = -4e/(1 + e)², e = e^-2|x - input_shift|, ∂output_shift = 1;
///  - swish = x σ(βx): ∂β = x² σ'(βx).
/// magnitude[k] collects Σ |terms| for the bounds.
template <class T>
std::vector<long double> exact_grads(const actfn::Activation& act, const std::vector<T>& x, const std::vector<T>& dy,
                                     const std::vector<T>& start, std::vector<long double>& magnitude) {
  const std::vector<double> p = params_for<T>(act);
  const std::string name(act.name());
  if (name != "generalized_sigmoid" && name != "shifted_tanh" && name != "swish")
    ADD_FAILURE() << name << " has a parameter-gradient kernel but no exact gradient here: add its calculus";
  std::vector<long double> sum(start.begin(), start.end()), lost(start.size(), 0.0L);
  magnitude.assign(start.size(), 0.0L);
  for (std::size_t k = 0; k < start.size(); ++k) magnitude[k] = std::fabs(sum[k]);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const long double xv = x[i], g = dy[i];
    std::vector<long double> d;
    if (name == "generalized_sigmoid") {
      const long double a = p[0], b = p[1], gamma = p[2], eps = p[3];
      const long double u = gamma * (xv - eps) - std::log(b);
      const long double e = std::exp(-std::fabs(u));
      const long double s = u >= 0 ? 1 / (1 + e) : e / (1 + e), s1 = e / ((1 + e) * (1 + e));
      d = {s, -a * s1 / b, a * s1 * (xv - eps), -a * gamma * s1, 1.0L};
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

/// Half an ULP of the final rounding, plus: f32 data, an f64 sum of n terms each within 1e-15
/// relative; f64 data, terms within a few ULP and a compensated sum, 8 ULP of Σ |terms| at any n.
template <class T>
void expect_near_exact(T got, long double exact, long double magnitude, std::size_t n) {
  const T rounded = static_cast<T>(exact);
  const double ulp = std::fabs(static_cast<double>(std::nextafter(rounded, std::numeric_limits<T>::infinity()) - rounded));
  const double per_unit = std::is_same_v<T, float> ? static_cast<double>(n) * 0x1p-53 + 1e-15 : 8 * 0x1p-53;
  EXPECT_NEAR(static_cast<double>(got), static_cast<double>(exact), 0.5 * ulp + static_cast<double>(magnitude) * per_unit);
}

template <class T>
void expect_within_rounding_on_every_target_and_length() {
  const SettingsGuard guard;
  for (const actfn::Activation& act : cases()) {
    for (const std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1000}, std::size_t{40001}}) {
      const std::vector<T> x = random_values<T>(n, 3, 3.0), dy = random_values<T>(n, 4, 1.0);
      const std::vector<T> start(actfn::learnable_count(act.kind()), T(0.25));
      std::vector<long double> magnitude;
      const std::vector<long double> exact = exact_grads(act, x, dy, start, magnitude);
      for (const std::string& target : actfn::targets()) {
        SCOPED_TRACE(act.spec() + " " + target + " n " + std::to_string(n));
        actfn::set_target(target);
        // dx as the same target computes it without dparams (FMA and non-FMA targets may differ
        // in the last bit of smooth kernels).
        std::vector<T> dx_plain(n);
        actfn::backward<T>(act, {.x = x, .dy = dy}, dx_plain);
        std::vector<T> dx(n), dp = start;
        actfn::backward<T>(act, {.x = x, .dy = dy}, dx, dp);
        EXPECT_EQ(dx, dx_plain);
        for (std::size_t k = 0; k < dp.size(); ++k) {
          SCOPED_TRACE(act.info().params[k].name);
          expect_near_exact(dp[k], exact[k], magnitude[k], n);
        }
        // In place over dy, then over x: the same dx and dparams.
        std::vector<T> over_dy = dy, over_x = x, d2 = start, d3 = start;
        actfn::backward<T>(act, {.x = x, .dy = over_dy}, over_dy, d2);
        actfn::backward<T>(act, {.x = over_x, .dy = dy}, over_x, d3);
        EXPECT_EQ(over_dy, dx_plain);
        EXPECT_EQ(over_x, dx_plain);
        EXPECT_EQ(d2, dp);
        EXPECT_EQ(d3, dp);
      }
    }
  }
}

/// Split across 1, 2, 3 threads: the same sums for the same thread count, each within rounding of
/// the exact one; and as the reference at NaN (poisons every parameter), ±inf (0, or +inf for
/// swish with β = 0: x²/4) and an infinite dy times a zero gradient (NaN).
template <class T>
void expect_threads_and_special_values_as_the_reference() {
  const SettingsGuard guard;
  for (const actfn::Activation& act : cases()) {
    SCOPED_TRACE(act.spec());
    const std::size_t n = 1 << 19, count = actfn::learnable_count(act.kind());
    const std::vector<T> x = random_values<T>(n, 5, 3.0), dy = random_values<T>(n, 6, 1.0);
    const std::vector<T> start(count, T(0));
    std::vector<long double> magnitude;
    const std::vector<long double> exact = exact_grads(act, x, dy, start, magnitude);
    actfn::set_parallel_threshold(1024);
    for (const unsigned threads : {1u, 2u, 3u}) {
      actfn::set_threads(threads);
      std::vector<T> dx(n), g = start, again = start;
      actfn::backward<T>(act, {.x = x, .dy = dy}, dx, g);
      actfn::backward<T>(act, {.x = x, .dy = dy}, dx, again);
      EXPECT_EQ(g, again) << threads;
      for (std::size_t k = 0; k < count; ++k) expect_near_exact(g[k], exact[k], magnitude[k], n);
    }
    const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
    for (const auto& [xs, dys] : {std::pair<std::vector<T>, std::vector<T>>{{1, nan, 2}, {1, 1, 1}},
                                  {{inf, -inf, 1}, {1, 2, 1}},
                                  {{0, 1}, {inf, 1}}}) {
      std::vector<T> dx(xs.size()), g = start, dx_ref(xs.size()), g_ref = start;
      actfn::backward<T>(act, {.x = xs, .dy = dys}, dx, g);
      actfn::reference::backward<T>(act, {.x = xs, .dy = dys}, dx_ref, g_ref);
      for (std::size_t k = 0; k < count; ++k) {
        if (std::isnan(g_ref[k])) {
          EXPECT_TRUE(std::isnan(g[k])) << k;
        } else if (std::isinf(g_ref[k])) {
          EXPECT_EQ(g[k], g_ref[k]) << k;
        } else {
          EXPECT_NEAR(g[k], g_ref[k], T(64) * std::numeric_limits<T>::epsilon() * std::fabs(g_ref[k])) << k;
        }
      }
    }
  }
}

TEST(ParameterGradients, F32WithinRoundingOfTheExactSumsOnEveryTargetAndLength) {
  expect_within_rounding_on_every_target_and_length<float>();
}
TEST(ParameterGradients, F64WithinAFewUlpOfTheExactSumsOnEveryTargetAndLength) {
  expect_within_rounding_on_every_target_and_length<double>();
}
TEST(ParameterGradients, F32ThreadsAndSpecialValuesAsTheReference) {
  expect_threads_and_special_values_as_the_reference<float>();
}
TEST(ParameterGradients, F64ThreadsAndSpecialValuesAsTheReference) {
  expect_threads_and_special_values_as_the_reference<double>();
}

}  // namespace
