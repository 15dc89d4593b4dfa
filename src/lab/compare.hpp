// The comparison grid: activations × models × seeds, each run in its own worker process (several
// at once), then the per-(model, activation) summary over seeds, written as results.csv and
// results.json beside every run's own run.json and history.csv.
//
// Output directory:
//   runs/<model>/<activation>/seed<k>/  config.json, run.json, history.csv, log.txt (+ checkpoint.pt while running)
//   .compare.pid                        the running compare's pid (while it runs)
//   results.csv, results.json           one row per (model, activation)
//   functions.csv                       x, f and f' of every activation (for the report's figure)
// A grid started again in the same directory skips finished runs and resumes interrupted ones
// from their checkpoints, with the same results as one uninterrupted run, when they are runs of
// the same configuration and data (train.hpp's fingerprint, stored in run.json and config.json).
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config.hpp"

namespace actfn::lab {

struct GridOptions {
  std::vector<std::string> activations;  // specs
  std::vector<std::string> models{"mlp"};
  ModelSpec model;     // everything but kind and activations, shared by every run
  TrainOptions train;  // everything but seed; threads is per run (default 1)
  DataOptions data;
  std::int64_t seeds = 3;
  std::uint64_t first_seed = 0;
  std::filesystem::path out = "lab-results";
  int jobs = 0;                   // runs at once; 0: one per hardware thread / train.threads
  std::filesystem::path worker;   // the executable: `worker worker CONFIG.json` trains one run
};

/// One (model, activation) over its seeds.
struct GridRow {
  std::string model, activation;
  std::int64_t seeds = 0;
  std::vector<double> test_accuracies;
  double test_accuracy_mean = 0, test_accuracy_std = 0;  // sample standard deviation (n - 1)
  double best_epoch_mean = 0;
  std::int64_t reached_target = 0;       // seeds whose validation accuracy reached the target
  double epochs_to_target_mean = 0;      // over those seeds; NaN if none
  double seconds_per_epoch = 0;
  double dead = 0, dead_max = 0;         // last epoch: mean over sites and seeds; the worst site
  double saturated = 0, saturated_max = 0;
  std::int64_t diverged = 0;
  std::int64_t parameters = 0;
};

struct GridResult {
  std::vector<GridRow> rows;
  double wall_seconds = 0;
  std::int64_t runs = 0, skipped = 0;  // run now / already finished before
};

/// A list of specs separated by commas outside parentheses: "relu,leaky_relu(0.1, ),gelu".
std::vector<std::string> split_specs(const std::string& list);
/// The directory name for an activation spec: "leaky_relu(negative_slope=0.2)" → "leaky_relu-negative_slope=0.2".
std::string slug(const std::string& spec);

/// Checks every option against the dataset (every activation parses, every model can be built
/// for the data's shape, training options are valid) before anything is written; throws
/// actfn::Error naming the first problem.
void validate(const GridOptions& o, const Splits& data);

/// Runs the grid and writes the summary files. Progress: one line per finished run on stderr.
/// One compare per output folder at a time (a second one: actfn::Error naming the folder and the
/// holder's pid). A run folder already holding a finished run (or a checkpoint) of another
/// fingerprint than this grid's, or a corrupt run.json, checkpoint or config.json, is an
/// actfn::Error naming it and what differs, before anything is written.
GridResult compare(const GridOptions& o, const Splits& data);

/// Trains one run from its config.json (the worker's job): writes run.json and history.csv
/// atomically into the run's directory and removes the checkpoint. The worker dies with `parent`
/// (the compare that started it; 0: whichever its parent is): SIGKILL when the parent ends, and
/// an error when it has ended already.
void run_worker(const std::filesystem::path& config, pid_t parent);

/// results.json's content.
nlohmann::json grid_json(const GridOptions& o, const GridResult& r);

}  // namespace actfn::lab
