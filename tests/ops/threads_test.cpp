// Splitting arrays across threads: every element is computed exactly as on one thread, whatever the
// thread count, threshold, length or aliasing; the settings read back and reset to defaults.
#include <bit>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/actfn.hpp"
#include "settings_guard.hpp"

namespace {


std::vector<float> random_inputs(std::size_t n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-8.0f, 8.0f);
  std::vector<float> v(n);
  for (float& e : v) e = u(gen);
  return v;
}

bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<std::uint32_t>(a[i]) != std::bit_cast<std::uint32_t>(b[i])) return false;
  return true;
}

TEST(Threads, SettingsReadBackAndResetToDefaults) {
  const SettingsGuard guard;
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  EXPECT_EQ(actfn::threads(), hardware);
  actfn::set_threads(3);
  EXPECT_EQ(actfn::threads(), 3u);
  actfn::set_threads(0);
  EXPECT_EQ(actfn::threads(), hardware);
  actfn::set_parallel_threshold(1000);
  EXPECT_EQ(actfn::parallel_threshold(), 1000u);
  actfn::set_parallel_threshold(0);
  EXPECT_EQ(actfn::parallel_threshold(), 262144u);
}

// More threads than cores and a low threshold force many uneven slices; the results must be the
// one-thread results bit for bit, out of place and in place, forward and backward.
TEST(Threads, SplitResultsEqualOneThread) {
  const SettingsGuard guard;
  const char* const specs[] = {"relu", "leaky_relu(negative_slope=0.1)", "sigmoid", "tanh", "mish", "gelu",
                               "hardswish", "elu"};
  const std::size_t lengths[] = {4095, 4096 * 3 + 17, 100003};
  for (const char* spec : specs) {
    const actfn::Activation act = actfn::parse(spec);
    for (const std::size_t n : lengths) {
      SCOPED_TRACE(std::string(spec) + " n=" + std::to_string(n));
      const std::vector<float> x = random_inputs(n, 7), dy = random_inputs(n, 8);
      actfn::set_threads(1);
      std::vector<float> y1(n), dx1(n);
      actfn::forward<float>(act, x, y1);
      actfn::backward<float>(act, {.x = x, .dy = dy}, dx1);
      for (const unsigned t : {2u, 3u, 7u}) {
        actfn::set_threads(t);
        actfn::set_parallel_threshold(1000);
        std::vector<float> y(n), dx(n), inplace = x;
        actfn::forward<float>(act, x, y);
        actfn::forward<float>(act, inplace, inplace);
        actfn::backward<float>(act, {.x = x, .dy = dy}, dx);
        EXPECT_TRUE(bitwise_equal(y, y1)) << t << " threads";
        EXPECT_TRUE(bitwise_equal(inplace, y1)) << t << " threads, in place";
        EXPECT_TRUE(bitwise_equal(dx, dx1)) << t << " threads";
      }
      actfn::set_parallel_threshold(0);
    }
  }
}

// Calls from several user threads at once: one holds the pool, the others run alone; all correct.
TEST(Threads, ConcurrentCallersAllGetCorrectResults) {
  const SettingsGuard guard;
  actfn::set_threads(2);
  actfn::set_parallel_threshold(1000);
  const actfn::Activation act = actfn::parse("sigmoid");
  const std::vector<float> x = random_inputs(50000, 3);
  std::vector<std::vector<float>> outs(4, std::vector<float>(x.size()));
  {
    std::vector<std::jthread> callers;
    for (auto& out : outs)
      callers.emplace_back([&] {
        for (int r = 0; r < 20; ++r) actfn::forward<float>(act, x, out);
      });
  }
  std::vector<float> one(x.size());
  actfn::set_threads(1);
  actfn::forward<float>(act, x, one);
  for (const auto& out : outs) EXPECT_TRUE(bitwise_equal(out, one));
}

}  // namespace
