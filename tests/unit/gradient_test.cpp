// Gradients of every element-wise activation: backward against finite differences of forward,
// parameter gradients against finite differences in the parameter, backward from y against
// backward from x, and the float path against the double path.
#include <cmath>
#include <cstring>
#include <vector>

#include "test_support.hpp"

namespace actfn_test {
namespace {

class Gradient : public testing::TestWithParam<Kind> {};

/// Evaluation points: a grid, the tails where exp over/underflows in f32 and f64, both sides of
/// every rough point, and never one on a rough point itself.
std::vector<double> points(const std::vector<double>& rough) {
  std::vector<double> xs;
  for (int i = -100; i <= 100; ++i) xs.push_back(i * 0.1 + 0.0123);
  for (double v : {0.0, 0.5, 1.0, 2.0, 3.0, 6.0, 20.0, 30.0, 88.0, 89.0, 709.0, 1e4, 1e-3, 1e-8}) {
    xs.push_back(v);
    xs.push_back(-v);
  }
  for (double k : rough)
    for (double d : {0.3, 1e-2, 1e-4}) {
      const double s = d * std::max(1.0, std::fabs(k));
      xs.push_back(k - s);
      xs.push_back(k + s);
    }
  return xs;
}

TEST_P(Gradient, BackwardMatchesFiniteDifferenceOfForward) {
  for (const Activation& act : variants(GetParam())) {
    SCOPED_TRACE(act.spec());
    const std::vector<double> rough = rough_points(act);
    int checked = 0;
    for (double x : points(rough)) {
      const double scale = std::max(1.0, std::fabs(x));
      const double dist = distance_to(rough, x);
      if (dist < 1e-7 * scale) continue;  // on a rough point: kink_test owns those
      const double h = std::min(1e-3 * scale, dist / 4);
      const auto f = [&](double t) { return f64(act, t); };
      const double numeric = richardson(f, x, h);
      const double analytic = df64(act, x);
      ASSERT_FALSE(std::isnan(analytic)) << "x=" << x;
      const double fmag = std::max({std::fabs(f(x - h)), std::fabs(f(x)), std::fabs(f(x + h))});
      const double tol = 1e-6 * std::fabs(analytic) + 1e-9 + 1e-12 * fmag / h;
      EXPECT_NEAR(analytic, numeric, tol) << "x=" << x << " h=" << h;
      ++checked;
    }
    EXPECT_GT(checked, 200);
  }
}

/// dy scales the result linearly and dx is written, not accumulated.
TEST_P(Gradient, BackwardScalesWithDyAndOverwritesDx) {
  for (const Activation& act : variants(GetParam())) {
    SCOPED_TRACE(act.spec());
    const std::vector<double> x = {-2.5, -0.7, 0.3, 1.9, 4.2};
    const std::vector<double> dy = {0.5, -2.0, 3.0, 0.25, -1.0};
    std::vector<double> dx(x.size(), 123.0);
    actfn::reference::backward<double>(act, {.x = x, .dy = dy}, dx);
    for (std::size_t i = 0; i < x.size(); ++i) {
      // dy f'(x) rounded once, against f'(x) rounded and then multiplied: within an ULP.
      const double expect = dy[i] * df64(act, x[i]);
      EXPECT_NEAR(dx[i], expect, 2.3e-16 * std::fabs(expect)) << "x=" << x[i];
    }
  }
}

class ParamGradient : public testing::TestWithParam<Kind> {};

TEST_P(ParamGradient, MatchFiniteDifferenceAndAccumulate) {
  const actfn::FunctionInfo& fi = actfn::info(GetParam());
  std::vector<std::size_t> learnable;
  for (std::size_t i = 0; i < fi.params.size(); ++i)
    if (fi.params[i].learnable) learnable.push_back(i);
  ASSERT_FALSE(learnable.empty());
  ASSERT_EQ(actfn::learnable_count(GetParam()), learnable.size());

  for (const Activation& act : variants(GetParam())) {
    SCOPED_TRACE(act.spec());
    const std::vector<double> rough = rough_points(act);
    std::vector<double> xs, dys;
    for (int i = -40; i <= 40; ++i) {
      const double x = i * 0.1 + 0.0317;
      if (distance_to(rough, x) < 1e-3) continue;
      xs.push_back(x);
      dys.push_back(1.0 + 0.25 * (i % 5));
    }
    // Per point and summed: dparams is ADDED to, so start from non-zero values.
    const std::vector<double> init = {0.25, -1.5, 3.0, -0.125, 7.0};
    std::vector<double> dparams(init.begin(), init.begin() + static_cast<std::ptrdiff_t>(learnable.size()));
    std::vector<double> dx(xs.size());
    actfn::reference::backward<double>(act, {.x = xs, .dy = dys}, dx, dparams);

    for (std::size_t j = 0; j < learnable.size(); ++j) {
      const actfn::ParamSpec& ps = fi.params[learnable[j]];
      SCOPED_TRACE(std::string(ps.name));
      const double p0 = act.params()[learnable[j]];
      const double hp = 1e-4 * std::max(1.0, std::fabs(p0));
      double expected_sum = 0, abs_sum = 0;
      for (std::size_t i = 0; i < xs.size(); ++i) {
        const auto f_of_p = [&](double p) {
          Activation moved = act;
          moved.set_param(ps.name, p);
          return f64(moved, xs[i]);
        };
        const double numeric = richardson(f_of_p, p0, hp);
        // One point at a time, against the same numeric derivative.
        std::vector<double> one(learnable.size(), 0.0);
        double dxi = 0;
        const double xi = xs[i], dyi = 1.0;
        actfn::reference::backward<double>(act, {.x = std::span<const double>(&xi, 1), .dy = std::span<const double>(&dyi, 1)},
                                std::span<double>(&dxi, 1), one);
        EXPECT_NEAR(one[j], numeric, 1e-6 * std::fabs(numeric) + 1e-9) << "x=" << xs[i];
        expected_sum += dys[i] * numeric;
        abs_sum += std::fabs(dys[i] * numeric);
      }
      EXPECT_NEAR(dparams[j] - init[j], expected_sum, 1e-6 * abs_sum + 1e-8);
    }

    // A second call adds the same amount again.
    std::vector<double> twice(learnable.size(), 0.0);
    actfn::reference::backward<double>(act, {.x = xs, .dy = dys}, dx, twice);
    const std::vector<double> once = twice;
    actfn::reference::backward<double>(act, {.x = xs, .dy = dys}, dx, twice);
    for (std::size_t j = 0; j < learnable.size(); ++j) { EXPECT_NEAR(twice[j], 2 * once[j], 1e-12 * std::fabs(once[j])); }
  }
}

/// Where the activation allows it, backward from y gives backward from x. From y the result is
/// limited by the rounding of y: an error of eps |y| in y moves f' by |f''/f'| eps |y|.
TEST_P(Gradient, BackwardFromYMatchesBackwardFromX) {
  int tested = 0;
  for (const Activation& act : variants(GetParam())) {
    if (!act.backward_from_y()) continue;
    SCOPED_TRACE(act.spec());
    ++tested;
    const std::vector<double> rough = rough_points(act);
    for (int i = -80; i <= 80; ++i) {
      const double x = i * 0.0625 + 0.01;
      if (distance_to(rough, x) < 2e-2) continue;
      const double y = f64(act, x);
      const double from_x = df64(act, x);
      const double from_y = bwd_y<double>(act, y);
      const double h = 1e-4;
      const double f2 = (df64(act, x + h) - df64(act, x - h)) / (2 * h);
      const double cond = from_x == 0 ? 0 : std::fabs(f2 / from_x);
      const double eps = std::numeric_limits<double>::epsilon();
      const double tol = 1e-13 * std::fabs(from_x) + 8 * eps * std::fabs(y) * cond + 1e-300;
      EXPECT_NEAR(from_y, from_x, tol) << "x=" << x << " y=" << y;
    }
    // Both given: x wins, and the result is the same.
    const std::vector<double> x = {-1.3, 0.4, 2.2};
    std::vector<double> y(3), dy = {1.0, 2.0, -0.5}, dx(3);
    actfn::reference::forward<double>(act, x, y);
    actfn::reference::backward<double>(act, {.x = x, .y = y, .dy = dy}, dx);
    for (std::size_t i = 0; i < 3; ++i) {
      const double expect = dy[i] * df64(act, x[i]);
      EXPECT_NEAR(dx[i], expect, 2.3e-16 * std::fabs(expect));
    }
  }
  if (tested == 0) {
    // Backward from y must then be refused rather than silently wrong.
    const Activation act(GetParam());
    const double y = 0.5, dy = 1.0;
    double dx = 0;
    EXPECT_THROW(actfn::reference::backward<double>(act, {.y = std::span<const double>(&y, 1), .dy = std::span<const double>(&dy, 1)},
                                         std::span<double>(&dx, 1)),
                 actfn::Error);
  }
}

/// The float path is the double path rounded to float, within 1 ULP (each rounds its own wider
/// result once; the double one is rounded twice here), for the float-rounded parameter values
/// that the float path documents using. Not for hard_sigmoid, whose corner -offset/slope is
/// itself rounded to the data type (exactly -3 in both): with the float slope fl(1/6) the double
/// function's corner is -2.99999991, a different function next to it (kink_test checks both
/// types against (x + 3)/6).
TEST_P(Gradient, FloatPathMatchesDoublePathWithin1Ulp) {
  if (GetParam() == Kind::HardSigmoid) GTEST_SKIP() << "corners derived in each data type";
  for (const Activation& given : variants(GetParam())) {
    const Activation act = float_params(given);
    SCOPED_TRACE(act.spec());
    std::vector<float> xf;
    for (std::uint64_t bits = 0; bits < (std::uint64_t{1} << 32); bits += std::uint64_t{1} << 20) {
      for (std::uint32_t b : {static_cast<std::uint32_t>(bits), static_cast<std::uint32_t>(bits + 0x2a5f3)}) {
        float v;
        std::memcpy(&v, &b, sizeof v);
        if (!std::isnan(v)) xf.push_back(v);
      }
    }
    for (float v : {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -3.0f, 3.0f, 88.7f, -88.7f, 89.5f, -103.9f}) xf.push_back(v);
    std::vector<double> xd(xf.begin(), xf.end());
    std::vector<float> yf(xf.size()), dxf(xf.size()), ones_f(xf.size(), 1.0f);
    std::vector<double> yd(xd.size()), dxd(xd.size()), ones_d(xd.size(), 1.0);
    actfn::reference::forward<float>(act, xf, yf);
    actfn::reference::forward<double>(act, xd, yd);
    actfn::reference::backward<float>(act, {.x = xf, .dy = ones_f}, dxf);
    actfn::reference::backward<double>(act, {.x = xd, .dy = ones_d}, dxd);
    int bad_y = 0, bad_dx = 0;
    for (std::size_t i = 0; i < xf.size(); ++i) {
      if (ulp_distance(yf[i], static_cast<float>(yd[i])) > 1 && bad_y++ < 5)
        ADD_FAILURE() << "forward x=" << xf[i] << ": float " << yf[i] << " vs double " << yd[i];
      if (ulp_distance(dxf[i], static_cast<float>(dxd[i])) > 1 && bad_dx++ < 5)
        ADD_FAILURE() << "backward x=" << xf[i] << ": float " << dxf[i] << " vs double " << dxd[i];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ElementWise, Gradient, testing::ValuesIn(element_wise_kinds()), KindName());
INSTANTIATE_TEST_SUITE_P(Learnable, ParamGradient, testing::ValuesIn(learnable_kinds()), KindName());

}  // namespace
}  // namespace actfn_test
