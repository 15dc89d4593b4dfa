// Element-wise calls (actfn/ops.hpp): f32 and f64 data through the kernels the table declares,
// split across threads; bf16 and f16 data widened to float a chunk at a time and rounded once;
// RReLU's training noise; the reference for every call no kernel takes.
#include <algorithm>
#include <vector>

#include "actfn/error.hpp"
#include "actfn/reference.hpp"
#include "common.hpp"
#include "parallel.hpp"
#include "simd.hpp"

namespace actfn::ops {
namespace {

/// How an element-wise backward call runs.
enum class Backward {
  kReference,      // no kernel takes it (the reference reports any error)
  kKernel,         // the table's df or df_from_y
  kPreluWeight,    // PReLU's one learned weight: the per-channel kernel with one channel
  kParamGradient,  // dx and the learnable parameters' gradients (the table's df and dparams)
};

/// The call shape's predicates. Forward: the activation is element-wise with parameters valid in
/// T, has an f kernel, and x and y have one size and do not partially overlap.
template <class T>
bool kernel_takes(const Activation& act, std::span<const T> x, std::span<const T> y) {
  return element_wise_and_valid<T>(act) && kernel_ops<T>(act).f != Path::None && x.size() == y.size() &&
         disjoint_or_same(x, y);
}

/// Backward from x (a.y may be given too) or from y (a.x empty): sizes that agree, no partial
/// overlap with dx, parameter gradients apart from everything else.
template <class T>
Backward backward_route(const Activation& act, BackwardArgs<T> a, std::span<const T> dx, std::span<T> dparams) {
  const bool from_y = a.x.empty();
  const std::span<const T> in = from_y ? a.y : a.x;
  const bool plain = element_wise_and_valid<T>(act) && !in.empty() && (!from_y || act.backward_from_y()) &&
                     in.size() == a.dy.size() && dx.size() == a.dy.size() &&
                     (a.x.empty() || a.y.empty() || a.x.size() == a.y.size()) && disjoint_or_same(in, dx) &&
                     disjoint_or_same(a.dy, dx);
  const kernels::Ops& table = kernel_ops<T>(act);
  if (plain && dparams.empty() && (from_y ? table.df_from_y : table.df) != Path::None) return Backward::kKernel;
  const std::span<const T> dp(dparams);
  const bool apart = disjoint(a.x, dp) && disjoint(a.y, dp) && disjoint(a.dy, dp) && disjoint(dx, dp);
  if (plain && apart && !from_y && table.per_channel == Path::Channels && dparams.size() == 1)
    return Backward::kPreluWeight;
  if (plain && apart && !from_y && !dparams.empty() && dparams.size() == learnable_count(act.kind()) &&
      table.dparams != Path::None && table.df != Path::None)
    return Backward::kParamGradient;
  return Backward::kReference;
}

/// Training noise (RReLU's): a Noise kernel in the table, parameters valid in T, in and out (and
/// dy in backward) of one size, out exactly aliasing an input or apart from them.
template <class T>
bool noise_kernel_takes(const Activation& act, std::span<const T> x, std::span<const T> dy, std::span<const T> out,
                        bool backward) {
  return kernel_ops<T>(act).train == Path::Noise && x.size() == out.size() && disjoint_or_same(x, out) &&
         (!backward || (dy.size() == out.size() && disjoint_or_same(dy, out))) && element_wise_and_valid<T>(act);
}

/// dx and the learnable parameters' gradients (swish's β, the generalized sigmoid's and shifted
/// tanh's parameters) for f32 or f64 data: each thread's slice runs the dx kernel and the
/// parameter-gradient kernel over the same span, summing in f64 into its own row of partial sums,
/// added in slice order onto dparams: the same result for the same thread count.
template <class T>
void backward_with_param_gradient(const Activation& act, BackwardArgs<T> a, std::span<T> dx, std::span<T> dparams) {
  const double* p = act.params().data();
  std::vector<double> partial(max_slices() * kMaxParams, 0.0);
  parallel_for(dx.size(), kGrain, 1, [&](std::size_t slice, std::size_t begin, std::size_t end) {
    kernels::simd_param_gradient(act.kind(), p, a.x.data() + begin, a.dy.data() + begin, end - begin,
                                 partial.data() + slice * kMaxParams);
    kernels::simd_backward(act.kind(), false, p, a.x.data() + begin, a.dy.data() + begin, dx.data() + begin,
                           end - begin);
  });
  std::size_t j = 0;
  for (std::size_t k = 0; k < act.info().params.size(); ++k) {
    if (!act.info().params[k].learnable) continue;
    double sum = static_cast<double>(dparams[j]);
    for (std::size_t s = 0; s < max_slices(); ++s) sum += partial[s * kMaxParams + k];
    dparams[j++] = static_cast<T>(sum);
  }
}

template <class T>
void forward_native(const Activation& act, std::span<const T> x, std::span<T> y) {
  if (!kernel_takes<T>(act, x, y)) return reference::forward(act, x, y);
  const double* p = act.params().data();
  parallel_for(x.size(), kGrain, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
    kernels::simd_forward(act.kind(), p, x.data() + begin, y.data() + begin, end - begin);
  });
}

template <class T>
void backward_native(const Activation& act, BackwardArgs<T> a, std::span<T> dx, std::span<T> dparams) {
  const bool from_y = a.x.empty();
  const std::span<const T> in = from_y ? a.y : a.x;
  const double* p = act.params().data();
  switch (backward_route<T>(act, a, dx, dparams)) {
    case Backward::kKernel:
      return parallel_for(dx.size(), kGrain, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
        kernels::simd_backward(act.kind(), from_y, p, in.data() + begin, a.dy.data() + begin, dx.data() + begin,
                               end - begin);
      });
    case Backward::kPreluWeight: {
      const T weight = static_cast<T>(act.param("weight"));
      return prelu_backward(Channels{1, 1, dx.size()}, std::span<const T>(&weight, 1), a.x, a.dy, dx, dparams);
    }
    case Backward::kParamGradient:
      return backward_with_param_gradient(act, a, dx, dparams);
    case Backward::kReference:
      return reference::backward(act, a, dx, dparams);
  }
}

// ---- bf16 and f16 storage: widen a chunk to float, compute it as float data, round once ---------

template <class T>
constexpr bool kStorage16 = std::is_same_v<T, bf16> || std::is_same_v<T, f16>;

/// Floats per chunk: stack buffers of 4 KiB stay in L1 while they are widened, computed and
/// rounded. They are 64-byte aligned: a vector straddling two cache lines would cost twice.
constexpr std::size_t kChunk = 1024;

template <class H>
void forward_16(const Activation& act, std::span<const H> x, std::span<H> y) {
  checks::shape(act, false, Precision::F32);
  checks::pair(act, "forward", x, y, "x", "y");
  const double* p = act.params().data();
  const bool kernel = kernel_ops<float>(act).f != Path::None;
  parallel_for(x.size(), kChunk, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
    alignas(64) float buf[kChunk];
    for (std::size_t i = begin; i < end; i += kChunk) {
      const std::size_t m = std::min(kChunk, end - i);
      kernels::simd_widen(x.data() + i, buf, m);
      if (kernel)
        kernels::simd_forward(act.kind(), p, buf, buf, m);
      else
        reference::forward<float>(act, std::span<const float>(buf, m), std::span<float>(buf, m));
      kernels::simd_narrow(buf, y.data() + i, m);
    }
  });
}

template <class H>
void backward_16(const Activation& act, BackwardArgs<H> a, std::span<H> dx, std::span<H> dparams) {
  checks::shape(act, false, Precision::F32);
  if (!dparams.empty())
    throw Error(std::string(act.name()) + " backward: parameter gradients need float or double data");
  checks::backward_args(act, a, dx, false);
  const bool from_y = a.x.empty();
  const std::span<const H> in = from_y ? a.y : a.x;
  const double* p = act.params().data();
  const bool kernel = (from_y ? kernel_ops<float>(act).df_from_y : kernel_ops<float>(act).df) != Path::None;
  parallel_for(dx.size(), kChunk, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
    alignas(64) float bin[kChunk], bdy[kChunk];
    for (std::size_t i = begin; i < end; i += kChunk) {
      const std::size_t m = std::min(kChunk, end - i);
      kernels::simd_widen(in.data() + i, bin, m);
      kernels::simd_widen(a.dy.data() + i, bdy, m);
      const std::span<const float> vin(bin, m), vdy(bdy, m);
      if (kernel)
        kernels::simd_backward(act.kind(), from_y, p, bin, bdy, bdy, m);
      else if (from_y)
        reference::backward<float>(act, {.y = vin, .dy = vdy}, std::span<float>(bdy, m));
      else
        reference::backward<float>(act, {.x = vin, .dy = vdy}, std::span<float>(bdy, m));
      kernels::simd_narrow(bdy, dx.data() + i, m);
    }
  });
}

}  // namespace
}  // namespace actfn::ops

namespace actfn {

template <class T>
void forward_with_slope(const Activation& act, std::span<const T> x, std::span<T> y, std::span<T> slope) {
  checks::shape(act, false, precision_of<T>);
  checks::pair(act, "forward_with_slope", x, y, "x", "y");
  checks::pair(act, "forward_with_slope", x, slope, "x", "slope");
  if (!slope.empty() && (!ops::disjoint(x, slope) || !ops::disjoint(std::span<const T>(y), slope)))
    throw Error(std::string(act.name()) + " forward_with_slope: slope overlaps x or y");
  const double* p = act.params().data();
  if (ops::kernel_ops<T>(act).fdf != kernels::Path::None) {
    ops::parallel_for(x.size(), ops::kGrain, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
      kernels::simd_forward_with_slope(act.kind(), p, x.data() + begin, y.data() + begin, slope.data() + begin,
                                       end - begin);
    });
    return;
  }
  // The slope first: y may be x.
  const std::vector<T> ones(x.size(), T(1));
  ops::backward_native<T>(act, {.x = x, .dy = ones}, slope, {});
  ops::forward_native(act, x, y);
}

template <class T>
bool has_slope_kernel(const Activation& act) {
  return !act.info().vector_wise && ops::kernel_ops<T>(act).fdf != kernels::Path::None;
}

template <class T>
void forward(const Activation& act, std::span<const T> x, std::span<T> y) {
  if constexpr (ops::kStorage16<T>)
    ops::forward_16(act, x, y);
  else
    ops::forward_native(act, x, y);
}

template <class T>
void backward(const Activation& act, BackwardArgs<T> a, std::span<T> dx, std::span<T> dparams) {
  if constexpr (ops::kStorage16<T>)
    ops::backward_16(act, a, dx, dparams);
  else
    ops::backward_native(act, a, dx, dparams);
}

template <class T>
bool has_kernel(const Activation& act) {
  return ops::kernel_ops<T>(act).f != kernels::Path::None;
}

/// RReLU's training noise over threads: each slice computes the slopes of its own indices
/// (offset + begin on), so the result does not depend on the split.
template <class T>
void rrelu_train_forward(const Activation& act, std::uint64_t seed, std::uint64_t offset, std::span<const T> x,
                         std::span<T> y) {
  if (ops::noise_kernel_takes<T>(act, x, {}, y, false)) {
    const double lower = act.param("lower"), upper = act.param("upper");
    return ops::parallel_for(x.size(), ops::kGrain, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
      kernels::simd_rrelu_train(lower, upper, seed, offset + begin, x.data() + begin, static_cast<const T*>(nullptr),
                                y.data() + begin, end - begin);
    });
  }
  reference::rrelu_train_forward(act, seed, offset, x, y);
}
template <class T>
void rrelu_train_backward(const Activation& act, std::uint64_t seed, std::uint64_t offset, std::span<const T> x,
                          std::span<const T> dy, std::span<T> dx) {
  if (ops::noise_kernel_takes<T>(act, x, dy, dx, true)) {
    const double lower = act.param("lower"), upper = act.param("upper");
    return ops::parallel_for(x.size(), ops::kGrain, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
      kernels::simd_rrelu_train(lower, upper, seed, offset + begin, x.data() + begin, dy.data() + begin,
                                dx.data() + begin, end - begin);
    });
  }
  reference::rrelu_train_backward(act, seed, offset, x, dy, dx);
}

#define ACTFN_INSTANTIATE(T)                                                                                  \
  template void forward<T>(const Activation&, std::span<const T>, std::span<T>);                              \
  template void backward<T>(const Activation&, BackwardArgs<T>, std::span<T>, std::span<T>);                  \
  template void rrelu_train_forward<T>(const Activation&, std::uint64_t, std::uint64_t, std::span<const T>,    \
                                       std::span<T>);                                                         \
  template void rrelu_train_backward<T>(const Activation&, std::uint64_t, std::uint64_t, std::span<const T>,   \
                                        std::span<const T>, std::span<T>);                                    \
  template bool has_kernel<T>(const Activation&);                                                              \
  template void forward_with_slope<T>(const Activation&, std::span<const T>, std::span<T>, std::span<T>);      \
  template bool has_slope_kernel<T>(const Activation&);
ACTFN_INSTANTIATE(float)
ACTFN_INSTANTIATE(double)
#undef ACTFN_INSTANTIATE
template void forward<bf16>(const Activation&, std::span<const bf16>, std::span<bf16>);
template void backward<bf16>(const Activation&, BackwardArgs<bf16>, std::span<bf16>, std::span<bf16>);
template void forward<f16>(const Activation&, std::span<const f16>, std::span<f16>);
template void backward<f16>(const Activation&, BackwardArgs<f16>, std::span<f16>, std::span<f16>);

}  // namespace actfn
