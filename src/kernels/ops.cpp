// actfn's public operations: SIMD kernels where an activation has one, the reference otherwise.
// Every argument check stays in the reference: a call the kernels cannot take as it is (bad sizes,
// partial overlap, parameter gradients, vector-wise shapes, no kernel) goes there unchanged and
// gets the same results and the same errors.
#include "actfn/ops.hpp"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "actfn/error.hpp"
#include "actfn/reference.hpp"
#include "checks.hpp"
#include "parallel.hpp"
#include "simd.hpp"
#include "table.hpp"

namespace actfn {
namespace {

/// Exact aliasing or no overlap at all; partial overlap is the reference's error to report.
template <class A, class B>
bool disjoint_or_same(std::span<A> a, std::span<B> b) {
  return !checks::partially_overlap(a, b);
}

/// No byte shared.
template <class A, class B>
bool disjoint(std::span<A> a, std::span<B> b) {
  return !checks::overlap(a, b);
}

using kernels::Path;

/// What the kernel table (table.hpp) gives act for T data; bf16 and f16 compute as float.
template <class T>
const kernels::Ops& kernel_ops(const Activation& act) {
  return kernels::row(act.kind()).ops(std::is_same_v<T, double>);
}

/// An element-wise activation whose parameters are valid in T's precision (the reference
/// reports invalid ones).
template <class T>
bool element_wise_and_valid(const Activation& act) {
  if (act.info().vector_wise) return false;
  act.validate(precision_of<T>);
  return true;
}

/// Slices handed to threads are whole multiples of this many elements: whole vectors on every
/// target, whole cache lines for f32 and f64.
constexpr std::size_t kGrain = 64;

/// Channels-first blocks shorter than this (but longer than 1) stay on the reference: a kernel
/// pass per handful of elements would cost more than it saves. inner = 1 (channels last) has its
/// own kernel, along the channels.
constexpr std::size_t kMinPreluBlock = 16;

/// Whether a per-channel call is PReLU in a layout the fused kernels take; anything else (including
/// every malformed call) goes to the reference, which reports the error.
template <class T>
bool prelu_layout(const Activation& act, Channels L, std::span<const T> learned, std::size_t n) {
  return kernel_ops<T>(act).per_channel == Path::Channels && element_wise_and_valid<T>(act) &&
         learned.size() == L.channels &&
         checks::holds(L.outer, L.channels, L.inner, n) && (L.inner == 1 || L.inner >= kMinPreluBlock);
}

/// Whether parameter gradients share no byte with the other arguments (else the reference
/// reports which).
template <class T>
bool gradients_apart(BackwardArgs<T> a, std::span<const T> dx, std::span<const T> learned, std::span<T> dparams) {
  return disjoint(a.x, dparams) && disjoint(a.y, dparams) && disjoint(a.dy, dparams) && disjoint(dx, dparams) &&
         disjoint(learned, dparams);
}

/// PReLU backward with slope learned[c]: dx in the same pass as dlearned[c] += Σ dy·x over x ≤ 0
/// (when dlearned is not empty). Each thread's slice sums into its own row of partial sums, added
/// in slice order: the same result for the same thread count.
template <class T>
void prelu_backward(Channels L, std::span<const T> learned, std::span<const T> x, std::span<const T> dy,
                    std::span<T> dx, std::span<T> dlearned) {
  const std::size_t C = L.channels;
  std::vector<double> partial(dlearned.empty() ? 0 : kernels::max_slices() * C, 0.0);
  const auto sums = [&](std::size_t slice) { return dlearned.empty() ? nullptr : partial.data() + slice * C; };
  if (L.inner == 1)
    kernels::parallel_for(L.outer, 1, C, [&](std::size_t slice, std::size_t begin, std::size_t end) {
      kernels::simd_prelu_rows_backward(learned.data(), C, begin, end, x.data(), dy.data(), dx.data(), sums(slice));
    });
  else
    kernels::parallel_for(L.outer * C, 1, L.inner, [&](std::size_t slice, std::size_t begin, std::size_t end) {
      kernels::simd_prelu_backward(learned.data(), C, L.inner, begin, end, x.data(), dy.data(), dx.data(),
                                   sums(slice));
    });
  for (std::size_t c = 0; c < dlearned.size(); ++c) {
    double sum = static_cast<double>(dlearned[c]);
    for (std::size_t s = 0; s < kernels::max_slices(); ++s) sum += partial[s * C + c];
    dlearned[c] = static_cast<T>(sum);
  }
}

/// dx and the learnable parameters' gradients (swish's β, the generalized sigmoid's and shifted
/// tanh's parameters) for f32 or f64 data: each thread's slice runs the dx kernel and the
/// parameter-gradient kernel over the same span, summing in f64 into its own row of partial sums,
/// added in slice order onto dparams: the same result for the same thread count.
template <class T>
void backward_with_param_gradient(const Activation& act, BackwardArgs<T> a, std::span<T> dx, std::span<T> dparams) {
  const double* p = act.params().data();
  std::vector<double> partial(kernels::max_slices() * kMaxParams, 0.0);
  kernels::parallel_for(dx.size(), kGrain, 1, [&](std::size_t slice, std::size_t begin, std::size_t end) {
    kernels::simd_param_gradient(act.kind(), p, a.x.data() + begin, a.dy.data() + begin, end - begin,
                                 partial.data() + slice * kMaxParams);
    kernels::simd_backward(act.kind(), false, p, a.x.data() + begin, a.dy.data() + begin, dx.data() + begin,
                           end - begin);
  });
  std::size_t j = 0;
  for (std::size_t k = 0; k < act.info().params.size(); ++k) {
    if (!act.info().params[k].learnable) continue;
    double sum = static_cast<double>(dparams[j]);
    for (std::size_t s = 0; s < kernels::max_slices(); ++s) sum += partial[s * kMaxParams + k];
    dparams[j++] = static_cast<T>(sum);
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
  kernels::parallel_for(x.size(), kChunk, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
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
  kernels::parallel_for(dx.size(), kChunk, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
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

template <class T>
void forward_native(const Activation& act, std::span<const T> x, std::span<T> y) {
  const double* p = act.params().data();
  if (element_wise_and_valid<T>(act) && kernel_ops<T>(act).f != Path::None && x.size() == y.size() &&
      disjoint_or_same(x, y)) {
    kernels::parallel_for(x.size(), kGrain, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
      kernels::simd_forward(act.kind(), p, x.data() + begin, y.data() + begin, end - begin);
    });
    return;
  }
  reference::forward(act, x, y);
}

template <class T>
void backward_native(const Activation& act, BackwardArgs<T> a, std::span<T> dx, std::span<T> dparams) {
  const bool from_y = a.x.empty();
  const std::span<const T> in = from_y ? a.y : a.x;
  const bool plain = element_wise_and_valid<T>(act) && !in.empty() && (!from_y || act.backward_from_y()) &&
                     in.size() == a.dy.size() && dx.size() == a.dy.size() &&
                     (a.x.empty() || a.y.empty() || a.x.size() == a.y.size()) && disjoint_or_same(in, dx) &&
                     disjoint_or_same(a.dy, dx);
  const double* p = act.params().data();
  const kernels::Ops& ops = kernel_ops<T>(act);
  if (plain && dparams.empty() && (from_y ? ops.df_from_y : ops.df) != Path::None) {
    kernels::parallel_for(dx.size(), kGrain, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
      kernels::simd_backward(act.kind(), from_y, p, in.data() + begin, a.dy.data() + begin, dx.data() + begin,
                             end - begin);
    });
    return;
  }
  const bool apart = gradients_apart<T>(a, dx, {}, dparams);
  if (plain && apart && !from_y && ops.per_channel == Path::Channels && dparams.size() == 1) {
    const T weight = static_cast<T>(act.param("weight"));
    return prelu_backward(Channels{1, 1, dx.size()}, std::span<const T>(&weight, 1), a.x, a.dy, dx, dparams);
  }
  if (plain && apart && !from_y && !dparams.empty() && dparams.size() == learnable_count(act.kind()) &&
      ops.dparams != Path::None && ops.df != Path::None)
    return backward_with_param_gradient(act, a, dx, dparams);
  reference::backward(act, a, dx, dparams);
}

}  // namespace

template <class T>
void forward_with_slope(const Activation& act, std::span<const T> x, std::span<T> y, std::span<T> slope) {
  checks::shape(act, false, precision_of<T>);
  checks::pair(act, "forward_with_slope", x, y, "x", "y");
  checks::pair(act, "forward_with_slope", x, slope, "x", "slope");
  if (!slope.empty() && (!disjoint(x, slope) || !disjoint(std::span<const T>(y), slope)))
    throw Error(std::string(act.name()) + " forward_with_slope: slope overlaps x or y");
  const double* p = act.params().data();
  if (kernel_ops<T>(act).fdf != Path::None) {
    kernels::parallel_for(x.size(), kGrain, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
      kernels::simd_forward_with_slope(act.kind(), p, x.data() + begin, y.data() + begin, slope.data() + begin,
                                       end - begin);
    });
    return;
  }
  // The slope first: y may be x.
  const std::vector<T> ones(x.size(), T(1));
  backward_native<T>(act, {.x = x, .dy = ones}, slope, {});
  forward_native(act, x, y);
}


template <class T>
bool has_slope_kernel(const Activation& act) {
  return !act.info().vector_wise && kernel_ops<T>(act).fdf != Path::None;
}

template <class T>
void forward(const Activation& act, std::span<const T> x, std::span<T> y) {
  if constexpr (kStorage16<T>)
    forward_16(act, x, y);
  else
    forward_native(act, x, y);
}

template <class T>
void backward(const Activation& act, BackwardArgs<T> a, std::span<T> dx, std::span<T> dparams) {
  if constexpr (kStorage16<T>)
    backward_16(act, a, dx, dparams);
  else
    backward_native(act, a, dx, dparams);
}

template <class T>
void forward(const Activation& act, Channels layout, std::span<const T> learned, std::span<const T> x,
             std::span<T> y) {
  if (prelu_layout(act, layout, learned, x.size()) && y.size() == x.size() && disjoint_or_same(x, y) &&
      disjoint(learned, std::span<const T>(y))) {
    const std::size_t C = layout.channels;
    if (layout.inner == 1)
      kernels::parallel_for(layout.outer, 1, C, [&](std::size_t, std::size_t begin, std::size_t end) {
        kernels::simd_prelu_rows_forward(learned.data(), C, begin, end, x.data(), y.data());
      });
    else
      kernels::parallel_for(layout.outer * C, 1, layout.inner, [&](std::size_t, std::size_t begin, std::size_t end) {
        kernels::simd_prelu_forward(learned.data(), C, layout.inner, begin, end, x.data(), y.data());
      });
    return;
  }
  reference::forward(act, layout, learned, x, y);
}

template <class T>
void backward(const Activation& act, Channels layout, std::span<const T> learned, BackwardArgs<T> a,
              std::span<T> dx, std::span<T> dlearned) {
  if (prelu_layout(act, layout, learned, a.x.size()) && a.dy.size() == a.x.size() && dx.size() == a.x.size() &&
      (a.y.empty() || a.y.size() == a.x.size()) && (dlearned.empty() || dlearned.size() == layout.channels) &&
      disjoint_or_same(a.x, dx) && disjoint_or_same(a.dy, dx) && disjoint(learned, std::span<const T>(dx)) &&
      gradients_apart<T>(a, dx, learned, dlearned))
    return prelu_backward(layout, learned, a.x, a.dy, dx, dlearned);
  reference::backward(act, layout, learned, a, dx, dlearned);
}

/// RReLU's training noise over threads: each slice computes the slopes of its own indices
/// (offset + begin on), so the result does not depend on the split.
template <class T>
void rrelu_train_forward(const Activation& act, std::uint64_t seed, std::uint64_t offset, std::span<const T> x,
                         std::span<T> y) {
  if (kernel_ops<T>(act).train == Path::Noise && x.size() == y.size() && disjoint_or_same(x, y) &&
      element_wise_and_valid<T>(act)) {
    const double lower = act.param("lower"), upper = act.param("upper");
    return kernels::parallel_for(x.size(), kGrain, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
      kernels::simd_rrelu_train(lower, upper, seed, offset + begin, x.data() + begin, static_cast<const T*>(nullptr),
                                y.data() + begin, end - begin);
    });
  }
  reference::rrelu_train_forward(act, seed, offset, x, y);
}
template <class T>
void rrelu_train_backward(const Activation& act, std::uint64_t seed, std::uint64_t offset, std::span<const T> x,
                          std::span<const T> dy, std::span<T> dx) {
  if (kernel_ops<T>(act).train == Path::Noise && x.size() == dy.size() && dy.size() == dx.size() &&
      disjoint_or_same(x, dx) &&
      disjoint_or_same(dy, dx) && element_wise_and_valid<T>(act)) {
    const double lower = act.param("lower"), upper = act.param("upper");
    return kernels::parallel_for(x.size(), kGrain, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
      kernels::simd_rrelu_train(lower, upper, seed, offset + begin, x.data() + begin, dy.data() + begin,
                                dx.data() + begin, end - begin);
    });
  }
  reference::rrelu_train_backward(act, seed, offset, x, dy, dx);
}
std::size_t output_axis(const Activation& act, std::size_t axis_len) { return reference::output_axis(act, axis_len); }

/// Whether a vector-wise call's sizes fit the row kernels; anything else (malformed calls
/// included) goes to the reference.
template <class T>
bool rows_fit(const Activation& act, Axis L, std::size_t n) {
  if (!act.info().vector_wise || !checks::holds(L.outer, L.axis, L.inner, n)) return false;
  act.validate(precision_of<T>);
  return true;
}

/// Runs row(in0, in1, out, count) over every row of an [outer, axis, inner] layout: contiguous rows
/// (inner = 1) in place, strided ones gathered into per-thread buffers and scattered back. Rows are
/// independent, so each thread takes a range of them. in1 may be null.
template <class T, class Row>
void for_each_row(Axis L, const T* in0, const T* in1, T* out, Row row) {
  if (L.inner == 1) {
    kernels::parallel_for(L.outer, 1, L.axis, [&](std::size_t, std::size_t begin, std::size_t end) {
      const std::size_t at = begin * L.axis;
      row(in0 + at, in1 ? in1 + at : nullptr, out + at, end - begin);
    });
    return;
  }
  kernels::parallel_for(L.outer * L.inner, 1, L.axis, [&](std::size_t, std::size_t begin, std::size_t end) {
    std::vector<T> a(L.axis), b(in1 ? L.axis : 0);
    for (std::size_t r = begin; r < end; ++r) {
      const std::size_t first = (r / L.inner) * L.axis * L.inner + r % L.inner;  // element 0 of row r
      for (std::size_t k = 0; k < L.axis; ++k) a[k] = in0[first + k * L.inner];
      if (in1)
        for (std::size_t k = 0; k < L.axis; ++k) b[k] = in1[first + k * L.inner];
      row(a.data(), in1 ? b.data() : nullptr, a.data(), 1);
      for (std::size_t k = 0; k < L.axis; ++k) out[first + k * L.inner] = a[k];
    }
  });
}

/// Whether a vector-wise call is a gated unit's that the kernels take: a valid, even axis, sizes
/// that fit (out: the output's elements, half of x's) and a Gated row in the kernel table.
/// Anything else (malformed calls included) goes to the reference.
template <class T>
bool gated_layout(const Activation& act, Axis L, std::size_t n, std::size_t out) {
  if (!act.info().vector_wise || L.axis % 2 != 0 || !checks::holds(L.outer, L.axis, L.inner, n) ||
      !checks::holds(out, 2, 1, n))
    return false;
  act.validate(precision_of<T>);
  return kernel_ops<T>(act).f == Path::Gated;
}

/// Runs body(x offset, y offset, count) over the output elements of a gated unit's [outer, 2h,
/// inner] layout, across threads: block o of x is a = x[o·2H, o·2H + H) and b = the next H
/// (H = h·inner), its output y[o·H, o·H + H); a thread's range may span blocks.
template <class Body>
void for_each_gated_span(Axis L, Body body) {
  const std::size_t H = L.axis / 2 * L.inner;
  kernels::parallel_for(L.outer * H, kGrain, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t at = begin; at < end;) {
      const std::size_t o = at / H, j = at % H, m = std::min(end - at, H - j);
      body(o * 2 * H + j, at, m);
      at += m;
    }
  });
}

/// The group size k of a maxout call the kernels take: valid, sizes that fit (out: the output's
/// elements), k exact as a lane value (the kernels keep the winning member's index in T's lanes);
/// 0 for anything else, which goes to the reference.
template <class T>
std::size_t maxout_pieces(const Activation& act, Axis L, std::size_t n, std::size_t out) {
  if (kernel_ops<T>(act).f != Path::Maxout || !checks::holds(L.outer, L.axis, L.inner, n)) return 0;
  act.validate(precision_of<T>);
  const auto k = static_cast<std::size_t>(act.param("pieces"));
  if (k == 0 || k > (std::size_t{1} << 24) || L.axis % k != 0 || !checks::holds(out, k, 1, n)) return 0;
  return k;
}

template <class T>
void forward(const Activation& act, Axis layout, std::span<const T> x, std::span<T> y) {
  if (const std::size_t k = maxout_pieces<T>(act, layout, x.size(), y.size());
      k != 0 && (disjoint(x, y) || (k == 1 && disjoint_or_same(x, y)))) {
    return kernels::parallel_for(layout.outer, 1, layout.axis * layout.inner,
                                 [&](std::size_t, std::size_t begin, std::size_t end) {
                                   kernels::simd_maxout_forward(x.data(), y.data(), begin, end, layout.axis / k, k,
                                                                layout.inner);
                                 });
  }
  if (gated_layout<T>(act, layout, x.size(), y.size()) && disjoint(x, y)) {
    const std::size_t H = layout.axis / 2 * layout.inner;
    return for_each_gated_span(layout, [&](std::size_t xi, std::size_t yi, std::size_t m) {
      kernels::simd_gated_forward(act.kind(), x.data() + xi, x.data() + xi + H, y.data() + yi, m);
    });
  }
  if (kernel_ops<T>(act).f == Path::Rows && rows_fit<T>(act, layout, x.size()) && y.size() == x.size() &&
      disjoint_or_same(x, y)) {
    for_each_row(layout, x.data(), static_cast<const T*>(nullptr), y.data(),
                 [&](const T* in, const T*, T* out, std::size_t rows) {
                   kernels::simd_softmax_forward(act.kind(), in, out, rows, layout.axis);
                 });
    return;
  }
  reference::forward(act, layout, x, y);
}
template <class T>
void backward(const Activation& act, Axis layout, BackwardArgs<T> a, std::span<T> dx) {
  // dx may be x itself (each vector is read before it is written); dy, half as long, must not
  // overlap dx: block o's dx would overwrite the dy of later blocks.
  if (const std::size_t k = maxout_pieces<T>(act, layout, a.x.size(), a.dy.size());
      k != 0 && !a.x.empty() && dx.size() == a.x.size() && (a.y.empty() || a.y.size() == a.dy.size()) &&
      disjoint_or_same(a.x, dx) && disjoint(a.dy, dx)) {
    return kernels::parallel_for(layout.outer, 1, layout.axis * layout.inner,
                                 [&](std::size_t, std::size_t begin, std::size_t end) {
                                   kernels::simd_maxout_backward(a.x.data(), a.dy.data(), dx.data(), begin, end,
                                                                 layout.axis / k, k, layout.inner);
                                 });
  }
  if (!a.x.empty() && gated_layout<T>(act, layout, a.x.size(), a.dy.size()) && dx.size() == a.x.size() &&
      (a.y.empty() || a.y.size() == a.dy.size()) && disjoint_or_same(a.x, dx) && disjoint(a.dy, dx)) {
    const std::size_t H = layout.axis / 2 * layout.inner;
    return for_each_gated_span(layout, [&](std::size_t xi, std::size_t yi, std::size_t m) {
      kernels::simd_gated_backward(act.kind(), a.x.data() + xi, a.x.data() + xi + H, a.dy.data() + yi,
                                   dx.data() + xi, dx.data() + xi + H, m);
    });
  }
  const std::size_t n = dx.size();
  if (kernel_ops<T>(act).df_from_y == Path::Rows && rows_fit<T>(act, layout, n) && a.y.size() == n &&
      a.dy.size() == n && (a.x.empty() || a.x.size() == n) && disjoint_or_same(a.x, dx) &&
      disjoint_or_same(a.y, dx) && disjoint_or_same(a.dy, dx)) {
    for_each_row(layout, a.y.data(), a.dy.data(), dx.data(), [&](const T* y, const T* dy, T* out, std::size_t rows) {
      kernels::simd_softmax_backward(act.kind(), y, dy, out, rows, layout.axis);
    });
    return;
  }
  reference::backward(act, layout, a, dx);
}

template <class T>
bool has_kernel(const Activation& act) {
  return kernel_ops<T>(act).f != Path::None;
}

std::vector<std::string> targets() {
  static const std::vector<std::string> all = [] {
    kernels::restrict_targets(0);
    return kernels::compiled_targets();
  }();
  return all;
}

std::string target() { return kernels::dispatched_target(); }

void set_target(std::string_view name) {
  const std::vector<std::string> known = targets();
  if (name == "auto") return kernels::restrict_targets(0);
  if (std::ranges::find(known, name) == known.end()) {
    std::string list;
    for (const std::string& t : known) list += (list.empty() ? "" : ", ") + t;
    throw Error("unknown or unsupported target " + quote(name) + " (this machine: " + list + ", auto)");
  }
  kernels::restrict_targets(kernels::target_bit(name));
}

#define ACTFN_INSTANTIATE(T)                                                                                  \
  template void forward<T>(const Activation&, std::span<const T>, std::span<T>);                              \
  template void backward<T>(const Activation&, BackwardArgs<T>, std::span<T>, std::span<T>);                  \
  template void forward<T>(const Activation&, Channels, std::span<const T>, std::span<const T>, std::span<T>); \
  template void backward<T>(const Activation&, Channels, std::span<const T>, BackwardArgs<T>, std::span<T>,    \
                            std::span<T>);                                                                    \
  template void rrelu_train_forward<T>(const Activation&, std::uint64_t, std::uint64_t, std::span<const T>,    \
                                       std::span<T>);                                                         \
  template void rrelu_train_backward<T>(const Activation&, std::uint64_t, std::uint64_t, std::span<const T>,   \
                                        std::span<const T>, std::span<T>);                                    \
  template void forward<T>(const Activation&, Axis, std::span<const T>, std::span<T>);                        \
  template void backward<T>(const Activation&, Axis, BackwardArgs<T>, std::span<T>);                         \
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
