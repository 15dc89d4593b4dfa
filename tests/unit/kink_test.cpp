// Derivative conventions at kinks, from PyTorch's definitions (written down independently here):
// the value f'(k) that backward returns exactly at a kink k, f(k) itself, the one-sided slopes
// and jumps that properties() reports, and the same values from y and in float.
#include <cmath>
#include <limits>
#include <map>
#include <vector>

#include "test_support.hpp"

namespace actfn_test {
namespace {

constexpr double kSeluLambda = 1.0507009873554805;  // Klambauer et al. 2017, eq. 14
constexpr double kSeluAlpha = 1.6732632423543772;

struct KinkCase {
  const char* spec;
  double x;
  double f;      // f(x)
  double df;     // the derivative used at x itself
  double left;   // lim f'(t), t -> x-
  double right;  // lim f'(t), t -> x+
  bool jump;     // f is discontinuous at x
};

// clang-format off
const KinkCase kCases[] = {
    // torch.relu: grad is 0 where x <= 0.
    {"relu",                           0.0,   0.0,  0.0,          0.0,   1.0,  false},
    // torch.nn.LeakyReLU: x > 0 ? 1 : negative_slope.
    {"leaky_relu",                     0.0,   0.0,  0.01,         0.01,  1.0,  false},
    {"leaky_relu(negative_slope=0.2)", 0.0,   0.0,  0.2,          0.2,   1.0,  false},
    // torch.nn.PReLU: x > 0 ? 1 : weight.
    {"prelu",                          0.0,   0.0,  0.25,         0.25,  1.0,  false},
    {"prelu(weight=-0.3)",             0.0,   0.0,  -0.3,         -0.3,  1.0,  false},
    // torch.nn.RReLU (eval): the mean slope (1/8 + 1/3)/2 = 11/48.
    {"rrelu",                          0.0,   0.0,  11.0 / 48.0,  11.0 / 48.0, 1.0, false},
    // torch.nn.Hardtanh: grad 0 at and outside min_val / max_val.
    {"hardtanh",                       -1.0,  -1.0, 0.0,          0.0,   1.0,  false},
    {"hardtanh",                       1.0,   1.0,  0.0,          1.0,   0.0,  false},
    {"hardtanh(min_val=-2, max_val=3)", -2.0, -2.0, 0.0,          0.0,   1.0,  false},
    {"hardtanh(min_val=-2, max_val=3)", 3.0,  3.0,  0.0,          1.0,   0.0,  false},
    // torch.nn.ReLU6 = hardtanh(0, 6).
    {"relu6",                          0.0,   0.0,  0.0,          0.0,   1.0,  false},
    {"relu6",                          6.0,   6.0,  0.0,          1.0,   0.0,  false},
    {"clipped_relu(ceiling=2.5)",      0.0,   0.0,  0.0,          0.0,   1.0,  false},
    {"clipped_relu(ceiling=2.5)",      2.5,   2.5,  0.0,          1.0,   0.0,  false},
    // torch.nn.ELU: x > 0 ? 1 : alpha e^x, so alpha at 0 (C1 only for alpha = 1).
    {"elu",                            0.0,   0.0,  1.0,          1.0,   1.0,  false},
    {"elu(alpha=2)",                   0.0,   0.0,  2.0,          2.0,   1.0,  false},
    {"elu(alpha=0.5)",                 0.0,   0.0,  0.5,          0.5,   1.0,  false},
    // torch.nn.CELU: e^(x/alpha) at 0 = 1 for every alpha.
    {"celu",                           0.0,   0.0,  1.0,          1.0,   1.0,  false},
    {"celu(alpha=0.5)",                0.0,   0.0,  1.0,          1.0,   1.0,  false},
    // torch.nn.SELU: lambda alpha at 0.
    {"selu",                           0.0,   0.0,  kSeluLambda * kSeluAlpha, kSeluLambda * kSeluAlpha, kSeluLambda, false},
    // torch.nn.Hardsigmoid: (x + 3)/6 strictly inside (-3, 3), grad 0 at ±3. The corner is -3
    // exactly although the slope 1/6 rounds (slope·x + 1/2 would give 2^-55 in f64, 0 in f32).
    {"hard_sigmoid",                   -3.0,  0.0,  0.0,          0.0,   1.0 / 6.0, false},
    {"hard_sigmoid",                   3.0,   1.0,  0.0,          1.0 / 6.0, 0.0,   false},
    // Keras 2 hard_sigmoid: 0.2 x + 0.5, corners at ±2.5.
    {"hard_sigmoid(preset=keras2)",    -2.5,  0.0,  0.0,          0.0,   0.2,  false},
    {"hard_sigmoid(preset=keras2)",    2.5,   1.0,  0.0,          0.2,   0.0,  false},
    // torch.nn.Hardswish: x < -3: 0, x > 3: 1, else x/3 + 1/2 (so -1/2 and 3/2 at the corners).
    {"hardswish",                      -3.0,  0.0,  -0.5,         0.0,   -0.5, false},
    {"hardswish",                      3.0,   3.0,  1.5,          1.5,   1.0,  false},
    // torch.nn.Hardshrink: x if |x| > lambd else 0; grad 0 at ±lambd. f jumps by lambd.
    {"hardshrink",                     -0.5,  0.0,  0.0,          1.0,   0.0,  true},
    {"hardshrink",                     0.5,   0.0,  0.0,          0.0,   1.0,  true},
    {"hardshrink(lambd=1)",            -1.0,  0.0,  0.0,          1.0,   0.0,  true},
    {"hardshrink(lambd=1)",            1.0,   0.0,  0.0,          0.0,   1.0,  true},
    // torch.nn.Softshrink: grad 0 at ±lambd, continuous.
    {"softshrink",                     -0.5,  0.0,  0.0,          1.0,   0.0,  false},
    {"softshrink",                     0.5,   0.0,  0.0,          0.0,   1.0,  false},
    {"softshrink(lambd=0.25)",         -0.25, 0.0,  0.0,          1.0,   0.0,  false},
    {"softshrink(lambd=0.25)",         0.25,  0.0,  0.0,          0.0,   1.0,  false},
    // torch.nn.Threshold: x > threshold ? x : value; grad 0 at threshold.
    {"threshold",                      0.0,   0.0,  0.0,          0.0,   1.0,  false},
    {"threshold(threshold=0.5, value=-1)", 0.5, -1.0, 0.0,        0.0,   1.0,  true},
    // Heaviside: f(0) = value_at_zero (numpy), no gradient anywhere.
    {"step",                           0.0,   0.5,  0.0,          0.0,   0.0,  true},
    {"step(value_at_zero=0.25)",       0.0,   0.25, 0.0,          0.0,   0.0,  true},
    // Squared ReLU: 2 max(x, 0), continuous slope, curvature jumps.
    {"relu_squared",                   0.0,   0.0,  0.0,          0.0,   0.0,  false},
    // Softsign: f' = 1/(1+|x|)^2 is continuous at 0 but f'' jumps from +2 to -2: C1 there.
    {"softsign",                       0.0,   0.0,  1.0,          1.0,   1.0,  false},
};
// clang-format on

std::string trace(const KinkCase& c) { return std::string(c.spec) + " at x = " + std::to_string(c.x); }

TEST(Kink, ValueAndDerivativeAtTheKink) {
  for (const KinkCase& c : kCases) {
    SCOPED_TRACE(trace(c));
    const Activation act = actfn::parse(c.spec);
    EXPECT_EQ(f64(act, c.x), c.f) << "f";
    EXPECT_NEAR(df64(act, c.x), c.df, 1e-15 * std::fabs(c.df)) << "f'";
    EXPECT_NEAR(bwd<double>(act, c.x, 2.5), 2.5 * c.df, 2.3e-16 * std::fabs(2.5 * c.df)) << "dy scales f'";
  }
}

TEST(Kink, FloatPathAgrees) {
  for (const KinkCase& c : kCases) {
    SCOPED_TRACE(trace(c));
    const Activation act = actfn::parse(c.spec);
    const auto x = static_cast<float>(c.x);
    ASSERT_EQ(static_cast<double>(x), c.x);
    // Parameters are rounded to the data type, so values may differ by what that rounding moves.
    const float y = fwd<float>(act, x);
    EXPECT_LE(ulp_distance(y, static_cast<float>(c.f)), 1u) << "f = " << y;
    EXPECT_LE(ulp_distance(bwd<float>(act, x), static_cast<float>(c.df)), 1u) << "f'";
  }
}

/// From y, the same convention: relu'(0) from y = 0 must be 0, not 1, and so on.
TEST(Kink, FromYAgreesWherePossible) {
  int tested = 0;
  for (const KinkCase& c : kCases) {
    const Activation act = actfn::parse(c.spec);
    if (!act.backward_from_y()) continue;
    SCOPED_TRACE(trace(c));
    ++tested;
    EXPECT_NEAR(bwd_y<double>(act, c.f), c.df, 1e-15 * std::fabs(c.df));
  }
  EXPECT_GE(tested, 15);
}

/// Just beside each kink the slope is the one-sided limit.
TEST(Kink, OneSidedSlopes) {
  for (const KinkCase& c : kCases) {
    SCOPED_TRACE(trace(c));
    const Activation act = actfn::parse(c.spec);
    const double h = 1e-9;
    EXPECT_NEAR(df64(act, c.x - h), c.left, 1e-8) << "left";
    EXPECT_NEAR(df64(act, c.x + h), c.right, 1e-8) << "right";
  }
}

/// properties() lists each kink with the same slopes and jump, and no others.
TEST(Kink, PropertiesListTheKinks) {
  std::map<std::string, std::vector<const KinkCase*>> by_spec;
  for (const KinkCase& c : kCases) by_spec[c.spec].push_back(&c);
  for (const auto& [spec, cases] : by_spec) {
    SCOPED_TRACE(spec);
    const actfn::Properties p = actfn::properties(actfn::parse(spec));
    EXPECT_EQ(p.kinks.size(), cases.size());
    for (const KinkCase* c : cases) {
      SCOPED_TRACE(trace(*c));
      const auto it = std::ranges::find_if(p.kinks, [&](const actfn::Kink& k) { return std::fabs(k.x - c->x) < 1e-12; });
      if (it == p.kinks.end()) {
        ADD_FAILURE() << "properties() does not list the kink";
        continue;
      }
      EXPECT_NEAR(it->left_slope, c->left, 1e-6);
      EXPECT_NEAR(it->right_slope, c->right, 1e-6);
      EXPECT_NEAR(it->slope_at, c->df, 1e-15 * std::fabs(c->df));
      EXPECT_EQ(it->jump, c->jump);
    }
  }
}

/// PyTorch decides hardsigmoid's branch on x itself: grad = 1/6 exactly for -3 < x < 3. So the
/// nearest numbers inside (-3, 3) get the slope and ±3 and beyond get 0, in float and in double;
/// f is (x + 3)/6 with the slope's one rounding.
template <class T>
void expect_hardsigmoid_corners() {
  const Activation act(Kind::HardSigmoid);
  const T slope = static_cast<T>(1.0 / 6.0);
  for (T corner : {T(-3), T(3)}) {
    SCOPED_TRACE(corner);
    const T inside = std::nextafter(corner, T(0)), outside = std::nextafter(corner, corner * 2);
    EXPECT_EQ(bwd<T>(act, inside), slope) << "just inside";
    EXPECT_EQ(bwd<T>(act, corner), T(0)) << "at the corner";
    EXPECT_EQ(bwd<T>(act, outside), T(0)) << "just outside";
    // The corners are exact: f(-3) = 0 and f(3) = 1, in float and in double.
    EXPECT_EQ(fwd<T>(act, corner), corner < 0 ? T(0) : T(1)) << "at the corner";
    EXPECT_EQ(fwd<T>(act, outside), corner < 0 ? T(0) : T(1));
    const T f_inside = fwd<T>(act, inside);
    EXPECT_GE(f_inside, T(0));
    EXPECT_LE(f_inside, T(1));
  }
  // Next to the lower corner f = (x + 3)/6 keeps its relative accuracy: the stored slope fl(1/6)
  // moves it by one rounding, 2^-24 (2^-53) relative, never more. (slope·x + offset with that
  // slope cancelled: 1e6 ULP at x = -2.999999 in float.) x + 3 and the quotient are computed in
  // long double, exactly enough.
  std::vector<T> xs{static_cast<T>(-2.9999990), static_cast<T>(-2.5), static_cast<T>(-1)};
  for (T x = std::nextafter(T(-3), T(0)); xs.size() < 2000; x = std::nextafter(x, T(0))) xs.push_back(x);
  for (const T x : xs) {
    const long double truth = (static_cast<long double>(x) + 3) / 6;
    const T y = fwd<T>(act, x);
    EXPECT_LE(std::fabs(static_cast<long double>(y) - truth), truth * std::numeric_limits<T>::epsilon())
        << "x = " << x << ": " << y << " vs " << static_cast<double>(truth);
  }
}

TEST(Kink, HardSigmoidCornersFollowPyTorchInFloat) { expect_hardsigmoid_corners<float>(); }
TEST(Kink, HardSigmoidCornersFollowPyTorchInDouble) { expect_hardsigmoid_corners<double>(); }

/// Kinks that vanish for special parameter values are not reported: leaky_relu with slope 1 and
/// hardshrink / softshrink with lambd = 0 are the identity (lambd = 0 softshrink / hardshrink).
TEST(Kink, RemovableKinksAreNotReported) {
  for (const char* spec : {"leaky_relu(negative_slope=1)", "hardshrink(lambd=0)", "softshrink(lambd=0)",
                           "threshold(threshold=0, value=0)"}) {
    SCOPED_TRACE(spec);
    const actfn::Properties p = actfn::properties(actfn::parse(spec));
    if (std::string(spec).starts_with("threshold")) {
      EXPECT_EQ(p.kinks.size(), 1u);  // relu: a real kink
      continue;
    }
    EXPECT_TRUE(p.kinks.empty());
    EXPECT_EQ(p.smoothness, actfn::Smoothness::Smooth);
  }
}

}  // namespace
}  // namespace actfn_test
