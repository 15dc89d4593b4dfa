// actfn train / actfn compare end to end, through the real `actfn` binary (which runs actfn-lab):
// bad inputs and bad data give one line naming the problem (and the file) and write nothing; a
// run killed mid-way (SIGKILL) and resumed ends with the same metrics as an uninterrupted one; a
// small grid writes its results and report; compare refuses finished runs of another
// configuration or data and changed run records, a changed checkpoint byte is refused, one
// compare holds a folder at a time, and workers die with their compare.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
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
  // Once a SIGFPE (n % 0) in the model's widths.
  expect_one_line_error(actfn("train --activation 'maxout(pieces=1e300)' --out " + out.string() + kSmall), "pieces must be");
  expect_one_line_error(actfn("compare --activations 'relu,maxout(pieces=1e300)' --out " + out.string() + kSmall),
                        "pieces must be");
  expect_one_line_error(actfn("compare --activations relu,nope --out " + out.string() + kSmall), "unknown activation 'nope'");
  expect_one_line_error(actfn("train --model rnn --norm before --out " + out.string() + kSmall),
                        "applies to the mlp and cnn models");
  expect_one_line_error(actfn("compare --models mlp,lstm --out " + out.string() + kSmall), "unknown model 'lstm'");
  expect_one_line_error(actfn("train --optimizer rmsprop --out " + out.string() + kSmall), "optimizer 'rmsprop'");
  expect_one_line_error(actfn("train --train-size 99999999 --out " + out.string()), "exceeds the");
  EXPECT_FALSE(fs::exists(out)) << "an output directory was written for a bad input";
}

/// The metrics of a run.json: everything but wall times (and the checksum, which covers them).
nlohmann::json metrics(const fs::path& run_json) {
  nlohmann::json j = nlohmann::json::parse(read(run_json));
  for (auto& e : j["epochs"]) e.erase("seconds");
  j.erase("seconds_per_epoch");
  j.erase("checksum");
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

/// A small synthetic dataset of plain IDX files: 8x8 images, pixel (i, r, c) = (7i + 3r + c + shift)
/// mod 256, label i mod 4; 60 training and 20 test samples.
void write_idx_dataset(const fs::path& dir, unsigned shift) {
  fs::create_directories(dir);
  const auto write = [&](const std::string& name, std::uint32_t n, bool images) {
    std::string b{'\0', '\0', '\x08', static_cast<char>(images ? 3 : 1)};
    const std::vector<std::uint32_t> dims = images ? std::vector<std::uint32_t>{n, 8, 8} : std::vector<std::uint32_t>{n};
    for (const std::uint32_t v : dims)
      for (int shift_bits = 24; shift_bits >= 0; shift_bits -= 8) b += static_cast<char>((v >> shift_bits) & 0xFF);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (!images) b += static_cast<char>(i % 4);
      else
        for (std::uint32_t r = 0; r < 8; ++r)
          for (std::uint32_t c = 0; c < 8; ++c) b += static_cast<char>((7 * i + 3 * r + c + shift) % 256);
    }
    std::ofstream(dir / name, std::ios::binary) << b;
  };
  write("train-images-idx3-ubyte", 60, true);
  write("train-labels-idx1-ubyte", 60, false);
  write("t10k-images-idx3-ubyte", 20, true);
  write("t10k-labels-idx1-ubyte", 20, false);
}

const std::string kTiny = " --train-size 0 --validation 0.1 --width 16 --threads 1 --progress none ";

/// Every file under dir with its content: to show that a refused command wrote nothing.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files[e.path().string()] = read(e.path());
  return files;
}

void flip_middle_byte(const fs::path& p) {
  std::string bytes = read(p);
  ASSERT_FALSE(bytes.empty());
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(LabCli, CompareRefusesFinishedRunsOfAnotherConfigurationOrData) {
  const fs::path d = fresh_dir("stale");
  write_idx_dataset(d / "a", 0);
  write_idx_dataset(d / "b", 1);
  const fs::path out = d / "out";
  const std::string base = "compare --activations relu --models mlp --seeds 1 --no-report --out " + out.string() + kTiny;
  const Outcome first = actfn(base + "--epochs 1 --data " + (d / "a").string());
  ASSERT_EQ(first.rc, 0) << first.err;
  const auto before = snapshot(out);
  // More epochs: the finished run trained one.
  const Outcome epochs = actfn(base + "--epochs 2 --data " + (d / "a").string());
  expect_one_line_error(epochs, (out / "runs/mlp/relu/seed0").string());
  EXPECT_NE(epochs.err.find("train.epochs"), std::string::npos) << epochs.err;
  // Other data of the same shape.
  const Outcome data = actfn(base + "--epochs 1 --data " + (d / "b").string());
  expect_one_line_error(data, (out / "runs/mlp/relu/seed0").string());
  EXPECT_NE(data.err.find("data."), std::string::npos) << data.err;
  EXPECT_TRUE(snapshot(out) == before) << "a refused compare changed its folder";
  // The same configuration reuses the run.
  const Outcome same = actfn(base + "--epochs 1 --data " + (d / "a").string());
  ASSERT_EQ(same.rc, 0) << same.err;
  EXPECT_NE(same.out.find("(0 runs, 1 finished before"), std::string::npos) << same.out;
}

TEST(LabCli, CompareNamesAChangedOrBrokenRunJson) {
  const fs::path d = fresh_dir("runjson");
  write_idx_dataset(d / "a", 0);
  const fs::path out = d / "out";
  const std::string args = "compare --activations relu --models mlp --seeds 1 --no-report --epochs 1 --data " +
                           (d / "a").string() + " --out " + out.string() + kTiny;
  ASSERT_EQ(actfn(args).rc, 0);
  const fs::path run_json = out / "runs/mlp/relu/seed0/run.json";
  const std::string text = read(run_json);
  const auto at = text.find("\"best_epoch\": 1");
  ASSERT_NE(at, std::string::npos) << text;
  std::string edited = text;
  edited[at + 14] = '2';  // still valid JSON, another best epoch
  std::ofstream(run_json, std::ios::trunc) << edited;
  const auto before = snapshot(out);
  expect_one_line_error(actfn(args), run_json.string() + ": ");
  std::ofstream(run_json, std::ios::trunc) << text.substr(0, text.size() / 2);
  expect_one_line_error(actfn(args), run_json.string() + ": ");
  std::ofstream(run_json, std::ios::trunc) << edited;
  EXPECT_TRUE(snapshot(out) == before) << "a refused compare changed its folder";
}

TEST(LabCli, ACheckpointWithOneChangedByteIsAOneLineError) {
  const fs::path d = fresh_dir("ckpt");
  write_idx_dataset(d / "a", 0);
  const fs::path ckpt = d / "c.pt";
  // Without --out the checkpoint stays; the same command again resumes from it.
  const std::string args = "train --epochs 1 --data " + (d / "a").string() + " --checkpoint " + ckpt.string() + kTiny;
  ASSERT_EQ(actfn(args).rc, 0);
  ASSERT_TRUE(fs::exists(ckpt));
  flip_middle_byte(ckpt);
  const Outcome r = actfn(args);
  expect_one_line_error(r, ckpt.string() + ": ");
  EXPECT_NE(r.err.find("checksum"), std::string::npos) << r.err;
}

TEST(LabCli, BadDataIsAOneLineErrorNamingTheFileAndWritesNothing) {
  const fs::path d = fresh_dir("baddata");
  const fs::path out = d / "out";
  const auto fails = [&](const fs::path& data, const std::string& what) {
    expect_one_line_error(actfn("train --epochs 1 --out " + out.string() + " --data " + data.string() + kTiny), what);
    EXPECT_FALSE(fs::exists(out)) << what;
  };
  // A feature finite in double, infinite in float.
  fs::create_directories(d / "csv");
  std::ofstream(d / "csv" / "train.csv") << "0,1,2\n1,1e300,3\n";
  std::ofstream(d / "csv" / "test.csv") << "0,1,2\n";
  fails(d / "csv", (d / "csv" / "train.csv").string() + ":2: field 2 '1e300' is not a finite float");
  // A test label outside the training labels' classes.
  write_idx_dataset(d / "label", 0);
  {
    std::fstream f(d / "label" / "t10k-labels-idx1-ubyte", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8 + 3);
    f.put(static_cast<char>(255));
  }
  fails(d / "label", (d / "label" / "t10k-labels-idx1-ubyte").string() + ": sample 3: label 255 is not one of the 4 classes");
  // Bytes after a gzip stream.
  write_idx_dataset(d / "trailing", 0);
  {
    const fs::path plain = d / "trailing" / "train-labels-idx1-ubyte";
    const std::string labels = read(plain);
    gzFile gz = gzopen((plain.string() + ".gz").c_str(), "wb");
    ASSERT_NE(gz, nullptr);
    ASSERT_EQ(gzwrite(gz, labels.data(), static_cast<unsigned>(labels.size())), static_cast<int>(labels.size()));
    gzclose(gz);
    fs::remove(plain);
  }
  std::ofstream(d / "trailing" / "train-labels-idx1-ubyte.gz", std::ios::app | std::ios::binary) << "garbage";
  fails(d / "trailing", (d / "trailing" / "train-labels-idx1-ubyte.gz").string() + ": 7 bytes after the gzip data");
  // Image sizes whose product wraps in 64 bits: 4 x 2^31 x 2^31.
  write_idx_dataset(d / "wraps", 0);
  std::ofstream(d / "wraps" / "train-images-idx3-ubyte", std::ios::binary | std::ios::trunc)
      << std::string("\0\0\x08\x03\0\0\0\x04\x80\0\0\0\x80\0\0\0", 16);
  fails(d / "wraps", (d / "wraps" / "train-images-idx3-ubyte").string() + ": the IDX header declares 4x2147483648x2147483648");
}

TEST(LabCli, ClassAndFileSizeLimitsAreOneLineErrorsAndCanBeRaised) {
  const fs::path d = fresh_dir("limits");
  // Five classes, 20 samples each, 4 features: label i % 5, features i, 2i, 3i, 4i (about 1.6 KB).
  std::string train = "label,a,b,c,d\n", test;
  for (int i = 0; i < 100; ++i) {
    const std::string row = std::to_string(i % 5) + "," + std::to_string(i) + "," + std::to_string(2 * i) + "," +
                            std::to_string(3 * i) + "," + std::to_string(4 * i) + "\n";
    train += row;
    if (i < 10) test += row;
  }
  std::ofstream(d / "train.csv") << train;
  std::ofstream(d / "test.csv") << test;
  ASSERT_GT(train.size(), 1024u);
  const std::string args = "train --epochs 1 --data " + (d).string() + kTiny;
  // Label 4 on line 6 is the first at or past a limit of 4 classes.
  expect_one_line_error(actfn(args + "--max-classes 4"), (d / "train.csv").string() + ":6: label 4 is not below the limit of 4 classes");
  EXPECT_EQ(actfn(args + "--max-classes 5").rc, 0);
  expect_one_line_error(actfn(args + "--max-file-size 1KiB"),
                        (d / "train.csv").string() + ": " + std::to_string(train.size()) + " bytes, above the limit of 1024 bytes");
  EXPECT_EQ(actfn(args + "--max-file-size 1MiB").rc, 0);
  EXPECT_FALSE(fs::exists(d / "run.json"));
}

/// The processes whose parent is `parent` (from /proc/PID/stat).
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = read(e.path() / "stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

/// Whether pid is a live process (not gone, not a zombie).
bool alive(pid_t pid) {
  const std::string stat = read("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z' && stat[close + 2] != 'X';
}

TEST(LabCli, ASecondCompareOnAFolderIsRefusedAndWorkersDieWithTheirParent) {
  const fs::path d = fresh_dir("lock");
  write_idx_dataset(d / "a", 0);
  const fs::path out = d / "out";
  const std::string args = "compare --activations relu --models mlp --seeds 2 --jobs 2 --no-report --data " +
                           (d / "a").string() + " --out " + out.string() + kTiny;
  // A long grid (it is killed long before its end).
  const std::string cmd = std::string(ACTFN_BIN) + " " + args + "--epochs 100000 >/dev/null 2>&1";
  std::vector<std::string> words{"/bin/sh", "-c", "exec " + cmd};
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t parent = 0;
  ASSERT_EQ(posix_spawn(&parent, "/bin/sh", nullptr, nullptr, argv.data(), environ), 0);
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  while (!(fs::exists(out / "runs/mlp/relu/seed0/checkpoint.pt") && fs::exists(out / "runs/mlp/relu/seed1/checkpoint.pt")) &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(120))
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(::waitpid(parent, &status, WNOHANG), 0) << "the grid ended early";
  const std::vector<pid_t> workers = children_of(parent);
  EXPECT_EQ(workers.size(), 2u);

  const Outcome second = actfn(args + "--epochs 1");
  expect_one_line_error(second, "in use by another actfn compare");
  EXPECT_NE(second.err.find("pid " + std::to_string(parent)), std::string::npos) << second.err;

  ::kill(parent, SIGKILL);
  ::waitpid(parent, &status, 0);
  const auto killed = std::chrono::steady_clock::now();
  const auto any_alive = [&] {
    for (const pid_t w : workers)
      if (alive(w)) return true;
    return false;
  };
  while (any_alive() && std::chrono::steady_clock::now() - killed < std::chrono::seconds(10))
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (const pid_t w : workers) {
    EXPECT_FALSE(alive(w)) << "worker " << w << " outlived its parent";
    if (alive(w)) ::kill(w, SIGKILL);
  }
}

}  // namespace
