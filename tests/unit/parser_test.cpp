// The spec parser: names, aliases, presets, variants, numbers, errors, and spec() round trips.
#include <string>
#include <vector>

#include "test_support.hpp"

namespace actfn_test {
namespace {

/// EXPECT_THAT(text, HasSubstr(part)) without gmock.
#define EXPECT_CONTAINS(text, part)                                                        \
  do {                                                                                     \
    const std::string text_ = (text);                                                      \
    const std::string part_ = (part);                                                      \
    EXPECT_NE(text_.find(part_), std::string::npos) << "'" << text_ << "' lacks '" << part_ << "'"; \
  } while (false)

/// The message of the Error that parse(spec) throws ("" and a test failure when it does not).
std::string parse_error(const std::string& spec) {
  try {
    const Activation a = actfn::parse(spec);
    ADD_FAILURE() << "parse('" << spec << "') succeeded with " << a.spec();
  } catch (const actfn::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Parse, EveryCanonicalName) {
  for (const actfn::FunctionInfo& fi : actfn::all()) {
    SCOPED_TRACE(fi.name);
    const Activation a = actfn::parse(fi.name);
    EXPECT_EQ(a.kind(), fi.kind);
    EXPECT_EQ(a, Activation(fi.kind));
    EXPECT_EQ(a.name(), fi.name);
  }
}

TEST(Parse, CaseAndDashInsensitiveAndWhitespace) {
  EXPECT_EQ(actfn::parse("ReLU").kind(), Kind::Relu);
  EXPECT_EQ(actfn::parse("LEAKY-RELU").kind(), Kind::LeakyRelu);
  EXPECT_EQ(actfn::parse("Leaky-ReLU(Negative-Slope=0.2)").param("negative_slope"), 0.2);
  EXPECT_EQ(actfn::parse("  elu ( alpha = 2 )  ").param("alpha"), 2.0);
  EXPECT_EQ(actfn::parse("Log-Softmax").kind(), Kind::LogSoftmax);
  EXPECT_EQ(actfn::parse("elu()"), Activation(Kind::Elu));
}

TEST(Parse, Aliases) {
  const Activation relu6 = actfn::parse("relu6");
  EXPECT_EQ(relu6.kind(), Kind::ClippedRelu);
  EXPECT_EQ(relu6.param("ceiling"), 6.0);
  EXPECT_EQ(actfn::parse("ReLU6").kind(), Kind::ClippedRelu);
  EXPECT_EQ(actfn::parse("hardsigmoid").kind(), Kind::HardSigmoid);
  EXPECT_EQ(actfn::parse("logistic").kind(), Kind::Sigmoid);
  EXPECT_EQ(actfn::parse("heaviside").kind(), Kind::Step);
  EXPECT_EQ(actfn::parse("quick_gelu").kind(), Kind::GeluSigmoid);
  EXPECT_EQ(actfn::parse("quick-gelu").kind(), Kind::GeluSigmoid);
  EXPECT_EQ(actfn::parse("hard_swish").kind(), Kind::Hardswish);
  EXPECT_EQ(actfn::parse("logsigmoid").kind(), Kind::LogSigmoid);
  EXPECT_EQ(actfn::parse("heaviside(value_at_zero=1)").param("value_at_zero"), 1.0);
  // relu6 fixes the ceiling: setting it again is a contradiction, not an override.
  EXPECT_CONTAINS(parse_error("relu6(ceiling=5)"), "ceiling");
}

TEST(Parse, Presets) {
  const Activation keras = actfn::parse("hard_sigmoid(preset=keras2)");
  EXPECT_EQ(keras.kind(), Kind::HardSigmoid);
  EXPECT_EQ(keras.param("slope"), 0.2);
  EXPECT_EQ(keras.param("offset"), 0.5);
  const Activation torch = actfn::parse("hard_sigmoid(preset=pytorch)");
  EXPECT_EQ(torch.param("slope"), 1.0 / 6.0);
  EXPECT_EQ(torch, Activation(Kind::HardSigmoid));
  EXPECT_EQ(actfn::parse("hardsigmoid(preset=Keras2)"), keras);
  EXPECT_CONTAINS(parse_error("hard_sigmoid(preset=caffe)"), "caffe");
  EXPECT_CONTAINS(parse_error("hard_sigmoid(preset=caffe)"), "keras2");
  EXPECT_CONTAINS(parse_error("relu(preset=keras2)"), "keras2");
}

TEST(Parse, Variants) {
  EXPECT_EQ(actfn::parse("gelu").kind(), Kind::Gelu);
  EXPECT_EQ(actfn::parse("gelu(approximate=none)").kind(), Kind::Gelu);
  EXPECT_EQ(actfn::parse("gelu(approximate=tanh)").kind(), Kind::GeluTanh);
  EXPECT_EQ(actfn::parse("GELU(approximate=TANH)").kind(), Kind::GeluTanh);
  EXPECT_EQ(actfn::parse("gelu(approximate=sigmoid)").kind(), Kind::GeluSigmoid);
  EXPECT_EQ(actfn::parse("gelu_tanh").kind(), Kind::GeluTanh);
  EXPECT_EQ(actfn::parse("gelu_tanh(approximate=tanh)").kind(), Kind::GeluTanh);
  const std::string bad = parse_error("gelu(approximate=exact)");
  EXPECT_CONTAINS(bad, "approximate");
  EXPECT_CONTAINS(bad, "exact");
  for (const char* choice : {"none", "tanh", "sigmoid"}) { EXPECT_CONTAINS(bad, choice); }
  // A variant name with a contradicting choice is an error, not a silent switch.
  EXPECT_CONTAINS(parse_error("gelu_tanh(approximate=none)"), "approximate");
  EXPECT_CONTAINS(parse_error("relu(approximate=tanh)"), "approximate");
}

TEST(Parse, PositionalArguments) {
  const Activation a = actfn::parse("hardtanh(-2, 3)");
  EXPECT_EQ(a.param("min_val"), -2.0);
  EXPECT_EQ(a.param("max_val"), 3.0);
  const Activation g = actfn::parse("generalized_sigmoid(2, 0.5, 1.5, 0.3, -0.2)");
  EXPECT_EQ(g.param("alpha"), 2.0);
  EXPECT_EQ(g.param("beta"), 0.5);
  EXPECT_EQ(g.param("gamma"), 1.5);
  EXPECT_EQ(g.param("epsilon"), 0.3);
  EXPECT_EQ(g.param("delta"), -0.2);
  const Activation mixed = actfn::parse("threshold(0.5, value=-1)");
  EXPECT_EQ(mixed.param("threshold"), 0.5);
  EXPECT_EQ(mixed.param("value"), -1.0);
  EXPECT_EQ(actfn::parse("leaky_relu(0.2)").param("negative_slope"), 0.2);
}

TEST(Parse, Numbers) {
  EXPECT_EQ(actfn::parse("hard_sigmoid(slope=1/6)").param("slope"), 1.0 / 6.0);
  EXPECT_EQ(actfn::parse("hard_sigmoid(slope=1/6)"), Activation(Kind::HardSigmoid));
  EXPECT_EQ(actfn::parse("rrelu(lower=1/8, upper=1/3)"), Activation(Kind::Rrelu));
  EXPECT_EQ(actfn::parse("leaky_relu(0x1p-3)").param("negative_slope"), 0.125);
  EXPECT_EQ(actfn::parse("leaky_relu(negative_slope=0x1.8p-1)").param("negative_slope"), 0.75);
  EXPECT_EQ(actfn::parse("elu(alpha=2.5e-1)").param("alpha"), 0.25);
  EXPECT_EQ(actfn::parse("elu(alpha=-.5)").param("alpha"), -0.5);
  EXPECT_EQ(actfn::parse("softplus(beta=-3/-4)").param("beta"), 0.75);
  // Parameters must be finite.
  EXPECT_CONTAINS(parse_error("elu(alpha=inf)"), "alpha");
  EXPECT_CONTAINS(parse_error("elu(alpha=nan)"), "alpha");
  EXPECT_CONTAINS(parse_error("elu(alpha=1/0)"), "alpha");
}

TEST(Parse, UnknownActivationSuggestsNames) {
  const std::string e = parse_error("relu7");
  EXPECT_CONTAINS(e, "relu7");
  EXPECT_CONTAINS(e, "did you mean");
  EXPECT_CONTAINS(e, "relu");
  const std::string e2 = parse_error("sigmiod");
  EXPECT_CONTAINS(e2, "sigmiod");
  EXPECT_CONTAINS(e2, "sigmoid");
  EXPECT_CONTAINS(parse_error("softmaxx"), "softmax");
  EXPECT_CONTAINS(actfn::suggest("leaky_rel"), "leaky_relu");
  EXPECT_CONTAINS(actfn::suggest("swiglu2"), "swiglu");
  EXPECT_EQ(actfn::suggest("zzzzzzzzzzzzzzzzzzzzzzzzzz"), "");
  EXPECT_FALSE(parse_error("").empty());
  EXPECT_FALSE(parse_error("   ").empty());
  EXPECT_FALSE(parse_error("(alpha=1)").empty());
}

TEST(Parse, ParameterErrorsNameTheProblem) {
  const struct {
    const char* spec;
    std::vector<const char*> mentions;
  } cases[] = {
      {"elu(beta=1)", {"elu", "beta"}},                      // unknown parameter
      {"relu(alpha=1)", {"relu", "alpha"}},                  // it takes none
      {"elu(alpha=abc)", {"alpha", "abc"}},                  // not a number
      {"elu(alpha=)", {"alpha"}},                            // empty value
      {"elu(alpha=1/x)", {"alpha"}},                         // bad fraction
      {"softplus(beta=0)", {"softplus", "beta"}},            // beta > 0
      {"softplus(beta=-1)", {"softplus", "beta"}},
      {"celu(alpha=0)", {"celu", "alpha"}},                  // alpha > 0
      {"celu(alpha=-1)", {"celu", "alpha"}},
      {"squareplus(b=0)", {"b"}},
      {"hardtanh(min_val=1, max_val=1)", {"min_val", "max_val"}},
      {"hardtanh(min_val=2, max_val=1)", {"min_val", "max_val"}},
      {"rrelu(lower=0.5, upper=0.1)", {"lower", "upper"}},
      {"rrelu(lower=-0.1)", {"lower"}},
      {"prelu(num_parameters=0)", {"num_parameters"}},
      {"prelu(num_parameters=1.5)", {"num_parameters"}},
      {"maxout(pieces=0)", {"pieces"}},
      {"maxout(pieces=2.5)", {"pieces"}},
      {"clipped_relu(ceiling=0)", {"ceiling"}},
      {"hardshrink(lambd=-1)", {"lambd"}},
      {"elu(1, 2)", {"elu", "too many"}},                    // too many positionals
      {"relu(1)", {"relu"}},
      {"elu(1, alpha=2)", {"alpha", "twice"}},               // duplicate
      {"elu(alpha=1, alpha=2)", {"alpha", "twice"}},
      {"elu(alpha=1", {"')'"}},                              // missing ')'
      {"elu(alpha=1))", {"elu"}},
      {"elu((alpha=1)", {"elu"}},
      {"elu(alpha=1,)", {"elu"}},                            // empty argument
      {"elu(=1)", {"elu"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.spec);
    const std::string e = parse_error(c.spec);
    for (const char* m : c.mentions) { EXPECT_CONTAINS(e, m); }
    EXPECT_EQ(e.find('\n'), std::string::npos) << "one line";
  }
}

/// Structural counts are sizes: a value no size_t holds, or that float cannot count, is refused
/// by name at parse time (maxout(pieces=1e300) once reached `n % 0`, and prelu with 1e10
/// channels a 40 GB allocation).
TEST(Parse, CountsAreBoundedSizes) {
  for (const char* spec : {"maxout(pieces=1e300)", "maxout(pieces=3.4028236e38)", "maxout(pieces=16777217)",
                           "prelu(num_parameters=1e10)", "prelu(num_parameters=1e300)"}) {
    SCOPED_TRACE(spec);
    const std::string e = parse_error(spec);
    EXPECT_CONTAINS(e, std::string(spec).find("pieces") != std::string::npos ? "pieces" : "num_parameters");
    EXPECT_CONTAINS(e, "16777216");
    EXPECT_EQ(e.find("-9223372036854775808"), std::string::npos);
  }
  EXPECT_EQ(actfn::parse("maxout(pieces=16777216)").param("pieces"), 16777216.0);
}

/// A variant's choice given twice is reported as given twice, not as an unknown parameter.
TEST(Parse, VariantGivenTwice) {
  EXPECT_CONTAINS(parse_error("gelu(approximate=tanh, approximate=none)"), "'approximate' given twice");
  EXPECT_CONTAINS(parse_error("gelu(approximate=none, approximate=none)"), "'approximate' given twice");
}

/// Whatever the user typed, the message is one bounded line: a newline or a NUL in the spec is
/// escaped (a NUL once cut Python's copy of the message short), a megabyte is not echoed whole, and
/// a long name gets no edit-distance search (16 MB once took 22 s).
TEST(Parse, MessagesStayOneBoundedLine) {
  const std::vector<std::string> specs{"re\nlu", std::string("relu\0x(", 7), "elu(alpha=\n1x)", "elu(\x01=1)",
                                       "hard_sigmoid(preset=ke\nras)", std::string(1 << 20, 'r'),
                                       "relu" + std::string(16 << 20, 'x'),
                                       "elu(alpha=" + std::string(1 << 20, '7') + "x)"};
  for (const std::string& spec : specs) {
    SCOPED_TRACE(spec.substr(0, 20));
    const std::string e = parse_error(spec);
    EXPECT_FALSE(e.empty());
    EXPECT_EQ(e.find('\n'), std::string::npos) << "one line";
    EXPECT_EQ(e.find('\0'), std::string::npos) << "no NUL";
    EXPECT_LT(e.size(), 400u) << "bounded";
  }
  EXPECT_CONTAINS(parse_error("re\nlu"), "'re\\x0alu'");
  EXPECT_CONTAINS(parse_error(std::string("re\0lu", 5)), "'re\\x00lu'");
  EXPECT_CONTAINS(parse_error(std::string(1 << 20, 'r')), "of 1048576 bytes");
  EXPECT_CONTAINS(parse_error("ünknown"), "'ünknown'");  // UTF-8 stays readable
}

TEST(Parse, SetParamValidates) {
  Activation a(Kind::Softplus);
  EXPECT_THROW(a.set_param("beta", 0.0), actfn::Error);
  EXPECT_THROW(a.set_param("gamma", 1.0), actfn::Error);
  EXPECT_THROW(a.set_param("beta", kInf), actfn::Error);
  EXPECT_THROW((void)a.param("gamma"), actfn::Error);
  EXPECT_EQ(a.param("beta"), 1.0);  // unchanged after the failures
  a.set_param("beta", 2.0);
  EXPECT_EQ(a.param("beta"), 2.0);
  // Cross-parameter constraints are checked by validate(), and by every operation.
  Activation h(Kind::Hardtanh);
  h.set_param("min_val", 5.0);
  EXPECT_THROW(h.validate(), actfn::Error);
  double x = 0, y = 0;
  EXPECT_THROW(actfn::reference::forward<double>(h, std::span<const double>(&x, 1), std::span<double>(&y, 1)), actfn::Error);
}

/// parse(spec()) == act for every kind, at defaults and with every parameter moved.
TEST(Parse, SpecRoundTrips) {
  for (const actfn::FunctionInfo& fi : actfn::all()) {
    std::vector<Activation> acts{Activation(fi.kind)};
    for (const Activation& v : variants(fi.kind)) acts.push_back(v);
    for (std::size_t i = 0; i < fi.params.size(); ++i) {
      const actfn::ParamSpec& p = fi.params[i];
      for (double v : {p.default_value + 1, p.default_value + 1.0 / 3.0, p.default_value * 7 + 0x1p-30, 3.0}) {
        if (p.integer) v = std::floor(std::fabs(v)) + 1;
        Activation a(fi.kind);
        try {
          a.set_param(p.name, v);
          a.validate();
        } catch (const actfn::Error&) {
          continue;
        }
        acts.push_back(a);
      }
    }
    for (const Activation& a : acts) {
      SCOPED_TRACE(a.spec());
      EXPECT_EQ(actfn::parse(a.spec()), a);
    }
    EXPECT_EQ(Activation(fi.kind).spec(), fi.name) << "defaults are not spelled out";
  }
  EXPECT_EQ(actfn::parse("leaky_relu(negative_slope=0.2)").spec(), "leaky_relu(negative_slope=0.2)");
  EXPECT_EQ(actfn::parse("relu6").spec(), "clipped_relu");
  EXPECT_EQ(actfn::parse("gelu(approximate=tanh)").spec(), "gelu_tanh");
  EXPECT_EQ(actfn::parse(actfn::parse("gelu(approximate=tanh)").spec()).kind(), Kind::GeluTanh);
}

TEST(OutputAxis, SizesAndErrors) {
  EXPECT_EQ(actfn::reference::output_axis(actfn::parse("softmax"), 7), 7u);
  EXPECT_EQ(actfn::reference::output_axis(actfn::parse("glu"), 8), 4u);
  EXPECT_EQ(actfn::reference::output_axis(actfn::parse("swiglu"), 2), 1u);
  EXPECT_EQ(actfn::reference::output_axis(actfn::parse("maxout(pieces=3)"), 9), 3u);
  EXPECT_EQ(actfn::reference::output_axis(actfn::parse("maxout"), 4), 2u);
  const auto message = [](const Activation& a, std::size_t n) -> std::string {
    try {
      (void)actfn::reference::output_axis(a, n);
    } catch (const actfn::Error& e) {
      return e.what();
    }
    ADD_FAILURE() << a.spec() << " accepted axis " << n;
    return "";
  };
  for (const char* glu : {"glu", "geglu", "swiglu", "reglu"}) {
    const std::string e = message(actfn::parse(glu), 5);
    EXPECT_CONTAINS(e, glu);
    EXPECT_CONTAINS(e, "5");
  }
  const std::string m = message(actfn::parse("maxout(pieces=3)"), 4);
  EXPECT_CONTAINS(m, "maxout");
  EXPECT_CONTAINS(m, "4");
  EXPECT_CONTAINS(m, "3");
  EXPECT_THROW((void)actfn::reference::output_axis(actfn::parse("relu"), 4), actfn::Error);
}

}  // namespace
}  // namespace actfn_test
