#include "config.hpp"

#include <fstream>
#include <sstream>

#include "actfn/error.hpp"

namespace actfn::lab {

void to_json(nlohmann::json& j, const TrainOptions& o) {
  j = {{"optimizer", o.optimizer}, {"lr", o.lr}, {"momentum", o.momentum}, {"weight_decay", o.weight_decay},
       {"schedule", o.schedule}, {"epochs", o.epochs}, {"batch", o.batch}, {"patience", o.patience},
       {"target_accuracy", o.target_accuracy}, {"saturation", o.saturation}, {"seed", o.seed},
       {"threads", o.threads}, {"checkpoint", o.checkpoint.string()}, {"progress", o.progress}};
}

void from_json(const nlohmann::json& j, TrainOptions& o) {
  o.optimizer = field<std::string>(j, "optimizer");
  o.lr = field<double>(j, "lr");
  o.momentum = field<double>(j, "momentum");
  o.weight_decay = field<double>(j, "weight_decay");
  o.schedule = field<std::string>(j, "schedule");
  o.epochs = field<std::int64_t>(j, "epochs");
  o.batch = field<std::int64_t>(j, "batch");
  o.patience = field<std::int64_t>(j, "patience");
  o.target_accuracy = field<double>(j, "target_accuracy");
  o.saturation = field<double>(j, "saturation");
  o.seed = field<std::uint64_t>(j, "seed");
  o.threads = field<int>(j, "threads");
  o.checkpoint = field<std::string>(j, "checkpoint");
  o.progress = field<std::string>(j, "progress");
}

void to_json(nlohmann::json& j, const DataOptions& o) {
  j = {{"dir", o.dir.string()},         {"format", o.format},       {"validation", o.validation},
       {"train_size", o.train_size},    {"test_size", o.test_size}, {"split_seed", o.split_seed},
       {"max_bytes", o.limits.max_bytes}, {"max_classes", o.limits.max_classes}};
}

void from_json(const nlohmann::json& j, DataOptions& o) {
  o.dir = field<std::string>(j, "dir");
  o.format = field<std::string>(j, "format");
  o.validation = field<double>(j, "validation");
  o.train_size = field<std::int64_t>(j, "train_size");
  o.test_size = field<std::int64_t>(j, "test_size");
  o.split_seed = field<std::uint64_t>(j, "split_seed");
  o.limits.max_bytes = field<std::uint64_t>(j, "max_bytes");
  o.limits.max_classes = field<std::int64_t>(j, "max_classes");
}

void to_json(nlohmann::json& j, const RunConfig& c) {
  j = {{"model", c.model}, {"train", c.train}, {"data", c.data}, {"dir", c.dir.string()}, {"fingerprint", c.fingerprint}};
}

void from_json(const nlohmann::json& j, RunConfig& c) {
  if (!j.is_object() || !j.contains("model")) throw Error("'model' is missing");
  from_json(j.at("model"), c.model);
  if (!j.contains("train")) throw Error("'train' is missing");
  from_json(j.at("train"), c.train);
  if (!j.contains("data")) throw Error("'data' is missing");
  from_json(j.at("data"), c.data);
  c.dir = field<std::string>(j, "dir");
  c.fingerprint = j.value("fingerprint", nlohmann::json());
}

RunConfig config_from_text(std::string_view text, const std::string& name) {
  const nlohmann::json j = parse_json(text, name);
  RunConfig c;
  try {
    from_json(j, c);
  } catch (const Error& e) {
    throw Error(name + ": " + e.what());
  }
  return c;
}

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw Error("cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error("cannot write " + path.string() + ": " + ec.message());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace actfn::lab
