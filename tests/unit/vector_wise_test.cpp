// Vector-wise activations: the softmax family, the gated linear units and maxout.
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "test_support.hpp"

namespace actfn_test {
namespace {

using actfn::Axis;
using V = std::vector<double>;

V fwd_row(const Activation& act, const V& x) {
  V y(actfn::reference::output_axis(act, x.size()));
  actfn::reference::forward<double>(act, Axis{1, x.size(), 1}, x, y);
  return y;
}
std::vector<float> fwd_row(const Activation& act, const std::vector<float>& x) {
  std::vector<float> y(actfn::reference::output_axis(act, x.size()));
  actfn::reference::forward<float>(act, Axis{1, x.size(), 1}, x, y);
  return y;
}

/// softmax written out in long double: e^(x_i - max) / sum.
V softmax_ref(const V& x) {
  long double m = -INFINITY, s = 0;
  for (double v : x) m = std::max<long double>(m, v);
  for (double v : x) s += std::exp(static_cast<long double>(v) - m);
  V y;
  for (double v : x) y.push_back(static_cast<double>(std::exp(static_cast<long double>(v) - m) / s));
  return y;
}

V random_row(std::mt19937_64& rng, std::size_t n, double scale) {
  std::normal_distribution<double> d(0.0, scale);
  V x(n);
  for (double& v : x) v = d(rng);
  return x;
}

// ---- softmax family ------------------------------------------------------------------------------

TEST(Softmax, MatchesDefinitionAndRowsSumToOne) {
  std::mt19937_64 rng(7);
  const Activation sm(Kind::Softmax);
  for (int t = 0; t < 50; ++t) {
    const V x = random_row(rng, 1 + t % 13, t < 25 ? 1.0 : 30.0);
    const V y = fwd_row(sm, x), ref = softmax_ref(x);
    double sum = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      EXPECT_NEAR(y[i], ref[i], 4e-16 * ref[i] + 1e-300);
      EXPECT_GE(y[i], 0.0);
      sum += y[i];
    }
    EXPECT_NEAR(sum, 1.0, 1e-15 * static_cast<double>(x.size()));
  }
}

TEST(Softmax, HugeValuesDoNotOverflow) {
  const Activation sm(Kind::Softmax);
  EXPECT_EQ(fwd_row(sm, V{1e300, 0.0}), (V{1.0, 0.0}));
  EXPECT_EQ(fwd_row(sm, V{1e300, 1e300}), (V{0.5, 0.5}));
  EXPECT_EQ(fwd_row(sm, V{-1e300, -1e300, -1e300, -1e300}), (V{0.25, 0.25, 0.25, 0.25}));
  EXPECT_EQ(fwd_row(sm, V{1.7e308, -1.7e308}), (V{1.0, 0.0}));
  EXPECT_EQ(fwd_row(sm, std::vector<float>{1e30f, -1e30f, 0.0f}), (std::vector<float>{1.0f, 0.0f, 0.0f}));
  EXPECT_EQ(fwd_row(sm, std::vector<float>{3e38f, 3e38f}), (std::vector<float>{0.5f, 0.5f}));
  const V ls = fwd_row(Activation(Kind::LogSoftmax), V{1e300, 0.0});
  EXPECT_EQ(ls[0], 0.0);
  EXPECT_EQ(ls[1], -1e300);
  const V smin = fwd_row(Activation(Kind::Softmin), V{1e300, -1e300});
  EXPECT_EQ(smin, (V{0.0, 1.0}));
}

TEST(Softmax, InfiniteEntries) {
  const Activation sm(Kind::Softmax), ls(Kind::LogSoftmax), smin(Kind::Softmin);
  // -inf entries get exactly zero mass (log: -inf); the rest is the softmax of the finite ones.
  const V y = fwd_row(sm, V{-kInf, 0.0, std::log(3.0)});
  EXPECT_EQ(y[0], 0.0);
  EXPECT_FALSE(std::signbit(y[0]));
  EXPECT_NEAR(y[1], 0.25, 1e-16);
  EXPECT_NEAR(y[2], 0.75, 1e-16);
  const V l = fwd_row(ls, V{-kInf, 0.0, 0.0});
  EXPECT_EQ(l[0], -kInf);
  EXPECT_NEAR(l[1], -std::numbers::ln2, 1e-16);
  // +inf entries share the mass equally (the limit of x_i = x_j -> inf).
  EXPECT_EQ(fwd_row(sm, V{kInf, 0.0, kInf}), (V{0.5, 0.0, 0.5}));
  EXPECT_EQ(fwd_row(sm, V{kInf, -kInf, 5.0}), (V{1.0, 0.0, 0.0}));
  const V li = fwd_row(ls, V{kInf, 0.0, kInf});
  EXPECT_NEAR(li[0], -std::numbers::ln2, 1e-16);
  EXPECT_EQ(li[1], -kInf);
  EXPECT_NEAR(li[2], -std::numbers::ln2, 1e-16);
  EXPECT_EQ(fwd_row(smin, V{-kInf, 3.0}), (V{1.0, 0.0}));
  // All -inf: 0/0, no limit: NaN (documented).
  for (const Activation& a : {sm, ls, smin}) {
    SCOPED_TRACE(a.spec());
    const V all_neg = fwd_row(a, V{a.kind() == Kind::Softmin ? kInf : -kInf, a.kind() == Kind::Softmin ? kInf : -kInf});
    for (double v : all_neg) { EXPECT_TRUE(std::isnan(v)); }
  }
}

TEST(Softmax, LengthOne) {
  for (double x : {-3.0, 0.0, 1e300}) {
    EXPECT_EQ(fwd_row(Activation(Kind::Softmax), V{x}), V{1.0});
    EXPECT_EQ(fwd_row(Activation(Kind::Softmin), V{x}), V{1.0});
    EXPECT_EQ(fwd_row(Activation(Kind::LogSoftmax), V{x}), V{0.0});
  }
}

TEST(LogSoftmax, EqualsLogOfSoftmax) {
  std::mt19937_64 rng(11);
  for (int t = 0; t < 50; ++t) {
    const V x = random_row(rng, 2 + t % 9, 3.0);
    const V l = fwd_row(Activation(Kind::LogSoftmax), x), ref = softmax_ref(x);
    for (std::size_t i = 0; i < x.size(); ++i) { EXPECT_NEAR(l[i], std::log(ref[i]), 1e-14 * (1 + std::fabs(l[i]))); }
  }
}

TEST(LogSoftmax, KeepsPrecisionWhenOneEntryDominates) {
  // y0 = -log(1 + e^-50) = -log1p(e^-50) = -1.9287498479639178e-22 (mpmath); log(1 + tiny) would be 0.
  const V y = fwd_row(Activation(Kind::LogSoftmax), V{0.0, -50.0});
  EXPECT_NEAR(y[0], -1.9287498479639178e-22, 1e-15 * 1.9287498479639178e-22);
  EXPECT_NEAR(y[1], -50.0, 1e-14);
  const V y3 = fwd_row(Activation(Kind::LogSoftmax), V{-50.0, 10.0, -50.0});
  EXPECT_NEAR(y3[1], -2 * std::exp(-60.0), 1e-15 * 2 * std::exp(-60.0));
  const std::vector<float> yf = fwd_row(Activation(Kind::LogSoftmax), std::vector<float>{0.0f, -50.0f});
  EXPECT_NEAR(yf[0], -1.9287498479639178e-22f, 1e-6f * 1.9287498e-22f);
}

TEST(Softmin, IsSoftmaxOfTheNegation) {
  std::mt19937_64 rng(13);
  for (int t = 0; t < 30; ++t) {
    const V x = random_row(rng, 1 + t % 7, 5.0);
    V neg = x;
    for (double& v : neg) v = -v;
    const V a = fwd_row(Activation(Kind::Softmin), x), b = fwd_row(Activation(Kind::Softmax), neg);
    for (std::size_t i = 0; i < x.size(); ++i) { EXPECT_DOUBLE_EQ(a[i], b[i]); }
  }
}

TEST(Softmax, InPlace) {
  std::mt19937_64 rng(17);
  for (Kind k : {Kind::Softmax, Kind::LogSoftmax, Kind::Softmin}) {
    const Activation act(k);
    SCOPED_TRACE(act.spec());
    const V x = random_row(rng, 12, 2.0);
    V out(12), inplace = x;
    actfn::reference::forward<double>(act, Axis{3, 4, 1}, x, out);
    actfn::reference::forward<double>(act, Axis{3, 4, 1}, inplace, inplace);
    EXPECT_EQ(inplace, out);
    V strided = x, out2(12);
    actfn::reference::forward<double>(act, Axis{1, 4, 3}, x, out2);
    actfn::reference::forward<double>(act, Axis{1, 4, 3}, strided, strided);
    EXPECT_EQ(strided, out2);
  }
  // Outputs shorter than the input cannot alias it.
  V x = {1, 2, 3, 4};
  EXPECT_THROW(actfn::reference::forward<double>(Activation(Kind::Glu), Axis{1, 4, 1}, x, std::span<double>(x).first(2)),
               actfn::Error);
}

// ---- gated linear units ----------------------------------------------------------------------------

TEST(Glu, EqualsElementWiseComposition) {
  const struct {
    Kind glu, gate;
  } pairs[] = {{Kind::Glu, Kind::Sigmoid}, {Kind::Geglu, Kind::Gelu}, {Kind::Swiglu, Kind::Silu}, {Kind::Reglu, Kind::Relu}};
  std::mt19937_64 rng(19);
  for (const auto& p : pairs) {
    const Activation act(p.glu), gate(p.gate);
    SCOPED_TRACE(act.spec());
    for (int t = 0; t < 20; ++t) {
      const std::size_t h = 1 + t % 6;
      const V x = random_row(rng, 2 * h, 3.0);
      const V y = fwd_row(act, x);
      ASSERT_EQ(y.size(), h);
      for (std::size_t i = 0; i < h; ++i) {
        const double expect = x[i] * f64(gate, x[h + i]);
        EXPECT_NEAR(y[i], expect, 4e-16 * std::fabs(expect) + 1e-300) << "i=" << i;
      }
    }
    // The first half is the value, the second the gate (PyTorch's convention).
    const V y = fwd_row(act, V{2.0, 1.0});
    EXPECT_NEAR(y[0], 2.0 * f64(gate, 1.0), 1e-15);
  }
}

// ---- maxout ---------------------------------------------------------------------------------------

TEST(Maxout, ValuesTiesAndNaN) {
  const Activation m2(Kind::Maxout), m3 = actfn::parse("maxout(pieces=3)");
  EXPECT_EQ(fwd_row(m2, V{1, 3, -2, -5, 4, 4}), (V{3, -2, 4}));
  EXPECT_EQ(fwd_row(m3, V{1, 3, 2, -7, -5, -6}), (V{3, -5}));
  EXPECT_EQ(fwd_row(actfn::parse("maxout(pieces=1)"), V{1, -2}), (V{1, -2}));
  EXPECT_EQ(fwd_row(m2, V{-kInf, -kInf}), V{-kInf});
  // Ties: the first maximal entry gets the gradient (torch.max convention).
  const V x = {4, 4, 1, 2, 2, 2};
  V dx(6);
  const V dy = {10, 20};
  actfn::reference::backward<double>(m3, Axis{1, 6, 1}, {.x = x, .dy = dy}, dx);
  EXPECT_EQ(dx, (V{10, 0, 0, 20, 0, 0}));
  // NaN wins its group, wherever it is.
  for (std::size_t pos = 0; pos < 3; ++pos) {
    V xn = {1, 2, 3};
    xn[pos] = kNaN;
    EXPECT_TRUE(std::isnan(fwd_row(m3, xn)[0])) << pos;
    V dxn(3);
    const V one = {1};
    actfn::reference::backward<double>(m3, Axis{1, 3, 1}, {.x = xn, .dy = one}, dxn);
    for (std::size_t i = 0; i < 3; ++i) { EXPECT_EQ(dxn[i], i == pos ? 1.0 : 0.0) << pos; }
  }
}

// ---- every vector-wise activation: gradients, layouts, float path -----------------------------------

class VectorWise : public testing::TestWithParam<Kind> {};

std::vector<Activation> vector_variants(Kind k) {
  std::vector<Activation> out{Activation(k)};
  if (k == Kind::Maxout) out.push_back(actfn::parse("maxout(pieces=3)"));
  return out;
}

/// backward(dy = w) is the gradient of sum_j w_j y_j; compare with Richardson differences.
TEST_P(VectorWise, BackwardMatchesFiniteDifferences) {
  std::mt19937_64 rng(23);
  for (const Activation& act : vector_variants(GetParam())) {
    SCOPED_TRACE(act.spec());
    const bool from_y = act.info().backward_needs == actfn::Needs::Y;
    for (int t = 0; t < 10; ++t) {
      const std::size_t n = 6, rows = 2;
      const std::size_t out = actfn::reference::output_axis(act, n);
      V x = random_row(rng, rows * n, 2.0);
      for (double& v : x)
        if (std::fabs(v) < 0.05) v += 0.2;  // keep reglu's gate away from its kink
      const V w = random_row(rng, rows * out, 1.0);
      V y(rows * out), dx(rows * n);
      actfn::reference::forward<double>(act, Axis{rows, n, 1}, x, y);
      if (from_y)
        actfn::reference::backward<double>(act, Axis{rows, n, 1}, {.y = y, .dy = w}, dx);
      else
        actfn::reference::backward<double>(act, Axis{rows, n, 1}, {.x = x, .dy = w}, dx);
      for (std::size_t i = 0; i < x.size(); ++i) {
        const auto loss = [&](double xi) {
          V xp = x, yp(rows * out);
          xp[i] = xi;
          actfn::reference::forward<double>(act, Axis{rows, n, 1}, xp, yp);
          double s = 0;
          for (std::size_t j = 0; j < yp.size(); ++j) s += w[j] * yp[j];
          return s;
        };
        const double numeric = richardson(loss, x[i], 1e-4);
        EXPECT_NEAR(dx[i], numeric, 1e-7 * (1 + std::fabs(numeric))) << "i=" << i;
      }
    }
  }
}

/// A strided layout [outer, axis, inner] gives what the contiguous transpose [outer·inner, axis] gives.
TEST_P(VectorWise, StridedLayoutEqualsContiguousTranspose) {
  std::mt19937_64 rng(29);
  for (const Activation& act : vector_variants(GetParam())) {
    SCOPED_TRACE(act.spec());
    const bool from_y = act.info().backward_needs == actfn::Needs::Y;
    const std::size_t outer = 2, n = 6, inner = 3, out = actfn::reference::output_axis(act, n);
    const V x = random_row(rng, outer * n * inner, 2.0);
    const V dy = random_row(rng, outer * out * inner, 1.0);
    V y(outer * out * inner), dx(x.size());
    actfn::reference::forward<double>(act, Axis{outer, n, inner}, x, y);
    // Transpose to rows.
    V xt(x.size()), dyt(dy.size());
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t i = 0; i < inner; ++i) {
        for (std::size_t k = 0; k < n; ++k) xt[(o * inner + i) * n + k] = x[(o * n + k) * inner + i];
        for (std::size_t k = 0; k < out; ++k) dyt[(o * inner + i) * out + k] = dy[(o * out + k) * inner + i];
      }
    V yt(y.size()), dxt(x.size());
    actfn::reference::forward<double>(act, Axis{outer * inner, n, 1}, xt, yt);
    if (from_y) {
      actfn::reference::backward<double>(act, Axis{outer, n, inner}, {.y = y, .dy = dy}, dx);
      actfn::reference::backward<double>(act, Axis{outer * inner, n, 1}, {.y = yt, .dy = dyt}, dxt);
    } else {
      actfn::reference::backward<double>(act, Axis{outer, n, inner}, {.x = x, .dy = dy}, dx);
      actfn::reference::backward<double>(act, Axis{outer * inner, n, 1}, {.x = xt, .dy = dyt}, dxt);
    }
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t i = 0; i < inner; ++i) {
        for (std::size_t k = 0; k < out; ++k)
          EXPECT_EQ(y[(o * out + k) * inner + i], yt[(o * inner + i) * out + k]);
        for (std::size_t k = 0; k < n; ++k)
          EXPECT_EQ(dx[(o * n + k) * inner + i], dxt[(o * inner + i) * n + k]);
      }
  }
}

/// float results are the double results rounded to float, within 1 ULP.
TEST_P(VectorWise, FloatPathMatchesDoublePath) {
  std::mt19937_64 rng(31);
  for (const Activation& act : vector_variants(GetParam())) {
    SCOPED_TRACE(act.spec());
    const std::size_t n = 6, out = actfn::reference::output_axis(act, n);
    for (double scale : {0.5, 4.0, 40.0}) {
      const V xd0 = random_row(rng, 4 * n, scale);
      const std::vector<float> xf(xd0.begin(), xd0.end());
      const V xd(xf.begin(), xf.end());
      std::vector<float> yf(4 * out);
      V yd(4 * out);
      actfn::reference::forward<float>(act, Axis{4, n, 1}, xf, yf);
      actfn::reference::forward<double>(act, Axis{4, n, 1}, xd, yd);
      for (std::size_t i = 0; i < yf.size(); ++i)
        EXPECT_LE(ulp_distance(yf[i], static_cast<float>(yd[i])), 1u) << yf[i] << " vs " << yd[i];
    }
  }
}

TEST_P(VectorWise, ShapeAndArgumentErrors) {
  const Activation act(GetParam());
  const bool from_y = act.info().backward_needs == actfn::Needs::Y;
  V x(8, 0.5), y(actfn::reference::output_axis(act, 4) * 2), dy(y.size(), 1.0), dx(8);
  EXPECT_THROW(actfn::reference::forward<double>(act, Axis{3, 4, 1}, x, y), actfn::Error) << "layout does not match x";
  V short_y(y.size() + 1);
  EXPECT_THROW(actfn::reference::forward<double>(act, Axis{2, 4, 1}, x, short_y), actfn::Error) << "y too long";
  actfn::reference::forward<double>(act, Axis{2, 4, 1}, x, y);
  // The other input than the one it needs is not enough.
  if (from_y)
    EXPECT_THROW(actfn::reference::backward<double>(act, Axis{2, 4, 1}, {.x = x, .dy = dy}, dx), actfn::Error);
  else
    EXPECT_THROW(actfn::reference::backward<double>(act, Axis{2, 4, 1}, {.y = y, .dy = dy}, dx), actfn::Error);
  V dx_short(7);
  if (from_y)
    EXPECT_THROW(actfn::reference::backward<double>(act, Axis{2, 4, 1}, {.y = y, .dy = dy}, dx_short), actfn::Error);
  else
    EXPECT_THROW(actfn::reference::backward<double>(act, Axis{2, 4, 1}, {.x = x, .dy = dy}, dx_short), actfn::Error);
  // Vector-wise functions need an Axis layout.
  EXPECT_THROW(actfn::reference::forward<double>(act, x, dx), actfn::Error);
  EXPECT_THROW(actfn::reference::backward<double>(act, {.x = x, .y = x, .dy = x}, dx), actfn::Error);
}

INSTANTIATE_TEST_SUITE_P(All, VectorWise, testing::ValuesIn(vector_wise_kinds()), KindName());

}  // namespace
}  // namespace actfn_test
