// properties() against a table typed from mathematics, and the registry itself.
//
// The minima of the non-monotonic functions were computed independently with mpmath (40 digits,
// root of f'), e.g. gelu: x = -0.75179152469356446, f = -0.16997120747990366.
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace actfn_test {
namespace {

using actfn::Smoothness;
using S = Smoothness;

constexpr double kLambda = 1.0507009873554805, kAlpha = 1.6732632423543772;

enum class Tri { No, Yes, Any };  // Any: a design choice either way (the function is invertible)

struct Expect {
  const char* spec;
  double lo;
  bool lo_attained;
  double hi;
  bool hi_attained;
  bool monotonic;
  bool zero_centred;
  Smoothness smooth;
  bool sat_left, sat_right;
  Tri from_y;
  double lim_neg, lim_pos;  // f(-inf), f(+inf)
  double min_x = kNaN, min_y = kNaN;  // global minimum of a non-monotonic function
};

constexpr double I = kInf;
constexpr Tri Y = Tri::Yes, N = Tri::No, A = Tri::Any;

// clang-format off
const Expect kTable[] = {
  //  spec                   lo     att    hi    att    mono   zc     smooth            satL   satR   from_y lim-      lim+
  {"step",                   0,     true,  1,    true,  true,  false, S::Discontinuous, true,  true,  A,     0,       1},
  {"sigmoid",                0,     false, 1,    false, true,  false, S::Smooth,        true,  true,  Y,     0,       1},
  {"hard_sigmoid",           0,     true,  1,    true,  true,  false, S::C0,            true,  true,  A,     0,       1},
  {"log_sigmoid",            -I,    false, 0,    false, true,  false, S::Smooth,        false, true,  Y,     -I,      0},
  {"generalized_sigmoid",    0,     false, 1,    false, true,  false, S::Smooth,        true,  true,  A,     0,       1},
  {"tanh",                   -1,    false, 1,    false, true,  true,  S::Smooth,        true,  true,  Y,     -1,      1},
  {"hardtanh",               -1,    true,  1,    true,  true,  true,  S::C0,            true,  true,  A,     -1,      1},
  {"tanhshrink",             -I,    false, I,    false, true,  true,  S::Smooth,        false, false, A,     -I,      I},
  {"shifted_tanh",           -1,    false, 1,    false, true,  true,  S::Smooth,        true,  true,  A,     -1,      1},
  {"lecun_tanh",             -1.7159, false, 1.7159, false, true, true, S::Smooth,      true,  true,  A,     -1.7159, 1.7159},
  // softsign: f'' = -2 sign(x)/(1+|x|)^3 jumps at 0, so it is C1, not C-inf.
  {"softsign",               -1,    false, 1,    false, true,  true,  S::C1,            true,  true,  A,     -1,      1},
  {"telu",                   -0.35328577784821127, true, I, false, false, true, S::Smooth, true, false, N,   0,       I,
                             -1.0788600584646241, -0.35328577784821127},
  {"relu",                   0,     true,  I,    false, true,  false, S::C0,            true,  false, Y,     0,       I},
  {"leaky_relu",             -I,    false, I,    false, true,  true,  S::C0,            false, false, Y,     -I,      I},
  {"prelu",                  -I,    false, I,    false, true,  true,  S::C0,            false, false, A,     -I,      I},
  {"rrelu",                  -I,    false, I,    false, true,  true,  S::C0,            false, false, A,     -I,      I},
  {"clipped_relu",           0,     true,  6,    true,  true,  false, S::C0,            true,  true,  A,     0,       6},
  {"threshold",              0,     true,  I,    false, true,  false, S::C0,            true,  false, A,     0,       I},
  {"relu_squared",           0,     true,  I,    false, true,  false, S::C1,            true,  false, A,     0,       I},
  {"elu",                    -1,    false, I,    false, true,  true,  S::C1,            true,  false, Y,     -1,      I},
  {"celu",                   -1,    false, I,    false, true,  true,  S::C1,            true,  false, Y,     -1,      I},
  {"selu",                   -kLambda * kAlpha, false, I, false, true, true, S::C0,      true,  false, Y,     -kLambda * kAlpha, I},
  {"gelu",                   -0.16997120747990366, true, I, false, false, true, S::Smooth, true, false, N,   0,       I,
                             -0.75179152469356446, -0.16997120747990366},
  {"gelu_tanh",              -0.17004075057125405, true, I, false, false, true, S::Smooth, true, false, N,   0,       I,
                             -0.75246142207101626, -0.17004075057125405},
  {"gelu_sigmoid",           -0.16361018963635358, true, I, false, false, true, S::Smooth, true, false, N,   0,       I,
                             -0.75115425544128895, -0.16361018963635358},
  {"silu",                   -0.27846454276107380, true, I, false, false, true, S::Smooth, true, false, N,   0,       I,
                             -1.2784645427610738, -0.27846454276107380},
  {"swish",                  -0.27846454276107380, true, I, false, false, true, S::Smooth, true, false, N,   0,       I,
                             -1.2784645427610738, -0.27846454276107380},
  // hardswish: x (x + 3)/6 has its minimum -3/8 at x = -3/2.
  {"hardswish",              -0.375, true,  I,    false, false, true,  S::C0,            true,  false, N,     0,       I,
                             -1.5, -0.375},
  {"mish",                   -0.30884341301725041, true, I, false, false, true, S::Smooth, true, false, N,   0,       I,
                             -1.1924312145154952, -0.30884341301725041},
  {"softplus",               0,     false, I,    false, true,  false, S::Smooth,        true,  false, Y,     0,       I},
  {"squareplus",             0,     false, I,    false, true,  false, S::Smooth,        true,  false, A,     0,       I},
  {"hardshrink",             -I,    false, I,    false, true,  true,  S::Discontinuous, false, false, A,     -I,      I},
  {"softshrink",             -I,    false, I,    false, true,  true,  S::C0,            false, false, A,     -I,      I},
  {"identity",               -I,    false, I,    false, true,  true,  S::Smooth,        false, false, Y,     -I,      I},
  // Non-default parameters that change the class.
  {"elu(alpha=2)",           -2,    false, I,    false, true,  true,  S::C0,            true,  false, Y,     -2,      I},
  {"celu(alpha=2)",          -2,    false, I,    false, true,  true,  S::C1,            true,  false, Y,     -2,      I},
  {"threshold(threshold=1, value=0)", 0, true, I, false, true, false, S::Discontinuous,  true,  false, A,     0,       I},
  {"leaky_relu(negative_slope=-0.5)", 0, true, I, false, false, false, S::C0,           false, false, N,     I,       I,
                             0, 0},
  {"relu6",                  0,     true,  6,    true,  true,  false, S::C0,            true,  true,  A,     0,       6},
  {"hard_sigmoid(preset=keras2)", 0, true, 1,    true,  true,  false, S::C0,            true,  true,  A,     0,       1},
  {"swish(beta=0)",          -I,    false, I,    false, true,  true,  S::Smooth,        false, false, A,     -I,      I},
  {"squareplus(b=1)",        0,     false, I,    false, true,  false, S::Smooth,        true,  false, A,     0,       I},
  {"softplus(beta=2)",       0,     false, I,    false, true,  false, S::Smooth,        true,  false, Y,     0,       I},
};
// clang-format on

void expect_bound(const char* what, const actfn::Bound& got, double value, bool attained) {
  SCOPED_TRACE(what);
  if (std::isinf(value)) {
    EXPECT_EQ(got.value, value);
  } else {
    EXPECT_NEAR(got.value, value, 1e-12 * (1 + std::fabs(value)));
  }
  EXPECT_EQ(got.attained, attained);
}

void expect_limit(const char* what, double got, double value) {
  if (std::isinf(value)) { EXPECT_EQ(got, value) << what; }
  else { EXPECT_NEAR(got, value, 1e-15 * std::fabs(value)) << what; }
}

TEST(Properties, MatchTheMathematics) {
  for (const Expect& e : kTable) {
    SCOPED_TRACE(e.spec);
    const Activation act = actfn::parse(e.spec);
    const actfn::Properties p = actfn::properties(act);
    expect_bound("lower", p.lower, e.lo, e.lo_attained);
    expect_bound("upper", p.upper, e.hi, e.hi_attained);
    EXPECT_EQ(p.monotonic, e.monotonic) << "monotonic";
    EXPECT_EQ(p.zero_centred, e.zero_centred) << "zero_centred";
    EXPECT_EQ(p.smoothness, e.smooth) << "smoothness " << actfn::to_string(p.smoothness) << ", expected "
                                      << actfn::to_string(e.smooth);
    EXPECT_EQ(p.saturates_left, e.sat_left) << "saturates_left";
    EXPECT_EQ(p.saturates_right, e.sat_right) << "saturates_right";
    if (e.from_y != Tri::Any) { EXPECT_EQ(p.backward_from_y, e.from_y == Tri::Yes) << "backward_from_y"; }
    EXPECT_EQ(p.backward_from_y, act.backward_from_y());
    expect_limit("f(-inf)", p.limit_neg_inf, e.lim_neg);
    expect_limit("f(+inf)", p.limit_pos_inf, e.lim_pos);
    EXPECT_EQ(p.bounded_below(), e.lo > -kInf);
    EXPECT_EQ(p.bounded_above(), e.hi < kInf);
    if (std::isnan(e.min_x)) {
      EXPECT_FALSE(p.minimum.has_value()) << "a monotonic function has no interior minimum";
    } else {
      ASSERT_TRUE(p.minimum.has_value()) << "minimum";
      EXPECT_NEAR(p.minimum->x, e.min_x, 1e-6) << "argmin";
      EXPECT_NEAR(p.minimum->y, e.min_y, 1e-13) << "min";
    }
    // At a minimum the derivative vanishes (smooth ones) and f is not smaller anywhere on a grid.
    if (p.minimum) {
      for (int i = -4000; i <= 4000; ++i) { EXPECT_GE(f64(act, i * 0.005), p.minimum->y - 1e-15); }
    }
  }
}

/// zero_centred means f(0) = 0 and f takes both signs; check the definition directly for every
/// activation, and that the range bounds the function on a grid.
class PropertiesOf : public testing::TestWithParam<Kind> {};

TEST_P(PropertiesOf, AgreeWithSampledValues) {
  for (const Activation& act : variants(GetParam())) {
    SCOPED_TRACE(act.spec());
    const actfn::Properties p = actfn::properties(act);
    bool neg = false, pos = false, mono = true;
    double prev = -kInf;
    for (int i = -2000; i <= 2000; ++i) {
      const double x = i * 0.01;
      const double y = f64(act, x);
      neg |= y < 0;
      pos |= y > 0;
      if (y < prev - 1e-14 * (1 + std::fabs(y))) mono = false;
      prev = y;
      EXPECT_GE(y, p.lower.value - 1e-12) << "x=" << x;
      EXPECT_LE(y, p.upper.value + 1e-12) << "x=" << x;
    }
    EXPECT_EQ(p.zero_centred, f64(act, 0.0) == 0 && neg && pos);
    if (!mono) { EXPECT_FALSE(p.monotonic); }
    EXPECT_EQ(p.limit_neg_inf, f64(act, -kInf));
    EXPECT_EQ(p.limit_pos_inf, f64(act, kInf));
    // Slope-zero tails saturate.
    EXPECT_EQ(p.saturates_left, std::fabs(df64(act, -1e8)) < 1e-6);
    EXPECT_EQ(p.saturates_right, std::fabs(df64(act, 1e8)) < 1e-6);
  }
}

INSTANTIATE_TEST_SUITE_P(ElementWise, PropertiesOf, testing::ValuesIn(element_wise_kinds()), KindName());

TEST(Properties, VectorWiseThrows) {
  for (Kind k : vector_wise_kinds()) { EXPECT_THROW((void)actfn::properties(Activation(k)), actfn::Error); }
}

TEST(Properties, SmoothnessNames) {
  EXPECT_EQ(actfn::to_string(S::Discontinuous), "discontinuous");
  EXPECT_EQ(actfn::to_string(S::C0), "C0");
  EXPECT_EQ(actfn::to_string(S::C1), "C1");
  EXPECT_EQ(actfn::to_string(S::Smooth), "C-inf");
}

// ---- the registry --------------------------------------------------------------------------------

TEST(Registry, HasEveryActivationOfTheCatalogue) {
  const char* names[] = {"step", "sigmoid", "hard_sigmoid", "log_sigmoid", "generalized_sigmoid", "tanh", "hardtanh",
                         "tanhshrink", "shifted_tanh", "lecun_tanh", "softsign", "telu", "relu", "leaky_relu",
                         "prelu", "rrelu", "clipped_relu", "threshold", "elu", "celu", "selu", "gelu", "silu",
                         "swish", "hardswish", "mish", "softplus", "hardshrink", "softshrink", "squareplus",
                         "identity", "softmax", "log_softmax", "softmin", "glu", "maxout"};
  for (const char* n : names) {
    SCOPED_TRACE(n);
    const auto k = actfn::find(n);
    ASSERT_TRUE(k.has_value());
    EXPECT_EQ(actfn::info(*k).name, n);
    EXPECT_EQ(actfn::parse(n).kind(), *k);
  }
  EXPECT_EQ(actfn::parse("relu6").kind(), Kind::ClippedRelu);
  EXPECT_EQ(actfn::parse("relu6").param("ceiling"), 6.0);
  EXPECT_EQ(actfn::parse("gelu(approximate=tanh)").kind(), Kind::GeluTanh);
  EXPECT_EQ(actfn::parse("gelu(approximate=sigmoid)").kind(), Kind::GeluSigmoid);
  EXPECT_GE(actfn::all().size(), 40u);
  EXPECT_EQ(actfn::all().size(), actfn::kKindCount);
}

TEST(Registry, RowsAreInEnumOrderAndInfoRoundTrips) {
  for (std::size_t i = 0; i < actfn::all().size(); ++i) {
    const actfn::FunctionInfo& fi = actfn::all()[i];
    EXPECT_EQ(static_cast<std::size_t>(fi.kind), i);
    EXPECT_EQ(&actfn::info(fi.kind), &fi);
    EXPECT_EQ(actfn::find(fi.name), fi.kind);
  }
  EXPECT_FALSE(actfn::find("no_such_activation").has_value());
  EXPECT_THROW((void)actfn::info(Kind::Count), actfn::Error);
}

TEST(Registry, NamesAndAliasesAreUnique) {
  std::set<std::string> seen;
  for (const actfn::FunctionInfo& fi : actfn::all()) {
    EXPECT_TRUE(seen.insert(std::string(fi.name)).second) << fi.name;
    for (const actfn::Alias& a : fi.aliases) { EXPECT_TRUE(seen.insert(std::string(a.name)).second) << a.name; }
  }
}

TEST(Registry, RowsAreComplete) {
  for (const actfn::FunctionInfo& fi : actfn::all()) {
    SCOPED_TRACE(fi.name);
    EXPECT_FALSE(fi.name.empty());
    EXPECT_FALSE(fi.family.empty());
    EXPECT_FALSE(fi.summary.empty());
    EXPECT_FALSE(fi.formula.empty());
    EXPECT_FALSE(fi.derivative.empty());
    EXPECT_FALSE(fi.reference.empty());
    EXPECT_LE(fi.params.size(), actfn::kMaxParams);
    // Names are snake_case: what parse() normalises to.
    for (char c : fi.name) { EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << fi.name; }
    if (fi.vector_wise) { EXPECT_NE(fi.backward_needs, actfn::Needs::Either); }
    else { EXPECT_NE(fi.backward_needs, actfn::Needs::Y); }
  }
}

TEST(Registry, DefaultsAreInsideTheirRanges) {
  for (const actfn::FunctionInfo& fi : actfn::all()) {
    std::set<std::string> names;
    for (const actfn::ParamSpec& p : fi.params) {
      SCOPED_TRACE(std::string(fi.name) + "." + std::string(p.name));
      EXPECT_TRUE(names.insert(std::string(p.name)).second) << "duplicate parameter name";
      EXPECT_TRUE(p.range.contains(p.default_value));
      EXPECT_TRUE(std::isfinite(p.default_value));
      if (p.integer) { EXPECT_EQ(p.default_value, std::floor(p.default_value)); }
      EXPECT_FALSE(p.doc.empty());
    }
    Activation act(fi.kind);
    EXPECT_NO_THROW(act.validate()) << fi.name;
    for (std::size_t i = 0; i < fi.params.size(); ++i) { EXPECT_EQ(act.params()[i], fi.params[i].default_value); }
    for (std::size_t i = fi.params.size(); i < actfn::kMaxParams; ++i) { EXPECT_EQ(act.params()[i], 0.0); }
  }
}

TEST(Registry, LearnableCounts) {
  EXPECT_EQ(actfn::learnable_count(Kind::Prelu), 1u);
  EXPECT_EQ(actfn::learnable_count(Kind::Swish), 1u);
  EXPECT_EQ(actfn::learnable_count(Kind::GeneralizedSigmoid), 5u);
  EXPECT_EQ(actfn::learnable_count(Kind::ShiftedTanh), 2u);
  EXPECT_EQ(actfn::learnable_count(Kind::Relu), 0u);
  EXPECT_EQ(actfn::learnable_count(Kind::LeakyRelu), 0u);
}

TEST(Registry, AliasesAndPresetsParse) {
  for (const actfn::FunctionInfo& fi : actfn::all()) {
    for (const actfn::Alias& a : fi.aliases) {
      SCOPED_TRACE(a.name);
      EXPECT_EQ(actfn::parse(a.name).kind(), fi.kind);
    }
    for (const actfn::Preset& p : fi.presets) {
      SCOPED_TRACE(std::string(fi.name) + " preset " + std::string(p.name));
      EXPECT_NO_THROW((void)actfn::parse(std::string(fi.name) + "(preset=" + std::string(p.name) + ")"));
    }
    if (fi.variant) {
      SCOPED_TRACE(fi.name);
      const actfn::Activation a =
          actfn::parse(std::string(actfn::info(fi.variant->base).name) + "(" + std::string(fi.variant->param) + "=" +
                       std::string(fi.variant->value) + ")");
      EXPECT_EQ(a.kind(), fi.kind);
    }
  }
}

}  // namespace
}  // namespace actfn_test
