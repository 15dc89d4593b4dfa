// Vector-wise activations, computed along one axis: softmax, log_softmax, softmin, the gated
// linear units (glu, geglu, swiglu, reglu) and maxout.
//
// A vector-wise struct F has
//   static constexpr FunctionInfo info;
//   static std::size_t out_axis(std::size_t n, const Params<double>&);  throws when n does not fit
//   template <class T> static void f(std::span<const T> x, std::span<T> y, const Params<T>&);
//   template <class T> static void backward(Row<T>, std::span<T> dx, const Params<T>&);
//   template <class R> static void definition(std::span<const R> x, std::span<R> y, const Params<R>&);
// Rows are contiguous and in the compute type; src/ops/along_axis.cpp gathers strided rows into them.
#pragma once

#include <algorithm>
#include <string>

#include "gate_family.hpp"
#include "rectifier_family.hpp"
#include "sigmoid_family.hpp"

namespace actfn::fn {

/// The spans backward may read for one row: input, output, upstream gradient.
template <class T>
struct Row {
  std::span<const T> x, y, dy;
};

// ---- softmax family ----------------------------------------------------------------------------

/// softmax(sign·x). Shifting by the maximum m keeps every exp argument ≤ 0. Limits: if some
/// entries are +inf they share the mass equally (the limit of the finite case); a row of only -inf
/// has no limit and gives NaN, as does any NaN entry.
template <class T>
void softmax_row(std::span<const T> x, std::span<T> y, T sign) {
  T m = -std::numeric_limits<T>::infinity();
  for (T v : x) {
    if (isnan(v)) {
      std::ranges::fill(y, v);
      return;
    }
    m = std::max(m, sign * v);
  }
  if (isinf(m)) {
    const auto top = static_cast<T>(std::ranges::count(x, sign * m));
    const T nan = std::numeric_limits<T>::quiet_NaN();
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = m < 0 ? nan : sign * x[i] == m ? T(1) / top : T(0);
    return;
  }
  T sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sum += (y[i] = exp(sign * x[i] - m));
  for (T& v : y) v /= sum;
}

/// dx = sign · y ⊙ (dy - <dy, y>): the Jacobian of softmax applied from its output.
template <class T>
void softmax_row_backward(Row<T> r, std::span<T> dx, T sign) {
  T dot = 0;
  for (std::size_t i = 0; i < r.y.size(); ++i) dot += r.dy[i] * r.y[i];
  for (std::size_t i = 0; i < r.y.size(); ++i) dx[i] = sign * r.y[i] * (r.dy[i] - dot);
}

template <class R>
void softmax_definition(std::span<const R> x, std::span<R> y, R sign) {
  R sum = R(0);
  for (std::size_t i = 0; i < x.size(); ++i) sum += (y[i] = exp(sign * x[i]));
  for (R& v : y) v /= sum;
}

struct Softmax {
  static constexpr FunctionInfo info{
      .kind = Kind::Softmax,
      .name = "softmax",
      .family = "vector-wise",
      .summary = "Normalised exponential along an axis: a probability vector",
      .formula = "f(x)_i = e^(x_i) / sum_j e^(x_j)   (computed with x - max(x))",
      .derivative = "dx_i = y_i (dy_i - sum_j dy_j y_j)",
      .reference = "Bridle 1990, Probabilistic interpretation of feedforward classification network outputs",
      .backward_needs = Needs::Y,
      .vector_wise = true,
      .notes = "+inf entries share the mass equally (libtorch gives NaN); an all -inf row gives NaN",
  };
  static std::size_t out_axis(std::size_t n, const Params<double>&) { return n; }
  template <class T>
  static void f(std::span<const T> x, std::span<T> y, const Params<T>&) {
    softmax_row(x, y, T(1));
  }
  template <class T>
  static void backward(Row<T> r, std::span<T> dx, const Params<T>&) {
    softmax_row_backward(r, dx, T(1));
  }
  template <class R>
  static void definition(std::span<const R> x, std::span<R> y, const Params<R>&) {
    softmax_definition(x, y, R(1));
  }
};

struct Softmin {
  static constexpr FunctionInfo info{
      .kind = Kind::Softmin,
      .name = "softmin",
      .family = "vector-wise",
      .summary = "softmax(-x): most mass on the smallest entry",
      .formula = "f(x)_i = e^(-x_i) / sum_j e^(-x_j)",
      .derivative = "dx_i = -y_i (dy_i - sum_j dy_j y_j)",
      .reference = "torch.nn.Softmin",
      .backward_needs = Needs::Y,
      .vector_wise = true,
  };
  static std::size_t out_axis(std::size_t n, const Params<double>&) { return n; }
  template <class T>
  static void f(std::span<const T> x, std::span<T> y, const Params<T>&) {
    softmax_row(x, y, T(-1));
  }
  template <class T>
  static void backward(Row<T> r, std::span<T> dx, const Params<T>&) {
    softmax_row_backward(r, dx, T(-1));
  }
  template <class R>
  static void definition(std::span<const R> x, std::span<R> y, const Params<R>&) {
    softmax_definition(x, y, R(-1));
  }
};

struct LogSoftmax {
  static constexpr FunctionInfo info{
      .kind = Kind::LogSoftmax,
      .name = "log_softmax",
      .family = "vector-wise",
      .summary = "log(softmax(x)) without forming softmax: log-probabilities",
      .formula = "f(x)_i = x_i - log sum_j e^(x_j)",
      .derivative = "dx_i = dy_i - e^(y_i) sum_j dy_j",
      .reference = "torch.nn.LogSoftmax",
      .backward_needs = Needs::Y,
      .vector_wise = true,
  };
  static std::size_t out_axis(std::size_t n, const Params<double>&) { return n; }
  /// log sum e^(x_j - m) = log1p(sum over all but one maximal entry): when one entry dominates,
  /// y_max = -log1p(tiny) keeps its digits instead of rounding log(1 + tiny) to 0.
  template <class T>
  static void f(std::span<const T> x, std::span<T> y, const Params<T>&) {
    T m = -std::numeric_limits<T>::infinity();
    std::size_t arg = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (isnan(x[i])) {
        std::ranges::fill(y, x[i]);
        return;
      }
      if (x[i] > m || i == 0) m = x[i], arg = i;
    }
    if (isinf(m)) {
      const auto top = static_cast<T>(std::ranges::count(x, m));
      const T nan = std::numeric_limits<T>::quiet_NaN();
      for (std::size_t i = 0; i < x.size(); ++i)
        y[i] = m < 0 ? nan : x[i] == m ? -log(top) : -std::numeric_limits<T>::infinity();
      return;
    }
    T rest = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (i != arg) rest += exp(x[i] - m);
    const T lse = log1p(rest);
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = (x[i] - m) - lse;
  }
  template <class T>
  static void backward(Row<T> r, std::span<T> dx, const Params<T>&) {
    T sum = 0;
    for (T g : r.dy) sum += g;
    for (std::size_t i = 0; i < r.y.size(); ++i) dx[i] = r.dy[i] - exp(r.y[i]) * sum;
  }
  template <class R>
  static void definition(std::span<const R> x, std::span<R> y, const Params<R>&) {
    R sum = R(0);
    for (const R& v : x) sum += exp(v);
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] - log(sum);
  }
};

// ---- gated linear units ------------------------------------------------------------------------

/// The row is split in halves a | b and f = a ⊙ gate(b) (PyTorch's glu convention: the second
/// half is the gate). Gate is a parameterless element-wise formula; Self is the derived struct.
template <class Self, class G>
struct GatedUnit {
  /// The gate's element-wise struct, which the kernels evaluate in SIMD lanes.
  using Gate = G;
  static std::size_t out_axis(std::size_t n, const Params<double>&) {
    if (n % 2 != 0)
      throw Error(std::string(Self::info.name) + ": axis length " + std::to_string(n) +
                  " is odd; it must split into two halves");
    return n / 2;
  }
  template <class T>
  static void f(std::span<const T> x, std::span<T> y, const Params<T>& p) {
    const std::size_t h = x.size() / 2;
    for (std::size_t i = 0; i < h; ++i) y[i] = x[i] * f_guarded<Gate>(x[h + i], p);
  }
  template <class T>
  static void backward(Row<T> r, std::span<T> dx, const Params<T>& p) {
    const std::size_t h = r.x.size() / 2;
    for (std::size_t i = 0; i < h; ++i) {
      const T a = r.x[i], b = r.x[h + i], g = r.dy[i];
      dx[i] = g * f_guarded<Gate>(b, p);
      dx[h + i] = g * a * df_guarded<Gate>(b, p);
    }
  }
  template <class R>
  static void definition(std::span<const R> x, std::span<R> y, const Params<R>& p) {
    const std::size_t h = x.size() / 2;
    for (std::size_t i = 0; i < h; ++i) y[i] = x[i] * fn::definition<Gate>(x[h + i], p);
  }
};

struct Glu : GatedUnit<Glu, Sigmoid> {
  static constexpr FunctionInfo info{
      .kind = Kind::Glu,
      .name = "glu",
      .family = "vector-wise",
      .summary = "Gated linear unit: first half times sigmoid of the second half",
      .formula = "f(a | b) = a sigmoid(b)",
      .derivative = "da = dy sigmoid(b),  db = dy a sigmoid(b) (1 - sigmoid(b))",
      .reference = "Dauphin, Fan, Auli & Grangier 2017, Language modeling with gated convolutional networks",
      .vector_wise = true,
  };
};

struct Geglu : GatedUnit<Geglu, Gelu> {
  static constexpr FunctionInfo info{
      .kind = Kind::Geglu,
      .name = "geglu",
      .family = "vector-wise",
      .summary = "GELU-gated linear unit (Transformer feed-forward)",
      .formula = "f(a | b) = a gelu(b)",
      .derivative = "da = dy gelu(b),  db = dy a gelu'(b)",
      .reference = "Shazeer 2020, GLU variants improve Transformer",
      .vector_wise = true,
  };
};

struct Swiglu : GatedUnit<Swiglu, Silu> {
  static constexpr FunctionInfo info{
      .kind = Kind::Swiglu,
      .name = "swiglu",
      .family = "vector-wise",
      .summary = "SiLU-gated linear unit (PaLM, LLaMA feed-forward)",
      .formula = "f(a | b) = a silu(b)",
      .derivative = "da = dy silu(b),  db = dy a silu'(b)",
      .reference = "Shazeer 2020, GLU variants improve Transformer",
      .vector_wise = true,
  };
};

struct Reglu : GatedUnit<Reglu, Relu> {
  static constexpr FunctionInfo info{
      .kind = Kind::Reglu,
      .name = "reglu",
      .family = "vector-wise",
      .summary = "ReLU-gated linear unit",
      .formula = "f(a | b) = a relu(b)",
      .derivative = "da = dy relu(b),  db = dy a relu'(b)  (relu'(0) = 0)",
      .reference = "Shazeer 2020, GLU variants improve Transformer",
      .vector_wise = true,
  };
};

// ---- maxout ------------------------------------------------------------------------------------

inline constexpr ParamSpec kMaxoutParams[] = {
    {.name = "pieces", .default_value = 2, .range = kCount, .integer = true,
     .doc = "group size k: each output is the max of k consecutive inputs"},
};

struct Maxout {
  static constexpr std::size_t kPieces = param_index(kMaxoutParams, "pieces");
  static constexpr FunctionInfo info{
      .kind = Kind::Maxout,
      .name = "maxout",
      .family = "vector-wise",
      .summary = "Max over groups of k consecutive entries along the axis",
      .formula = "f(x)_j = max(x_(jk), ..., x_(jk+k-1))",
      .derivative = "dx_i = dy_j for the first maximal i of group j, else 0",
      .kinks = "ties: the first maximal entry gets the gradient (as torch.max)",
      .reference = "Goodfellow, Warde-Farley, Mirza, Courville & Bengio 2013, Maxout networks",
      .params = kMaxoutParams,
      .vector_wise = true,
      .accuracy = kPiecewiseLinearBound,
  };
  static std::size_t out_axis(std::size_t n, const Params<double>& p) {
    const auto k = static_cast<std::size_t>(p[kPieces]);
    if (n % k != 0)
      throw Error("maxout: axis length " + std::to_string(n) + " is not divisible by pieces=" +
                  std::to_string(k));
    return n / k;
  }
  /// Index of the first maximal entry of group j (a NaN counts as maximal, so it propagates).
  template <class T>
  static std::size_t argmax(std::span<const T> x, std::size_t j, std::size_t k) {
    std::size_t best = j * k;
    for (std::size_t i = j * k + 1; i < (j + 1) * k && !isnan(x[best]); ++i)
      if (isnan(x[i]) || x[i] > x[best]) best = i;
    return best;
  }
  template <class T>
  static void f(std::span<const T> x, std::span<T> y, const Params<T>& p) {
    const auto k = static_cast<std::size_t>(p[kPieces]);
    for (std::size_t j = 0; j < y.size(); ++j) y[j] = x[argmax(x, j, k)];
  }
  template <class T>
  static void backward(Row<T> r, std::span<T> dx, const Params<T>& p) {
    const auto k = static_cast<std::size_t>(p[kPieces]);
    std::ranges::fill(dx, T(0));
    for (std::size_t j = 0; j < r.dy.size(); ++j) dx[argmax(r.x, j, k)] = r.dy[j];
  }
  template <class R>
  static void definition(std::span<const R> x, std::span<R> y, const Params<R>& p) {
    f(x, y, p);
  }
};

}  // namespace actfn::fn
