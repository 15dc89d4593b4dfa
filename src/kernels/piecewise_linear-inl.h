// SIMD kernels of the piecewise-linear activations, one struct per formula struct. Each computes
// in the data type with the same single roundings as the reference (src/core/functions), so the
// results are bit-identical to it on every target (hard_sigmoid's forward but for ties: kFaithful).
// No include guard: Highway compiles this file once per target (foreach_target.h), inside that
// target's namespace.
//
// A kernel struct PiecewiseLinear<F> has f(d, x, p) and df(d, x, p), and df_from_y(d, y, p) where F has it;
// p holds the parameters already rounded to the data type. NaN handling is the driver's (simd.cpp).

#include "exact-inl.h"

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class F>
struct PiecewiseLinear;  // specialised below for the activations that have a kernel

template <>
struct PiecewiseLinear<fn::Step> {
  template <class D, class V>
  static V f(D d, V x, const P<D>& p) {
    return hn::IfThenElse(x > hn::Zero(d), hn::Set(d, 1), hn::IfThenElse(x < hn::Zero(d), hn::Zero(d), hn::Set(d, p[fn::Step::kValueAtZero])));
  }
  template <class D, class V>
  static V df(D d, V, const P<D>&) {
    return hn::Zero(d);
  }
  template <class D, class V>
  static V df_from_y(D d, V, const P<D>&) {
    return hn::Zero(d);
  }
};

template <>
struct PiecewiseLinear<fn::Hardtanh> {
  template <class D, class V>
  static V f(D d, V x, const P<D>& p) {
    const V lo = hn::Set(d, p[fn::Hardtanh::kMinVal]), hi = hn::Set(d, p[fn::Hardtanh::kMaxVal]);
    return hn::IfThenElse(x < lo, lo, hn::IfThenElse(x > hi, hi, x));
  }
  template <class D, class V>
  static V df(D d, V x, const P<D>& p) {
    return hn::IfThenElseZero(hn::And(x > hn::Set(d, p[fn::Hardtanh::kMinVal]), x < hn::Set(d, p[fn::Hardtanh::kMaxVal])), hn::Set(d, 1));
  }
  template <class D, class V>
  static V df_from_y(D d, V y, const P<D>& p) {
    return df(d, y, p);
  }
};

template <>
struct PiecewiseLinear<fn::Relu> {
  template <class D, class V>
  static V f(D d, V x, const P<D>&) {
    return hn::IfThenElseZero(x > hn::Zero(d), x);
  }
  template <class D, class V>
  static V df(D d, V x, const P<D>&) {
    return hn::IfThenElseZero(x > hn::Zero(d), hn::Set(d, 1));
  }
  template <class D, class V>
  static V df_from_y(D d, V y, const P<D>& p) {
    return df(d, y, p);
  }
};

/// leaky_relu and prelu: x for x > 0, slope x otherwise; the slope is parameter kSlope.
template <std::size_t kSlope>
struct LeakyKernel {
  template <class D, class V>
  static V f(D d, V x, const P<D>& p) {
    return hn::IfThenElse(x > hn::Zero(d), x, hn::Mul(hn::Set(d, p[kSlope]), x));
  }
  template <class D, class V>
  static V df(D d, V x, const P<D>& p) {
    return hn::IfThenElse(x > hn::Zero(d), hn::Set(d, 1), hn::Set(d, p[kSlope]));
  }
};
template <>
struct PiecewiseLinear<fn::LeakyRelu> : LeakyKernel<fn::LeakyRelu::kNegativeSlope> {
  template <class D, class V>
  static V df_from_y(D d, V y, const P<D>& p) {
    return df(d, y, p);
  }
};
template <>
struct PiecewiseLinear<fn::Prelu> : LeakyKernel<fn::Prelu::kWeight> {};

template <>
struct PiecewiseLinear<fn::ClippedRelu> {
  template <class D, class V>
  static V f(D d, V x, const P<D>& p) {
    const V c = hn::Set(d, p[fn::ClippedRelu::kCeiling]);
    return hn::IfThenElseZero(x > hn::Zero(d), hn::IfThenElse(x < c, x, c));
  }
  template <class D, class V>
  static V df(D d, V x, const P<D>& p) {
    return hn::IfThenElseZero(hn::And(x > hn::Zero(d), x < hn::Set(d, p[fn::ClippedRelu::kCeiling])), hn::Set(d, 1));
  }
  template <class D, class V>
  static V df_from_y(D d, V y, const P<D>& p) {
    return df(d, y, p);
  }
};

template <>
struct PiecewiseLinear<fn::Threshold> {
  template <class D, class V>
  static V f(D d, V x, const P<D>& p) {
    return hn::IfThenElse(x > hn::Set(d, p[fn::Threshold::kThreshold]), x, hn::Set(d, p[fn::Threshold::kValue]));
  }
  template <class D, class V>
  static V df(D d, V x, const P<D>& p) {
    return hn::IfThenElseZero(x > hn::Set(d, p[fn::Threshold::kThreshold]), hn::Set(d, 1));
  }
};

template <>
struct PiecewiseLinear<fn::ReluSquared> {
  template <class D, class V>
  static V f(D d, V x, const P<D>&) {
    return hn::IfThenElseZero(x > hn::Zero(d), hn::Mul(x, x));
  }
  template <class D, class V>
  static V df(D d, V x, const P<D>&) {
    return hn::IfThenElseZero(x > hn::Zero(d), hn::Add(x, x));
  }
  template <class D, class V>
  static V df_from_y(D d, V y, const P<D>&) {
    return hn::Mul(hn::Set(d, 2), hn::Sqrt(y));
  }
};

/// hardshrink and softshrink share the dead zone [-lambd, lambd] and its derivative; lambd is
/// parameter kLambd.
template <std::size_t kLambd>
struct ShrinkKernel {
  template <class D, class V>
  static auto outside(D d, V x, const P<D>& p) {
    return hn::Or(x > hn::Set(d, p[kLambd]), x < hn::Neg(hn::Set(d, p[kLambd])));
  }
  template <class D, class V>
  static V df(D d, V x, const P<D>& p) {
    return hn::IfThenElseZero(outside(d, x, p), hn::Set(d, 1));
  }
  template <class D, class V>
  static V df_from_y(D d, V y, const P<D>&) {
    return hn::IfThenElseZero(y != hn::Zero(d), hn::Set(d, 1));
  }
};
template <>
struct PiecewiseLinear<fn::Hardshrink> : ShrinkKernel<fn::Hardshrink::kLambd> {
  template <class D, class V>
  static V f(D d, V x, const P<D>& p) {
    return hn::IfThenElseZero(outside(d, x, p), x);
  }
};
template <>
struct PiecewiseLinear<fn::Softshrink> : ShrinkKernel<fn::Softshrink::kLambd> {
  template <class D, class V>
  static V f(D d, V x, const P<D>& p) {
    const V l = hn::Set(d, p[fn::Softshrink::kLambd]);
    return hn::IfThenElse(x > l, hn::Sub(x, l), hn::IfThenElseZero(x < hn::Neg(l), hn::Add(x, l)));
  }
};

template <>
struct PiecewiseLinear<fn::Identity> {
  template <class D, class V>
  static V f(D, V x, const P<D>&) {
    return x;
  }
  template <class D, class V>
  static V df(D d, V, const P<D>&) {
    return hn::Set(d, 1);
  }
  template <class D, class V>
  static V df_from_y(D d, V, const P<D>&) {
    return hn::Set(d, 1);
  }
};

/// a·b + c rounded once, as std::fma: one instruction where the target has FMA; elsewhere
/// (SSSE3, SSE4, EMU128) std::fma lane by lane, since a separate multiply and add round twice.
template <class D, class V>
HWY_INLINE V exact_fma(D d, V a, V b, V c) {
#if HWY_NATIVE_FMA
  (void)d;
  return hn::MulAdd(a, b, c);
#else
  using T = hn::TFromD<D>;
  HWY_ALIGN T va[HWY_MAX_BYTES / sizeof(T)], vb[HWY_MAX_BYTES / sizeof(T)], vc[HWY_MAX_BYTES / sizeof(T)];
  hn::Store(a, d, va);
  hn::Store(b, d, vb);
  hn::Store(c, d, vc);
  for (std::size_t i = 0; i < hn::Lanes(d); ++i) va[i] = std::fma(va[i], vb[i], vc[i]);
  return hn::Load(d, va);
#endif
}

/// hard_sigmoid as fn::HardSigmoid: 0 up to the corner c = p[kLowerCorner], 1 from u = p[kUpperCorner] (both derived in
/// the data type), between them slope·hi + fl(slope·lo) rounded by one FMA, x - c = hi + lo an
/// exact pair: faithful (kFaithful), the reference's correctly rounded result except where the
/// sum falls on a tie that fl(slope·lo)'s rounding error would have decided (breaking it exactly
/// costs 8 more operations a vector; docs/accuracy.md). A NaN x fails every comparison and stays
/// NaN. f' is the slope strictly between the corners, 0 elsewhere.
template <>
struct PiecewiseLinear<fn::HardSigmoid> {
  template <class D, class V>
  static V f(D d, V x, const P<D>& p) {
    const V c = hn::Set(d, p[fn::HardSigmoid::kLowerCorner]), u = hn::Set(d, p[fn::HardSigmoid::kUpperCorner]), slope = hn::Set(d, p[fn::HardSigmoid::kSlope]), one = hn::Set(d, 1);
    V lo;
    const V hi = exact::two_sum<D>(x, hn::Neg(c), lo);
    const V t = hn::Min(exact_fma(d, slope, hi, hn::Mul(slope, lo)), one);
    return hn::IfThenElse(x <= c, hn::Zero(d), hn::IfThenElse(x >= u, one, t));
  }
  template <class D, class V>
  static V df(D d, V x, const P<D>& p) {
    return hn::IfThenElseZero(hn::And(x > hn::Set(d, p[fn::HardSigmoid::kLowerCorner]), x < hn::Set(d, p[fn::HardSigmoid::kUpperCorner])), hn::Set(d, p[fn::HardSigmoid::kSlope]));
  }
};

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
