// Exponential linear units: elu, celu, selu.
#pragma once

#include "formula.hpp"

namespace actfn::fn {

inline constexpr ParamSpec kEluParams[] = {
    {.name = "alpha", .default_value = 1.0, .doc = "saturation value -alpha for x -> -inf"},
};

struct Elu {
  static constexpr std::size_t kAlpha = param_index(kEluParams, "alpha");
  static constexpr FunctionInfo info{
      .kind = Kind::Elu,
      .name = "elu",
      .family = "exponential",
      .summary = "Exponential linear unit: smooth negative saturation at -alpha",
      .formula = "f(x) = x if x > 0, else alpha (e^x - 1)",
      .derivative = "f'(x) = 1 if x > 0, else alpha e^x = f(x) + alpha",
      .kinks = "f'(0) = alpha (PyTorch); C1 only when alpha = 1",
      .reference = "Clevert, Unterthiner & Hochreiter 2015",
      .params = kEluParams,
      .backward_needs = Needs::Either,
  };
  template <class T>
  static T f(T x, const Params<T>& p) {
    return x > 0 ? x : p[kAlpha] * expm1(x);
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return x > 0 ? T(1) : p[kAlpha] * exp(x);
  }
  /// y + alpha for x <= 0: exact in value, but y + alpha cancels in the far tail where y ≈ -alpha.
  template <class T>
  static T df_from_y(T y, const Params<T>& p) {
    return y > 0 ? T(1) : y + p[kAlpha];
  }
  static bool from_y_valid(const Params<double>& p) { return p[kAlpha] >= 0; }
  static Kinks kinks(const Params<double>&) { return {0.0}; }
  template <class R>
  static R definition(R x, const Params<R>& p) {
    return x > 0 ? x : p[kAlpha] * (exp(x) - R(1));
  }
};

inline constexpr ParamSpec kCeluParams[] = {
    {.name = "alpha", .default_value = 1.0, .range = kPositive, .doc = "saturation value and scale"},
};

struct Celu {
  static constexpr std::size_t kAlpha = param_index(kCeluParams, "alpha");
  static constexpr FunctionInfo info{
      .kind = Kind::Celu,
      .name = "celu",
      .family = "exponential",
      .summary = "Continuously differentiable ELU for every alpha",
      .formula = "f(x) = x if x > 0, else alpha (e^(x/alpha) - 1)",
      .derivative = "f'(x) = 1 if x > 0, else e^(x/alpha)",
      .kinks = "f'(0) = 1 (continuous)",
      .reference = "Barron 2017, Continuously differentiable exponential linear units",
      .params = kCeluParams,
      .backward_needs = Needs::Either,
  };
  template <class T>
  static T f(T x, const Params<T>& p) {
    return x > 0 ? x : p[kAlpha] * expm1(x / p[kAlpha]);
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return x > 0 ? T(1) : exp(x / p[kAlpha]);
  }
  template <class T>
  static T df_from_y(T y, const Params<T>& p) {
    return y > 0 ? T(1) : y / p[kAlpha] + T(1);
  }
  static Kinks kinks(const Params<double>&) { return {0.0}; }
  template <class R>
  static R definition(R x, const Params<R>& p) {
    return x > 0 ? x : p[kAlpha] * (exp(x / p[kAlpha]) - R(1));
  }
};

struct Selu {
  // The fixed point constants of Klambauer et al. (eq. 14), to 32 digits; the oracle recomputes
  // them from their closed forms.
  static constexpr long double kLambda = 1.0507009873554804934193349852946L;
  static constexpr long double kAlpha = 1.6732632423543772848170429916717L;
  static constexpr FunctionInfo info{
      .kind = Kind::Selu,
      .name = "selu",
      .family = "exponential",
      .summary = "Scaled ELU whose constants make activations self-normalise to mean 0, variance 1",
      .formula = "f(x) = lambda x if x > 0, else lambda alpha (e^x - 1);  lambda = 1.0507009873554805, "
                 "alpha = 1.6732632423543772",
      .derivative = "f'(x) = lambda if x > 0, else lambda alpha e^x",
      .kinks = "f'(0) = lambda alpha (PyTorch)",
      .reference = "Klambauer, Unterthiner, Mayr & Hochreiter 2017, Self-normalizing neural networks",
      .backward_needs = Needs::Either,
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    return x > 0 ? T(kLambda) * x : T(kLambda) * T(kAlpha) * expm1(x);
  }
  template <class T>
  static T df(T x, const Params<T>&) {
    return x > 0 ? T(kLambda) : T(kLambda) * T(kAlpha) * exp(x);
  }
  template <class T>
  static T df_from_y(T y, const Params<T>&) {
    return y > 0 ? T(kLambda) : y + T(kLambda) * T(kAlpha);
  }
  static Kinks kinks(const Params<double>&) { return {0.0}; }
  /// alpha01 and lambda01 from their closed forms (Klambauer et al., appendix A3).
  template <class R>
  static R definition(R x, const Params<R>&) {
    const R pi = R(4) * atan(R(1));
    const R e = exp(R(1));
    const R c = erfc(R(1) / sqrt(R(2)));
    const R alpha = -sqrt(R(2) / pi) / (c * sqrt(e) - R(1));
    const R lambda = (R(1) - c * sqrt(e)) * sqrt(R(2) * pi) /
                     sqrt(R(2) * erfc(sqrt(R(2))) * e * e + pi * c * c * e -
                          R(2) * (R(2) + pi) * c * sqrt(e) + pi + R(2));
    return x > 0 ? lambda * x : lambda * alpha * (exp(x) - R(1));
  }
};

}  // namespace actfn::fn
