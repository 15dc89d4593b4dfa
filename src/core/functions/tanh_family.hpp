// Tanh family: tanh, hardtanh, tanhshrink, shifted_tanh, lecun_tanh, softsign, telu.
#pragma once

#include "formula.hpp"

namespace actfn::fn {

struct Tanh {
  static constexpr FunctionInfo info{
      .kind = Kind::Tanh,
      .name = "tanh",
      .family = "tanh",
      .summary = "Hyperbolic tangent, zero-centred squashing to (-1, 1)",
      .formula = "f(x) = (e^x - e^-x) / (e^x + e^-x)",
      .derivative = "f'(x) = sech^2(x) = 1 - f(x)^2",
      .reference = "LeCun et al. 1998, Efficient BackProp",
      .backward_needs = Needs::Either,
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    return tanh(x);
  }
  /// sech² as 4e/(1+e)², e = e^-2|x|: 1 - tanh² would cancel to 0 long before the true value.
  template <class T>
  static T df(T x, const Params<T>&) {
    return sech2(x);
  }
  template <class T>
  static T df_from_y(T y, const Params<T>&) {
    return (T(1) - y) * (T(1) + y);
  }
};

inline constexpr ParamSpec kHardtanhParams[] = {
    {.name = "min_val", .default_value = -1.0, .doc = "lower clamp"},
    {.name = "max_val", .default_value = 1.0, .doc = "upper clamp (> min_val)"},
};
inline constexpr Alias kHardtanhAliases[] = {{"hard_tanh"}};

struct Hardtanh {
  static constexpr std::size_t kMinVal = param_index(kHardtanhParams, "min_val");
  static constexpr std::size_t kMaxVal = param_index(kHardtanhParams, "max_val");
  static constexpr bool exact = true;
  static constexpr FunctionInfo info{
      .kind = Kind::Hardtanh,
      .name = "hardtanh",
      .family = "tanh",
      .summary = "Clamp to [min_val, max_val]",
      .formula = "f(x) = min(max(x, min_val), max_val)",
      .derivative = "f'(x) = 1 if min_val < x < max_val, else 0",
      .kinks = "f'(min_val) = f'(max_val) = 0 (PyTorch)",
      .reference = "Collobert 2004; torch.nn.Hardtanh",
      .params = kHardtanhParams,
      .aliases = kHardtanhAliases,
      .backward_needs = Needs::Either,
      .accuracy = kPiecewiseLinearBound,
  };
  template <class T>
  static T f(T x, const Params<T>& p) {
    return x < p[kMinVal] ? p[kMinVal] : x > p[kMaxVal] ? p[kMaxVal] : x;
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return x > p[kMinVal] && x < p[kMaxVal] ? T(1) : T(0);
  }
  template <class T>
  static T df_from_y(T y, const Params<T>& p) {
    return df(y, p);
  }
  static void validate(const Params<double>& p) {
    if (!(p[kMinVal] < p[kMaxVal])) throw Error("hardtanh: min_val must be less than max_val");
  }
  static Kinks kinks(const Params<double>& p) { return {p[kMinVal], p[kMaxVal]}; }
};

struct Tanhshrink {
  static constexpr FunctionInfo info{
      .kind = Kind::Tanhshrink,
      .name = "tanhshrink",
      .family = "tanh",
      .summary = "x - tanh(x): zero with zero slope at the origin, linear in the tails",
      .formula = "f(x) = x - tanh(x)",
      .derivative = "f'(x) = tanh(x)^2",
      .reference = "torch.nn.Tanhshrink",
  };
  /// For |x| ≤ 1, x - tanh x cancels (it is x³/3 + ...). Lambert's continued fraction
  /// tanh x = x / (1 + c), c = x²/(3 + x²/(5 + x²/(7 + ...))), gives x - tanh x = x c / (1 + c)
  /// with c built from positive terms only: no cancellation at all. Depth 12 leaves a truncation
  /// error below 1e-24 for |x| ≤ 1. Beyond 1, x - tanh x ≥ 0.23 x and direct subtraction is fine.
  template <class T>
  static T f(T x, const Params<T>&) {
    const T a = fabs(x);
    if (a > 1) return x - tanh(x);
    const T x2 = x * x;
    T c = x2 / T(25);
    for (int k = 11; k >= 1; --k) c = x2 / (T(2 * k + 1) + c);
    return x * c / (T(1) + c);
  }
  template <class T>
  static T df(T x, const Params<T>&) {
    const T t = tanh(x);
    return t * t;
  }
  template <class R>
  static R definition(R x, const Params<R>&) {
    return x - tanh(x);
  }
};

inline constexpr ParamSpec kShiftedTanhParams[] = {
    {.name = "input_shift", .default_value = 0.0, .learnable = true, .doc = "moves the curve right"},
    {.name = "output_shift", .default_value = 0.0, .learnable = true, .doc = "moves the curve up"},
};

struct ShiftedTanh {
  static constexpr std::size_t kInputShift = param_index(kShiftedTanhParams, "input_shift");
  static constexpr std::size_t kOutputShift = param_index(kShiftedTanhParams, "output_shift");
  static constexpr FunctionInfo info{
      .kind = Kind::ShiftedTanh,
      .name = "shifted_tanh",
      .family = "tanh",
      .summary = "tanh with learnable input and output shifts",
      .formula = "f(x) = tanh(x - input_shift) + output_shift",
      .derivative = "f'(x) = sech^2(x - input_shift)",
      .reference = "shifted/biased tanh units; both shifts learnable",
      .params = kShiftedTanhParams,
  };
  template <class T>
  static T f(T x, const Params<T>& p) {
    return tanh(x - p[kInputShift]) + p[kOutputShift];
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return sech2(x - p[kInputShift]);
  }
  template <class T>
  static void dparams(T x, const Params<T>& p, Params<T>& g) {
    g[kInputShift] = -sech2(x - p[kInputShift]);
    g[kOutputShift] = T(1);
  }
};

struct LecunTanh {
  static constexpr long double kScale = 1.7159L;  // LeCun's rounded value: f(±1) = ±1
  static constexpr FunctionInfo info{
      .kind = Kind::LecunTanh,
      .name = "lecun_tanh",
      .family = "tanh",
      .summary = "Scaled tanh with f(±1) = ±1 and maximal second derivative at ±1",
      .formula = "f(x) = 1.7159 tanh(2x/3)",
      .derivative = "f'(x) = 1.7159 (2/3) sech^2(2x/3)",
      .reference = "LeCun, Bottou, Orr & Mueller 1998, Efficient BackProp",
      .backward_needs = Needs::Either,
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    return T(kScale) * tanh(T(2) * x / T(3));
  }
  template <class T>
  static T df(T x, const Params<T>&) {
    return T(kScale) * T(2) / T(3) * sech2(T(2) * x / T(3));
  }
  /// (2/3)(A - y)(A + y)/A: the factored form keeps the tails from cancelling further.
  template <class T>
  static T df_from_y(T y, const Params<T>&) {
    return T(2) * (T(kScale) - y) * (T(kScale) + y) / (T(3) * T(kScale));
  }
  template <class R>
  static R definition(R x, const Params<R>&) {
    return R(17159) / R(10000) * tanh(R(2) * x / R(3));
  }
};

struct Softsign {
  static constexpr FunctionInfo info{
      .kind = Kind::Softsign,
      .name = "softsign",
      .family = "tanh",
      .summary = "x / (1 + |x|): tanh-like with polynomial (slower) saturation",
      .formula = "f(x) = x / (1 + |x|)",
      .derivative = "f'(x) = 1 / (1 + |x|)^2",
      .reference = "Elliott 1993; Turian, Bergstra & Bengio 2009",
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    if (isinf(x)) return x > 0 ? T(1) : T(-1);
    return x / (T(1) + fabs(x));
  }
  /// Squaring the reciprocal, not dividing by the square, so |x| > 1e154 does not overflow.
  template <class T>
  static T df(T x, const Params<T>&) {
    const T r = T(1) / (T(1) + fabs(x));
    return r * r;
  }
  /// f'' = -2 sign(x)/(1 + |x|)^3 jumps from 2 to -2 at 0: softsign is C1, not smooth.
  static Kinks kinks(const Params<double>&) { return {0.0}; }
};

struct Telu {
  static constexpr FunctionInfo info{
      .kind = Kind::Telu,
      .name = "telu",
      .family = "tanh",
      .summary = "x tanh(e^x): near-identity for x > 0 with a persistent gradient for x < 0",
      .formula = "f(x) = x tanh(exp(x))",
      .derivative = "f'(x) = tanh(e^x) + x e^x sech^2(e^x)",
      .reference = "Fernandez & Mali 2024, TeLU activation function for fast and stable deep learning",
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    if (isinf(x)) return x > 0 ? x : T(-0.0);
    return x * tanh(exp(x));
  }
  /// x e^x sech²(e^x) = 4x exp(x - 2e^x)/(1 + e^-2e^x)²: one exp of a clamped-negative argument
  /// instead of e^x · sech²(e^x), which is inf · 0 for large x.
  template <class T>
  static T df(T x, const Params<T>&) {
    if (isinf(x)) return x > 0 ? T(1) : T(0);
    const T u = exp(x);
    const T e = exp(T(-2) * u);
    const T d = T(1) + e;
    return tanh(u) + T(4) * x * exp(x - T(2) * u) / (d * d);
  }
  template <class R>
  static R definition(R x, const Params<R>&) {
    return x * tanh(exp(x));
  }
};

}  // namespace actfn::fn
