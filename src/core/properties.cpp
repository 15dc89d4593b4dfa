// Properties computed numerically from the long-double formulas at the activation's parameters.
//
// The grid covers [-span, span] densely (span = 20, widened to contain every kink), plus the
// kinks themselves and points just beside them. Why 20: far enough for every saturating function to
// be within 1e-8 of its limit, yet near enough that long double still resolves f from its limit
// (1 - tanh(20) = 8.5e-18 > 2^-64), so "attained" is not confused with "rounded to the limit".
#include "actfn/properties.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "actfn/error.hpp"
#include "actfn/reference.hpp"
#include "functions/all.hpp"

namespace actfn {

std::string_view to_string(Smoothness s) {
  switch (s) {
    case Smoothness::Discontinuous: return "discontinuous";
    case Smoothness::C0: return "C0";
    case Smoothness::C1: return "C1";
    case Smoothness::Smooth: return "C-inf";
  }
  return "?";
}

namespace {

using L = long double;

/// f restricted to a formula with fixed parameters, in long double.
template <class F>
struct Probe {
  fn::Params<L> p;
  [[nodiscard]] L f(L x) const { return fn::f_guarded<F>(x, p); }
  [[nodiscard]] L df(L x) const { return fn::df_guarded<F>(x, p); }
};

/// Golden-section search for the minimum of a unimodal f on [a, b].
template <class Fn>
L golden_min(Fn f, L a, L b) {
  const L r = (std::sqrt(L(5)) - 1) / 2;
  L c = b - r * (b - a), d = a + r * (b - a);
  for (int i = 0; i < 200 && b - a > 1e-15L * (1 + std::fabs(a)); ++i) {
    if (f(c) < f(d)) b = d; else a = c;
    c = b - r * (b - a);
    d = a + r * (b - a);
  }
  return (a + b) / 2;
}

/// Where f has its minimum in [a, b]. f is flat there, so comparing values locates it only to
/// about sqrt(eps) (1e-10 in long double; the last digits then depend on rounding noise): where
/// f' changes sign across [a, b], the minimum is found instead as that zero of f' by bisection,
/// to the last bit. Golden-section search on f where f' does not (a minimum at a kink).
template <class F>
L argmin(const Probe<F>& pr, L a, L b) {
  if (!(pr.df(a) < 0 && pr.df(b) > 0)) return golden_min([&](L x) { return pr.f(x); }, a, b);
  for (int i = 0; i < 200; ++i) {
    const L m = (a + b) / 2;
    if (m <= a || m >= b) break;
    (pr.df(m) < 0 ? a : b) = m;
  }
  return (a + b) / 2;
}

/// f(x) and f'(x) exactly as actfn returns them for f64 data (conventions at kinks included).
double as_double_output(const Activation& act, double x) {
  double y = 0;
  reference::forward<double>(act, std::span<const double>(&x, 1), std::span<double>(&y, 1));
  return y;
}
double as_double_slope(const Activation& act, double x) {
  const double dy = 1;
  double dx = 0;
  reference::backward<double>(act, {.x = std::span<const double>(&x, 1), .dy = std::span<const double>(&dy, 1)},
                   std::span<double>(&dx, 1));
  return dx;
}

template <class F>
Properties analyse(const Activation& act) {
  Probe<F> pr;  // the parameters as f64 data uses them, in long double
  const fn::Params<double> as_f64 = fn::in_type<F, double>(act.params());
  for (std::size_t i = 0; i < kMaxParams; ++i) pr.p[i] = as_f64[i];
  std::vector<double> kinks;
  if constexpr (fn::HasKinks<F>) {
    const auto k = F::kinks(act.params());
    kinks.assign(k.points().begin(), k.points().end());
  }

  L span = 20;
  for (double k : kinks) span = std::max(span, 2 * std::fabs(L(k)) + 1);
  std::vector<L> xs;
  const int n = 8000;
  for (int i = 0; i <= n; ++i) xs.push_back(-span + 2 * span * i / n);
  for (double k : kinks)
    for (L d : {L(0), L(1e-9), L(-1e-9), L(1e-6), L(-1e-6)}) xs.push_back(k + d * std::max(L(1), std::fabs(L(k))));
  std::ranges::sort(xs);

  // Wider points for monotonicity only (values there may have rounded onto the limit).
  std::vector<L> wide = xs;
  for (L m = 100; m <= 1e30L; m *= 10) wide.push_back(m), wide.push_back(-m);
  std::ranges::sort(wide);

  Properties out{};
  const L lim_neg = pr.f(-INFINITY), lim_pos = pr.f(INFINITY);
  out.monotonic = pr.f(wide.front()) >= lim_neg && lim_pos >= pr.f(wide.back());
  for (std::size_t i = 1; i < wide.size() && out.monotonic; ++i) out.monotonic = pr.f(wide[i]) >= pr.f(wide[i - 1]);

  std::size_t imin = 0, imax = 0;
  std::vector<L> ys(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) {
    ys[i] = pr.f(xs[i]);
    if (ys[i] < ys[imin]) imin = i;
    if (ys[i] > ys[imax]) imax = i;
  }
  L lo = ys[imin];
  if (!out.monotonic && imin > 0 && imin + 1 < xs.size() && !(lim_neg < lo) && !(lim_pos < lo)) {
    const L xm = argmin(pr, xs[imin - 1], xs[imin + 1]);
    lo = std::min(lo, pr.f(xm));
    out.minimum = Extremum{static_cast<double>(xm), static_cast<double>(pr.f(xm))};
  }
  const L lim_lo = std::min(lim_neg, lim_pos), lim_hi = std::max(lim_neg, lim_pos);
  out.lower = {static_cast<double>(std::min(lo, lim_lo)), lo <= lim_lo};
  out.upper = {static_cast<double>(std::max(ys[imax], lim_hi)), ys[imax] >= lim_hi};

  const L f0 = pr.f(0);
  out.zero_centred = f0 == 0 && out.lower.value < 0 && out.upper.value > 0;

  out.smoothness = Smoothness::Smooth;
  for (double k : kinks) {
    const L h = 1e-9L * std::max(L(1), std::fabs(L(k)));
    const L fl = pr.f(k - h), fr = pr.f(k + h);
    // One-sided limits of f' by Richardson extrapolation from h and 2h: removes the O(h) term.
    const L dl = 2 * pr.df(k - h) - pr.df(k - 2 * h), dr = 2 * pr.df(k + h) - pr.df(k + 2 * h);
    const L d2l = (pr.df(k - h) - pr.df(k - 2 * h)) / h, d2r = (pr.df(k + 2 * h) - pr.df(k + h)) / h;
    const bool jump = std::fabs(fr - fl) > 1e-6L * (1 + std::fabs(fl) + std::fabs(fr));
    const bool slope_jump = std::fabs(dr - dl) > 1e-6L * (1 + std::fabs(dl) + std::fabs(dr));
    const bool curvature_jump = std::fabs(d2r - d2l) > 1e-3L * (1 + std::fabs(d2l) + std::fabs(d2r));
    const Smoothness here = jump ? Smoothness::Discontinuous
                            : slope_jump ? Smoothness::C0
                            : curvature_jump ? Smoothness::C1
                                             : Smoothness::Smooth;
    if (here == Smoothness::Smooth) continue;  // a removable kink (hardshrink with lambd = 0)
    out.smoothness = std::min(out.smoothness, here);
    out.kinks.push_back({k, static_cast<double>(dl), static_cast<double>(dr), as_double_slope(act, k), jump});
  }

  const L far = 1e8L;
  out.saturates_left = std::fabs(pr.df(-far)) < 1e-6L;
  out.saturates_right = std::fabs(pr.df(far)) < 1e-6L;
  out.backward_from_y = act.backward_from_y();
  out.limit_neg_inf = as_double_output(act, -INFINITY);
  out.limit_pos_inf = as_double_output(act, INFINITY);
  out.at_neg_zero = as_double_output(act, -0.0);
  out.at_pos_zero = as_double_output(act, 0.0);
  return out;
}

}  // namespace

Properties properties(const Activation& act) {
  act.validate();
  return fn::visit(act.kind(), [&]<class F>() -> Properties {
    if constexpr (fn::ElementWise<F>) {
      return analyse<F>(act);
    } else {
      throw Error(std::string(act.name()) + " is vector-wise: its properties are not those of a scalar function");
    }
  });
}

}  // namespace actfn
