// Ziv's acceptance test.
#include "oracle.hpp"

#include <algorithm>
#include <cmath>

namespace actfn_test::oracle {

bool agree(const Real& low, const Real& high, mpfr_prec_t bits, const Real& floor) {
  if (isnan(high) || isnan(low)) return isnan(high) && isnan(low);
  if (isinf(high) || isinf(low)) return low == high;
  if (iszero(floor)) {
    if (iszero(high)) return iszero(low) && bits >= kZeroBits;
    if (iszero(low)) return false;
  }
  return fabs(low - high) <= ldexp(std::max(fabs(high), floor), -kAgreeBits);
}

std::vector<Real> row_floors(std::span<const double> x, std::span<const double> dy) {
  const auto largest = [](std::span<const double> v) {
    double m = 0;
    for (const double e : v) m = std::max(m, std::fabs(e));
    return m;
  };
  std::vector<Real> floors(dy.size(), Real(largest(x)));
  floors.resize(dy.size() + x.size(), Real(largest(dy)));
  return floors;
}

}  // namespace actfn_test::oracle
