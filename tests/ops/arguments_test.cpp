// The public span API's argument rules, through the kernels layer (which hands every call it cannot
// take to the reference, so both paths are covered): memory that an output may not share with an
// input, layouts whose element count overflows, and parameters checked in the precision the data
// uses. Each case here once gave a silent wrong answer, overwrote a const input or crashed.
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/actfn.hpp"

namespace {

using actfn::Activation;
using actfn::Axis;
using actfn::Channels;

/// The message of the Error that f throws ("" and a test failure when it throws none).
template <class F>
std::string error_of(F f) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const actfn::Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_ERROR(call, part)                                                       \
  do {                                                                                 \
    const std::string e_ = error_of([&] { call; });                                    \
    EXPECT_NE(e_.find(part), std::string::npos) << "'" << e_ << "' lacks '" << (part) << "'"; \
  } while (false)

template <class T>
class Arguments : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(Arguments, Types);

/// softmax-family backward with dx starting one element into dy: each row's dx would overwrite dy
/// entries a later step still reads (897 of 1000 values came out wrong). Exactly dy is fine.
TYPED_TEST(Arguments, SoftmaxBackwardRefusesDxPartlyOverDy) {
  using T = TypeParam;
  for (const char* spec : {"softmax", "log_softmax", "softmin"}) {
    SCOPED_TRACE(spec);
    const Activation act = actfn::parse(spec);
    const std::size_t n = 1000;
    std::vector<T> x(n), y(n), buf(n + 1), dx(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<T>(std::sin(0.37 * static_cast<double>(i))), buf[i] = x[i];
    actfn::forward<T>(act, Axis{10, 100, 1}, x, y);
    const std::span<const T> dy(buf.data(), n);
    EXPECT_ERROR(actfn::backward<T>(act, Axis{10, 100, 1}, {.y = y, .dy = dy}, std::span<T>(buf.data() + 1, n)),
                 "partially overlaps dy");
    EXPECT_EQ(buf[n], T(0)) << "nothing written";
    actfn::backward<T>(act, Axis{10, 100, 1}, {.y = y, .dy = dy}, dx);
    actfn::backward<T>(act, Axis{10, 100, 1}, {.y = y, .dy = dy}, std::span<T>(buf.data(), n));  // in place
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(buf[i], dx[i]) << i;
    // Strided rows (inner > 1) too.
    EXPECT_ERROR(actfn::backward<T>(act, Axis{1, 100, 10}, {.y = y, .dy = dy}, std::span<T>(buf.data() + 1, n)),
                 "partially overlaps dy");
  }
}

/// The glu family and maxout: dy (half as long as dx, or 1/k) may share no byte with dx, not even
/// its start: block o's dx would overwrite the dy of later blocks.
TYPED_TEST(Arguments, GatedAndMaxoutBackwardKeepDyApartFromDx) {
  using T = TypeParam;
  for (const char* spec : {"glu", "swiglu", "geglu", "reglu", "maxout"}) {
    SCOPED_TRACE(spec);
    const Activation act = actfn::parse(spec);
    std::vector<T> x(64), buf(64, T(1));
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<T>(0.1 * static_cast<double>(i) - 3);
    const std::span<T> all(buf);
    EXPECT_ERROR(actfn::backward<T>(act, Axis{4, 16, 1}, {.x = x, .dy = all.first(32)}, all), "dx overlaps dy");
    EXPECT_ERROR(actfn::backward<T>(act, Axis{4, 16, 1}, {.x = x, .dy = all.subspan(32)}, all), "dx overlaps dy");
    // forward: y may not be x, nor share a byte with it.
    EXPECT_ERROR(actfn::forward<T>(act, Axis{4, 16, 1}, std::span<const T>(all), all.first(32)), "y overlaps x");
  }
}

/// Zero rows are no work, not an overlap ("y overlaps x" once, for two empty spans).
TYPED_TEST(Arguments, EmptyVectorWiseCallsAreNoOps) {
  using T = TypeParam;
  for (const char* spec : {"glu", "maxout", "maxout(pieces=3)", "softmax", "geglu"}) {
    SCOPED_TRACE(spec);
    const Activation act = actfn::parse(spec);
    const std::size_t axis = act.kind() == actfn::Kind::Maxout ? 6 : 2;
    EXPECT_NO_THROW(actfn::forward<T>(act, Axis{0, axis, 1}, std::span<const T>{}, std::span<T>{}));
    EXPECT_NO_THROW(actfn::backward<T>(act, Axis{0, axis, 1}, {}, std::span<T>{}));
    EXPECT_NO_THROW(actfn::reference::forward<T>(act, Axis{0, axis, 1}, std::span<const T>{}, std::span<T>{}));
  }
}

/// Per-channel PReLU: dlearned is accumulated after the pass, so sharing memory with x, dy, dx or
/// the slopes would overwrite an input (or dx) with a gradient; learned may not share y's or dx's
/// memory either.
TYPED_TEST(Arguments, PerChannelGradientsShareNoMemory) {
  using T = TypeParam;
  const Activation act = actfn::parse("prelu(num_parameters=4)");
  for (const std::size_t inner : {std::size_t{1}, std::size_t{16}, std::size_t{3}}) {  // kernels and reference
    SCOPED_TRACE(inner);
    const Channels L{2, 4, inner};
    const std::size_t n = 8 * inner;
    std::vector<T> x(n), dy(n, T(1)), dx(n), learned{T(0.1), T(0.2), T(0.3), T(0.4)};
    for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<T>(static_cast<double>(i % 5) - 2.5);
    const std::vector<T> x0 = x, learned0 = learned;
    EXPECT_ERROR(actfn::backward<T>(act, L, learned, {.x = x, .dy = dy}, dx, std::span<T>(x).first(4)),
                 "dlearned overlaps x");
    EXPECT_EQ(x, x0) << "x, a const input, unchanged";
    EXPECT_ERROR(actfn::backward<T>(act, L, learned, {.x = x, .dy = dy}, dx, std::span<T>(dx).last(4)),
                 "dlearned overlaps dx");
    EXPECT_ERROR(actfn::backward<T>(act, L, learned, {.x = x, .dy = dy}, dx, std::span<T>(dy).subspan(1, 4)),
                 "dlearned overlaps dy");
    EXPECT_ERROR(actfn::backward<T>(act, L, learned, {.x = x, .dy = dy}, dx, std::span<T>(learned)),
                 "dlearned overlaps learned");
    EXPECT_EQ(learned, learned0);
    std::vector<T> joint(n + 4);
    EXPECT_ERROR(actfn::forward<T>(act, L, std::span<const T>(joint).first(4), std::span<const T>(x),
                                   std::span<T>(joint).subspan(2, n)),
                 "y overlaps learned");
    EXPECT_ERROR(actfn::backward<T>(act, L, std::span<const T>(joint).first(4), {.x = x, .dy = dy},
                                    std::span<T>(joint).subspan(2, n)),
                 "dx overlaps learned");
  }
}

/// Shared learnable parameters (swish's β, PReLU's single slope): dparams overlapping an input or dx.
TYPED_TEST(Arguments, SharedParameterGradientsShareNoMemory) {
  using T = TypeParam;
  for (const char* spec : {"swish", "prelu", "generalized_sigmoid"}) {
    SCOPED_TRACE(spec);
    const Activation act = actfn::parse(spec);
    const std::size_t nl = actfn::learnable_count(act.kind());
    std::vector<T> x(300), dy(300, T(1)), dx(300);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<T>(0.02 * static_cast<double>(i) - 3);
    const std::vector<T> x0 = x;
    EXPECT_ERROR(actfn::backward<T>(act, {.x = x, .dy = dy}, dx, std::span<T>(x).subspan(7, nl)), "dparams overlaps x");
    EXPECT_EQ(x, x0) << "x, a const input, unchanged";
    EXPECT_ERROR(actfn::backward<T>(act, {.x = x, .dy = dy}, dx, std::span<T>(dx).first(nl)), "dparams overlaps dx");
    EXPECT_ERROR(actfn::backward<T>(act, {.x = x, .dy = dy}, dx, std::span<T>(dy).last(nl)), "dparams overlaps dy");
  }
}

/// RReLU's training backward: dx partly over x (exactly x is fine).
TYPED_TEST(Arguments, RreluTrainingBackwardRefusesDxPartlyOverX) {
  using T = TypeParam;
  const Activation act = actfn::parse("rrelu");
  std::vector<T> buf(101, T(-1)), dy(100, T(1));
  EXPECT_ERROR(actfn::rrelu_train_backward<T>(act, 1, 0, std::span<const T>(buf).first(100), dy,
                                              std::span<T>(buf).subspan(1, 100)),
               "dx partially overlaps x");
  EXPECT_NO_THROW(actfn::rrelu_train_backward<T>(act, 1, 0, std::span<const T>(buf).first(100), dy,
                                                 std::span<T>(buf).first(100)));
}

/// A layout whose outer·axis·inner wraps around to the span's size once passed the size check and
/// then ran 2^63 rows.
TYPED_TEST(Arguments, LayoutsThatOverflowAreRefused) {
  using T = TypeParam;
  const std::size_t huge = (std::size_t{1} << 63) + 1;  // huge · 2 = 2 (mod 2^64)
  std::vector<T> x(2, T(1)), y(2), dx(2);
  EXPECT_ERROR(actfn::forward<T>(actfn::parse("softmax"), Axis{huge, 2, 1}, x, y), "overflows");
  EXPECT_ERROR(actfn::forward<T>(actfn::parse("softmax"), Axis{2, 1, huge}, x, y), "overflows");
  EXPECT_ERROR(actfn::backward<T>(actfn::parse("softmax"), Axis{huge, 2, 1}, {.y = y, .dy = x}, dx), "overflows");
  EXPECT_ERROR(actfn::forward<T>(actfn::parse("maxout(pieces=1)"), Axis{huge, 2, 1}, x, y), "overflows");
  EXPECT_ERROR(actfn::forward<T>(actfn::parse("glu"), Axis{huge, 2, 1}, x, std::span<T>(y).first(1)), "overflows");
  const std::vector<T> slopes(2, T(0.25));
  EXPECT_ERROR(actfn::forward<T>(actfn::parse("prelu"), Channels{huge, 2, 1}, slopes, x, y), "does not match");
  EXPECT_ERROR(actfn::backward<T>(actfn::parse("prelu"), Channels{1, 2, huge}, slopes, {.x = x, .dy = x}, dx),
               "does not match");
}

/// Parameters are used rounded to the data's precision: one that is a fine double may be no float
/// (negative_slope=1e39 is +inf as a float: NaN and inf outputs from finite inputs), round to a
/// value outside its range (celu's alpha=1e-50 to 0), or break a constraint between parameters
/// (hardtanh's bounds 1 and 1 + 1e-9 are one float).
TEST(ArgumentsPrecision, ParametersAreCheckedAsTheDataUsesThem) {
  const struct {
    const char* spec;
    const char* mention;
  } cases[] = {
      {"leaky_relu(negative_slope=1e39)", "negative_slope=1e+39 is beyond float's range"},
      {"elu(alpha=-1e39)", "alpha=-1e+39 is beyond float's range"},
      {"celu(alpha=1e-50)", "alpha=1e-50 rounds to 0 as a float"},
      {"hardtanh(min_val=1, max_val=1.000000001)", "rounded to float"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.spec);
    const Activation act = actfn::parse(c.spec);
    std::vector<float> x{-1.0f, 0.5f, 2.0f}, y(3), dx(3);
    const std::vector<float> ones(3, 1.0f);
    EXPECT_ERROR(actfn::forward<float>(act, x, y), c.mention);
    EXPECT_ERROR(actfn::backward<float>(act, {.x = x, .dy = ones}, dx), c.mention);
    EXPECT_ERROR(actfn::reference::forward<float>(act, x, y), c.mention);
    EXPECT_ERROR(actfn::forward_with_slope<float>(act, x, y, dx), c.mention);
    std::vector<actfn::bf16> h(3), hy(3);
    EXPECT_ERROR(actfn::forward<actfn::bf16>(act, h, hy), c.mention);
    // The same spec is fine for double data, where the values are what they say.
    std::vector<double> xd{-1.0, 0.5, 2.0}, yd(3);
    EXPECT_NO_THROW(actfn::forward<double>(act, xd, yd));
    for (double v : yd) EXPECT_TRUE(std::isfinite(v)) << v;
  }
}

}  // namespace
