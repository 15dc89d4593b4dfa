// actfn train / actfn compare end to end, through the real `actfn` binary (which runs actfn-lab):
// bad inputs give one line and write nothing; a run killed mid-way (SIGKILL) and resumed ends
// with the same metrics as an uninterrupted one; a small grid writes its results and report.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int rc;
  std::string out, err;
};

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::path(::testing::TempDir()) / ("actfn_labcli_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Outcome actfn(const std::string& args) {
  static int calls = 0;
  const std::string err = ::testing::TempDir() + "actfn_labcli_" + std::to_string(getpid()) + "_" + std::to_string(calls++) + ".err";
  const std::string cmd = std::string(ACTFN_BIN) + " " + args + " 2>" + err;
  Outcome r{};
  FILE* pipe = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) r.out += buf.data();
  const int status = pclose(pipe);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read(err);
  std::remove(err.c_str());
  return r;
}

/// Exactly one line on stderr, "actfn: error: ..." containing `what`, exit code 1.
void expect_one_line_error(const Outcome& r, const std::string& what) {
  EXPECT_EQ(r.rc, 1) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("actfn: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
}

const std::string kSmallData = " --train-size 1200 --test-size 600 --validation 0.01 --width 32 --threads 1 ";
const std::string kSmall = kSmallData + "--progress none ";

TEST(LabCli, BadInputsGiveOneLineAndWriteNothing) {
  const fs::path d = fresh_dir("bad");
  const fs::path out = d / "out";
  expect_one_line_error(actfn("train --data " + (d / "nowhere").string() + " --out " + out.string()), "does not exist");
  expect_one_line_error(actfn("compare --data " + (d / "nowhere").string() + " --out " + out.string()), "does not exist");
  // A corrupt dataset: gzip magic, then garbage.
  fs::create_directories(d / "corrupt");
  for (const char* f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                        "t10k-labels-idx1-ubyte.gz"})
    std::ofstream(d / "corrupt" / f) << "\x1f\x8b\x08garbage that is not deflate data";
  expect_one_line_error(actfn("train --data " + (d / "corrupt").string() + " --out " + out.string()),
                        "train-images-idx3-ubyte.gz: corrupt");
  expect_one_line_error(actfn("train --activation reluu --out " + out.string() + kSmall), "unknown activation 'reluu'");
  expect_one_line_error(actfn("compare --activations relu,nope --out " + out.string() + kSmall), "unknown activation 'nope'");
  expect_one_line_error(actfn("train --model rnn --norm before --out " + out.string() + kSmall),
                        "applies to the mlp and cnn models");
  expect_one_line_error(actfn("compare --models mlp,lstm --out " + out.string() + kSmall), "unknown model 'lstm'");
  expect_one_line_error(actfn("train --optimizer rmsprop --out " + out.string() + kSmall), "optimizer 'rmsprop'");
  expect_one_line_error(actfn("train --train-size 99999999 --out " + out.string()), "exceeds the");
  EXPECT_FALSE(fs::exists(out)) << "an output directory was written for a bad input";
}

/// The metrics of a run.json: everything but wall times.
nlohmann::json metrics(const fs::path& run_json) {
  nlohmann::json j = nlohmann::json::parse(read(run_json));
  for (auto& e : j["epochs"]) e.erase("seconds");
  j.erase("seconds_per_epoch");
  return j;
}

TEST(LabCli, RunKilledMidwayAndResumedEndsWithTheUninterruptedMetrics) {
  const fs::path d = fresh_dir("resume");
  const std::string args = "train --activation prelu --epochs 3 --dropout 0.1 --seed 5" + kSmallData;
  ASSERT_EQ(actfn(args + "--progress none --out " + (d / "straight").string()).rc, 0);

  // The same run, killed with SIGKILL once its first epoch's checkpoint exists.
  const fs::path out = d / "killed";
  const std::string cmd = std::string(ACTFN_BIN) + " " + args + "--progress none --out " + out.string();
  pid_t pid = 0;
  std::vector<std::string> words{"/bin/sh", "-c", "exec " + cmd};
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  ASSERT_EQ(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv.data(), environ), 0);
  const auto start = std::chrono::steady_clock::now();
  while (!fs::exists(out / "checkpoint.pt") && std::chrono::steady_clock::now() - start < std::chrono::seconds(120))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  ASSERT_FALSE(fs::exists(out / "run.json"));

  const Outcome resumed = actfn(args + "--progress lines --out " + out.string());
  ASSERT_EQ(resumed.rc, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("resumed from"), std::string::npos) << resumed.err;
  EXPECT_EQ(metrics(out / "run.json"), metrics(d / "straight" / "run.json"));
  EXPECT_FALSE(fs::exists(out / "checkpoint.pt"));
}

TEST(LabCli, SmallGridWritesResultsAndReportAndResumes) {
  const fs::path d = fresh_dir("grid");
  const fs::path out = d / "out";
  const std::string args = "compare --activations relu,tanh,prelu --models mlp --seeds 2 --epochs 2 --jobs 2 --out " +
                           out.string() + kSmall;
  const Outcome r = actfn(args);
  ASSERT_EQ(r.rc, 0) << r.err;
  for (const char* f : {"results.csv", "results.json", "functions.csv", "report.md", "report.html", "figures/functions.png",
                        "figures/mlp_accuracy.png", "figures/mlp_curves.png", "figures/mlp_units.png",
                        "figures/mlp_gradients.png", "figures/mlp_learned.png", "runs/mlp/prelu/seed1/run.json",
                        "runs/mlp/prelu/seed1/history.csv"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  EXPECT_EQ(read(out / "figures/mlp_curves.png").substr(1, 3), "PNG");
  const nlohmann::json results = nlohmann::json::parse(read(out / "results.json"));
  ASSERT_EQ(results["rows"].size(), 3u);
  for (const auto& row : results["rows"]) {
    // The row's mean is the mean of its seeds' run.json test accuracies.
    const std::string dir = (out / row["runs"].get<std::string>()).string();
    const double a = nlohmann::json::parse(read(dir + "/seed0/run.json"))["test_accuracy"];
    const double b = nlohmann::json::parse(read(dir + "/seed1/run.json"))["test_accuracy"];
    EXPECT_DOUBLE_EQ(row["test_accuracy_mean"].get<double>(), (a + b) / 2);
    EXPECT_NEAR(row["test_accuracy_std"].get<double>(), std::abs(a - b) / std::sqrt(2.0), 1e-12);
    EXPECT_GT(row["test_accuracy_mean"].get<double>(), 0.5);  // learns something in two small epochs
  }
  const std::string report = read(out / "report.md");
  EXPECT_NE(report.find("| prelu |"), std::string::npos);
  EXPECT_NE(report.find("![mlp accuracy](figures/mlp_accuracy.png)"), std::string::npos);
  // Again in the same directory: every run is finished, none is trained again.
  const Outcome again = actfn(args);
  ASSERT_EQ(again.rc, 0) << again.err;
  EXPECT_NE(again.out.find("(0 runs, 6 finished before"), std::string::npos) << again.out;
}

}  // namespace
