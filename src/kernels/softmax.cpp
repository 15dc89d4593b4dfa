// Softmax, softmin and log_softmax over contiguous f32 and f64 rows, forward and backward (from
// y), compiled once per instruction set (foreach_target) like simd.cpp. f32 rows below; f64 rows,
// which have no wider type to lean on, in their own section.
//
// Like the reference for f32 data, every row computes in f64 and rounds once: the max is taken in
// f32 (exact), then e^(s·x_i - m) (Highway's f64 Exp, 1 ULP of double), the sums and the final
// products in f64 lanes. Only the order of the f64 additions differs from the reference, an error
// of a few 2^-53 relative, so results are within 1 ULP of float of the reference's. Rows holding a
// NaN or an infinity (in x, or in y or dy for backward) go through the reference's own row code
// (the formula structs in double), which defines their limits.
//
// softmax(s·x)_i = e_i / Σ e_j,  e_i = e^(s·x_i - m), m = max s·x        (s = 1; softmin s = -1)
// log_softmax(x)_i = (x_i - m) - log1p(Σ_{j≠k} e_j), k the first maximal entry
// backward: softmax dx_i = s·y_i (dy_i - Σ dy_j y_j);  log_softmax dx_i = dy_i - e^(y_i) Σ dy_j
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

#include "functions/all.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "softmax.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

#include "loops-inl.h"
#include "smooth_f64-inl.h"

HWY_BEFORE_NAMESPACE();
namespace actfn::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

using DD = hn::ScalableTag<double>;
using VD = hn::Vec<DD>;
const DD dd;
const hn::Rebind<float, DD> df;  // as many floats as dd has doubles

/// Calls op(widened group, index of its first element, lane mask) for each group of Lanes(dd)
/// floats of the row; the last, partial group is read through a zeroed buffer, its missing lanes
/// masked off.
template <class Op>
void for_each_group(const float* x, std::size_t n, Op op) {
  const std::size_t lanes = hn::Lanes(dd);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) op(hn::PromoteTo(dd, hn::LoadU(df, x + i)), i, hn::FirstN(dd, lanes));
  if (i == n) return;
  float tail[HWY_MAX_BYTES / sizeof(double)] = {};
  std::memcpy(tail, x + i, (n - i) * sizeof(float));
  op(hn::PromoteTo(dd, hn::LoadU(df, tail)), i, hn::FirstN(dd, n - i));
}

/// Rounds f64 results to floats, storing only the lanes of the row (the last group may be partial).
void store_group(VD v, float* out, std::size_t i, std::size_t n) {
  const std::size_t lanes = hn::Lanes(dd);
  if (i + lanes <= n) return hn::StoreU(hn::DemoteTo(df, v), df, out + i);
  float tail[HWY_MAX_BYTES / sizeof(double)];
  hn::StoreU(hn::DemoteTo(df, v), df, tail);
  std::memcpy(out + i, tail, (n - i) * sizeof(float));
}

/// e^t for t ≤ 0, the argument clamped at -1000 (in Exp's range; e^-1000 is 0 in f64 as e^t is for
/// every t < -745).
VD exp_nonpositive(VD t) { return hn::Exp(dd, hn::Max(t, hn::Set(dd, -1000.0))); }

/// Whether every element of the row is finite (no NaN, no infinity).
bool all_finite(const float* v, std::size_t n) {
  bool finite = true;
  for_each_group(v, n, [&](VD g, std::size_t, auto mask) {
    finite = finite && hn::AllTrue(dd, hn::Or(hn::Not(mask), hn::IsFinite(g)));
  });
  return finite;
}

/// The reference's row code for rows with special values: widen (float to double, double to long
/// double, as the reference), run F there, round once.
template <class F, class T>
void reference_row_forward(const T* x, T* y, std::size_t n) {
  using C = Wide<T>;
  thread_local std::vector<C> xr, yr;
  xr.assign(x, x + n);
  yr.resize(n);
  F::template f<C>(xr, yr, fn::Params<C>{});
  for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<T>(yr[i]);
}
template <class F, class T>
void reference_row_backward(const T* y, const T* dy, T* dx, std::size_t n) {
  using C = Wide<T>;
  thread_local std::vector<C> yr, dyr, dxr;
  yr.assign(y, y + n);
  dyr.assign(dy, dy + n);
  dxr.resize(n);
  F::template backward<C>(fn::Row<C>{{}, yr, dyr}, dxr, fn::Params<C>{});
  for (std::size_t i = 0; i < n; ++i) dx[i] = static_cast<T>(dxr[i]);
}

/// max(s·x) over a finite row.
double row_max(const float* x, std::size_t n, double s) {
  auto m = hn::Set(dd, -std::numeric_limits<double>::infinity());
  for_each_group(x, n, [&](VD v, std::size_t, auto mask) {
    m = hn::Max(m, hn::IfThenElse(mask, hn::Mul(hn::Set(dd, s), v), hn::Set(dd, -HUGE_VAL)));
  });
  return hn::GetLane(hn::MaxOfLanes(dd, m));
}

void softmax_forward(const float* x, float* y, std::size_t n, double s) {
  const double m = row_max(x, n, s);
  const auto vs = hn::Set(dd, s), vm = hn::Set(dd, m);
  auto sum = hn::Zero(dd);
  for_each_group(x, n, [&](VD v, std::size_t, auto mask) {
    sum = hn::Add(sum, hn::IfThenElseZero(mask, exp_nonpositive(hn::MulSub(vs, v, vm))));
  });
  const auto total = hn::Set(dd, hn::GetLane(hn::SumOfLanes(dd, sum)));
  // e_i again rather than kept: a row-sized f64 buffer would cost more memory traffic than Exp.
  for_each_group(x, n, [&](VD v, std::size_t i, auto) {
    store_group(hn::Div(exp_nonpositive(hn::MulSub(vs, v, vm)), total), y, i, n);
  });
}

void log_softmax_forward(const float* x, float* y, std::size_t n) {
  const double m = row_max(x, n, 1.0);
  std::size_t first_max = 0;
  while (static_cast<double>(x[first_max]) != m) ++first_max;
  const auto vm = hn::Set(dd, m);
  auto rest = hn::Zero(dd);
  for_each_group(x, n, [&](VD v, std::size_t i, auto mask) {
    auto keep = mask;
    if (first_max >= i && first_max < i + hn::Lanes(dd))  // leave out e^0 of the first maximum
      keep = hn::AndNot(hn::Iota(dd, static_cast<double>(i)) == hn::Set(dd, static_cast<double>(first_max)), keep);
    rest = hn::Add(rest, hn::IfThenElseZero(keep, exp_nonpositive(hn::Sub(v, vm))));
  });
  const auto lse = hn::Set(dd, std::log1p(hn::GetLane(hn::SumOfLanes(dd, rest))));
  for_each_group(x, n, [&](VD v, std::size_t i, auto) { store_group(hn::Sub(hn::Sub(v, vm), lse), y, i, n); });
}

/// Σ a_i b_i (b null: Σ a_i) over a row, in f64 lanes: the products of floats are exact in f64.
double row_dot(const float* a, const float* b, std::size_t n) {
  auto acc = hn::Zero(dd);
  const std::size_t lanes = hn::Lanes(dd);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const VD va = hn::PromoteTo(dd, hn::LoadU(df, a + i));
    acc = b ? hn::MulAdd(va, hn::PromoteTo(dd, hn::LoadU(df, b + i)), acc) : hn::Add(acc, va);
  }
  double sum = hn::GetLane(hn::SumOfLanes(dd, acc));
  for (; i < n; ++i) sum += b ? static_cast<double>(a[i]) * b[i] : static_cast<double>(a[i]);
  return sum;
}

/// dx = f(y, dy) group by group; the dy of a group is read at the same index as y.
template <class Op>
void backward_groups(const float* y, const float* dy, float* dx, std::size_t n, Op op) {
  const std::size_t lanes = hn::Lanes(dd);
  float tail[HWY_MAX_BYTES / sizeof(double)] = {};
  for_each_group(y, n, [&](VD vy, std::size_t i, auto) {
    const float* g = dy + i;
    if (i + lanes > n) {  // the partial group: its dy through a buffer too
      std::memcpy(tail, dy + i, (n - i) * sizeof(float));
      g = tail;
    }
    store_group(op(vy, hn::PromoteTo(dd, hn::LoadU(df, g))), dx, i, n);
  });
}

template <class F>
void softmax_backward_f32(const float* y, const float* dy, float* dx, std::size_t n) {
  if constexpr (std::is_same_v<F, fn::LogSoftmax>) {
    const auto sum = hn::Set(dd, row_dot(dy, nullptr, n));
    // y ≤ 0 for a log_softmax output; the clamp only keeps Exp in range for other inputs.
    backward_groups(y, dy, dx, n, [&](VD vy, VD g) {
      return hn::NegMulAdd(hn::Exp(dd, hn::Min(hn::Max(vy, hn::Set(dd, -1000.0)), hn::Set(dd, 700.0))), sum, g);
    });
  } else {
    const auto dot = hn::Set(dd, row_dot(dy, y, n));
    const auto s = hn::Set(dd, std::is_same_v<F, fn::Softmin> ? -1.0 : 1.0);
    backward_groups(y, dy, dx, n, [&](VD vy, VD g) { return hn::Mul(hn::Mul(s, vy), hn::Sub(g, dot)); });
  }
}

// ---- f64 rows ------------------------------------------------------------------------------------
//
// The f64 reference computes in long double, so f64 rows cannot lean on a wider type; they use the
// f64 kernels' habits (smooth_f64-inl.h): t = s·x - m as an exact pair (an error δ in t is a
// relative error |t|·δ in e^t), e^t = (hi + lo)·2^n from f64::exp_pair, every sum of the row a
// compensated pair, each result one corrected quotient or pair product rounded once, 2^n applied
// last. Results are within ~0.5 ULP of the truth; rows with a NaN or an infinity (and, backward,
// log_softmax rows with a positive y, which no log_softmax output has) take the reference's row code.

/// Calls op(vector, index of its first element, lane mask) for each vector of the row; the last,
/// partial one is read through a zeroed buffer, its missing lanes masked off.
template <class Op>
void for_each_vector_f64(const double* x, std::size_t n, Op op) {
  const std::size_t lanes = hn::Lanes(dd);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) op(hn::LoadU(dd, x + i), i, hn::FirstN(dd, lanes));
  if (i == n) return;
  HWY_ALIGN double tail[HWY_MAX_BYTES / sizeof(double)] = {};
  std::memcpy(tail, x + i, (n - i) * sizeof(double));
  op(hn::Load(dd, tail), i, hn::FirstN(dd, n - i));
}

/// Stores the lanes of v that belong to the row (the last vector may be partial).
void store_f64(VD v, double* out, std::size_t i, std::size_t n) {
  const std::size_t lanes = hn::Lanes(dd);
  if (i + lanes <= n) return hn::StoreU(v, dd, out + i);
  HWY_ALIGN double tail[HWY_MAX_BYTES / sizeof(double)];
  hn::Store(v, dd, tail);
  std::memcpy(out + i, tail, (n - i) * sizeof(double));
}

/// A row sum as a pair: hi by TwoSum in each lane, every rounding error and low part beside.
struct PairSum {
  VD hi, lo;
  PairSum() : hi(hn::Zero(dd)), lo(hn::Zero(dd)) {}
  void add(VD h, VD l) {
    VD err;
    hi = f64::two_sum<DD>(hi, h, err);
    lo = hn::Add(lo, hn::Add(err, l));
  }
  /// The lanes in turn, by TwoSum, as one renormalised pair.
  double total(double& total_lo) const {
    HWY_ALIGN double h[HWY_MAX_BYTES / sizeof(double)], l[HWY_MAX_BYTES / sizeof(double)];
    hn::Store(hi, dd, h);
    hn::Store(lo, dd, l);
    double sum = 0, rest = 0;
    for (std::size_t k = 0; k < hn::Lanes(dd); ++k) {
      const double next = sum + h[k], part = next - sum;
      rest += (sum - (next - part)) + (h[k] - part) + l[k];
      sum = next;
    }
    const double out = sum + rest;
    total_lo = rest - (out - sum);
    return out;
  }
};

/// e^(th + tl) (th ≤ 0) as the pair (hi + lo)·2^n, passed to body(range, e) with the range
/// instance f64::by_range picks (the tail one where some lane's e is subnormal).
template <class Body>
HWY_INLINE void with_exp(VD th, VD tl, Body body) {
  f64::by_range(dd, th, [&](auto range) {
    body(range, f64::exp_pair<decltype(range)::value>(dd, th, tl));
    return th;
  });
}

/// max(s·x) over a finite row of doubles.
double row_max_f64(const double* x, std::size_t n, double s) {
  auto m = hn::Set(dd, -HUGE_VAL);
  for_each_vector_f64(x, n, [&](VD v, std::size_t, auto mask) {
    m = hn::Max(m, hn::IfThenElse(mask, hn::Mul(hn::Set(dd, s), v), hn::Set(dd, -HUGE_VAL)));
  });
  return hn::GetLane(hn::MaxOfLanes(dd, m));
}

/// t = s·x - m as an exact pair (no low part where t overflows to -inf).
HWY_INLINE VD shifted(VD x, VD s, VD m, VD& tl) {
  const VD th = f64::two_sum<DD>(hn::Mul(s, x), hn::Neg(m), tl);
  tl = hn::IfThenElseZero(hn::IsFinite(th), tl);
  return th;
}

/// Σ e^(s·x_j - m) over the row as a pair, leaving out the entry at index `skip` (n: none).
double exp_sum_f64(const double* x, std::size_t n, double s, double m, std::size_t skip, double& lo) {
  const VD vs = hn::Set(dd, s), vm = hn::Set(dd, m);
  PairSum sum;
  for_each_vector_f64(x, n, [&](VD v, std::size_t i, auto mask) {
    auto keep = mask;
    if (skip >= i && skip < i + hn::Lanes(dd))
      keep = hn::AndNot(hn::Iota(dd, static_cast<double>(i)) == hn::Set(dd, static_cast<double>(skip)), keep);
    VD tl;
    const VD th = shifted(v, vs, vm, tl);
    with_exp(th, tl, [&](auto range, const f64::Exp<DD>& e) {
      constexpr auto kRange = decltype(range)::value;
      // Each term rounded into the subnormal range at worst: nothing next to the sum's 1.
      sum.add(hn::IfThenElseZero(keep, f64::scale<kRange>(dd, e.hi, e.n)),
              hn::IfThenElseZero(keep, f64::scale<kRange>(dd, e.lo, e.n)));
    });
  });
  return sum.total(lo);
}

void softmax_forward_f64(const double* x, double* y, std::size_t n, double s) {
  const double m = row_max_f64(x, n, s);
  double total_lo;
  const VD total = hn::Set(dd, exp_sum_f64(x, n, s, m, n, total_lo)), total_l = hn::Set(dd, total_lo);
  const VD vs = hn::Set(dd, s), vm = hn::Set(dd, m);
  for_each_vector_f64(x, n, [&](VD v, std::size_t i, auto) {
    VD tl;
    const VD th = shifted(v, vs, vm, tl);
    with_exp(th, tl, [&](auto range, const f64::Exp<DD>& e) {
      VD corr;
      const VD q = f64::div_pair(dd, e.hi, e.lo, total, total_l, corr);
      store_f64(f64::scale<decltype(range)::value>(dd, hn::Add(q, corr), e.n), y, i, n);
    });
  });
}

void log_softmax_forward_f64(const double* x, double* y, std::size_t n) {
  const double m = row_max_f64(x, n, 1.0);
  std::size_t first_max = 0;
  while (x[first_max] != m) ++first_max;
  double rest_lo;
  const double rest = exp_sum_f64(x, n, 1.0, m, first_max, rest_lo);
  // log1p of the pair in long double (64-bit mantissa, as the reference), split into a pair.
  const long double lse = std::log1p(static_cast<long double>(rest) + rest_lo);
  const double lse_hi = static_cast<double>(lse), lse_lo = static_cast<double>(lse - lse_hi);
  const VD one = hn::Set(dd, 1.0), vm = hn::Set(dd, m), lh = hn::Set(dd, -lse_hi), ll = hn::Set(dd, lse_lo);
  for_each_vector_f64(x, n, [&](VD v, std::size_t i, auto) {
    VD tl, ul;
    const VD th = shifted(v, one, vm, tl);
    const VD u = f64::two_sum<DD>(th, lh, ul);
    // t = -inf (x - m past -DBL_MAX) has no pair: y is -inf.
    store_f64(hn::IfThenElse(hn::IsFinite(th), hn::Add(u, hn::Add(ul, hn::Sub(tl, ll))), th), y, i, n);
  });
}

/// Σ a_j b_j (b null: Σ a_j) over a row of doubles as a compensated pair.
double row_dot_f64(const double* a, const double* b, std::size_t n, double& lo) {
  PairSum sum;
  const std::size_t lanes = hn::Lanes(dd);
  HWY_ALIGN double ta[HWY_MAX_BYTES / sizeof(double)] = {}, tb[HWY_MAX_BYTES / sizeof(double)] = {};
  for (std::size_t i = 0; i < n; i += lanes) {
    const double *pa = a + i, *pb = b ? b + i : nullptr;
    if (i + lanes > n) {  // the partial vector through zeroed buffers: 0·0 adds nothing
      std::memcpy(ta, a + i, (n - i) * sizeof(double));
      if (b) std::memcpy(tb, b + i, (n - i) * sizeof(double));
      pa = ta;
      pb = b ? tb : nullptr;
    }
    const VD va = hn::LoadU(dd, pa);
    if (!pb) {
      sum.add(va, hn::Zero(dd));
      continue;
    }
    VD pl;
    const VD ph = f64::two_prod(dd, va, hn::LoadU(dd, pb), pl);
    sum.add(ph, pl);
  }
  return sum.total(lo);
}

/// dx = op(y, dy) vector by vector over a row of doubles.
template <class Op>
void backward_vectors_f64(const double* y, const double* dy, double* dx, std::size_t n, Op op) {
  const std::size_t lanes = hn::Lanes(dd);
  HWY_ALIGN double tail[HWY_MAX_BYTES / sizeof(double)] = {};
  for_each_vector_f64(y, n, [&](VD vy, std::size_t i, auto) {
    const double* g = dy + i;
    if (i + lanes > n) {  // the partial vector: its dy through a buffer too
      std::memcpy(tail, dy + i, (n - i) * sizeof(double));
      g = tail;
    }
    store_f64(op(vy, hn::LoadU(dd, g)), dx, i, n);
  });
}

/// Whether every y of the row is ≤ 0, as every log_softmax output is (e^y then needs no range
/// check above 1).
bool all_nonpositive(const double* y, std::size_t n) {
  bool ok = true;
  for_each_vector_f64(y, n, [&](VD v, std::size_t, auto mask) {
    ok = ok && hn::AllTrue(dd, hn::Or(hn::Not(mask), v <= hn::Zero(dd)));
  });
  return ok;
}

template <class F>
void softmax_backward_f64(const double* y, const double* dy, double* dx, std::size_t n) {
  if constexpr (std::is_same_v<F, fn::LogSoftmax>) {
    // dx = dy - e^y Σ dy: e^y·Σ as a pair, then scaled, the difference rounded once.
    double sum_lo;
    const VD gh = hn::Set(dd, row_dot_f64(dy, nullptr, n, sum_lo)), gl = hn::Set(dd, sum_lo);
    backward_vectors_f64(y, dy, dx, n, [&](VD vy, VD g) {
      VD out;
      with_exp(vy, hn::Zero(dd), [&](auto range, const f64::Exp<DD>& e) {
        constexpr auto kRange = decltype(range)::value;
        VD pl, dl;
        const VD ph = f64::pair_product(dd, e.hi, e.lo, gh, gl, pl);
        const VD sh = f64::scale<kRange>(dd, ph, e.n), sl = f64::scale<kRange>(dd, pl, e.n);
        const VD dh = f64::two_sum<DD>(g, hn::Neg(sh), dl);
        out = hn::Add(dh, hn::Sub(dl, sl));
      });
      return out;
    });
  } else {
    // dx = s·y (dy - <dy, y>): the difference as a pair, its product with y rounded once.
    double dot_lo;
    const VD dh = hn::Set(dd, row_dot_f64(dy, y, n, dot_lo)), dl = hn::Set(dd, dot_lo);
    const VD s = hn::Set(dd, std::is_same_v<F, fn::Softmin> ? -1.0 : 1.0);
    backward_vectors_f64(y, dy, dx, n, [&](VD vy, VD g) {
      VD wl;
      const VD wh = f64::two_sum<DD>(g, hn::Neg(dh), wl);
      return hn::Mul(s, f64::mul_pair(dd, vy, hn::Zero(dd), wh, hn::Sub(wl, dl)));
    });
  }
}

/// Whether every element of a row of doubles is finite.
bool all_finite(const double* v, std::size_t n) {
  bool finite = true;
  for_each_vector_f64(v, n, [&](VD g, std::size_t, auto mask) {
    finite = finite && hn::AllTrue(dd, hn::Or(hn::Not(mask), hn::IsFinite(g)));
  });
  return finite;
}

// ---- rows of either type --------------------------------------------------------------------------

template <class F, class T>
bool forward_rows(const T* x, T* y, std::size_t rows, std::size_t n) {
  constexpr double kSign = std::is_same_v<F, fn::Softmin> ? -1.0 : 1.0;
  for (std::size_t r = 0; r < rows; ++r) {
    const T* xr = x + r * n;
    T* yr = y + r * n;
    if (!all_finite(xr, n))
      reference_row_forward<F>(xr, yr, n);
    else if constexpr (std::is_same_v<F, fn::LogSoftmax> && std::is_same_v<T, float>)
      log_softmax_forward(xr, yr, n);
    else if constexpr (std::is_same_v<F, fn::LogSoftmax>)
      log_softmax_forward_f64(xr, yr, n);
    else if constexpr (std::is_same_v<T, float>)
      softmax_forward(xr, yr, n, kSign);
    else
      softmax_forward_f64(xr, yr, n, kSign);
  }
  return true;
}

template <class F, class T>
bool backward_rows(const T* y, const T* dy, T* dx, std::size_t rows, std::size_t n) {
  for (std::size_t r = 0; r < rows; ++r) {
    const T *yr = y + r * n, *gr = dy + r * n;
    T* dxr = dx + r * n;
    if (!all_finite(yr, n) || !all_finite(gr, n))
      reference_row_backward<F>(yr, gr, dxr, n);
    else if constexpr (std::is_same_v<T, float>)
      softmax_backward_f32<F>(yr, gr, dxr, n);
    else if (std::is_same_v<F, fn::LogSoftmax> && !all_nonpositive(yr, n))
      reference_row_backward<F>(yr, gr, dxr, n);
    else
      softmax_backward_f64<F>(yr, gr, dxr, n);
  }
  return true;
}

/// Calls body.template operator()<F>() for the softmax family; false for any other kind.
template <class Body>
bool softmax_family(Kind kind, Body body) {
  switch (kind) {
    case Kind::Softmax:
      return body.template operator()<fn::Softmax>();
    case Kind::Softmin:
      return body.template operator()<fn::Softmin>();
    case Kind::LogSoftmax:
      return body.template operator()<fn::LogSoftmax>();
    default:
      return false;
  }
}

}  // namespace

bool SoftmaxForwardF32(Kind kind, const float* x, float* y, std::size_t rows, std::size_t n) {
  return softmax_family(kind, [&]<class F>() { return forward_rows<F>(x, y, rows, n); });
}
bool SoftmaxForwardF64(Kind kind, const double* x, double* y, std::size_t rows, std::size_t n) {
  return softmax_family(kind, [&]<class F>() { return forward_rows<F>(x, y, rows, n); });
}
bool SoftmaxBackwardF32(Kind kind, const float* y, const float* dy, float* dx, std::size_t rows, std::size_t n) {
  return softmax_family(kind, [&]<class F>() { return backward_rows<F>(y, dy, dx, rows, n); });
}
bool SoftmaxBackwardF64(Kind kind, const double* y, const double* dy, double* dx, std::size_t rows,
                        std::size_t n) {
  return softmax_family(kind, [&]<class F>() { return backward_rows<F>(y, dy, dx, rows, n); });
}

}  // namespace actfn::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "simd.hpp"

namespace actfn::kernels {

HWY_EXPORT(SoftmaxForwardF32);
HWY_EXPORT(SoftmaxForwardF64);
HWY_EXPORT(SoftmaxBackwardF32);
HWY_EXPORT(SoftmaxBackwardF64);

bool simd_softmax_forward(Kind kind, const float* x, float* y, std::size_t rows, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(SoftmaxForwardF32)(kind, x, y, rows, n);
}
bool simd_softmax_forward(Kind kind, const double* x, double* y, std::size_t rows, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(SoftmaxForwardF64)(kind, x, y, rows, n);
}
bool simd_softmax_backward(Kind kind, const float* y, const float* dy, float* dx, std::size_t rows, std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(SoftmaxBackwardF32)(kind, y, dy, dx, rows, n);
}
bool simd_softmax_backward(Kind kind, const double* y, const double* dy, double* dx, std::size_t rows,
                           std::size_t n) {
  return HWY_DYNAMIC_DISPATCH(SoftmaxBackwardF64)(kind, y, dy, dx, rows, n);
}

}  // namespace actfn::kernels
#endif  // HWY_ONCE
