// Sigmoid family: step, sigmoid, hard_sigmoid, log_sigmoid, generalized_sigmoid.
#pragma once

#include "formula.hpp"

namespace actfn::fn {

inline constexpr ParamSpec kStepParams[] = {
    {.name = "value_at_zero", .default_value = 0.5, .doc = "f(0); numpy's heaviside convention"},
};
inline constexpr Alias kStepAliases[] = {{"heaviside"}};

struct Step {
  static constexpr std::size_t kValueAtZero = param_index(kStepParams, "value_at_zero");
  static constexpr bool exact = true;
  static constexpr FunctionInfo info{
      .kind = Kind::Step,
      .name = "step",
      .family = "sigmoid",
      .summary = "Heaviside step: the perceptron's threshold unit",
      .formula = "f(x) = 1 if x > 0, value_at_zero if x = 0, 0 if x < 0",
      .derivative = "f'(x) = 0 (no gradient flows; use a surrogate for training)",
      .kinks = "jump at 0; f'(0) = 0",
      .reference = "Rosenblatt 1958, The perceptron",
      .params = kStepParams,
      .aliases = kStepAliases,
      .backward_needs = Needs::Either,
      .accuracy = kPiecewiseLinearBound,
  };
  template <class T>
  static T f(T x, const Params<T>& p) {
    return x > 0 ? T(1) : x < 0 ? T(0) : p[kValueAtZero];
  }
  template <class T>
  static T df(T, const Params<T>&) {
    return T(0);
  }
  template <class T>
  static T df_from_y(T, const Params<T>&) {
    return T(0);
  }
  static Kinks kinks(const Params<double>&) { return {0.0}; }
};

inline constexpr Alias kSigmoidAliases[] = {{"logistic"}};

struct Sigmoid {
  static constexpr FunctionInfo info{
      .kind = Kind::Sigmoid,
      .name = "sigmoid",
      .family = "sigmoid",
      .summary = "Logistic sigmoid, squashes to (0, 1)",
      .formula = "f(x) = 1 / (1 + exp(-x))",
      .derivative = "f'(x) = f(x) (1 - f(x)) = f(x) f(-x)",
      .reference = "Verhulst 1845; Rumelhart, Hinton & Williams 1986",
      .aliases = kSigmoidAliases,
      .backward_needs = Needs::Either,
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    return sigmoid(x);
  }
  template <class T>
  static T df(T x, const Params<T>&) {
    return sigmoid_slope(x);
  }
  /// y(1 - y): exact when y is; for y near 1 the rounding of y itself limits the result.
  template <class T>
  static T df_from_y(T y, const Params<T>&) {
    return y * (T(1) - y);
  }
  template <class R>
  static R definition(R x, const Params<R>&) {
    return R(1) / (R(1) + exp(-x));
  }
};

inline constexpr ParamSpec kHardSigmoidParams[] = {
    {.name = "slope", .default_value = 1.0 / 6.0, .range = kPositive, .doc = "gradient of the linear part"},
    {.name = "offset", .default_value = 0.5, .doc = "f(0)"},
};
inline constexpr Alias kHardSigmoidAliases[] = {{"hardsigmoid"}};
inline constexpr Preset kHardSigmoidPresets[] = {
    {"pytorch", "slope=1/6, offset=0.5", "torch.nn.Hardsigmoid (the default)"},
    {"keras2", "slope=0.2, offset=0.5", "Keras 2 / TensorFlow hard_sigmoid"},
};

struct HardSigmoid {
  static constexpr std::size_t kSlope = param_index(kHardSigmoidParams, "slope");
  static constexpr std::size_t kOffset = param_index(kHardSigmoidParams, "offset");
  // The corners, derived from slope and offset in the data type (derive), in free slots.
  static constexpr std::size_t kLowerCorner = std::size(kHardSigmoidParams), kUpperCorner = kLowerCorner + 1;
  static_assert(kUpperCorner < kMaxParams);
  static constexpr bool exact = true;
  static constexpr FunctionInfo info{
      .kind = Kind::HardSigmoid,
      .name = "hard_sigmoid",
      .family = "sigmoid",
      .summary = "Piecewise-linear sigmoid: clamp(slope x + offset, 0, 1)",
      .formula = "f(x) = min(max(slope (x - c), 0), 1),  c = -offset/slope",
      .derivative = "f'(x) = slope where 0 < slope x + offset < 1, else 0",
      .kinks = "f'(x) = 0 at both corners (PyTorch: 0 at x = ±3)",
      .reference = "Courbariaux, Bengio & David 2015, BinaryConnect",
      .params = kHardSigmoidParams,
      .aliases = kHardSigmoidAliases,
      .presets = kHardSigmoidPresets,
      .backward_needs = Needs::X,
      .accuracy = kPiecewiseLinearBound,
  };
  /// The corners c = -offset/slope (f = 0 up to it) and u = (1 - offset)/slope (f = 1 from it),
  /// rounded to the data type, in slots 2 and 3: exactly -3 and 3 for PyTorch's slope 1/6 and
  /// offset 1/2 in float and double, although 1/6 itself rounds.
  template <class T>
  static void derive(Params<T>& p) {
    p[kLowerCorner] = -p[kOffset] / p[kSlope];
    p[kUpperCorner] = (T(1) - p[kOffset]) / p[kSlope];
  }
  /// slope·(x - c) with x - c an exact pair and the product rounded once: next to the corner f
  /// keeps its relative accuracy, where slope·x + offset would cancel (with a rounded slope,
  /// fl(1/6)·x + 0.5 at x = -2.999999 is 9% below (x + 3)/6).
  template <class T>
  static T f(T x, const Params<T>& p) {
    if (x <= p[kLowerCorner]) return T(0);
    if (x >= p[kUpperCorner]) return T(1);
    T lo;
    const T hi = two_sum(x, -p[kLowerCorner], lo);
    const T t = mul_pair_rounded(p[kSlope], hi, lo);
    return t > T(1) ? T(1) : t;
  }
  /// PyTorch's convention f'(corner) = 0: the slope strictly between the corners (as f, the
  /// corners in the data type), 0 elsewhere.
  template <class T>
  static T df(T x, const Params<T>& p) {
    return x > p[kLowerCorner] && x < p[kUpperCorner] ? p[kSlope] : T(0);
  }
  static Kinks kinks(const Params<double>& p) { return {-p[kOffset] / p[kSlope], (1 - p[kOffset]) / p[kSlope]}; }
};

inline constexpr Alias kLogSigmoidAliases[] = {{"logsigmoid"}};

struct LogSigmoid {
  static constexpr FunctionInfo info{
      .kind = Kind::LogSigmoid,
      .name = "log_sigmoid",
      .family = "sigmoid",
      .summary = "log(sigmoid(x)) = -softplus(-x), the log-likelihood of a logistic unit",
      .formula = "f(x) = -log(1 + exp(-x)) = min(x, 0) - log1p(exp(-|x|))",
      .derivative = "f'(x) = sigmoid(-x) = 1 - exp(f(x))",
      .reference = "log of the logistic function; torch.nn.LogSigmoid",
      .aliases = kLogSigmoidAliases,
      .backward_needs = Needs::Either,
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    return (x < 0 ? x : T(0)) - log1p(exp(-fabs(x)));
  }
  template <class T>
  static T df(T x, const Params<T>&) {
    return sigmoid(-x);
  }
  /// 1 - e^y as -expm1(y): no cancellation since y ≤ 0.
  template <class T>
  static T df_from_y(T y, const Params<T>&) {
    return -expm1(y);
  }
  template <class R>
  static R definition(R x, const Params<R>&) {
    return -log1p(exp(-x));
  }
};

inline constexpr ParamSpec kGeneralizedSigmoidParams[] = {
    {.name = "alpha", .default_value = 1.0, .learnable = true, .doc = "output scale (height of the step)"},
    {.name = "beta", .default_value = 1.0, .range = kPositive, .learnable = true, .doc = "shifts the midpoint by ln(beta)/gamma"},
    {.name = "gamma", .default_value = 1.0, .learnable = true, .doc = "steepness"},
    {.name = "epsilon", .default_value = 0.0, .learnable = true, .doc = "input shift"},
    {.name = "delta", .default_value = 0.0, .learnable = true, .doc = "output shift"},
};

struct GeneralizedSigmoid {
  static constexpr std::size_t kAlpha = param_index(kGeneralizedSigmoidParams, "alpha");
  static constexpr std::size_t kBeta = param_index(kGeneralizedSigmoidParams, "beta");
  static constexpr std::size_t kGamma = param_index(kGeneralizedSigmoidParams, "gamma");
  static constexpr std::size_t kEpsilon = param_index(kGeneralizedSigmoidParams, "epsilon");
  static constexpr std::size_t kDelta = param_index(kGeneralizedSigmoidParams, "delta");
  static constexpr FunctionInfo info{
      .kind = Kind::GeneralizedSigmoid,
      .name = "generalized_sigmoid",
      .family = "sigmoid",
      .summary = "Five-parameter logistic, all parameters learnable; defaults give sigmoid",
      .formula = "f(x) = alpha / (1 + beta exp(-gamma (x - epsilon))) + delta",
      .derivative = "f'(x) = alpha gamma s(u) s(-u), s = sigmoid, u = gamma (x - epsilon) - ln beta",
      .reference = "Richards 1959, A flexible growth function for empirical use",
      .params = kGeneralizedSigmoidParams,
      .backward_needs = Needs::X,
  };
  /// With u = gamma (x - epsilon) - ln beta the function is alpha sigmoid(u) + delta, so the stable
  /// sigmoid does all the work. gamma = 0 is a constant function, also at x = ±inf.
  template <class T>
  static T arg(T x, const Params<T>& p) {
    const T shifted = p[kGamma] == 0 ? T(0) : p[kGamma] * (x - p[kEpsilon]);
    return shifted - log(p[kBeta]);
  }
  template <class T>
  static T f(T x, const Params<T>& p) {
    return p[kAlpha] * sigmoid(arg(x, p)) + p[kDelta];
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return p[kAlpha] * p[kGamma] * sigmoid_slope(arg(x, p));
  }
  template <class T>
  static void dparams(T x, const Params<T>& p, Params<T>& g) {
    const T u = arg(x, p);
    const T slope = p[kAlpha] * sigmoid_slope(u);  // d f / d u
    g[kAlpha] = sigmoid(u);
    g[kBeta] = -slope / p[kBeta];
    g[kGamma] = times_decaying(x - p[kEpsilon], slope);
    g[kEpsilon] = -slope * p[kGamma];
    g[kDelta] = T(1);
  }
  template <class R>
  static R definition(R x, const Params<R>& p) {
    return p[kAlpha] / (R(1) + p[kBeta] * exp(-p[kGamma] * (x - p[kEpsilon]))) + p[kDelta];
  }
};

}  // namespace actfn::fn
