// Rectifiers: relu, leaky_relu, prelu, rrelu, clipped_relu (relu6), threshold, relu_squared.
#pragma once

#include "formula.hpp"

namespace actfn::fn {

struct Relu {
  static constexpr bool exact = true;
  static constexpr FunctionInfo info{
      .kind = Kind::Relu,
      .name = "relu",
      .family = "rectifier",
      .summary = "Rectified linear unit: max(x, 0)",
      .formula = "f(x) = max(x, 0)",
      .derivative = "f'(x) = 1 if x > 0, else 0",
      .kinks = "f'(0) = 0 (PyTorch)",
      .reference = "Nair & Hinton 2010; Glorot, Bordes & Bengio 2011",
      .backward_needs = Needs::Either,
      .accuracy = kPiecewiseLinearBound,
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    return x > 0 ? x : T(0);
  }
  template <class T>
  static T df(T x, const Params<T>&) {
    return x > 0 ? T(1) : T(0);
  }
  template <class T>
  static T df_from_y(T y, const Params<T>& p) {
    return df(y, p);
  }
  static Kinks kinks(const Params<double>&) { return {0.0}; }
};

/// Shared by leaky_relu, prelu and rrelu (eval): x for x > 0, slope x otherwise.
template <class T>
T leaky(T x, T slope) {
  return x > 0 ? x : slope * x;
}
template <class T>
T leaky_slope(T x, T slope) {
  return x > 0 ? T(1) : slope;
}

inline constexpr ParamSpec kLeakyReluParams[] = {
    {.name = "negative_slope", .default_value = 0.01, .doc = "slope for x < 0"},
};

struct LeakyRelu {
  static constexpr std::size_t kNegativeSlope = param_index(kLeakyReluParams, "negative_slope");
  static constexpr bool exact = true;
  static constexpr FunctionInfo info{
      .kind = Kind::LeakyRelu,
      .name = "leaky_relu",
      .family = "rectifier",
      .summary = "ReLU with a small fixed slope for negative inputs",
      .formula = "f(x) = x if x > 0, else negative_slope x",
      .derivative = "f'(x) = 1 if x > 0, else negative_slope",
      .kinks = "f'(0) = negative_slope (PyTorch)",
      .reference = "Maas, Hannun & Ng 2013",
      .params = kLeakyReluParams,
      .backward_needs = Needs::Either,
      .accuracy = kPiecewiseLinearBound,
  };
  template <class T>
  static T f(T x, const Params<T>& p) {
    return leaky(x, p[kNegativeSlope]);
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return leaky_slope(x, p[kNegativeSlope]);
  }
  /// y > 0 exactly when x > 0, provided the slope is not negative.
  template <class T>
  static T df_from_y(T y, const Params<T>& p) {
    return leaky_slope(y, p[kNegativeSlope]);
  }
  static bool from_y_valid(const Params<double>& p) { return p[kNegativeSlope] >= 0; }
  static Kinks kinks(const Params<double>&) { return {0.0}; }
};

inline constexpr ParamSpec kPreluParams[] = {
    {.name = "weight", .default_value = 0.25, .learnable = true, .doc = "slope for x < 0 (initial value)"},
    {.name = "num_parameters", .default_value = 1, .range = kCount, .integer = true,
     .doc = "1 (shared) or the number of channels"},
};

struct Prelu {
  static constexpr std::size_t kWeight = param_index(kPreluParams, "weight");
  static constexpr std::size_t kNumParameters = param_index(kPreluParams, "num_parameters");
  static constexpr bool exact = true;
  static constexpr FunctionInfo info{
      .kind = Kind::Prelu,
      .name = "prelu",
      .family = "rectifier",
      .summary = "Leaky ReLU whose slope is learned, shared or one per channel",
      .formula = "f(x) = x if x > 0, else weight x",
      .derivative = "f'(x) = 1 if x > 0, else weight;  df/dweight = 0 if x > 0, else x",
      .kinks = "f'(0) = weight (PyTorch)",
      .reference = "He, Zhang, Ren & Sun 2015, Delving deep into rectifiers",
      .params = kPreluParams,
      .backward_needs = Needs::X,
      .accuracy = kPiecewiseLinearBound,
  };
  template <class T>
  static T f(T x, const Params<T>& p) {
    return leaky(x, p[kWeight]);
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return leaky_slope(x, p[kWeight]);
  }
  template <class T>
  static void dparams(T x, const Params<T>&, Params<T>& g) {
    g[kWeight] = x > 0 ? T(0) : x;
  }
  static Kinks kinks(const Params<double>&) { return {0.0}; }
};

inline constexpr ParamSpec kRreluParams[] = {
    {.name = "lower", .default_value = 1.0 / 8.0, .range = kNonNegative, .doc = "smallest random slope"},
    {.name = "upper", .default_value = 1.0 / 3.0, .range = kNonNegative, .doc = "largest random slope"},
};

/// Evaluation-mode RReLU (mean slope). Training mode draws one slope per element; see
/// rrelu_train_forward in ops.hpp.
struct Rrelu {
  static constexpr std::size_t kLower = param_index(kRreluParams, "lower");
  static constexpr std::size_t kUpper = param_index(kRreluParams, "upper");
  static constexpr FunctionInfo info{
      .kind = Kind::Rrelu,
      .name = "rrelu",
      .family = "rectifier",
      .summary = "Randomized leaky ReLU: random slope in [lower, upper] in training, the mean in eval",
      .formula = "f(x) = x if x >= 0, else a x;  a ~ U(lower, upper) in training, (lower + upper)/2 in eval",
      .derivative = "f'(x) = 1 if x > 0, else a",
      .kinks = "f'(0) = a (PyTorch)",
      .reference = "Xu, Wang, Chen & Li 2015, Empirical evaluation of rectified activations",
      .params = kRreluParams,
      .backward_needs = Needs::Either,
      .accuracy = kPiecewiseLinearBound,
      .notes = "plain forward/backward are evaluation mode; training mode is rrelu_train_forward/backward",
  };
  /// (lower + upper)/2 is exact in the compute type, so only the product rounds.
  template <class T>
  static T mean_slope(const Params<T>& p) {
    return (p[kLower] + p[kUpper]) / T(2);
  }
  template <class T>
  static T f(T x, const Params<T>& p) {
    return leaky(x, mean_slope(p));
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return leaky_slope(x, mean_slope(p));
  }
  template <class T>
  static T df_from_y(T y, const Params<T>& p) {
    return leaky_slope(y, mean_slope(p));
  }
  static void validate(const Params<double>& p) {
    if (!(p[kLower] <= p[kUpper])) throw Error("rrelu: lower must not exceed upper");
  }
  static Kinks kinks(const Params<double>&) { return {0.0}; }
};

inline constexpr ParamSpec kClippedReluParams[] = {
    {.name = "ceiling", .default_value = 6.0, .range = kPositive, .doc = "upper clamp"},
};
inline constexpr Alias kClippedReluAliases[] = {{"relu6", "ceiling=6"}};

struct ClippedRelu {
  static constexpr std::size_t kCeiling = param_index(kClippedReluParams, "ceiling");
  static constexpr bool exact = true;
  static constexpr FunctionInfo info{
      .kind = Kind::ClippedRelu,
      .name = "clipped_relu",
      .family = "rectifier",
      .summary = "ReLU clamped at a ceiling; relu6 is clipped_relu(ceiling=6)",
      .formula = "f(x) = min(max(x, 0), ceiling)",
      .derivative = "f'(x) = 1 if 0 < x < ceiling, else 0",
      .kinks = "f'(0) = f'(ceiling) = 0 (PyTorch relu6)",
      .reference = "Krizhevsky 2010 (relu6); Hannun et al. 2014, Deep Speech",
      .params = kClippedReluParams,
      .aliases = kClippedReluAliases,
      .backward_needs = Needs::Either,
      .accuracy = kPiecewiseLinearBound,
  };
  template <class T>
  static T f(T x, const Params<T>& p) {
    return x > 0 ? (x < p[kCeiling] ? x : p[kCeiling]) : T(0);
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return x > 0 && x < p[kCeiling] ? T(1) : T(0);
  }
  template <class T>
  static T df_from_y(T y, const Params<T>& p) {
    return df(y, p);
  }
  static Kinks kinks(const Params<double>& p) { return {0.0, p[kCeiling]}; }
};

inline constexpr ParamSpec kThresholdParams[] = {
    {.name = "threshold", .default_value = 0.0, .doc = "inputs at or below it are replaced"},
    {.name = "value", .default_value = 0.0, .doc = "the replacement"},
};

struct Threshold {
  static constexpr std::size_t kThreshold = param_index(kThresholdParams, "threshold");
  static constexpr std::size_t kValue = param_index(kThresholdParams, "value");
  static constexpr bool exact = true;
  static constexpr FunctionInfo info{
      .kind = Kind::Threshold,
      .name = "threshold",
      .family = "rectifier",
      .summary = "x above a threshold, a constant value at or below it",
      .formula = "f(x) = x if x > threshold, else value",
      .derivative = "f'(x) = 1 if x > threshold, else 0",
      .kinks = "f'(threshold) = 0 (PyTorch); f jumps there unless value = threshold",
      .reference = "torch.nn.Threshold",
      .params = kThresholdParams,
      .accuracy = kPiecewiseLinearBound,
  };
  template <class T>
  static T f(T x, const Params<T>& p) {
    return x > p[kThreshold] ? x : p[kValue];
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return x > p[kThreshold] ? T(1) : T(0);
  }
  static Kinks kinks(const Params<double>& p) { return {p[kThreshold]}; }
};

struct ReluSquared {
  static constexpr bool exact = true;
  static constexpr FunctionInfo info{
      .kind = Kind::ReluSquared,
      .name = "relu_squared",
      .family = "rectifier",
      .summary = "Squared ReLU, used in Transformer feed-forward blocks",
      .formula = "f(x) = max(x, 0)^2",
      .derivative = "f'(x) = 2 max(x, 0)",
      .reference = "So et al. 2021, Primer: searching for efficient Transformers",
      .backward_needs = Needs::Either,
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    return x > 0 ? x * x : T(0);
  }
  template <class T>
  static T df(T x, const Params<T>&) {
    return x > 0 ? T(2) * x : T(0);
  }
  template <class T>
  static T df_from_y(T y, const Params<T>&) {
    return T(2) * sqrt(y);
  }
  static Kinks kinks(const Params<double>&) { return {0.0}; }
};

}  // namespace actfn::fn
