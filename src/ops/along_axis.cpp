// Calls along an axis (actfn/ops.hpp: vector-wise activations over an [outer, axis, inner] layout):
// maxout groups, gated units and softmax-family rows (kernels/maxout.cpp, simd.cpp, softmax.cpp)
// where the table declares them, the reference for everything else.
#include <algorithm>
#include <vector>

#include "actfn/reference.hpp"
#include "common.hpp"
#include "parallel.hpp"
#include "simd.hpp"

namespace actfn::ops {
namespace {

/// maxout's group size k, 0 where the parameter is not one the kernels take (k exact as a lane
/// value: they keep the winning member's index in T's lanes).
std::size_t pieces(const Activation& act) {
  const auto k = static_cast<std::size_t>(act.param("pieces"));
  return k == 0 || k > (std::size_t{1} << 24) ? 0 : k;
}

/// The call shape's predicate: which kernel takes a call along an axis (forward: a.x = x, out = y;
/// backward: out = dx), or Path::None for the reference, which reports any error (malformed calls
/// included). Maxout and gated units: x holds k (gated: 2) inputs per output; in backward dx may
/// be x itself (each vector is read before it is written) but dy, shorter, must not overlap dx
/// (block o's dx would overwrite later blocks' dy). Rows: any exact aliasing.
template <class T>
Path kernel_for(bool backward, const Activation& act, Axis L, BackwardArgs<T> a, std::span<const T> out) {
  const kernels::Ops& ops = kernel_ops<T>(act);
  const std::size_t n = a.x.size(), per_out = backward ? a.dy.size() : out.size();
  const auto backward_fits = [&] {
    return !a.x.empty() && out.size() == n && (a.y.empty() || a.y.size() == a.dy.size()) &&
           disjoint_or_same(a.x, out) && disjoint(a.dy, out);
  };
  if (ops.f == Path::Maxout && checks::holds(L.outer, L.axis, L.inner, n)) {
    act.validate(precision_of<T>);
    const std::size_t k = pieces(act);
    if (k != 0 && L.axis % k == 0 && checks::holds(per_out, k, 1, n) &&
        (backward ? backward_fits() : disjoint(a.x, out) || (k == 1 && disjoint_or_same(a.x, out))))
      return Path::Maxout;
  }
  if ((!backward || !a.x.empty()) && act.info().vector_wise && L.axis % 2 == 0 &&
      checks::holds(L.outer, L.axis, L.inner, n) && checks::holds(per_out, 2, 1, n)) {
    act.validate(precision_of<T>);
    if (ops.f == Path::Gated && (backward ? backward_fits() : disjoint(a.x, out))) return Path::Gated;
  }
  const std::size_t m = backward ? out.size() : n;  // rows: in and out of one size
  if ((backward ? ops.df_from_y : ops.f) == Path::Rows && act.info().vector_wise &&
      checks::holds(L.outer, L.axis, L.inner, m)) {
    act.validate(precision_of<T>);
    if (backward ? a.y.size() == m && a.dy.size() == m && (a.x.empty() || a.x.size() == m) &&
                       disjoint_or_same(a.x, out) && disjoint_or_same(a.y, out) && disjoint_or_same(a.dy, out)
                 : out.size() == n && disjoint_or_same(a.x, out))
      return Path::Rows;
  }
  return Path::None;
}

/// Runs row(in0, in1, out, count) over every row of an [outer, axis, inner] layout: contiguous rows
/// (inner = 1) in place, strided ones gathered into per-thread buffers and scattered back. Rows are
/// independent, so each thread takes a range of them. in1 may be null.
template <class T, class Row>
void for_each_row(Axis L, const T* in0, const T* in1, T* out, Row row) {
  if (L.inner == 1) {
    parallel_for(L.outer, 1, L.axis, [&](std::size_t, std::size_t begin, std::size_t end) {
      const std::size_t at = begin * L.axis;
      row(in0 + at, in1 ? in1 + at : nullptr, out + at, end - begin);
    });
    return;
  }
  parallel_for(L.outer * L.inner, 1, L.axis, [&](std::size_t, std::size_t begin, std::size_t end) {
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

/// Runs body(x offset, y offset, count) over the output elements of a gated unit's [outer, 2h,
/// inner] layout, across threads: block o of x is a = x[o·2H, o·2H + H) and b = the next H
/// (H = h·inner), its output y[o·H, o·H + H); a thread's range may span blocks.
template <class Body>
void for_each_gated_span(Axis L, Body body) {
  const std::size_t H = L.axis / 2 * L.inner;
  parallel_for(L.outer * H, kGrain, 1, [&](std::size_t, std::size_t begin, std::size_t end) {
    for (std::size_t at = begin; at < end;) {
      const std::size_t o = at / H, j = at % H, m = std::min(end - at, H - j);
      body(o * 2 * H + j, at, m);
      at += m;
    }
  });
}

}  // namespace
}  // namespace actfn::ops

namespace actfn {

template <class T>
void forward(const Activation& act, Axis layout, std::span<const T> x, std::span<T> y) {
  switch (ops::kernel_for<T>(false, act, layout, {.x = x}, y)) {
    case kernels::Path::Maxout: {
      const std::size_t k = ops::pieces(act);
      return ops::parallel_for(layout.outer, 1, layout.axis * layout.inner,
                               [&](std::size_t, std::size_t begin, std::size_t end) {
                                 kernels::simd_maxout_forward(x.data(), y.data(), begin, end, layout.axis / k, k,
                                                              layout.inner);
                               });
    }
    case kernels::Path::Gated: {
      const std::size_t H = layout.axis / 2 * layout.inner;
      return ops::for_each_gated_span(layout, [&](std::size_t xi, std::size_t yi, std::size_t m) {
        kernels::simd_gated_forward(act.kind(), x.data() + xi, x.data() + xi + H, y.data() + yi, m);
      });
    }
    case kernels::Path::Rows:
      return ops::for_each_row(layout, x.data(), static_cast<const T*>(nullptr), y.data(),
                               [&](const T* in, const T*, T* out, std::size_t rows) {
                                 kernels::simd_softmax_forward(act.kind(), in, out, rows, layout.axis);
                               });
    default:
      return reference::forward(act, layout, x, y);
  }
}

template <class T>
void backward(const Activation& act, Axis layout, BackwardArgs<T> a, std::span<T> dx) {
  switch (ops::kernel_for<T>(true, act, layout, a, dx)) {
    case kernels::Path::Maxout: {
      const std::size_t k = ops::pieces(act);
      return ops::parallel_for(layout.outer, 1, layout.axis * layout.inner,
                               [&](std::size_t, std::size_t begin, std::size_t end) {
                                 kernels::simd_maxout_backward(a.x.data(), a.dy.data(), dx.data(), begin, end,
                                                               layout.axis / k, k, layout.inner);
                               });
    }
    case kernels::Path::Gated: {
      const std::size_t H = layout.axis / 2 * layout.inner;
      return ops::for_each_gated_span(layout, [&](std::size_t xi, std::size_t yi, std::size_t m) {
        kernels::simd_gated_backward(act.kind(), a.x.data() + xi, a.x.data() + xi + H, a.dy.data() + yi,
                                     dx.data() + xi, dx.data() + xi + H, m);
      });
    }
    case kernels::Path::Rows:
      return ops::for_each_row(layout, a.y.data(), a.dy.data(), dx.data(),
                               [&](const T* y, const T* dy, T* out, std::size_t rows) {
                                 kernels::simd_softmax_backward(act.kind(), y, dy, out, rows, layout.axis);
                               });
    default:
      return reference::backward(act, layout, a, dx);
  }
}

std::size_t output_axis(const Activation& act, std::size_t axis_len) { return reference::output_axis(act, axis_len); }

#define ACTFN_INSTANTIATE(T)                                                           \
  template void forward<T>(const Activation&, Axis, std::span<const T>, std::span<T>); \
  template void backward<T>(const Activation&, Axis, BackwardArgs<T>, std::span<T>);
ACTFN_INSTANTIATE(float)
ACTFN_INSTANTIATE(double)
#undef ACTFN_INSTANTIATE

}  // namespace actfn
