// Smooth gates x·g(x) and their relatives: gelu (erf, tanh and sigmoid forms), silu, swish,
// hardswish, mish, softplus, squareplus.
#pragma once

#include "formula.hpp"

namespace actfn::fn {

/// x·g(x) at ±inf for a gate g with g(-inf) = 0 and g(+inf) = 1: the limits are +inf and -0, where
/// the plain product would be -inf·0 = NaN.
template <class T>
T gated_limit(T x) {
  return x > 0 ? x : T(-0.0);
}

struct Gelu {
  static constexpr FunctionInfo info{
      .kind = Kind::Gelu,
      .name = "gelu",
      .family = "gate",
      .summary = "Gaussian error linear unit: x weighted by the standard normal CDF",
      .formula = "f(x) = x Phi(x) = x erfc(-x/sqrt(2)) / 2",
      .derivative = "f'(x) = Phi(x) + x phi(x),  phi(x) = e^(-x^2/2)/sqrt(2 pi)",
      .reference = "Hendrycks & Gimpel 2016, Gaussian error linear units",
      .variant = Variant{Kind::Gelu, "approximate", "none"},
      .notes = "the negative tail uses erfc, so it is not flushed to 0 (x Phi(x) is normal down to x ~ -37.5 in f64)",
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    if (isinf(x)) return gated_limit(x);
    return x * normal_cdf(x);
  }
  template <class T>
  static T df(T x, const Params<T>&) {
    if (isinf(x)) return x > 0 ? T(1) : T(0);
    return normal_cdf(x) + x * normal_pdf(x);
  }
  template <class R>
  static R definition(R x, const Params<R>&) {
    return x * erfc(-x / sqrt(R(2))) / R(2);
  }
};

struct GeluTanh {
  static constexpr long double kC = 0.79788456080286535587989211986876L;  // sqrt(2/pi)
  static constexpr long double kK = 0.044715L;
  static constexpr FunctionInfo info{
      .kind = Kind::GeluTanh,
      .name = "gelu_tanh",
      .family = "gate",
      .summary = "GELU's tanh approximation (BERT, GPT-2)",
      .formula = "f(x) = x (1 + tanh(u)) / 2 = x sigmoid(2u),  u = sqrt(2/pi) (x + 0.044715 x^3)",
      .derivative = "f'(x) = s + 2 x s (1 - s) u',  s = sigmoid(2u),  u' = sqrt(2/pi) (1 + 0.134145 x^2)",
      .reference = "Hendrycks & Gimpel 2016; torch.nn.GELU(approximate='tanh')",
      .variant = Variant{Kind::Gelu, "approximate", "tanh"},
      .notes = "(1 + tanh u)/2 is evaluated as sigmoid(2u), so the negative tail does not cancel to 0 as in libtorch",
  };
  template <class T>
  static T u(T x) {
    return T(kC) * (x + T(kK) * x * x * x);
  }
  template <class T>
  static T f(T x, const Params<T>&) {
    if (isinf(x)) return gated_limit(x);
    return x * sigmoid(T(2) * u(x));
  }
  template <class T>
  static T df(T x, const Params<T>&) {
    if (isinf(x)) return x > 0 ? T(1) : T(0);
    const T v = T(2) * u(x);
    const T du = T(kC) * (T(1) + T(3) * T(kK) * x * x);
    return sigmoid(v) + times_decaying(T(2) * x * du, sigmoid_slope(v));
  }
  template <class R>
  static R definition(R x, const Params<R>&) {
    const R c = sqrt(R(2) / (R(4) * atan(R(1))));
    const R v = R(2) * c * (x + R(44715) / R(1000000) * x * x * x);
    return x / (R(1) + exp(-v));
  }
};

inline constexpr Alias kGeluSigmoidAliases[] = {{"quick_gelu"}};

struct GeluSigmoid {
  static constexpr long double kK = 1.702L;
  static constexpr FunctionInfo info{
      .kind = Kind::GeluSigmoid,
      .name = "gelu_sigmoid",
      .family = "gate",
      .summary = "GELU's sigmoid approximation x sigmoid(1.702 x) (CLIP's QuickGELU)",
      .formula = "f(x) = x sigmoid(1.702 x)",
      .derivative = "f'(x) = s + 1.702 x s (1 - s),  s = sigmoid(1.702 x)",
      .reference = "Hendrycks & Gimpel 2016; Radford et al. 2021 (CLIP)",
      .aliases = kGeluSigmoidAliases,
      .variant = Variant{Kind::Gelu, "approximate", "sigmoid"},
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    if (isinf(x)) return gated_limit(x);
    return x * sigmoid(T(kK) * x);
  }
  template <class T>
  static T df(T x, const Params<T>&) {
    if (isinf(x)) return x > 0 ? T(1) : T(0);
    const T v = T(kK) * x;
    return sigmoid(v) + times_decaying(v, sigmoid_slope(v));
  }
  template <class R>
  static R definition(R x, const Params<R>&) {
    return x / (R(1) + exp(-R(1702) / R(1000) * x));
  }
};

/// x·sigmoid(b x) and its derivatives, shared by silu (b = 1) and swish.
template <class T>
T swish(T x, T b) {
  if (isinf(x)) return b == 0 ? x / T(2) : (b * x > 0 ? x : T(0) * (x > 0 ? T(1) : T(-1)));
  return x * sigmoid(b * x);
}
template <class T>
T swish_slope(T x, T b) {
  if (isinf(x)) return b == 0 ? T(0.5) : (b * x > 0 ? T(1) : T(0));
  const T v = b * x;
  return sigmoid(v) + times_decaying(v, sigmoid_slope(v));
}

inline constexpr Alias kSiluAliases[] = {{"swish1"}};

struct Silu {
  static constexpr FunctionInfo info{
      .kind = Kind::Silu,
      .name = "silu",
      .family = "gate",
      .summary = "Sigmoid-weighted linear unit x sigmoid(x) (swish with beta = 1)",
      .formula = "f(x) = x sigmoid(x)",
      .derivative = "f'(x) = s (1 + x (1 - s)),  s = sigmoid(x)",
      .reference = "Elfwing, Uchibe & Doya 2018; Hendrycks & Gimpel 2016",
      .aliases = kSiluAliases,
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    return swish(x, T(1));
  }
  template <class T>
  static T df(T x, const Params<T>&) {
    return swish_slope(x, T(1));
  }
  template <class R>
  static R definition(R x, const Params<R>&) {
    return x / (R(1) + exp(-x));
  }
};

inline constexpr ParamSpec kSwishParams[] = {
    {.name = "beta", .default_value = 1.0, .learnable = true, .doc = "gate sharpness; beta -> inf gives relu"},
};

struct Swish {
  static constexpr std::size_t kBeta = param_index(kSwishParams, "beta");
  static constexpr FunctionInfo info{
      .kind = Kind::Swish,
      .name = "swish",
      .family = "gate",
      .summary = "x sigmoid(beta x) with learnable beta",
      .formula = "f(x) = x sigmoid(beta x)",
      .derivative = "f'(x) = s + beta x s (1 - s);  df/dbeta = x^2 s (1 - s),  s = sigmoid(beta x)",
      .reference = "Ramachandran, Zoph & Le 2017, Searching for activation functions",
      .params = kSwishParams,
  };
  template <class T>
  static T f(T x, const Params<T>& p) {
    return swish(x, p[kBeta]);
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return swish_slope(x, p[kBeta]);
  }
  template <class T>
  static void dparams(T x, const Params<T>& p, Params<T>& g) {
    // At ±inf: x² sigmoid'(beta x) -> 0 for beta ≠ 0; for beta = 0 it is x²/4 -> inf.
    g[kBeta] = isinf(x) ? (p[kBeta] == 0 ? x * x : T(0)) : times_decaying(x * x, sigmoid_slope(p[kBeta] * x));
  }
  template <class R>
  static R definition(R x, const Params<R>& p) {
    return x / (R(1) + exp(-p[kBeta] * x));
  }
};

inline constexpr Alias kHardswishAliases[] = {{"hard_swish"}};

struct Hardswish {
  static constexpr FunctionInfo info{
      .kind = Kind::Hardswish,
      .name = "hardswish",
      .family = "gate",
      .summary = "Piecewise-quadratic swish: x relu6(x + 3)/6",
      .formula = "f(x) = 0 if x <= -3, x if x >= 3, else x (x + 3)/6",
      .derivative = "f'(x) = 0 if x < -3, 1 if x > 3, else x/3 + 1/2",
      .kinks = "f'(-3) = -1/2, f'(3) = 3/2 (PyTorch)",
      .reference = "Howard et al. 2019, Searching for MobileNetV3",
      .aliases = kHardswishAliases,
  };
  template <class T>
  static T f(T x, const Params<T>&) {
    return x <= -3 ? T(0) : x >= 3 ? x : x * (x + T(3)) / T(6);
  }
  template <class T>
  static T df(T x, const Params<T>&) {
    return x < -3 ? T(0) : x > 3 ? T(1) : x / T(3) + T(0.5);
  }
  static Kinks kinks(const Params<double>&) { return {-3.0, 3.0}; }
};

struct Mish {
  static constexpr FunctionInfo info{
      .kind = Kind::Mish,
      .name = "mish",
      .family = "gate",
      .summary = "x tanh(softplus(x)): smooth, non-monotonic, unbounded above",
      .formula = "f(x) = x tanh(log(1 + e^x))",
      .derivative = "f'(x) = t + x sigmoid(x) (1 - t^2),  t = tanh(softplus(x))",
      .reference = "Misra 2019, Mish: a self regularized non-monotonic activation function",
  };
  /// With w = 1 + e^x, tanh(log w) = (w² - 1)/(w² + 1) = n/(n + 2), n = e^x (e^x + 2): rational
  /// in e^x, so no softplus or tanh is evaluated. For x > 0 the same fraction in e = e^-x,
  /// (1 + 2e)/(1 + 2e + 2e²), keeps the exponential from overflowing.
  template <class T>
  struct Parts {
    T t;      // tanh(softplus(x))
    T sech2;  // 1 - t²
    T sig;    // sigmoid(x)
  };
  template <class T>
  static Parts<T> parts(T x) {
    if (x <= 0) {
      const T e = exp(x);
      const T n = e * (e + T(2));
      const T d = n + T(2);
      return {n / d, T(4) * (n + T(1)) / (d * d), e / (T(1) + e)};
    }
    const T e = exp(-x);
    const T d = T(1) + T(2) * e * (T(1) + e);
    const T one_e = T(1) + e;
    return {(T(1) + T(2) * e) / d, T(4) * e * e * one_e * one_e / (d * d), T(1) / one_e};
  }
  template <class T>
  static T f(T x, const Params<T>&) {
    if (isinf(x)) return gated_limit(x);
    return x * parts(x).t;
  }
  template <class T>
  static T df(T x, const Params<T>&) {
    if (isinf(x)) return x > 0 ? T(1) : T(0);
    const Parts<T> q = parts(x);
    return q.t + times_decaying(x * q.sig, q.sech2);
  }
  template <class R>
  static R definition(R x, const Params<R>&) {
    return x * tanh(log1p(exp(x)));
  }
};

inline constexpr ParamSpec kSoftplusParams[] = {
    {.name = "beta", .default_value = 1.0, .range = kPositive, .doc = "sharpness; beta -> inf gives relu"},
    {.name = "threshold", .default_value = 20.0, .doc = "PyTorch's linear cut-off for beta x; accepted for compatibility"},
};

struct Softplus {
  static constexpr std::size_t kBeta = param_index(kSoftplusParams, "beta");
  static constexpr std::size_t kThreshold = param_index(kSoftplusParams, "threshold");
  static constexpr FunctionInfo info{
      .kind = Kind::Softplus,
      .name = "softplus",
      .family = "gate",
      .summary = "Smooth ReLU log(1 + e^(beta x))/beta",
      .formula = "f(x) = log(1 + e^(beta x))/beta = (max(beta x, 0) + log1p(e^-|beta x|))/beta",
      .derivative = "f'(x) = sigmoid(beta x) = 1 - e^(-beta f(x))",
      .reference = "Dugas et al. 2001, Incorporating second-order functional knowledge",
      .params = kSoftplusParams,
      .backward_needs = Needs::Either,
      .notes = "the stable form is exact everywhere, so `threshold` never changes a result beyond rounding; "
               "PyTorch switches to x above it (an error of up to 1e-9 relative in f64)",
  };
  template <class T>
  static T f(T x, const Params<T>& p) {
    return softplus(p[kBeta] * x) / p[kBeta];
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    return sigmoid(p[kBeta] * x);
  }
  /// 1 - e^(-beta y) as -expm1: accurate for every y > 0.
  template <class T>
  static T df_from_y(T y, const Params<T>& p) {
    return -expm1(-p[kBeta] * y);
  }
  template <class R>
  static R definition(R x, const Params<R>& p) {
    return log1p(exp(p[kBeta] * x)) / p[kBeta];
  }
};

inline constexpr ParamSpec kSquareplusParams[] = {
    {.name = "b", .default_value = 4.0, .range = kPositive, .doc = "curvature at 0; f(0) = sqrt(b)/2"},
};

struct Squareplus {
  static constexpr std::size_t kB = param_index(kSquareplusParams, "b");
  static constexpr FunctionInfo info{
      .kind = Kind::Squareplus,
      .name = "squareplus",
      .family = "gate",
      .summary = "Algebraic softplus (x + sqrt(x^2 + b))/2: no exp or log",
      .formula = "f(x) = (x + sqrt(x^2 + b)) / 2",
      .derivative = "f'(x) = (1 + x / sqrt(x^2 + b)) / 2 = y^2 / (y^2 + b/4)",
      .reference = "Barron 2021, Squareplus: a softplus-like algebraic rectifier",
      .params = kSquareplusParams,
      .backward_needs = Needs::Either,
  };
  /// h = hypot(x, sqrt(b)) never overflows; for x < 0, x + h cancels, so use b/(h - x) instead.
  template <class T>
  static T f(T x, const Params<T>& p) {
    const T h = hypot(x, sqrt(p[kB]));
    return x >= 0 ? (x + h) / T(2) : p[kB] / (T(2) * (h - x));
  }
  template <class T>
  static T df(T x, const Params<T>& p) {
    if (isinf(x)) return x > 0 ? T(1) : T(0);
    const T h = hypot(x, sqrt(p[kB]));
    return x >= 0 ? (T(1) + x / h) / T(2) : p[kB] / (T(2) * h * (h - x));
  }
  template <class T>
  static T df_from_y(T y, const Params<T>& p) {
    const T y2 = y * y;
    return y2 / (y2 + p[kB] / T(4));
  }
  template <class R>
  static R definition(R x, const Params<R>& p) {
    return (x + sqrt(x * x + p[kB])) / R(2);
  }
};

}  // namespace actfn::fn
