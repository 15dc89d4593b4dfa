// accuracy_test: a sampled sweep against the MPFR oracle, asserting the documented accuracy bound
// of every activation (registry row `accuracy`). One test per activation, so ctest -j runs them in
// parallel; the sampling is sparse enough for CI. actfn_accuracy runs the same measurement densely.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "measure.hpp"

namespace {

using actfn_test::accuracy::Report;

/// CI sampling: 16384 f32 bit patterns (plus boundaries), 3000 f64 inputs, 200 rows per type.
constexpr actfn_test::accuracy::Settings kCiSettings{
    .f32_shift = 18, .f64_samples = 3000, .rows = 200, .param_stride = 4};

/// A documented bound of 0.5 ULP (piecewise-linear: one rounding) gets only the slack that rounding
/// first to the wider compute type can add (f64 data computed in long double: 2^-11 ULP).
double allowed(double bound) { return bound == 0.5 ? 0.5 + 0x1p-10 : bound; }

std::string where(const actfn_test::accuracy::Worst& w) {
  char buf[64];
  std::snprintf(buf, sizeof buf, " (worst at %.17g)", w.at);
  return buf;
}

class Accuracy : public ::testing::TestWithParam<actfn::Kind> {};

TEST_P(Accuracy, WithinDocumentedBound) {
  const actfn::AccuracyBound bound = actfn::info(GetParam()).accuracy;
  for (const actfn::Activation& act : actfn_test::accuracy::cases(GetParam())) {
    SCOPED_TRACE(act.spec());
    const Report r = actfn_test::accuracy::measure(act, kCiSettings);
    EXPECT_EQ(r.special, 0u) << r.first_special;
    EXPECT_EQ(r.unconverged, 0u);
    EXPECT_GT(r.f32_y.samples, 0u);
    EXPECT_GT(r.f64_y.samples, 0u);
    if (r.vector_wise) {
      const double limit = std::min(2.0, allowed(bound.f32_y));
      EXPECT_LE(r.f32_y.error, limit) << "f32 forward, row" << where(r.f32_y);
      EXPECT_LE(r.f32_dy.error, limit) << "f32 backward, row" << where(r.f32_dy);
      EXPECT_LE(r.f64_y.error, limit) << "f64 forward, row" << where(r.f64_y);
      EXPECT_LE(r.f64_dy.error, limit) << "f64 backward, row" << where(r.f64_dy);
    } else {
      EXPECT_LE(r.f32_y.error, allowed(bound.f32_y)) << "f32 y" << where(r.f32_y);
      EXPECT_LE(r.f32_dy.error, allowed(bound.f32_dy)) << "f32 f'" << where(r.f32_dy);
      EXPECT_LE(r.f64_y.error, allowed(bound.f64_y)) << "f64 y" << where(r.f64_y);
      // f64 f' shares f32's bound. Where f' crosses 0 at a minimum (gelu, silu, mish, ...) its terms
      // cancel in long double: the dense run's worst is 2.64 ULP (mish), next to x = -1.19.
      EXPECT_LE(r.f64_dy.error, allowed(bound.f32_dy)) << "f64 f'" << where(r.f64_dy);
      EXPECT_LE(r.param.error, 4.0) << "parameter gradient" << where(r.param);
    }
  }
}

std::vector<actfn::Kind> all_kinds() {
  std::vector<actfn::Kind> kinds;
  for (const actfn::FunctionInfo& fi : actfn::all()) kinds.push_back(fi.kind);
  return kinds;
}

INSTANTIATE_TEST_SUITE_P(Oracle, Accuracy, ::testing::ValuesIn(all_kinds()),
                         [](const ::testing::TestParamInfo<actfn::Kind>& p) {
                           return std::string(actfn::info(p.param).name);
                         });

}  // namespace
