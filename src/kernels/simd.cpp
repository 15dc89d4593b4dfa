// The SIMD drivers, compiled once per instruction set by Highway (foreach_target.h re-includes
// this file for each target) and dispatched at run time. Each entry point switches on the kind
// once and runs the kernel the kernel table (table.hpp) declares for that operation and data type;
// the table is checked here against the kernel structs, both ways, at compile time.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <type_traits>

#include "functions/all.hpp"
#include "table.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

#include "loops-inl.h"
#include "piecewise_linear-inl.h"
// The lane math, then one file per activation family (src/core/functions' families). A family
// file holds, for each activation, its f32 kernel (F32Lanes<F>: f32 lanes; F32InF64Lanes<F>: f64
// lanes, rounded once), its f64 kernel (F64Lanes<F>) and its parameter gradients, in that order;
// the kernel table (table.hpp) says which of them computes what. Each is compiled once per target
// inside that target's namespace, after the lane math it uses.
#include "math_f32-inl.h"
#include "math_f32_in_f64-inl.h"
#include "math_f64-inl.h"
#include "sigmoid_family-inl.h"
#include "tanh_family-inl.h"
#include "exponential_family-inl.h"
#include "gate_family-inl.h"
#include "rectifier_family-inl.h"

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace {

/// What the kernel struct K's f and df take as parameters: K::prepare(p) where K derives per-call
/// constants from them (a logarithm, a product as a pair), computed once per call, never per
/// vector; the parameters themselves otherwise.
template <class K, class P>
auto prepared(const P& p) {
  if constexpr (requires { K::prepare(p); })
    return K::prepare(p);
  else
    return p;
}

/// Whether the kernel struct K (PiecewiseLinear<F>, F32Lanes<F>, F32InF64Lanes<F> or F64Lanes<F>) is
/// specialised for F, and whether it computes f' from y in lanes of T.
template <class K>
concept Kernel = requires { sizeof(K); };
template <class K, class T>
concept KernelFromY = Kernel<K> && requires(hn::ScalableTag<T> d, hn::Vec<hn::ScalableTag<T>> v, const fn::Params<T>& p) {
  K::df_from_y(d, v, prepared<K>(p));
};
/// Whether K computes f, or f' from x, in lanes of T: a F32Lanes<F> may give only one of them, the
/// other then coming from F32InF64Lanes<F>.
template <class K, class T>
concept KernelF = Kernel<K> && requires(hn::ScalableTag<T> d, hn::Vec<hn::ScalableTag<T>> v, const fn::Params<T>& p) {
  K::f(d, v, prepared<K>(p));
};
template <class K, class T>
concept KernelDf = Kernel<K> && requires(hn::ScalableTag<T> d, hn::Vec<hn::ScalableTag<T>> v, const fn::Params<T>& p) {
  K::df(d, v, prepared<K>(p));
};

/// The reference's parameters for f32 data: rounded to float, then widened to double.
inline Pd params_f32_in_f64(const double* values) {
  Pd p{};
  for (std::size_t i = 0; i < kMaxParams; ++i) p[i] = static_cast<double>(static_cast<float>(values[i]));
  return p;
}

/// The parameters of a parameterless function (the gates of the gated units).
constexpr double kNoParams[kMaxParams] = {};

template <class T>
fn::Params<T> params_as(const double* values) {
  fn::Params<T> p{};
  for (std::size_t i = 0; i < kMaxParams; ++i) p[i] = static_cast<T>(values[i]);
  return p;
}

/// The parameters of the piecewise-linear kernels, exactly the reference's (fn::in_type: rounded
/// to T, then the values F derives from them in T).
template <class F, class T>
fn::Params<T> params_in_type(const double* values) {
  std::array<double, kMaxParams> v{};
  std::copy_n(values, kMaxParams, v.begin());
  return fn::in_type<F, T>(v);
}

/// As for_each_vector for f32 data computed in f64 lanes: each group of Lanes(f64) floats is
/// promoted, computed and demoted (rounded) once.
template <class Op>
void for_each_vector_f32_via_f64(const float* a, const float* b, float* out, std::size_t n, Op op) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<float, decltype(dd)> df;
  for_each_block(a, b, out, n, hn::Lanes(dd), [&](const float* pa, const float* pb, float* po) {
    const auto va = hn::PromoteTo(dd, hn::LoadU(df, pa));
    const auto vb = pb ? hn::PromoteTo(dd, hn::LoadU(df, pb)) : va;
    store_rounded_f32(dd, op(dd, va, vb), po);
  });
}

/// Whether K computes f and f' together, K::fdf(d, v, p, s), sharing their common work.
template <class K, class D, class P>
concept KernelFdf = Kernel<K> && requires(D d, hn::Vec<D> v, const P& p) { K::fdf(d, v, p, v); };

// ---- the kernel table (table.hpp), checked against the kernel structs both ways ----------------

/// The declared operations of F for T data.
template <class F, class T>
constexpr Ops declared() {
  return row(F::info.kind).ops(std::is_same_v<T, double>);
}

/// The kernel struct an element-wise path names for F (void for the other paths). Naming a
/// struct does not instantiate it: F need not have one.
template <Path kPath, class F>
using KernelOf = std::conditional_t<
    kPath == Path::PiecewiseLinear, PiecewiseLinear<F>,
    std::conditional_t<kPath == Path::F32Lanes, F32Lanes<F>,
                       std::conditional_t<kPath == Path::F32InF64Lanes, F32InF64Lanes<F>,
                                          std::conditional_t<kPath == Path::F64Lanes, F64Lanes<F>, void>>>>;

/// The lanes' type of a path for T data: f64 for f32 data in f64 lanes, else T.
template <Path kPath, class T>
using LaneType = std::conditional_t<kPath == Path::F32InF64Lanes, double, T>;

/// The kernel struct members the table names: f, f' from x, f' from y, f with f'.
enum class Member { F, Df, DfFromY, Fdf };

constexpr Path path_of(const Ops& ops, Member m) {
  switch (m) {
    case Member::F:
      return ops.f;
    case Member::Df:
      return ops.df;
    case Member::DfFromY:
      return ops.df_from_y;
    case Member::Fdf:
      return ops.fdf;
  }
  return Path::None;
}

/// Whether the struct of kPath for F has `member` in the lanes it uses for T data.
template <class F, class T, Path kPath, Member kMember>
constexpr bool has_member() {
  using K = KernelOf<kPath, F>;
  using L = LaneType<kPath, T>;
  if constexpr (std::is_void_v<K> || !Kernel<K>)
    return false;
  else if constexpr (kMember == Member::F)
    return KernelF<K, L>;
  else if constexpr (kMember == Member::Df)
    return KernelDf<K, L>;
  else if constexpr (kMember == Member::DfFromY)
    return KernelFromY<K, L>;
  else
    return KernelFdf<K, hn::ScalableTag<L>, fn::Params<L>>;
}

/// What the element-wise dispatch below can run for T data.
template <class T>
constexpr bool runs_for(Path path) {
  if (path == Path::PiecewiseLinear) return true;
  return std::is_same_v<T, double> ? path == Path::F64Lanes : path == Path::F32Lanes || path == Path::F32InF64Lanes;
}

/// Declared → compiled: each declared element-wise operation of F for T is a member of the struct
/// its path names, in lanes the dispatch below runs for T.
template <class F, class T, Member kMember>
constexpr bool declared_exists() {
  constexpr Path path = path_of(declared<F, T>(), kMember);
  if constexpr (path == Path::None || F::info.vector_wise)
    return true;
  else
    return runs_for<T>(path) && has_member<F, T, path, kMember>();
}

/// Whether G is the gate of a gated unit (geglu's gelu): the gated kernels below run its
/// F32InF64Lanes f and f' inside their products, whatever its own row declares.
template <class U, class G>
constexpr bool gate_of() {
  if constexpr (requires { typename U::Gate; })
    return std::is_same_v<typename U::Gate, G>;
  else
    return false;
}
template <class G>
constexpr bool gates_a_unit() {
#define ACTFN_GATE_OF(name) gate_of<fn::name, G>() ||
  return ACTFN_KINDS(ACTFN_GATE_OF) false;
#undef ACTFN_GATE_OF
}

/// Compiled → declared: each member of F's kernel structs is the declared path of its operation
/// for some data type, or a gate's f and f' in f64 lanes, so no kernel is compiled but never run.
template <class F, Path kPath, Member kMember>
constexpr bool exists_declared() {
  const auto uses = [](const Ops& ops) { return path_of(ops, kMember) == kPath; };
  if constexpr (kPath == Path::PiecewiseLinear)
    return !has_member<F, float, kPath, kMember>() || (uses(declared<F, float>()) && uses(declared<F, double>()));
  else if constexpr (kPath == Path::F64Lanes)
    return !has_member<F, double, kPath, kMember>() || uses(declared<F, double>());
  else if constexpr (kPath == Path::F32InF64Lanes && (kMember == Member::F || kMember == Member::Df))
    return !has_member<F, float, kPath, kMember>() || uses(declared<F, float>()) || gates_a_unit<F>();
  else
    return !has_member<F, float, kPath, kMember>() || uses(declared<F, float>());
}

template <class F, Member kMember>
constexpr bool matches() {
  return declared_exists<F, float, kMember>() && declared_exists<F, double, kMember>() &&
         exists_declared<F, Path::PiecewiseLinear, kMember>() && exists_declared<F, Path::F32Lanes, kMember>() &&
         exists_declared<F, Path::F32InF64Lanes, kMember>() && exists_declared<F, Path::F64Lanes, kMember>();
}

/// The parameter-gradient structs: F32InF64ParamGradient for f32 data, F64ParamGradient for f64.
template <class F>
constexpr bool param_gradients_match() {
  return (declared<F, float>().dparams == Path::F32InF64Lanes) == Kernel<F32InF64ParamGradient<F>> &&
         (declared<F, float>().dparams == Path::None || declared<F, float>().dparams == Path::F32InF64Lanes) &&
         (declared<F, double>().dparams == Path::F64Lanes) == Kernel<F64ParamGradient<F>> &&
         (declared<F, double>().dparams == Path::None || declared<F, double>().dparams == Path::F64Lanes);
}

template <class F>
constexpr bool table_matches_structs() {
  static_assert(matches<F, Member::F>(), "kernel table: f of this activation disagrees with its kernel structs");
  static_assert(matches<F, Member::Df>(), "kernel table: f' from x disagrees with the kernel structs");
  static_assert(matches<F, Member::DfFromY>(), "kernel table: f' from y disagrees with the kernel structs");
  static_assert(matches<F, Member::Fdf>(), "kernel table: fdf disagrees with the kernel structs");
  static_assert(param_gradients_match<F>(), "kernel table: dparams disagrees with the parameter-gradient structs");
  return true;
}

#define ACTFN_CHECK_ROW(name) static_assert(table_matches_structs<fn::name>());
ACTFN_KINDS(ACTFN_CHECK_ROW)
#undef ACTFN_CHECK_ROW

// ---- element-wise drivers -------------------------------------------------------------------------

/// The parameters kernel struct K of `path` takes for T data: the piecewise-linear kernels exactly
/// the reference's (fn::in_type: rounded to T, then what F derives from them in T); f32 lanes
/// rounded to float; f64 lanes for f32 data rounded to float, then widened (as the reference);
/// f64 lanes for f64 data as given; each then K::prepare'd where K has one.
template <Path kPath, class F, class T>
auto parameters(const double* values) {
  using K = KernelOf<kPath, F>;
  if constexpr (kPath == Path::PiecewiseLinear)
    return params_in_type<F, T>(values);
  else if constexpr (kPath == Path::F32Lanes)
    return prepared<K>(params_as<float>(values));
  else if constexpr (kPath == Path::F32InF64Lanes)
    return prepared<K>(params_f32_in_f64(values));
  else
    return prepared<K>(params_as<double>(values));
}

/// The vector loop of `path` over T data: T's own lanes, or f64 lanes for f32 data (rounded once).
template <Path kPath, class T, class Op>
void loop(const T* a, const T* b, T* out, std::size_t n, Op op) {
  if constexpr (kPath == Path::F32InF64Lanes)
    for_each_vector_f32_via_f64(a, b, out, n, op);
  else
    for_each_vector(a, b, out, n, op);
}

/// y = f(x), NaN in giving NaN out (as the reference's f_guarded).
template <class T>
bool forward(Kind kind, const double* values, const T* x, T* y, std::size_t n) {
  return fn::visit(kind, [&]<class F>() {
    constexpr Path path = declared<F, T>().f;
    if constexpr (!F::info.vector_wise && path != Path::None) {
      using K = KernelOf<path, F>;
      const auto p = parameters<path, F, T>(values);
      loop<path>(x, static_cast<const T*>(nullptr), y, n,
                 [&](auto d, auto v, auto) { return hn::IfThenElse(hn::IsNaN(v), v, K::f(d, v, p)); });
      return true;
    } else {
      return false;
    }
  });
}

/// y = f(x) and s = f'(x) in one pass over x (the declared fdf: f and f' on the same parts, so
/// each output is what forward and backward with dy = 1 give).
template <class T>
bool forward_with_slope(Kind kind, const double* values, const T* x, T* y, T* s, std::size_t n) {
  return fn::visit(kind, [&]<class F>() {
    constexpr Path path = declared<F, T>().fdf;
    if constexpr (path == Path::F32InF64Lanes) {
      using K = KernelOf<path, F>;
      const auto p = parameters<path, F, T>(values);
      const hn::ScalableTag<double> dd;
      const hn::Rebind<float, decltype(dd)> df;
      for_each_block_two_outputs(x, y, s, n, hn::Lanes(dd), [&](const float* px, float* py, float* ps) {
        const auto v = hn::PromoteTo(dd, hn::LoadU(df, px));
        const auto nan = hn::IsNaN(v);
        hn::Vec<decltype(dd)> vs;
        const auto vy = K::fdf(dd, v, p, vs);
        store_rounded_f32(dd, hn::IfThenElse(nan, v, vy), py);
        store_rounded_f32(dd, hn::IfThenElse(nan, v, vs), ps);
      });
      return true;
    } else if constexpr (path == Path::F32Lanes) {
      using K = KernelOf<path, F>;
      const auto p = parameters<path, F, T>(values);
      const hn::ScalableTag<float> d;
      for_each_block_two_outputs(x, y, s, n, hn::Lanes(d), [&](const float* px, float* py, float* ps) {
        const auto v = hn::LoadU(d, px);
        const auto nan = hn::IsNaN(v);
        hn::Vec<decltype(d)> vs;
        const auto vy = K::fdf(d, v, p, vs);
        hn::StoreU(hn::IfThenElse(nan, v, vy), d, py);
        hn::StoreU(hn::IfThenElse(nan, v, vs), d, ps);
      });
      return true;
    } else {
      static_assert(path == Path::None, "fdf kernels exist for f32 data only");
      return false;
    }
  });
}

/// dx = dy·f'(in), from x (from_y false) or from y; the slope of a NaN input is NaN, so NaN
/// propagates as in the reference.
template <Path kPath, class F, class T, bool kFromY>
bool scale_by_slope(const double* values, const T* in, const T* dy, T* dx, std::size_t n) {
  if constexpr (kPath == Path::None || F::info.vector_wise) {
    return false;
  } else {
    using K = KernelOf<kPath, F>;
    const auto p = parameters<kPath, F, T>(values);
    loop<kPath>(in, dy, dx, n, [&](auto d, auto v, auto g) {
      if constexpr (kFromY)
        return hn::Mul(g, hn::IfThenElse(hn::IsNaN(v), v, K::df_from_y(d, v, p)));
      else
        return hn::Mul(g, hn::IfThenElse(hn::IsNaN(v), v, K::df(d, v, p)));
    });
    return true;
  }
}

template <class T>
bool backward(Kind kind, bool from_y, const double* values, const T* in, const T* dy, T* dx, std::size_t n) {
  return fn::visit(kind, [&]<class F>() {
    if (from_y) return scale_by_slope<declared<F, T>().df_from_y, F, T, true>(values, in, dy, dx, n);
    return scale_by_slope<declared<F, T>().df, F, T, false>(values, in, dy, dx, n);
  });
}

/// sums[k] += Σ dy·∂f/∂p_k over the n elements, for every learnable parameter k of F, in f64
/// lanes with one vector accumulator per parameter: f32 data (F32InF64ParamGradient, terms of
/// floats summed in f64) or f64 data (F64ParamGradient, each product dy·g and each sum kept as an
/// exact pair, the low parts summed beside, so the result is within a few ULP of the exact sum
/// rather than n of them).
template <class T>
bool param_gradient(Kind kind, const double* values, const T* x, const T* dy, std::size_t n, double* sums) {
  constexpr bool kF32 = std::is_same_v<T, float>;
  return fn::visit(kind, [&]<class F>() {
    using K = std::conditional_t<kF32, F32InF64ParamGradient<F>, F64ParamGradient<F>>;
    if constexpr (declared<F, T>().dparams != Path::None) {
      const auto p = prepared<K>(kF32 ? params_f32_in_f64(values) : params_as<double>(values));
      const hn::ScalableTag<double> dd;
      const hn::Rebind<T, decltype(dd)> dt;  // as many T lanes as dd has doubles
      const std::size_t lanes = hn::Lanes(dd);
      using V = hn::Vec<decltype(dd)>;
      V acc[kMaxParams], acc_lo[kMaxParams], g[kMaxParams];
      for (std::size_t k = 0; k < kMaxParams; ++k) acc[k] = acc_lo[k] = g[k] = hn::Zero(dd);
      const auto load = [&](const T* at) {
        if constexpr (kF32)
          return hn::PromoteTo(dd, hn::LoadU(dt, at));
        else
          return hn::LoadU(dd, at);
      };
      const auto step = [&](const T* px, const T* pdy) {
        const V vx = load(px), vdy = load(pdy);
        K::grad(dd, vx, p, g);
        for (std::size_t k = 0; k < kMaxParams; ++k) {
          // A NaN input contributes NaN to every parameter, as in the reference.
          const V term = hn::IfThenElse(hn::IsNaN(vx), vx, g[k]);
          if constexpr (kF32) {
            acc[k] = hn::MulAdd(vdy, term, acc[k]);
          } else {
            V pl, sl;
            const V ph = f64::two_prod(dd, vdy, term, pl);
            acc[k] = f64::two_sum<decltype(dd)>(acc[k], ph, sl);
            // Infinite terms have no pair; their sum is the plain one.
            acc_lo[k] = hn::Add(acc_lo[k], hn::IfThenElseZero(hn::IsFinite(acc[k]), hn::Add(sl, hn::IfThenElseZero(hn::IsFinite(ph), pl))));
          }
        }
      };
      std::size_t i = 0;
      for (; i + lanes <= n; i += lanes) step(x + i, dy + i);
      if (i < n) {
        // The tail through zero-filled buffers: x = 0 has finite gradients and dy = 0 adds nothing.
        T tx[HWY_MAX_BYTES / sizeof(double)] = {}, tdy[HWY_MAX_BYTES / sizeof(double)] = {};
        std::memcpy(tx, x + i, (n - i) * sizeof(T));
        std::memcpy(tdy, dy + i, (n - i) * sizeof(T));
        step(tx, tdy);
      }
      for (std::size_t k = 0; k < kMaxParams; ++k) {
        if (k >= F::info.params.size() || !F::info.params[k].learnable) continue;
        // The lanes in turn, hi parts by TwoSum, every low part beside: one rounding at the end.
        double hi_lanes[HWY_MAX_BYTES / sizeof(double)], lo_lanes[HWY_MAX_BYTES / sizeof(double)];
        hn::StoreU(acc[k], dd, hi_lanes);
        hn::StoreU(acc_lo[k], dd, lo_lanes);
        double hi = 0, lo = 0;
        for (std::size_t l = 0; l < lanes; ++l) {
          const double sum = hi + hi_lanes[l], part = sum - hi;
          lo += std::isfinite(sum) ? (hi - (sum - part)) + (hi_lanes[l] - part) + lo_lanes[l] : 0.0;
          hi = sum;
        }
        sums[k] += hi + lo;
      }
      return true;
    } else {
      return false;
    }
  });
}

// ---- gated linear units: y = a·gate(b), the gate's element-wise kernel inside the product ------
//
// forward   y  = a·g,           g = gate(b)
// backward  da = dy·g,  db = dy·a·g',  g' = gate'(b)
// A gate's value rounded to T before the product would cost up to twice its error in ULP of the
// product (g at the bottom of its binade, the product at the top of its own), so the product is
// taken before the gate's rounding: glu (both directions) and swiglu's forward in f32 lanes
// inside the sigmoid kernel's quotient (gated_in_f32, glu_backward_in_f32), swiglu's backward
// with silu's slope as a pair (swiglu_backward_in_f32); the other smooth gates for f32 data in
// f64 lanes, where dy·a is exact and each output rounds once, through the gate's f32-accuracy
// kernel where it has one (GELU's: ≤ 1/2 ULP plus 2^-27.5) or its f64 kernel (≤ 1/2 ULP plus
// 2^-28 of f64 error); for f64 data with dy·a as an exact pair, db
// rounding once after g' (error ≤ g''s own + 1/2 ULP), and lane by lane through the reference's
// formula where the lanes cannot carry the product: g or g' below the smallest normal (digits lost
// to underflow that a large a or dy would bring back into range) and a pair dy·a that overflows
// where long double does not. Piecewise-linear gates (relu) give exact g and g' in T's own lanes:
// every product is the reference's, rounded once.

/// The gate G's kernel: PiecewiseLinear<G> (exact), else F64Lanes<G>; none for other gates, whose units the
/// caller leaves to the reference. For f32 data in f64 lanes, K32: F32InF64Lanes<G> where G has
/// one (GELU's, accurate to f32 over every b whose products with a float a or dy·a are floats),
/// else K.
template <class G>
struct GateKernel {
  static constexpr bool kExact = Kernel<PiecewiseLinear<G>>;
  static constexpr bool kAvailable = kExact || Kernel<F64Lanes<G>>;
  using K = std::conditional_t<kExact, PiecewiseLinear<G>, F64Lanes<G>>;
  using K32 = std::conditional_t<Kernel<F32InF64Lanes<G>>, F32InF64Lanes<G>, K>;
};

/// Whether F is a gated unit whose gate has a kernel: exactly the table's Gated rows.
template <class F>
constexpr bool gated_unit() {
  if constexpr (requires { typename F::Gate; })
    return GateKernel<typename F::Gate>::kAvailable;
  else
    return false;
}
#define ACTFN_CHECK_GATED(name)                                                                              \
  static_assert(gated_unit<fn::name>() == (declared<fn::name, float>().f == Path::Gated) &&                  \
                    gated_unit<fn::name>() == (declared<fn::name, double>().f == Path::Gated),               \
                "kernel table: the Gated rows are the gated units whose gate has a kernel");
ACTFN_KINDS(ACTFN_CHECK_GATED)
#undef ACTFN_CHECK_GATED

/// Calls body.template operator()<G>() with the gate of a gated-unit kind whose gate has a
/// kernel; false for any other kind.
template <class Body>
bool with_gate(Kind kind, Body body) {
  return fn::visit(kind, [&]<class F>() {
    if constexpr (requires { typename F::Gate; }) {
      if constexpr (GateKernel<typename F::Gate>::kAvailable) return body.template operator()<typename F::Gate>();
    }
    return false;
  });
}

/// Lanes of `rare` replaced by scalar(lane index); the common vector, with no rare lane, costs one
/// test.
template <class D, class M, class Scalar>
HWY_INLINE hn::Vec<D> with_rare_lanes(D d, M rare, hn::Vec<D> v, Scalar scalar) {
  if (HWY_LIKELY(hn::AllFalse(d, rare))) return v;
  using T = hn::TFromD<D>;
  HWY_ALIGN T out[HWY_MAX_BYTES / sizeof(T)], flag[HWY_MAX_BYTES / sizeof(T)];
  hn::Store(v, d, out);
  hn::Store(hn::IfThenElseZero(rare, hn::Set(d, T(1))), d, flag);
  for (std::size_t k = 0; k < hn::Lanes(d); ++k)
    if (flag[k] != T(0)) out[k] = scalar(k);
  return hn::Load(d, out);
}

/// Whether |v| is below the smallest normal of its type (0 included).
template <class D>
HWY_INLINE auto below_normal(D d, hn::Vec<D> v) {
  return hn::Abs(v) < hn::Set(d, std::numeric_limits<hn::TFromD<D>>::min());
}

/// The lanes of vectors stored once, on first use: what a rare lane's scalar path reads.
template <class D, std::size_t kCount>
class StoredLanes {
 public:
  template <class... Vs>
  explicit StoredLanes(D d, Vs... vs) : d_(d), v_{vs...} {}
  hn::TFromD<D> operator()(std::size_t which, std::size_t k) {
    if (!stored_)
      for (std::size_t j = 0; j < kCount; ++j) hn::Store(v_[j], d_, lane_[j]);
    stored_ = true;
    return lane_[which][k];
  }

 private:
  D d_;
  hn::Vec<D> v_[kCount];
  bool stored_ = false;
  HWY_ALIGN hn::TFromD<D> lane_[kCount][HWY_MAX_BYTES / sizeof(hn::TFromD<D>)];
};

/// The gated units' backward loop: op(d, a, b, dy, da&, db&) over whole vectors, then the tail
/// through zero-filled buffers of one vector (0 is an ordinary input of every gate). Lanes are T's
/// own (kWidened false) or, for f32 data, f64 lanes holding Lanes(f64) floats, rounded once on
/// the way out (store_rounded_f32). Both outputs are stored after all inputs of their vector are
/// loaded: da and db may alias a and b.
template <bool kWidened, class T, class Op>
void for_each_gated_vector(const T* a, const T* b, const T* dy, T* da, T* db, std::size_t n, Op op) {
  using DL = hn::ScalableTag<std::conditional_t<kWidened, double, T>>;
  const DL d;
  const hn::Rebind<T, DL> dt;  // the memory's lanes, as many as d has
  const std::size_t lanes = hn::Lanes(d);
  const auto load = [&](const T* p) {
    if constexpr (kWidened)
      return hn::PromoteTo(d, hn::LoadU(dt, p));
    else
      return hn::LoadU(d, p);
  };
  const auto store = [&](hn::Vec<DL> v, T* p) {
    if constexpr (kWidened)
      store_rounded_f32(d, v, p);
    else
      hn::StoreU(v, d, p);
  };
  const auto step = [&](const T* pa, const T* pb, const T* pdy, T* pda, T* pdb) {
    hn::Vec<DL> vda, vdb;
    op(d, load(pa), load(pb), load(pdy), vda, vdb);
    store(vda, pda);
    store(vdb, pdb);
  };
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) step(a + i, b + i, dy + i, da + i, db + i);
  if (i == n) return;
  T ta[HWY_MAX_BYTES / sizeof(T)] = {}, tb[HWY_MAX_BYTES / sizeof(T)] = {}, tdy[HWY_MAX_BYTES / sizeof(T)] = {};
  const std::size_t rest = n - i;
  std::memcpy(ta, a + i, rest * sizeof(T));
  std::memcpy(tb, b + i, rest * sizeof(T));
  std::memcpy(tdy, dy + i, rest * sizeof(T));
  step(ta, tb, tdy, ta, tb);
  std::memcpy(da + i, ta, rest * sizeof(T));
  std::memcpy(db + i, tb, rest * sizeof(T));
}

/// Whether the f32 forward of gate G's unit runs in f32 lanes through f32::gated, the product
/// taken inside its one rounding: a·σ(b) (glu) and (a·b)·σ(b) (swiglu, a·b an exact pair), as
/// accurate as sigmoid's and silu's own forward. Infinite b, and a or a·b beyond 2^125 (infinite
/// ones included: gated's limits at ±inf are swish's, not a product's) go through the
/// reference's formula.
template <class G>
constexpr bool kGatedInF32 = std::is_same_v<G, fn::Sigmoid> || std::is_same_v<G, fn::Silu>;

template <class G, class D>
HWY_INLINE hn::Vec<D> gated_in_f32(D d, hn::Vec<D> va, hn::Vec<D> vb) {
  // Past 2^125, x times gated's unscaled quotient (up to 1.42 before its scaling in the tail
  // range) could overflow although the product does not.
  const auto huge = [&](hn::Vec<D> x) { return hn::Not(hn::Abs(x) <= hn::Set(d, 0x1p125f)); };
  hn::Vec<D> y;
  auto rare = hn::Or(huge(va), hn::IsInf(vb));
  if constexpr (std::is_same_v<G, fn::Sigmoid>) {
    y = f32::gated(d, va, f32::Exact{}, vb, f32::Exact{});
  } else {
    hn::Vec<D> pl;
    const hn::Vec<D> ph = f32::two_prod(d, va, vb, pl);
    rare = hn::Or(rare, huge(ph));
    y = f32::gated(d, ph, pl, vb, f32::Exact{});
  }
  y = hn::IfThenElse(hn::IsNaN(vb), vb, y);
  StoredLanes<D, 2> in(d, va, vb);
  return with_rare_lanes(d, rare, y, [&](std::size_t k) {
    return static_cast<float>(double{in(0, k)} * fn::f_guarded<G>(double{in(1, k)}, fn::Params<double>{}));
  });
}

/// The end of a gated unit's f32-lane backward: NaN b gives NaN da and db, and the lanes of `rare`
/// take the reference's formula in double, da = dy·g(b), db = dy·a·g'(b), rounded once.
template <class G, class D, class M>
HWY_INLINE void finish_gated_backward_f32(D d, M rare, hn::Vec<D> va, hn::Vec<D> vb, hn::Vec<D> vdy, hn::Vec<D>& vda,
                                          hn::Vec<D>& vdb) {
  const auto nan = hn::IsNaN(vb);
  vda = hn::IfThenElse(nan, vb, vda);
  vdb = hn::IfThenElse(nan, vb, vdb);
  StoredLanes<D, 3> in(d, va, vb, vdy);
  vda = with_rare_lanes(d, rare, vda, [&](std::size_t k) {
    return static_cast<float>(double{in(2, k)} * fn::f_guarded<G>(double{in(1, k)}, fn::Params<double>{}));
  });
  vdb = with_rare_lanes(d, rare, vdb, [&](std::size_t k) {
    return static_cast<float>(double{in(2, k)} * double{in(0, k)} * fn::df_guarded<G>(double{in(1, k)}, fn::Params<double>{}));
  });
}

/// glu's backward in f32 lanes from one logistic of b: da = dy·σ(b) as gated forms a·σ(b), and
/// db = (dy·a)·σ'(b) with dy·a an exact pair and σ'(b)·2^-n = σ(|b|)·σ(-|b|)·2^-n as a pair (the
/// halves' pairs multiplied), one rounding before the scaling. Infinite b, and a, dy or dy·a
/// beyond 2^125, go through the reference's formula.
template <class D>
HWY_INLINE void glu_backward_in_f32(D d, hn::Vec<D> va, hn::Vec<D> vb, hn::Vec<D> vdy, hn::Vec<D>& vda,
                                    hn::Vec<D>& vdb) {
  using V = hn::Vec<D>;
  const auto huge = [&](V x) { return hn::Not(hn::Abs(x) <= hn::Set(d, 0x1p125f)); };
  V pl;
  const V ph = f32::two_prod(d, vdy, va, pl);
  f32::by_range(d, hn::Neg(hn::Abs(vb)), [&](auto range) {
    const auto s = f32::logistic<decltype(range)::value>(d, vb, f32::Exact{});
    V corr, m;
    const V q = f32::sigmoid_parts(d, s, corr, m);
    vda = hn::CopySign(s.scale(d, hn::MulAdd(vdy, q, hn::Mul(vdy, corr)), m), vdy);
    V r_lo, small, small_lo, tl;
    const V r = f32::logistic_halves(d, s, r_lo, small, small_lo);
    const V th = f32::pair_product(d, small, small_lo, r, r_lo, tl);
    vdb = hn::CopySign(s.scale(d, hn::MulAdd(ph, th, hn::MulAdd(ph, tl, hn::Mul(pl, th))), s.e.n), ph);
    return vda;
  });
  finish_gated_backward_f32<fn::Sigmoid>(d, hn::Or(hn::Or(huge(va), huge(vdy)), hn::Or(huge(ph), hn::IsInf(vb))), va,
                                         vb, vdy, vda, vdb);
}

/// swiglu's backward in f32 lanes: da = dy·silu(b) as gated forms (dy·b)·σ(b) (dy·b an exact
/// pair), db = (dy·a)·silu'(b) with dy·a an exact pair and silu'(b) the unrounded pair of
/// f32::gate_slope_pair, one rounding. b below -70 (where that pair leaves the normal range),
/// infinite b, and a, b, dy or the products beyond 2^125 go through the reference's formula.
template <class D>
HWY_INLINE void swiglu_backward_in_f32(D d, hn::Vec<D> va, hn::Vec<D> vb, hn::Vec<D> vdy, hn::Vec<D>& vda,
                                       hn::Vec<D>& vdb) {
  using V = hn::Vec<D>;
  const auto huge = [&](V x) { return hn::Not(hn::Abs(x) <= hn::Set(d, 0x1p125f)); };
  const V floor = hn::Set(d, f32::kNormalFloor);
  V ql, pl, gl;
  const V qh = f32::two_prod(d, vdy, vb, ql);
  vda = f32::gated(d, qh, ql, vb, f32::Exact{});
  const V ph = f32::two_prod(d, vdy, va, pl);
  const V gh = f32::gate_slope_pair(d, hn::Min(hn::Max(vb, floor), hn::Set(d, 200.0f)), gl);
  const V corr = hn::MulAdd(ph, gl, hn::Mul(pl, gh));
  // Where the correction is 0 (dy·a exact, or 0) the plain product, whose zero has the right sign.
  vdb = hn::IfThenElse(corr == hn::Zero(d), hn::Mul(ph, gh), hn::MulAdd(ph, gh, corr));
  const auto rare = hn::Or(hn::Or(hn::Or(huge(va), huge(vdy)), hn::Or(huge(ph), huge(qh))),
                           hn::Or(hn::IsInf(vb), vb < floor));
  finish_gated_backward_f32<fn::Silu>(d, rare, va, vb, vdy, vda, vdb);
}

/// The gate's value at vb through kernel struct K (and its slope in s), NaN in giving NaN out.
template <class K, class D, class P>
HWY_INLINE hn::Vec<D> gate_value(D d, hn::Vec<D> vb, const P& p) {
  return hn::IfThenElse(hn::IsNaN(vb), vb, K::f(d, vb, p));
}
template <class K, class D, class P>
HWY_INLINE hn::Vec<D> gate_value(D d, hn::Vec<D> vb, const P& p, hn::Vec<D>& s) {
  const auto nan = hn::IsNaN(vb);
  s = hn::IfThenElse(nan, vb, K::df(d, vb, p));
  return hn::IfThenElse(nan, vb, K::f(d, vb, p));
}

template <class T>
bool gated_forward(Kind kind, const T* a, const T* b, T* y, std::size_t n) {
  return with_gate(kind, [&]<class G>() {
    using K = typename GateKernel<G>::K;
    if constexpr (GateKernel<G>::kExact) {
      const auto p = params_as<T>(kNoParams);
      for_each_vector(b, a, y, n, [&](auto d, auto vb, auto va) { return hn::Mul(va, gate_value<K>(d, vb, p)); });
    } else if constexpr (std::is_same_v<T, float> && kGatedInF32<G>) {
      for_each_vector(b, a, y, n, [&](auto d, auto vb, auto va) { return gated_in_f32<G>(d, va, vb); });
    } else if constexpr (std::is_same_v<T, float>) {
      using K32 = typename GateKernel<G>::K32;
      const auto p = prepared<K32>(params_as<double>(kNoParams));
      for_each_vector_f32_via_f64(b, a, y, n, [&](auto d, auto vb, auto va) { return hn::Mul(va, gate_value<K32>(d, vb, p)); });
    } else {
      const auto p = prepared<K>(params_as<double>(kNoParams));
      for_each_vector(b, a, y, n, [&](auto d, auto vb, auto va) {
        const auto g = gate_value<K>(d, vb, p);
        StoredLanes<decltype(d), 2> in(d, va, vb);
        return with_rare_lanes(d, hn::AndNot(hn::IsNaN(vb), below_normal(d, g)), hn::Mul(va, g), [&](std::size_t k) {
          return static_cast<double>(Wide<T>(in(0, k)) * fn::f_guarded<G>(Wide<T>(in(1, k)), fn::Params<Wide<T>>{}));
        });
      });
    }
    return true;
  });
}

template <class T>
bool gated_backward(Kind kind, const T* a, const T* b, const T* dy, T* da, T* db, std::size_t n) {
  return with_gate(kind, [&]<class G>() {
    using K = typename GateKernel<G>::K;
    using C = Wide<T>;
    if constexpr (GateKernel<G>::kExact) {
      const auto p = params_as<T>(kNoParams);
      for_each_gated_vector<false>(a, b, dy, da, db, n, [&](auto d, auto va, auto vb, auto vdy, auto& vda, auto& vdb) {
        hn::Vec<decltype(d)> s;
        vda = hn::Mul(vdy, gate_value<K>(d, vb, p, s));
        // g' is 0 or 1: (dy·g')·a is the reference's (dy·a)·g' rounded once, zeros signed alike
        // and no inf·0 where dy·a alone would overflow.
        vdb = hn::Mul(hn::Mul(vdy, s), va);
      });
    } else if constexpr (std::is_same_v<T, float> && std::is_same_v<G, fn::Sigmoid>) {
      for_each_gated_vector<false>(a, b, dy, da, db, n, [&](auto d, auto va, auto vb, auto vdy, auto& vda, auto& vdb) {
        glu_backward_in_f32(d, va, vb, vdy, vda, vdb);
      });
    } else if constexpr (std::is_same_v<T, float> && std::is_same_v<G, fn::Silu>) {
      for_each_gated_vector<false>(a, b, dy, da, db, n, [&](auto d, auto va, auto vb, auto vdy, auto& vda, auto& vdb) {
        swiglu_backward_in_f32(d, va, vb, vdy, vda, vdb);
      });
    } else if constexpr (std::is_same_v<T, float>) {
      using K32 = typename GateKernel<G>::K32;
      const auto p = prepared<K32>(params_as<double>(kNoParams));
      for_each_gated_vector<true>(a, b, dy, da, db, n, [&](auto d, auto va, auto vb, auto vdy, auto& vda, auto& vdb) {
        hn::Vec<decltype(d)> s;
        vda = hn::Mul(vdy, gate_value<K32>(d, vb, p, s));
        vdb = hn::Mul(hn::Mul(vdy, va), s);  // dy·a exact in f64
      });
    } else {
      const auto p = prepared<K>(params_as<double>(kNoParams));
      for_each_gated_vector<false>(a, b, dy, da, db, n, [&](auto d, auto va, auto vb, auto vdy, auto& vda, auto& vdb) {
        using V = hn::Vec<decltype(d)>;
        V s, pl;
        const V g = gate_value<K>(d, vb, p, s);
        const V ph = exact::two_prod(d, vdy, va, pl);
        // No low part where dy·a is infinite or NaN (its low part is NaN); where dy·a is exact
        // (pl = 0) or g' is 0, the plain product, whose zero has the right sign.
        const V corr = hn::Mul(hn::IfThenElseZero(hn::IsFinite(ph), pl), s);
        const auto nan = hn::IsNaN(vb);
        const auto overflow = hn::AndNot(hn::IsFinite(ph), hn::And(hn::IsFinite(va), hn::IsFinite(vdy)));
        StoredLanes<decltype(d), 3> in(d, va, vb, vdy);
        vda = with_rare_lanes(d, hn::AndNot(nan, below_normal(d, g)), hn::Mul(vdy, g), [&](std::size_t k) {
          return static_cast<double>(C(in(2, k)) * fn::f_guarded<G>(C(in(1, k)), fn::Params<C>{}));
        });
        vdb = hn::IfThenElse(corr == hn::Zero(d), hn::Mul(ph, s), hn::MulAdd(ph, s, corr));
        vdb = with_rare_lanes(d, hn::AndNot(nan, hn::Or(below_normal(d, s), overflow)), vdb, [&](std::size_t k) {
          return static_cast<double>(C(in(2, k)) * C(in(0, k)) * fn::df_guarded<G>(C(in(1, k)), fn::Params<C>{}));
        });
      });
    }
    return true;
  });
}

}  // namespace

bool ForwardF32(Kind k, const double* p, const float* x, float* y, std::size_t n) { return forward(k, p, x, y, n); }
bool ForwardF64(Kind k, const double* p, const double* x, double* y, std::size_t n) { return forward(k, p, x, y, n); }
bool ForwardSlopeF32(Kind k, const double* p, const float* x, float* y, float* s, std::size_t n) {
  return forward_with_slope(k, p, x, y, s, n);
}
bool ForwardSlopeF64(Kind k, const double* p, const double* x, double* y, double* s, std::size_t n) {
  return forward_with_slope(k, p, x, y, s, n);
}
bool BackwardF32(Kind k, bool from_y, const double* p, const float* in, const float* dy, float* dx, std::size_t n) {
  return backward(k, from_y, p, in, dy, dx, n);
}
bool BackwardF64(Kind k, bool from_y, const double* p, const double* in, const double* dy, double* dx,
                 std::size_t n) {
  return backward(k, from_y, p, in, dy, dx, n);
}
bool ParamGradientF32(Kind k, const double* p, const float* x, const float* dy, std::size_t n, double* sums) {
  return param_gradient(k, p, x, dy, n, sums);
}
bool ParamGradientF64(Kind k, const double* p, const double* x, const double* dy, std::size_t n, double* sums) {
  return param_gradient(k, p, x, dy, n, sums);
}
bool GatedForwardF32(Kind k, const float* a, const float* b, float* y, std::size_t n) {
  return gated_forward(k, a, b, y, n);
}
bool GatedForwardF64(Kind k, const double* a, const double* b, double* y, std::size_t n) {
  return gated_forward(k, a, b, y, n);
}
bool GatedBackwardF32(Kind k, const float* a, const float* b, const float* dy, float* da, float* db, std::size_t n) {
  return gated_backward(k, a, b, dy, da, db, n);
}
bool GatedBackwardF64(Kind k, const double* a, const double* b, const double* dy, double* da, double* db,
                      std::size_t n) {
  return gated_backward(k, a, b, dy, da, db, n);
}
/// The instruction set this copy of the kernels was compiled for.
const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd.hpp"

namespace actfn::kernels {

HWY_EXPORT(ForwardF32);
HWY_EXPORT(ForwardF64);
HWY_EXPORT(ForwardSlopeF32);
HWY_EXPORT(ForwardSlopeF64);
HWY_EXPORT(BackwardF32);
HWY_EXPORT(BackwardF64);
HWY_EXPORT(ParamGradientF32);
HWY_EXPORT(ParamGradientF64);
HWY_EXPORT(GatedForwardF32);
HWY_EXPORT(GatedForwardF64);
HWY_EXPORT(GatedBackwardF32);
HWY_EXPORT(GatedBackwardF64);
HWY_EXPORT(TargetName);

bool simd_forward(Kind k, const double* p, const float* x, float* y, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(ForwardF32)(k, p, x, y, n);
}
bool simd_forward(Kind k, const double* p, const double* x, double* y, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(ForwardF64)(k, p, x, y, n);
}
bool simd_forward_with_slope(Kind k, const double* p, const float* x, float* y, float* s, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(ForwardSlopeF32)(k, p, x, y, s, n);
}
bool simd_forward_with_slope(Kind k, const double* p, const double* x, double* y, double* s, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(ForwardSlopeF64)(k, p, x, y, s, n);
}
bool simd_backward(Kind k, bool from_y, const double* p, const float* in, const float* dy, float* dx, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(BackwardF32)(k, from_y, p, in, dy, dx, n);
}
bool simd_backward(Kind k, bool from_y, const double* p, const double* in, const double* dy, double* dx,
                   std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(BackwardF64)(k, from_y, p, in, dy, dx, n);
}

bool simd_param_gradient(Kind k, const double* p, const float* x, const float* dy, std::size_t n, double* sums) {
  return HWY_DYNAMIC_DISPATCH(ParamGradientF32)(k, p, x, dy, n, sums);
}
bool simd_param_gradient(Kind k, const double* p, const double* x, const double* dy, std::size_t n, double* sums) {
  return HWY_DYNAMIC_DISPATCH(ParamGradientF64)(k, p, x, dy, n, sums);
}

bool simd_gated_forward(Kind k, const float* a, const float* b, float* y, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(GatedForwardF32)(k, a, b, y, n);
}
bool simd_gated_forward(Kind k, const double* a, const double* b, double* y, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(GatedForwardF64)(k, a, b, y, n);
}
bool simd_gated_backward(Kind k, const float* a, const float* b, const float* dy, float* da, float* db,
                         std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(GatedBackwardF32)(k, a, b, dy, da, db, n);
}
bool simd_gated_backward(Kind k, const double* a, const double* b, const double* dy, double* da, double* db,
                         std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(GatedBackwardF64)(k, a, b, dy, da, db, n);
}

std::string dispatched_target() { return HWY_DYNAMIC_DISPATCH(TargetName)(); }

std::vector<std::string> compiled_targets() {
  std::vector<std::string> names;
  for (const std::int64_t t : hwy::SupportedAndGeneratedTargets()) names.emplace_back(hwy::TargetName(t));
  return names;
}

void restrict_targets(std::int64_t mask) { hwy::SetSupportedTargetsForTest(mask); }

std::int64_t target_bit(std::string_view name) {
  for (std::int64_t t = HWY_TARGETS; t != 0; t &= t - 1) {
    const std::int64_t bit = t & -t;
    if (name == hwy::TargetName(bit)) return bit;
  }
  return 0;
}

}  // namespace actfn::kernels
#endif  // HWY_ONCE
