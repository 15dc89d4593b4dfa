// Real and Dual: MPFR operations at the working precision, and the dual-number derivative rules.
#include "mp.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace actfn_test::mp {
namespace {

thread_local mpfr_prec_t working_precision = 128;

/// MPFR's exponent range is per thread; widen it once on each thread that makes numbers, so
/// intermediate results such as e^(1e9) do not overflow.
bool widen_exponent_range() {
  mpfr_set_emax(mpfr_get_emax_max());
  mpfr_set_emin(mpfr_get_emin_min());
  return true;
}

/// A fresh value at the working precision, filled by `op(result)`.
template <class Op>
Real make(Op op) {
  Real r;
  op(r.get());
  return r;
}

}  // namespace

mpfr_prec_t precision() {
  thread_local const bool widened = widen_exponent_range();
  static_cast<void>(widened);
  return working_precision;
}

PrecisionGuard::PrecisionGuard(mpfr_prec_t bits) : saved_(precision()) { working_precision = bits; }
PrecisionGuard::~PrecisionGuard() { working_precision = saved_; }

// ---- Real ----------------------------------------------------------------------------------------

Real::Real() {
  mpfr_init2(v_, precision());
  mpfr_set_zero(v_, 1);
}
Real::Real(int v) {
  mpfr_init2(v_, precision());
  mpfr_set_si(v_, v, MPFR_RNDN);
}
Real::Real(double v) {
  mpfr_init2(v_, precision());
  mpfr_set_d(v_, v, MPFR_RNDN);
}
Real::Real(long double v) {
  mpfr_init2(v_, precision());
  mpfr_set_ld(v_, v, MPFR_RNDN);
}
Real::Real(const Real& other) {
  mpfr_init2(v_, mpfr_get_prec(other.v_));
  mpfr_set(v_, other.v_, MPFR_RNDN);
}
/// Takes over the source's limbs; the source is left owning nothing.
Real::Real(Real&& other) noexcept {
  v_[0] = other.v_[0];
  other.live_ = false;
}
Real& Real::operator=(const Real& other) {
  if (this == &other) return *this;
  if (live_) {
    mpfr_set_prec(v_, mpfr_get_prec(other.v_));
  } else {
    mpfr_init2(v_, mpfr_get_prec(other.v_));
    live_ = true;
  }
  mpfr_set(v_, other.v_, MPFR_RNDN);
  return *this;
}
Real& Real::operator=(Real&& other) noexcept {
  std::swap(v_[0], other.v_[0]);
  std::swap(live_, other.live_);
  return *this;
}
Real::~Real() {
  if (live_) mpfr_clear(v_);
}

Real::operator float() const { return mpfr_get_flt(v_, MPFR_RNDN); }
Real::operator double() const { return mpfr_get_d(v_, MPFR_RNDN); }
Real::operator long double() const { return mpfr_get_ld(v_, MPFR_RNDN); }

Real& Real::operator+=(const Real& b) { return *this = *this + b; }
Real& Real::operator-=(const Real& b) { return *this = *this - b; }
Real& Real::operator*=(const Real& b) { return *this = *this * b; }
Real& Real::operator/=(const Real& b) { return *this = *this / b; }

Real operator+(const Real& a, const Real& b) {
  return make([&](mpfr_ptr r) { mpfr_add(r, a.get(), b.get(), MPFR_RNDN); });
}
Real operator-(const Real& a, const Real& b) {
  return make([&](mpfr_ptr r) { mpfr_sub(r, a.get(), b.get(), MPFR_RNDN); });
}
Real operator*(const Real& a, const Real& b) {
  return make([&](mpfr_ptr r) { mpfr_mul(r, a.get(), b.get(), MPFR_RNDN); });
}
Real operator/(const Real& a, const Real& b) {
  return make([&](mpfr_ptr r) { mpfr_div(r, a.get(), b.get(), MPFR_RNDN); });
}
Real operator-(const Real& a) {
  return make([&](mpfr_ptr r) { mpfr_neg(r, a.get(), MPFR_RNDN); });
}

#define ACTFN_MP_UNARY(name, mpfr_fn)                                                  \
  Real name(const Real& x) {                                                           \
    return make([&](mpfr_ptr r) { mpfr_fn(r, x.get(), MPFR_RNDN); });                  \
  }
ACTFN_MP_UNARY(exp, mpfr_exp)
ACTFN_MP_UNARY(expm1, mpfr_expm1)
ACTFN_MP_UNARY(log, mpfr_log)
ACTFN_MP_UNARY(log1p, mpfr_log1p)
ACTFN_MP_UNARY(sqrt, mpfr_sqrt)
ACTFN_MP_UNARY(tanh, mpfr_tanh)
ACTFN_MP_UNARY(sech, mpfr_sech)
ACTFN_MP_UNARY(erf, mpfr_erf)
ACTFN_MP_UNARY(sin, mpfr_sin)
ACTFN_MP_UNARY(cos, mpfr_cos)
ACTFN_MP_UNARY(atan, mpfr_atan)
ACTFN_MP_UNARY(fabs, mpfr_abs)
ACTFN_MP_UNARY(abs, mpfr_abs)
#undef ACTFN_MP_UNARY

/// erfc is by far the slowest MPFR function (~1 ms at 4096 bits) and the SELU definition recomputes
/// erfc(1/√2) and erfc(√2) on every call, so each thread remembers its last 16 results.
Real erfc(const Real& x) {
  struct Entry {
    Real arg, value;
  };
  thread_local std::array<Entry, 16> memo;  // two arguments at each of six precisions
  thread_local std::size_t next = 0;
  for (const Entry& e : memo)
    if (mpfr_get_prec(e.value.get()) == precision() && mpfr_get_prec(e.arg.get()) == mpfr_get_prec(x.get()) &&
        mpfr_total_order_p(e.arg.get(), x.get()) && mpfr_total_order_p(x.get(), e.arg.get()))
      return e.value;
  Real r = make([&](mpfr_ptr v) { mpfr_erfc(v, x.get(), MPFR_RNDN); });
  memo[next] = {x, r};
  next = (next + 1) % memo.size();
  return r;
}

Real hypot(const Real& x, const Real& y) {
  return make([&](mpfr_ptr r) { mpfr_hypot(r, x.get(), y.get(), MPFR_RNDN); });
}
Real fma(const Real& x, const Real& y, const Real& z) {
  return make([&](mpfr_ptr r) { mpfr_fma(r, x.get(), y.get(), z.get(), MPFR_RNDN); });
}
bool isnan(const Real& x) { return mpfr_nan_p(x.get()) != 0; }
bool isinf(const Real& x) { return mpfr_inf_p(x.get()) != 0; }
bool isfinite(const Real& x) { return mpfr_number_p(x.get()) != 0; }
bool iszero(const Real& x) { return mpfr_zero_p(x.get()) != 0; }
bool signbit(const Real& x) { return mpfr_signbit(x.get()) != 0; }
Real pi() {
  return make([](mpfr_ptr r) { mpfr_const_pi(r, MPFR_RNDN); });
}
Real ldexp(const Real& x, long e) {
  return make([&](mpfr_ptr r) { mpfr_mul_2si(r, x.get(), e, MPFR_RNDN); });
}
long exponent(const Real& x) { return mpfr_get_exp(x.get()); }

// ---- Dual ----------------------------------------------------------------------------------------
namespace {

/// slope · factor(), exactly 0 when slope is 0: factor (a callable) is then not evaluated at all,
/// which saves time for constants and keeps an infinite or NaN factor from giving NaN.
template <class Factor>
Real chain(const Real& slope, Factor factor) {
  return iszero(slope) ? Real() : slope * factor();
}

}  // namespace

Dual& Dual::operator+=(const Dual& b) { return *this = *this + b; }
Dual& Dual::operator-=(const Dual& b) { return *this = *this - b; }
Dual& Dual::operator*=(const Dual& b) { return *this = *this * b; }
Dual& Dual::operator/=(const Dual& b) { return *this = *this / b; }

Dual operator+(const Dual& a, const Dual& b) { return {a.v + b.v, a.d + b.d}; }
Dual operator-(const Dual& a, const Dual& b) { return {a.v - b.v, a.d - b.d}; }
Dual operator-(const Dual& a) { return {-a.v, -a.d}; }
/// (uv)' = u'v + uv'.
Dual operator*(const Dual& a, const Dual& b) {
  return {a.v * b.v, chain(a.d, [&] { return b.v; }) + chain(b.d, [&] { return a.v; })};
}
/// (u/v)' = (u' - (u/v) v') / v.
Dual operator/(const Dual& a, const Dual& b) {
  Real q = a.v / b.v;
  Real num = a.d - chain(b.d, [&] { return q; });
  return {std::move(q), chain(num, [&] { return Real(1) / b.v; })};
}

/// exp' = exp.
Dual exp(const Dual& x) {
  Real e = exp(x.v);
  return {e, chain(x.d, [&] { return e; })};
}
/// expm1' = exp.
Dual expm1(const Dual& x) { return {expm1(x.v), chain(x.d, [&] { return exp(x.v); })}; }
/// log' = 1/x.
Dual log(const Dual& x) { return {log(x.v), chain(x.d, [&] { return Real(1) / x.v; })}; }
/// log1p' = 1/(1 + x).
Dual log1p(const Dual& x) {
  return {log1p(x.v), chain(x.d, [&] { return Real(1) / (Real(1) + x.v); })};
}
/// sqrt' = 1/(2 sqrt x).
Dual sqrt(const Dual& x) {
  Real s = sqrt(x.v);
  return {s, chain(x.d, [&] { return Real(1) / (Real(2) * s); })};
}
/// tanh' = sech² (from MPFR's sech, so it keeps full relative accuracy in the tails).
Dual tanh(const Dual& x) {
  return {tanh(x.v), chain(x.d, [&] {
            const Real s = sech(x.v);
            return s * s;
          })};
}
/// erf' = 2/√π e^(-x²).
Dual erf(const Dual& x) {
  return {erf(x.v), chain(x.d, [&] { return Real(2) / sqrt(pi()) * exp(-(x.v * x.v)); })};
}
/// erfc' = -2/√π e^(-x²).
Dual erfc(const Dual& x) {
  return {erfc(x.v), chain(x.d, [&] { return Real(-2) / sqrt(pi()) * exp(-(x.v * x.v)); })};
}
Dual sin(const Dual& x) { return {sin(x.v), chain(x.d, [&] { return cos(x.v); })}; }
Dual cos(const Dual& x) { return {cos(x.v), chain(x.d, [&] { return -sin(x.v); })}; }
/// atan' = 1/(1 + x²).
Dual atan(const Dual& x) {
  return {atan(x.v), chain(x.d, [&] { return Real(1) / (Real(1) + x.v * x.v); })};
}
/// |x|' = sign(x), taking the sign bit of a zero.
Dual fabs(const Dual& x) { return {fabs(x.v), signbit(x.v) ? -x.d : x.d}; }
Dual abs(const Dual& x) { return fabs(x); }
/// hypot(x, y)' = (x x' + y y') / hypot(x, y).
Dual hypot(const Dual& x, const Dual& y) {
  Real h = hypot(x.v, y.v);
  Real num = chain(x.d, [&] { return x.v; }) + chain(y.d, [&] { return y.v; });
  return {h, chain(num, [&] { return Real(1) / h; })};
}
Dual fma(const Dual& x, const Dual& y, const Dual& z) {
  return {fma(x.v, y.v, z.v), chain(x.d, [&] { return y.v; }) + chain(y.d, [&] { return x.v; }) + z.d};
}
bool isnan(const Dual& x) { return isnan(x.v); }
bool isinf(const Dual& x) { return isinf(x.v); }

}  // namespace actfn_test::mp
