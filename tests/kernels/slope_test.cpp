// forward_with_slope: y and f'(x) in one call are forward's y and backward's dx for dy = 1, bit for
// bit, for every element-wise activation, f32 and f64, on every compiled target, at every length
// around the vector widths, in place and split across threads; bad spans give the errors.
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

/// Random values with the special ones (±0, ±inf, NaN, huge, tiny) sprinkled in.
template <class T>
std::vector<T> inputs(std::size_t n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<T> normal(T(0), T(4));
  const T specials[] = {T(0), -T(0), std::numeric_limits<T>::infinity(), -std::numeric_limits<T>::infinity(),
                        std::numeric_limits<T>::quiet_NaN(), T(1e30), T(-1e30), T(-40), T(1e-40), T(-0.7517915)};
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = i % 7 == 3 ? specials[(i / 7) % std::size(specials)] : normal(gen);
  return v;
}

template <class T>
auto bits(T v) {
  if constexpr (sizeof(T) == 4)
    return std::bit_cast<std::uint32_t>(v);
  else
    return std::bit_cast<std::uint64_t>(v);
}

template <class T>
void expect_bitwise(const std::vector<T>& got, const std::vector<T>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (bits(got[i]) != bits(want[i])) {
      ADD_FAILURE() << what << ": element " << i << " is " << got[i] << ", want " << want[i];
      return;
    }
}

/// y and slope against forward and backward(dy = 1), out of place and in place.
template <class T>
void check(const actfn::Activation& act, std::size_t n, const std::string& where) {
  const std::vector<T> x = inputs<T>(n, 11), ones(n, T(1));
  std::vector<T> y_want(n), s_want(n), y(n), s(n), in_place = x, s_in_place(n);
  actfn::forward<T>(act, x, y_want);
  actfn::backward<T>(act, {.x = x, .dy = ones}, s_want);
  actfn::forward_with_slope<T>(act, x, y, s);
  actfn::forward_with_slope<T>(act, in_place, in_place, s_in_place);
  const std::string what = where + " " + act.spec() + " n=" + std::to_string(n);
  expect_bitwise(y, y_want, what + " y");
  expect_bitwise(s, s_want, what + " slope");
  expect_bitwise(in_place, y_want, what + " y in place");
  expect_bitwise(s_in_place, s_want, what + " slope in place");
}

TEST(ForwardWithSlope, EqualsForwardAndBackwardForDyOneOnEveryTarget) {
  const SettingsGuard guard;
  for (const std::string& target : actfn::targets()) {
    actfn::set_target(target);
    for (const actfn::FunctionInfo& fi : actfn::all()) {
      if (fi.vector_wise) continue;
      const actfn::Activation act(fi.kind);
      for (std::size_t n = 0; n <= 35; ++n) {
        check<float>(act, n, target + " f32");
        check<double>(act, n, target + " f64");
      }
      check<float>(act, 1000, target + " f32");
      check<double>(act, 1000, target + " f64");
    }
  }
}

// Slices across threads compute each element as one thread does.
TEST(ForwardWithSlope, SplitAcrossThreadsEqualsOneThread) {
  const SettingsGuard guard;
  actfn::set_threads(3);
  actfn::set_parallel_threshold(1000);
  for (const char* spec : {"gelu", "silu", "relu"}) check<float>(actfn::parse(spec), 100003, "3 threads");
}

// GELU's f32 kernel computes f and f' in one pass; others fall back to forward and backward.
TEST(ForwardWithSlope, SaysWhichActivationsRunOnePass) {
  EXPECT_TRUE(actfn::has_slope_kernel<float>(actfn::parse("gelu")));
  EXPECT_FALSE(actfn::has_slope_kernel<double>(actfn::parse("gelu")));
  EXPECT_FALSE(actfn::has_slope_kernel<float>(actfn::parse("relu")));
  EXPECT_FALSE(actfn::has_slope_kernel<float>(actfn::parse("softmax")));
}

TEST(ForwardWithSlope, BadSpansGetErrors) {
  const actfn::Activation gelu = actfn::parse("gelu");
  std::vector<float> x(8), y(8), s(7), buf(16);
  EXPECT_THROW(actfn::forward_with_slope<float>(gelu, x, y, s), actfn::Error);
  s.resize(8);
  EXPECT_THROW(actfn::forward_with_slope<float>(gelu, x, y, std::span<float>(x.data(), 8)), actfn::Error);
  EXPECT_THROW(actfn::forward_with_slope<float>(gelu, x, y, std::span<float>(y.data(), 8)), actfn::Error);
  EXPECT_THROW(actfn::forward_with_slope<float>(gelu, std::span<const float>(buf.data(), 8), y,
                                                std::span<float>(buf.data() + 4, 8)),
               actfn::Error);
  EXPECT_THROW(actfn::forward_with_slope<float>(actfn::parse("softmax"), x, y, s), actfn::Error);
  EXPECT_NO_THROW(actfn::forward_with_slope<float>(gelu, x, x, s));
}

}  // namespace
