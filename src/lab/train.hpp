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

/// What identifies a run: the validated model, every training option that can change its results
/// (all but checkpoint and progress; threads resolved as run() resolves them) and the data's
/// identity (Splits::identity). A checkpoint or a finished run of another fingerprint is never
/// resumed or reused.
nlohmann::json fingerprint(const ModelSpec& validated_model, const TrainOptions& options, const Splits& data);

/// Trains `net` (already initialised) and returns every epoch's record. Prints progress to stderr.
/// Resumes from options.checkpoint when it exists and belongs to this run (same fingerprint: else
/// actfn::Error saying what differs). The checkpoint file is libtorch's archive followed by a
/// checksum trailer (records.hpp), verified before libtorch reads it.
RunResult train(Net& net, const ModelSpec& model, const Splits& data, const TrainOptions& options);

/// Builds the network for (model, data) from seed and trains it: the one-call form.
RunResult run(const ModelSpec& model, const Splits& data, const TrainOptions& options);

}  // namespace actfn::lab
