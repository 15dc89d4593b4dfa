// The contract every formula struct meets, and the stable building blocks they share.
//
// An element-wise formula struct F (one per Kind, in a family file next to its relatives) has
//   static constexpr FunctionInfo info;                     its registry row
//   template <class T> static T f(T x, const Params<T>&);   forward
//   template <class T> static T df(T x, const Params<T>&);  f'(x); PyTorch's value at kinks
// and optionally
//   template <class T> static T df_from_y(T y, const Params<T>&);  f'(x) from the output
//   static bool from_y_valid(const Params<double>&);       when y determines f' (default: always)
//   template <class T> static void dparams(T x, const Params<T>&, Params<T>& g);
//                                                           g[k] = df/dp_k for learnable p_k
//   template <class R> static R definition(R x, const Params<R>&);
//                                                           the textbook formula, for the oracle
//   static Kinks kinks(const Params<double>&);             where f or f' is not smooth
//   static void validate(const Params<double>&);           cross-parameter checks (throws Error)
//   template <class T> static void derive(Params<T>& p);    values derived from the parameters in
//                                                           the data type T, into free slots (see in_type)
//   static constexpr bool exact = true;                    one rounding per result: computes in
//                                                           the data type itself (piecewise-linear)
//
// T is the compute type (double for f32 data, long double for f64 data); R may be a
// multiple-precision or dual-number type, so formulas call math functions unqualified (the
// using-declarations below find std:: for builtin types, ADL finds R's overloads).
//
// A vector-wise struct instead has out_axis(n, params) and row functions f / backward over
// contiguous spans (see vector_wise.hpp).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "actfn/error.hpp"
#include "actfn/registry.hpp"

namespace actfn::fn {

using std::atan;
using std::erfc;
using std::exp;
using std::expm1;
using std::fabs;
using std::fma;
using std::hypot;
using std::isinf;
using std::isnan;
using std::log;
using std::log1p;
using std::sqrt;
using std::tanh;

template <class T>
using Params = std::array<T, kMaxParams>;

/// The index of parameter `name` in a formula struct's parameter list, so that formulas and
/// kernels read p[kNegativeSlope], not p[0]; a name not in the list does not compile.
template <std::size_t N>
consteval std::size_t param_index(const ParamSpec (&params)[N], std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (params[i].name == name) return i;
  throw "actfn: no parameter of that name";  // not a constant expression: a compile error
}

/// Points where f or f' is not smooth (at most two for any activation in the catalogue).
struct Kinks {
  std::array<double, 2> at{};
  std::size_t n = 0;
  Kinks() = default;
  Kinks(std::initializer_list<double> xs) {
    for (double x : xs) at[n++] = x;
  }
  [[nodiscard]] std::span<const double> points() const { return {at.data(), n}; }
};

// clang-format off
template <class F>
concept ElementWise = requires(double x, const Params<double>& p) {
  { F::info } -> std::convertible_to<const FunctionInfo&>;
  { F::template f<double>(x, p) } -> std::same_as<double>;
  { F::template df<double>(x, p) } -> std::same_as<double>;
};
template <class F>
concept HasFromY = requires(double y, const Params<double>& p) {
  { F::template df_from_y<double>(y, p) } -> std::same_as<double>;
};
template <class F>
concept HasFromYValid = requires(const Params<double>& p) {
  { F::from_y_valid(p) } -> std::same_as<bool>;
};
template <class F>
concept HasParamGrad = requires(double x, const Params<double>& p, Params<double>& g) {
  F::template dparams<double>(x, p, g);
};
template <class F>
concept HasKinks = requires(const Params<double>& p) {
  { F::kinks(p) } -> std::same_as<Kinks>;
};
template <class F, class R>
concept HasDefinition = requires(R x, const Params<R>& p) {
  { F::template definition<R>(x, p) } -> std::same_as<R>;
};
template <class F>
concept HasValidate = requires(const Params<double>& p) { F::validate(p); };
template <class F, class T>
concept HasDerive = requires(Params<T>& p) { F::template derive<T>(p); };
template <class F>
concept Exact = requires { requires F::exact; };
template <class F>
concept VectorWise = requires(std::size_t n, const Params<double>& p) {
  { F::info } -> std::convertible_to<const FunctionInfo&>;
  { F::out_axis(n, p) } -> std::same_as<std::size_t>;
};
// clang-format on

/// The textbook definition of F, falling back to the implementation where the two coincide
/// (piecewise-linear functions).
template <class F, class R>
R definition(R x, const Params<R>& p) {
  if constexpr (HasDefinition<F, R>) {
    return F::template definition<R>(x, p);
  } else {
    return F::template f<R>(x, p);
  }
}

template <class F>
bool from_y_valid(const Params<double>& p) {
  if constexpr (!HasFromY<F>) {
    return false;
  } else if constexpr (HasFromYValid<F>) {
    return F::from_y_valid(p);
  } else {
    return true;
  }
}

/// hi + lo = x + y exactly (Knuth's TwoSum), for any binary type that rounds to nearest.
template <class T>
T two_sum(T x, T y, T& lo) {
  const T hi = x + y;
  const T b = hi - x;
  lo = (x - (hi - b)) + (y - b);
  return hi;
}

/// s + e (s = s + e rounded in W, e the exact rest) rounded once to T, for a W with at least one
/// bit more than T: a rounding of s alone is right except where s is a midpoint of T, and there
/// the exact value lies on e's side (docs/accuracy.md, "hard_sigmoid's single rounding").
template <class T, class W>
T round_pair(W s, W e) {
  const T r = static_cast<T>(s);
  if (e == 0 || static_cast<W>(r) == s) return r;
  const T beyond = std::nextafter(r, s > static_cast<W>(r) ? std::numeric_limits<T>::infinity()
                                                           : -std::numeric_limits<T>::infinity());
  const bool midpoint = 2 * (s - static_cast<W>(r)) == static_cast<W>(beyond) - static_cast<W>(r);
  return midpoint && (e > 0) == (s > static_cast<W>(r)) ? beyond : r;
}

__extension__ using Quad = __float128;  // 113-bit significand: holds a product of two doubles

/// a·(hi + lo) rounded once to T, for |lo| ≤ ulp(hi)/2. a·hi + fl(a·lo) rounded by one fma is
/// right wherever it rounds as a·hi plus fl(a·lo)'s neighbour on the side of fl(a·lo)'s error
/// would: the exact value lies between the two. Where they differ (next to a tie), or the error of
/// a tiny a·lo may have underflowed to 0, float and double sum the two exact products in a type
/// twice as wide (double, Quad) and round once with round_pair; other types (long double, multiple
/// precision: the oracles) keep the fma.
template <class T>
T mul_pair_rounded(T a, T hi, T lo) {
  const T lo_product = a * lo;
  const T t = fma(a, hi, lo_product);
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    const T rest = fma(a, lo, -lo_product);
    constexpr T kTiny = std::numeric_limits<T>::min() * T(1ull << std::numeric_limits<T>::digits);
    const bool sure = rest == 0 ? lo == 0 || fabs(lo_product) >= kTiny
                                : fma(a, hi, std::nextafter(lo_product, rest * std::numeric_limits<T>::infinity())) == t;
    if (sure) return t;
    using W = std::conditional_t<std::is_same_v<T, float>, double, Quad>;
    W e;
    const W s = two_sum(static_cast<W>(a) * static_cast<W>(hi), static_cast<W>(a) * static_cast<W>(lo), e);
    return round_pair<T>(s, e);
  } else {
    return t;
  }
}

/// The parameters as data type T uses them: each rounded to T (as frameworks do: a float
/// leaky_relu has a float slope), then F's derived values computed in T. Every path — the
/// reference, the kernels, the oracles — takes its parameters from here, so all of them put a
/// derived kink (hard_sigmoid's corners) at the same T value.
template <class F, class T>
Params<T> in_type(const std::array<double, kMaxParams>& values) {
  Params<T> p{};
  for (std::size_t i = 0; i < kMaxParams; ++i) p[i] = static_cast<T>(values[i]);
  if constexpr (HasDerive<F, T>) F::template derive<T>(p);
  return p;
}

/// f(x) with the NaN contract applied once for every formula: NaN in gives NaN out.
template <class F, class T>
T f_guarded(T x, const Params<T>& p) {
  return isnan(x) ? x : F::template f<T>(x, p);
}
template <class F, class T>
T df_guarded(T x, const Params<T>& p) {
  return isnan(x) ? x : F::template df<T>(x, p);
}

/// a·b where b is a decaying factor: 0 when b is 0, so inf·0 never turns a limit into NaN.
template <class T>
T times_decaying(T a, T b) {
  return b == T(0) ? T(0) : a * b;
}

// ---- stable building blocks --------------------------------------------------------------------
// Each splits on the sign so exp only ever sees a non-positive argument: no overflow, no 0·inf,
// and no cancellation such as 1 - sigmoid(x) for large x.

/// σ(x) = 1/(1+e^-x), as 1/(1+e^-x) for x ≥ 0 and e^x/(1+e^x) for x < 0.
template <class T>
T sigmoid(T x) {
  if (x >= 0) return T(1) / (T(1) + exp(-x));
  const T e = exp(x);
  return e / (T(1) + e);
}

/// σ'(x) = σ(x)σ(-x) = e/(1+e)² with e = e^-|x|: even, never cancels.
template <class T>
T sigmoid_slope(T x) {
  const T e = exp(-fabs(x));
  const T d = T(1) + e;
  return e / (d * d);
}

/// softplus(x) = log(1+e^x) = max(x,0) + log1p(e^-|x|).
template <class T>
T softplus(T x) {
  return (x > 0 ? x : T(0)) + log1p(exp(-fabs(x)));
}

/// sech²(x) = 1 - tanh²(x) = 4e/(1+e)² with e = e^-2|x|; 1 - tanh² would cancel for large |x|.
template <class T>
T sech2(T x) {
  const T e = exp(T(-2) * fabs(x));
  const T d = T(1) + e;
  return T(4) * e / (d * d);
}

/// Φ(x), the standard normal CDF, as erfc(-x/√2)/2: the negative tail never cancels. √2 in T's
/// own precision (a constant the compiler folds for float, double and long double), so that the
/// formula in MPFR is the textbook one: next to the zero of GELU's slope Φ(x) + x φ(x) even a
/// long-double constant moves the result by 2^-9 relative.
template <class T>
T normal_cdf(T x) {
  return erfc(-x / sqrt(T(2))) / T(2);
}

/// φ(x) = e^(-x²/2)/√(2π), π = 4 atan(1) in T's precision (as for Φ). x² only overflows where φ
/// is 0 anyway.
template <class T>
T normal_pdf(T x) {
  return exp(-x * x / T(2)) / sqrt(T(8) * atan(T(1)));
}

}  // namespace actfn::fn
