// The f64 SIMD kernels of the smooth activations and rrelu (F64Lanes<F> in src/kernels/*_family-inl.h) against a wide
// truth, on every instruction set compiled in and supported here, over the kernel table's F64Lanes
// rows and their cases (table_cases.hpp). The truth is the reference's own
// formula struct evaluated in long double without the final rounding (the f64 reference rounds
// exactly that value once), so it carries ~2^-11 ULP of double; where that formula cancels, the
// same formula in MPFR (see `cancels`).
//
// Bounds: each kernel's f64 contract in the table, forward within f ULP plus the truth's own
// 2^-10, f' from x and from y within df ULP of the truth; where the truth is subnormal the same measure
// counts units of 2^-1074. Special values
// (NaN, ±inf, a truth beyond DBL_MAX) must match exactly; forward zeros have the reference's sign,
// gradient zeros the sign of the true value or the reference's. Every length 0..67 (each lane
// position passes through the tail code), misaligned starts, y aliasing x and dx aliasing dy.
#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "actfn/actfn.hpp"
#include "functions/all.hpp"
#include "mp.hpp"
#include "table_cases.hpp"

namespace {

using actfn::Activation;

using actfn::kernels::Contract;
using actfn::kernels::Path;

/// The table's f64-lane kernels (any double parameter: the truth takes the parameters as the
/// reference does, double widened to long double).
bool f64_lanes(const actfn::kernels::KernelRow& row) { return row.f64.f == Path::F64Lanes; }

/// Restores automatic dispatch however a test ends.
struct TargetGuard {
  ~TargetGuard() { actfn::set_target("auto"); }
};

bool same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

enum class Dir { kForward, kFromX, kFromY };

/// Where the reference's own formula cancels, so that even long double leaves it many ULP of
/// double from the truth: f' = σ(v) + v σ'(v) of the gates near its zero v = -1.27846 (2^-64
/// absolute against values down to 2^-56), likewise gelu's, gelu_tanh's, telu's and mish's f' near their zeros,
/// celu's f' from y = y/alpha + 1 near y = -alpha, and hardswish's f' = x/3 + 1/2 near x = -3/2.
/// There the formula is evaluated in MPFR.
template <class F>
bool cancels(Dir dir) {
  using namespace actfn::fn;
  if constexpr (std::is_same_v<F, Silu> || std::is_same_v<F, Swish> || std::is_same_v<F, GeluSigmoid> ||
                std::is_same_v<F, Gelu> || std::is_same_v<F, GeluTanh> || std::is_same_v<F, Telu> || std::is_same_v<F, Mish> ||
                std::is_same_v<F, Hardswish>)
    return dir == Dir::kFromX;
  return std::is_same_v<F, Celu> && dir == Dir::kFromY;
}

/// f(x), f'(x) or f'(y) of the formula struct F in the number type R, with the NaN contract of
/// fn::f_guarded.
template <class F, class R>
R evaluate(const Activation& act, Dir dir, R v) {
  actfn::fn::Params<R> p{};
  for (std::size_t i = 0; i < actfn::kMaxParams; ++i) p[i] = R(act.params()[i]);
  if (dir == Dir::kForward) return F::template f<R>(v, p);
  if (dir == Dir::kFromX) return F::template df<R>(v, p);
  if constexpr (actfn::fn::HasFromY<F>) return F::template df_from_y<R>(v, p);
  ADD_FAILURE() << act.spec() << ": no f' from y";
  return v;
}

/// The value the f64 reference rounds once: its formula in long double (~2^-11 ULP of double),
/// or in MPFR at 256 bits where that formula cancels.
long double truth(const Activation& act, Dir dir, double in) {
  if (std::isnan(in)) return in;
  return actfn::fn::visit(act.kind(), [&]<class F>() -> long double {
    if constexpr (actfn::fn::ElementWise<F>) {
      if (cancels<F>(dir)) {
        const actfn_test::mp::PrecisionGuard bits(256);
        return static_cast<long double>(evaluate<F>(act, dir, actfn_test::mp::Real(in)));
      }
      return evaluate<F>(act, dir, static_cast<long double>(in));
    }
    ADD_FAILURE() << act.spec() << ": no element-wise truth";
    return 0.0L;
  });
}

/// Error of a double result against the long-double truth in ULP of double at the truth (units of
/// 2^-1074 where it is subnormal). Results that must be special (NaN, ±inf, a truth that rounds
/// beyond DBL_MAX) are compared exactly; a finite value against one is an infinite error.
double error_in_ulp(double got, long double t) {
  if (std::isnan(t) || std::isinf(t) || std::fabs(t) >= 0x1.fffffffffffff8p1023L)
    return same(got, static_cast<double>(t)) ? 0.0 : INFINITY;
  if (!std::isfinite(got)) return INFINITY;
  const int exponent = std::max(std::ilogb(t), -1022);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - t) / std::ldexp(1.0L, exponent - 52));
}

/// Largest error seen per direction (for the report printed by each test).
struct MaxErr {
  double f = 0, dx = 0, dy = 0;
};

/// Checks one direction's outputs against the truth at `in` (x, or y for kFromY). ref is the f64
/// reference in the same direction (the sign of forward zeros must be its).
void compare(const Activation& act, Dir dir, std::span<const double> in, const std::vector<double>& out,
             const std::vector<double>& ref, double limit, double& worst, const char* what) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    const long double t = truth(act, dir, in[i]);
    if (out[i] == 0 && static_cast<double>(t) == 0) {
      if (dir == Dir::kForward) {
        ASSERT_TRUE(same(out[i], ref[i])) << what << " at " << std::hexfloat << in[i] << ": " << out[i] << " vs reference "
                                          << ref[i];
      } else {
        ASSERT_TRUE(std::signbit(out[i]) == std::signbit(t) || same(out[i], ref[i]))
            << what << " at " << std::hexfloat << in[i] << ": " << out[i];
      }
      continue;
    }
    const double err = error_in_ulp(out[i], t);
    worst = std::max(worst, err);
    ASSERT_LE(err, limit) << what << " at " << std::hexfloat << in[i] << ": " << out[i] << " vs true "
                          << static_cast<double>(t) << " (" << std::defaultfloat << err << " ULP)";
  }
}

/// Forward, backward from x and (where the activation allows it) from y with dy = 1, in separate
/// buffers and in place, against the truth.
void check_against_truth(const Activation& act, const Contract& contract, std::span<const double> x, MaxErr& worst,
                         const std::string& what) {
  SCOPED_TRACE(act.spec() + " " + what);
  const std::size_t n = x.size();
  const std::vector<double> ones(n, 1.0);
  std::vector<double> got(n), ref(n), y_ref(n);
  actfn::reference::forward<double>(act, x, y_ref);

  // The long-double truth is itself within 2^-11 ULP of the exact value: a correctly rounded
  // result (the piecewise-linear bound, 0.5) may sit that much further from it near a tie.
  const double bound = contract.f + 0x1p-10, slope_bound = contract.df;
  actfn::forward<double>(act, x, got);
  compare(act, Dir::kForward, x, got, y_ref, bound, worst.f, "forward");
  std::vector<double> inplace(x.begin(), x.end());
  actfn::forward<double>(act, std::span<const double>(inplace), std::span<double>(inplace));
  compare(act, Dir::kForward, x, inplace, y_ref, bound, worst.f, "forward in place");

  actfn::reference::backward<double>(act, {.x = x, .dy = ones}, ref);
  actfn::backward<double>(act, {.x = x, .dy = ones}, got);
  compare(act, Dir::kFromX, x, got, ref, slope_bound, worst.dx, "backward from x");
  std::vector<double> dx_inplace = ones;
  actfn::backward<double>(act, {.x = x, .dy = std::span<const double>(dx_inplace)}, std::span<double>(dx_inplace));
  compare(act, Dir::kFromX, x, dx_inplace, ref, slope_bound, worst.dx, "backward from x, dx aliasing dy");

  if (act.backward_from_y()) {
    // From the output y as f64 holds it (the reference's y); the truth is f'(y) exactly there.
    actfn::reference::backward<double>(act, {.y = y_ref, .dy = ones}, ref);
    actfn::backward<double>(act, {.y = y_ref, .dy = ones}, got);
    compare(act, Dir::kFromY, y_ref, got, ref, slope_bound, worst.dy, "backward from y");
  }
}

/// Inputs where the kernels change method or saturate, each with both neighbours: exp's underflow
/// (e^x subnormal below -708.40, 0 below -745.13), the clamps (-1500) and the tails' switch
/// points (±37, ±20, 2^-27, 2^-54, gelu_tanh's 2^20), the gate slope's zero v0 = -1.27846 and its
/// polynomial's edges (also divided by 1.702, gelu_sigmoid's v), those of gelu's, gelu_tanh's,
/// telu's and mish's f', gelu's switch to the asymptotic series (16), its underflows (38.6, 150.99),
/// the exp reduction's ±ln2/2, hardswish's ±3, softsign's subnormal f' (|x| > 2^511), where
/// the reference's long-double e^-x is 0 (11399.5).
std::vector<double> edges() {
  std::vector<double> out;
  const double v0 = -1.2784645427610738, gelu_tanh_x0 = -0.7524614220710163, telu_x0 = -1.078860058464624,
               mish_x0 = -1.1924312145154952, gelu_x0 = -0.7517915246935645;
  for (const double e :
       {1600.0, 1500.0, 1455.0, 1000.0, 800.0, 750.0, 745.1332191019412, 745.0, 744.44, 740.0, 709.78, 708.4,
        708.3966, 708.3, 708.0, 700.0, 354.2, 354.0, 40.0, 37.0, 36.0, 20.0, 19.06, 10.0, 3.0, 1.5, v0, v0 + 0.125,
        v0 - 0.125, v0 / 1.702, (v0 + 0.125) / 1.702, (v0 - 0.125) / 1.702, gelu_tanh_x0, gelu_tanh_x0 + 0.125,
        gelu_tanh_x0 - 0.125, telu_x0, telu_x0 + 0.125, telu_x0 - 0.125, mish_x0, mish_x0 + 0.125, mish_x0 - 0.125, gelu_x0, gelu_x0 + 0.25, gelu_x0 - 0.25, 16.0, 38.6, 150.99,
        0x1p20, 0.75, 0.3466, 0.34657359027997264,
        0x1p-27, 0x1p-28, 0x1p-54, 0x1p-55, 0x1p-500, 0x1p511, 0x1p512, 0x1p537, 0x1p538, 11399.498531488862,
        11400.0, 1e10, 1e300}) {
    for (const double v : {e, -e}) {
      out.push_back(v);
      out.push_back(std::nextafter(v, INFINITY));
      out.push_back(std::nextafter(v, -INFINITY));
    }
  }
  return out;
}

/// Specials and random subnormals: ±0, ±inf, NaN, ±denorm_min, ±DBL_MIN, ±DBL_MAX.
std::vector<double> specials() {
  using lim = std::numeric_limits<double>;
  std::vector<double> out = {0.0, -0.0, lim::quiet_NaN(), -lim::quiet_NaN(), lim::infinity(), -lim::infinity(),
                             lim::denorm_min(), -lim::denorm_min(), lim::min(), -lim::min(), lim::max(), -lim::max(),
                             1.0, -1.0};
  std::mt19937_64 rng(11);
  for (int i = 0; i < 64; ++i) out.push_back(std::bit_cast<double>(rng() >> 12) * (i % 2 ? 1 : -1));
  return out;
}

/// One bit pattern out of each 2^48 of the 2^64 (at a random place in its block), a dense
/// uniform sample of [-50, 50], a sample of [-800, 800] (exp's whole range), then edges and specials.
std::vector<double> sweep() {
  std::vector<double> out;
  std::mt19937_64 rng(7);
  for (std::uint64_t block = 0; block < (1u << 16); ++block)
    out.push_back(std::bit_cast<double>((block << 48) | (rng() >> 16)));
  std::uniform_real_distribution<double> dense(-50.0, 50.0), wide(-800.0, 800.0);
  for (int i = 0; i < 40000; ++i) out.push_back(dense(rng));
  for (int i = 0; i < 10000; ++i) out.push_back(wide(rng));
  for (const std::vector<double>& more : {edges(), specials()}) out.insert(out.end(), more.begin(), more.end());
  return out;
}

class F64Kernels : public ::testing::TestWithParam<std::string> {};

TEST_P(F64Kernels, WithinTheirBoundsOfTheLongDoubleTruth) {
  TargetGuard guard;
  actfn::set_target(GetParam());
  ASSERT_EQ(actfn::target(), GetParam()) << "dispatch must run the forced target";
  const std::vector<double> all = sweep();
  for (const auto& [act, row] : actfn_test::table_cases(f64_lanes)) {
    MaxErr worst;
    check_against_truth(act, row->f64_contract, all, worst, "sweep");
    std::cout << GetParam() << " " << std::left << std::setw(24) << act.spec() << " max ULP: f " << worst.f << ", f' from x "
              << worst.dx;
    if (act.backward_from_y()) std::cout << ", f' from y " << worst.dy;
    std::cout << "\n";
  }
}

TEST_P(F64Kernels, EveryLengthAndMisalignedStart) {
  TargetGuard guard;
  actfn::set_target(GetParam());
  const std::vector<double> edge = edges(), special = specials();
  for (const auto& [act, row] : actfn_test::table_cases(f64_lanes)) {
    MaxErr worst;
    for (std::size_t n = 0; n <= 67; ++n) {
      // The spans start n % 3 elements into their buffers.
      std::mt19937_64 rng(n);
      std::uniform_real_distribution<double> uni(-40.0, 40.0);
      std::vector<double> buffer(n + n % 3);
      for (std::size_t i = 0; i < buffer.size(); ++i)
        buffer[i] = i % 5 == 0 ? edge[rng() % edge.size()] : i % 7 == 0 ? special[rng() % special.size()] : uni(rng);
      check_against_truth(act, row->f64_contract, std::span<const double>(buffer).subspan(n % 3), worst,
                          "n=" + std::to_string(n));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryTarget, F64Kernels, ::testing::ValuesIn(actfn::targets()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
