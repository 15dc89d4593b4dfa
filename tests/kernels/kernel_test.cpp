// The f32 and piecewise-linear SIMD kernels, on every instruction set compiled in and supported
// here, over the kernel table's rows and cases (table_cases.hpp): piecewise-linear kernels round
// exactly as the reference does, so results must be identical bit for bit (NaN: both NaN); the
// smooth f32 kernels within their declared contract of the truth (a faithful piecewise-linear
// forward: the reference's value or a neighbour). Every length around the vector
// widths (tails), misaligned starts, in place, forward and backward (from x and from y).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/actfn.hpp"
#include "table_cases.hpp"

namespace {

using actfn::Activation;
using actfn::kernels::KernelRow;
using actfn::kernels::Path;

/// The table's piecewise-linear rows: bit-identical to the reference.
bool piecewise_linear(const KernelRow& row) { return row.f32.f == Path::PiecewiseLinear; }
/// The table's smooth f32 kernels (element-wise, in f32 or f64 lanes): within their contract.
bool smooth_f32(const KernelRow& row) { return row.f32.f == Path::F32Lanes || row.f32.f == Path::F32InF64Lanes; }

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

/// A faithful kernel (contract 1 ULP) against the correctly rounded reference: the same value or
/// its neighbour (rounding_test.cpp checks the bound itself, at the inputs where it bites).
template <class T>
void expect_neighbours(const std::vector<T>& got, const std::vector<T>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_TRUE(same(got[i], want[i]) || got[i] == std::nextafter(want[i], T(2)) || got[i] == std::nextafter(want[i], T(-2)))
        << what << " at " << i << ": " << got[i] << " vs " << want[i];
}

template <class T>
void check_against_reference(const Activation& act, const std::vector<double>& kinks, std::size_t n,
                             std::size_t offset, const actfn::kernels::Contract& contract) {
  SCOPED_TRACE(act.spec() + " n=" + std::to_string(n) + " offset=" + std::to_string(offset));
  // Storage with a misaligned start: the spans begin `offset` elements into the buffers.
  std::vector<T> xb = inputs<T>(kinks, n + offset, static_cast<std::uint32_t>(n * 31 + offset));
  std::vector<T> dyb = inputs<T>({}, n + offset, static_cast<std::uint32_t>(n + 7));
  const std::span<const T> x(xb.data() + offset, n), dy(dyb.data() + offset, n);
  std::vector<T> y(n), y_ref(n), dx(n), dx_ref(n);

  const auto expect_forward = contract.f == 0.5 ? expect_same<T> : expect_neighbours<T>;
  actfn::forward<T>(act, x, y);
  actfn::reference::forward<T>(act, x, y_ref);
  expect_forward(y, y_ref, "forward");

  std::vector<T> inplace(x.begin(), x.end());
  actfn::forward<T>(act, std::span<const T>(inplace), std::span<T>(inplace));
  expect_forward(inplace, y_ref, "forward in place");

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

/// Error of an f32 result against the true value (the f64 reference, itself within ~1 f64 ULP):
/// in ULP of f32 at the true value, and in units of 2^-149 where the truth is subnormal (the same
/// formula: the ULP there is 2^-149). Results that must be special (NaN, ±inf, a truth beyond
/// FLT_MAX) are compared separately; a finite value against one is an infinite error.
double error_in_ulp(float got, double truth) {
  if (std::isnan(truth) || std::isinf(truth) || std::fabs(truth) >= 0x1.ffffffp127)
    return same(got, static_cast<float>(truth)) ? 0.0 : INFINITY;
  if (!std::isfinite(got)) return INFINITY;
  const int exponent = std::max(std::ilogb(truth), -126);
  return std::fabs(static_cast<double>(got) - truth) / std::ldexp(1.0, exponent - 23);
}

/// The activation f32 data computes: each parameter rounded to float, as the f32 reference and
/// kernels take it, so that the f64 reference of it is the truth an f32 kernel approximates.
Activation in_float(const Activation& act) {
  Activation out = act;
  for (const actfn::ParamSpec& ps : act.info().params)
    out.set_param(ps.name, static_cast<double>(static_cast<float>(act.param(ps.name))));
  return out;
}

/// Smooth f32 kernels against the truth, within their contract in the kernel table: the forward
/// result within f ULP, f' (backward with dy = 1, from x and from y) within df.
/// Zeros and infinities where the truth has them, NaN for NaN; forward signed zeros as the
/// reference returns them, gradient zeros with the sign of the true value (silu'(-748) is a tiny
/// negative number: -0) or of the f32 reference. Nothing whose true value is ≥ FLT_MIN may be flushed to 0, which the
/// ULP bound already forbids.
void check_f32_against_truth(const Activation& act, const actfn::kernels::Contract& bound, const std::vector<float>& x,
                             const std::string& what) {
  SCOPED_TRACE(act.spec() + " " + what);
  const std::size_t n = x.size();
  const Activation truth_act = in_float(act);
  const std::vector<double> xd(x.begin(), x.end()), ones_d(n, 1.0);
  const std::vector<float> ones(n, 1.0f);
  std::vector<double> truth(n);
  std::vector<float> got(n), y_ref(n);
  actfn::reference::forward<float>(act, x, y_ref);
  std::vector<float> ref32(n);  // the f32 reference in the direction being compared
  const auto compare = [&](const std::vector<float>& out, double limit, const char* dir) {
    const bool gradient = dir[0] == 'b';
    for (std::size_t i = 0; i < n; ++i) {
      if (out[i] == 0 && static_cast<float>(truth[i]) == 0) {
        // The sign of a forward zero is the f32 reference's (the f64 one may keep a tiny -1e-320);
        // a gradient that underflows to zero has the sign of the true value or the f32 reference's.
        if (!gradient) {
          ASSERT_TRUE(same(out[i], y_ref[i])) << dir << " at x = " << x[i] << ": " << out[i];
        } else {
          ASSERT_TRUE(std::signbit(out[i]) == std::signbit(truth[i]) || same(out[i], ref32[i]))
              << dir << " at x = " << x[i] << ": " << out[i];
        }
        continue;
      }
      const double err = error_in_ulp(out[i], truth[i]);
      ASSERT_LE(err, limit) << dir << " at x = " << std::hexfloat << x[i] << ": " << out[i] << " vs true "
                            << truth[i];
    }
  };
  actfn::reference::forward<double>(truth_act, xd, truth);
  actfn::forward<float>(act, x, got);
  compare(got, bound.f, "forward");
  std::vector<float> inplace = x;
  actfn::forward<float>(act, std::span<const float>(inplace), std::span<float>(inplace));
  compare(inplace, bound.f, "forward in place");

  actfn::reference::backward<double>(truth_act, {.x = xd, .dy = ones_d}, truth);
  actfn::reference::backward<float>(act, {.x = x, .dy = ones}, ref32);
  actfn::backward<float>(act, {.x = x, .dy = ones}, got);
  compare(got, bound.df, "backward from x");
  std::vector<float> dx_inplace = ones;
  actfn::backward<float>(act, {.x = x, .dy = std::span<const float>(dx_inplace)}, std::span<float>(dx_inplace));
  compare(dx_inplace, bound.df, "backward from x, dx aliasing dy");

  if (act.backward_from_y()) {
    // From the output y as f32 holds it (the reference's y); the truth is f'(y) exactly there.
    const std::vector<double> yd(y_ref.begin(), y_ref.end());
    actfn::reference::backward<double>(truth_act, {.y = yd, .dy = ones_d}, truth);
    actfn::reference::backward<float>(act, {.y = y_ref, .dy = ones}, ref32);
    actfn::backward<float>(act, {.y = y_ref, .dy = ones}, got);
    compare(got, bound.df, "backward from y");
  }
}

/// Inputs where smooth kernels change method or saturate: around exp's underflow (e^x subnormal
/// below -87.34, zero below -103.97), the tails of x e^x, tanh's 2^-12 and saturation, the gate
/// slope's zero (v = -1.2785) and the edges of its polynomial, each with both neighbours. For the
/// f64-lane kernels also: f64 exp's underflow (-708.4 subnormal, -745.13 zero: TeLU's e^x and the
/// sign of its zero slope) and GELU's φ underflow (x = -38.58); GELU's tail (x Φ(x) subnormal
/// below -13.146, 0 below -14.356, f' subnormal below -13.342, 0 below -14.541), the f32 GELU
/// kernel's switch to the exponential's tail instance (|x| = √140), its clamp of the fits' argument
/// (|x| = 14.6), the exponential's floor (√390), the range where a0 - |x| is exact (|x| from a0/2
/// to 2 a0), and the zeros of GELU's and TeLU's slopes (-0.75179152, -1.0788601), where f'
/// cancels; gelu_tanh's slope fit (x0 ± 1/4) and the x (-21.5166) past which the reference's v
/// makes its e^v 0; mish's slope fit (x0 = -1.19243121 and x0 ± 1/16) and clamp (-200), the f32
/// exponential's tail instance (-70), the f32-accuracy f64 exponential's clamp (±700: softplus,
/// log_sigmoid) and the largest float whose double e^x is 0 (-0x1.74910ep+9: the sign of mish's
/// zero slope, log_sigmoid's +0); tanhshrink's switches (3/4, and 2^-20 and 2^-30 for its tiny inputs; x³ and x²
/// reach the subnormal range near 2^-42 and 2^-63); tanh_f64's switch at |v| = 1.
std::vector<float> smooth_edges() {
  std::vector<float> edges;
  for (const float e : {-150.0f, -120.0f, -115.0f, -110.0f, -105.0f, -104.0f, -103.97f, -103.0f, -100.0f, -92.0f,
                        -88.72f, -87.34f, -87.0f, -86.0f, -20.0f, -17.0f, -10.0f, -9.01f, -1.5784645f, -1.2784645f,
                        -0.9784645f, -0.7511658f, -0.3466f, 0x1p-12f, 0x1p-13f, 0.3466f, 9.01f, 10.0f, 17.0f, 20.0f,
                        87.0f, 88.72f, 89.0f, 100.0f, 200.0f, 0x1p115f, 0x1p116f, 3e38f, -745.13f, -708.4f,
                        -38.5755f, -16.0f, -14.541349f, -14.356068f, -13.341882f, -13.146247f, -1.0788601f,
                        -0.75179152f, 1.0f, -11.832160f, -14.6f, -19.748418f, -0.37589576f, -1.5035830f,
                        -0x1.58441ep+4f, -1.0024614f, -0.50246142f, -1.1924312f, -1.2549312f, -1.1299312f,
                        -70.0f, -200.0f, 700.0f, -0x1.74910ep+9f, -18.0f, -16.981719f, 0.75f, 0x1p-20f, 0x1p-30f, 0x1p-42f, 0x1p-63f}) {
    for (const float v : {e, -e}) {
      edges.push_back(v);
      edges.push_back(std::nextafter(v, INFINITY));
      edges.push_back(std::nextafter(v, -INFINITY));
    }
  }
  return edges;
}

class Kernels : public ::testing::TestWithParam<std::string> {};

TEST_P(Kernels, SmoothF32KernelsWithinTheirBoundsOfTheTruth) {
  TargetGuard guard;
  actfn::set_target(GetParam());
  std::vector<float> sweep;  // every 65536th bit pattern of all 2^32, then edges and specials
  for (std::uint64_t bits = 0; bits < (1ull << 32); bits += 1u << 16)
    sweep.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(bits)));
  const std::vector<float> edges = smooth_edges(), special = inputs<float>({0.0}, 512, 3);
  sweep.insert(sweep.end(), edges.begin(), edges.end());
  sweep.insert(sweep.end(), special.begin(), special.end());
  for (const auto& [act, row] : actfn_test::table_cases(smooth_f32)) {
    const actfn::kernels::Contract bound = row->f32_contract;
    check_f32_against_truth(act, bound, sweep, "bit-pattern sweep");
    // Every length around the vector widths, so each lane position passes through the tail code.
    for (std::size_t n = 0; n <= 67; ++n) {
      std::vector<float> x = inputs<float>({0.0}, n, static_cast<std::uint32_t>(n));
      for (std::size_t i = 0; i < n; i += 5) x[i] = edges[(n * 7 + i) % edges.size()];
      check_f32_against_truth(act, bound, x, "n=" + std::to_string(n));
    }
  }
}

TEST_P(Kernels, MatchTheReferenceBitForBitAtEveryLength) {
  TargetGuard guard;
  actfn::set_target(GetParam());
  ASSERT_EQ(actfn::target(), GetParam()) << "dispatch must run the forced target";
  for (const auto& [act, row] : actfn_test::table_cases(piecewise_linear)) {
    ASSERT_EQ(row->f64.f, Path::PiecewiseLinear) << act.spec() << ": piecewise-linear kernels serve f32 and f64";
    const std::vector<double> kinks = kinks_of(act);
    // Every length up to four AVX-512 vectors of f32 and beyond, then a few long ones.
    ASSERT_EQ(row->f32_contract.df, 0.5) << act.spec() << ": piecewise-linear slopes are exact";
    ASSERT_EQ(row->f64_contract.df, 0.5) << act.spec() << ": piecewise-linear slopes are exact";
    for (std::size_t n = 0; n <= 67; ++n) {
      check_against_reference<float>(act, kinks, n, n % 4, row->f32_contract);
      check_against_reference<double>(act, kinks, n, n % 3, row->f64_contract);
    }
    for (std::size_t n : {1000u, 4099u}) {
      check_against_reference<float>(act, kinks, n, 1, row->f32_contract);
      check_against_reference<double>(act, kinks, n, 1, row->f64_contract);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryTarget, Kernels, ::testing::ValuesIn(actfn::targets()),
                         [](const auto& param_info) { return param_info.param; });

TEST(KernelTable, CasesParseToTheirRowAndDiffer) {
  for (const KernelRow& row : actfn::kernels::rows()) {
    std::vector<std::string> seen{Activation(row.kind).spec()};
    for (const std::string& spec : actfn_test::case_specs(row.cases)) {
      const Activation act = actfn::parse(spec);
      EXPECT_EQ(act.kind(), row.kind) << spec << " is not a case of " << actfn::info(row.kind).name;
      EXPECT_EQ(std::ranges::count(seen, act.spec()), 0) << spec << ": the same case twice";
      seen.push_back(act.spec());
    }
  }
}

TEST(KernelTable, KernelsAreWhatTheTableDeclares) {
  for (const KernelRow& row : actfn::kernels::rows()) {
    const Activation act(row.kind);
    SCOPED_TRACE(act.spec());
    EXPECT_EQ(actfn::has_kernel<float>(act), row.f32.f != Path::None);
    EXPECT_EQ(actfn::has_kernel<double>(act), row.f64.f != Path::None);
    EXPECT_EQ(actfn::has_slope_kernel<float>(act), row.f32.fdf != Path::None);
    EXPECT_EQ(actfn::has_slope_kernel<double>(act), row.f64.fdf != Path::None);
    // Contracts within the project's budget; the piecewise-linear kernels correctly rounded, or
    // faithful (a neighbour of the reference's value: MatchTheReferenceBitForBitAtEveryLength).
    for (const actfn::kernels::Contract& c : {row.f32_contract, row.f64_contract}) {
      EXPECT_LE(c.f, 2.0);
      EXPECT_LE(c.df, 4.0);
      if (row.f32.f == Path::PiecewiseLinear) {
        EXPECT_TRUE(c.f == 0.5 || c.f == 1.0) << c.f;
        EXPECT_EQ(c.df, 0.5);
      }
    }
    // f' from y only where the registry allows backward from y.
    if (act.info().backward_needs == actfn::Needs::X) {
      EXPECT_EQ(row.f32.df_from_y, Path::None);
      EXPECT_EQ(row.f64.df_from_y, Path::None);
    }
  }
}

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
