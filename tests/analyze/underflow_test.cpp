// Where the reference f' underflows, against thresholds derived by hand from the formulas, plus a
// sampled check of the monotone-tail assumption for every element-wise activation.
#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <numbers>

#include "actfn/analyze.hpp"
#include "test_support.hpp"

namespace {

using actfn::parse;
using actfn::analyze::gradient_underflow;
using actfn_test::Kind;

constexpr double kLn2 = std::numbers::ln2;

TEST(Underflow, ReluIsZeroFromZeroDown) {
  for (const auto& u : {gradient_underflow<float>(parse("relu")), gradient_underflow<double>(parse("relu"))}) {
    ASSERT_TRUE(u.left.zero_beyond.has_value());
    EXPECT_EQ(*u.left.zero_beyond, 0.0);      // f'(0) = 0 (PyTorch), 1 from the smallest subnormal on
    EXPECT_FALSE(u.left.subnormal.has_value());  // jumps from 1 to 0
    EXPECT_FALSE(u.right.zero_beyond.has_value());
  }
}

TEST(Underflow, LeakyReluNever) {
  const auto u = gradient_underflow<float>(parse("leaky_relu"));
  EXPECT_FALSE(u.left.zero_beyond || u.left.subnormal || u.right.zero_beyond || u.right.subnormal);
}

TEST(Underflow, Relu6BothSides) {
  const auto u = gradient_underflow<float>(parse("relu6"));
  EXPECT_EQ(u.left.zero_beyond, 0.0);
  EXPECT_EQ(u.right.zero_beyond, 6.0);  // f'(6) = 0 (PyTorch's hardtanh convention)
}

TEST(Underflow, HardswishTailStartsAtMinusThreeNotAtItsMinimum) {
  // f'(x) = x/3 + 1/2 on [-3, 3) is 0 at the minimum x = -1.5 too; f'(-3) = -1/2 (the registry's
  // convention), so the tail of zeros starts at the next double below -3.
  const auto u = gradient_underflow<double>(parse("hardswish"));
  EXPECT_EQ(u.left.zero_beyond, std::nextafter(-3.0, -4.0));
  EXPECT_FALSE(u.right.zero_beyond);
}

TEST(Underflow, StepIsZeroEverywhere) { EXPECT_TRUE(gradient_underflow<float>(parse("step")).identically_zero); }

// σ'(x) = e^{-|x|} / (1 + e^{-|x|})² ≈ e^{-|x|}: in f32 (computed in double, rounded once) it rounds
// to 0 exactly when it is ≤ 2^-150 (half the smallest subnormal; the tie goes to even, 0), i.e.
// |x| ≥ 150 ln 2 ≈ 103.972, and is subnormal while below 2^-126, |x| > 126 ln 2 ≈ 87.337.
TEST(Underflow, SigmoidF32ByHand) {
  const auto u = gradient_underflow<float>(parse("sigmoid"));
  ASSERT_TRUE(u.left.zero_beyond && u.right.zero_beyond && u.left.subnormal && u.right.subnormal);
  const float x0 = static_cast<float>(*u.left.zero_beyond);
  EXPECT_LE(x0, -150 * kLn2);
  EXPECT_GT(std::nextafter(x0, 0.0f), -150 * kLn2);
  EXPECT_EQ(*u.right.zero_beyond, -*u.left.zero_beyond);  // σ' is even
  EXPECT_EQ((*u.left.subnormal)[0], std::nextafter(x0, 0.0f));
  EXPECT_NEAR((*u.left.subnormal)[1], -126 * kLn2, 1e-5);
}

TEST(Underflow, SigmoidF64ByHand) {
  // In f64 (computed in long double): 0 when ≤ 2^-1075, i.e. |x| ≥ 1075 ln 2 ≈ 745.133.
  const auto u = gradient_underflow<double>(parse("sigmoid"));
  ASSERT_TRUE(u.left.zero_beyond && u.left.subnormal);
  EXPECT_NEAR(*u.left.zero_beyond, -1075 * kLn2, 1e-12);
  EXPECT_NEAR((*u.left.subnormal)[1], -1022 * kLn2, 1e-12);
}

TEST(Underflow, TanhF32ByHand) {
  // sech²(x) ≈ 4 e^{-2|x|} ≤ 2^-150 when |x| ≥ 76 ln 2 ≈ 52.68; tanh' never reaches 0 on the left
  // only by symmetry: both tails.
  const auto u = gradient_underflow<float>(parse("tanh"));
  ASSERT_TRUE(u.right.zero_beyond && u.left.zero_beyond);
  EXPECT_NEAR(*u.right.zero_beyond, 76 * kLn2, 1e-5);
  EXPECT_EQ(*u.left.zero_beyond, -*u.right.zero_beyond);
}

TEST(Underflow, EluF32ByHand) {
  // f'(x) = α e^x for x ≤ 0: 0 when e^x ≤ 2^-150, x ≤ -150 ln 2; no right tail (f' = 1).
  const auto u = gradient_underflow<float>(parse("elu"));
  ASSERT_TRUE(u.left.zero_beyond);
  EXPECT_NEAR(*u.left.zero_beyond, -150 * kLn2, 1e-5);
  EXPECT_FALSE(u.right.zero_beyond || u.right.subnormal);
}

/// Every tail: f' is 0 at 4096 points spread by bit pattern over the claimed zero half-line (dense
/// near the threshold, where an interior zero would hide), and not 0 at the next input inwards.
template <class T>
void check_tails(const actfn::Activation& act) {
  const auto u = gradient_underflow<T>(act);
  if (u.identically_zero) return;
  for (const auto& [tail, sign] : {std::pair{u.left, -1}, std::pair{u.right, 1}}) {
    if (!tail.zero_beyond) continue;
    const T edge = static_cast<T>(*tail.zero_beyond), max = std::numeric_limits<T>::max();
    EXPECT_NE(actfn_test::bwd<T>(act, std::nextafter(edge, -sign * max)), T(0)) << act.spec() << " " << edge;
    // Bit patterns of |x| for x of the tail's sign, from |edge| (or 0 when the edge has the other
    // sign) to max; this is where f' must be 0 (for an edge of the other sign, x in between too).
    using Bits = std::conditional_t<std::is_same_v<T, float>, std::uint32_t, std::uint64_t>;
    const Bits from = std::signbit(edge) == (sign < 0) ? std::bit_cast<Bits>(std::fabs(edge)) : Bits(0);
    const Bits to = std::bit_cast<Bits>(max);
    for (Bits i = 0; i <= 4096; ++i) {
      const T x = sign * std::bit_cast<T>(static_cast<Bits>(from + (to - from) / 4096 * i));
      EXPECT_EQ(actfn_test::bwd<T>(act, x), T(0)) << act.spec() << " at " << x;
    }
  }
}

class EveryTail : public testing::TestWithParam<Kind> {};
TEST_P(EveryTail, ZeroBeyondTheThreshold) {
  check_tails<float>(actfn::Activation(GetParam()));
  check_tails<double>(actfn::Activation(GetParam()));
}
INSTANTIATE_TEST_SUITE_P(EveryElementWise, EveryTail, testing::ValuesIn(actfn_test::element_wise_kinds()),
                         actfn_test::KindName{});

TEST(Underflow, RejectsVectorWise) { EXPECT_THROW(gradient_underflow<float>(parse("softmax")), actfn::Error); }

}  // namespace
