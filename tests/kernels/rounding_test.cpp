// The piecewise-linear rows of the kernel table at the inputs where one rounding is hardest: next
// to each kink, at offsets of a few units of the data type's last place, where x - kink is exact but the result is a sum or product of several roundings' worth of bits,
// so that an intermediate rounding can land on a midpoint and break a tie the wrong way. Random
// inputs almost never meet such a tie; these inputs are built to. The truth is the formula in MPFR
// (2300 bits: exact for every sum of doubles): the reference must return it correctly rounded,
// every target's kernel within its contract (0.5: the same value).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
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
using actfn_test::mp::Real;

/// x = kink + m·2^e for small m and e around the kink's last place, both signs of small offsets
/// from 0 too (a kink at 0 or a corner c makes x - c inexact only for tiny x).
template <class T>
std::vector<T> hard_inputs(const Activation& act) {
  constexpr int kDigits = std::numeric_limits<T>::digits;
  std::vector<T> out;
  std::vector<double> kinks{0.0};
  for (const actfn::Kink& k : actfn::properties(act).kinks) kinks.push_back(k.x);
  for (const double kd : kinks) {
    const auto kink = static_cast<T>(kd);
    const int top = kink == 0 ? -1 : std::ilogb(kink);
    for (int e = top - kDigits - 6; e <= top - kDigits + 10; ++e)
      for (int m = -40; m <= 40; ++m) out.push_back(kink + static_cast<T>(std::ldexp(static_cast<double>(m), e)));
  }
  for (int e = std::numeric_limits<T>::min_exponent - kDigits; e < 0; e += 3)
    for (const double m : {1.0, 1.5, 1.25, 1.75, 3.0})
      for (const double s : {1.0, -1.0}) out.push_back(static_cast<T>(s * std::ldexp(m, e)));
  return out;
}

/// f(x) of act as T data computes it (parameters rounded to T, derived values in T), in MPFR.
template <class T>
Real truth(const Activation& act, T x) {
  return actfn::fn::visit(act.kind(), [&]<class F>() -> Real {
    if constexpr (actfn::fn::ElementWise<F>) {
      const actfn::fn::Params<T> in_t = actfn::fn::in_type<F, T>(act.params());
      actfn::fn::Params<Real> p{};
      for (std::size_t i = 0; i < actfn::kMaxParams; ++i) p[i] = Real(in_t[i]);
      return F::template f<Real>(Real(x), p);
    }
    ADD_FAILURE() << act.spec() << ": not element-wise";
    return Real(0);
  });
}

/// |got - exact| in ULP of T at the correctly rounded value (units of the smallest subnormal below
/// the normal range).
template <class T>
double error_in_ulp(T got, const Real& exact) {
  const auto rounded = static_cast<T>(exact);
  const int exponent = std::max(rounded == 0 ? std::numeric_limits<T>::min_exponent - 1 : std::ilogb(rounded),
                                std::numeric_limits<T>::min_exponent - 1);
  const Real diff = Real(got) - exact;
  const Real ulps = diff / Real(std::ldexp(1.0, exponent - std::numeric_limits<T>::digits + 1));
  return std::fabs(static_cast<double>(ulps));
}

/// The reference correctly rounded at every hard input; the kernel on every target within its
/// contract (0.5: the same value).
template <class T>
void expect_within_contract(const Activation& act, double contract) {
  const actfn_test::mp::PrecisionGuard bits(2300);
  const std::vector<T> x = hard_inputs<T>(act);
  std::vector<Real> exact;
  std::vector<T> want(x.size()), ref(x.size()), got(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    exact.push_back(truth<T>(act, x[i]));
    want[i] = static_cast<T>(exact[i]);
  }
  const auto at = [&](std::size_t i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%a", static_cast<double>(x[i]));
    return std::string(buf);
  };
  actfn::reference::forward<T>(act, x, ref);
  for (std::size_t i = 0; i < x.size(); ++i) ASSERT_EQ(ref[i], want[i]) << "reference at x = " << at(i);
  for (const std::string& target : actfn::targets()) {
    actfn::set_target(target);
    actfn::forward<T>(act, x, got);
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (contract == 0.5) {
        ASSERT_EQ(got[i], want[i]) << "kernel on " << target << " at x = " << at(i);
      } else {
        ASSERT_LE(error_in_ulp(got[i], exact[i]), contract) << "kernel on " << target << " at x = " << at(i);
      }
    }
  }
  actfn::set_target("auto");
}

/// Every case of the table's piecewise-linear rows.
template <class T>
void expect_rows_within_contract() {
  const bool f64 = std::is_same_v<T, double>;
  std::size_t checked = 0;
  for (const actfn_test::TableCase& c : actfn_test::table_cases([](const actfn::kernels::KernelRow& row) {
         return row.f32.f == actfn::kernels::Path::PiecewiseLinear;
       })) {
    SCOPED_TRACE(c.act.spec());
    expect_within_contract<T>(c.act, f64 ? c.row->f64_contract.f : c.row->f32_contract.f);
    ++checked;
  }
  EXPECT_GT(checked, 10u);
}

TEST(PiecewiseLinear, F32AtTiesNextToEachKink) { expect_rows_within_contract<float>(); }
TEST(PiecewiseLinear, F64AtTiesNextToEachKink) { expect_rows_within_contract<double>(); }

}  // namespace
