// SIMD kernels against the scalar reference, on every instruction set compiled in and supported
// here. Piecewise-linear kernels round exactly as the reference does, so results must be
// identical bit for bit (NaN: both NaN), at every length around the vector widths (tails),
// misaligned starts, in place, forward and backward (from x and from y).
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/actfn.hpp"

namespace {

using actfn::Activation;

/// Specs covering every activation with a kernel, at default and non-default parameters.
const char* const kSpecs[] = {
    "step", "step(value_at_zero=0.25)", "hardtanh", "hardtanh(min_val=-2, max_val=0.5)", "relu",
    "leaky_relu", "leaky_relu(negative_slope=-0.3)", "prelu", "prelu(weight=0.1)", "relu6",
    "clipped_relu(ceiling=0.75)", "threshold", "threshold(threshold=0.5, value=-2)", "relu_squared",
    "hardshrink", "hardshrink(lambd=0)", "softshrink", "softshrink(lambd=2)", "identity"};

/// Restores automatic dispatch however a test ends.
struct TargetGuard {
  ~TargetGuard() { actfn::set_target("auto"); }
};

template <class T>
bool same(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  return std::bit_cast<U>(a) == std::bit_cast<U>(b);
}

/// Where act's kinks are (computed once per activation: properties() is not cheap).
std::vector<double> kinks_of(const Activation& act) {
  std::vector<double> xs;
  for (const actfn::Kink& k : actfn::properties(act).kinks) xs.push_back(k.x);
  return xs;
}

/// Inputs mixing the ordinary, the special and each kink exactly.
template <class T>
std::vector<T> inputs(const std::vector<double>& kinks, std::size_t n, std::uint32_t seed) {
  using lim = std::numeric_limits<T>;
  std::vector<T> special = {T(0), T(-0.0), lim::quiet_NaN(), lim::infinity(), -lim::infinity(), lim::denorm_min(),
                            -lim::denorm_min(), lim::min(), lim::max(), -lim::max(), T(1), T(-1)};
  for (const double k : kinks) {
    special.push_back(static_cast<T>(k));
    special.push_back(std::nextafter(static_cast<T>(k), T(1e30)));
    special.push_back(std::nextafter(static_cast<T>(k), T(-1e30)));
  }
  std::mt19937 rng(seed);
  std::uniform_real_distribution<T> uni(T(-8), T(8));
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = rng() % 4 == 0 ? special[rng() % special.size()] : uni(rng);
  return v;
}

template <class T>
void expect_same(const std::vector<T>& got, const std::vector<T>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_TRUE(same(got[i], want[i])) << what << " at " << i << ": " << got[i] << " vs " << want[i];
}

template <class T>
void check_against_reference(const Activation& act, const std::vector<double>& kinks, std::size_t n,
                             std::size_t offset) {
  SCOPED_TRACE(act.spec() + " n=" + std::to_string(n) + " offset=" + std::to_string(offset));
  // Storage with a misaligned start: the spans begin `offset` elements into the buffers.
  std::vector<T> xb = inputs<T>(kinks, n + offset, static_cast<std::uint32_t>(n * 31 + offset));
  std::vector<T> dyb = inputs<T>({}, n + offset, static_cast<std::uint32_t>(n + 7));
  const std::span<const T> x(xb.data() + offset, n), dy(dyb.data() + offset, n);
  std::vector<T> y(n), y_ref(n), dx(n), dx_ref(n);

  actfn::forward<T>(act, x, y);
  actfn::reference::forward<T>(act, x, y_ref);
  expect_same(y, y_ref, "forward");

  std::vector<T> inplace(x.begin(), x.end());
  actfn::forward<T>(act, std::span<const T>(inplace), std::span<T>(inplace));
  expect_same(inplace, y_ref, "forward in place");

  actfn::backward<T>(act, {.x = x, .dy = dy}, dx);
  actfn::reference::backward<T>(act, {.x = x, .dy = dy}, dx_ref);
  expect_same(dx, dx_ref, "backward from x");

  std::vector<T> dx_inplace(dy.begin(), dy.end());
  actfn::backward<T>(act, {.x = x, .dy = std::span<const T>(dx_inplace)}, std::span<T>(dx_inplace));
  expect_same(dx_inplace, dx_ref, "backward from x, dx aliasing dy");

  if (act.backward_from_y()) {
    actfn::backward<T>(act, {.y = y_ref, .dy = dy}, dx);
    actfn::reference::backward<T>(act, {.y = y_ref, .dy = dy}, dx_ref);
    expect_same(dx, dx_ref, "backward from y");
  }
}

/// Distance in representable floats (0 for equal values, +0 and -0 are 1 apart; NaN vs NaN: 0).
std::uint32_t float_distance(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : UINT32_MAX;
  const auto ordered = [](float v) {
    const auto u = std::bit_cast<std::uint32_t>(v);
    return u & 0x80000000u ? 0x80000000u - (u & 0x7fffffffu) : 0x80000000u + u;
  };
  const std::uint32_t x = ordered(a), y = ordered(b);
  return x > y ? x - y : y - x;
}

/// f32 kernels computed in f64 lanes: within 1 ULP of the reference (so within 1.5 ULP of the
/// correctly rounded value), and exactly equal wherever the result is special (NaN, ±inf, ±0).
void check_f32_within_one_ulp(const Activation& act, const std::vector<float>& x, const std::string& what) {
  SCOPED_TRACE(act.spec() + " " + what);
  const std::size_t n = x.size();
  std::vector<float> dy(n, 1.0f), y(n), y_ref(n), dx(n), dx_ref(n);
  for (std::size_t i = 0; i < n; ++i) dy[i] = i % 3 == 0 ? -0.75f : 1.25f;
  // Forward signed zeros are part of the contract (f(-0)); a gradient that underflows to zero may
  // carry either sign (silu'(-748) is a tiny negative number: -0 is as right as the reference's +0).
  const auto compare = [&](const std::vector<float>& got, const std::vector<float>& want, const char* dir) {
    const bool gradient = dir[0] == 'b';
    for (std::size_t i = 0; i < n; ++i) {
      const bool special = !std::isfinite(want[i]) || want[i] == 0;
      const bool zeros = gradient && got[i] == 0 && want[i] == 0;
      ASSERT_TRUE(zeros || (special ? same(got[i], want[i]) : float_distance(got[i], want[i]) <= 1u))
          << dir << " at x = " << x[i] << ": " << got[i] << " vs reference " << want[i];
    }
  };
  actfn::forward<float>(act, x, y);
  actfn::reference::forward<float>(act, x, y_ref);
  compare(y, y_ref, "forward");
  actfn::backward<float>(act, {.x = x, .dy = dy}, dx);
  actfn::reference::backward<float>(act, {.x = x, .dy = dy}, dx_ref);
  compare(dx, dx_ref, "backward from x");
  if (act.backward_from_y()) {
    actfn::backward<float>(act, {.y = y_ref, .dy = dy}, dx);
    actfn::reference::backward<float>(act, {.y = y_ref, .dy = dy}, dx_ref);
    compare(dx, dx_ref, "backward from y");
  }
  std::vector<float> inplace = x;
  actfn::forward<float>(act, std::span<const float>(inplace), std::span<float>(inplace));
  compare(inplace, y_ref, "forward in place");
}

const char* const kF32ViaF64Specs[] = {
    "sigmoid", "tanh", "silu", "softplus", "softplus(beta=2.5)", "log_sigmoid", "elu", "elu(alpha=0.5)",
    "celu(alpha=2)", "selu", "gelu_sigmoid", "swish(beta=1.5)", "swish(beta=-0.5)", "swish(beta=0)", "hardswish",
    "softsign", "mish", "gelu_tanh", "lecun_tanh", "squareplus", "squareplus(b=0.5)"};

class Kernels : public ::testing::TestWithParam<std::string> {};

TEST_P(Kernels, SmoothF32KernelsWithinOneUlpOfTheReference) {
  TargetGuard guard;
  actfn::set_target(GetParam());
  std::vector<float> sweep;  // every 65536th bit pattern of all 2^32, then the special values
  for (std::uint64_t bits = 0; bits < (1ull << 32); bits += 1u << 16)
    sweep.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(bits)));
  const std::vector<float> special = inputs<float>({0.0}, 512, 3);
  sweep.insert(sweep.end(), special.begin(), special.end());
  for (const char* spec : kF32ViaF64Specs) {
    const Activation act = actfn::parse(spec);
    ASSERT_TRUE(actfn::has_kernel<float>(act)) << spec;
    check_f32_within_one_ulp(act, sweep, "bit-pattern sweep");
    for (std::size_t n = 0; n <= 19; ++n)
      check_f32_within_one_ulp(act, inputs<float>({0.0}, n, static_cast<std::uint32_t>(n)), "n=" + std::to_string(n));
  }
}

TEST_P(Kernels, MatchTheReferenceBitForBitAtEveryLength) {
  TargetGuard guard;
  actfn::set_target(GetParam());
  ASSERT_EQ(actfn::target(), GetParam()) << "dispatch must run the forced target";
  for (const char* spec : kSpecs) {
    const Activation act = actfn::parse(spec);
    ASSERT_TRUE(actfn::has_kernel<float>(act) && actfn::has_kernel<double>(act)) << spec;
    const std::vector<double> kinks = kinks_of(act);
    // Every length up to four AVX-512 vectors of f32 and beyond, then a few long ones.
    for (std::size_t n = 0; n <= 67; ++n) {
      check_against_reference<float>(act, kinks, n, n % 4);
      check_against_reference<double>(act, kinks, n, n % 3);
    }
    for (std::size_t n : {1000u, 4099u}) {
      check_against_reference<float>(act, kinks, n, 1);
      check_against_reference<double>(act, kinks, n, 1);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryTarget, Kernels, ::testing::ValuesIn(actfn::targets()),
                         [](const auto& param_info) { return param_info.param; });

TEST(Dispatch, TargetsAreListedBestFirstAndCanBeForced) {
  TargetGuard guard;
  const std::vector<std::string> all = actfn::targets();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(actfn::target(), all.front()) << "automatic dispatch picks the best target";
  for (const std::string& t : all) {
    actfn::set_target(t);
    EXPECT_EQ(actfn::target(), t);
    EXPECT_EQ(actfn::targets(), all) << "the list does not shrink while a target is forced";
  }
  actfn::set_target("auto");
  EXPECT_EQ(actfn::target(), all.front());
  EXPECT_THROW(actfn::set_target("AVX9000"), actfn::Error);
}

TEST(Dispatch, ActivationsWithoutKernelRunTheReferenceExactly) {
  for (const actfn::FunctionInfo& fi : actfn::all()) {
    const Activation act(fi.kind);
    if (fi.vector_wise || actfn::has_kernel<float>(act)) continue;
    const std::vector<float> x = inputs<float>(kinks_of(act), 37, 5);
    std::vector<float> y(x.size()), y_ref(x.size());
    actfn::forward<float>(act, x, y);
    actfn::reference::forward<float>(act, x, y_ref);
    expect_same(y, y_ref, std::string(fi.name));
  }
}

TEST(Dispatch, BadArgumentsGetTheReferenceErrors) {
  const Activation relu(actfn::Kind::Relu);
  std::vector<float> x(8), y(7);
  EXPECT_THROW(actfn::forward<float>(relu, x, y), actfn::Error);
  std::vector<float> buf(16);
  EXPECT_THROW(actfn::forward<float>(relu, std::span<const float>(buf.data(), 8), std::span<float>(buf.data() + 4, 8)),
               actfn::Error);
  const Activation leaky = actfn::parse("leaky_relu(negative_slope=-1)");
  std::vector<float> dy(8), dx(8);
  EXPECT_THROW(actfn::backward<float>(leaky, {.y = x, .dy = dy}, dx), actfn::Error);
}

}  // namespace
