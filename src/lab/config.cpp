#include "config.hpp"

#include <fstream>
#include <sstream>

#include "actfn/error.hpp"

namespace actfn::lab {

void to_json(nlohmann::json& j, const ModelSpec& m) {
  j = {{"kind", m.kind},   {"activations", m.activations}, {"depth", m.depth}, {"width", m.width},
       {"norm", m.norm},   {"dropout", m.dropout},         {"gate_activation", m.gate_activation},
       {"init", m.init}};
}
void from_json(const nlohmann::json& j, ModelSpec& m) {
  j.at("kind").get_to(m.kind);
  j.at("activations").get_to(m.activations);
  j.at("depth").get_to(m.depth);
  j.at("width").get_to(m.width);
  j.at("norm").get_to(m.norm);
  j.at("dropout").get_to(m.dropout);
  j.at("gate_activation").get_to(m.gate_activation);
  j.at("init").get_to(m.init);
}

void to_json(nlohmann::json& j, const TrainOptions& o) {
  j = {{"optimizer", o.optimizer}, {"lr", o.lr},         {"momentum", o.momentum},
       {"weight_decay", o.weight_decay}, {"schedule", o.schedule}, {"epochs", o.epochs},
       {"batch", o.batch},         {"patience", o.patience}, {"target_accuracy", o.target_accuracy},
       {"saturation", o.saturation}, {"seed", o.seed},     {"threads", o.threads},
       {"checkpoint", o.checkpoint.string()}, {"progress", o.progress}};
}
void from_json(const nlohmann::json& j, TrainOptions& o) {
  j.at("optimizer").get_to(o.optimizer);
  j.at("lr").get_to(o.lr);
  j.at("momentum").get_to(o.momentum);
  j.at("weight_decay").get_to(o.weight_decay);
  j.at("schedule").get_to(o.schedule);
  j.at("epochs").get_to(o.epochs);
  j.at("batch").get_to(o.batch);
  j.at("patience").get_to(o.patience);
  j.at("target_accuracy").get_to(o.target_accuracy);
  j.at("saturation").get_to(o.saturation);
  j.at("seed").get_to(o.seed);
  j.at("threads").get_to(o.threads);
  o.checkpoint = j.at("checkpoint").get<std::string>();
  j.at("progress").get_to(o.progress);
}

void to_json(nlohmann::json& j, const DataOptions& o) {
  j = {{"dir", o.dir.string()}, {"format", o.format}, {"validation", o.validation},
       {"train_size", o.train_size}, {"test_size", o.test_size}, {"split_seed", o.split_seed}};
}
void from_json(const nlohmann::json& j, DataOptions& o) {
  o.dir = j.at("dir").get<std::string>();
  j.at("format").get_to(o.format);
  j.at("validation").get_to(o.validation);
  j.at("train_size").get_to(o.train_size);
  j.at("test_size").get_to(o.test_size);
  j.at("split_seed").get_to(o.split_seed);
}

void to_json(nlohmann::json& j, const RunConfig& c) {
  j = {{"model", c.model}, {"train", c.train}, {"data", c.data}, {"dir", c.dir.string()}};
}
void from_json(const nlohmann::json& j, RunConfig& c) {
  j.at("model").get_to(c.model);
  j.at("train").get_to(c.train);
  j.at("data").get_to(c.data);
  c.dir = j.at("dir").get<std::string>();
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
