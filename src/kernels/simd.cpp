// The SIMD drivers, compiled once per instruction set by Highway (foreach_target.h re-includes
// this file for each target) and dispatched at run time. Each entry point switches on the kind
// once and returns false when the activation has no kernel, so the caller runs the reference.
#include <cmath>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "functions/all.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

#include "f32_via_f64-inl.h"
#include "loops-inl.h"
#include "rectifier-inl.h"
#include "smooth_f32-inl.h"
#include "smooth_f64-inl.h"

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace {

/// Whether the kernel struct K (Simd<F>, SimdF32<F>, SimdF32ViaF64<F> or SimdF64<F>) is
/// specialised for F, and whether it computes f' from y in lanes of T.
template <class K>
concept Kernel = requires { sizeof(K); };
template <class K, class T>
concept KernelFromY = Kernel<K> && requires(hn::ScalableTag<T> d, hn::Vec<hn::ScalableTag<T>> v, const fn::Params<T>& p) {
  K::df_from_y(d, v, p);
};
/// Whether K computes f' from x in lanes of T: a SimdF32<F> may give only f, its f' then coming
/// from SimdF32ViaF64<F>.
template <class K, class T>
concept KernelDf = Kernel<K> && requires(hn::ScalableTag<T> d, hn::Vec<hn::ScalableTag<T>> v, const fn::Params<T>& p) {
  K::df(d, v, p);
};

/// The reference's parameters for f32 data: rounded to float, then widened to double.
inline Pd params_f32_in_f64(const double* values) {
  Pd p{};
  for (std::size_t i = 0; i < kMaxParams; ++i) p[i] = static_cast<double>(static_cast<float>(values[i]));
  return p;
}

template <class T>
fn::Params<T> params_as(const double* values) {
  fn::Params<T> p{};
  for (std::size_t i = 0; i < kMaxParams; ++i) p[i] = static_cast<T>(values[i]);
  return p;
}

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

/// As for_each_vector for f32 data computed in f64 lanes: each group of Lanes(f64) floats is
/// promoted, computed and demoted (rounded) once.
template <class Op>
void for_each_vector_f32_via_f64(const float* a, const float* b, float* out, std::size_t n, Op op) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<float, decltype(dd)> df;
  const std::size_t lanes = hn::Lanes(dd);
  // Rounding to f32 overflows to ±inf from FLT_MAX + half an ULP up (2^128 - 2^103). x86 targets
  // do that; Highway's emulated targets clamp to ±FLT_MAX instead, so lanes that far out (rare:
  // an infinite input or an enormous dy) are set to ±inf after the store.
  const auto overflow = hn::Set(dd, 0x1.ffffffp127);
  const auto step = [&](const float* pa, const float* pb, float* po) {
    const auto va = hn::PromoteTo(dd, hn::LoadU(df, pa));
    const auto vb = pb ? hn::PromoteTo(dd, hn::LoadU(df, pb)) : va;
    const auto r = op(dd, va, vb);
    hn::StoreU(hn::DemoteTo(df, r), df, po);
    if (HWY_UNLIKELY(!hn::AllFalse(dd, hn::Abs(r) >= overflow))) {
      double wide[HWY_MAX_BYTES / sizeof(double)];
      hn::StoreU(r, dd, wide);
      for (std::size_t k = 0; k < lanes; ++k)
        if (std::fabs(wide[k]) >= 0x1.ffffffp127) po[k] = std::copysign(HUGE_VALF, static_cast<float>(wide[k]));
    }
  };
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) step(a + i, b ? b + i : nullptr, out + i);
  if (i == n) return;
  float ta[HWY_MAX_BYTES / sizeof(double)] = {}, tb[HWY_MAX_BYTES / sizeof(double)] = {};
  const std::size_t rest = n - i;
  std::memcpy(ta, a + i, rest * sizeof(float));
  if (b) std::memcpy(tb, b + i, rest * sizeof(float));
  step(ta, b ? tb : nullptr, ta);
  std::memcpy(out + i, ta, rest * sizeof(float));
}

/// y = f(x), NaN in giving NaN out (as the reference's f_guarded).
template <class T>
bool forward(Kind kind, const double* values, const T* x, T* y, std::size_t n) {
  return fn::visit(kind, [&]<class F>() {
    if constexpr (Kernel<Simd<F>>) {
      const auto p = params_as<T>(values);
      for_each_vector(x, static_cast<const T*>(nullptr), y, n, [&](auto d, auto v, auto) {
        return hn::IfThenElse(hn::IsNaN(v), v, Simd<F>::f(d, v, p));
      });
      return true;
    } else if constexpr (Kernel<SimdF32<F>> && std::is_same_v<T, float>) {
      const auto p = params_as<float>(values);
      for_each_vector(x, static_cast<const float*>(nullptr), y, n, [&](auto d, auto v, auto) {
        return hn::IfThenElse(hn::IsNaN(v), v, SimdF32<F>::f(d, v, p));
      });
      return true;
    } else if constexpr (Kernel<SimdF32ViaF64<F>> && std::is_same_v<T, float>) {
      const auto p = prepared<SimdF32ViaF64<F>>(params_f32_in_f64(values));
      for_each_vector_f32_via_f64(x, nullptr, y, n, [&](auto d, auto v, auto) {
        return hn::IfThenElse(hn::IsNaN(v), v, SimdF32ViaF64<F>::f(d, v, p));
      });
      return true;
    } else if constexpr (Kernel<SimdF64<F>> && std::is_same_v<T, double>) {
      const auto p = prepared<SimdF64<F>>(params_as<double>(values));
      for_each_vector(x, static_cast<const double*>(nullptr), y, n, [&](auto d, auto v, auto) {
        return hn::IfThenElse(hn::IsNaN(v), v, SimdF64<F>::f(d, v, p));
      });
      return true;
    } else {
      return false;
    }
  });
}

/// dx = dy * slope(in) through `loop` (one of the vector loops above); the slope of a NaN input is
/// NaN, so NaN propagates as in the reference.
template <class T, class Loop, class Slope>
bool scale_by_slope(Loop loop, const T* in, const T* dy, T* dx, std::size_t n, Slope slope) {
  loop(in, dy, dx, n, [&](auto d, auto v, auto g) { return hn::Mul(g, hn::IfThenElse(hn::IsNaN(v), v, slope(d, v))); });
  return true;
}

/// dx = dy * f'(in), from x (from_y false) or from y.
template <class T>
bool backward(Kind kind, bool from_y, const double* values, const T* in, const T* dy, T* dx, std::size_t n) {
  return fn::visit(kind, [&]<class F>() {
    if constexpr (Kernel<Simd<F>>) {
      const auto p = params_as<T>(values);
      const auto loop = [](auto... args) { for_each_vector(args...); };
      if (!from_y) return scale_by_slope(loop, in, dy, dx, n, [&](auto d, auto v) { return Simd<F>::df(d, v, p); });
      if constexpr (KernelFromY<Simd<F>, float>)
        return scale_by_slope(loop, in, dy, dx, n, [&](auto d, auto v) { return Simd<F>::df_from_y(d, v, p); });
    } else if constexpr (KernelDf<SimdF32<F>, float> && std::is_same_v<T, float>) {
      const auto p = params_as<float>(values);
      const auto loop = [](auto... args) { for_each_vector(args...); };
      if (!from_y) return scale_by_slope(loop, in, dy, dx, n, [&](auto d, auto v) { return SimdF32<F>::df(d, v, p); });
      if constexpr (KernelFromY<SimdF32<F>, float>)
        return scale_by_slope(loop, in, dy, dx, n, [&](auto d, auto v) { return SimdF32<F>::df_from_y(d, v, p); });
    } else if constexpr (Kernel<SimdF32ViaF64<F>> && std::is_same_v<T, float>) {
      const auto p = prepared<SimdF32ViaF64<F>>(params_f32_in_f64(values));
      const auto loop = [](auto... args) { for_each_vector_f32_via_f64(args...); };
      if (!from_y)
        return scale_by_slope(loop, in, dy, dx, n, [&](auto d, auto v) { return SimdF32ViaF64<F>::df(d, v, p); });
      if constexpr (KernelFromY<SimdF32ViaF64<F>, double>)
        return scale_by_slope(loop, in, dy, dx, n, [&](auto d, auto v) { return SimdF32ViaF64<F>::df_from_y(d, v, p); });
    } else if constexpr (Kernel<SimdF64<F>> && std::is_same_v<T, double>) {
      const auto p = prepared<SimdF64<F>>(params_as<double>(values));
      const auto loop = [](auto... args) { for_each_vector(args...); };
      if (!from_y) return scale_by_slope(loop, in, dy, dx, n, [&](auto d, auto v) { return SimdF64<F>::df(d, v, p); });
      if constexpr (KernelFromY<SimdF64<F>, double>)
        return scale_by_slope(loop, in, dy, dx, n, [&](auto d, auto v) { return SimdF64<F>::df_from_y(d, v, p); });
    }
    return false;
  });
}

/// sums[k] += Σ dy·∂f/∂p_k over the n elements, for every learnable parameter k of F, in f64
/// lanes with one vector accumulator per parameter: f32 data (SimdF32ViaF64ParamGrad, terms of
/// floats summed in f64) or f64 data (SimdF64ParamGrad, each product dy·g and each sum kept as an
/// exact pair, the low parts summed beside, so the result is within a few ULP of the exact sum
/// rather than n of them). n = 0 only reports whether F has such a kernel.
template <class T>
bool param_gradient(Kind kind, const double* values, const T* x, const T* dy, std::size_t n, double* sums) {
  constexpr bool kF32 = std::is_same_v<T, float>;
  return fn::visit(kind, [&]<class F>() {
    using K = std::conditional_t<kF32, SimdF32ViaF64ParamGrad<F>, SimdF64ParamGrad<F>>;
    if constexpr (Kernel<K>) {
      if (n == 0) return true;
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

}  // namespace

bool ForwardF32(Kind k, const double* p, const float* x, float* y, std::size_t n) { return forward(k, p, x, y, n); }
bool ForwardF64(Kind k, const double* p, const double* x, double* y, std::size_t n) { return forward(k, p, x, y, n); }
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
/// The instruction set this copy of the kernels was compiled for.
const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd.hpp"

namespace actfn::kernels {

HWY_EXPORT(ForwardF32);
HWY_EXPORT(ForwardF64);
HWY_EXPORT(BackwardF32);
HWY_EXPORT(BackwardF64);
HWY_EXPORT(ParamGradientF32);
HWY_EXPORT(ParamGradientF64);
HWY_EXPORT(TargetName);

bool simd_forward(Kind k, const double* p, const float* x, float* y, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(ForwardF32)(k, p, x, y, n);
}
bool simd_forward(Kind k, const double* p, const double* x, double* y, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(ForwardF64)(k, p, x, y, n);
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
