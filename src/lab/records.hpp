// What a run is and what it recorded, without libtorch: the model spec, every epoch's metrics and
// activation diagnostics, the run's result; run.json's text with its checksum, and the checksum
// trailer of a checkpoint file. The readers are safe on any input bytes and throw only
// actfn::Error, naming the file.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "actfn/activation.hpp"

namespace actfn::lab {

struct ModelSpec {
  std::string kind = "mlp";              // mlp, cnn, rnn, transformer
  std::vector<std::string> activations;  // one for every site, or one per hidden layer (mlp, cnn)
  std::int64_t depth = 0;                // 0: the kind's default (mlp 2, cnn 2, rnn 1, transformer 2)
  std::int64_t width = 0;                // 0: default (mlp 256, cnn 16 channels doubling per block, rnn 128, transformer 64)
  std::string norm = "none";             // none, before, after: batch norm before or after the activation
  double dropout = 0;                    // after each hidden activation; alpha dropout for selu
  std::string gate_activation = "sigmoid";  // rnn gates
  std::string init = "auto";             // auto, he, lecun, xavier, torch

  /// Fills defaults and checks every option (unknown kind, bad spec, impossible combination);
  /// throws actfn::Error naming the problem. Returns the canonical form.
  [[nodiscard]] ModelSpec validated(std::int64_t channels, std::int64_t height, std::int64_t width_px) const;
  /// One line: "mlp depth=2 width=256 act=relu norm=none dropout=0 init=he".
  [[nodiscard]] std::string describe() const;

  static constexpr std::int64_t kPatch = 7;  // the transformer's patches are kPatch x kPatch pixels
  static constexpr std::int64_t kHeads = 4;  // its attention heads
};

/// How many inputs per output the activation takes along its axis: 1 for element-wise ones,
/// `pieces` for maxout, 2 for the GLU family.
std::int64_t widening(const actfn::Activation& act);

/// What one activation site saw while recording (one epoch of training).
struct SiteStats {
  std::string name;        // "hidden1", "block2", "candidate", "gate", "ffn1", ...
  std::string spec;
  std::int64_t units = 0;  // features (mlp, ffn, rnn) or channels (cnn) of the input
  double elements = 0;     // input elements seen
  double dead = 0;         // fraction of units whose f' was 0 for every element seen (never active)
  double saturated = 0;    // fraction of elements with |f'| < the saturation threshold
  double z_mean = 0, z_var = 0;  // the pre-activation (the site's input)
  double y_mean = 0, y_var = 0;  // the activation's output
  std::vector<double> learned;   // mean of each learnable parameter over channels (registry order)
  std::vector<std::string> learned_names;
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
  /// The run's whole configuration and the identity of its data (train.hpp's fingerprint); null
  /// when unknown. compare reuses a finished run only under the same fingerprint.
  nlohmann::json fingerprint;
};

void to_json(nlohmann::json& j, const ModelSpec& m);
void from_json(const nlohmann::json& j, ModelSpec& m);
nlohmann::json to_json(const RunResult& r);
/// Throws actfn::Error naming the key on a missing key or a value of the wrong type or range.
RunResult run_from_json(const nlohmann::json& j);

/// run.json's text with its checksum; and back, verifying it (errors name `name`, never a raw
/// nlohmann exception).
std::string run_to_text(const RunResult& r);
RunResult run_from_text(std::string_view text, const std::string& name);

/// The trailer written after a checkpoint's archive bytes: a magic string, the archive's size and
/// its CRC-32.
std::string checkpoint_trailer(std::span<const unsigned char> archive);
/// A checkpoint file's bytes: verifies the trailer checksum and returns the archive bytes in
/// front of it (libtorch reads those); errors name `name`.
std::span<const unsigned char> checkpoint_payload(std::span<const unsigned char> file, const std::string& name);

// ---- reading JSON safely (for every file the lab reads) --------------------------------------------

/// The JSON text parsed (nesting at most 64 deep); errors name `name`.
nlohmann::json parse_json(std::string_view text, const std::string& name);

/// j[key] as T, checked: an object with that key, a value of T's JSON type, an integer in T's
/// range (never a silent conversion); doubles may be null (NaN). Throws actfn::Error naming the key.
template <class T>
T field(const nlohmann::json& j, const char* key);
template <> std::string field<std::string>(const nlohmann::json& j, const char* key);
template <> bool field<bool>(const nlohmann::json& j, const char* key);
template <> double field<double>(const nlohmann::json& j, const char* key);
template <> int field<int>(const nlohmann::json& j, const char* key);
template <> std::int64_t field<std::int64_t>(const nlohmann::json& j, const char* key);
template <> std::uint64_t field<std::uint64_t>(const nlohmann::json& j, const char* key);
template <> std::vector<std::string> field<std::vector<std::string>>(const nlohmann::json& j, const char* key);

/// The first difference between two JSON values, "train.epochs was 2, now 6", and how many more
/// there are; empty when they are equal.
std::string first_difference(const nlohmann::json& there, const nlohmann::json& here);

}  // namespace actfn::lab
