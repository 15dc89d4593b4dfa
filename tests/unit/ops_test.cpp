// The span API: aliasing, sizes, argument checks, per-channel parameters and RReLU training noise.
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "test_support.hpp"

namespace actfn_test {
namespace {

using V = std::vector<double>;

V grid(std::size_t n) {
  V x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = -6.0 + 12.0 * static_cast<double>(i) / static_cast<double>(n - 1) + 0.013;
  return x;
}

class Ops : public testing::TestWithParam<Kind> {};

TEST_P(Ops, InPlaceEqualsOutOfPlace) {
  for (const Activation& act : variants(GetParam())) {
    SCOPED_TRACE(act.spec());
    const V x = grid(101);
    V y(x.size()), inplace = x;
    actfn::reference::forward<double>(act, x, y);
    actfn::reference::forward<double>(act, inplace, inplace);
    EXPECT_EQ(inplace, y);
    std::vector<float> xf(x.begin(), x.end()), yf(x.size()), inplace_f = xf;
    actfn::reference::forward<float>(act, xf, yf);
    actfn::reference::forward<float>(act, inplace_f, inplace_f);
    EXPECT_EQ(inplace_f, yf);
    // Backward may write dx over dy or over x.
    V dy(x.size());
    for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = 0.5 + 0.01 * static_cast<double>(i);
    V dx(x.size()), over_dy = dy, over_x = x;
    actfn::reference::backward<double>(act, {.x = x, .dy = dy}, dx);
    actfn::reference::backward<double>(act, {.x = x, .dy = over_dy}, over_dy);
    EXPECT_EQ(over_dy, dx);
    actfn::reference::backward<double>(act, {.x = over_x, .dy = dy}, over_x);
    EXPECT_EQ(over_x, dx);
  }
}

TEST_P(Ops, OverlapAndSizeErrors) {
  const Activation act(GetParam());
  V buf(20, 0.5);
  const std::span<double> all(buf);
  // Partial overlap: y starts one element into x.
  EXPECT_THROW(actfn::reference::forward<double>(act, all.first(10), all.subspan(1, 10)), actfn::Error);
  EXPECT_THROW(actfn::reference::forward<double>(act, all.subspan(1, 10), all.first(10)), actfn::Error);
  // Sizes.
  V x(5, 0.5), y4(4), y6(6), dy(5, 1.0), dx(5), dx4(4), dy4(4, 1.0);
  EXPECT_THROW(actfn::reference::forward<double>(act, x, y4), actfn::Error);
  EXPECT_THROW(actfn::reference::forward<double>(act, x, y6), actfn::Error);
  EXPECT_THROW(actfn::reference::backward<double>(act, {.x = x, .dy = dy}, dx4), actfn::Error);
  EXPECT_THROW(actfn::reference::backward<double>(act, {.x = x, .dy = dy4}, dx), actfn::Error);
  // dx partially overlapping dy.
  EXPECT_THROW(actfn::reference::backward<double>(act, {.x = x, .dy = all.first(5)}, all.subspan(2, 5)), actfn::Error);
  // Neither x nor y.
  EXPECT_THROW(actfn::reference::backward<double>(act, {.dy = dy}, dx), actfn::Error);
  // dparams of the wrong size.
  const std::size_t nl = actfn::learnable_count(act.kind());
  V dp(nl + 1);
  EXPECT_THROW(actfn::reference::backward<double>(act, {.x = x, .dy = dy}, dx, dp), actfn::Error);
  if (nl > 0) {
    V dpn(nl, 0.0);
    V y(5);
    actfn::reference::forward<double>(act, x, y);
    EXPECT_THROW(actfn::reference::backward<double>(act, {.y = y, .dy = dy}, dx, dpn), actfn::Error) << "parameter gradients need x";
  }
  // An element-wise activation has no Axis form.
  EXPECT_THROW(actfn::reference::forward<double>(act, actfn::Axis{1, 5, 1}, x, dx), actfn::Error);
  EXPECT_THROW(actfn::reference::backward<double>(act, actfn::Axis{1, 5, 1}, {.x = x, .y = x, .dy = dy}, dx), actfn::Error);
  EXPECT_THROW((void)actfn::reference::output_axis(act, 5), actfn::Error);
  // Empty spans are fine.
  EXPECT_NO_THROW(actfn::reference::forward<double>(act, std::span<const double>{}, std::span<double>{}));
}

/// Channels with every learnable parameter given per channel equals the flat API, channel by
/// channel, and dlearned accumulates over outer × inner.
TEST_P(Ops, ChannelsEqualPerChannelFlatCalls) {
  const actfn::FunctionInfo& fi = actfn::info(GetParam());
  std::vector<std::size_t> learnable;
  for (std::size_t i = 0; i < fi.params.size(); ++i)
    if (fi.params[i].learnable) learnable.push_back(i);
  const Activation base(GetParam());
  const actfn::Channels L{2, 3, 4};
  const std::size_t n = L.outer * L.channels * L.inner;
  const V x = grid(n);
  V y(n), dy(n), dx(n);
  for (std::size_t i = 0; i < n; ++i) dy[i] = 1.0 + 0.1 * static_cast<double>(i % 7);
  if (learnable.empty()) {
    const V none;
    EXPECT_THROW(actfn::reference::forward<double>(base, L, none, x, y), actfn::Error);
    return;
  }
  const std::size_t nl = learnable.size();
  V learned(L.channels * nl);
  for (std::size_t c = 0; c < L.channels; ++c)
    for (std::size_t j = 0; j < nl; ++j)
      learned[c * nl + j] = fi.params[learnable[j]].default_value + 0.1 * static_cast<double>(c + 1) + 0.05 * static_cast<double>(j);
  const V init = [&] {
    V v(L.channels * nl);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.5 * static_cast<double>(i) - 1;
    return v;
  }();
  V dlearned = init;
  actfn::reference::forward<double>(base, L, learned, x, y);
  actfn::reference::backward<double>(base, L, learned, {.x = x, .dy = dy}, dx, dlearned);
  for (std::size_t c = 0; c < L.channels; ++c) {
    Activation act = base;
    for (std::size_t j = 0; j < nl; ++j) act.set_param(fi.params[learnable[j]].name, learned[c * nl + j]);
    SCOPED_TRACE(act.spec());
    V expect_dp(nl, 0.0);
    for (std::size_t o = 0; o < L.outer; ++o) {
      const std::size_t at = (o * L.channels + c) * L.inner;
      const std::span<const double> xs(x.data() + at, L.inner), dys(dy.data() + at, L.inner);
      V ys(L.inner), dxs(L.inner);
      actfn::reference::forward<double>(act, xs, ys);
      actfn::reference::backward<double>(act, {.x = xs, .dy = dys}, dxs, expect_dp);
      for (std::size_t i = 0; i < L.inner; ++i) {
        EXPECT_EQ(y[at + i], ys[i]) << "o=" << o << " i=" << i;
        EXPECT_EQ(dx[at + i], dxs[i]) << "o=" << o << " i=" << i;
      }
    }
    for (std::size_t j = 0; j < nl; ++j)
      EXPECT_NEAR(dlearned[c * nl + j] - init[c * nl + j], expect_dp[j], 1e-14 * (1 + std::fabs(expect_dp[j])));
  }
  // Wrong sizes.
  V short_learned(learned.size() - 1), y_bad(n);
  EXPECT_THROW(actfn::reference::forward<double>(base, L, short_learned, x, y_bad), actfn::Error);
  EXPECT_THROW(actfn::reference::forward<double>(base, actfn::Channels{2, 3, 5}, learned, x, y_bad), actfn::Error);
  V short_dlearned(dlearned.size() + 1);
  EXPECT_THROW(actfn::reference::backward<double>(base, L, learned, {.x = x, .dy = dy}, dx, short_dlearned), actfn::Error);
}

INSTANTIATE_TEST_SUITE_P(ElementWise, Ops, testing::ValuesIn(element_wise_kinds()), KindName());

/// PReLU with one weight per channel, written out by hand.
TEST(Channels, PreluPerChannelByHand) {
  const Activation prelu(Kind::Prelu);
  const actfn::Channels L{2, 3, 2};
  const V w = {0.1, -0.2, 0.5};
  const V x = {-1, 2, -3, -4, 5, -6, /* outer 1 */ 7, -8, -9, 10, -11, 0};
  const V dy = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6};
  V y(12), dx(12), dw = {1.0, 2.0, 3.0};
  actfn::reference::forward<double>(prelu, L, w, x, y);
  actfn::reference::backward<double>(prelu, L, w, {.x = x, .dy = dy}, dx, dw);
  for (std::size_t o = 0; o < 2; ++o)
    for (std::size_t c = 0; c < 3; ++c)
      for (std::size_t i = 0; i < 2; ++i) {
        const std::size_t k = (o * 3 + c) * 2 + i;
        EXPECT_EQ(y[k], x[k] > 0 ? x[k] : w[c] * x[k]) << k;
        EXPECT_EQ(dx[k], dy[k] * (x[k] > 0 ? 1.0 : w[c])) << k;
      }
  // dweight_c = sum over its elements with x <= 0 of dy x, added to the previous value.
  EXPECT_EQ(dw[0], 1.0 + (1 * -1) + (4 * -8));
  EXPECT_EQ(dw[1], 2.0 + (2 * -3 + 2 * -4) + (5 * -9));
  EXPECT_EQ(dw[2], 3.0 + (3 * -6) + (6 * -11 + 6 * 0));
}

// ---- backward from y: when it is refused ----------------------------------------------------------

TEST(BackwardFromY, RefusedWhereYDoesNotDetermineTheGradient) {
  const V y = {0.5, -0.25}, dy = {1, 1};
  V dx(2);
  // leaky_relu with a negative slope: y > 0 for x > 0 and for x < 0.
  const Activation leaky = actfn::parse("leaky_relu(negative_slope=-0.5)");
  EXPECT_FALSE(leaky.backward_from_y());
  EXPECT_THROW(actfn::reference::backward<double>(leaky, {.y = y, .dy = dy}, dx), actfn::Error);
  EXPECT_TRUE(actfn::parse("leaky_relu(negative_slope=0.5)").backward_from_y());
  // prelu: its weight is learned and may turn negative.
  const Activation prelu(Kind::Prelu);
  EXPECT_FALSE(prelu.backward_from_y());
  EXPECT_THROW(actfn::reference::backward<double>(prelu, {.y = y, .dy = dy}, dx), actfn::Error);
  // Non-monotonic functions cannot invert y.
  for (const char* s : {"gelu", "silu", "mish", "swish", "hardswish", "telu"})
    EXPECT_FALSE(actfn::parse(s).backward_from_y()) << s;
  // elu with negative alpha is not monotonic either.
  EXPECT_FALSE(actfn::parse("elu(alpha=-0.5)").backward_from_y());
  // The softmax family works from y; glu and maxout need x.
  EXPECT_TRUE(Activation(Kind::Softmax).backward_from_y());
  EXPECT_FALSE(Activation(Kind::Glu).backward_from_y());
  EXPECT_FALSE(Activation(Kind::Maxout).backward_from_y());
}

// ---- RReLU training mode --------------------------------------------------------------------------

TEST(Rrelu, SlopesAreUniformInTheRange) {
  const Activation act = actfn::parse("rrelu(lower=0.1, upper=0.3)");
  const std::size_t n = 200000;
  double sum = 0, sum2 = 0, lo = 1, hi = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = actfn::reference::rrelu_slope(act, 42, i);
    ASSERT_GE(a, 0.1);
    ASSERT_LE(a, 0.3);
    sum += a;
    sum2 += a * a;
    lo = std::min(lo, a);
    hi = std::max(hi, a);
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  // U(0.1, 0.3): mean 0.2, variance 0.2^2/12; the sample mean's standard error is 1.3e-4.
  EXPECT_NEAR(mean, 0.2, 1e-3);
  EXPECT_NEAR(var, 0.04 / 12, 1e-4);
  EXPECT_LT(lo, 0.1 + 1e-4);
  EXPECT_GT(hi, 0.3 - 1e-4);
  // Deciles are equally filled.
  std::vector<int> bins(10, 0);
  for (std::size_t i = 0; i < n; ++i) ++bins[std::min<std::size_t>(9, static_cast<std::size_t>((actfn::reference::rrelu_slope(act, 7, i) - 0.1) / 0.02))];
  for (int b : bins) { EXPECT_NEAR(b, static_cast<double>(n) / 10, 0.05 * static_cast<double>(n) / 10); }
  // lower = upper: a fixed slope.
  const Activation fixed = actfn::parse("rrelu(lower=0.2, upper=0.2)");
  EXPECT_EQ(actfn::reference::rrelu_slope(fixed, 1, 5), 0.2);
  // Only rrelu has noise.
  EXPECT_THROW((void)actfn::reference::rrelu_slope(Activation(Kind::LeakyRelu), 1, 0), actfn::Error);
}

TEST(Rrelu, TrainingForwardIsDeterministicAndSplittable) {
  const Activation act(Kind::Rrelu);
  const std::size_t n = 1000;
  V x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = std::sin(static_cast<double>(i) * 1.7) * 3;
  V a(n), b(n), c(n), split(n);
  actfn::reference::rrelu_train_forward<double>(act, 123, 0, x, a);
  actfn::reference::rrelu_train_forward<double>(act, 123, 0, x, b);
  actfn::reference::rrelu_train_forward<double>(act, 124, 0, x, c);
  EXPECT_EQ(a, b) << "same seed, same result";
  std::size_t differ = 0;
  for (std::size_t i = 0; i < n; ++i) differ += a[i] != c[i];
  std::size_t negatives = 0;
  for (double v : x) negatives += v < 0;
  EXPECT_GT(differ, negatives * 9 / 10) << "another seed gives other slopes";
  // Two halves with offsets give the one full call.
  const std::span<const double> xs(x);
  const std::span<double> ss(split);
  actfn::reference::rrelu_train_forward<double>(act, 123, 0, xs.first(n / 2), ss.first(n / 2));
  actfn::reference::rrelu_train_forward<double>(act, 123, n / 2, xs.subspan(n / 2), ss.subspan(n / 2));
  EXPECT_EQ(split, a);
  // Slope by slope: x for x >= 0, slope(seed, offset + i) x otherwise, within [lower, upper].
  const double lower = 1.0 / 8, upper = 1.0 / 3;
  V slopes;
  for (std::size_t i = 0; i < n; ++i) {
    if (x[i] >= 0) {
      EXPECT_EQ(a[i], x[i]);
    } else {
      const double s = actfn::reference::rrelu_slope(act, 123, i);
      EXPECT_EQ(a[i], s * x[i]);
      EXPECT_GE(a[i] / x[i], lower - 1e-15);
      EXPECT_LE(a[i] / x[i], upper + 1e-15);
      slopes.push_back(s);
    }
  }
  const double mean = std::accumulate(slopes.begin(), slopes.end(), 0.0) / static_cast<double>(slopes.size());
  EXPECT_NEAR(mean, (lower + upper) / 2, 0.02);
  // Eval mode (plain forward) uses the mean slope.
  EXPECT_DOUBLE_EQ(f64(act, -2.0), -2.0 * (lower + upper) / 2);
  // float: the same slopes, rounded.
  std::vector<float> xf(x.begin(), x.end()), yf(n);
  actfn::reference::rrelu_train_forward<float>(act, 123, 0, xf, yf);
  for (std::size_t i = 0; i < n; ++i)
    if (xf[i] < 0) { EXPECT_LE(ulp_distance(yf[i], static_cast<float>(actfn::reference::rrelu_slope(act, 123, i) * xf[i])), 1u); }
}

TEST(Rrelu, TrainingBackwardUsesTheForwardSlopes) {
  const Activation act = actfn::parse("rrelu(lower=0.05, upper=0.45)");
  const std::size_t n = 500;
  V x(n), dy(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = std::cos(static_cast<double>(i) * 0.9) * 2;
    dy[i] = 1.0 + 0.01 * static_cast<double>(i);
  }
  x[0] = 0.0;
  V y(n), dx(n);
  actfn::reference::rrelu_train_forward<double>(act, 9, 1000, x, y);
  actfn::reference::rrelu_train_backward<double>(act, 9, 1000, x, dy, dx);
  for (std::size_t i = 0; i < n; ++i) {
    const double slope = x[i] > 0 ? 1.0 : actfn::reference::rrelu_slope(act, 9, 1000 + i);
    EXPECT_EQ(dx[i], dy[i] * slope) << i;
    if (x[i] != 0) { EXPECT_NEAR(dx[i], dy[i] * y[i] / x[i], 1e-15 * std::fabs(dx[i])) << "dy * y/x"; }
  }
  // The slope at x = 0 is the random one (PyTorch: x <= 0 uses the noise).
  EXPECT_EQ(dx[0], dy[0] * actfn::reference::rrelu_slope(act, 9, 1000));
  // Split backward equals the whole.
  V dx2(n);
  const std::span<const double> xs(x), dys(dy);
  const std::span<double> d2(dx2);
  actfn::reference::rrelu_train_backward<double>(act, 9, 1000, xs.first(100), dys.first(100), d2.first(100));
  actfn::reference::rrelu_train_backward<double>(act, 9, 1100, xs.subspan(100), dys.subspan(100), d2.subspan(100));
  EXPECT_EQ(dx2, dx);
  // NaN propagates; wrong sizes and other activations throw.
  const double nan = kNaN;
  double out = 0;
  actfn::reference::rrelu_train_forward<double>(act, 1, 0, std::span<const double>(&nan, 1), std::span<double>(&out, 1));
  EXPECT_TRUE(std::isnan(out));
  const double one = 1;
  actfn::reference::rrelu_train_backward<double>(act, 1, 0, std::span<const double>(&nan, 1), std::span<const double>(&one, 1),
                                      std::span<double>(&out, 1));
  EXPECT_TRUE(std::isnan(out));
  V short_y(n - 1);
  EXPECT_THROW(actfn::reference::rrelu_train_forward<double>(act, 1, 0, x, short_y), actfn::Error);
  EXPECT_THROW(actfn::reference::rrelu_train_backward<double>(act, 1, 0, x, short_y, dx), actfn::Error);
  EXPECT_THROW(actfn::reference::rrelu_train_forward<double>(Activation(Kind::Relu), 1, 0, x, y), actfn::Error);
}

}  // namespace
}  // namespace actfn_test
