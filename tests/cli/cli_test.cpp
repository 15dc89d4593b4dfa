// The actfn command end to end: every expected value here is known independently of actfn
// (closed forms, IEEE rounding of decimal constants), not copied from its output.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actfn/actfn.hpp"

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
  if (FILE* f = std::fopen(in_file.c_str(), "w")) {
    std::fputs(input.c_str(), f);
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
    ASSERT_TRUE(j.contains("measured_accuracy_ulp")) << fi.name << ": no row in docs/accuracy.md";
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

}  // namespace
