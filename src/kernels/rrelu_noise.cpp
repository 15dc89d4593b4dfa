// RReLU in training mode, f32 and f64, forward and backward, compiled once per instruction set
// (foreach_target) like simd.cpp. Bit-identical to the reference (reference.cpp), which is the
// spec: element i of a call with (seed, offset) has the slope
//   a_i = lower + (upper - lower)·u_i,  u_i = (mix64(mix64(seed) + offset + i) >> 11)·2^-53 ∈ [0, 1)
// (mix64: SplitMix64's finaliser), rounded to the data type; y = x for x ≥ 0 (and NaN), else
// x·a_i; dx = dy for x > 0, dy·NaN for NaN x, else dy·a_i. So a slice of the array computes the
// same slopes on any thread and in any call split.
//
// The hash runs in u64 lanes as many as f64 has (f32 data widened to f64 lanes: a float times a
// float is exact in f64, so its one rounding to float is the float product's). x86 has no 64-bit
// lane multiply below AVX-512: the products are formed from 32-bit halves (MulEven). The file is
// compiled with -ffp-contract=off (CMakeLists.txt): the slope's product and sum round apart, as
// in the reference, where GCC would otherwise fuse them on FMA targets.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "functions/all.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "rrelu_noise.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "loops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

/// SplitMix64's finaliser, the reference's mix64, in scalar code.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// The slopes' parameters: lower, upper - lower (as the reference rounds it), mix64(seed).
struct Noise {
  double lower, width;
  std::uint64_t seed_mix;
  std::uint64_t offset;
};

#if HWY_TARGET == HWY_SCALAR
/// The slope of element `index`, in scalar code (the reference's formula).
double slope_scalar(const Noise& z, std::uint64_t index) {
  const double u = static_cast<double>(mix64(z.seed_mix + index) >> 11) * 0x1p-53;
  return z.lower + z.width * u;
}
#else
using DU = hn::ScalableTag<std::uint64_t>;
using VU = hn::Vec<DU>;

/// a·k mod 2^64 from 32-bit halves: al·kl + ((ah·kl + al·kh) << 32).
HWY_INLINE VU mul_lo64(DU du, VU a, std::uint64_t k) {
  const hn::Repartition<std::uint32_t, DU> d32;
  const VU kl = hn::Set(du, k & 0xFFFFFFFFu), kh = hn::Set(du, k >> 32);
  const VU low = hn::MulEven(hn::BitCast(d32, a), hn::BitCast(d32, kl));
  const VU cross = hn::Add(hn::MulEven(hn::BitCast(d32, hn::ShiftRight<32>(a)), hn::BitCast(d32, kl)),
                           hn::MulEven(hn::BitCast(d32, a), hn::BitCast(d32, kh)));
  return hn::Add(low, hn::ShiftLeft<32>(cross));
}

HWY_INLINE VU mix64_lanes(DU du, VU z) {
  z = mul_lo64(du, hn::Xor(z, hn::ShiftRight<30>(z)), 0xbf58476d1ce4e5b9ULL);
  z = mul_lo64(du, hn::Xor(z, hn::ShiftRight<27>(z)), 0x94d049bb133111ebULL);
  return hn::Xor(z, hn::ShiftRight<31>(z));
}
#endif

/// Calls op(x, slope, dy) for each element (dy 0 where absent) and stores its result in out;
/// slope is the element's slope rounded to T, held as a double.
template <class T, class Op>
void for_each_slope(const Noise& z, const T* x, const T* dy, T* out, std::size_t n, Op op) {
#if HWY_TARGET != HWY_SCALAR
  const hn::ScalableTag<double> dd;
  const hn::Rebind<T, decltype(dd)> dt;  // as many T lanes as dd has doubles
  const hn::RebindToSigned<decltype(dd)> di;
  const hn::Rebind<float, decltype(dd)> df;
  const DU du;
  const std::size_t lanes = hn::Lanes(dd);
  const auto load = [&](const T* p) {
    if constexpr (std::is_same_v<T, float>)
      return hn::PromoteTo(dd, hn::LoadU(dt, p));
    else
      return hn::LoadU(dd, p);
  };
  // mix64(seed) + index for the lanes of the next vector, advanced by one vector per step (Iota
  // builds its vector through memory: once per call, not per vector).
  VU keys = hn::Add(hn::Set(du, z.seed_mix), hn::Iota(du, z.offset));
  const VU advance = hn::Set(du, static_cast<std::uint64_t>(lanes));
  const auto step = [&](const T* px, const T* pdy, T* po) {
    const VU bits = hn::ShiftRight<11>(mix64_lanes(du, keys));
    keys = hn::Add(keys, advance);
    const auto u = hn::Mul(hn::ConvertTo(dd, hn::BitCast(di, bits)), hn::Set(dd, 0x1p-53));
    auto slope = hn::Add(hn::Set(dd, z.lower), hn::Mul(hn::Set(dd, z.width), u));
    if constexpr (std::is_same_v<T, float>) slope = hn::PromoteTo(dd, hn::DemoteTo(df, slope));
    const auto r = op(dd, load(px), slope, pdy ? load(pdy) : hn::Zero(dd));
    if constexpr (std::is_same_v<T, float>)
      hn::StoreU(hn::DemoteTo(df, r), df, po);
    else
      hn::StoreU(r, dd, po);
  };
  for_each_block(x, dy, out, n, lanes, step);
#else
  for (std::size_t i = 0; i < n; ++i) {
    const double s = static_cast<double>(static_cast<T>(slope_scalar(z, z.offset + i)));
    out[i] = static_cast<T>(op(static_cast<double>(x[i]), s, dy ? static_cast<double>(dy[i]) : 0.0));
  }
#endif
}

// The element rules, for f64 lanes and for the scalar target's doubles alike.
struct ForwardRule {
  template <class D, class V>
  V operator()(D, V x, V slope, V) const {
    return hn::IfThenElse(hn::Or(x >= hn::Zero(D()), hn::IsNaN(x)), x, hn::Mul(x, slope));
  }
  double operator()(double x, double slope, double) const { return x >= 0 || std::isnan(x) ? x : x * slope; }
};
struct BackwardRule {
  template <class D, class V>
  V operator()(D d, V x, V slope, V g) const {
    return hn::Mul(g, hn::IfThenElse(x > hn::Zero(d), hn::Set(d, 1.0), hn::IfThenElse(hn::IsNaN(x), x, slope)));
  }
  double operator()(double x, double slope, double g) const { return g * (x > 0 ? 1.0 : std::isnan(x) ? x : slope); }
};

template <class T>
void rrelu_train(double lower, double upper, std::uint64_t seed, std::uint64_t offset, const T* x, const T* dy,
                 T* out, std::size_t n) {
  const Noise z{lower, upper - lower, mix64(seed), offset};
  if (dy)
    for_each_slope(z, x, dy, out, n, BackwardRule{});
  else
    for_each_slope(z, x, dy, out, n, ForwardRule{});
}

}  // namespace

void RreluTrainF32(double lower, double upper, std::uint64_t seed, std::uint64_t offset, const float* x,
                   const float* dy, float* out, std::size_t n) {
  rrelu_train(lower, upper, seed, offset, x, dy, out, n);
}
void RreluTrainF64(double lower, double upper, std::uint64_t seed, std::uint64_t offset, const double* x,
                   const double* dy, double* out, std::size_t n) {
  rrelu_train(lower, upper, seed, offset, x, dy, out, n);
}

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd.hpp"

namespace actfn::kernels {

HWY_EXPORT(RreluTrainF32);
HWY_EXPORT(RreluTrainF64);

void simd_rrelu_train(double lower, double upper, std::uint64_t seed, std::uint64_t offset, const float* x,
                      const float* dy, float* out, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(RreluTrainF32)(lower, upper, seed, offset, x, dy, out, n);
}
void simd_rrelu_train(double lower, double upper, std::uint64_t seed, std::uint64_t offset, const double* x,
                      const double* dy, double* out, std::size_t n) {
  HWY_DYNAMIC_DISPATCH(RreluTrainF64)(lower, upper, seed, offset, x, dy, out, n);
}

}  // namespace actfn::kernels
#endif  // HWY_ONCE
