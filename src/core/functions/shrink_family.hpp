// Shrinkage and identity: hardshrink, softshrink, identity.
#pragma once

#include "formula.hpp"

namespace actfn::fn {

/// Outside the dead zone [-lambd, lambd]; the zone's ends count as inside (PyTorch: f'(±lambd) = 0).
template <class T>
bool outside_dead_zone(T x, T lambd) {
  return x > lambd || x < -lambd;
}

inline constexpr ParamSpec kShrinkParams[] = {
    {.name = "lambd", .default_value = 0.5, .range = kNonNegative, .doc = "half-width of the dead zone"},
};

struct Hardshrink {
  static constexpr std::size_t kLambd = param_index(kShrinkParams, "lambd");
  static constexpr bool exact = true;
  static constexpr FunctionInfo info{
      .kind = Kind::Hardshrink,
      .name = "hardshrink",
      .family = "shrink",
      .summary = "Zero inside [-lambd, lambd], identity outside (hard thresholding)",
      .formula = "f(x) = x if |x| > lambd, else 0",
      .derivative = "f'(x) = 1 if |x| > lambd, else 0",
      .kinks = "f jumps at ±lambd; f'(±lambd) = 0 (PyTorch)",
      .reference = "Donoho & Johnstone 1994; torch.nn.Hardshrink",
      .params = kShrinkParams,
      .backward_needs = Needs::Either,
      .accuracy = kPiecewiseLinearBound,
  };
  template <class T>
  static T f(T x, const Params<T>& p) {
    return outside_dead_zone(x, p[kLambd]) ? x : T(0);
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return outside_dead_zone(x, p[kLambd]) ? T(1) : T(0);
  }
  /// Outside the dead zone y = x ≠ 0; inside y = 0.
  template <class T>
  static T df_from_y(T y, const Params<T>&) {
    return y != 0 ? T(1) : T(0);
  }
  static Kinks kinks(const Params<double>& p) { return {-p[kLambd], p[kLambd]}; }
};

struct Softshrink {
  static constexpr std::size_t kLambd = param_index(kShrinkParams, "lambd");
  static constexpr bool exact = true;
  static constexpr FunctionInfo info{
      .kind = Kind::Softshrink,
      .name = "softshrink",
      .family = "shrink",
      .summary = "Soft thresholding: shrink towards 0 by lambd",
      .formula = "f(x) = x - lambd if x > lambd, x + lambd if x < -lambd, else 0",
      .derivative = "f'(x) = 1 if |x| > lambd, else 0",
      .kinks = "f'(±lambd) = 0 (PyTorch)",
      .reference = "Donoho 1995, De-noising by soft-thresholding",
      .params = kShrinkParams,
      .backward_needs = Needs::Either,
      .accuracy = kPiecewiseLinearBound,
  };
  template <class T>
  static T f(T x, const Params<T>& p) {
    return x > p[kLambd] ? x - p[kLambd] : x < -p[kLambd] ? x + p[kLambd] : T(0);
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return outside_dead_zone(x, p[kLambd]) ? T(1) : T(0);
  }
  template <class T>
  static T df_from_y(T y, const Params<T>&) {
    return y != 0 ? T(1) : T(0);
  }
  static Kinks kinks(const Params<double>& p) { return {-p[kLambd], p[kLambd]}; }
};

inline constexpr Alias kIdentityAliases[] = {{"linear"}};

struct Identity {
  static constexpr bool exact = true;
  static constexpr FunctionInfo info{
      .kind = Kind::Identity,
      .name = "identity",
      .family = "linear",
      .summary = "No activation (linear layer)",
      .formula = "f(x) = x",
      .derivative = "f'(x) = 1",
      .reference = "the linear baseline",
      .aliases = kIdentityAliases,
      .backward_needs = Needs::Either,
      .accuracy = kPiecewiseLinearBound,
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    return x;
  }
  template <class T>
  static T df(T, const Params<T>&) {
    return T(1);
  }
  template <class T>
  static T df_from_y(T, const Params<T>&) {
    return T(1);
  }
};

}  // namespace actfn::fn
