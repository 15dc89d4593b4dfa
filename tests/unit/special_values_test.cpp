// Special inputs: NaN, ±inf, signed zeros, and f(0) where it has a closed form; and a sweep over
// finite bit patterns that must never produce NaN (or inf where the true value is finite).
#include <cmath>
#include <cstring>
#include <numbers>
#include <vector>

#include "test_support.hpp"

namespace actfn_test {
namespace {

class SpecialValues : public testing::TestWithParam<Kind> {};

template <class T>
void expect_nan_propagates(const Activation& act) {
  const T nan = std::numeric_limits<T>::quiet_NaN();
  const std::vector<T> x = {T(1.5), nan, T(-0.75)};
  std::vector<T> y(3), dx(3);
  const std::vector<T> dy = {T(1), T(1), T(1)};
  actfn::reference::forward<T>(act, x, y);
  EXPECT_TRUE(std::isnan(y[1])) << "forward";
  EXPECT_FALSE(std::isnan(y[0]) || std::isnan(y[2])) << "NaN leaked into its neighbours";
  actfn::reference::backward<T>(act, {.x = x, .dy = dy}, dx);
  EXPECT_TRUE(std::isnan(dx[1])) << "backward from x";
  EXPECT_FALSE(std::isnan(dx[0]) || std::isnan(dx[2]));
  if (act.backward_from_y()) {
    std::vector<T> dxy(3);
    actfn::reference::backward<T>(act, {.y = y, .dy = dy}, dxy);
    EXPECT_TRUE(std::isnan(dxy[1])) << "backward from y";
  }
  if (const std::size_t n = actfn::learnable_count(act.kind()); n > 0) {
    std::vector<T> dp(n, T(0));
    actfn::reference::backward<T>(act, {.x = std::span<const T>(x).subspan(1, 1), .dy = std::span<const T>(dy).subspan(1, 1)},
                       std::span<T>(dx).subspan(1, 1), dp);
    for (T g : dp) { EXPECT_TRUE(std::isnan(g)) << "parameter gradient at x = NaN"; }
  }
}

TEST_P(SpecialValues, NaNInGivesNaNOut) {
  for (const Activation& act : variants(GetParam())) {
    SCOPED_TRACE(act.spec());
    expect_nan_propagates<double>(act);
    expect_nan_propagates<float>(act);
  }
}

/// f(±inf) is the limit of f: finite limits agree with f(±1e30) (every activation here is within
/// 1e-12 of its limit by then), infinite ones have the sign f has out there. Same for f'.
TEST_P(SpecialValues, InfinityGivesTheLimit) {
  for (const Activation& act : variants(GetParam())) {
    SCOPED_TRACE(act.spec());
    for (double s : {-1.0, 1.0}) {
      const double at_inf = f64(act, s * kInf), far = f64(act, s * 1e30);
      const double d_inf = df64(act, s * kInf), d_far = df64(act, s * 1e30);
      ASSERT_FALSE(std::isnan(at_inf)) << "f(" << s * kInf << ")";
      ASSERT_FALSE(std::isnan(d_inf)) << "f'(" << s * kInf << ")";
      if (std::fabs(far) < 1e15)
        EXPECT_NEAR(at_inf, far, 1e-12 * (1 + std::fabs(far))) << "f(" << s * kInf << ")";
      else
        EXPECT_EQ(at_inf, std::copysign(kInf, far)) << "f(" << s * kInf << ")";
      if (std::fabs(d_far) < 1e15)
        EXPECT_NEAR(d_inf, d_far, 1e-12 * (1 + std::fabs(d_far))) << "f'(" << s * kInf << ")";
      else
        EXPECT_EQ(d_inf, std::copysign(kInf, d_far)) << "f'(" << s * kInf << ")";
      // The float path agrees.
      EXPECT_EQ(fwd<float>(act, static_cast<float>(s * kInf)), static_cast<float>(f64(float_params(act), s * kInf)));
      EXPECT_FALSE(std::isnan(bwd<float>(act, static_cast<float>(s * kInf))));
      if (const std::size_t n = actfn::learnable_count(act.kind()); n > 0) {
        std::vector<double> dp(n, 0.0);
        const double x = s * kInf, dy = 1;
        double dx = 0;
        actfn::reference::backward<double>(act, {.x = std::span<const double>(&x, 1), .dy = std::span<const double>(&dy, 1)},
                                std::span<double>(&dx, 1), dp);
        for (double g : dp) { EXPECT_FALSE(std::isnan(g)) << "parameter gradient at " << x; }
      }
    }
  }
}

/// Finite inputs never give NaN, and give inf only where the true value overflows: every
/// activation grows at most like 1.06 |x| except relu_squared (x²), so below sqrt(max) no result
/// may be infinite.
template <class T, class U>
void sweep(const Activation& act, int step_log2) {
  std::vector<T> x;
  for (std::uint64_t b = 0; b < (std::uint64_t{1} << (sizeof(U) * 8 - step_log2)); ++b) {
    const U bits = static_cast<U>((static_cast<U>(b) << step_log2) | static_cast<U>(b * 0x9e3779b97f4a7c15ULL >> 40));
    T v;
    std::memcpy(&v, &bits, sizeof v);
    if (std::isfinite(v)) x.push_back(v);
  }
  const T big = std::sqrt(std::numeric_limits<T>::max());
  std::vector<T> y(x.size()), dx(x.size()), dy(x.size(), T(1));
  actfn::reference::forward<T>(act, x, y);
  actfn::reference::backward<T>(act, {.x = x, .dy = dy}, dx);
  int failures = 0;
  for (std::size_t i = 0; i < x.size() && failures < 5; ++i) {
    const bool ok_y = !std::isnan(y[i]) && (std::isfinite(y[i]) || std::fabs(x[i]) >= big);
    const bool ok_dx = !std::isnan(dx[i]) && (std::isfinite(dx[i]) || std::fabs(x[i]) >= big);
    if (!ok_y || !ok_dx) {
      ++failures;
      ADD_FAILURE() << "x=" << x[i] << " f=" << y[i] << " f'=" << dx[i];
    }
  }
  if (act.backward_from_y()) {
    std::vector<T> yy, dxy;
    for (T v : y)
      if (std::isfinite(v)) yy.push_back(v);
    dxy.resize(yy.size());
    actfn::reference::backward<T>(act, {.y = yy, .dy = std::span<const T>(dy).first(yy.size())}, dxy);
    for (std::size_t i = 0; i < yy.size(); ++i)
      if (std::isnan(dxy[i]) && failures++ < 5) { ADD_FAILURE() << "backward from y=" << yy[i] << " gives NaN"; }
  }
  if (const std::size_t n = actfn::learnable_count(act.kind()); n > 0) {
    for (std::size_t i = 0; i < x.size(); i += 7) {
      std::vector<T> dp(n, T(0));
      T dxi = 0;
      actfn::reference::backward<T>(act, {.x = std::span<const T>(&x[i], 1), .dy = std::span<const T>(&dy[i], 1)},
                         std::span<T>(&dxi, 1), dp);
      for (T g : dp)
        if (std::isnan(g) && failures++ < 5) { ADD_FAILURE() << "parameter gradient NaN at x=" << x[i]; }
    }
  }
}

TEST_P(SpecialValues, FiniteInputsGiveNoNaN) {
  for (const Activation& act : variants(GetParam())) {
    SCOPED_TRACE(act.spec());
    {
      SCOPED_TRACE("float");
      sweep<float, std::uint32_t>(act, 20);
    }
    {
      SCOPED_TRACE("double");
      sweep<double, std::uint64_t>(act, 51);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ElementWise, SpecialValues, testing::ValuesIn(element_wise_kinds()), KindName());

// ---- signed zeros --------------------------------------------------------------------------------

/// Odd functions map -0 to -0 (and +0 to +0), as the libm functions they generalise do.
TEST(SignedZero, OddFunctionsKeepTheSignOfZero) {
  for (const char* spec : {"tanh", "softsign", "hardtanh", "identity", "lecun_tanh", "tanhshrink"}) {
    SCOPED_TRACE(spec);
    const Activation act = actfn::parse(spec);
    const double neg = f64(act, -0.0), pos = f64(act, 0.0);
    EXPECT_EQ(neg, 0.0);
    EXPECT_TRUE(std::signbit(neg)) << "f(-0) should be -0";
    EXPECT_EQ(pos, 0.0);
    EXPECT_FALSE(std::signbit(pos)) << "f(+0) should be +0";
    const float negf = fwd<float>(act, -0.0f);
    EXPECT_TRUE(negf == 0.0f && std::signbit(negf)) << "float f(-0) should be -0";
    const actfn::Properties p = actfn::properties(act);
    EXPECT_TRUE(p.at_neg_zero == 0 && std::signbit(p.at_neg_zero));
    EXPECT_TRUE(p.at_pos_zero == 0 && !std::signbit(p.at_pos_zero));
  }
}

/// Shrinkage gives 0 inside the dead zone; the docs do not fix its sign, so only the value is tested.
TEST(SignedZero, ShrinkageGivesZeroAtZero) {
  for (const char* spec : {"hardshrink", "softshrink"}) {
    SCOPED_TRACE(spec);
    const Activation act = actfn::parse(spec);
    EXPECT_EQ(f64(act, -0.0), 0.0);
    EXPECT_EQ(f64(act, 0.0), 0.0);
    EXPECT_EQ(df64(act, -0.0), 0.0);
  }
}

// ---- f(0) in closed form -------------------------------------------------------------------------

TEST(ValueAtZero, ClosedForms) {
  const double ln2 = std::numbers::ln2;
  const struct {
    const char* spec;
    double f0;
  } cases[] = {
      {"sigmoid", 0.5},
      {"hard_sigmoid", 0.5},
      {"hard_sigmoid(preset=keras2)", 0.5},
      {"hard_sigmoid(slope=0.5, offset=0.25)", 0.25},
      {"log_sigmoid", -ln2},
      {"generalized_sigmoid", 0.5},
      // alpha / (1 + beta e^(gamma epsilon)) + delta at epsilon = 0.
      {"generalized_sigmoid(alpha=2, beta=3, delta=0.1)", 2.0 / 4.0 + 0.1},
      {"step", 0.5},
      {"step(value_at_zero=0.25)", 0.25},
      {"heaviside(value_at_zero=1)", 1.0},
      {"softplus", ln2},
      {"softplus(beta=2)", ln2 / 2},
      {"squareplus", 1.0},  // sqrt(4)/2
      {"squareplus(b=2)", std::numbers::sqrt2 / 2},
      {"gelu", 0.0},
      {"gelu(approximate=tanh)", 0.0},
      {"gelu(approximate=sigmoid)", 0.0},
      {"silu", 0.0},
      {"swish(beta=3)", 0.0},
      {"mish", 0.0},
      {"telu", 0.0},
      {"hardswish", 0.0},
      {"tanh", 0.0},
      {"shifted_tanh(input_shift=1, output_shift=2)", std::tanh(-1.0) + 2},
      {"elu", 0.0},
      {"celu", 0.0},
      {"selu", 0.0},
      {"relu", 0.0},
      {"relu_squared", 0.0},
      {"threshold(threshold=1, value=7)", 7.0},
      {"hardtanh(min_val=0.5, max_val=2)", 0.5},
      {"clipped_relu", 0.0},
      {"identity", 0.0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.spec);
    const Activation act = actfn::parse(c.spec);
    EXPECT_NEAR(f64(act, 0.0), c.f0, 4e-16 * std::fabs(c.f0) + 1e-300);
    EXPECT_NEAR(fwd<float>(act, 0.0f), static_cast<float>(c.f0), 1e-7f * std::fabs(static_cast<float>(c.f0)));
  }
}

/// Derivatives at 0 in closed form (smooth functions only; kink_test has the kinks).
TEST(ValueAtZero, DerivativeClosedForms) {
  const struct {
    const char* spec;
    double d0;
  } cases[] = {
      {"sigmoid", 0.25},       {"tanh", 1.0},          {"softsign", 1.0},
      {"log_sigmoid", 0.5},    {"softplus", 0.5},      {"squareplus", 0.5},
      {"gelu", 0.5},           {"silu", 0.5},          {"swish(beta=3)", 0.5},
      {"mish", 0.6},  // tanh(ln 2) = 3/5
      {"telu", 0.76159415595576489},  // tanh(1)
      {"lecun_tanh", 1.7159 * 2 / 3}, {"tanhshrink", 0.0}, {"identity", 1.0},
      {"hardswish", 0.5},      {"gelu(approximate=tanh)", 0.5}, {"gelu(approximate=sigmoid)", 0.5},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.spec);
    EXPECT_NEAR(df64(actfn::parse(c.spec), 0.0), c.d0, 1e-15);
  }
}

// ---- vector-wise NaN -----------------------------------------------------------------------------

class VectorNaN : public testing::TestWithParam<Kind> {};

/// A NaN in one row poisons what depends on it (softmax: its whole row; glu: the output it gates or
/// is gated by; maxout: its group) and nothing in the other row.
TEST_P(VectorNaN, RowWithNaNGivesNaN) {
  const Activation act(GetParam());
  const std::size_t n = 4;
  std::vector<double> x = {0.3, -1.2, 2.0, 0.7, 1.0, -0.5, 0.25, 1.5};
  x[1] = kNaN;  // row 0, position 1 (a first half for glu, group 0 for maxout)
  const std::size_t out = actfn::reference::output_axis(act, n);
  std::vector<double> y(2 * out);
  actfn::reference::forward<double>(act, actfn::Axis{2, n, 1}, x, y);
  for (std::size_t j = out; j < 2 * out; ++j) { EXPECT_FALSE(std::isnan(y[j])) << "row 1 output " << j; }
  const auto name = act.name();
  if (name == "softmax" || name == "log_softmax" || name == "softmin") {
    for (std::size_t j = 0; j < out; ++j) { EXPECT_TRUE(std::isnan(y[j])) << j; }
  } else {
    // glu family: output 1 is a[1] gate(b[1]); maxout(pieces=2): output 0 is max(x0, x1).
    const std::size_t poisoned = act.kind() == Kind::Maxout ? 0 : 1;
    EXPECT_TRUE(std::isnan(y[poisoned]));
  }
  // NaN in a glu gate half.
  if (act.info().backward_needs == actfn::Needs::X && act.kind() != Kind::Maxout) {
    std::vector<double> x2 = {0.3, -1.2, kNaN, 0.7};
    std::vector<double> y2(2);
    actfn::reference::forward<double>(act, actfn::Axis{1, 4, 1}, x2, y2);
    EXPECT_TRUE(std::isnan(y2[0]));
    EXPECT_FALSE(std::isnan(y2[1]));
  }
  // Backward: from y for the softmax family, from x otherwise.
  std::vector<double> dy(2 * out, 1.0), dx(2 * n);
  if (act.info().backward_needs == actfn::Needs::Y) {
    actfn::reference::backward<double>(act, actfn::Axis{2, n, 1}, {.y = y, .dy = dy}, dx);
    for (std::size_t i = 0; i < n; ++i) { EXPECT_TRUE(std::isnan(dx[i])) << i; }
    for (std::size_t i = n; i < 2 * n; ++i) { EXPECT_FALSE(std::isnan(dx[i])) << i; }
  } else if (act.kind() == Kind::Maxout) {
    // A NaN is the maximum (as torch.max): the gradient goes to it, and nowhere else in its group.
    actfn::reference::backward<double>(act, actfn::Axis{2, n, 1}, {.x = x, .dy = dy}, dx);
    EXPECT_EQ(dx[0], 0.0);
    EXPECT_EQ(dx[1], 1.0);
  } else {
    actfn::reference::backward<double>(act, actfn::Axis{2, n, 1}, {.x = x, .dy = dy}, dx);
    // da = dy gate(b) does not involve a itself (as in PyTorch), so only db sees the NaN.
    EXPECT_FALSE(std::isnan(dx[1])) << "da at the NaN";
    EXPECT_TRUE(std::isnan(dx[3])) << "db of the NaN's gate: a times gate'(b) with a = NaN";
    for (std::size_t i = n; i < 2 * n; ++i) { EXPECT_FALSE(std::isnan(dx[i])) << i; }
  }
}

INSTANTIATE_TEST_SUITE_P(VectorWise, VectorNaN, testing::ValuesIn(vector_wise_kinds()), KindName());

}  // namespace
}  // namespace actfn_test
