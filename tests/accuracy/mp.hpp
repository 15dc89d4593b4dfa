// Multiple-precision number types for the accuracy oracle: `Real`, an MPFR binary floating-point
// number, and `Dual`, a forward-mode dual number (value + derivative) over it.
//
// Both are drop-in number types for the formula structs of src/core/functions: those call math
// functions unqualified and build constants as R(2), R(0.5L), so every operation a formula uses is
// an operator or a free function found by argument-dependent lookup here.
//
// Precision: every new value (result of an operation, or a constructed constant) gets this thread's
// working precision, set with PrecisionGuard. Constructors from int, double and long double are
// exact (the working precision is never below 64 bits). Operations round to nearest.
#pragma once

#include <mpfr.h>

#include <concepts>
#include <utility>

namespace actfn_test::mp {

/// This thread's working precision in bits (128 unless a PrecisionGuard is active).
mpfr_prec_t precision();

/// Sets this thread's working precision for the guard's lifetime. Also widens the thread's MPFR
/// exponent range to the maximum, so that e^x only overflows for |x| beyond ~3e18.
class PrecisionGuard {
 public:
  explicit PrecisionGuard(mpfr_prec_t bits);
  ~PrecisionGuard();
  PrecisionGuard(const PrecisionGuard&) = delete;
  PrecisionGuard& operator=(const PrecisionGuard&) = delete;

 private:
  mpfr_prec_t saved_;
};

/// An MPFR number with value semantics. A copy keeps the source's precision; results of
/// operations have the working precision.
class Real {
 public:
  Real();  // +0
  Real(int v);
  Real(double v);
  Real(long double v);
  Real(const Real& other);
  Real(Real&& other) noexcept;
  Real& operator=(const Real& other);
  Real& operator=(Real&& other) noexcept;
  ~Real();

  /// Rounded to nearest; to float directly from the MPFR value (no double rounding via double).
  explicit operator float() const;
  explicit operator double() const;
  explicit operator long double() const;
  /// Rounded towards zero (formulas read structural counts such as maxout's pieces this way).
  template <std::integral I>
  explicit operator I() const {
    return static_cast<I>(mpfr_get_si(v_, MPFR_RNDZ));
  }

  [[nodiscard]] mpfr_srcptr get() const { return v_; }
  mpfr_ptr get() { return v_; }

  Real& operator+=(const Real& b);
  Real& operator-=(const Real& b);
  Real& operator*=(const Real& b);
  Real& operator/=(const Real& b);

  friend Real operator+(const Real& a, const Real& b);
  friend Real operator-(const Real& a, const Real& b);
  friend Real operator*(const Real& a, const Real& b);
  friend Real operator/(const Real& a, const Real& b);
  friend Real operator-(const Real& a);

  // Comparisons are false when either side is NaN, as for IEEE numbers.
  friend bool operator==(const Real& a, const Real& b) { return mpfr_equal_p(a.v_, b.v_) != 0; }
  friend bool operator!=(const Real& a, const Real& b) { return !(a == b); }
  friend bool operator<(const Real& a, const Real& b) { return mpfr_less_p(a.v_, b.v_) != 0; }
  friend bool operator<=(const Real& a, const Real& b) { return mpfr_lessequal_p(a.v_, b.v_) != 0; }
  friend bool operator>(const Real& a, const Real& b) { return mpfr_greater_p(a.v_, b.v_) != 0; }
  friend bool operator>=(const Real& a, const Real& b) { return mpfr_greaterequal_p(a.v_, b.v_) != 0; }

 private:
  mpfr_t v_;
  bool live_ = true;  // false once moved from: v_ then owns nothing
};

Real exp(const Real& x);
Real expm1(const Real& x);
Real log(const Real& x);
Real log1p(const Real& x);
Real sqrt(const Real& x);
Real tanh(const Real& x);
Real sech(const Real& x);
Real erf(const Real& x);
Real erfc(const Real& x);
Real sin(const Real& x);
Real cos(const Real& x);
Real atan(const Real& x);
Real fabs(const Real& x);
Real abs(const Real& x);
Real hypot(const Real& x, const Real& y);
/// x·y + z with one rounding.
Real fma(const Real& x, const Real& y, const Real& z);
bool isnan(const Real& x);
bool isinf(const Real& x);
bool isfinite(const Real& x);
bool iszero(const Real& x);
bool signbit(const Real& x);
/// π at the working precision.
Real pi();
/// x · 2^e, exact.
Real ldexp(const Real& x, long e);
/// The exponent e with |x| = m·2^e, 1/2 ≤ m < 1 (x finite, non-zero).
long exponent(const Real& x);

/// A dual number v + d·ε (ε² = 0): evaluating a function on (x, 1) gives (f(x), f'(x)).
/// Derivative rules use the stable primitive for each function (d tanh = sech², d erfc =
/// -2/√π e^(-x²), ...), never an expression that cancels such as 1 - tanh². A zero derivative
/// part stays exactly zero through every rule, so constants never turn into 0·inf = NaN.
/// Comparisons compare values only (a branch of a piecewise formula follows the value).
struct Dual {
  Real v, d;

  Dual() = default;
  Dual(int value) : v(value) {}
  Dual(double value) : v(value) {}
  Dual(long double value) : v(value) {}
  Dual(Real value, Real slope = Real()) : v(std::move(value)), d(std::move(slope)) {}

  explicit operator double() const { return static_cast<double>(v); }
  template <std::integral I>
  explicit operator I() const {
    return static_cast<I>(v);
  }

  Dual& operator+=(const Dual& b);
  Dual& operator-=(const Dual& b);
  Dual& operator*=(const Dual& b);
  Dual& operator/=(const Dual& b);

  friend Dual operator+(const Dual& a, const Dual& b);
  friend Dual operator-(const Dual& a, const Dual& b);
  friend Dual operator*(const Dual& a, const Dual& b);
  friend Dual operator/(const Dual& a, const Dual& b);
  friend Dual operator-(const Dual& a);

  friend bool operator==(const Dual& a, const Dual& b) { return a.v == b.v; }
  friend bool operator!=(const Dual& a, const Dual& b) { return a.v != b.v; }
  friend bool operator<(const Dual& a, const Dual& b) { return a.v < b.v; }
  friend bool operator<=(const Dual& a, const Dual& b) { return a.v <= b.v; }
  friend bool operator>(const Dual& a, const Dual& b) { return a.v > b.v; }
  friend bool operator>=(const Dual& a, const Dual& b) { return a.v >= b.v; }
};

Dual exp(const Dual& x);
Dual expm1(const Dual& x);
Dual log(const Dual& x);
Dual log1p(const Dual& x);
Dual sqrt(const Dual& x);
Dual tanh(const Dual& x);
Dual erf(const Dual& x);
Dual erfc(const Dual& x);
Dual sin(const Dual& x);
Dual cos(const Dual& x);
Dual atan(const Dual& x);
Dual fabs(const Dual& x);
Dual abs(const Dual& x);
Dual hypot(const Dual& x, const Dual& y);
Dual fma(const Dual& x, const Dual& y, const Dual& z);
bool isnan(const Dual& x);
bool isinf(const Dual& x);

}  // namespace actfn_test::mp
