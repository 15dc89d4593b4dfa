// Where the reference derivative underflows: bisection over the ordered bit patterns of T.
//
// Finite values of T map monotonically onto integer keys (the magnitude bits, negated for negative
// values; -0 and +0 share key 0), so "the largest x with property P" is a bisection over keys
// between one x where P holds and one where it does not: ~32 (f32) or ~64 (f64) evaluations.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "actfn/analyze.hpp"
#include "actfn/error.hpp"
#include "actfn/reference.hpp"

namespace actfn::analyze {
namespace {

template <class T>
using Bits = std::conditional_t<std::is_same_v<T, float>, std::uint32_t, std::uint64_t>;

template <class T>
std::int64_t key(T x) {
  const auto magnitude = static_cast<std::int64_t>(std::bit_cast<Bits<T>>(std::fabs(x)));
  return std::signbit(x) ? -magnitude : magnitude;
}

template <class T>
T from_key(std::int64_t k) {
  const T magnitude = std::bit_cast<T>(static_cast<Bits<T>>(k < 0 ? -k : k));
  return k < 0 ? -magnitude : magnitude;
}

template <class T>
T slope(const Activation& act, T x) {
  const T dy = 1;
  T dx = 0;
  reference::backward<T>(act, {.x = std::span<const T>(&x, 1), .dy = std::span<const T>(&dy, 1)},
                         std::span<T>(&dx, 1));
  return dx;
}

/// With p(from) true and p(to) false, the last x going from `from` towards `to` for which p holds
/// before the first x where it fails (exact when p changes once along the way).
template <class T, class P>
T last_true(T from, T to, P p) {
  std::int64_t yes = key(from), no = key(to);
  // std::midpoint: no - yes would overflow for f64 keys of opposite signs; it rounds towards `yes`,
  // so it returns `yes` exactly when the two are adjacent.
  for (std::int64_t mid = std::midpoint(yes, no); mid != yes; mid = std::midpoint(yes, no))
    (p(from_key<T>(mid)) ? yes : no) = mid;
  return from_key<T>(yes);
}

/// The tail from `end` (±max) towards `pivot`, where |f'| is normal.
template <class T>
UnderflowTail tail(const Activation& act, T end, T pivot) {
  const auto zero = [&](T x) { return slope(act, x) == 0; };
  const auto tiny = [&](T x) { return std::fabs(slope(act, x)) < std::numeric_limits<T>::min(); };
  UnderflowTail out;
  if (!tiny(end)) return out;
  const T last_tiny = last_true(end, pivot, tiny);
  T first_subnormal = end;
  if (zero(end)) {
    const T last_zero = last_true(end, pivot, zero);
    out.zero_beyond = static_cast<double>(last_zero);
    first_subnormal = std::nextafter(last_zero, pivot);
  }
  // Subnormal on [first_subnormal, last_tiny] (in the direction end → pivot), if non-empty.
  if (key(first_subnormal) == key(last_tiny) || (key(first_subnormal) < key(last_tiny)) == (end < pivot)) {
    const double a = first_subnormal, b = last_tiny;
    out.subnormal = std::array<double, 2>{std::min(a, b), std::max(a, b)};
  }
  return out;
}

}  // namespace

template <class T>
Underflow gradient_underflow(const Activation& act) {
  act.validate();
  if (act.info().vector_wise)
    throw Error("analyze underflow: " + std::string(act.name()) + " is vector-wise; f' is a Jacobian there");
  // The tails' pivots: the outermost inputs where |f'| is normal on a grid of 2^16 + 1 inputs
  // evenly spaced in bit pattern over [-max, max] (128 per binade in f32, 16 in f64). Bisecting only
  // between ±max and these pivots keeps interior zeros (hardswish's minimum at -1.5) out of the tails.
  constexpr std::int64_t kHalfGrid = 1 << 15;
  const T max = std::numeric_limits<T>::max();
  const std::int64_t step = key(max) / kHalfGrid;
  std::vector<T> xs, slopes(2 * kHalfGrid + 1);
  for (std::int64_t i = -kHalfGrid; i <= kHalfGrid; ++i) xs.push_back(from_key<T>(i * step));
  const std::vector<T> ones(xs.size(), T(1));
  reference::backward<T>(act, {.x = xs, .dy = ones}, slopes);
  std::optional<T> left_pivot, right_pivot;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (!(std::fabs(slopes[i]) >= std::numeric_limits<T>::min())) continue;
    if (!left_pivot) left_pivot = xs[i];
    right_pivot = xs[i];
  }
  Underflow out;
  if (!left_pivot) {
    out.identically_zero = true;
    return out;
  }
  out.left = tail<T>(act, -max, *left_pivot);
  out.right = tail<T>(act, max, *right_pivot);
  return out;
}

template Underflow gradient_underflow<float>(const Activation&);
template Underflow gradient_underflow<double>(const Activation&);

}  // namespace actfn::analyze
