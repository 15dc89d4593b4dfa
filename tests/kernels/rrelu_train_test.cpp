// The training-noise kernels (RReLU's) against the reference on every target, f32 and f64, for
// every row of the kernel table that declares one, at the row's parameter cases: forward and
// backward bit-identical (the same slope for every element index), at every length around the
// vector widths, with offsets (a call split anywhere), in place, and split across threads.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/actfn.hpp"
#include "settings_guard.hpp"
#include "table_cases.hpp"

namespace {

template <class T>
std::vector<T> inputs(std::size_t n) {
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<T>(std::sin(static_cast<double>(i) * 1.3) * 4);
  if (n > 3) {
    v[1] = T(0);
    v[2] = T(-0.0);
    v[3] = std::numeric_limits<T>::quiet_NaN();
  }
  if (n > 5) {
    v[4] = -std::numeric_limits<T>::infinity();
    v[5] = std::numeric_limits<T>::denorm_min() * -3;
  }
  return v;
}

template <class T>
using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

template <class T>
void expect_identical(const std::vector<T>& got, const std::vector<T>& ref, const char* what) {
  ASSERT_EQ(got.size(), ref.size());
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const bool same =
        std::isnan(ref[i]) ? std::isnan(got[i]) : std::bit_cast<Bits<T>>(got[i]) == std::bit_cast<Bits<T>>(ref[i]);
    if (!same) {
      ADD_FAILURE() << what << " at " << i << ": " << got[i] << " vs reference " << ref[i];
      return;
    }
  }
}

template <class T>
void check(const actfn::Activation& act, std::size_t n, std::uint64_t seed, std::uint64_t offset) {
  const std::vector<T> x = inputs<T>(n);
  std::vector<T> dy(n);
  for (std::size_t i = 0; i < n; ++i) dy[i] = static_cast<T>(1 + 0.25 * std::cos(static_cast<double>(i)));
  std::vector<T> y_ref(n), dx_ref(n);
  actfn::reference::rrelu_train_forward<T>(act, seed, offset, x, y_ref);
  actfn::reference::rrelu_train_backward<T>(act, seed, offset, x, dy, dx_ref);
  for (const std::string& target : actfn::targets()) {
    SCOPED_TRACE(target);
    actfn::set_target(target);
    std::vector<T> y(n), dx(n), inplace = x, over_dy = dy;
    actfn::rrelu_train_forward<T>(act, seed, offset, x, y);
    expect_identical(y, y_ref, "forward");
    actfn::rrelu_train_backward<T>(act, seed, offset, x, dy, dx);
    expect_identical(dx, dx_ref, "backward");
    actfn::rrelu_train_forward<T>(act, seed, offset, inplace, inplace);
    expect_identical(inplace, y_ref, "forward in place");
    actfn::rrelu_train_backward<T>(act, seed, offset, x, over_dy, over_dy);
    expect_identical(over_dy, dx_ref, "backward into dy");
  }
}

TEST(RreluTrain, EqualsReferenceOnEveryTarget) {
  const SettingsGuard guard;
  for (const actfn_test::TableCase& c : actfn_test::table_cases([](const actfn::kernels::KernelRow& row) {
         return row.f32.train == actfn::kernels::Path::Noise || row.f64.train == actfn::kernels::Path::Noise;
       })) {
    const actfn::Activation& act = c.act;
    for (const std::size_t n : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 1000})
      for (const std::uint64_t offset : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{1} << 40}) {
        SCOPED_TRACE(act.spec() + " n=" + std::to_string(n) + " offset=" + std::to_string(offset));
        check<float>(act, n, 123 + n, offset);
        check<double>(act, n, 99, offset);
      }
  }
}

TEST(RreluTrain, ThreadsGiveTheSameResults) {
  const SettingsGuard guard;
  const actfn::Activation act = actfn::parse("rrelu");
  const std::size_t n = 100000;
  const std::vector<float> x = inputs<float>(n);
  std::vector<float> y_ref(n), y(n);
  actfn::reference::rrelu_train_forward<float>(act, 5, 3, x, y_ref);
  actfn::set_threads(3);
  actfn::set_parallel_threshold(1000);
  actfn::rrelu_train_forward<float>(act, 5, 3, x, y);
  expect_identical(y, y_ref, "three threads");
}

TEST(RreluTrain, MalformedCallsAreRejected) {
  const actfn::Activation act = actfn::parse("rrelu");
  std::vector<float> x(8, -1.0f), short_y(7);
  EXPECT_THROW(actfn::rrelu_train_forward<float>(act, 1, 0, x, short_y), actfn::Error);
  EXPECT_THROW(actfn::rrelu_train_backward<float>(act, 1, 0, x, short_y, x), actfn::Error);
  EXPECT_THROW(actfn::rrelu_train_forward<float>(actfn::parse("relu"), 1, 0, x, x), actfn::Error);
}

}  // namespace
