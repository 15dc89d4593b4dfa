#include "compare.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "actfn/actfn.hpp"
#include "actfn/error.hpp"

extern char** environ;

namespace actfn::lab {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Job {
  std::string model, activation;
  std::uint64_t seed = 0;
  fs::path dir;
};

std::vector<Job> jobs_of(const GridOptions& o) {
  std::vector<Job> jobs;
  for (const std::string& m : o.models)
    for (const std::string& a : o.activations)
      for (std::int64_t k = 0; k < o.seeds; ++k) {
        const std::uint64_t seed = o.first_seed + static_cast<std::uint64_t>(k);
        jobs.push_back({m, actfn::parse(a).spec(), seed, o.out / "runs" / m / slug(actfn::parse(a).spec()) / ("seed" + std::to_string(seed))});
      }
  return jobs;
}

RunConfig config_of(const GridOptions& o, const Job& j, const Splits& data) {
  RunConfig c;
  c.model = o.model;
  c.model.kind = j.model;
  c.model.activations = {j.activation};
  c.train = o.train;
  c.train.seed = j.seed;
  if (c.train.threads == 0) c.train.threads = 1;
  c.train.checkpoint = j.dir / "checkpoint.pt";
  c.train.progress = "lines";
  c.data = o.data;
  c.dir = j.dir;
  c.fingerprint = fingerprint(c.model.validated(data.channels(), data.height(), data.width()), c.train, data);
  return c;
}

/// The compare process's hold on its output folder: an exclusive flock on the folder itself, which
/// the kernel releases when the process ends however it ends (workers do not inherit it), and the
/// holder's pid in kPidFile for the message a second compare gives.
class FolderLock {
 public:
  static constexpr const char* kPidFile = ".compare.pid";

  explicit FolderLock(fs::path dir) : dir_(std::move(dir)) {
    fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) throw Error("cannot open " + dir_.string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    const int err = errno;
    ::close(fd_);
    if (err != EWOULDBLOCK) throw Error("cannot lock " + dir_.string() + ": " + std::strerror(err));
    std::string pid;
    try {
      pid = read_file(dir_ / kPidFile);
    } catch (const Error&) {
    }
    while (!pid.empty() && pid.back() == '\n') pid.pop_back();
    const bool known = !pid.empty() && pid.size() < 12 && pid.find_first_not_of("0123456789") == std::string::npos;
    throw Error(dir_.string() + " is in use by another actfn compare" + (known ? " (pid " + pid + ")" : "") +
                "; wait for it to end, or use another --out");
  }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  ~FolderLock() {
    std::error_code ec;
    if (wrote_pid_) fs::remove(dir_ / kPidFile, ec);
    ::close(fd_);
  }
  void write_pid() {
    write_file_atomically(dir_ / kPidFile, std::to_string(::getpid()) + "\n");
    wrote_pid_ = true;
  }

 private:
  fs::path dir_;
  int fd_ = -1;
  bool wrote_pid_ = false;
};

/// Whether job j finished before; throws actfn::Error (naming the run folder or file, saying what
/// differs) when its folder holds a finished run or a checkpoint of another configuration than
/// `print`, or a corrupt run.json, checkpoint or config.json. Reads only.
bool finished_before(const Job& j, const nlohmann::json& print) {
  const std::string advice = "; use another --out, or delete " + j.dir.string() + " to train that run again";
  const auto refuse = [&](const std::string& why) { throw Error(j.dir.string() + " " + why + advice); };
  std::error_code ec;
  try {
    if (fs::exists(j.dir / "run.json", ec)) {
      const fs::path file = j.dir / "run.json";
      const RunResult r = run_from_text(read_file(file), file.string());
      if (r.fingerprint.is_null()) refuse("holds a run without a fingerprint (written by an older actfn)");
      if (r.fingerprint != print) refuse("finished under another configuration (" + first_difference(r.fingerprint, print) + ")");
      return true;
    }
    if (fs::exists(j.dir / "checkpoint.pt", ec)) {
      const fs::path file = j.dir / "checkpoint.pt";
      const std::string bytes = read_file(file);
      (void)checkpoint_payload({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()}, file.string());
      const fs::path config = j.dir / "config.json";
      const RunConfig c = config_from_text(read_file(config), config.string());
      if (c.fingerprint.is_null()) refuse("holds a checkpoint without a fingerprint (written by an older actfn)");
      if (c.fingerprint != print)
        refuse("holds a checkpoint of another configuration (" + first_difference(c.fingerprint, print) + ")");
    }
  } catch (const Error& e) {
    const std::string what = e.what();
    throw Error(what.ends_with(advice) ? what : what + advice);
  }
  return false;
}

/// The last non-empty line of a log (a failed worker's error).
std::string last_line(const fs::path& log) {
  std::string text;
  try {
    text = read_file(log);
  } catch (const Error&) {
    return "(no log)";
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const auto nl = text.find_last_of('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

pid_t spawn(const fs::path& worker, const fs::path& config, const fs::path& log) {
  // The worker checks that its parent is still this process (run_worker).
  const std::string parent = std::to_string(::getpid());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::string a0 = worker.string(), a1 = "worker", a2 = config.string(), a3 = "--parent", a4 = parent;
  char* argv[] = {a0.data(), a1.data(), a2.data(), a3.data(), a4.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, worker.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw Error("cannot start " + worker.string() + ": " + std::strerror(rc));
  return pid;
}

double mean(const std::vector<double>& v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double sample_std(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

std::string history_csv(const RunResult& r) {
  std::ostringstream s;
  s.precision(9);
  s << "epoch,lr,train_loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,seconds";
  if (!r.epochs.empty()) {
    for (const SiteStats& st : r.epochs[0].sites)
      s << ',' << st.name << "_dead," << st.name << "_saturated," << st.name << "_z_var," << st.name << "_y_var";
    for (const GradNorm& g : r.epochs[0].grad_norms) s << ',' << g.layer << "_grad_norm";
  }
  s << '\n';
  for (const EpochRecord& e : r.epochs) {
    s << e.epoch << ',' << e.lr << ',' << e.train_loss << ',' << e.train_accuracy << ',' << e.val_loss << ','
      << e.val_accuracy << ',' << e.test_loss << ',' << e.test_accuracy << ',' << e.seconds;
    for (const SiteStats& st : e.sites) s << ',' << st.dead << ',' << st.saturated << ',' << st.z_var << ',' << st.y_var;
    for (const GradNorm& g : e.grad_norms) s << ',' << g.norm;
    s << '\n';
  }
  return s.str();
}

GridRow summarise(const std::string& model, const std::string& activation, const std::vector<RunResult>& runs) {
  GridRow row;
  row.model = model;
  row.activation = activation;
  row.seeds = static_cast<std::int64_t>(runs.size());
  std::vector<double> best, to_target, seconds, dead, saturated;
  for (const RunResult& r : runs) {
    row.test_accuracies.push_back(r.test_accuracy);
    best.push_back(static_cast<double>(r.best_epoch));
    if (r.epochs_to_target > 0) to_target.push_back(static_cast<double>(r.epochs_to_target));
    seconds.push_back(r.seconds_per_epoch);
    row.diverged += r.diverged ? 1 : 0;
    row.parameters = r.parameters;
    if (r.epochs.empty()) continue;
    for (const SiteStats& s : r.epochs.back().sites) {
      dead.push_back(s.dead);
      saturated.push_back(s.saturated);
      row.dead_max = std::max(row.dead_max, s.dead);
      row.saturated_max = std::max(row.saturated_max, s.saturated);
    }
  }
  row.test_accuracy_mean = mean(row.test_accuracies);
  row.test_accuracy_std = sample_std(row.test_accuracies);
  row.best_epoch_mean = mean(best);
  row.reached_target = static_cast<std::int64_t>(to_target.size());
  row.epochs_to_target_mean = mean(to_target);
  row.seconds_per_epoch = mean(seconds);
  row.dead = dead.empty() ? 0 : mean(dead);
  row.saturated = saturated.empty() ? 0 : mean(saturated);
  return row;
}

std::string results_csv(const GridResult& g) {
  std::ostringstream s;
  s.precision(9);
  s << "model,activation,seeds,test_accuracy_mean,test_accuracy_std,best_epoch_mean,reached_target,"
       "epochs_to_target_mean,seconds_per_epoch,dead,dead_max,saturated,saturated_max,diverged,parameters\n";
  for (const GridRow& r : g.rows) {
    // Specs hold commas: quoted.
    s << r.model << ",\"" << r.activation << "\"," << r.seeds << ',' << r.test_accuracy_mean << ','
      << r.test_accuracy_std << ',' << r.best_epoch_mean << ',' << r.reached_target << ',';
    if (std::isfinite(r.epochs_to_target_mean)) s << r.epochs_to_target_mean;
    s << ',' << r.seconds_per_epoch << ',' << r.dead << ',' << r.dead_max << ',' << r.saturated << ','
      << r.saturated_max << ',' << r.diverged << ',' << r.parameters << '\n';
  }
  return s.str();
}

/// x, then f and f' of every element-wise activation on [-6, 6] (f64 reference values).
std::string functions_csv(const std::vector<std::string>& specs) {
  constexpr int kPoints = 601;
  std::vector<double> x(kPoints);
  for (int i = 0; i < kPoints; ++i) x[static_cast<std::size_t>(i)] = -6.0 + 12.0 * i / (kPoints - 1);
  std::ostringstream s;
  s.precision(9);
  s << "x";
  std::vector<std::vector<double>> columns;
  for (const std::string& spec : specs) {
    const actfn::Activation act = actfn::parse(spec);
    if (act.info().vector_wise) continue;
    std::vector<double> y(kPoints), dx(kPoints);
    const std::vector<double> ones(kPoints, 1.0);
    actfn::forward<double>(act, x, y);
    actfn::backward<double>(act, {.x = x, .dy = ones}, dx);
    s << ",\"f " << act.spec() << "\",\"df " << act.spec() << '"';
    columns.push_back(std::move(y));
    columns.push_back(std::move(dx));
  }
  s << '\n';
  for (std::size_t i = 0; i < x.size(); ++i) {
    s << x[i];
    for (const auto& c : columns) s << ',' << c[i];
    s << '\n';
  }
  return s.str();
}

}  // namespace

std::vector<std::string> split_specs(const std::string& list) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (const char c : list) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  for (std::string& s : out) {
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    while (!s.empty() && s.back() == ' ') s.pop_back();
    if (s.empty()) throw Error("empty activation in the list '" + list + "'");
  }
  return out;
}

std::string slug(const std::string& spec) {
  std::string s;
  for (const char c : spec) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '=' || c == '-') s += c;
    else if (c == '(' || c == ',') s += '-';
  }
  while (!s.empty() && s.back() == '-') s.pop_back();
  return s;
}

void validate(const GridOptions& o, const Splits& data) {
  if (o.activations.empty()) throw Error("no activations to compare");
  if (o.models.empty()) throw Error("no models to compare");
  if (o.seeds < 1 || o.seeds > 1000) throw Error("seeds must be in [1, 1000]");
  if (o.jobs < 0 || o.jobs > 256) throw Error("jobs must be in [0, 256]");
  o.train.validate();
  std::map<std::string, std::string> seen;
  for (const std::string& m : o.models)
    for (const std::string& a : o.activations) {
      ModelSpec s = o.model;
      s.kind = m;
      s.activations = {a};
      const ModelSpec v = s.validated(data.channels(), data.height(), data.width());
      const auto [it, fresh] = seen.emplace(m + "/" + slug(v.activations[0]), a);
      if (!fresh && it->second != a) throw Error("activations '" + it->second + "' and '" + a + "' are the same function");
      if (!fresh) throw Error("activation '" + a + "' is listed twice");
    }
  std::error_code ec;
  if (::access(o.worker.c_str(), X_OK) != 0) throw Error("the worker " + o.worker.string() + " is not executable");
  if (fs::exists(o.out, ec) && !fs::is_directory(o.out, ec)) throw Error(o.out.string() + " exists and is not a directory");
}

void run_worker(const fs::path& config_path, pid_t parent) {
  // Killed when the compare that started it ends, however it ends; if that happened before this
  // line, the worker has a new parent already and stops here.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) throw Error(std::string("prctl: ") + std::strerror(errno));
  if (parent > 0 && ::getppid() != parent)
    throw Error("the compare that started this worker (pid " + std::to_string(parent) + ") has ended");
  const RunConfig c = config_from_text(read_file(config_path), config_path.string());
  const Splits data = load(c.data);
  const RunResult r = run(c.model, data, c.train);
  write_file_atomically(c.dir / "history.csv", history_csv(r));
  write_file_atomically(c.dir / "run.json", run_to_text(r));
  std::error_code ec;
  fs::remove(c.train.checkpoint, ec);
}

GridResult compare(const GridOptions& o, const Splits& data) {
  validate(o, data);
  const auto start = Clock::now();
  const std::vector<Job> jobs = jobs_of(o);
  std::vector<RunConfig> configs;
  for (const Job& j : jobs) configs.push_back(config_of(o, j, data));
  // One compare per folder; then what is there already must be of this grid. Nothing written yet.
  std::optional<FolderLock> lock;
  std::error_code ec;
  if (fs::is_directory(o.out, ec)) lock.emplace(o.out);
  std::vector<std::size_t> pending;
  GridResult result;
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    if (finished_before(jobs[k], configs[k].fingerprint)) ++result.skipped;
    else pending.push_back(k);
  }
  fs::create_directories(o.out / "runs");
  if (!lock) lock.emplace(o.out);
  lock->write_pid();
  const int threads_per_run = o.train.threads > 0 ? o.train.threads : 1;
  const int parallel = o.jobs > 0 ? o.jobs
                                  : std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / threads_per_run);
  std::fprintf(stderr, "actfn compare: %zu runs (%lld finished before), %d at a time, into %s\n", jobs.size(),
               static_cast<long long>(result.skipped), parallel, o.out.string().c_str());

  std::map<pid_t, std::size_t> running;
  std::size_t next = 0, done = 0;
  std::string failure;
  while ((next < pending.size() && failure.empty()) || !running.empty()) {
    while (failure.empty() && next < pending.size() && static_cast<int>(running.size()) < parallel) {
      const std::size_t k = pending[next++];
      const Job& j = jobs[k];
      fs::create_directories(j.dir);
      const fs::path config = j.dir / "config.json";
      write_file_atomically(config, nlohmann::json(configs[k]).dump(1) + "\n");
      running.emplace(spawn(o.worker, config, j.dir / "log.txt"), k);
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) throw Error(std::string("waiting for the workers: ") + std::strerror(errno));
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const std::size_t k = it->second;
    const Job& j = jobs[k];
    running.erase(it);
    ++done;
    const std::string name = j.model + " " + j.activation + " seed " + std::to_string(j.seed);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !fs::exists(j.dir / "run.json")) {
      if (failure.empty()) failure = "run " + name + " failed: " + last_line(j.dir / "log.txt");
      continue;
    }
    RunResult r;
    try {
      r = run_from_text(read_file(j.dir / "run.json"), (j.dir / "run.json").string());
      // Another fingerprint: the data changed on disk while the grid ran.
      if (r.fingerprint != configs[k].fingerprint)
        throw Error("run " + name + " trained on other data or options than compare read (" +
                    first_difference(configs[k].fingerprint, r.fingerprint) + ")");
    } catch (const Error& e) {
      if (failure.empty()) failure = e.what();  // the other workers finish first
      continue;
    }
    ++result.runs;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const double eta = elapsed / static_cast<double>(done) * static_cast<double>(pending.size() - done);
    std::fprintf(stderr, "[%zu/%zu] %s: test %.2f%% (best epoch %lld, %.1f s/epoch)  elapsed %.0f s, ETA %.0f s\n",
                 done + static_cast<std::size_t>(result.skipped), jobs.size(), name.c_str(), 100 * r.test_accuracy,
                 static_cast<long long>(r.best_epoch), r.seconds_per_epoch, elapsed, eta);
  }
  if (!failure.empty()) throw Error(failure + " (its log: runs/.../log.txt; finished runs are kept, run again to resume)");

  for (const std::string& m : o.models)
    for (const std::string& a : o.activations) {
      std::vector<RunResult> runs;
      for (const Job& j : jobs)
        if (j.model == m && j.activation == actfn::parse(a).spec())
          runs.push_back(run_from_text(read_file(j.dir / "run.json"), (j.dir / "run.json").string()));
      result.rows.push_back(summarise(m, actfn::parse(a).spec(), runs));
    }
  result.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  write_file_atomically(o.out / "functions.csv", functions_csv(o.activations));
  write_file_atomically(o.out / "results.csv", results_csv(result));
  write_file_atomically(o.out / "results.json", grid_json(o, result).dump(1) + "\n");
  return result;
}

nlohmann::json grid_json(const GridOptions& o, const GridResult& g) {
  nlohmann::json rows = nlohmann::json::array();
  for (const GridRow& r : g.rows)
    rows.push_back({{"model", r.model},
                    {"activation", r.activation},
                    {"seeds", r.seeds},
                    {"test_accuracies", r.test_accuracies},
                    {"test_accuracy_mean", number(r.test_accuracy_mean)},
                    {"test_accuracy_std", number(r.test_accuracy_std)},
                    {"best_epoch_mean", number(r.best_epoch_mean)},
                    {"reached_target", r.reached_target},
                    {"epochs_to_target_mean", number(r.epochs_to_target_mean)},
                    {"seconds_per_epoch", number(r.seconds_per_epoch)},
                    {"dead", r.dead},
                    {"dead_max", r.dead_max},
                    {"saturated", r.saturated},
                    {"saturated_max", r.saturated_max},
                    {"diverged", r.diverged},
                    {"parameters", r.parameters},
                    {"runs", "runs/" + r.model + "/" + slug(r.activation)}});
  nlohmann::json model = o.model;
  model.erase("kind");
  model.erase("activations");
  nlohmann::json train = o.train;
  train.erase("seed");
  train.erase("checkpoint");
  train.erase("progress");
  return {{"activations", o.activations},
          {"models", o.models},
          {"seeds", o.seeds},
          {"first_seed", o.first_seed},
          {"model", model},
          {"train", train},
          {"data", o.data},
          {"target_accuracy", o.train.target_accuracy},
          {"wall_seconds", g.wall_seconds},
          {"rows", rows}};
}

}  // namespace actfn::lab
