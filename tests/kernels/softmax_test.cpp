// The softmax family's row kernels against the reference on every target: f32 forward within
// forward_ulps of the reference (and within the kernels' stated error of a long-double truth),
// backward within 1 ULP plus the f64 summation-order allowance; f64 rows (below) within 1.5 ULP of
// the long-double reference; rows with special values identical, every row length around the
// vector widths, in place, split across threads.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/actfn.hpp"
#include "settings_guard.hpp"
#include "table_cases.hpp"

namespace {

using actfn::Axis;


/// The whole-row kernels: the kernel table's Rows rows.
const std::vector<std::string> kFamily = actfn_test::names_with(actfn::kernels::Path::Rows);

std::vector<float> random_rows(std::size_t n, double spread, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-spread, spread);
  std::vector<float> v(n);
  for (float& e : v) e = static_cast<float>(u(gen));
  return v;
}

template <class T>
T ulp(T r) {
  const T a = std::fabs(r);
  return std::isinf(a) ? T(0) : std::nextafter(a, std::numeric_limits<T>::infinity()) - a;
}

template <class T>
bool same_or_both_nan(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

/// Forward: within `ulps` ULP of the reference, plus `absolute[i]` where given.
template <class T>
void expect_forward_close(const std::vector<T>& got, const std::vector<T>& ref, double ulps = 1.0,
                          const std::vector<double>& absolute = {}) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double bound = ulps * static_cast<double>(ulp(ref[i])) + (absolute.empty() ? 0.0 : absolute[i]);
    const bool ok = std::isfinite(ref[i]) ? std::fabs(static_cast<double>(got[i]) - static_cast<double>(ref[i])) <= bound
                                          : same_or_both_nan(got[i], ref[i]);
    if (!ok && bad++ == 0) ADD_FAILURE() << "at " << i << ": " << got[i] << " vs reference " << ref[i];
  }
  EXPECT_EQ(bad, 0u);
}

/// Backward: within `ulps` ULP plus what a different order of the reference's row sum (its compute
/// type's epsilon eps: 2^-53 for f32 data, 2^-64 for f64) may move the result: 2n·eps of the
/// magnitude that sum carries into dx_j.
template <class T>
void expect_backward_close(const std::string& name, std::size_t n, const std::vector<T>& y, const std::vector<T>& dy,
                           const std::vector<T>& got, const std::vector<T>& ref, double ulps = 1.0,
                           double eps = 0x1p-53) {
  std::size_t bad = 0;
  for (std::size_t r = 0; r < ref.size() / n; ++r) {
    double magnitude = 0;  // Σ|dy_i y_i| (softmax) or Σ|dy_i| (log_softmax)
    for (std::size_t i = r * n; i < (r + 1) * n; ++i)
      magnitude += name == "log_softmax" ? std::fabs(static_cast<double>(dy[i]))
                                         : std::fabs(static_cast<double>(dy[i]) * static_cast<double>(y[i]));
    for (std::size_t i = r * n; i < (r + 1) * n; ++i) {
      const double yi = static_cast<double>(y[i]);
      const double carried = (name == "log_softmax" ? std::exp(yi) : std::fabs(yi)) * magnitude;
      const double bound = ulps * static_cast<double>(ulp(ref[i])) + 2.0 * static_cast<double>(n) * eps * carried;
      const bool ok = std::isfinite(ref[i]) ? std::fabs(static_cast<double>(got[i]) - static_cast<double>(ref[i])) <= bound
                                            : same_or_both_nan(got[i], ref[i]);
      if (!ok && bad++ == 0) ADD_FAILURE() << "at " << i << ": " << got[i] << " vs reference " << ref[i];
    }
  }
  EXPECT_EQ(bad, 0u);
}

/// How far an f32 forward may be from the truth, by the kernels' error analysis (softmax.cpp's
/// f32 section): the f32 exponential is within ~2^-26.3 of e^t (its reduced argument rounds once),
/// at most 0.2 ULP of a result; softmax and softmin round twice more (e^t stored, then the
/// quotient: 0.5 ULP of the quotient and up to 1 for the stored value), log_softmax once, its
/// exponentials only reaching it through log1p of their sum.
double truth_ulps(const std::string& name) { return name == "log_softmax" ? 0.75 : 1.75; }
/// The same against the reference, itself within 0.5 ULP of the truth.
double forward_ulps(const std::string& name) { return truth_ulps(name) + 0.5; }

TEST(SoftmaxRows, MatchReferenceAtEveryLengthOnEveryTarget) {
  const SettingsGuard guard;
  const std::size_t lengths[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 1000};
  for (const std::string& name : kFamily) {
    const actfn::Activation act = actfn::parse(name);
    for (const std::size_t n : lengths)
      for (const double spread : {5.0, 100.0, 3e4}) {
        SCOPED_TRACE(std::string(name) + " n=" + std::to_string(n) + " spread=" + std::to_string(spread));
        const Axis L{3, n, 1};
        const std::vector<float> x = random_rows(3 * n, spread, static_cast<std::uint32_t>(n)),
                                 dy = random_rows(3 * n, 1.0, 99);
        std::vector<float> y_ref(x.size()), dx_ref(x.size());
        actfn::reference::forward<float>(act, L, x, y_ref);
        actfn::reference::backward<float>(act, L, {.y = y_ref, .dy = dy}, dx_ref);
        for (const std::string& target : actfn::targets()) {
          SCOPED_TRACE(target);
          actfn::set_target(target);
          std::vector<float> y(x.size()), dx(x.size()), inplace = x, over_dy = dy, over_y = y_ref;
          actfn::forward<float>(act, L, x, y);
          expect_forward_close(y, y_ref, forward_ulps(name));
          actfn::forward<float>(act, L, inplace, inplace);
          EXPECT_EQ(inplace, y);
          actfn::backward<float>(act, L, {.y = y_ref, .dy = dy}, dx);
          expect_backward_close(name, n, y_ref, dy, dx, dx_ref);
          actfn::backward<float>(act, L, {.y = y_ref, .dy = over_dy}, over_dy);
          EXPECT_EQ(over_dy, dx);
          actfn::backward<float>(act, L, {.y = over_y, .dy = dy}, over_y);
          EXPECT_EQ(over_y, dx);
        }
      }
  }
}

// Rows with NaN or infinities take the reference's own row code: identical results.
TEST(SoftmaxRows, SpecialRowsEqualReference) {
  const SettingsGuard guard;
  const float inf = HUGE_VALF, nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> x = {1, 2, inf, 3, inf,      // two +inf share the mass
                                1, nan, 2, 3, 4,        // NaN row
                                -inf, -inf, -inf, -inf, -inf,  // no limit: NaN
                                -inf, 0, 1, -inf, 2,    // -inf entries get 0 (log: -inf)
                                0.5f, -1, 2, 7, -3};    // an ordinary row beside them
  const Axis L{5, 5, 1};
  for (const std::string& name : kFamily) {
    SCOPED_TRACE(name);
    const actfn::Activation act = actfn::parse(name);
    std::vector<float> y(x.size()), y_ref(x.size()), dx(x.size()), dx_ref(x.size());
    const std::vector<float> dy = random_rows(x.size(), 1.0, 5);
    actfn::reference::forward<float>(act, L, x, y_ref);
    actfn::forward<float>(act, L, x, y);
    for (std::size_t i = 0; i < 20; ++i) EXPECT_TRUE(same_or_both_nan(y[i], y_ref[i])) << i;
    actfn::reference::backward<float>(act, L, {.y = y_ref, .dy = dy}, dx_ref);
    actfn::backward<float>(act, L, {.y = y_ref, .dy = dy}, dx);
    for (std::size_t i = 0; i < 20; ++i) EXPECT_TRUE(same_or_both_nan(dx[i], dx_ref[i])) << i;
  }
}

/// The f32 row in long double (64-bit mantissa): the truth to ~2^-60, far below a float's ULP.
std::vector<long double> truth_row(const std::string& name, const float* x, std::size_t n) {
  const bool softmin = name == "softmin";
  long double m = -HUGE_VALL;
  std::size_t first_max = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const long double v = softmin ? -static_cast<long double>(x[i]) : x[i];
    if (v > m) m = v, first_max = i;
  }
  std::vector<long double> t(n), out(n);
  long double sum = 0, rest = 0;
  for (std::size_t i = 0; i < n; ++i) {
    t[i] = (softmin ? -static_cast<long double>(x[i]) : x[i]) - m;
    sum += std::exp(t[i]);
    if (i != first_max) rest += std::exp(t[i]);
  }
  for (std::size_t i = 0; i < n; ++i) out[i] = name == "log_softmax" ? t[i] - std::log1p(rest) : std::exp(t[i]) / sum;
  return out;
}

std::string hex(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%a", v);
  return b;
}

/// |got - truth| in ULP of float at the truth (subnormal ULP 2^-149 below FLT_MIN).
double ulp_error(float got, long double truth) {
  const float r = static_cast<float>(truth);
  const long double step = r == 0 ? 0x1p-149L : static_cast<long double>(ulp(r));
  return static_cast<double>(std::fabs(static_cast<long double>(got) - truth) / step);
}

// f32 forward against the truth, within the kernels' stated error on every target: wide and
// narrow rows, rows whose exponentials reach the far part (e^t near or below FLT_MIN: subnormal
// and zero softmax outputs, log_softmax sums whose tiny terms matter), masked rows (-1e9 entries,
// as attention masks write) and peaked ones.
TEST(SoftmaxRows, F32WithinStatedErrorOfTheTruth) {
  const SettingsGuard guard;
  std::mt19937 gen(11);
  std::vector<std::vector<float>> rows;
  for (const double spread : {1.0, 10.0, 60.0, 100.0, 300.0})
    for (const std::size_t n : {7ul, 64ul, 1000ul}) rows.push_back(random_rows(n, spread, static_cast<std::uint32_t>(rows.size())));
  // Far part: one maximum, the rest between 70 and 140 below it (and a few within 70).
  {
    std::uniform_real_distribution<float> far(-140.0f, -70.0f);
    std::vector<float> r(517);
    for (float& v : r) v = 3.0f + far(gen);
    r[100] = 3.0f, r[7] = -20.0f, r[300] = -66.0f;
    rows.push_back(r);
  }
  // log_softmax where the rest is tiny: x_j - m ≈ -69 and ≈ -90, the latter still about 1e-9 of it.
  {
    std::vector<float> r(300, -90.0f);
    r[0] = 0.0f, r[1] = -69.0f, r[2] = -69.5f;
    rows.push_back(r);
  }
  // A masked row and a peaked one.
  {
    std::vector<float> r = random_rows(200, 4.0, 5);
    for (std::size_t i = 50; i < 200; ++i) r[i] = -1e9f;
    rows.push_back(r);
    std::vector<float> p = random_rows(129, 1.0, 6);
    p[64] = 40.0f;
    rows.push_back(p);
  }
  for (const std::string& name : kFamily) {
    const actfn::Activation act = actfn::parse(name);
    for (const std::string& target : actfn::targets()) {
      actfn::set_target(target);
      double worst = 0;
      std::string where;
      for (std::size_t r = 0; r < rows.size(); ++r) {
        const std::vector<float>& x = rows[r];
        std::vector<float> y(x.size());
        actfn::forward<float>(act, Axis{1, x.size(), 1}, x, y);
        const std::vector<long double> truth = truth_row(name, x.data(), x.size());
        for (std::size_t i = 0; i < x.size(); ++i)
          if (const double e = ulp_error(y[i], truth[i]); e > worst)
            worst = e, where = "row " + std::to_string(r) + " at " + std::to_string(i) + ": " +
                              hex(y[i]) + " vs " + hex(static_cast<double>(truth[i])) + " (x " + hex(x[i]) + ")";
      }
      EXPECT_LE(worst, truth_ulps(name)) << name << " on " << target << ", " << where;
    }
  }
}

/// A row made of a few distinct values, each repeated: its truth (long double, per value) comes
/// from the counts alone, so rows of any length are checked element by element and by their sum
/// without a long-double pass over them.
struct RepeatedRow {
  std::vector<float> values;        // distinct
  std::vector<std::uint64_t> count; // how often each occurs
  /// Per value, the truth of `name` for an element equal to it.
  std::vector<long double> truth(const std::string& name) const {
    const long double s = name == "softmin" ? -1.0L : 1.0L;
    long double m = -HUGE_VALL;
    for (std::size_t k = 0; k < values.size(); ++k)
      if (count[k] > 0) m = std::max(m, s * values[k]);
    long double rest = 0;  // Σ_{j ≠ first maximal} e^(s·x_j - m): the maximum's own term is 1
    for (std::size_t k = 0; k < values.size(); ++k)
      rest += static_cast<long double>(count[k] - (s * values[k] == m ? 1 : 0)) * std::exp(s * values[k] - m);
    std::vector<long double> out(values.size());
    for (std::size_t k = 0; k < values.size(); ++k)
      out[k] = name == "log_softmax" ? (values[k] - m) - std::log1p(rest) : std::exp(s * values[k] - m) / (1 + rest);
    return out;
  }
};

/// Checks y (element i equal to values[which(i)]) against the truth, element by element within
/// truth_ulps, and its sum, Σ y (log_softmax: Σ e^y) - 1, within the bound those elements' own
/// bounds give: Σ_i truth_ulps·ulp(t_i) (log_softmax: times e^(t_i), to first order), plus the
/// rounding of that sum itself. Each value's allowed floats are found once, so that a pass over
/// 2^26 elements costs two comparisons each.
template <class Which>
void expect_long_row_within_bounds(const std::string& name, const RepeatedRow& row, const std::vector<float>& y,
                                   Which which) {
  const std::vector<long double> truth = row.truth(name);
  const bool log = name == "log_softmax";
  const std::size_t values = row.values.size();
  std::vector<float> lowest(values), highest(values), seen(values, std::numeric_limits<float>::quiet_NaN());
  std::vector<double> seen_exp(values);
  // The test's own sum, n terms in double (partial sums below 1, each term rounded to double
  // too), rounds by up to n·2^-53.
  long double bound = static_cast<long double>(y.size()) * 0x1p-53L;
  for (std::size_t k = 0; k < values; ++k) {
    const long double step = ulp(static_cast<float>(truth[k])), allowed = truth_ulps(name) * step;
    lowest[k] = static_cast<float>(truth[k] - allowed);
    if (lowest[k] < truth[k] - allowed) lowest[k] = std::nextafter(lowest[k], HUGE_VALF);
    highest[k] = static_cast<float>(truth[k] + allowed);
    if (highest[k] > truth[k] + allowed) highest[k] = std::nextafter(highest[k], -HUGE_VALF);
    bound += static_cast<long double>(row.count[k]) * allowed * (log ? std::exp(truth[k]) * 1.001L : 1);
  }
  double sums[4] = {};  // four, so that the additions' latency does not bound the pass
  std::size_t outside = 0, first = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const std::size_t k = which(i);
    if (!(y[i] >= lowest[k] && y[i] <= highest[k]) && outside++ == 0) first = i;
    if (log && y[i] != seen[k])
      seen[k] = y[i], seen_exp[k] = static_cast<double>(std::exp(static_cast<long double>(y[i])));
    sums[i % 4] += log ? seen_exp[k] : y[i];
  }
  const long double sum = (static_cast<long double>(sums[0]) + sums[1]) + (static_cast<long double>(sums[2]) + sums[3]);
  EXPECT_EQ(outside, 0u) << name << ", first at " << first << ": " << hex(y[first]) << " vs "
                         << hex(static_cast<double>(truth[which(first)])) << ", "
                         << ulp_error(y[first], truth[which(first)]) << " ULP";
  EXPECT_LE(std::fabs(sum - 1), bound) << name << ": the row sums to 1 + " << static_cast<double>(sum - 1);
}

// Long f32 rows keep their stated error: the row sums are blocks of float pairs gathered in
// double, so that no pair grows with the row. A row of 2^26 elements (in place, 256 MiB) of 1024
// values in [-4, 0) and one maximum, softmax and log_softmax (softmin runs softmax's code on -x),
// on the target calls dispatch to; the flat rows below take every function and target through
// many blocks.
TEST(SoftmaxRows, F32LongRowWithinStatedErrorOfTheTruth) {
  const SettingsGuard guard;
  const std::size_t n = std::size_t{1} << 26, max_at = n / 3;
  RepeatedRow row;
  std::mt19937 gen(21);
  std::uniform_real_distribution<float> u(-4.0f, 0.0f);
  for (std::size_t k = 0; k < 1024; ++k) row.values.push_back(std::min(u(gen), -0x1p-10f));
  row.values.push_back(0.0f);
  row.count.assign(row.values.size(), 0);
  // Element i takes value (i·golden ratio·2^64) >> 54, a well-mixed index below 1024.
  const auto which = [&](std::size_t i) {
    return i == max_at ? std::size_t{1024} : static_cast<std::size_t>((i * 0x9E3779B97F4A7C15ull) >> 54);
  };
  for (std::size_t i = 0; i < n; ++i) ++row.count[which(i)];
  std::vector<float> y(n);
  for (const char* name : {"softmax", "log_softmax"}) {
    for (std::size_t i = 0; i < n; ++i) y[i] = row.values[which(i)];
    actfn::forward<float>(actfn::parse(name), Axis{1, n, 1}, y, y);
    expect_long_row_within_bounds(name, row, y, which);
  }
}

// Rows of one maximum and a million equal entries (x_j - m = -0.5, -17.3 or -80: terms near 1,
// below half an ULP of 1, and in the far range): equal terms round alike, so any summation error
// adds up instead of averaging out. Every function, every target.
TEST(SoftmaxRows, F32FlatRowsWithinStatedErrorOfTheTruth) {
  const SettingsGuard guard;
  const std::size_t n = (std::size_t{1} << 20) + 3;
  for (const float c : {-0.5f, -17.3f, -80.0f}) {
    const RepeatedRow row{{3.0f, 3.0f + c}, {1, n - 1}};
    const auto which = [](std::size_t i) { return i == 0 ? std::size_t{0} : std::size_t{1}; };
    for (const std::string& name : kFamily)
      for (const std::string& target : actfn::targets()) {
        SCOPED_TRACE(target + ", x_j - m = " + std::to_string(c));
        actfn::set_target(target);
        std::vector<float> y(n, row.values[1]);
        y[0] = row.values[0];
        actfn::forward<float>(actfn::parse(name), Axis{1, n, 1}, y, y);
        expect_long_row_within_bounds(name, row, y, which);
      }
  }
}

/// |got - truth| in ULP of T at the truth.
template <class T>
double ulps_from(T got, long double truth) {
  const long double step = ulp(static_cast<T>(truth));
  return static_cast<double>(std::fabs(static_cast<long double>(got) - truth) / step);
}

/// The other row sums on long flat rows (one maximum x_0 = 3, n - 1 entries 3 + c): f64 forward's
/// exponential sum and backward's dot products (f32 and f64), every function, every target,
/// against long-double truths from the counts. f64 forward within 1 ULP of the truth (its
/// kernels' ~0.5, see softmax.cpp); backward from y = the rounded truth with dy = 1, then 1/8 and
/// 7/8 alternating (dy - <dy, y> stays near ±3/8: no cancellation), within 1 ULP.
template <class T>
void expect_flat_rows_within_one_ulp(std::size_t n, bool check_forward) {
  const std::size_t odd = n / 2, even = (n - 1) / 2;  // indices 1..n-1 of each parity
  for (const double c : {-0.5, -17.3}) {
    std::vector<T> x(n, static_cast<T>(3 + c)), y(n), dx(n), dy(n);
    x[0] = 3;
    for (std::size_t i = 0; i < n; ++i) dy[i] = i == 0 ? T(1) : i % 2 ? T(0.125) : T(0.875);
    for (const std::string& name : kFamily) {
      const std::string f = name;
      const long double s = f == "softmin" ? -1 : 1, a = s * x[0], b = s * x[1], m = std::max(a, b);
      const long double rest = a == m ? (n - 1) * std::exp(b - m) : std::exp(a - m) + (n - 2);
      const long double t0 = f == "log_softmax" ? (a - m) - std::log1p(rest) : std::exp(a - m) / (1 + rest);
      const long double t1 = f == "log_softmax" ? (b - m) - std::log1p(rest) : std::exp(b - m) / (1 + rest);
      // Backward from y = the rounded truths: dx_i = s·y_i (dy_i - Σ dy_j y_j), log_softmax dy_i - e^(y_i) Σ dy_j.
      std::vector<T> yr(n, static_cast<T>(t1));
      yr[0] = static_cast<T>(t0);
      const long double flat = 0.125L * odd + 0.875L * even, y0 = yr[0], y1 = yr[1];
      const long double dot = y0 + y1 * flat, g = 1 + flat;
      const auto dx_truth = [&](long double yi, long double dyi) {
        return f == "log_softmax" ? dyi - std::exp(yi) * g : s * yi * (dyi - dot);
      };
      const long double d[3] = {dx_truth(y0, 1), dx_truth(y1, 0.125L), dx_truth(y1, 0.875L)};
      for (const std::string& target : actfn::targets()) {
        SCOPED_TRACE(f + " on " + target + ", c = " + std::to_string(c) + ", " + (sizeof(T) == 4 ? "f32" : "f64"));
        actfn::set_target(target);
        const actfn::Activation act = actfn::parse(name);
        double worst_y = 0, worst_dx = 0;
        if (check_forward) {
          actfn::forward<T>(act, Axis{1, n, 1}, x, y);
          for (std::size_t i = 0; i < n; ++i) worst_y = std::max(worst_y, ulps_from(y[i], i == 0 ? t0 : t1));
        }
        actfn::backward<T>(act, Axis{1, n, 1}, {.y = yr, .dy = dy}, dx);
        for (std::size_t i = 0; i < n; ++i) worst_dx = std::max(worst_dx, ulps_from(dx[i], d[i == 0 ? 0 : 2 - i % 2]));
        EXPECT_LE(worst_y, 1.0);
        EXPECT_LE(worst_dx, 1.0);
      }
    }
  }
}

TEST(SoftmaxRows, LongFlatRowsBackwardAndF64WithinOneUlpOfTheTruth) {
  const SettingsGuard guard;
  expect_flat_rows_within_one_ulp<float>((std::size_t{1} << 18) + 3, false);  // f32 forward: above
  expect_flat_rows_within_one_ulp<double>((std::size_t{1} << 16) + 3, true);
}

// Finite rows whose x - m overflows float (t = -inf in f32 lanes, finite in the reference's
// double): the same values as the reference (0 for softmax, -inf for log_softmax), every target.
TEST(SoftmaxRows, F32OverflowingDifferencesMatchReference) {
  const SettingsGuard guard;
  const std::vector<float> x = {-3e38f, 3e38f, 0.0f, 5.0f, -5.0f, 1e38f, -1e38f};
  const std::vector<float> dy = {0.5f, -1.0f, 0.25f, 2.0f, -0.75f, 1.0f, 0.125f};
  for (const std::string& name : kFamily) {
    const actfn::Activation act = actfn::parse(name);
    const Axis L{1, x.size(), 1};
    std::vector<float> y_ref(x.size()), dx_ref(x.size());
    actfn::reference::forward<float>(act, L, x, y_ref);
    actfn::reference::backward<float>(act, L, {.y = y_ref, .dy = dy}, dx_ref);
    for (const std::string& target : actfn::targets()) {
      SCOPED_TRACE(std::string(name) + " on " + target);
      actfn::set_target(target);
      std::vector<float> y(x.size()), dx(x.size());
      actfn::forward<float>(act, L, x, y);
      expect_forward_close(y, y_ref, forward_ulps(name));
      actfn::backward<float>(act, L, {.y = y_ref, .dy = dy}, dx);
      expect_backward_close(name, x.size(), y_ref, dy, dx, dx_ref);
    }
  }
}

// Finite y with a NaN or an infinite dy: the reference's row code, identical results.
TEST(SoftmaxRows, F32NonFiniteDyEqualsReference) {
  const SettingsGuard guard;
  const std::vector<float> x = random_rows(3 * 21, 3.0, 8);
  std::vector<float> dy = random_rows(3 * 21, 1.0, 9);
  dy[5] = std::numeric_limits<float>::quiet_NaN();
  dy[21 + 20] = HUGE_VALF;
  dy[42] = -HUGE_VALF;
  const Axis L{3, 21, 1};
  for (const std::string& name : kFamily) {
    const actfn::Activation act = actfn::parse(name);
    std::vector<float> y(x.size()), dx_ref(x.size());
    actfn::reference::forward<float>(act, L, x, y);
    actfn::reference::backward<float>(act, L, {.y = y, .dy = dy}, dx_ref);
    for (const std::string& target : actfn::targets()) {
      actfn::set_target(target);
      std::vector<float> dx(x.size());
      actfn::backward<float>(act, L, {.y = y, .dy = dy}, dx);
      for (std::size_t i = 0; i < dx.size(); ++i)
        EXPECT_TRUE(same_or_both_nan(dx[i], dx_ref[i])) << name << " on " << target << " at " << i;
    }
  }
}

TEST(SoftmaxRows, ThreadsGiveTheSameResults) {
  const SettingsGuard guard;
  const Axis L{300, 257, 1};
  const std::vector<float> x = random_rows(300 * 257, 10.0, 1), dy = random_rows(300 * 257, 1.0, 2);
  for (const std::string& name : kFamily) {
    const actfn::Activation act = actfn::parse(name);
    actfn::set_threads(1);
    std::vector<float> y1(x.size()), dx1(x.size());
    actfn::forward<float>(act, L, x, y1);
    actfn::backward<float>(act, L, {.y = y1, .dy = dy}, dx1);
    actfn::set_threads(3);
    actfn::set_parallel_threshold(1000);
    std::vector<float> y(x.size()), dx(x.size());
    actfn::forward<float>(act, L, x, y);
    actfn::backward<float>(act, L, {.y = y1, .dy = dy}, dx);
    EXPECT_EQ(y, y1) << name;
    EXPECT_EQ(dx, dx1) << name;
    actfn::set_threads(0);
    actfn::set_parallel_threshold(0);
  }
}

// Strided rows (inner > 1, e.g. softmax over the channels of NCHW) go through the same row kernel.
TEST(SoftmaxRows, StridedRowsMatchReference) {
  const SettingsGuard guard;
  for (const std::string& name : kFamily) {
    SCOPED_TRACE(name);
    const actfn::Activation act = actfn::parse(name);
    for (const Axis L : {Axis{2, 7, 5}, Axis{3, 21, 64}, Axis{1, 1, 9}}) {
      const std::size_t n = L.outer * L.axis * L.inner;
      const std::vector<float> x = random_rows(n, 8.0, 3), dy = random_rows(n, 1.0, 4);
      std::vector<float> y(n), y_ref(n), dx(n), dx_ref(n), inplace = x;
      actfn::reference::forward<float>(act, L, x, y_ref);
      actfn::reference::backward<float>(act, L, {.y = y_ref, .dy = dy}, dx_ref);
      for (const std::string& target : actfn::targets()) {
        SCOPED_TRACE(target);
        actfn::set_target(target);
        actfn::forward<float>(act, L, x, y);
        expect_forward_close(y, y_ref, forward_ulps(name));
        actfn::forward<float>(act, L, inplace, inplace);
        EXPECT_EQ(inplace, y);
        inplace = x;
        actfn::backward<float>(act, L, {.y = y_ref, .dy = dy}, dx);
        // Row r of the strided layout, gathered, is what the tolerance is computed on.
        std::vector<float> yr, dyr, dxr, refr;
        for (std::size_t o = 0; o < L.outer; ++o)
          for (std::size_t i = 0; i < L.inner; ++i)
            for (std::size_t k = 0; k < L.axis; ++k) {
              const std::size_t at = (o * L.axis + k) * L.inner + i;
              yr.push_back(y_ref[at]);
              dyr.push_back(dy[at]);
              dxr.push_back(dx[at]);
              refr.push_back(dx_ref[at]);
            }
        expect_backward_close(name, L.axis, yr, dyr, dxr, refr);
      }
    }
  }
}

// f64 rows against the long-double reference: forward within 1.5 ULP (each ~0.5 of the truth, the
// reference's t = x - m and sum rounded to 64 bits up to ~0.9), log_softmax also 2^-60 of
// |y| + log n (the long-double log1p both take); backward 1.5 ULP plus the reference's summation
// allowance. Rows of every length around the vector widths, wide spreads (subnormal and zero
// results), contiguous and strided, in place, and special rows identical to the reference.
TEST(SoftmaxRows, F64MatchReferenceOnEveryTarget) {
  const SettingsGuard guard;
  const std::size_t lengths[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 100, 1000};
  for (const std::string& name : kFamily) {
    const actfn::Activation act = actfn::parse(name);
    EXPECT_TRUE(actfn::has_kernel<double>(act)) << name;
    for (const std::size_t n : lengths)
      for (const double spread : {5.0, 100.0, 800.0, 3e4}) {
        for (const Axis L : {Axis{3, n, 1}, Axis{2, n, 3}}) {
          SCOPED_TRACE(std::string(name) + " n=" + std::to_string(n) + " spread=" + std::to_string(spread) +
                       " inner=" + std::to_string(L.inner));
          const std::size_t total = L.outer * L.axis * L.inner;
          std::mt19937 gen(static_cast<std::uint32_t>(n * 7 + L.inner));
          std::uniform_real_distribution<double> u(-spread, spread), g(-1, 1);
          std::vector<double> x(total), dy(total);
          for (double& e : x) e = u(gen);
          for (double& e : dy) e = g(gen);
          std::vector<double> y_ref(total), dx_ref(total), slack(total);
          actfn::reference::forward<double>(act, L, x, y_ref);
          actfn::reference::backward<double>(act, L, {.y = y_ref, .dy = dy}, dx_ref);
          if (std::string(name) == "log_softmax")
            for (std::size_t i = 0; i < total; ++i)
              slack[i] = 0x1p-60 * (std::fabs(y_ref[i]) + std::log(static_cast<double>(n)) + 1);
          for (const std::string& target : actfn::targets()) {
            SCOPED_TRACE(target);
            actfn::set_target(target);
            std::vector<double> y(total), dx(total), inplace = x, over_dy = dy;
            actfn::forward<double>(act, L, x, y);
            expect_forward_close(y, y_ref, 1.5, slack);
            actfn::forward<double>(act, L, inplace, inplace);
            EXPECT_EQ(inplace, y);
            actfn::backward<double>(act, L, {.y = y_ref, .dy = dy}, dx);
            if (L.inner == 1) expect_backward_close(name, n, y_ref, dy, dx, dx_ref, 1.5, 0x1p-64);
            actfn::backward<double>(act, L, {.y = y_ref, .dy = over_dy}, over_dy);
            EXPECT_EQ(over_dy, dx);
          }
        }
      }
  }
}

TEST(SoftmaxRows, F64SpecialRowsEqualReference) {
  const SettingsGuard guard;
  const double inf = HUGE_VAL, nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> x = {1, 2, inf, 3, inf, 1, nan, 2, 3, 4, -inf, -inf, -inf, -inf, -inf,
                                 -inf, 0, 1, -inf, 2, -1e308, 1e308, 0, 5, -5};  // the last: x - m overflows
  const Axis L{5, 5, 1};
  for (const std::string& name : kFamily) {
    SCOPED_TRACE(name);
    const actfn::Activation act = actfn::parse(name);
    std::vector<double> y(x.size()), y_ref(x.size()), dx(x.size()), dx_ref(x.size());
    std::vector<double> dy(x.size());
    for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = std::sin(static_cast<double>(i));
    actfn::reference::forward<double>(act, L, x, y_ref);
    actfn::forward<double>(act, L, x, y);
    for (std::size_t i = 0; i < 20; ++i) EXPECT_TRUE(same_or_both_nan(y[i], y_ref[i])) << i;
    expect_forward_close(std::vector<double>(y.begin() + 20, y.end()), std::vector<double>(y_ref.begin() + 20, y_ref.end()), 1.5);
    actfn::reference::backward<double>(act, L, {.y = y_ref, .dy = dy}, dx_ref);
    actfn::backward<double>(act, L, {.y = y_ref, .dy = dy}, dx);
    // Rows whose y is finite (two +inf sharing the mass) take the kernel: close, not identical.
    expect_backward_close(name, 5, y_ref, dy, dx, dx_ref, 1.5, 0x1p-64);
    // A log_softmax backward given a positive y (no log_softmax output) takes the reference's row.
    const std::vector<double> pos = {0.5, -1, -2, 0.25, -3};
    std::vector<double> dxp(5), dxp_ref(5);
    actfn::reference::backward<double>(act, Axis{1, 5, 1}, {.y = pos, .dy = std::vector<double>(5, 1.0)}, dxp_ref);
    actfn::backward<double>(act, Axis{1, 5, 1}, {.y = pos, .dy = std::vector<double>(5, 1.0)}, dxp);
    expect_forward_close(dxp, dxp_ref, 1.5);
  }
}

// Rows of length 0 (an axis of size 0 beside others): nothing to read or write, on every target.
TEST(SoftmaxRows, EmptyRowsReadNothing) {
  const SettingsGuard guard;
  for (const std::string& name : kFamily) {
    const actfn::Activation act = actfn::parse(name);
    for (const std::string& target : actfn::targets()) {
      actfn::set_target(target);
      std::vector<float> x, y, dx;
      std::vector<double> xd, yd, dxd;
      actfn::forward<float>(act, Axis{3, 0, 1}, x, y);
      actfn::backward<float>(act, Axis{3, 0, 1}, {.y = y, .dy = x}, dx);
      actfn::forward<double>(act, Axis{3, 0, 2}, xd, yd);
      actfn::backward<double>(act, Axis{3, 0, 2}, {.y = yd, .dy = xd}, dxd);
      EXPECT_TRUE(y.empty() && dx.empty() && yd.empty() && dxd.empty()) << name << " on " << target;
    }
  }
}

TEST(SoftmaxRows, MalformedCallsAreRejected) {
  const actfn::Activation act = actfn::parse("softmax");
  std::vector<float> x(12, 0.5f), y(11);
  EXPECT_THROW(actfn::forward<float>(act, Axis{3, 4, 1}, x, y), actfn::Error);
  EXPECT_THROW(actfn::forward<float>(act, Axis{3, 5, 1}, x, x), actfn::Error);
  EXPECT_THROW(actfn::backward<float>(act, Axis{3, 4, 1}, {.x = x, .dy = x}, x), actfn::Error);  // needs y
}

}  // namespace
