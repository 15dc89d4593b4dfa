// actfn analyze end to end: the real binary's stdout, stderr and exit code.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

struct Outcome {
  int rc;
  std::string out, err;
};

Outcome run(const std::string& args) {
  // Unique per process and call: ctest runs these tests in parallel processes.
  static int calls = 0;
  const std::string err_file =
      testing::TempDir() + "analyze_cli_stderr_" + std::to_string(::getpid()) + "_" + std::to_string(calls++) + ".txt";
  const std::string cmd = std::string(ACTFN_BIN) + " " + args + " 2>" + err_file;
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  const int status = pclose(p);
  std::ifstream e(err_file);
  std::stringstream err;
  err << e.rdbuf();
  std::remove(err_file.c_str());
  return {WEXITSTATUS(status), out, err.str()};
}

std::size_t lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(AnalyzeMoments, JsonGivesHeGainForRelu) {
  const Outcome r = run("analyze moments relu 'leaky_relu(negative_slope=0.5)' --json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_NEAR(j[0]["gain"].get<double>(), 2.0, 1e-12);
  EXPECT_NEAR(j[0]["second_moment"].get<double>(), 0.5, 1e-12);
  EXPECT_EQ(j[0]["phase"], "edge");  // σ_w² = gain = 2: χ = 2 · 1/2
  EXPECT_NEAR(j[1]["gain"].get<double>(), 2 / 1.25, 1e-12);
}

TEST(AnalyzeMoments, DefaultTableHasEveryElementWiseActivation) {
  const Outcome r = run("analyze moments --q 2 --sigma-w 1 --sigma-b 0.1");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(lines(r.out), 2u + 34u);  // legend, header, 34 element-wise activations
}

TEST(AnalyzeSelu, FixedPointAndSolvedConstants) {
  const Outcome r = run("analyze selu --var 2 --json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["default"]["fixed_point"]["mean"].get<double>(), 0, 1e-12);
  EXPECT_NEAR(j["default"]["fixed_point"]["var"].get<double>(), 1, 1e-12);
  EXPECT_LT(j["default"]["jacobian"]["spectral_norm"].get<double>(), 1);
  EXPECT_NEAR(j["solved"]["map_of_target"]["var"].get<double>(), 2, 1e-11);
}

TEST(AnalyzeUnderflow, ReluTable) {
  const Outcome r = run("analyze underflow relu");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(lines(r.out), 4u);  // legend, header, f32, f64
  EXPECT_NE(r.out.find("relu"), std::string::npos);
}

TEST(AnalyzeErrors, OneLineNamingTheProblem) {
  struct Case {
    std::string args, message;
  };
  for (const Case& c : {Case{"analyze moments reluu", "unknown activation 'reluu'"},
                        Case{"analyze moments softmax", "softmax is vector-wise"},
                        Case{"analyze underflow glu", "glu is vector-wise"},
                        Case{"analyze moments relu --q -1", "--q must be finite and >= 0"},
                        Case{"analyze moments relu --sigma-w nan", "--sigma-w must be finite"},
                        Case{"analyze selu --var 0", "var and tau must be > 0"},
                        Case{"analyze moments relu --q abc", "--q"},
                        Case{"analyze", "subcommand"}}) {
    const Outcome r = run(c.args);
    EXPECT_NE(r.rc, 0) << c.args;
    EXPECT_EQ(lines(r.err), 1u) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args;
  }
}

TEST(Describe, ShowsGainAndMoments) {
  const Outcome t = run("describe relu");
  ASSERT_EQ(t.rc, 0);
  EXPECT_NE(t.out.find("init gain     2 "), std::string::npos) << t.out;
  const Outcome j = run("describe 'leaky_relu(negative_slope=0.5)' --json");
  ASSERT_EQ(j.rc, 0);
  const auto d = nlohmann::json::parse(j.out);
  EXPECT_NEAR(d["gaussian"]["init_gain"].get<double>(), 1.6, 1e-12);
  EXPECT_NEAR(d["gaussian"]["second_moment"].get<double>(), 0.625, 1e-12);
}

TEST(AnalyzeDepth, JsonPerLayerAndPng) {
  const std::string png = testing::TempDir() + "analyze_depth_" + std::to_string(::getpid()) + ".png";
  std::remove(png.c_str());
  const Outcome r = run("analyze depth relu selu --depth 5 --width 64 --batch 32 --json --png " + png);
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["init"], "he");
  EXPECT_EQ(j[1]["init"], "lecun");
  ASSERT_EQ(j[0]["layers"].size(), 5u);
  EXPECT_NEAR(j[0]["layers"][4]["grad_h"].get<double>(), 1.0, 0.1);  // the top's error signal is N(0, 1)
  std::ifstream f(png, std::ios::binary);
  std::string head(8, '\0');
  f.read(head.data(), 8);
  EXPECT_EQ(head.substr(1, 3), "PNG");
  std::remove(png.c_str());
}

TEST(AnalyzeDead, TableAndJsonByDepthAndWidth) {
  const Outcome r = run("analyze dead relu --depths 2,3 --widths 1,3 --trials 400 --json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 4u);
  // Width 1, depth 2: dead exactly when the second weight is negative, probability 1/2.
  EXPECT_EQ(j[0]["depth"], 2);
  EXPECT_EQ(j[0]["width"], 1);
  EXPECT_NEAR(j[0]["probability"].get<double>(), 0.5, 0.08);
  const Outcome t = run("analyze dead relu tanh --depths 4 --widths 2 --trials 50");
  ASSERT_EQ(t.rc, 0) << t.err;
  EXPECT_NE(t.out.find("relu: P(born dead)"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("tanh: P(born dead)"), std::string::npos) << t.out;
}

TEST(AnalyzeDepthDead, BadInputIsOneLine) {
  for (const char* args : {"analyze depth softmax", "analyze depth relu --width 0", "analyze dead relu --init orthogonal",
                           "analyze depth relu --depth 2 --width 8 --png /nonexistent-dir/x.png"}) {
    const Outcome r = run(args);
    EXPECT_NE(r.rc, 0) << args;
    EXPECT_EQ(lines(r.err), 1u) << args << ": " << r.err;
  }
}

TEST(Advise, DeepPlainMlpRanksRectifiersAboveSigmoidWithTheNumbers) {
  const Outcome r = run("advise --depth 20 --candidates relu,leaky_relu,sigmoid,identity --json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 4u);
  std::map<std::string, nlohmann::json> by;
  std::map<std::string, std::size_t> rank;
  for (const auto& row : j) {
    by[row["spec"]] = row;
    rank[row["spec"]] = row["rank"];
  }
  // He init for ReLU: χ = 2 · E[relu'(z)²] = 2 · 1/2 = 1 in every layer, and the signal keeps E[z²].
  EXPECT_NEAR(by["relu"]["gradient_factor"].get<double>(), 1.0, 1e-9);
  EXPECT_NEAR(by["relu"]["signal_factor"].get<double>(), 1.0, 1e-9);
  EXPECT_NEAR(by["relu"]["inactive"].get<double>(), 0.5, 1e-6);  // P(z ≤ 0)
  EXPECT_NEAR(by["leaky_relu"]["inactive"].get<double>(), 0.0, 1e-12);
  // The identity keeps everything, but a network of it is linear.
  EXPECT_NEAR(by["identity"]["nonlinear"].get<double>(), 0.0, 1e-9);
  EXPECT_GE(by["identity"]["penalty"].get<double>(), 5.0);
  // sigmoid's χ ≤ σ_w² max(σ')² = 1/16 per layer: over 20 layers at most 16^-20 = 8.3e-25.
  EXPECT_LT(by["sigmoid"]["gradient_factor"].get<double>(), 8.3e-25);
  EXPECT_LT(rank["leaky_relu"], rank["sigmoid"]);
  EXPECT_LT(rank["relu"], rank["sigmoid"]);
  for (const auto& row : j) EXPECT_FALSE(row["reasons"].empty());
}

TEST(Advise, MeasuredResultsRankFirstWithConfidenceIntervals) {
  const std::string path = testing::TempDir() + "advise_results_" + std::to_string(::getpid()) + ".json";
  std::ofstream(path) << R"({"rows": [
    {"model": "mlp", "activation": "relu", "test_accuracies": [0.80, 0.81]},
    {"model": "mlp", "activation": "sigmoid", "test_accuracies": [0.90, 0.91, 0.89]},
    {"model": "cnn", "activation": "tanh", "test_accuracies": [0.99, 0.99]}]})";
  const Outcome r = run("advise --candidates relu,sigmoid,tanh --results " + path);
  ASSERT_EQ(r.rc, 0) << r.err;
  // sigmoid first (measured 90%), relu second (80%), tanh (no mlp result) after them.
  const auto s = r.out.find("1. sigmoid"), re = r.out.find("2. relu"), t = r.out.find("3. tanh");
  EXPECT_NE(s, std::string::npos) << r.out;
  EXPECT_NE(re, std::string::npos) << r.out;
  EXPECT_NE(t, std::string::npos) << r.out;
  // mean 90%, sample std 1 point, 95% CI 90 ± 4.303 · 1/√3 = ± 2.484.
  EXPECT_NE(r.out.find("test 90.00% ± 1.00 over 3 seeds (95% CI 87.52–92.48"), std::string::npos) << r.out;
  const Outcome bad = run("advise --network cnn --candidates relu --results " + path + ".missing");
  EXPECT_NE(bad.rc, 0);
  EXPECT_EQ(lines(bad.err), 1u) << bad.err;
  const Outcome none = run("advise --network rnn --candidates relu --results " + path);
  EXPECT_NE(none.rc, 0);
  EXPECT_NE(none.err.find("no results for the rnn model"), std::string::npos) << none.err;
  std::remove(path.c_str());
  const Outcome net = run("advise --network lstm");
  EXPECT_NE(net.rc, 0);
  EXPECT_EQ(lines(net.err), 1u) << net.err;
}

/// A results file with a malformed row is one line naming the file and the row, exit 1: a string
/// accuracy once ended in "internal error" (exit 3), -5 and inf were printed as "test -500.00%" and
/// "test inf%", and rows without accuracies were dropped silently.
TEST(Advise, MalformedResultsNameTheFileAndTheRow) {
  const std::string path = testing::TempDir() + "advise_bad_" + std::to_string(::getpid()) + ".json";
  const std::string good = R"j({"model": "mlp", "activation": "relu", "test_accuracies": [0.8, 0.81]})j";
  const struct {
    std::string rows, needle;
  } cases[] = {
      {R"j({"model": "mlp", "activation": "tanh", "test_accuracies": ["0.8"]})j", "row 2 (tanh): a test accuracy is not a number in [0, 1]"},
      {R"j({"model": "mlp", "activation": "tanh", "test_accuracies": [-5]})j", "row 2 (tanh): a test accuracy"},
      {R"j({"model": "mlp", "activation": "tanh", "test_accuracies": [1.5]})j", "row 2 (tanh): a test accuracy"},
      {R"j({"model": "mlp", "activation": "tanh", "test_accuracies": [1e999]})j", "advise_bad_"},
      {R"j({"model": "mlp", "activation": "tanh", "test_accuracies": []})j", "row 2 (tanh) has no test accuracies"},
      {R"j({"model": "mlp", "test_accuracies": [0.5]})j", "row 2 lacks a model, an activation"},
      {R"j({"model": "cnn", "activation": "reluu", "test_accuracies": [0.5]})j", "row 2: unknown activation 'reluu'"},
      {R"j({"model": "mlp", "activation": "relu()", "test_accuracies": [0.5]})j", "row 2: 'mlp' relu appears twice"},
      {R"j(42)j", "row 2 lacks"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.rows);
    std::ofstream(path) << R"j({"rows": [)j" << good << ", " << c.rows << "]}";
    const Outcome r = run("advise --candidates relu --results " + path);
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << r.err;
  }
  std::ofstream(path) << "{\"rows\": [" << good;  // truncated
  const Outcome cut = run("advise --candidates relu --results " + path);
  EXPECT_EQ(cut.rc, 1);
  EXPECT_NE(cut.err.find("is not JSON"), std::string::npos) << cut.err;
  EXPECT_EQ(lines(cut.err), 1u) << cut.err;
  std::remove(path.c_str());
  const Outcome negative = run("advise --width -1");
  EXPECT_EQ(negative.rc, 1);
  EXPECT_NE(negative.err.find("width must be in [1, 1000000] (got -1)"), std::string::npos) << negative.err;
}

}  // namespace
