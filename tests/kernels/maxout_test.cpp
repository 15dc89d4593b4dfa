// Maxout's kernels against the reference on every target, f32 and f64: forward and backward
// bit-identical (signed zeros, the first of tied or NaN members), every group size with its own
// path (k = 2, 3, 4 interleaved) and others, group counts around the vector widths, channels-first
// layouts (inner > 1) with partial column vectors, backward in place, split across threads.
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

/// Values with ties, signed zeros, infinities and NaN among random ones.
template <class T>
std::vector<T> inputs(std::size_t n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-3, 3);
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  const T special[] = {T(0), T(-0.0), T(1), T(1), -inf, inf, nan, T(-2)};
  std::vector<T> v(n);
  for (T& e : v) e = gen() % 4 == 0 ? special[gen() % 8] : static_cast<T>(u(gen));
  return v;
}

template <class T>
bool identical(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool same = std::isnan(a[i]) ? std::isnan(b[i]) : (a[i] == b[i] && std::signbit(a[i]) == std::signbit(b[i]));
    if (!same) {
      ADD_FAILURE() << "at " << i << ": " << a[i] << " vs reference " << b[i];
      return false;
    }
  }
  return true;
}

template <class T>
void check(std::size_t k, Axis L, std::uint32_t seed) {
  const actfn::Activation act = actfn::parse("maxout(pieces=" + std::to_string(k) + ")");
  const std::size_t n = L.outer * L.axis * L.inner, m = n / k;
  const std::vector<T> x = inputs<T>(n, seed), dy = inputs<T>(m, seed + 1);
  std::vector<T> y_ref(m), dx_ref(n);
  actfn::reference::forward<T>(act, L, x, y_ref);
  actfn::reference::backward<T>(act, L, {.x = x, .dy = dy}, dx_ref);
  for (const std::string& target : actfn::targets()) {
    SCOPED_TRACE(target);
    actfn::set_target(target);
    std::vector<T> y(m), dx(n), inplace = x;
    actfn::forward<T>(act, L, x, y);
    EXPECT_TRUE(identical(y, y_ref));
    actfn::backward<T>(act, L, {.x = x, .dy = dy}, dx);
    EXPECT_TRUE(identical(dx, dx_ref));
    actfn::backward<T>(act, L, {.x = inplace, .dy = dy}, inplace);
    EXPECT_TRUE(identical(inplace, dx_ref));
  }
}

TEST(Maxout, EqualsReferenceOnEveryTarget) {
  const SettingsGuard guard;
  EXPECT_TRUE(actfn::has_kernel<float>(actfn::parse("maxout")));
  for (const std::size_t k : {1, 2, 3, 4, 5, 7})
    for (const std::size_t groups : {1, 2, 3, 7, 8, 9, 15, 16, 17, 33})
      for (const std::size_t inner : {1, 3, 8, 17}) {
        SCOPED_TRACE("k=" + std::to_string(k) + " groups=" + std::to_string(groups) + " inner=" + std::to_string(inner));
        const auto seed = static_cast<std::uint32_t>(k * 1000 + groups * 10 + inner);
        check<float>(k, Axis{3, groups * k, inner}, seed);
        check<double>(k, Axis{2, groups * k, inner}, seed);
      }
}

TEST(Maxout, ThreadsGiveTheSameResults) {
  const SettingsGuard guard;
  const actfn::Activation act = actfn::parse("maxout(pieces=2)");
  const Axis L{300, 256, 1};
  const std::vector<float> x = inputs<float>(300 * 256, 5), dy = inputs<float>(300 * 128, 6);
  std::vector<float> y_ref(dy.size()), dx_ref(x.size()), y(dy.size()), dx(x.size());
  actfn::reference::forward<float>(act, L, x, y_ref);
  actfn::reference::backward<float>(act, L, {.x = x, .dy = dy}, dx_ref);
  actfn::set_threads(3);
  actfn::set_parallel_threshold(1000);
  actfn::forward<float>(act, L, x, y);
  actfn::backward<float>(act, L, {.x = x, .dy = dy}, dx);
  EXPECT_TRUE(identical(y, y_ref));
  EXPECT_TRUE(identical(dx, dx_ref));
}

TEST(Maxout, MalformedCallsAreRejected) {
  const actfn::Activation act = actfn::parse("maxout(pieces=3)");
  std::vector<float> x(12, 0.5f), y(4), short_y(3), dx(12);
  EXPECT_THROW(actfn::forward<float>(act, Axis{2, 6, 1}, x, short_y), actfn::Error);
  EXPECT_THROW(actfn::forward<float>(act, Axis{3, 4, 1}, x, y), actfn::Error);  // 4 is not divisible by 3
  EXPECT_THROW(actfn::forward<float>(act, Axis{2, 6, 1}, x, std::span<float>(x.data(), 4)), actfn::Error);
  EXPECT_THROW(actfn::backward<float>(act, Axis{2, 6, 1}, {.y = y, .dy = y}, dx), actfn::Error);  // needs x
}

}  // namespace
