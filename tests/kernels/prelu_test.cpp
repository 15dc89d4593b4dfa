// Per-channel PReLU on the fused kernel: y and dx bit-identical to the reference on every target,
// dα (= Σ dy·x over x ≤ 0 per channel, accumulated into dlearned) within rounding of the exact sum,
// in place, split across threads, NaN propagating, malformed calls rejected as by the reference.
#include <cmath>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/actfn.hpp"
#include "settings_guard.hpp"

namespace {

using actfn::Channels;


template <class T>
std::vector<T> random_values(std::size_t n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-4.0, 4.0);
  std::vector<T> v(n);
  for (T& e : v) e = static_cast<T>(u(gen));
  // Zeros of both signs sit on the kink, where PyTorch's slope is the weight.
  for (std::size_t i = 0; i < n; i += 11) v[i] = T(0);
  for (std::size_t i = 5; i < n; i += 13) v[i] = -T(0);
  return v;
}

template <class T>
bool bitwise_equal(const std::vector<T>& a, const std::vector<T>& b) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      if (!(std::isnan(a[i]) && std::isnan(b[i]))) return false;
    } else if (a[i] != b[i] || std::signbit(a[i]) != std::signbit(b[i])) {
      return false;
    }
  }
  return a.size() == b.size();
}

/// dlearned after accumulating the exact per-channel sums onto `start`, with the bound on how far
/// a correct implementation may be: half an ULP of T for the final rounding plus an f64 sum's error.
template <class T>
void expect_dalpha_near_exact(Channels L, const std::vector<T>& x, const std::vector<T>& dy,
                              const std::vector<T>& start, const std::vector<T>& got) {
  for (std::size_t c = 0; c < L.channels; ++c) {
    long double exact = start[c], magnitude = std::fabs(static_cast<long double>(start[c]));
    for (std::size_t o = 0; o < L.outer; ++o)
      for (std::size_t i = 0; i < L.inner; ++i) {
        const std::size_t at = (o * L.channels + c) * L.inner + i;
        if (!(x[at] > 0)) {
          exact += static_cast<long double>(dy[at]) * x[at];
          magnitude += std::fabs(static_cast<long double>(dy[at]) * x[at]);
        }
      }
    const double ulp = std::fabs(static_cast<double>(std::nextafter(static_cast<T>(exact), std::numeric_limits<T>::infinity()) -
                                                     static_cast<T>(exact)));
    const double bound = 0.5 * ulp + static_cast<double>(magnitude) * static_cast<double>(L.outer * L.inner + 1) * 0x1p-53;
    EXPECT_NEAR(static_cast<double>(got[c]), static_cast<double>(exact), bound) << "channel " << c;
  }
}

template <class T>
void check_layout(Channels L) {
  const actfn::Activation act = actfn::parse("prelu");
  const std::size_t n = L.outer * L.channels * L.inner;
  const std::vector<T> x = random_values<T>(n, 1), dy = random_values<T>(n, 2);
  std::vector<T> alpha(L.channels);
  for (std::size_t c = 0; c < L.channels; ++c) alpha[c] = static_cast<T>(0.25 - 0.3 * static_cast<double>(c));
  const std::vector<T> start(L.channels, T(0.5));

  std::vector<T> y_ref(n), dx_ref(n);
  actfn::reference::forward<T>(act, L, alpha, x, y_ref);
  actfn::reference::backward<T>(act, L, alpha, {.x = x, .dy = dy}, dx_ref);

  for (const std::string& target : actfn::targets()) {
    SCOPED_TRACE(target);
    actfn::set_target(target);
    std::vector<T> y(n), dx(n), dalpha = start;
    actfn::forward<T>(act, L, alpha, x, y);
    EXPECT_TRUE(bitwise_equal(y, y_ref));
    actfn::backward<T>(act, L, alpha, {.x = x, .dy = dy}, dx, dalpha);
    EXPECT_TRUE(bitwise_equal(dx, dx_ref));
    expect_dalpha_near_exact(L, x, dy, start, dalpha);
    // In place: y over x; dx over dy, then over x.
    std::vector<T> inplace = x;
    actfn::forward<T>(act, L, alpha, inplace, inplace);
    EXPECT_TRUE(bitwise_equal(inplace, y_ref));
    std::vector<T> over_dy = dy, over_x = x, d2 = start;
    actfn::backward<T>(act, L, alpha, {.x = x, .dy = over_dy}, over_dy, d2);
    EXPECT_TRUE(bitwise_equal(over_dy, dx_ref));
    EXPECT_EQ(d2, dalpha);
    actfn::backward<T>(act, L, alpha, {.x = over_x, .dy = dy}, over_x);
    EXPECT_TRUE(bitwise_equal(over_x, dx_ref));
  }
}

TEST(PreluChannels, MatchesReferenceOnEveryTarget) {
  const SettingsGuard guard;
  for (const Channels L : {Channels{3, 5, 37}, Channels{2, 4, 1000}, Channels{1, 1, 4099}, Channels{4, 3, 16}}) {
    SCOPED_TRACE(std::to_string(L.outer) + "x" + std::to_string(L.channels) + "x" + std::to_string(L.inner));
    check_layout<float>(L);
    check_layout<double>(L);
  }
}

// Channels last (inner = 1, NHWC) has its own kernel, vectors along the channels; channel counts
// around the vector widths leave scalar tails.
TEST(PreluChannels, ChannelsLastMatchesReferenceOnEveryTarget) {
  const SettingsGuard guard;
  for (const std::size_t channels : {1, 3, 8, 17, 64, 67}) {
    SCOPED_TRACE("channels " + std::to_string(channels));
    check_layout<float>(Channels{50, channels, 1});
    check_layout<double>(Channels{50, channels, 1});
  }
}

// 1 < inner < 16 runs on the reference: the same numbers, same accumulation.
TEST(PreluChannels, ShortBlocksEqualReference) {
  const actfn::Activation act = actfn::parse("prelu");
  const Channels L{10, 8, 5};
  const std::vector<float> x = random_values<float>(400, 3), dy = random_values<float>(400, 4), alpha(8, 0.1f);
  std::vector<float> dx(400), dx_ref(400), da(8, 0.0f), da_ref(8, 0.0f);
  actfn::backward<float>(act, L, alpha, {.x = x, .dy = dy}, dx, da);
  actfn::reference::backward<float>(act, L, alpha, {.x = x, .dy = dy}, dx_ref, da_ref);
  EXPECT_TRUE(bitwise_equal(dx, dx_ref));
  EXPECT_EQ(da, da_ref);
}

TEST(PreluChannels, ThreadsGiveTheSameDx) {
  const SettingsGuard guard;
  const actfn::Activation act = actfn::parse("prelu");
  const Channels L{8, 16, 1024};
  const std::size_t n = L.outer * L.channels * L.inner;
  const std::vector<float> x = random_values<float>(n, 5), dy = random_values<float>(n, 6), alpha(16, -0.2f);
  std::vector<float> dx1(n), da1(16, 0.0f);
  actfn::set_threads(1);
  actfn::backward<float>(act, L, alpha, {.x = x, .dy = dy}, dx1, da1);
  for (const unsigned t : {2u, 5u}) {
    actfn::set_threads(t);
    actfn::set_parallel_threshold(1000);
    std::vector<float> dx(n), da(16, 0.0f);
    actfn::backward<float>(act, L, alpha, {.x = x, .dy = dy}, dx, da);
    EXPECT_TRUE(bitwise_equal(dx, dx1));
    expect_dalpha_near_exact<float>(L, x, dy, std::vector<float>(16, 0.0f), da);
  }
}

TEST(PreluChannels, NanReachesOnlyItsChannel) {
  const actfn::Activation act = actfn::parse("prelu");
  const Channels L{2, 3, 64};
  std::vector<float> x = random_values<float>(384, 7);
  const std::vector<float> dy = random_values<float>(384, 8), alpha(3, 0.25f);
  x[64 + 10] = std::numeric_limits<float>::quiet_NaN();  // outer 0, channel 1
  std::vector<float> dx(384), da(3, 0.0f);
  actfn::backward<float>(act, L, alpha, {.x = x, .dy = dy}, dx, da);
  EXPECT_TRUE(std::isnan(dx[74]));
  EXPECT_FALSE(std::isnan(da[0]));
  EXPECT_TRUE(std::isnan(da[1]));
  EXPECT_FALSE(std::isnan(da[2]));
}

// The shared-weight PReLU's dparams take the same fused pass.
TEST(PreluChannels, SharedWeightGradient) {
  const actfn::Activation act = actfn::parse("prelu(weight=-0.5)");
  const std::vector<float> x = random_values<float>(10007, 9), dy = random_values<float>(10007, 10);
  std::vector<float> dx(x.size()), dx_ref(x.size()), dw{0.25f};
  actfn::backward<float>(act, {.x = x, .dy = dy}, dx, dw);
  actfn::reference::backward<float>(act, {.x = x, .dy = dy}, dx_ref);
  EXPECT_TRUE(bitwise_equal(dx, dx_ref));
  expect_dalpha_near_exact<float>(Channels{1, 1, x.size()}, x, dy, {0.25f}, dw);
}

TEST(PreluChannels, MalformedCallsAreRejected) {
  const actfn::Activation act = actfn::parse("prelu");
  const std::vector<float> x(120, 1.0f), dy(120, 1.0f), alpha3(3, 0.1f), alpha4(4, 0.1f);
  std::vector<float> y(120), dx(120), da3(3), da2(2);
  EXPECT_THROW(actfn::forward<float>(act, Channels{2, 3, 20}, alpha4, x, y), actfn::Error);
  EXPECT_THROW(actfn::forward<float>(act, Channels{2, 3, 21}, alpha3, x, y), actfn::Error);
  EXPECT_THROW(actfn::backward<float>(act, Channels{2, 3, 20}, alpha3, {.x = x, .dy = dy}, dx, da2), actfn::Error);
  EXPECT_THROW(actfn::backward<float>(act, Channels{2, 3, 20}, alpha3, {.y = x, .dy = dy}, dx, da3), actfn::Error);
}

}  // namespace
