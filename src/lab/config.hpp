// JSON forms of the lab's option structs (nlohmann's to_json/from_json, found by ADL): a run's
// configuration travels to its worker process as JSON and is stored with its results.
#pragma once

#include <nlohmann/json.hpp>

#include "data.hpp"
#include "models.hpp"
#include "train.hpp"

namespace actfn::lab {

// Keys are the field names; the readers require every one (a config.json is written whole) and
// check each value's type and range (records.hpp's field), throwing actfn::Error naming the key.
void to_json(nlohmann::json& j, const TrainOptions& o);
void from_json(const nlohmann::json& j, TrainOptions& o);
void to_json(nlohmann::json& j, const DataOptions& o);
void from_json(const nlohmann::json& j, DataOptions& o);

/// One run for a worker process: what to train and where its files go (run.json, history.csv,
/// checkpoint.pt, all in `dir`), and the run's fingerprint as compare computed it (train.hpp).
struct RunConfig {
  ModelSpec model;
  TrainOptions train;
  DataOptions data;
  std::filesystem::path dir;
  nlohmann::json fingerprint;
};
void to_json(nlohmann::json& j, const RunConfig& c);
void from_json(const nlohmann::json& j, RunConfig& c);
/// A config.json's content; errors name `name`.
RunConfig config_from_text(std::string_view text, const std::string& name);

/// Writes `text` to `path` through a temporary file beside it and a rename, so a reader (or a
/// crash) never sees half a file. Throws actfn::Error when it cannot.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);
/// The whole file; throws actfn::Error naming it when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace actfn::lab
