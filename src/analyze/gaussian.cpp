// Adaptive Gauss–Kronrod quadrature against the standard normal density.
//
// Work in z (x = m + s z): the density φ(z) is the same for every call, the range is [-40, 40]
// (φ(40) = e^-800 / √(2π) is 0 in double, and no catalogue activation grows faster than x², so
// nothing beyond contributes), and the activation's kinks become break points (k - m) / s. Each piece
// between break points is smooth, where Gauss–Kronrod converges fast; the panel with the largest
// error estimate is halved until the summed estimate |K15 - G7| falls below 1e-13 of ∫|g|φ.
#include "gaussian.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <queue>
#include <span>

#include "actfn/error.hpp"
#include "actfn/properties.hpp"
#include "actfn/reference.hpp"

namespace actfn::analyze::detail {
namespace {

// The 15-point Kronrod rule on [-1, 1] extending the 7-point Gauss rule: abscissae (descending,
// the last is the centre) and weights, and the Gauss weights at abscissae 1, 3, 5 and the centre.
constexpr std::array<double, 8> kNode = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0};
constexpr std::array<double, 8> kKronrod = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
constexpr std::array<double, 4> kGauss = {
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

constexpr double kZMax = 40;
constexpr double kRelTol = 1e-13;
constexpr std::size_t kMaxPanels = 20000;

struct Panel {
  double a, b;
  double value, error, abs;  // Kronrod estimate, |Kronrod - Gauss|, Kronrod estimate of ∫|g|φ
  bool operator<(const Panel& o) const { return error < o.error; }  // max-heap on the error
};

}  // namespace

GaussianExpectation::GaussianExpectation(const Activation& act, double scale) : act_(act), scale_(scale) {
  for (const Kink& k : properties(act).kinks) kinks_.push_back(k.x);
  std::ranges::sort(kinks_);
}

double GaussianExpectation::operator()(double m, double s, const Integrand& g) const {
  // f and f' of the scaled activation at the inputs xs, by the f64 reference (dispatch once per batch).
  std::array<double, 15> xs{}, fs{}, dfs{};
  const std::array<double, 15> ones = [] {
    std::array<double, 15> o{};
    o.fill(1.0);
    return o;
  }();
  const auto evaluate = [&](std::size_t n) {
    const std::span<const double> x(xs.data(), n);
    reference::forward<double>(act_, x, std::span(fs.data(), n));
    reference::backward<double>(act_, {.x = x, .dy = std::span<const double>(ones.data(), n)},
                                std::span(dfs.data(), n));
  };
  if (s == 0) {
    xs[0] = m;
    evaluate(1);
    return g(0, scale_ * fs[0], scale_ * dfs[0]);
  }

  const auto kronrod = [&](double a, double b) {
    const double c = (a + b) / 2, h = (b - a) / 2;
    std::array<double, 15> z{};
    for (std::size_t i = 0; i < 8; ++i) {
      z[i] = c - h * kNode[i];
      z[14 - i] = c + h * kNode[i];
    }
    for (std::size_t i = 0; i < 15; ++i) xs[i] = m + s * z[i];
    evaluate(15);
    std::array<double, 15> v{};
    for (std::size_t i = 0; i < 15; ++i) {
      const double density = std::exp(-z[i] * z[i] / 2) * (std::numbers::inv_sqrtpi / std::numbers::sqrt2);
      v[i] = density == 0 ? 0 : g(z[i], scale_ * fs[i], scale_ * dfs[i]) * density;
    }
    double k = kKronrod[7] * v[7], gauss = kGauss[3] * v[7], abs = kKronrod[7] * std::fabs(v[7]);
    for (std::size_t i = 0; i < 7; ++i) {
      k += kKronrod[i] * (v[i] + v[14 - i]);
      abs += kKronrod[i] * (std::fabs(v[i]) + std::fabs(v[14 - i]));
      if (i % 2 == 1) gauss += kGauss[i / 2] * (v[i] + v[14 - i]);
    }
    return Panel{a, b, k * h, std::fabs(k - gauss) * h, abs * h};
  };

  std::vector<double> breaks{-kZMax};
  for (double k : kinks_) {
    const double z = (k - m) / s;
    if (z > -kZMax && z < kZMax) breaks.push_back(z);
  }
  breaks.push_back(kZMax);
  std::priority_queue<Panel> panels;
  double error = 0, abs = 0;
  for (std::size_t i = 0; i + 1 < breaks.size(); ++i) {
    const Panel p = kronrod(breaks[i], breaks[i + 1]);
    error += p.error;
    abs += p.abs;
    panels.push(p);
  }
  while (error > kRelTol * abs) {
    if (panels.size() >= kMaxPanels) throw Error("analyze: Gaussian quadrature did not converge for " + act_.spec());
    const Panel worst = panels.top();
    panels.pop();
    const double mid = (worst.a + worst.b) / 2;
    const Panel left = kronrod(worst.a, mid), right = kronrod(mid, worst.b);
    error += left.error + right.error - worst.error;
    abs += left.abs + right.abs - worst.abs;
    panels.push(left);
    panels.push(right);
  }
  long double sum = 0;  // a few hundred panels: sum in extended precision so rounding stays far below the tolerance
  for (; !panels.empty(); panels.pop()) sum += panels.top().value;
  return static_cast<double>(sum);
}

}  // namespace actfn::analyze::detail
