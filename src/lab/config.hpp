// JSON forms of the lab's option structs (nlohmann's to_json/from_json, found by ADL): a run's
// configuration travels to its worker process as JSON and is stored with its results.
#pragma once

#include <nlohmann/json.hpp>

#include "data.hpp"
#include "models.hpp"
#include "train.hpp"

namespace actfn::lab {

// Keys are the field names; from_json requires every one (a config.json is written whole).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ModelSpec, kind, activations, depth, width, norm, dropout, gate_activation, init)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TrainOptions, optimizer, lr, momentum, weight_decay, schedule, epochs, batch,
                                   patience, target_accuracy, saturation, seed, threads, checkpoint, progress)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DataOptions, dir, format, validation, train_size, test_size, split_seed)

/// One run for a worker process: what to train and where its files go (run.json, history.csv,
/// checkpoint.pt, all in `dir`).
struct RunConfig {
  ModelSpec model;
  TrainOptions train;
  DataOptions data;
  std::filesystem::path dir;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RunConfig, model, train, data, dir)

/// Writes `text` to `path` through a temporary file beside it and a rename, so a reader (or a
/// crash) never sees half a file. Throws actfn::Error when it cannot.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);
/// The whole file; throws actfn::Error naming it when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace actfn::lab
