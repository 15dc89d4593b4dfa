// bf16 and f16 storage: the conversions round to nearest even (checked against independent
// arithmetic), and every element-wise activation, forward and backward, is within 1 ULP of the
// correctly rounded result at all 65,536 inputs, on every target.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/actfn.hpp"
#include "settings_guard.hpp"
#include "simd.hpp"

namespace {

using actfn::bf16;
using actfn::f16;


template <class H>
H make(std::uint16_t bits) {
  return H{bits};
}
template <class H>
H round_float(float x) {
  if constexpr (std::is_same_v<H, bf16>)
    return actfn::to_bf16(x);
  else
    return actfn::to_f16(x);
}

/// Position on the number line: consecutive values of the same sign differ by 1; -0 and +0 are both 0.
template <class H>
std::int32_t ordinal(H h) {
  const std::int32_t magnitude = h.bits & 0x7fff;
  return (h.bits & 0x8000) ? -magnitude : magnitude;
}
template <class H>
H from_ordinal(std::int32_t o) {
  return H{static_cast<std::uint16_t>(o < 0 ? (0x8000 | -o) : o)};
}

/// The largest finite pattern of H.
template <class H>
constexpr std::uint16_t kMaxBits = std::is_same_v<H, bf16> ? 0x7f7f : 0x7bff;

/// The value of H nearest to t (ties to the even bit pattern), found by comparing distances to the
/// neighbours of the float rounding: an independent check of the one-step conversion.
template <class H>
H nearest(double t) {
  const H guess = round_float<H>(static_cast<float>(t));
  if (std::isnan(t) || t == 0) return guess;
  const double max = actfn::to_float(H{kMaxBits<H>});
  const double ulp_at_max = max - actfn::to_float(H{static_cast<std::uint16_t>(kMaxBits<H> - 1)});
  if (std::fabs(t) >= max + ulp_at_max / 2) return round_float<H>(std::copysign(HUGE_VALF, static_cast<float>(t)));
  H best = guess;
  double best_distance = std::numeric_limits<double>::infinity();
  for (int k = -1; k <= 1; ++k) {
    const H c = from_ordinal<H>(ordinal(guess) + k);
    const double v = actfn::to_float(c);
    if (std::isinf(v) || std::isnan(v)) continue;
    const double distance = std::fabs(v - t);
    if (distance < best_distance || (distance == best_distance && (c.bits & 1) == 0)) {
      best = c;
      best_distance = distance;
    }
  }
  if (actfn::to_float(best) == 0) return H{static_cast<std::uint16_t>(t < 0 ? 0x8000 : 0)};  // signed zero
  return best;
}

TEST(Storage16, WideningRoundTripsEveryPattern) {
  for (std::uint32_t b = 0; b < 65536; ++b) {
    const auto bits = static_cast<std::uint16_t>(b);
    const float vb = actfn::to_float(bf16{bits}), vf = actfn::to_float(f16{bits});
    if (std::isnan(vb)) EXPECT_TRUE(std::isnan(actfn::to_float(actfn::to_bf16(vb))));
    else EXPECT_EQ(actfn::to_bf16(vb).bits, bits);
    if (std::isnan(vf)) EXPECT_TRUE(std::isnan(actfn::to_float(actfn::to_f16(vf))));
    else EXPECT_EQ(actfn::to_f16(vf).bits, bits);
  }
  EXPECT_EQ(actfn::to_float(f16{0x3c00}), 1.0f);
  EXPECT_EQ(actfn::to_float(f16{0x7bff}), 65504.0f);
  EXPECT_EQ(actfn::to_float(f16{0x0001}), 0x1p-24f);
  EXPECT_EQ(actfn::to_float(bf16{0x3f80}), 1.0f);
}

// Rounding of floats spread over the whole range (every 257th pattern, both signs), against the
// nearest value found by comparing distances.
TEST(Storage16, NarrowingRoundsToNearestEven) {
  for (std::uint64_t u = 0; u < (1ull << 32); u += 257) {
    const float x = std::bit_cast<float>(static_cast<std::uint32_t>(u));
    if (std::isnan(x)) {
      EXPECT_TRUE(std::isnan(actfn::to_float(actfn::to_bf16(x))));
      EXPECT_TRUE(std::isnan(actfn::to_float(actfn::to_f16(x))));
      continue;
    }
    ASSERT_EQ(actfn::to_bf16(x).bits, nearest<bf16>(x).bits) << std::hexfloat << x;
    ASSERT_EQ(actfn::to_f16(x).bits, nearest<f16>(x).bits) << std::hexfloat << x;
  }
  // Ties go to even: 1 + 2^-11 is halfway between f16 1 and 1 + 2^-10.
  EXPECT_EQ(actfn::to_f16(1.0f + 0x1p-11f).bits, 0x3c00);
  EXPECT_EQ(actfn::to_f16(1.0f + 3 * 0x1p-11f).bits, 0x3c02);
  EXPECT_EQ(actfn::to_f16(65520.0f).bits, 0x7c00);  // halfway to 2^16 rounds to inf
  EXPECT_EQ(actfn::to_f16(0x1p-25f).bits, 0x0000);  // half the smallest subnormal: tie to 0
  EXPECT_EQ(actfn::to_f16(0x1.8p-25f).bits, 0x0001);
  EXPECT_EQ(actfn::to_bf16(1.0f + 0x1p-8f).bits, 0x3f80);
}

/// Whether got is within 1 ULP of the correctly rounded truth (NaN: both NaN).
template <class H>
bool within_one_ulp(H got, double truth) {
  const float g = actfn::to_float(got);
  if (std::isnan(truth) || std::isnan(g)) return std::isnan(truth) && std::isnan(g);
  return std::abs(ordinal(got) - ordinal(nearest<H>(truth))) <= 1;
}

/// Every element-wise activation at its defaults and every 16-bit input: forward, backward from x
/// with dy = 1 (f'), and from y where allowed, against the f64 oracle (the float reference's
/// double result before rounding, reference::forward_wide) at the widened values.
template <class H>
void check_all_inputs() {
  std::vector<H> x(65536);
  std::vector<float> xf(65536);
  for (std::uint32_t b = 0; b < 65536; ++b) {
    x[b] = H{static_cast<std::uint16_t>(b)};
    xf[b] = actfn::to_float(x[b]);
  }
  const std::vector<H> ones(x.size(), round_float<H>(1.0f));
  const std::vector<float> ones_f(x.size(), 1.0f);
  for (const actfn::FunctionInfo& fi : actfn::all()) {
    if (fi.vector_wise) continue;
    const actfn::Activation act(fi.kind);
    SCOPED_TRACE(act.spec());
    std::vector<double> y_true(x.size()), slope_true(x.size());
    actfn::reference::forward_wide(act, xf, y_true);
    actfn::reference::backward_wide(act, {.x = xf, .dy = ones_f}, slope_true);
    for (const std::string& target : actfn::targets()) {
      SCOPED_TRACE(target);
      actfn::set_target(target);
      std::vector<H> y(x.size()), dx(x.size());
      actfn::forward<H>(act, x, y);
      actfn::backward<H>(act, {.x = x, .dy = ones}, dx);
      std::size_t bad_y = 0, bad_dx = 0, bad_from_y = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!within_one_ulp(y[i], y_true[i]) && bad_y++ == 0)
          ADD_FAILURE() << "forward at x = " << xf[i] << ": got " << actfn::to_float(y[i]) << ", truth " << y_true[i];
        if (!within_one_ulp(dx[i], slope_true[i]) && bad_dx++ == 0)
          ADD_FAILURE() << "f' at x = " << xf[i] << ": got " << actfn::to_float(dx[i]) << ", truth " << slope_true[i];
      }
      if (act.backward_from_y()) {
        std::vector<float> yf(x.size());
        std::vector<double> from_y_true(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) yf[i] = actfn::to_float(y[i]);
        actfn::reference::backward_wide(act, {.y = yf, .dy = ones_f}, from_y_true);
        actfn::backward<H>(act, {.y = y, .dy = ones}, dx);
        for (std::size_t i = 0; i < x.size(); ++i)
          if (!within_one_ulp(dx[i], from_y_true[i]) && bad_from_y++ == 0)
            ADD_FAILURE() << "f' from y = " << yf[i] << ": got " << actfn::to_float(dx[i]) << ", truth " << from_y_true[i];
      }
      EXPECT_EQ(bad_y + bad_dx + bad_from_y, 0u) << bad_y << " forward, " << bad_dx << " f' from x, " << bad_from_y
                                                 << " f' from y";
    }
  }
}

TEST(Storage16, Bf16ActivationsWithinOneUlpOfCorrectRounding) {
  const SettingsGuard guard;
  check_all_inputs<bf16>();
}
TEST(Storage16, F16ActivationsWithinOneUlpOfCorrectRounding) {
  const SettingsGuard guard;
  check_all_inputs<f16>();
}

TEST(Storage16, ArgumentErrorsAreReported) {
  const actfn::Activation relu = actfn::parse("relu"), prelu = actfn::parse("prelu");
  std::vector<bf16> x(8), y(7), dx(8), dw(1);
  EXPECT_THROW(actfn::forward<bf16>(relu, x, y), actfn::Error);
  EXPECT_THROW(actfn::backward<bf16>(relu, {.dy = x}, dx), actfn::Error);          // neither x nor y
  EXPECT_THROW(actfn::backward<bf16>(prelu, {.x = x, .dy = x}, dx, dw), actfn::Error);  // no dα in 16 bits
  EXPECT_THROW(actfn::forward<bf16>(actfn::parse("softmax"), x, dx), actfn::Error);
}

}  // namespace

// The SIMD conversions (kernels layer) against the scalar ones (the spec), on every target: all
// 65,536 widenings, and narrowing of every 4099th float bit pattern, every 97th of the range that
// rounds to f16 subnormals (2^-26 to 2^-14), and the rounding boundaries.
namespace {

TEST(Storage16, SimdConversionsEqualScalarOnEveryTarget) {
  const SettingsGuard guard;
  std::vector<std::uint16_t> all(65536);
  for (std::uint32_t b = 0; b < 65536; ++b) all[b] = static_cast<std::uint16_t>(b);
  std::vector<float> floats;
  for (std::uint64_t u = 0; u < (1ull << 32); u += 4099) floats.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(u)));
  for (std::uint32_t u = 0x32800000u; u < 0x38800000u; u += 97) floats.push_back(std::bit_cast<float>(u));
  for (const float f : {65504.0f, 65519.996f, 65520.0f, 0x1p-14f, 0x1.ffcp-15f, 0x1p-25f, 0x1.8p-25f, 0x1p-24f,
                        3.3895314e38f, 3.4028235e38f, 1.0f + 0x1p-8f, 1.0f + 0x1p-11f})
    for (const float s : {1.0f, -1.0f}) floats.push_back(s * f);
  for (const std::string& target : actfn::targets()) {
    SCOPED_TRACE(target);
    actfn::set_target(target);
    std::vector<bf16> b;
    std::vector<f16> h;
    for (const std::uint16_t bits : all) {
      b.push_back(bf16{bits});
      h.push_back(f16{bits});
    }
    std::vector<float> wb(all.size()), wh(all.size());
    actfn::kernels::simd_widen(b.data(), wb.data(), b.size());
    actfn::kernels::simd_widen(h.data(), wh.data(), h.size());
    std::size_t bad = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
      bad += std::bit_cast<std::uint32_t>(wb[i]) != std::bit_cast<std::uint32_t>(actfn::to_float(b[i]));
      bad += std::bit_cast<std::uint32_t>(wh[i]) != std::bit_cast<std::uint32_t>(actfn::to_float(h[i]));
    }
    EXPECT_EQ(bad, 0u) << "widening";
    std::vector<bf16> nb(floats.size());
    std::vector<f16> nh(floats.size());
    actfn::kernels::simd_narrow(floats.data(), nb.data(), floats.size());
    actfn::kernels::simd_narrow(floats.data(), nh.data(), floats.size());
    bad = 0;
    for (std::size_t i = 0; i < floats.size(); ++i) {
      if (nb[i] != actfn::to_bf16(floats[i]) && bad++ == 0) ADD_FAILURE() << "bf16 of " << std::hexfloat << floats[i];
      if (nh[i] != actfn::to_f16(floats[i]) && bad++ == 0) ADD_FAILURE() << "f16 of " << std::hexfloat << floats[i];
    }
    EXPECT_EQ(bad, 0u) << "narrowing";
  }
}

}  // namespace
