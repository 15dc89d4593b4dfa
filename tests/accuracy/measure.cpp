// Sampling, scoring against the oracle, and the list of measured parameter sets.
#include "measure.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <span>
#include <string_view>

#include "oracle.hpp"

namespace actfn_test::accuracy {
namespace {

using mp::Real;
using Values = std::array<double, actfn::kMaxParams>;

/// Parameter values as actfn uses them for data type T (fn::in_type: rounded to T first, then the
/// values F derives from them in T).
template <class F, class T>
Values rounded(const Values& v) {
  const actfn::fn::Params<T> p = actfn::fn::in_type<F, T>(v);
  Values out{};
  for (std::size_t k = 0; k < v.size(); ++k) out[k] = static_cast<double>(p[k]);
  return out;
}

std::string format_double(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

void note_special(Report& r, std::string_view what, double x, const std::string& expected, double got) {
  if (r.special++ == 0)
    r.first_special = std::string(what) + " at x = " + format_double(x, 17) + ": expected " + expected +
                      ", got " + format_double(got, 17);
}

/// |got - exact| in units of 2^e.
double error_in(const Real& exact, double got, long e) {
  return static_cast<double>(mp::ldexp(mp::fabs(Real(got) - exact), -e));
}

/// Scores one computed element-wise result of data type T against the exact value (see Report).
template <class T>
void score(const Real& exact, T got, double x, Worst& column, Report& r, std::string_view what) {
  using L = std::numeric_limits<T>;
  if (!mp::isfinite(exact)) {
    ++r.skipped;
    return;
  }
  const T expected = static_cast<T>(exact);
  if (std::isinf(expected)) {
    if (got != expected) note_special(r, what, x, format_double(expected, 17), got);
    return;
  }
  if (!std::isfinite(got)) {
    note_special(r, what, x, format_double(expected, 17), got);
    return;
  }
  if (mp::fabs(exact) < Real(static_cast<double>(L::min()))) {
    r.subnormal.add(error_in(exact, got, L::min_exponent - L::digits), x);
    return;
  }
  if (got == 0) {
    note_special(r, what, x, format_double(expected, 17), got);
    return;
  }
  column.add(error_in(exact, got, mp::exponent(exact) - L::digits), x);
}

/// Scores a vector-wise result in ULP of max(|exact|, floor) (see Report).
template <class T>
void score_row(const Real& exact, T got, const Real& floor, double row, Worst& column, Report& r,
               std::string_view what) {
  using L = std::numeric_limits<T>;
  if (!mp::isfinite(exact)) {
    ++r.skipped;
    return;
  }
  const T expected = static_cast<T>(exact);
  if (!std::isfinite(got) || std::isinf(expected)) {
    if (got != expected) note_special(r, what, row, format_double(expected, 17), got);
    return;
  }
  const Real scale = std::max({mp::fabs(exact), floor, Real(static_cast<double>(L::min()))});
  column.add(error_in(exact, got, mp::exponent(scale) - L::digits), row);
}

/// The points where F is not smooth, for parameter values p.
template <class F>
std::vector<double> kink_points(const Values& p) {
  if constexpr (actfn::fn::HasKinks<F>) {
    const auto k = F::kinks(p);
    return {k.points().begin(), k.points().end()};
  } else {
    return {};
  }
}

/// Inputs every sweep includes: signed zeros, the smallest subnormal and normal numbers, the
/// largest finite number, ±1, the exp overflow region, each kink and its two neighbours in T.
template <class T>
std::vector<T> boundary_inputs(const std::vector<double>& kinks) {
  using L = std::numeric_limits<T>;
  std::vector<T> xs;
  for (const T v : {T(0), L::denorm_min(), L::min(), L::max(), T(1), T(88), T(89), T(709), T(1e4)}) {
    xs.push_back(v);
    xs.push_back(-v);
  }
  for (const double k : kinks) {
    const T t = static_cast<T>(k);
    xs.insert(xs.end(), {t, std::nextafter(t, -L::infinity()), std::nextafter(t, L::infinity())});
  }
  return xs;
}

/// Every 2^shift-th f32 bit pattern (finite ones) plus the boundary inputs.
std::vector<float> f32_inputs(int shift, const std::vector<double>& kinks) {
  std::vector<float> xs = boundary_inputs<float>(kinks);
  const std::uint64_t step = std::uint64_t{1} << shift;
  for (std::uint64_t bits = 0; bits < (std::uint64_t{1} << 32); bits += step) {
    const auto x = std::bit_cast<float>(static_cast<std::uint32_t>(bits));
    if (std::isfinite(x)) xs.push_back(x);
  }
  return xs;
}

/// n random f64 inputs, half uniform in [-40, 40] (the curved part of every activation), half
/// with log-uniform magnitude in [1e-300, 1e300] and a random sign; plus the boundary inputs.
std::vector<double> f64_inputs(std::size_t n, const std::vector<double>& kinks) {
  std::vector<double> xs = boundary_inputs<double>(kinks);
  std::mt19937_64 rng(20240611);
  std::uniform_real_distribution<double> uniform(-40, 40), decade(-300, 300);
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 2 == 0) {
      xs.push_back(uniform(rng));
    } else {
      const double m = std::pow(10.0, decade(rng));
      xs.push_back(rng() % 2 ? m : -m);
    }
  }
  return xs;
}

std::vector<std::size_t> learnable_indices(const actfn::Activation& act) {
  std::vector<std::size_t> idx;
  const auto params = act.info().params;
  for (std::size_t i = 0; i < params.size(); ++i)
    if (params[i].learnable) idx.push_back(i);
  return idx;
}

/// Element-wise sweep for data type T over xs: f, f' (except at kinks, where the dual number
/// follows one branch and the convention is tested elsewhere) and parameter gradients.
template <class F, class T>
void sweep(const actfn::Activation& act, const std::vector<T>& xs, const Settings& s, Worst& y_col,
           Worst& dy_col, Report& r) {
  const Values p = rounded<F, T>(act.params());
  const std::vector<double> kinks = kink_points<F>(p);
  const std::vector<std::size_t> learnable = learnable_indices(act);
  std::vector<T> y(xs.size()), dx(xs.size());
  const std::vector<T> ones(xs.size(), T(1));
  actfn::reference::forward<T>(act, std::span<const T>(xs), y);
  actfn::reference::backward<T>(act, {.x = xs, .dy = ones}, dx);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const auto x = static_cast<double>(xs[i]);
    const oracle::Result o = oracle::value_and_slope<F>(x, p);
    if (!o.converged) {
      ++r.unconverged;
      continue;
    }
    score<T>(o.values[0], y[i], x, y_col, r, "f");
    if (std::ranges::find(kinks, x) == kinks.end()) score<T>(o.values[1], dx[i], x, dy_col, r, "f'");
    if (!learnable.empty() && i % s.param_stride == 0) {
      std::vector<T> dp(learnable.size(), T(0));
      T dxi = 0;
      const T one = 1;
      actfn::reference::backward<T>(act, {.x = {&xs[i], 1}, .dy = {&one, 1}}, {&dxi, 1}, dp);
      const oracle::Result g = oracle::param_gradients<F>(x, p, learnable);
      if (!g.converged) {
        ++r.unconverged;
        continue;
      }
      for (std::size_t j = 0; j < learnable.size(); ++j) score<T>(g.values[j], dp[j], x, r.param, r, "df/dparam");
    }
  }
}

/// The shortest row length vector-wise F accepts (2 for the glu family, pieces for maxout).
template <class F>
std::size_t row_unit(const Values& p) {
  for (std::size_t n = 1;; ++n) {
    try {
      F::out_axis(n, p);
      return n;
    } catch (const actfn::Error&) {
    }
  }
}

/// Vector-wise sweep for data type T: random rows of length 1..17 (a multiple of the row unit),
/// of three kinds: moderate values, values spread over [-1e3, 1e3], and values clustered at ±1e3.
/// Forward from x; backward from x and the computed y with a random dy.
template <class F, class T>
void sweep_rows(const actfn::Activation& act, const Settings& s, Worst& y_col, Worst& dx_col, Report& r) {
  const Values p = rounded<F, T>(act.params());
  const std::size_t unit = row_unit<F>(p);
  std::mt19937_64 rng(977);
  std::uniform_real_distribution<double> unit_interval(-1, 1);
  for (std::size_t row = 0; row < s.rows; ++row) {
    const std::size_t n = unit * (1 + rng() % std::max<std::size_t>(17 / unit, 1));
    const std::size_t m = F::out_axis(n, p);
    std::vector<T> x(n), y(m), dy(m), dx(n);
    const double centre = row % 3 == 2 ? (rng() % 2 ? 1e3 : -1e3) : 0.0;
    const double spread = row % 3 == 0 ? 5.0 : row % 3 == 1 ? 1e3 : 3.0;
    for (T& v : x) v = static_cast<T>(centre + spread * unit_interval(rng));
    for (T& v : dy) v = static_cast<T>(unit_interval(rng));
    const actfn::Axis layout{1, n, 1};
    actfn::reference::forward<T>(act, layout, std::span<const T>(x), y);
    actfn::reference::backward<T>(act, layout, {.x = x, .y = y, .dy = dy}, dx);
    const std::vector<double> xd(x.begin(), x.end()), dyd(dy.begin(), dy.end());
    const oracle::Result o = oracle::row<F>(xd, dyd, p);
    if (!o.converged) {
      ++r.unconverged;
      continue;
    }
    Real dy_scale;
    for (const T v : dy) dy_scale = std::max(dy_scale, Real(std::fabs(static_cast<double>(v))));
    const auto at = static_cast<double>(row);
    for (std::size_t i = 0; i < m; ++i) score_row<T>(o.values[i], y[i], Real(), at, y_col, r, "y");
    for (std::size_t j = 0; j < n; ++j) score_row<T>(o.values[m + j], dx[j], dy_scale, at, dx_col, r, "dx");
  }
}

}  // namespace

void Worst::add(double e, double x) {
  if (samples++ == 0 || e > error) {
    error = e;
    at = x;
  }
}

std::vector<actfn::Activation> cases(actfn::Kind kind) {
  static constexpr std::string_view kExtra[] = {
      "leaky_relu(negative_slope=0.2)", "softplus(beta=2)",        "elu(alpha=0.5)",
      "celu(alpha=2)",                  "swish(beta=1.5)",         "hardtanh(min_val=-2, max_val=3)",
      "hard_sigmoid(preset=keras2)",    "squareplus(b=1)",         "threshold(threshold=0.5, value=-1)",
      "rrelu(lower=0.1, upper=0.3)",    "shifted_tanh(input_shift=0.5, output_shift=2)",
  };
  std::vector<actfn::Activation> out{actfn::Activation(kind)};
  for (const std::string_view spec : kExtra) {
    const actfn::Activation act = actfn::parse(spec);
    if (act.kind() == kind) out.push_back(act);
  }
  return out;
}

Report measure(const actfn::Activation& act, const Settings& s) {
  Report r;
  r.spec = act.spec();
  r.vector_wise = act.info().vector_wise;
  actfn::fn::visit(act.kind(), [&]<class F>() {
    if constexpr (actfn::fn::VectorWise<F>) {
      sweep_rows<F, float>(act, s, r.f32_y, r.f32_dy, r);
      sweep_rows<F, double>(act, s, r.f64_y, r.f64_dy, r);
    } else {
      const std::vector<double> k32 = kink_points<F>(rounded<F, float>(act.params()));
      const std::vector<double> k64 = kink_points<F>(act.params());
      sweep<F, float>(act, f32_inputs(s.f32_shift, k32), s, r.f32_y, r.f32_dy, r);
      sweep<F, double>(act, f64_inputs(s.f64_samples, k64), s, r.f64_y, r.f64_dy, r);
    }
  });
  return r;
}

}  // namespace actfn_test::accuracy
