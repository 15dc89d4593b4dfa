// The softmax family's f32 row kernels against the reference on every target: forward within 1 ULP,
// backward within 1 ULP plus the f64 summation-order allowance, rows with special values identical,
// every row length around the vector widths, in place, split across threads.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/actfn.hpp"
#include "settings_guard.hpp"

namespace {

using actfn::Axis;


const char* const kFamily[] = {"softmax", "softmin", "log_softmax"};

std::vector<float> random_rows(std::size_t n, double spread, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-spread, spread);
  std::vector<float> v(n);
  for (float& e : v) e = static_cast<float>(u(gen));
  return v;
}

float ulp(float r) {
  const float a = std::fabs(r);
  return std::isinf(a) ? 0.0f : std::nextafter(a, HUGE_VALF) - a;
}

bool same_or_both_nan(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

/// Forward: within 1 ULP of the reference.
void expect_forward_close(const std::vector<float>& got, const std::vector<float>& ref) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const bool ok = std::isfinite(ref[i]) ? std::fabs(got[i] - ref[i]) <= ulp(ref[i]) : same_or_both_nan(got[i], ref[i]);
    if (!ok && bad++ == 0) ADD_FAILURE() << "at " << i << ": " << got[i] << " vs reference " << ref[i];
  }
  EXPECT_EQ(bad, 0u);
}

/// Backward: within 1 ULP plus what a different order of the f64 row sum may move the result:
/// 2n·2^-53 of the magnitude that sum carries into dx_j.
void expect_backward_close(const std::string& name, std::size_t n, const std::vector<float>& y,
                           const std::vector<float>& dy, const std::vector<float>& got, const std::vector<float>& ref) {
  std::size_t bad = 0;
  for (std::size_t r = 0; r < ref.size() / n; ++r) {
    double magnitude = 0;  // Σ|dy_i y_i| (softmax) or Σ|dy_i| (log_softmax)
    for (std::size_t i = r * n; i < (r + 1) * n; ++i)
      magnitude += name == "log_softmax" ? std::fabs(dy[i]) : std::fabs(static_cast<double>(dy[i]) * y[i]);
    for (std::size_t i = r * n; i < (r + 1) * n; ++i) {
      const double carried = (name == "log_softmax" ? std::exp(static_cast<double>(y[i])) : std::fabs(y[i])) * magnitude;
      const double bound = ulp(ref[i]) + 2.0 * static_cast<double>(n) * 0x1p-53 * carried;
      const bool ok = std::isfinite(ref[i]) ? std::fabs(static_cast<double>(got[i]) - ref[i]) <= bound
                                            : same_or_both_nan(got[i], ref[i]);
      if (!ok && bad++ == 0) ADD_FAILURE() << "at " << i << ": " << got[i] << " vs reference " << ref[i];
    }
  }
  EXPECT_EQ(bad, 0u);
}

TEST(SoftmaxRows, MatchReferenceAtEveryLengthOnEveryTarget) {
  const SettingsGuard guard;
  const std::size_t lengths[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 1000};
  for (const char* name : kFamily) {
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
          expect_forward_close(y, y_ref);
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
  for (const char* name : kFamily) {
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

TEST(SoftmaxRows, ThreadsGiveTheSameResults) {
  const SettingsGuard guard;
  const Axis L{300, 257, 1};
  const std::vector<float> x = random_rows(300 * 257, 10.0, 1), dy = random_rows(300 * 257, 1.0, 2);
  for (const char* name : kFamily) {
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
  for (const char* name : kFamily) {
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
        expect_forward_close(y, y_ref);
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

// f64 runs the reference: the same numbers exactly.
TEST(SoftmaxRows, F64EqualsReference) {
  const actfn::Activation act = actfn::parse("softmax");
  const std::vector<float> x = random_rows(70, 5.0, 3);
  const std::vector<double> xd(x.begin(), x.end());
  std::vector<double> yd(70), yd_ref(70);
  actfn::forward<double>(act, Axis{10, 7, 1}, xd, yd);
  actfn::reference::forward<double>(act, Axis{10, 7, 1}, xd, yd_ref);
  EXPECT_EQ(yd, yd_ref);
}

TEST(SoftmaxRows, MalformedCallsAreRejected) {
  const actfn::Activation act = actfn::parse("softmax");
  std::vector<float> x(12, 0.5f), y(11);
  EXPECT_THROW(actfn::forward<float>(act, Axis{3, 4, 1}, x, y), actfn::Error);
  EXPECT_THROW(actfn::forward<float>(act, Axis{3, 5, 1}, x, x), actfn::Error);
  EXPECT_THROW(actfn::backward<float>(act, Axis{3, 4, 1}, {.x = x, .dy = x}, x), actfn::Error);  // needs y
}

}  // namespace
