// The actfn command end to end: every expected value here is known independently of actfn
// (closed forms, IEEE rounding of decimal constants), not copied from its output.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actfn/actfn.hpp"
#include "certify.hpp"

namespace {

struct Outcome {
  int rc;
  std::string out, err;
};

/// Runs `actfn ARGS` through the shell with optional stdin text.
Outcome actfn_run(const std::string& args, const std::string& input = "") {
  // Unique per process and call: ctest runs these tests in parallel processes.
  static int calls = 0;
  const std::string stem = ::testing::TempDir() + "actfn_cli_" + std::to_string(getpid()) + "_" + std::to_string(calls++);
  const std::string err_file = stem + ".err", in_file = stem + ".in";
  if (FILE* f = std::fopen(in_file.c_str(), "wb")) {
    std::fwrite(input.data(), 1, input.size(), f);  // bytes as they are, NULs included
    std::fclose(f);
  }
  const std::string cmd = std::string(ACTFN_BIN) + " " + args + " <" + in_file + " 2>" + err_file;
  Outcome r{};
  FILE* pipe = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) r.out += buf.data();
  const int status = pclose(pipe);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (FILE* f = std::fopen(err_file.c_str(), "r")) {
    while (std::fgets(buf.data(), buf.size(), f)) r.err += buf.data();
    std::fclose(f);
  }
  std::remove(err_file.c_str());
  std::remove(in_file.c_str());
  return r;
}

std::size_t count_lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST(Eval, TsvHeaderAndRoundTripNumbers) {
  const Outcome r = actfn_run("eval sigmoid 0");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "x\ty\n0\t0.5\n");
}

TEST(Eval, ParametersAndGradientColumns) {
  // leaky_relu(-2) = 0.2 * -2: in f32 the slope is float(0.2) = 0.200000003, and -0.4f prints as below.
  const Outcome r = actfn_run("eval 'leaky_relu(negative_slope=0.2)' --grad -2 3");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "x\ty\tgrad\n-2\t-0.400000006\t0.200000003\n3\t3\t1\n");
}

TEST(Eval, F64UsesSeventeenDigits) {
  // Phi(1) = 0.841344746068542948585...; ln 2 = 0.693147180559945309417...
  EXPECT_EQ(actfn_run("eval gelu --dtype f64 1").out, "x\ty\n1\t0.84134474606854293\n");
  EXPECT_EQ(actfn_run("eval softplus --dtype f64 0").out, "x\ty\n0\t0.69314718055994529\n");
}

TEST(Eval, LearnableParameterGradientColumn) {
  // swish(x; beta) = x sigmoid(beta x): at x = 0, y = 0, dy/dx = sigmoid(0) = 1/2 and d/dbeta = x^2 s(1 - s) = 0.
  const Outcome r = actfn_run("eval swish --grad --dtype f64 0");
  EXPECT_EQ(r.out, "x\ty\tgrad\tgrad_beta\n0\t0\t0.5\t0\n");
}

TEST(Eval, NonFiniteAndHexInputs) {
  const Outcome r = actfn_run("eval relu nan inf -inf 0x1p-3 -0x1p-3");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "x\ty\nnan\tnan\ninf\tinf\n-inf\t0\n0.125\t0.125\n-0.125\t0\n");
}

TEST(Eval, ReadsStdinWhenNoInputs) {
  const Outcome r = actfn_run("eval identity", "1.5\n\n  -2 \n");
  EXPECT_EQ(r.out, "x\ty\n1.5\t1.5\n-2\t-2\n");
}

TEST(Eval, VectorWiseRows) {
  // Rows of length 2: softmax(7, 7) = (1/2, 1/2) and softmax(-inf, 5) = (0, 1), exactly.
  const Outcome r = actfn_run("eval softmax --dtype f64 --axis-len 2 7 7 -inf 5");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "x\ty\n7\t0.5\n7\t0.5\n-inf\t0\n5\t1\n");
  const Outcome bad = actfn_run("eval softmax --axis-len 2 1 2 3");
  EXPECT_NE(bad.rc, 0);
  EXPECT_NE(bad.err.find("--axis-len 2"), std::string::npos) << bad.err;
}

TEST(Eval, Storage16RoundsInputsAndOutputs) {
  // bf16 keeps 7 fraction bits: 1 + 2^-8 is halfway between 1 and 1 + 2^-7 and rounds to even (1);
  // 1 + 3·2^-8 rounds up to 1 + 2^-6. f16 keeps 10: 1 + 2^-11 rounds to 1.
  EXPECT_EQ(actfn_run("eval identity --dtype bf16 1.00390625 1.01171875").out, "x\ty\n1\t1\n1.015625\t1.015625\n");
  EXPECT_EQ(actfn_run("eval identity --dtype f16 1.00048828125 70000").out, "x\ty\n1\t1\ninf\tinf\n");
  // relu' is 1 above 0 and 0 below, exactly, in every type.
  EXPECT_EQ(actfn_run("eval relu --dtype f16 --grad -2 3").out, "x\ty\tgrad\n-2\t0\t0\n3\t3\t1\n");
  const Outcome bad = actfn_run("eval softmax --dtype bf16 1 2");
  EXPECT_NE(bad.rc, 0);
  EXPECT_NE(bad.err.find("element-wise"), std::string::npos) << bad.err;
}

TEST(Errors, OneLineNamingTheProblemAndNonZeroExit) {
  struct Case {
    std::string args, needle;
  };
  for (const Case& c : {Case{"eval reluu 1", "did you mean relu"},
                        Case{"eval 'softplus(beta=0)' 1", "beta must be > 0"},
                        Case{"eval 'hardtanh(min_val=2)' 1", "min_val must be less than max_val"},
                        Case{"eval 'leaky_relu(slope=1)' 1", "unknown parameter 'slope'"},
                        Case{"eval relu abc", "'abc' is not a number"},
                        Case{"eval 'maxout(pieces=3)' 1 2 3 4", "not divisible by pieces=3"},
                        Case{"eval glu 1 2 3", "odd"},
                        Case{"describe nope", "unknown activation 'nope'"},
                        Case{"frobnicate", "error"},
                        Case{"eval relu --axis-len 2 1 2", "element-wise"}}) {
    const Outcome r = actfn_run(c.args);
    EXPECT_NE(r.rc, 0) << c.args;
    EXPECT_EQ(r.out, "") << c.args << ": nothing may be half-written to stdout";
    EXPECT_EQ(count_lines(r.err), 1u) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << ": " << r.err;
  }
}

/// Inputs that once crashed, hid a wrong answer or gave a garbled error: each is now a right result
/// or one line naming the problem with exit 1, and nothing on stdout.
TEST(Errors, ReproducersGiveOneLineAndExitOne) {
  struct Case {
    std::string args, input, needle;
  };
  const std::string long_spec = "relu" + std::string(100000, 'x');
  for (const Case& c : {
           // SIGFPE (exit 136) once: the size conversion of 1e300 gave 0, then n % 0.
           Case{"eval 'maxout(pieces=1e300)' 1 2", "", "pieces must be >= 1 and <= 16777216"},
           Case{"eval 'maxout(pieces=3.4028236e38)' 1 2", "", "pieces"},
           Case{"eval 'prelu(num_parameters=1e300)' 1", "", "num_parameters must be >= 1 and <= 16777216 (got 1e+300)"},
           // Fine as doubles, infinite or out of range as floats: NaN and inf from finite inputs once.
           Case{"eval 'leaky_relu(negative_slope=1e39)' -1 2", "", "negative_slope=1e+39 is beyond float's range"},
           Case{"eval 'elu(alpha=1e39)' -1", "", "alpha=1e+39 is beyond float's range"},
           Case{"eval 'celu(alpha=1e-50)' -1", "", "alpha=1e-50 rounds to 0 as a float"},
           Case{"eval 'gelu(approximate=tanh,approximate=none)' 1", "", "'approximate' given twice"},
           // "1\0abc" was read as 1.
           Case{"eval relu", std::string("1\0abc\n", 6), "'1\\x00abc' is not a number"},
           // 18446744073709551615 once.
           Case{"eval softmax --axis-len -1 1 2", "", "--axis-len must be >= 1 (got -1)"},
           // The whole 100 kB spec once; a raw newline split the line.
           Case{"eval '" + long_spec + "' 1", "", "(first 80 of 100004 bytes)"},
           Case{"eval \"$(printf 're\\nlu')\" 1", "", "'re\\x0alu'"}}) {
    SCOPED_TRACE(c.args.substr(0, 60));
    const Outcome r = actfn_run(c.args, c.input);
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.out, "") << "nothing may be half-written to stdout";
    EXPECT_EQ(count_lines(r.err), 1u) << r.err.substr(0, 300);
    EXPECT_LT(r.err.size(), 400u);
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << r.err.substr(0, 300);
  }
}

/// The same specs are fine where the data type holds them.
TEST(Eval, ParametersAreValidatedInTheDataType) {
  const Outcome r = actfn_run("eval --dtype f64 'leaky_relu(negative_slope=1e39)' -1 2");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "x\ty\n-1\t-9.9999999999999994e+38\n2\t2\n");
}

/// hard_sigmoid next to its lower corner is (x + 3)/6 to the slope's rounding: slope·x + offset with
/// the float slope fl(1/6) gave 1.44e-7 at x = -2.9999990 where (x + 3)/6 is 1.59e-7 (1e6 ULP).
TEST(Eval, HardSigmoidKeepsItsAccuracyAtTheCorner) {
  const Outcome r = actfn_run("eval hard_sigmoid -- -2.9999990 -3 3");
  ASSERT_EQ(r.rc, 0) << r.err;
  const float x = -2.9999990f;
  const double truth = (static_cast<double>(x) + 3) / 6;  // x + 3 exact in double
  const std::string first = r.out.substr(r.out.find('\n') + 1);
  const double y = std::strtod(first.substr(first.find('\t') + 1).c_str(), nullptr);
  EXPECT_NEAR(y, truth, truth * 0x1p-23) << r.out;
  EXPECT_NE(r.out.find("\n-3\t0\n3\t1\n"), std::string::npos) << r.out;
}

/// Vector-wise --grad: each input's owner's derivative in linear time (a backward per output made
/// 64,000 softmax inputs take 8 s), exact against the closed forms.
TEST(Eval, VectorWiseGradientsAreTheJacobianDiagonal) {
  std::string input;
  const int n = 20000;
  for (int i = 0; i < n; ++i) input += std::to_string((i * 37) % 101 - 50) + "\n";
  for (const char* spec : {"softmax", "softmin", "log_softmax"}) {
    SCOPED_TRACE(spec);
    const Outcome r = actfn_run(std::string("eval --dtype f64 --grad ") + spec, input);
    ASSERT_EQ(r.rc, 0) << r.err;
    ASSERT_EQ(count_lines(r.out), static_cast<std::size_t>(n) + 1);
    std::istringstream rows(r.out.substr(r.out.find('\n') + 1));
    double x = 0, y = 0, g = 0;
    int checked = 0;
    while (rows >> x >> y >> g) {
      // softmax: y(1 - y); softmin: -y(1 - y); log_softmax: 1 - e^y.
      const double expected = std::string(spec) == "log_softmax" ? -std::expm1(y)
                              : std::string(spec) == "softmin"   ? -y * (1 - y)
                                                                 : y * (1 - y);
      EXPECT_NEAR(g, expected, 1e-15 * std::fabs(expected) + 1e-300) << "x = " << x;
      ++checked;
    }
    EXPECT_EQ(checked, n);
  }
  // glu (a, b) -> a·σ(b): da = σ(b), db = a·σ'(b); maxout: 1 for each group's first maximum.
  const Outcome glu = actfn_run("eval glu --dtype f64 --grad 2 3 0 -1");
  ASSERT_EQ(glu.rc, 0) << glu.err;
  const double s0 = 1 / (1 + std::exp(-0.0)), s1 = 1 / (1 + std::exp(1.0));
  std::istringstream g(glu.out.substr(glu.out.find('\n') + 1));
  double x = 0, y = 0, d = 0;
  const double expected[] = {s0, s1, 2 * s0 * (1 - s0), 3 * s1 * (1 - s1)};
  for (double e : expected) {
    ASSERT_TRUE(g >> x >> y >> d);
    EXPECT_NEAR(d, e, 1e-15);
  }
  EXPECT_EQ(actfn_run("eval maxout --grad 1 5 7 2").out, "x\ty\tgrad\n1\t5\t0\n5\t5\t1\n7\t7\t1\n2\t7\t0\n");
  // No input: the header alone, as for element-wise activations (once "y overlaps x").
  EXPECT_EQ(actfn_run("eval glu --axis-len 2").out, "x\ty\n");
  EXPECT_EQ(actfn_run("eval maxout").out, "x\ty\n");
}

TEST(List, JsonHasEveryActivationWithParametersAndProperties) {
  const Outcome r = actfn_run("list --json");
  ASSERT_EQ(r.rc, 0);
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), actfn::all().size());
  EXPECT_GE(rows.size(), 40u);
  for (const auto& row : rows) {
    EXPECT_TRUE(row.contains("parameters")) << row["name"];
    if (!row["vector_wise"].get<bool>()) {
      EXPECT_TRUE(row.contains("properties")) << row["name"];
    }
  }
  const auto sigmoid = std::ranges::find_if(rows, [](const auto& j) { return j["name"] == "sigmoid"; });
  ASSERT_NE(sigmoid, rows.end());
  EXPECT_EQ((*sigmoid)["properties"]["range"]["lower"], 0.0);
  EXPECT_EQ((*sigmoid)["properties"]["range"]["upper"], 1.0);
  EXPECT_FALSE((*sigmoid)["properties"]["range"]["upper_attained"].get<bool>());
}

TEST(List, TableHasOneLinePerActivation) {
  const Outcome r = actfn_run("list");
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(count_lines(r.out), actfn::all().size() + 2);  // header and total
}

TEST(Describe, JsonCarriesValuesOfTheSpec) {
  const Outcome r = actfn_run("describe 'elu(alpha=2)' --json");
  ASSERT_EQ(r.rc, 0);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["spec"], "elu(alpha=2)");
  EXPECT_EQ(j["values"]["alpha"], 2.0);
  EXPECT_EQ(j["properties"]["range"]["lower"], -2.0);  // alpha (e^x - 1) -> -alpha
  EXPECT_EQ(j["properties"]["smoothness"], "C0");       // slopes 2 and 1 meet at 0
}

TEST(EveryActivation, DescribeShowsTheMeasuredAccuracyWithinItsBound) {
  for (const actfn::FunctionInfo& fi : actfn::all()) {
    const Outcome r = actfn_run("describe " + std::string(fi.name) + " --json");
    ASSERT_EQ(r.rc, 0) << fi.name;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j.contains("measured_accuracy_ulp")) << fi.name << ": no row in docs/data/reference_accuracy.json";
    const auto& m = j["measured_accuracy_ulp"];
    ASSERT_TRUE(m["f32"].is_number() && m["f64"].is_number()) << fi.name;
    const double slack = fi.accuracy.f32_y < 1 ? 0x1p-10 : 0;  // double rounding of piecewise-linear ones
    EXPECT_LE(m["f32"].get<double>(), fi.accuracy.f32_y + slack) << fi.name;
    EXPECT_LE(m["f64"].get<double>(), fi.accuracy.f64_y + slack) << fi.name;
  }
}

TEST(EveryActivation, DescribeAndEvalWork) {
  for (const actfn::FunctionInfo& fi : actfn::all()) {
    const std::string name(fi.name);
    const Outcome d = actfn_run("describe " + name);
    EXPECT_EQ(d.rc, 0) << name << d.err;
    EXPECT_NE(d.out.find(std::string(fi.formula)), std::string::npos) << name;
    const Outcome e = actfn_run("eval " + name + " --grad 0.5 -1.5");
    EXPECT_EQ(e.rc, 0) << name << ": " << e.err;
    EXPECT_EQ(count_lines(e.out), 3u) << name;
  }
}

TEST(Targets, ListsTheCompiledTargetsAndForcesOne) {
  const Outcome all = actfn_run("targets");
  ASSERT_EQ(all.rc, 0);
  const std::vector<std::string> names = actfn::targets();
  ASSERT_FALSE(names.empty());
  EXPECT_NE(all.out.find(names.front() + "  (in use)"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("SIMD kernels: "), std::string::npos);
  // The kernel table, a row per activation and data type.
  EXPECT_NE(all.out.find("\nrelu                f32: exact      exact      exact      -          -          exact\n"),
            std::string::npos) << all.out;
  EXPECT_NE(all.out.find("\nmish                f32: f32-in-f64 f32-in-f64 -          f32-in-f64 -          2 / 4\n"),
            std::string::npos) << all.out;
  EXPECT_NE(all.out.find("\ngelu                f32: f32        f32        -          f32        -          2 / 4\n"),
            std::string::npos) << all.out;
  const Outcome forced = actfn_run("--target " + names.back() + " targets");
  EXPECT_NE(forced.out.find(names.back() + "  (in use)"), std::string::npos) << forced.out;
  // Same numbers on every target (relu's kernel is exact).
  for (const std::string& t : names) EXPECT_EQ(actfn_run("eval relu --target " + t + " -1.5 2").out, "x\ty\n-1.5\t0\n2\t2\n") << t;
  const Outcome bad = actfn_run("--target AVX9000 targets");
  EXPECT_NE(bad.rc, 0);
  EXPECT_EQ(count_lines(bad.err), 1u);
  EXPECT_NE(bad.err.find("unknown or unsupported target 'AVX9000'"), std::string::npos) << bad.err;
}

TEST(Docs, CatalogueIsGeneratedFromTheRegistry) {
  const Outcome r = actfn_run("docs");
  EXPECT_EQ(r.rc, 0);
  for (const actfn::FunctionInfo& fi : actfn::all())
    EXPECT_NE(r.out.find("## " + std::string(fi.name) + "\n"), std::string::npos) << fi.name;
}

// ---- actfn accuracy ----------------------------------------------------------------------------

namespace certify = actfn::cli::certify;
using certify::Class;

constexpr float kFltMin = std::numeric_limits<float>::min();
constexpr float kInfF = std::numeric_limits<float>::infinity();
constexpr float kNanF = std::numeric_limits<float>::quiet_NaN();

TEST(AccuracyScoring, ErrorsInUlpOfTheTruth) {
  // Spacing of floats in [1, 2) is 2^-23, in [0.5, 1) 2^-24: the ULP is the truth's, not the result's.
  EXPECT_EQ(certify::classify(1.0, 1.0f).error, 0.0);
  const certify::Verdict one_up = certify::classify(1.0, 1.0f + 0x1p-23f);
  EXPECT_EQ(one_up.cls, Class::Normal);
  EXPECT_EQ(one_up.error, 1.0);
  EXPECT_EQ(certify::classify(1.0, 1.0f - 0x1p-24f).error, 0.5);
  EXPECT_EQ(certify::classify(1.0 + 0x1p-25, 1.0f).error, 0.25);
  EXPECT_EQ(certify::classify(-3.0, -3.0f - 3 * 0x1p-22f).error, 3.0);  // [2, 4): spacing 2^-22
  // A flipped sign is a huge error, not a special value.
  EXPECT_EQ(certify::classify(1.5, -1.5f).error, 3.0 * 0x1p23);
  // Just above FLT_MIN the spacing is 2^-149 as below it.
  EXPECT_EQ(certify::classify(0x1p-126, 0x1p-126f + 0x1p-149f).error, 1.0);
}

TEST(AccuracyScoring, SubnormalTruthsInUnitsOfTheSmallestSubnormal) {
  const certify::Verdict v = certify::classify(0x1.8p-148, 0x1p-148f);  // 3 vs 2 units of 2^-149
  EXPECT_EQ(v.cls, Class::Subnormal);
  EXPECT_EQ(v.error, 1.0);
  EXPECT_EQ(certify::classify(0x1p-160, 0.0f).error, 0x1p-11);  // tiny truth rounded to +0: fine
  EXPECT_EQ(certify::classify(0.0, 0.0f).cls, Class::Subnormal);
}

TEST(AccuracyScoring, FlushesAndSpecialValueMismatches) {
  EXPECT_EQ(certify::classify(0x1p-126, 0.0f).cls, Class::Flushed);   // FLT_MIN in truth
  EXPECT_EQ(certify::classify(-0.75, -0.0f).cls, Class::Flushed);
  EXPECT_EQ(certify::classify(1.0, kNanF).cls, Class::SpecialMismatch);
  EXPECT_EQ(certify::classify(std::nan(""), 0.0f).cls, Class::SpecialMismatch);
  EXPECT_EQ(certify::classify(std::nan(""), kNanF).cls, Class::SpecialAgrees);
  EXPECT_EQ(certify::classify(1e39, kInfF).cls, Class::SpecialAgrees);  // overflows float: inf is right
  EXPECT_EQ(certify::classify(1e39, std::numeric_limits<float>::max()).cls, Class::SpecialMismatch);
  EXPECT_EQ(certify::classify(3.0e38, kInfF).cls, Class::SpecialMismatch);  // finite truth, inf result
  EXPECT_EQ(certify::classify(-1e39, kInfF).cls, Class::SpecialMismatch);  // wrong sign of inf
  EXPECT_EQ(certify::classify(-0.0, 0.0f).cls, Class::SpecialMismatch);    // wrong sign of zero
  EXPECT_EQ(certify::classify(-0x1p-160, 0.0f).cls, Class::SpecialMismatch);
  EXPECT_EQ(certify::classify(0.0, -0.0f).cls, Class::SpecialMismatch);
}

TEST(AccuracyScoring, RowFailsNamingEachBrokenBound) {
  // A kernel 3 ULP off at x = 1.5 and flushing FLT_MIN at x = -2 against a bound of 2 ULP.
  certify::Row row{actfn::parse("mish"), certify::Direction::Forward, 2.0, {}};
  row.tally.add(certify::classify(1.0, 1.0f + 0x1p-23f), 0.5f);
  EXPECT_TRUE(row.pass());
  EXPECT_EQ(row.violation("AVX2"), "");
  row.tally.add(certify::classify(1.0, 1.0f + 3 * 0x1p-23f), 1.5f);
  row.tally.add(certify::classify(kFltMin, 0.0f), -2.0f);
  EXPECT_FALSE(row.pass());
  const std::string v = row.violation("AVX2");
  EXPECT_NE(v.find("AVX2 mish forward: 3 ULP > 2 at x = 0x1.8p+0"), std::string::npos) << v;
  EXPECT_NE(v.find("1 normal results flushed to 0 (first x = -0x1p+1)"), std::string::npos) << v;
  EXPECT_EQ(row.tally.samples, 3u);
  // Correctly rounded rows (bound 0.5) accept exactly half an ULP and nothing more.
  certify::Row exact{actfn::parse("relu"), certify::Direction::BackwardY, 0.5, {}};
  exact.tally.add(certify::classify(1.0 + 0x1p-24, 1.0f), 1.0f);
  EXPECT_TRUE(exact.pass());
  exact.tally.add(certify::classify(0x1p-149 * 1.75, 0x1p-149f), 2.0f);  // 0.75 units of 2^-149
  EXPECT_FALSE(exact.pass());
  EXPECT_NE(exact.violation("SSE4").find("subnormal error 0.75 > 0.5 x 2^-149 at y = 0x1p+1"), std::string::npos)
      << exact.violation("SSE4");
}

TEST(AccuracyScoring, MergeKeepsTheWorstAndIsOrderIndependent) {
  certify::Tally a, b;
  a.add(certify::classify(1.0, 1.0f + 0x1p-23f), 4.0f);
  b.add(certify::classify(1.0, 1.0f + 0x1p-23f), 3.0f);  // same error, smaller bit pattern
  b.add(certify::classify(1.0, kNanF), 7.0f);
  certify::Tally ab = a, ba = b;
  ab.merge(b);
  ba.merge(a);
  for (const certify::Tally& t : {ab, ba}) {
    EXPECT_EQ(t.samples, 3u);
    EXPECT_EQ(t.max_ulp, 1.0);
    EXPECT_EQ(t.worst, 3.0f);
    EXPECT_EQ(t.special, 1u);
    EXPECT_EQ(t.first_special, 7.0f);
  }
}

TEST(AccuracyOracle, RoundsToTheReferenceEverywhere) {
  // The oracle is the f32 reference before its final rounding: rounded, it is the reference's
  // result bit for bit, forward and backward from x and from y (NaN as NaN).
  std::vector<float> xs;
  for (std::uint64_t b = 0; b < (std::uint64_t{1} << 32); b += 0x10001) xs.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(b)));
  for (const float v : {0.0f, -0.0f, kInfF, -kInfF, kFltMin, -kFltMin, 0x1p-149f, 1.0f, -1.0f})
    xs.push_back(v);
  const std::vector<float> ones(xs.size(), 1.0f);
  std::vector<float> y(xs.size()), ref(xs.size());
  std::vector<double> wide(xs.size());
  const auto same = [&](const std::string& what) {
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const auto r = static_cast<float>(wide[i]);
      ASSERT_TRUE(std::bit_cast<std::uint32_t>(r) == std::bit_cast<std::uint32_t>(ref[i]) ||
                  (std::isnan(r) && std::isnan(ref[i])))
          << what << " at x = " << xs[i] << ": oracle " << r << ", reference " << ref[i];
    }
  };
  for (const actfn::FunctionInfo& fi : actfn::all()) {
    if (fi.vector_wise) continue;
    const actfn::Activation act(fi.kind);
    const std::string name(fi.name);
    actfn::reference::forward_wide(act, xs, wide);
    actfn::reference::forward<float>(act, xs, ref);
    same(name + " forward");
    y = ref;
    actfn::reference::backward_wide(act, {.x = xs, .dy = ones}, wide);
    actfn::reference::backward<float>(act, {.x = xs, .dy = ones}, ref);
    same(name + " backward from x");
    if (!act.backward_from_y()) continue;
    actfn::reference::backward_wide(act, {.y = y, .dy = ones}, wide);
    actfn::reference::backward<float>(act, {.y = y, .dy = ones}, ref);
    same(name + " backward from y");
  }
}

TEST(AccuracyOracle, RejectsVectorWiseAndOverlap) {
  std::vector<float> x(4, 1.0f);
  std::vector<double> y(4);
  EXPECT_THROW(actfn::reference::forward_wide(actfn::parse("softmax"), x, y), actfn::Error);
  EXPECT_THROW(actfn::reference::forward_wide(actfn::parse("relu"), x, std::span<double>(y).first(3)), actfn::Error);
  // A double output over the float input's own storage.
  std::vector<double> storage(4);
  const std::span<const float> inside(reinterpret_cast<const float*>(storage.data()), 4);
  EXPECT_THROW(actfn::reference::forward_wide(actfn::parse("relu"), inside, storage), actfn::Error);
  EXPECT_THROW(actfn::reference::backward_wide(actfn::parse("leaky_relu(-0.5)"), {.y = x, .dy = x}, y), actfn::Error);
}

TEST(Accuracy, JsonReportsEveryDirectionWithSamplesAndPasses) {
  const Outcome r = actfn_run("accuracy relu 'leaky_relu(negative_slope=0.2)' prelu --sample-shift 16 --json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"sample", "bounds", "date", "seconds", "pass", "targets"}) EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["sample"]["shift"], 16);
  EXPECT_EQ(j["sample"]["inputs"], 65536);
  EXPECT_TRUE(j["pass"].get<bool>());
  ASSERT_EQ(j["targets"].size(), 1u);
  EXPECT_EQ(j["targets"][0]["target"], actfn::targets().front());  // auto: the best
  std::vector<std::string> rows;
  for (const auto& row : j["targets"][0]["rows"]) {
    rows.push_back(row["function"].get<std::string>() + " " + row["direction"].get<std::string>());
    for (const char* key : {"bound", "max_ulp", "worst_input", "max_subnormal_error", "worst_subnormal_input",
                            "special_mismatches", "flushed", "samples", "seconds", "pass", "input"})
      EXPECT_TRUE(row.contains(key)) << key;
    EXPECT_GT(row["samples"].get<std::uint64_t>(), 65536u) << "the sample plus boundary inputs";
    EXPECT_EQ(row["bound"], 0.5) << "piecewise-linear: correctly rounded";
    EXPECT_EQ(row["special_mismatches"], 0);
  }
  // prelu's output does not determine its gradient (a learnable slope may be negative): no backward_y.
  EXPECT_EQ(rows, (std::vector<std::string>{"relu forward", "relu backward_x", "relu backward_y",
                                            "leaky_relu(negative_slope=0.2) forward",
                                            "leaky_relu(negative_slope=0.2) backward_x",
                                            "leaky_relu(negative_slope=0.2) backward_y", "prelu forward",
                                            "prelu backward_x"}));
}

TEST(Accuracy, TargetAllHasOneSectionPerTargetInTextAndMarkdown) {
  const Outcome j = actfn_run("accuracy sigmoid --target all --sample-shift 20 --json");
  ASSERT_EQ(j.rc, 0) << j.err;
  std::vector<std::string> seen;
  const auto report = nlohmann::json::parse(j.out);
  for (const auto& t : report["targets"]) seen.push_back(t["target"]);
  EXPECT_EQ(seen, actfn::targets());
  const Outcome md = actfn_run("accuracy sigmoid --target " + actfn::targets().back() + " --sample-shift 20 --markdown");
  EXPECT_EQ(md.rc, 0);
  EXPECT_NE(md.out.find("### target " + actfn::targets().back()), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("| function "), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("4,096 inputs"), std::string::npos) << md.out;
  const Outcome text = actfn_run("--target " + actfn::targets().back() + " accuracy sigmoid --sample-shift 20");
  EXPECT_EQ(text.rc, 0);
  EXPECT_NE(text.out.find("\ntarget " + actfn::targets().back() + " ("), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("all bounds hold"), std::string::npos) << text.out;
}

TEST(Accuracy, BadInputIsOneLineErrorWithNothingOnStdout) {
  struct Case {
    std::string args, needle;
  };
  std::vector<Case> cases{{"accuracy reluu", "did you mean relu"},
                          {"accuracy softmax", "vector-wise"},
                          {"accuracy relu --target AVX9000", "unknown or unsupported target 'AVX9000'"},
                          {"--target all eval relu 1", "unknown or unsupported target 'all'"},
                          {"accuracy relu --sample-shift 33", "sample-shift"},
                          {"accuracy relu --exhaustive --sample-shift 4", "excludes"},
                          {"accuracy relu --json --markdown", "excludes"}};
  // An element-wise activation the kernels do not cover yet, if any: nothing to certify.
  for (const actfn::FunctionInfo& fi : actfn::all())
    if (!fi.vector_wise && !actfn::has_kernel<float>(actfn::Activation(fi.kind))) {
      cases.push_back({"accuracy " + std::string(fi.name), "no f32 SIMD kernel"});
      break;
    }
  for (const Case& c : cases) {
    const Outcome r = actfn_run(c.args);
    EXPECT_NE(r.rc, 0) << c.args;
    EXPECT_EQ(r.out, "") << c.args;
    EXPECT_EQ(count_lines(r.err), 1u) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << ": " << r.err;
  }
}

TEST(Plot, WritesOnePngOfTheFunctionsAndRejectsBadInput) {
  const std::string png = ::testing::TempDir() + "actfn_plot_" + std::to_string(getpid()) + ".png";
  std::remove(png.c_str());
  const Outcome ok = actfn_run("plot relu 'gelu(approximate=tanh)' mish --range -4 3 -o " + png);
  ASSERT_EQ(ok.rc, 0) << ok.err;
  FILE* f = std::fopen(png.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  std::array<unsigned char, 8> magic{};
  EXPECT_EQ(std::fread(magic.data(), 1, magic.size(), f), magic.size());
  std::fclose(f);
  EXPECT_EQ(magic, (std::array<unsigned char, 8>{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}));
  std::remove(png.c_str());
  for (const auto& [args, needle] : {std::pair<std::string, std::string>{"plot reluu -o " + png, "unknown activation 'reluu'"},
                                     {"plot softmax -o " + png, "vector-wise"},
                                     {"plot relu --range 3 -1 -o " + png, "the range"}}) {
    const Outcome r = actfn_run(args);
    EXPECT_NE(r.rc, 0) << args;
    EXPECT_EQ(count_lines(r.err), 1u) << args << ": " << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << args << ": " << r.err;
    EXPECT_NE(::access(png.c_str(), F_OK), 0) << "a PNG was written for " << args;
  }
}

}  // namespace
