// The high-precision oracle: the textbook definition of each activation evaluated in MPFR with
// Ziv's strategy, for values, derivatives (dual numbers), parameter gradients and vector-wise rows.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "functions/all.hpp"
#include "mp.hpp"

namespace actfn_test::oracle {

using mp::Dual;
using mp::Real;

/// Several quantities evaluated together, at the precision where they were accepted.
struct Result {
  std::vector<Real> values;
  bool converged = false;  // false: no two consecutive precisions up to kMaxBits agreed
};

inline constexpr mpfr_prec_t kFirstBits = 128;
inline constexpr mpfr_prec_t kMaxBits = 8192;
/// A result of exactly 0 is only trusted once it persists at this precision: total cancellation
/// (x - tanh x at x = 1e-300) gives exactly 0 at every precision too low to see the difference.
inline constexpr mpfr_prec_t kZeroBits = 4096;
/// Relative agreement between consecutive precisions that accepts a result.
inline constexpr long kAgreeBits = 90;

/// Whether `low` (previous precision) and `high` (the precision `bits`) agree well enough to accept
/// `high`: |low - high| ≤ 2^-90 max(|high|, floor). With floor 0 (relative agreement) an exact 0
/// needs to persist up to kZeroBits. Two NaNs or equal infinities agree (the textbook formula
/// overflowed; callers skip non-finite results).
bool agree(const Real& low, const Real& high, mpfr_prec_t bits, const Real& floor);

/// Ziv's strategy: evaluate(), a function computing all quantities at the working precision, runs
/// at 128 bits, then 256, 512, ... up to 8192; the result of the first precision that agrees with
/// the one before it in every quantity is accepted. `floors` (one per quantity, or empty for all 0)
/// makes the last comparison, at kMaxBits, absolute below that magnitude: a quantity that is
/// exactly 0 in truth but computed as rounding noise (log_softmax of a one-element row,
/// x - log(e^x)) never agrees relatively; at 8192 bits the noise is far below any data type.
template <class Evaluate>
Result ziv(Evaluate evaluate, const std::vector<Real>& floors = {}) {
  std::vector<Real> previous;
  for (mpfr_prec_t bits = kFirstBits; bits <= kMaxBits; bits *= 2) {
    const mp::PrecisionGuard guard(bits);
    std::vector<Real> current = evaluate();
    bool ok = !previous.empty();
    for (std::size_t i = 0; ok && i < current.size(); ++i)
      ok = agree(previous[i], current[i], bits, floors.empty() || bits < kMaxBits ? Real() : floors[i]);
    if (ok) return {std::move(current), true};
    previous = std::move(current);
  }
  return {std::move(previous), false};
}

/// Parameter values as numbers of type R (at the working precision; exact).
template <class R>
actfn::fn::Params<R> to_params(const std::array<double, actfn::kMaxParams>& values) {
  actfn::fn::Params<R> p;
  for (std::size_t k = 0; k < actfn::kMaxParams; ++k) p[k] = R(values[k]);
  return p;
}

/// {f(x), f'(x)} of element-wise F from its definition, with x seeded as the dual variable. (The
/// value part of a dual evaluation is the Real evaluation, operation by operation.)
template <class F>
Result value_and_slope(double x, const std::array<double, actfn::kMaxParams>& params) {
  return ziv([&] {
    const Dual y = actfn::fn::definition<F, Dual>(Dual(Real(x), Real(1)), to_params<Dual>(params));
    return std::vector<Real>{y.v, y.d};
  });
}

/// ∂f/∂p_k at x for each k in `learnable`, each from a dual evaluation with p_k seeded.
template <class F>
Result param_gradients(double x, const std::array<double, actfn::kMaxParams>& params,
                       std::span<const std::size_t> learnable) {
  return ziv([&] {
    std::vector<Real> out;
    for (const std::size_t k : learnable) {
      auto p = to_params<Dual>(params);
      p[k].d = Real(1);
      out.push_back(actfn::fn::definition<F, Dual>(Dual(x), p).d);
    }
    return out;
  });
}

/// Agreement floors of row(): max|x| for each output, max|dy| for each gradient.
std::vector<Real> row_floors(std::span<const double> x, std::span<const double> dy);

/// One row of vector-wise F: the outputs y (out_axis values) followed by the gradient
/// J^T dy (x.size() values), the latter from one dual evaluation per input x_j seeded. At 8192
/// bits outputs agree absolutely below 2^-90 max|x|, gradients below 2^-90 max|dy|.
template <class F>
Result row(std::span<const double> x, std::span<const double> dy,
           const std::array<double, actfn::kMaxParams>& params) {
  return ziv([&] {
    const auto p = to_params<Dual>(params);
    std::vector<Real> out(dy.size() + x.size());
    std::vector<Dual> xs(x.begin(), x.end()), ys(dy.size());
    for (std::size_t j = 0; j < x.size(); ++j) {
      xs[j].d = Real(1);
      F::template definition<Dual>(xs, ys, p);
      xs[j].d = Real(0);
      Real g;
      for (std::size_t i = 0; i < dy.size(); ++i) g += Real(dy[i]) * ys[i].d;
      out[dy.size() + j] = g;
    }
    for (std::size_t i = 0; i < dy.size(); ++i) out[i] = ys[i].v;
    return out;
  }, row_floors(x, dy));
}

}  // namespace actfn_test::oracle
