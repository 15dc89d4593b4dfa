// Training one network on one dataset: SGD with momentum or Adam, a learning-rate schedule, early
// stopping on validation accuracy, per-epoch diagnostics of every activation layer, and
// checkpoints from which an interrupted run resumes to identical results.
//
// Determinism: the model is initialised from torch::manual_seed(seed); each epoch's batch order
// and its dropout noise are functions of (seed, epoch) alone (random.hpp), so a run resumed at an
// epoch boundary replays exactly what the uninterrupted run did. Same seed, same thread count →
// identical metrics, bit for bit.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "data.hpp"
#include "models.hpp"

namespace actfn::lab {

struct TrainOptions {
  std::string optimizer = "adam";  // adam, sgd (with momentum)
  double lr = 1e-3;
  double momentum = 0.9;           // sgd
  double weight_decay = 0;
  std::string schedule = "none";   // none, cosine (to 0 over the epochs), step (×0.1 at 1/2 and 3/4)
  std::int64_t epochs = 10;
  std::int64_t batch = 128;
  std::int64_t patience = 0;       // stop after this many epochs without a better validation accuracy; 0: never
  double target_accuracy = 0.85;   // report the first epoch whose validation accuracy reaches it
  double saturation = 0.01;        // |f'| below this counts as saturated
  std::uint64_t seed = 0;
  int threads = 0;                 // torch's intra-op threads; 0: every hardware thread
  std::filesystem::path checkpoint;  // written after every epoch; resumed from when present
  std::string progress = "auto";   // auto (bar on a terminal, lines otherwise), bar, lines, none

  /// Checks every option; throws actfn::Error naming the bad one.
  void validate() const;
};

/// One weight layer's gradient: the mean over the epoch's batches of ‖∂loss/∂W‖₂.
struct GradNorm {
  std::string layer;
  double norm = 0;
};

struct EpochRecord {
  std::int64_t epoch = 0;  // 1-based
  double lr = 0;
  double train_loss = 0, train_accuracy = 0;  // over the epoch's batches, in training mode
  double val_loss = 0, val_accuracy = 0;      // NaN without a validation split
  double test_loss = 0, test_accuracy = 0;
  double seconds = 0;       // wall time of the epoch's training steps (diagnostics included)
  std::vector<SiteStats> sites;
  std::vector<GradNorm> grad_norms;
};

struct RunResult {
  std::string activation;     // the model's first activation spec (the grid's key)
  ModelSpec model;            // validated
  std::string init;           // resolved
  std::uint64_t seed = 0;
  std::string data;           // Splits::source with sizes
  std::vector<SiteStats> initial_sites;   // the sites before training (learnable parameters' initial values)
  std::vector<EpochRecord> epochs;
  std::int64_t best_epoch = 0;            // highest validation accuracy (test accuracy there is the result)
  double best_val_accuracy = 0, test_accuracy = 0, test_loss = 0;
  std::int64_t epochs_to_target = -1;     // first epoch reaching TrainOptions::target_accuracy, -1: never
  bool early_stopped = false;
  bool diverged = false;                  // the training loss became NaN or inf
  double seconds_per_epoch = 0;           // mean over the epochs
  std::int64_t parameters = 0;
};

nlohmann::json to_json(const RunResult& r);
RunResult run_from_json(const nlohmann::json& j);

/// Trains `net` (already initialised) and returns every epoch's record. Prints progress to stderr.
/// Resumes from options.checkpoint when it exists and belongs to this run (same model, data and
/// options: else actfn::Error).
RunResult train(Net& net, const ModelSpec& model, const Splits& data, const TrainOptions& options);

/// Builds the network for (model, data) from seed and trains it: the one-call form.
RunResult run(const ModelSpec& model, const Splits& data, const TrainOptions& options);

}  // namespace actfn::lab
