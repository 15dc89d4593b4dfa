// The gated linear units' kernels (glu, geglu, swiglu, reglu: y = a·gate(b)) against the reference
// on every target: f32 forward and backward within 1 ULP of the f64 reference (1.5 where they run
// in f32 lanes), f64 within the registry's bounds (reglu: equal to the reference, or to the products
// rounded once where the long-double reference rounds twice), special values as the reference's,
// every half length around the vector widths, channels-first layouts, in
// place, split across threads.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/actfn.hpp"
#include "settings_guard.hpp"
#include "table_cases.hpp"

namespace {

using actfn::Axis;

/// The gated units with kernels: the kernel table's Gated rows.
const std::vector<std::string> kGated = actfn_test::names_with(actfn::kernels::Path::Gated);

/// Inputs that stress the products: a gate whose value or slope is below the smallest normal (or
/// than any float) while the other factor is large, products dy·a past the largest float, zeros, infinities, NaN.
template <class T>
std::vector<T> adversarial(bool gate_half) {
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  const T big = std::numeric_limits<T>::max() / 4, tiny = std::numeric_limits<T>::denorm_min();
  if (gate_half)
    return {nan, inf, -inf, T(0), T(-0.0), T(-90), T(-100), T(-110), T(-200), T(-800), T(-1000), T(-13.5),
            T(-40), T(88), T(1e-40), T(-1e-40), tiny, -tiny, T(-0.7517916), T(-1.19), T(3), T(-3),
            // gelu(b) and gelu'(b) tiny, products with a large a or dy·a still floats (geglu)
            T(-15), T(-17.5), T(-19.5), T(-21), T(-23.5)};
  return {T(1), inf, -inf, nan, T(0), T(-0.0), big, -big, T(1e30), T(-1e38), T(2.5), T(-7), T(1e20),
          T(-1e25), T(3e38), T(1), T(-1), T(1e30), T(0.5), T(1e-30), T(1e35), T(-2)};
}

/// x with rows [a | b] of half length h, random with the adversarial values placed in the first
/// rows; dy of half length, random with large magnitudes among them.
template <class T>
void make_inputs(Axis L, std::uint32_t seed, std::vector<T>& x, std::vector<T>& dy) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> ua(-4, 4), ub(-12, 12), ug(-1, 1);
  const std::size_t H = L.axis / 2 * L.inner;
  x.resize(L.outer * 2 * H);
  dy.resize(L.outer * H);
  const std::vector<T> ga = adversarial<T>(false), gb = adversarial<T>(true);
  const std::vector<T> gdy = {T(1), T(1e30), T(-1e35), T(0), std::numeric_limits<T>::infinity(), T(1e-20)};
  std::size_t k = 0;
  for (std::size_t o = 0; o < L.outer; ++o)
    for (std::size_t j = 0; j < H; ++j, ++k) {
      const bool special = k < ga.size() * gb.size() && gen() % 2 == 0;
      x[o * 2 * H + j] = special ? ga[k % ga.size()] : static_cast<T>(ua(gen));
      x[o * 2 * H + H + j] = special ? gb[(k / ga.size()) % gb.size()] : static_cast<T>(ub(gen));
      dy[o * H + j] = special && k % 3 == 0 ? gdy[k % gdy.size()] : static_cast<T>(ug(gen));
    }
}

/// Spacing of T at |v| (its smallest subnormal at and below the smallest normal).
template <class T>
double ulp_of(double v) {
  const T t = static_cast<T>(std::fabs(v));
  if (std::isinf(t)) return std::numeric_limits<T>::max() - std::nextafter(std::numeric_limits<T>::max(), T(0));
  return static_cast<double>(std::nextafter(t, std::numeric_limits<T>::infinity()) - t);
}

template <class T>
bool same_or_both_nan(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

/// Error of got in ULP of T at the oracle's magnitude.
template <class T, class R>
double ulp_error(T got, R oracle) {
  return static_cast<double>(std::fabs(static_cast<R>(got) - oracle) / static_cast<R>(ulp_of<T>(static_cast<double>(oracle))));
}

/// got within `bound` ULP of the oracle where the reference's result is finite, or (f64: the
/// reference's formula cancels next to the slopes' zeros, where the kernels are closer to the
/// truth than it) within 1 ULP of `composed`, the product taken with the element-wise kernel's
/// gate; identical to the reference's result where that is not finite (NaN, ±inf); for exact
/// (reglu) identical everywhere, to the reference's or to `rounded` (f64: the products rounded
/// once in double, where the long-double reference rounds twice and may differ by an ULP).
template <class T, class R>
void expect_close(const std::vector<T>& got, const std::vector<T>& ref, const std::vector<R>& oracle,
                  const std::vector<long double>& composed, const std::vector<T>& rounded, double bound, bool exact,
                  const char* what) {
  std::size_t bad = 0;
  double worst = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    bool ok;
    if (exact || !std::isfinite(ref[i])) {
      ok = same_or_both_nan(got[i], ref[i]) || (exact && !rounded.empty() && same_or_both_nan(got[i], rounded[i]));
    } else {
      double err = ulp_error(got[i], oracle[i]);
      if (!composed.empty() && err > bound && ulp_error(got[i], composed[i]) <= 1.0) err = ulp_error(got[i], composed[i]);
      worst = std::max(worst, err);
      ok = err <= bound;
    }
    if (!ok && bad++ < 3)
      ADD_FAILURE() << what << " at " << i << ": " << got[i] << " vs reference " << ref[i] << " (oracle "
                    << oracle[i] << ")";
  }
  EXPECT_EQ(bad, 0u) << what << " worst " << worst << " ULP";
}

/// The gate of each gated unit, as an element-wise activation.
std::string gate_of(std::string_view unit) {
  if (unit == "glu") return "sigmoid";
  if (unit == "geglu") return "gelu";
  if (unit == "swiglu") return "silu";
  return "relu";
}

/// The products of a gated unit taken with the element-wise kernels' g and g', in long double.
void composed_products(const actfn::Activation& act, Axis L, const std::vector<double>& x,
                       const std::vector<double>& dy, std::vector<long double>& y, std::vector<long double>& dx) {
  const actfn::Activation gate = actfn::parse(gate_of(act.name()));
  const std::size_t H = L.axis / 2 * L.inner;
  y.assign(dy.size(), 0);
  dx.assign(x.size(), 0);
  for (std::size_t o = 0; o < L.outer; ++o) {
    const std::vector<double> b(x.begin() + o * 2 * H + H, x.begin() + (o + 1) * 2 * H), ones(H, 1.0);
    std::vector<double> g(H), s(H);
    actfn::forward<double>(gate, b, g);
    actfn::backward<double>(gate, {.x = b, .dy = ones}, s);
    for (std::size_t j = 0; j < H; ++j) {
      const long double a = x[o * 2 * H + j], d = dy[o * H + j];
      y[o * H + j] = a * g[j];
      dx[o * 2 * H + j] = d * g[j];
      dx[o * 2 * H + H + j] = d * a * s[j];
    }
  }
}

/// reglu's products in T, each rounded once: y = a·relu(b), da = dy·relu(b), db = (dy·relu'(b))·a
/// (relu and its slope exact).
template <class T>
void reglu_rounded(Axis L, const std::vector<T>& x, const std::vector<T>& dy, std::vector<T>& y, std::vector<T>& dx) {
  const std::size_t H = L.axis / 2 * L.inner;
  y.assign(dy.size(), 0);
  dx.assign(x.size(), 0);
  const actfn::Activation relu = actfn::parse("relu");
  for (std::size_t o = 0; o < L.outer; ++o) {
    const std::vector<T> b(x.begin() + o * 2 * H + H, x.begin() + (o + 1) * 2 * H), ones(H, T(1));
    std::vector<T> g(H), s(H);
    actfn::reference::forward<T>(relu, b, g);
    actfn::reference::backward<T>(relu, {.x = b, .dy = ones}, s);
    for (std::size_t j = 0; j < H; ++j) {
      const T a = x[o * 2 * H + j], d = dy[o * H + j];
      y[o * H + j] = a * g[j];
      dx[o * 2 * H + j] = d * g[j];
      dx[o * 2 * H + H + j] = (d * s[j]) * a;
    }
  }
}

template <class T>
void check_layout(const actfn::Activation& act, Axis L, std::uint32_t seed) {
  std::vector<T> x, dy;
  make_inputs<T>(L, seed, x, dy);
  const std::size_t n = x.size(), m = dy.size();
  std::vector<T> y_ref(m), dx_ref(n);
  actfn::reference::forward<T>(act, L, x, y_ref);
  actfn::reference::backward<T>(act, L, {.x = x, .dy = dy}, dx_ref);
  // The oracle: f32 data through the f64 reference (long double inside); f64 data its own
  // reference, and the products with the element-wise kernels' gates.
  std::vector<double> y_or(m), dx_or(n);
  std::vector<long double> y_comp, dx_comp;
  // f32: each output rounds once from f64 lanes, but glu and swiglu (forward and backward) run in
  // f32 lanes inside sigmoid's and silu's kernels (as accurate as those: ~1.3 ULP).
  const bool in_f32_lanes = act.name() == "glu" || act.name() == "swiglu";
  double fwd = in_f32_lanes ? 1.5 : 1.0, bwd = in_f32_lanes ? 1.5 : 1.0;
  if constexpr (std::is_same_v<T, float>) {
    const std::vector<double> xd(x.begin(), x.end()), dyd(dy.begin(), dy.end());
    actfn::reference::forward<double>(act, L, xd, y_or);
    actfn::reference::backward<double>(act, L, {.x = xd, .dy = dyd}, dx_or);
  } else {
    y_or = y_ref;
    dx_or = dx_ref;
    composed_products(act, L, x, dy, y_comp, dx_comp);
    fwd = act.info().accuracy.f64_y + 0.5;  // the reference's own rounding on top
    bwd = act.info().accuracy.f32_dy + 0.5;
  }
  const bool exact = act.name() == "reglu";
  std::vector<T> y_rounded, dx_rounded;
  if (exact && std::is_same_v<T, double>) reglu_rounded(L, x, dy, y_rounded, dx_rounded);
  for (const std::string& target : actfn::targets()) {
    SCOPED_TRACE(target);
    actfn::set_target(target);
    std::vector<T> y(m), dx(n), inplace = x;
    actfn::forward<T>(act, L, x, y);
    expect_close(y, y_ref, y_or, y_comp, y_rounded, fwd, exact, "forward");
    actfn::backward<T>(act, L, {.x = x, .dy = dy}, dx);
    expect_close(dx, dx_ref, dx_or, dx_comp, dx_rounded, bwd, exact, "backward");
    actfn::backward<T>(act, L, {.x = inplace, .dy = dy}, inplace);
    for (std::size_t i = 0; i < n; ++i)
      if (!same_or_both_nan(inplace[i], dx[i])) {
        ADD_FAILURE() << "in place differs at " << i;
        break;
      }
  }
}

TEST(GatedUnits, MatchReferenceAtEveryLengthOnEveryTarget) {
  const SettingsGuard guard;
  const std::size_t halves[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 257};
  for (const std::string& name : kGated) {
    const actfn::Activation act = actfn::parse(name);
    EXPECT_TRUE(actfn::has_kernel<float>(act)) << name;
    EXPECT_TRUE(actfn::has_kernel<double>(act)) << name;
    for (const std::size_t h : halves) {
      SCOPED_TRACE(std::string(name) + " h=" + std::to_string(h));
      check_layout<float>(act, Axis{7, 2 * h, 1}, static_cast<std::uint32_t>(h));
      check_layout<double>(act, Axis{7, 2 * h, 1}, static_cast<std::uint32_t>(h) + 1000);
    }
    // Channels first (glu over dim 1 of NCHW): each half is a contiguous block of h·inner.
    for (const Axis L : {Axis{2, 6, 5}, Axis{3, 10, 64}, Axis{1, 2, 1}, Axis{1, 4, 3}}) {
      SCOPED_TRACE(std::string(name) + " layout " + std::to_string(L.outer) + "x" + std::to_string(L.axis) + "x" +
                   std::to_string(L.inner));
      check_layout<float>(act, L, 7);
      check_layout<double>(act, L, 8);
    }
  }
}

TEST(GatedUnits, ThreadsGiveTheSameResults) {
  const SettingsGuard guard;
  const Axis L{40, 2 * 1000, 3};  // thread ranges start and end inside blocks
  std::vector<float> x, dy;
  make_inputs<float>(L, 3, x, dy);
  for (const std::string& name : kGated) {
    const actfn::Activation act = actfn::parse(name);
    actfn::set_threads(1);
    std::vector<float> y1(dy.size()), dx1(x.size());
    actfn::forward<float>(act, L, x, y1);
    actfn::backward<float>(act, L, {.x = x, .dy = dy}, dx1);
    actfn::set_threads(3);
    actfn::set_parallel_threshold(1000);
    std::vector<float> y(dy.size()), dx(x.size());
    actfn::forward<float>(act, L, x, y);
    actfn::backward<float>(act, L, {.x = x, .dy = dy}, dx);
    for (std::size_t i = 0; i < y.size(); ++i) ASSERT_TRUE(same_or_both_nan(y[i], y1[i])) << name << " " << i;
    for (std::size_t i = 0; i < dx.size(); ++i) ASSERT_TRUE(same_or_both_nan(dx[i], dx1[i])) << name << " " << i;
    actfn::set_threads(0);
    actfn::set_parallel_threshold(0);
  }
}

TEST(GatedUnits, MalformedCallsAreRejected) {
  const actfn::Activation act = actfn::parse("swiglu");
  std::vector<float> x(12, 0.5f), y(6), short_y(5);
  EXPECT_THROW(actfn::forward<float>(act, Axis{4, 3, 1}, x, y), actfn::Error);        // odd axis
  EXPECT_THROW(actfn::forward<float>(act, Axis{3, 4, 1}, x, short_y), actfn::Error);  // y too short
  EXPECT_THROW(actfn::forward<float>(act, Axis{3, 4, 1}, x, std::span<float>(x.data(), 6)), actfn::Error);  // y in x
  std::vector<float> dx(12);
  EXPECT_THROW(actfn::backward<float>(act, Axis{3, 4, 1}, {.y = y, .dy = y}, dx), actfn::Error);  // needs x
  EXPECT_THROW(actfn::backward<float>(act, Axis{3, 4, 1}, {.x = x, .dy = short_y}, dx), actfn::Error);
}

}  // namespace
