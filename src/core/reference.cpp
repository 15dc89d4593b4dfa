// actfn::reference — the scalar reference: forward, backward and parameter gradients over spans.
// Shapes, aliasing and parameter rounding live here; the formulas see one element and plain
// parameters.
#include "actfn/reference.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "actfn/error.hpp"
#include "checks.hpp"
#include "functions/all.hpp"

namespace actfn::reference {
namespace {

/// Compute type of the reference: f32 data in f64, f64 data in the 64-bit-mantissa long double.
/// Formulas that round only once (piecewise-linear ones) compute in the data type itself.
template <class T>
using Wide = std::conditional_t<std::is_same_v<T, float>, double, long double>;
template <class F, class T>
using Compute = std::conditional_t<fn::Exact<F>, T, Wide<T>>;

static_assert(std::numeric_limits<long double>::digits >= 64,
              "actfn's f64 reference needs a long double wider than double");

/// The parameters as T data uses them (fn::in_type: rounded to T, then derived values), widened
/// to the compute type.
template <class F, class T, class C>
fn::Params<C> params_for(const std::array<double, kMaxParams>& values) {
  const fn::Params<T> in_t = fn::in_type<F, T>(values);
  fn::Params<C> p{};
  for (std::size_t i = 0; i < kMaxParams; ++i) p[i] = static_cast<C>(in_t[i]);
  return p;
}

/// The oracle's double outputs share no element with its float inputs: any overlap is an error.
template <class A>
void check_disjoint(const Activation& act, std::string_view what, std::span<A> in, std::span<double> out) {
  const auto* a0 = reinterpret_cast<const char*>(in.data());
  const auto* b0 = reinterpret_cast<const char*>(out.data());
  if (!in.empty() && !out.empty() && a0 < b0 + out.size_bytes() && b0 < a0 + in.size_bytes())
    throw Error(std::string(act.name()) + " " + std::string(what) + ": the double output overlaps an input");
}

// ---- element-wise ------------------------------------------------------------------------------

/// One block of forward with fixed parameters, computed in C and stored as Out: the data type T
/// (the reference) or C itself (the oracle, forward_wide).
template <class F, class T, class C, class Out>
void forward_block(const fn::Params<C>& p, const T* x, Out* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<Out>(fn::f_guarded<F>(static_cast<C>(x[i]), p));
}

/// One block of backward with fixed parameters, stored as Out (see forward_block). dacc (compute
/// type, kMaxParams slots indexed by parameter) receives sum dy·df/dp when non-null.
template <class F, class T, class C, class Out>
void backward_block(const fn::Params<C>& p, BackwardArgs<T> a, Out* dx, std::size_t n, fn::Params<C>* dacc) {
  if (!a.x.empty()) {
    for (std::size_t i = 0; i < n; ++i) {
      const C x = static_cast<C>(a.x[i]);
      const C dy = static_cast<C>(a.dy[i]);
      if constexpr (fn::HasParamGrad<F>) {
        if (dacc) {
          fn::Params<C> g{};
          if (std::isnan(x)) g.fill(x); else F::template dparams<C>(x, p, g);
          for (std::size_t k = 0; k < kMaxParams; ++k) (*dacc)[k] += dy * g[k];
        }
      }
      dx[i] = static_cast<Out>(dy * fn::df_guarded<F>(x, p));
    }
  } else if constexpr (fn::HasFromY<F>) {
    for (std::size_t i = 0; i < n; ++i) {
      const C y = static_cast<C>(a.y[i]);
      dx[i] = static_cast<Out>(static_cast<C>(a.dy[i]) * (std::isnan(y) ? y : F::template df_from_y<C>(y, p)));
    }
  }
}


/// The element-wise driver for both the flat and the per-channel API: `channel_params(c)` gives
/// the parameter values (double) for channel c.
template <class T, class Values>
void forward_channels(const Activation& act, Channels L, Values channel_params, std::span<const T> x,
                      std::span<T> y) {
  fn::visit(act.kind(), [&]<class F>() {
    if constexpr (fn::ElementWise<F>) {
      using C = Compute<F, T>;
      for (std::size_t o = 0; o < L.outer; ++o)
        for (std::size_t c = 0; c < L.channels; ++c) {
          const std::size_t at = (o * L.channels + c) * L.inner;
          forward_block<F>(params_for<F, T, C>(channel_params(c)), x.data() + at, y.data() + at, L.inner);
        }
    }
  });
}

template <class T, class Values, class Sink>
void backward_channels(const Activation& act, Channels L, Values channel_params, BackwardArgs<T> a,
                       std::span<T> dx, bool want_dparams, Sink dparam_sink) {
  fn::visit(act.kind(), [&]<class F>() {
    if constexpr (fn::ElementWise<F>) {
      using C = Compute<F, T>;
      for (std::size_t c = 0; c < L.channels; ++c) {
        const fn::Params<C> p = params_for<F, T, C>(channel_params(c));
        fn::Params<C> acc{};
        for (std::size_t o = 0; o < L.outer; ++o) {
          const std::size_t at = (o * L.channels + c) * L.inner;
          const auto sub = [&](std::span<const T> s) { return s.empty() ? s : s.subspan(at, L.inner); };
          backward_block<F>(p, BackwardArgs<T>{sub(a.x), sub(a.y), sub(a.dy)}, dx.data() + at, L.inner,
                            want_dparams ? &acc : nullptr);
        }
        if (want_dparams) dparam_sink(c, acc);
      }
    }
  });
}

/// Indices of the learnable parameters of act, in order.
std::vector<std::size_t> learnable_indices(const Activation& act) {
  std::vector<std::size_t> idx;
  const auto params = act.info().params;
  for (std::size_t i = 0; i < params.size(); ++i)
    if (params[i].learnable) idx.push_back(i);
  return idx;
}

// ---- RReLU noise -------------------------------------------------------------------------------

/// SplitMix64's finaliser: a bijective 64-bit mix with full avalanche.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void require_rrelu(const Activation& act, Precision precision) {
  if (act.kind() != Kind::Rrelu)
    throw Error(std::string(act.name()) + ": training-mode noise exists only for rrelu");
  act.validate(precision);
}

}  // namespace

// ---- element-wise API --------------------------------------------------------------------------

template <class T>
void forward(const Activation& act, std::span<const T> x, std::span<T> y) {
  checks::shape(act, false, precision_of<T>);
  checks::pair(act, "forward", x, y, "x", "y");
  forward_channels<T>(act, Channels{1, 1, x.size()}, [&](std::size_t) { return act.params(); }, x, y);
}

template <class T>
void backward(const Activation& act, BackwardArgs<T> args, std::span<T> dx, std::span<T> dparams) {
  checks::shape(act, false, precision_of<T>);
  const auto learnable = learnable_indices(act);
  if (!dparams.empty() && dparams.size() != learnable.size())
    throw Error(std::string(act.name()) + " backward: dparams has " + std::to_string(dparams.size()) +
                " slots; it has " + std::to_string(learnable.size()) + " learnable parameters");
  checks::backward_args(act, args, dx, !dparams.empty());
  checks::gradients_apart(act, args, dx, std::span<const T>(), dparams, "dparams");
  const std::size_t n = args.dy.size();
  backward_channels<T>(act, Channels{1, 1, n}, [&](std::size_t) { return act.params(); }, args, dx,
                       !dparams.empty(), [&](std::size_t, const auto& acc) {
                         for (std::size_t j = 0; j < learnable.size(); ++j)
                           dparams[j] = static_cast<T>(dparams[j] + acc[learnable[j]]);
                       });
}

// ---- the f64 oracle ------------------------------------------------------------------------------
// The f32 code path above with double (Wide<float>) as compute type for every formula and the final
// static_cast<float> left out.

void forward_wide(const Activation& act, std::span<const float> x, std::span<double> y) {
  checks::shape(act, false, Precision::F32);
  checks::pair(act, "forward_wide", x, y, "x", "y");
  check_disjoint(act, "forward_wide", x, y);
  fn::visit(act.kind(), [&]<class F>() {
    if constexpr (fn::ElementWise<F>)
      forward_block<F>(params_for<F, float, double>(act.params()), x.data(), y.data(), x.size());
  });
}

void backward_wide(const Activation& act, BackwardArgs<float> args, std::span<double> dx) {
  checks::shape(act, false, Precision::F32);
  checks::backward_args(act, args, dx, false);
  for (const std::span<const float> in : {args.x, args.y, args.dy}) check_disjoint(act, "backward_wide", in, dx);
  fn::visit(act.kind(), [&]<class F>() {
    if constexpr (fn::ElementWise<F>)
      backward_block<F>(params_for<F, float, double>(act.params()), args, dx.data(), dx.size(),
                        static_cast<fn::Params<double>*>(nullptr));
  });
}

namespace {

/// Per-channel parameter values: act's values with the learnable ones replaced from `learned`.
template <class T>
auto channel_values(const Activation& act, Channels L, std::span<const T> learned) {
  const auto learnable = learnable_indices(act);
  if (learnable.empty())
    throw Error(std::string(act.name()) + " has no learnable parameters to give per channel");
  if (learned.size() != L.channels * learnable.size())
    throw Error(std::string(act.name()) + ": learned has " + std::to_string(learned.size()) +
                " values; expected channels × learnable = " + std::to_string(L.channels) + " × " +
                std::to_string(learnable.size()));
  return [&act, learned, learnable](std::size_t c) {
    auto v = act.params();
    for (std::size_t j = 0; j < learnable.size(); ++j)
      v[learnable[j]] = static_cast<double>(learned[c * learnable.size() + j]);
    return v;
  };
}

template <class T>
void check_layout(const Activation& act, Channels L, std::size_t n) {
  if (!checks::holds(L.outer, L.channels, L.inner, n))
    throw Error(std::string(act.name()) + ": layout " + std::to_string(L.outer) + "×" +
                std::to_string(L.channels) + "×" + std::to_string(L.inner) + " does not match " +
                std::to_string(n) + " elements");
}

}  // namespace

template <class T>
void forward(const Activation& act, Channels L, std::span<const T> learned, std::span<const T> x,
             std::span<T> y) {
  checks::shape(act, false, precision_of<T>);
  checks::pair(act, "forward", x, y, "x", "y");
  checks::apart(act, "forward", learned, y, "learned", "y");
  check_layout<T>(act, L, x.size());
  forward_channels<T>(act, L, channel_values(act, L, learned), x, y);
}

template <class T>
void backward(const Activation& act, Channels L, std::span<const T> learned, BackwardArgs<T> args,
              std::span<T> dx, std::span<T> dlearned) {
  checks::shape(act, false, precision_of<T>);
  const std::size_t nl = learnable_count(act.kind());
  if (!dlearned.empty() && dlearned.size() != L.channels * nl)
    throw Error(std::string(act.name()) + " backward: dlearned has " + std::to_string(dlearned.size()) +
                " values; expected " + std::to_string(L.channels * nl));
  checks::backward_args(act, args, dx, !dlearned.empty());
  checks::apart(act, "backward", learned, dx, "learned", "dx");
  checks::gradients_apart(act, args, dx, learned, dlearned, "dlearned");
  check_layout<T>(act, L, args.dy.size());
  const auto learnable = learnable_indices(act);
  backward_channels<T>(act, L, channel_values(act, L, learned), args, dx, !dlearned.empty(),
                       [&](std::size_t c, const auto& acc) {
                         for (std::size_t j = 0; j < nl; ++j)
                           dlearned[c * nl + j] = static_cast<T>(dlearned[c * nl + j] + acc[learnable[j]]);
                       });
}

double rrelu_slope(const Activation& act, std::uint64_t seed, std::uint64_t index) {
  require_rrelu(act, Precision::F64);
  const double lower = act.param("lower"), upper = act.param("upper");
  const double u = static_cast<double>(mix64(mix64(seed) + index) >> 11) * 0x1p-53;  // [0, 1)
  return lower + (upper - lower) * u;
}

template <class T>
void rrelu_train_forward(const Activation& act, std::uint64_t seed, std::uint64_t offset,
                         std::span<const T> x, std::span<T> y) {
  require_rrelu(act, precision_of<T>);
  checks::pair(act, "train forward", x, y, "x", "y");
  for (std::size_t i = 0; i < x.size(); ++i) {
    const T v = x[i];
    y[i] = v >= 0 || std::isnan(v) ? v : v * static_cast<T>(rrelu_slope(act, seed, offset + i));
  }
}

template <class T>
void rrelu_train_backward(const Activation& act, std::uint64_t seed, std::uint64_t offset,
                          std::span<const T> x, std::span<const T> dy, std::span<T> dx) {
  require_rrelu(act, precision_of<T>);
  checks::pair(act, "train backward", x, dy, "x", "dy");
  checks::pair(act, "train backward", dy, dx, "dy", "dx");
  checks::pair(act, "train backward", x, dx, "x", "dx");
  for (std::size_t i = 0; i < x.size(); ++i) {
    const T v = x[i];
    const T slope = v > 0 ? T(1) : std::isnan(v) ? v : static_cast<T>(rrelu_slope(act, seed, offset + i));
    dx[i] = dy[i] * slope;
  }
}

// ---- vector-wise API ---------------------------------------------------------------------------

std::size_t output_axis(const Activation& act, std::size_t axis_len) {
  checks::shape(act, true, Precision::F64);
  return fn::visit(act.kind(), [&]<class F>() -> std::size_t {
    if constexpr (fn::VectorWise<F>) {
      return F::out_axis(axis_len, act.params());
    } else {
      return 0;
    }
  });
}

namespace {

void check_axis(const Activation& act, Axis L, std::size_t n, std::string_view what) {
  if (checks::holds(L.outer, L.axis, L.inner, n)) return;
  const std::optional<std::size_t> need = checks::product(L.outer, L.axis, L.inner);
  throw Error(std::string(act.name()) + ": " + std::string(what) + " has " + std::to_string(n) + " elements, layout " +
              std::to_string(L.outer) + "×" + std::to_string(L.axis) + "×" + std::to_string(L.inner) +
              (need ? " needs " + std::to_string(*need) : std::string(" overflows size_t")));
}

/// Copies row (o, ·, i) of a [outer, len, inner] array into `row`, converting to the compute type.
template <class C, class T>
void gather(std::span<const T> src, std::size_t len, std::size_t inner, std::size_t o, std::size_t i,
            std::vector<C>& row) {
  row.resize(len);
  for (std::size_t k = 0; k < len; ++k) row[k] = static_cast<C>(src[(o * len + k) * inner + i]);
}
template <class C, class T>
void scatter(const std::vector<C>& row, std::size_t inner, std::size_t o, std::size_t i, std::span<T> dst) {
  const std::size_t len = row.size();
  for (std::size_t k = 0; k < len; ++k) dst[(o * len + k) * inner + i] = static_cast<T>(row[k]);
}

}  // namespace

template <class T>
void forward(const Activation& act, Axis L, std::span<const T> x, std::span<T> y) {
  const std::size_t out = output_axis(act, L.axis);
  act.validate(precision_of<T>);
  check_axis(act, L, x.size(), "x");
  check_axis(act, Axis{L.outer, out, L.inner}, y.size(), "y");
  // y of x's shape may be x itself (each row is gathered before it is written); a shorter y may
  // not touch x, whose later rows it would overwrite.
  if (out == L.axis)
    checks::pair(act, "forward", x, y, "x", "y");
  else
    checks::apart(act, "forward", x, y, "x", "y");
  fn::visit(act.kind(), [&]<class F>() {
    if constexpr (fn::VectorWise<F>) {
      using C = Wide<T>;
      const auto p = params_for<F, T, C>(act.params());
      std::vector<C> xr, yr(out);
      for (std::size_t o = 0; o < L.outer; ++o)
        for (std::size_t i = 0; i < L.inner; ++i) {
          gather(x, L.axis, L.inner, o, i, xr);
          F::template f<C>(xr, yr, p);
          scatter(yr, L.inner, o, i, y);
        }
    }
  });
}

template <class T>
void backward(const Activation& act, Axis L, BackwardArgs<T> a, std::span<T> dx) {
  const std::size_t out = output_axis(act, L.axis);
  // No rows: nothing to read or write (zero-length x and y cannot be told from absent ones).
  if (a.x.empty() && a.y.empty() && a.dy.empty() && dx.empty()) return check_axis(act, L, 0, "dx");
  const Needs needs = act.info().backward_needs;
  if (needs == Needs::Y && a.y.empty()) throw Error(std::string(act.name()) + " backward: needs y");
  if (needs == Needs::X && a.x.empty()) throw Error(std::string(act.name()) + " backward: needs x");
  if (!a.x.empty()) check_axis(act, L, a.x.size(), "x");
  if (!a.y.empty()) check_axis(act, Axis{L.outer, out, L.inner}, a.y.size(), "y");
  check_axis(act, Axis{L.outer, out, L.inner}, a.dy.size(), "dy");
  check_axis(act, L, dx.size(), "dx");
  act.validate(precision_of<T>);
  // dx may be x; y and dy only where they have x's shape (the softmax family), else no byte of
  // them: a glu's dx for one row would overwrite the dy of later rows.
  checks::same_or_apart(act, "backward", a.x, dx, "x", "dx");
  for (const auto& [in, name] : {std::pair{a.y, "y"}, std::pair{a.dy, "dy"}}) {
    if (out == L.axis)
      checks::same_or_apart(act, "backward", in, dx, name, "dx");
    else
      checks::apart(act, "backward", in, dx, name, "dx");
  }
  fn::visit(act.kind(), [&]<class F>() {
    if constexpr (fn::VectorWise<F>) {
      using C = Wide<T>;
      const auto p = params_for<F, T, C>(act.params());
      std::vector<C> xr, yr, dyr, dxr(L.axis);
      for (std::size_t o = 0; o < L.outer; ++o)
        for (std::size_t i = 0; i < L.inner; ++i) {
          if (!a.x.empty()) gather(a.x, L.axis, L.inner, o, i, xr);
          if (!a.y.empty()) gather(a.y, out, L.inner, o, i, yr);
          gather(a.dy, out, L.inner, o, i, dyr);
          F::template backward<C>(fn::Row<C>{xr, yr, dyr}, dxr, p);
          scatter(dxr, L.inner, o, i, dx);
        }
    }
  });
}

#define ACTFN_INSTANTIATE(T)                                                                          \
  template void forward<T>(const Activation&, std::span<const T>, std::span<T>);                      \
  template void backward<T>(const Activation&, BackwardArgs<T>, std::span<T>, std::span<T>);          \
  template void forward<T>(const Activation&, Channels, std::span<const T>, std::span<const T>,       \
                           std::span<T>);                                                             \
  template void backward<T>(const Activation&, Channels, std::span<const T>, BackwardArgs<T>,         \
                            std::span<T>, std::span<T>);                                              \
  template void rrelu_train_forward<T>(const Activation&, std::uint64_t, std::uint64_t,               \
                                       std::span<const T>, std::span<T>);                             \
  template void rrelu_train_backward<T>(const Activation&, std::uint64_t, std::uint64_t,              \
                                        std::span<const T>, std::span<const T>, std::span<T>);        \
  template void forward<T>(const Activation&, Axis, std::span<const T>, std::span<T>);                \
  template void backward<T>(const Activation&, Axis, BackwardArgs<T>, std::span<T>);
ACTFN_INSTANTIATE(float)
ACTFN_INSTANTIATE(double)
#undef ACTFN_INSTANTIATE

}  // namespace actfn::reference
