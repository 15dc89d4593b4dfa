// Per-channel PReLU, forward and backward fused with the slopes' gradient, compiled once per
// instruction set (foreach_target) like simd.cpp. Channels first (NCHW): blocks of `inner`
// contiguous elements, block u (u = o·channels + c) at u·inner with slope alpha[c]. Channels last
// (NHWC, inner = 1): rows of `channels` elements, element c with slope alpha[c].
//
// f(x) = x if x > 0 else a·x;  dx = dy·(x > 0 ? 1 : a);  da = Σ dy·x over x ≤ 0.
// The products dy·x of two floats are exact in f64 (24 + 24 significant bits ≤ 53), so for f32 data
// da is summed in f64 lanes: its error is that of an f64 sum, far below one f32 ULP of the result
// unless the terms cancel to almost nothing. f64 data sum with FMA in f64 lanes. NaN in x or dy
// makes da NaN, as in the reference. y and dx are bit-identical to the reference (PiecewiseLinear<fn::Prelu>).
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "functions/all.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "channels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "loops-inl.h"
#include "piecewise_linear-inl.h"

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace {

/// Adds t·g lane-wise to the f64 accumulators: f32 vectors in two widened halves, one into each
/// accumulator (the scalar target, which has no halves, has one lane); f64 into the first.
template <class D, class V, class VD>
void add_products(D d, V t, V g, VD& acc0, VD& acc1) {
  if constexpr (std::is_same_v<hn::TFromD<D>, double>) {
    (void)d;
    (void)acc1;
    acc0 = hn::MulAdd(t, g, acc0);
  } else {
    const hn::Repartition<double, D> dd;
#if HWY_TARGET == HWY_SCALAR
    (void)d;
    (void)acc1;
    acc0 = hn::MulAdd(hn::PromoteTo(dd, t), hn::PromoteTo(dd, g), acc0);
#else
    const hn::Half<D> dh;
    acc0 = hn::MulAdd(hn::PromoteTo(dd, hn::LowerHalf(dh, t)), hn::PromoteTo(dd, hn::LowerHalf(dh, g)), acc0);
    acc1 = hn::MulAdd(hn::PromoteTo(dd, hn::UpperHalf(dh, t)), hn::PromoteTo(dd, hn::UpperHalf(dh, g)), acc1);
#endif
  }
}

template <class T>
void prelu_forward(const T* alpha, std::size_t channels, std::size_t inner, std::size_t u0, std::size_t u1,
                   const T* x, T* y) {
  for (std::size_t u = u0; u < u1; ++u) {
    P<hn::ScalableTag<T>> p{};
    p[fn::Prelu::kWeight] = alpha[u % channels];
    const std::size_t at = u * inner;
    for_each_vector(x + at, static_cast<const T*>(nullptr), y + at, inner, [&](auto d, auto v, auto) {
      return hn::IfThenElse(hn::IsNaN(v), v, PiecewiseLinear<fn::Prelu>::f(d, v, p));
    });
  }
}

/// One vector of the backward: dx, and the da terms (x where x ≤ 0 or NaN, else 0) times dy added
/// to the accumulators.
template <class D, class V, class VD>
V prelu_backward_step(D d, V x, V g, const P<D>& p, VD& acc0, VD& acc1) {
  add_products(d, hn::IfThenZeroElse(x > hn::Zero(d), x), g, acc0, acc1);
  return hn::Mul(g, hn::IfThenElse(hn::IsNaN(x), x, PiecewiseLinear<fn::Prelu>::df(d, x, p)));
}

template <class T>
void prelu_backward(const T* alpha, std::size_t channels, std::size_t inner, std::size_t u0, std::size_t u1,
                    const T* x, const T* dy, T* dx, double* dalpha) {
  const hn::ScalableTag<T> d;
  const hn::Repartition<double, decltype(d)> dd;
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t u = u0; u < u1; ++u) {
    P<decltype(d)> p{};
    const std::size_t c = u % channels, at = u * inner;
    p[fn::Prelu::kWeight] = alpha[c];
    if (!dalpha) {
      for_each_vector(x + at, dy + at, dx + at, inner, [&](auto dt, auto vx, auto g) {
        return hn::Mul(g, hn::IfThenElse(hn::IsNaN(vx), vx, PiecewiseLinear<fn::Prelu>::df(dt, vx, p)));
      });
      continue;
    }
    // Two vectors per iteration into four accumulators: the sums are chains of dependent FMAs,
    // and one chain would wait on each FMA's latency.
    auto a0 = hn::Zero(dd), a1 = hn::Zero(dd), a2 = hn::Zero(dd), a3 = hn::Zero(dd);
    const T *bx = x + at, *bg = dy + at;
    T* bdx = dx + at;
    std::size_t i = 0;
    for (; i + 2 * lanes <= inner; i += 2 * lanes) {
      const auto x0 = hn::LoadU(d, bx + i), x1 = hn::LoadU(d, bx + i + lanes);
      const auto g0 = hn::LoadU(d, bg + i), g1 = hn::LoadU(d, bg + i + lanes);
      hn::StoreU(prelu_backward_step(d, x0, g0, p, a0, a1), d, bdx + i);
      hn::StoreU(prelu_backward_step(d, x1, g1, p, a2, a3), d, bdx + i + lanes);
    }
    for_each_vector(bx + i, bg + i, bdx + i, inner - i, [&](auto dt, auto vx, auto g) {
      return prelu_backward_step(dt, vx, g, p, a0, a1);
    });
    dalpha[c] += hn::GetLane(hn::SumOfLanes(dd, hn::Add(hn::Add(a0, a1), hn::Add(a2, a3))));
  }
}

// ---- channels last (inner = 1): rows of `channels` elements, vectors along the channels -------

/// v in f64 lanes (f64 data as they are).
template <class DD, class V>
auto widen(DD dd, V v) {
  if constexpr (std::is_same_v<hn::TFromV<V>, double>) {
    (void)dd;
    return v;
  } else {
    return hn::PromoteTo(dd, v);
  }
}

/// Rows r0 ≤ r < r1, element c of a row with slope alpha[c]; the channels past the last whole
/// vector by the scalar formula (fn::Prelu, the reference's own).
template <class T>
void prelu_rows_forward(const T* alpha, std::size_t channels, std::size_t r0, std::size_t r1, const T* x, T* y) {
  const hn::ScalableTag<T> d;
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t r = r0; r < r1; ++r) {
    const T* xr = x + r * channels;
    T* yr = y + r * channels;
    std::size_t c = 0;
    for (; c + lanes <= channels; c += lanes) {
      const auto v = hn::LoadU(d, xr + c);
      const auto leaky = hn::IfThenElse(v > hn::Zero(d), v, hn::Mul(hn::LoadU(d, alpha + c), v));
      hn::StoreU(hn::IfThenElse(hn::IsNaN(v), v, leaky), d, yr + c);
    }
    for (; c < channels; ++c) yr[c] = fn::f_guarded<fn::Prelu>(xr[c], fn::Params<T>{alpha[c]});
  }
}

/// As prelu_rows_forward for backward; dalpha[c] += Σ dy·x over x ≤ 0 of column c, in f64. Vectors
/// hold as many T lanes as an f64 vector, so the da terms widen in one step.
template <class T>
void prelu_rows_backward(const T* alpha, std::size_t channels, std::size_t r0, std::size_t r1, const T* x,
                         const T* dy, T* dx, double* dalpha) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<T, decltype(dd)> d;
  const std::size_t lanes = hn::Lanes(dd);
  for (std::size_t r = r0; r < r1; ++r) {
    const std::size_t at = r * channels;
    std::size_t c = 0;
    for (; c + lanes <= channels; c += lanes) {
      const auto v = hn::LoadU(d, x + at + c), g = hn::LoadU(d, dy + at + c);
      const auto slope = hn::IfThenElse(v > hn::Zero(d), hn::Set(d, T(1)), hn::LoadU(d, alpha + c));
      hn::StoreU(hn::Mul(g, hn::IfThenElse(hn::IsNaN(v), v, slope)), d, dx + at + c);
      if (dalpha) {
        const auto t = hn::IfThenZeroElse(v > hn::Zero(d), v);
        hn::StoreU(hn::MulAdd(widen(dd, t), widen(dd, g), hn::LoadU(dd, dalpha + c)), dd, dalpha + c);
      }
    }
    for (; c < channels; ++c) {
      const T v = x[at + c], g = dy[at + c];
      if (dalpha) dalpha[c] += static_cast<double>(v > 0 ? T(0) : v) * static_cast<double>(g);
      dx[at + c] = g * fn::df_guarded<fn::Prelu>(v, fn::Params<T>{alpha[c]});
    }
  }
}

}  // namespace

void PreluForwardF32(const float* a, std::size_t c, std::size_t inner, std::size_t u0, std::size_t u1,
                     const float* x, float* y) {
  prelu_forward(a, c, inner, u0, u1, x, y);
}
void PreluForwardF64(const double* a, std::size_t c, std::size_t inner, std::size_t u0, std::size_t u1,
                     const double* x, double* y) {
  prelu_forward(a, c, inner, u0, u1, x, y);
}
void PreluBackwardF32(const float* a, std::size_t c, std::size_t inner, std::size_t u0, std::size_t u1,
                      const float* x, const float* dy, float* dx, double* da) {
  prelu_backward(a, c, inner, u0, u1, x, dy, dx, da);
}
void PreluBackwardF64(const double* a, std::size_t c, std::size_t inner, std::size_t u0, std::size_t u1,
                      const double* x, const double* dy, double* dx, double* da) {
  prelu_backward(a, c, inner, u0, u1, x, dy, dx, da);
}
void PreluRowsForwardF32(const float* a, std::size_t c, std::size_t r0, std::size_t r1, const float* x, float* y) {
  prelu_rows_forward(a, c, r0, r1, x, y);
}
void PreluRowsForwardF64(const double* a, std::size_t c, std::size_t r0, std::size_t r1, const double* x, double* y) {
  prelu_rows_forward(a, c, r0, r1, x, y);
}
void PreluRowsBackwardF32(const float* a, std::size_t c, std::size_t r0, std::size_t r1, const float* x,
                          const float* dy, float* dx, double* da) {
  prelu_rows_backward(a, c, r0, r1, x, dy, dx, da);
}
void PreluRowsBackwardF64(const double* a, std::size_t c, std::size_t r0, std::size_t r1, const double* x,
                          const double* dy, double* dx, double* da) {
  prelu_rows_backward(a, c, r0, r1, x, dy, dx, da);
}

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd.hpp"

namespace actfn::kernels {

HWY_EXPORT(PreluForwardF32);
HWY_EXPORT(PreluForwardF64);
HWY_EXPORT(PreluBackwardF32);
HWY_EXPORT(PreluBackwardF64);
HWY_EXPORT(PreluRowsForwardF32);
HWY_EXPORT(PreluRowsForwardF64);
HWY_EXPORT(PreluRowsBackwardF32);
HWY_EXPORT(PreluRowsBackwardF64);

void simd_prelu_forward(const float* alpha, std::size_t channels, std::size_t inner, std::size_t u0, std::size_t u1,
                        const float* x, float* y) {
  HWY_DYNAMIC_DISPATCH(PreluForwardF32)(alpha, channels, inner, u0, u1, x, y);
}
void simd_prelu_forward(const double* alpha, std::size_t channels, std::size_t inner, std::size_t u0, std::size_t u1,
                        const double* x, double* y) {
  HWY_DYNAMIC_DISPATCH(PreluForwardF64)(alpha, channels, inner, u0, u1, x, y);
}
void simd_prelu_backward(const float* alpha, std::size_t channels, std::size_t inner, std::size_t u0,
                         std::size_t u1, const float* x, const float* dy, float* dx, double* dalpha) {
  HWY_DYNAMIC_DISPATCH(PreluBackwardF32)(alpha, channels, inner, u0, u1, x, dy, dx, dalpha);
}
void simd_prelu_backward(const double* alpha, std::size_t channels, std::size_t inner, std::size_t u0,
                         std::size_t u1, const double* x, const double* dy, double* dx, double* dalpha) {
  HWY_DYNAMIC_DISPATCH(PreluBackwardF64)(alpha, channels, inner, u0, u1, x, dy, dx, dalpha);
}

void simd_prelu_rows_forward(const float* alpha, std::size_t channels, std::size_t r0, std::size_t r1,
                             const float* x, float* y) {
  HWY_DYNAMIC_DISPATCH(PreluRowsForwardF32)(alpha, channels, r0, r1, x, y);
}
void simd_prelu_rows_forward(const double* alpha, std::size_t channels, std::size_t r0, std::size_t r1,
                             const double* x, double* y) {
  HWY_DYNAMIC_DISPATCH(PreluRowsForwardF64)(alpha, channels, r0, r1, x, y);
}
void simd_prelu_rows_backward(const float* alpha, std::size_t channels, std::size_t r0, std::size_t r1,
                              const float* x, const float* dy, float* dx, double* dalpha) {
  HWY_DYNAMIC_DISPATCH(PreluRowsBackwardF32)(alpha, channels, r0, r1, x, dy, dx, dalpha);
}
void simd_prelu_rows_backward(const double* alpha, std::size_t channels, std::size_t r0, std::size_t r1,
                              const double* x, const double* dy, double* dx, double* dalpha) {
  HWY_DYNAMIC_DISPATCH(PreluRowsBackwardF64)(alpha, channels, r0, r1, x, dy, dx, dalpha);
}

}  // namespace actfn::kernels
#endif  // HWY_ONCE
