#include "records.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <utility>

#include "actfn/error.hpp"
#include "actfn/reference.hpp"
#include "formats.hpp"

namespace actfn::lab {
namespace {

using nlohmann::json;

// ---- the model spec ---------------------------------------------------------------------------------

bool one_of(const std::string& s, std::initializer_list<const char*> options) {
  for (const char* o : options)
    if (s == o) return true;
  return false;
}

std::int64_t hidden_sites(const ModelSpec& s) {
  if (s.kind == "mlp") return s.depth;
  if (s.kind == "cnn") return s.depth + 1;  // the conv blocks and the dense layer
  if (s.kind == "rnn") return 1;            // the candidate; gates have their own option
  return s.depth;                           // transformer: one FFN per layer
}

// ---- JSON ---------------------------------------------------------------------------------------------

std::string dumped(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

const json& member(const json& j, const char* key) {
  if (!j.is_object()) throw Error("expected an object with '" + std::string(key) + "', found " + j.type_name());
  const auto it = j.find(key);
  if (it == j.end()) throw Error("'" + std::string(key) + "' is missing");
  return *it;
}

[[noreturn]] void wrong_type(const char* key, const char* expected, const json& v) {
  throw Error("'" + std::string(key) + "' is " + (v.is_number() ? "the number " + printable(dumped(v)) : std::string("a ") + v.type_name()) +
              ", expected " + expected);
}

template <class T>
T integer(const char* key, const json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (std::in_range<T>(u)) return static_cast<T>(u);
  } else if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if (std::in_range<T>(i)) return static_cast<T>(i);
  } else {
    wrong_type(key, "an integer", v);
  }
  throw Error("'" + std::string(key) + "' = " + printable(dumped(v)) + " is out of range");
}

/// JSON has no NaN: null stands for it.
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json site_json(const SiteStats& s) {
  json learned = json::object();
  for (std::size_t i = 0; i < s.learned.size(); ++i) learned[s.learned_names[i]] = number(s.learned[i]);
  return {{"name", s.name},           {"spec", s.spec},       {"units", s.units},   {"dead", number(s.dead)},
          {"saturated", number(s.saturated)}, {"z_mean", number(s.z_mean)}, {"z_var", number(s.z_var)},
          {"y_mean", number(s.y_mean)}, {"y_var", number(s.y_var)}, {"learned", learned}};
}

SiteStats site_from_json(const json& j) {
  SiteStats s;
  s.name = field<std::string>(j, "name");
  s.spec = field<std::string>(j, "spec");
  s.units = field<std::int64_t>(j, "units");
  s.dead = field<double>(j, "dead");
  s.saturated = field<double>(j, "saturated");
  s.z_mean = field<double>(j, "z_mean");
  s.z_var = field<double>(j, "z_var");
  s.y_mean = field<double>(j, "y_mean");
  s.y_var = field<double>(j, "y_var");
  const json& learned = member(j, "learned");
  if (!learned.is_object()) wrong_type("learned", "an object", learned);
  for (const auto& [k, v] : learned.items()) {
    s.learned_names.push_back(k);
    s.learned.push_back(field<double>(learned, k.c_str()));
  }
  return s;
}

const json& array(const json& j, const char* key) {
  const json& a = member(j, key);
  if (!a.is_array()) wrong_type(key, "an array", a);
  return a;
}

json sites_json(const std::vector<SiteStats>& sites) {
  json out = json::array();
  for (const SiteStats& s : sites) out.push_back(site_json(s));
  return out;
}

json epoch_json(const EpochRecord& e) {
  // Arrays, not objects: nlohmann's objects sort their keys, and layers must stay in depth order.
  json grads = json::array();
  for (const GradNorm& g : e.grad_norms) grads.push_back({{"layer", g.layer}, {"norm", number(g.norm)}});
  return {{"epoch", e.epoch},
          {"lr", number(e.lr)},
          {"train_loss", number(e.train_loss)},
          {"train_accuracy", number(e.train_accuracy)},
          {"val_loss", number(e.val_loss)},
          {"val_accuracy", number(e.val_accuracy)},
          {"test_loss", number(e.test_loss)},
          {"test_accuracy", number(e.test_accuracy)},
          {"seconds", number(e.seconds)},
          {"sites", sites_json(e.sites)},
          {"grad_norms", grads}};
}

EpochRecord epoch_from_json(const json& j) {
  EpochRecord e;
  e.epoch = field<std::int64_t>(j, "epoch");
  e.lr = field<double>(j, "lr");
  e.train_loss = field<double>(j, "train_loss");
  e.train_accuracy = field<double>(j, "train_accuracy");
  e.val_loss = field<double>(j, "val_loss");
  e.val_accuracy = field<double>(j, "val_accuracy");
  e.test_loss = field<double>(j, "test_loss");
  e.test_accuracy = field<double>(j, "test_accuracy");
  e.seconds = field<double>(j, "seconds");
  for (const json& s : array(j, "sites")) e.sites.push_back(site_from_json(s));
  for (const json& g : array(j, "grad_norms")) e.grad_norms.push_back({field<std::string>(g, "layer"), field<double>(g, "norm")});
  return e;
}

// run.json ends with its checksum: the CRC-32 of every byte before this suffix.
constexpr std::string_view kChecksumHead = ",\n \"checksum\": \"crc32:";
constexpr std::string_view kChecksumTail = "\"\n}\n";
constexpr std::size_t kChecksumLength = kChecksumHead.size() + 8 + kChecksumTail.size();

std::string hex8(std::uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

std::span<const unsigned char> bytes_of(std::string_view s) {
  return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

// A checkpoint file: libtorch's archive, then kCheckpointMagic, the archive's size (8 bytes) and
// its CRC-32 (4 bytes), both big-endian.
constexpr std::string_view kCheckpointMagic = "actfn-checkpoint";
constexpr std::size_t kTrailerLength = kCheckpointMagic.size() + 8 + 4;

std::uint64_t big_endian(std::span<const unsigned char> b) {
  std::uint64_t v = 0;
  for (const unsigned char c : b) v = v << 8 | c;
  return v;
}

}  // namespace

// ---- the model spec -------------------------------------------------------------------------------

std::int64_t widening(const actfn::Activation& act) {
  if (!act.info().vector_wise) return 1;
  constexpr std::size_t n = 720720;  // divisible by every integer up to 16
  return static_cast<std::int64_t>(n / actfn::reference::output_axis(act, n));
}

ModelSpec ModelSpec::validated(std::int64_t channels, std::int64_t height, std::int64_t width_px) const {
  ModelSpec s = *this;
  if (!one_of(s.kind, {"mlp", "cnn", "rnn", "transformer"}))
    throw Error("unknown model '" + s.kind + "' (expected mlp, cnn, rnn or transformer)");
  if (s.depth < 0 || s.width < 0) throw Error("model depth and width must be positive");
  if (s.depth == 0) s.depth = s.kind == "rnn" ? 1 : 2;
  if (s.width == 0) s.width = s.kind == "mlp" ? 256 : s.kind == "cnn" ? 16 : s.kind == "rnn" ? 128 : 64;
  if (s.kind == "rnn" && s.depth != 1) throw Error("the rnn model has one recurrent layer (depth 1), not " + std::to_string(s.depth));
  if (s.depth > 64) throw Error("model depth " + std::to_string(s.depth) + " is above the lab's limit of 64");
  if (s.width > 16384) throw Error("model width " + std::to_string(s.width) + " is above the lab's limit of 16384");
  if (s.activations.empty()) s.activations = {"relu"};
  const std::int64_t sites = hidden_sites(s);
  if (s.activations.size() != 1 && static_cast<std::int64_t>(s.activations.size()) != sites)
    throw Error("the " + s.kind + " model has " + std::to_string(sites) + " activation layers; give one activation or " +
                std::to_string(sites) + ", not " + std::to_string(s.activations.size()));
  for (std::string& a : s.activations) {
    const actfn::Activation act = actfn::parse(a);  // throws "unknown activation ..." etc.
    a = act.spec();
    if (act.info().vector_wise && widening(act) < 2)
      throw Error(std::string(act.name()) + " is vector-wise without reducing its axis; a hidden layer needs an "
                  "element-wise activation, maxout or a GLU variant");
    if (act.info().vector_wise && s.kind == "rnn")
      throw Error("the rnn model takes element-wise activations, not " + std::string(act.name()));
  }
  {
    const actfn::Activation gate = actfn::parse(s.gate_activation);
    if (gate.info().vector_wise) throw Error("the gate activation must be element-wise, not " + std::string(gate.name()));
    s.gate_activation = gate.spec();
  }
  if (!one_of(s.norm, {"none", "before", "after"}))
    throw Error("norm '" + s.norm + "' is not one of none, before, after");
  if (s.norm != "none" && !one_of(s.kind, {"mlp", "cnn"}))
    throw Error("batch norm (norm=" + s.norm + ") applies to the mlp and cnn models; the " + s.kind +
                " model has its own normalisation");
  if (!(s.dropout >= 0 && s.dropout < 1)) throw Error("dropout must be in [0, 1)");
  if (!one_of(s.init, {"auto", "he", "lecun", "xavier", "torch"}))
    throw Error("init '" + s.init + "' is not one of auto, he, lecun, xavier, torch");
  if (channels < 1 || height < 1 || width_px < 1) throw Error("the data has no samples of a usable shape");
  if (s.kind == "cnn" && ((height >> s.depth) < 1 || (width_px >> s.depth) < 1))
    throw Error("a cnn of depth " + std::to_string(s.depth) + " halves " + std::to_string(height) + "x" +
                std::to_string(width_px) + " images below one pixel");
  if (s.kind == "rnn" && height < 2) throw Error("the rnn model reads images row by row; the data has one row");
  if (s.kind == "transformer") {
    if (height % kPatch != 0 || width_px % kPatch != 0)
      throw Error("the transformer model cuts images into 7x7 patches; " + std::to_string(height) + "x" +
                  std::to_string(width_px) + " is not divisible");
    if (s.width % kHeads != 0)
      throw Error("the transformer width " + std::to_string(s.width) + " must be divisible by its 4 heads");
  }
  return s;
}

std::string ModelSpec::describe() const {
  std::ostringstream o;
  o << kind << " depth=" << depth << " width=" << width << " act=";
  for (std::size_t i = 0; i < activations.size(); ++i) o << (i ? "," : "") << activations[i];
  if (kind == "rnn") o << " gate=" << gate_activation;
  o << " norm=" << norm << " dropout=" << dropout << " init=" << init;
  return o.str();
}

// ---- JSON ---------------------------------------------------------------------------------------------

template <>
std::string field(const json& j, const char* key) {
  const json& v = member(j, key);
  if (!v.is_string()) wrong_type(key, "a string", v);
  return v.get<std::string>();
}
template <>
bool field(const json& j, const char* key) {
  const json& v = member(j, key);
  if (!v.is_boolean()) wrong_type(key, "true or false", v);
  return v.get<bool>();
}
template <>
double field(const json& j, const char* key) {
  const json& v = member(j, key);
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_number()) wrong_type(key, "a number", v);
  return v.get<double>();
}
template <>
int field(const json& j, const char* key) { return integer<int>(key, member(j, key)); }
template <>
std::int64_t field(const json& j, const char* key) { return integer<std::int64_t>(key, member(j, key)); }
template <>
std::uint64_t field(const json& j, const char* key) { return integer<std::uint64_t>(key, member(j, key)); }
template <>
std::vector<std::string> field(const json& j, const char* key) {
  std::vector<std::string> out;
  for (const json& v : array(j, key)) {
    if (!v.is_string()) wrong_type(key, "an array of strings", v);
    out.push_back(v.get<std::string>());
  }
  return out;
}

json parse_json(std::string_view text, const std::string& name) {
  constexpr int kMaxDepth = 64;
  try {
    return json::parse(text.begin(), text.end(), [](int depth, json::parse_event_t, json&) {
      if (depth > kMaxDepth) throw Error("nested deeper than " + std::to_string(kMaxDepth) + " levels");
      return true;
    });
  } catch (const json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, ...": the part after the tag.
    const std::string_view what = e.what();
    const auto tag = what.find("] ");
    throw Error(name + ": not valid JSON (" + printable(tag == std::string_view::npos ? what : what.substr(tag + 2), 160) + ")");
  } catch (const Error& e) {
    throw Error(name + ": " + e.what());
  }
}

std::string first_difference(const json& there, const json& here) {
  const json patch = json::diff(there, here);
  if (patch.empty()) return {};
  const std::string path = patch[0].value("path", "");
  std::string dotted = path.empty() ? "(the whole value)" : path.substr(1);
  std::replace(dotted.begin(), dotted.end(), '/', '.');
  const auto value = [&](const json& j) {
    try {
      const json::json_pointer p(path);
      return j.contains(p) ? printable(dumped(j.at(p))) : std::string("(none)");
    } catch (const json::exception&) {
      return std::string("(none)");
    }
  };
  std::string s = dotted + " was " + value(there) + ", now " + value(here);
  if (patch.size() > 1) s += " (and " + std::to_string(patch.size() - 1) + " more)";
  return s;
}

void to_json(json& j, const ModelSpec& m) {
  j = {{"kind", m.kind},   {"activations", m.activations}, {"depth", m.depth},
       {"width", m.width}, {"norm", m.norm},               {"dropout", m.dropout},
       {"gate_activation", m.gate_activation}, {"init", m.init}};
}

void from_json(const json& j, ModelSpec& m) {
  m.kind = field<std::string>(j, "kind");
  m.activations = field<std::vector<std::string>>(j, "activations");
  m.depth = field<std::int64_t>(j, "depth");
  m.width = field<std::int64_t>(j, "width");
  m.norm = field<std::string>(j, "norm");
  m.dropout = field<double>(j, "dropout");
  m.gate_activation = field<std::string>(j, "gate_activation");
  m.init = field<std::string>(j, "init");
}

json to_json(const RunResult& r) {
  json epochs = json::array();
  for (const EpochRecord& e : r.epochs) epochs.push_back(epoch_json(e));
  json j = {{"activation", r.activation},
            {"model", r.model},
            {"init", r.init},
            {"seed", r.seed},
            {"data", r.data},
            {"parameters", r.parameters},
            {"best_epoch", r.best_epoch},
            {"best_val_accuracy", number(r.best_val_accuracy)},
            {"test_accuracy", number(r.test_accuracy)},
            {"test_loss", number(r.test_loss)},
            {"epochs_to_target", r.epochs_to_target},
            {"initial_sites", sites_json(r.initial_sites)},
            {"early_stopped", r.early_stopped},
            {"diverged", r.diverged},
            {"seconds_per_epoch", number(r.seconds_per_epoch)},
            {"epochs", epochs}};
  if (!r.fingerprint.is_null()) j["fingerprint"] = r.fingerprint;
  return j;
}

RunResult run_from_json(const json& j) {
  RunResult r;
  r.activation = field<std::string>(j, "activation");
  from_json(member(j, "model"), r.model);
  r.init = field<std::string>(j, "init");
  r.seed = field<std::uint64_t>(j, "seed");
  r.data = field<std::string>(j, "data");
  r.parameters = field<std::int64_t>(j, "parameters");
  r.best_epoch = field<std::int64_t>(j, "best_epoch");
  r.best_val_accuracy = field<double>(j, "best_val_accuracy");
  r.test_accuracy = field<double>(j, "test_accuracy");
  r.test_loss = field<double>(j, "test_loss");
  r.epochs_to_target = field<std::int64_t>(j, "epochs_to_target");
  for (const json& s : array(j, "initial_sites")) r.initial_sites.push_back(site_from_json(s));
  r.early_stopped = field<bool>(j, "early_stopped");
  r.diverged = field<bool>(j, "diverged");
  r.seconds_per_epoch = field<double>(j, "seconds_per_epoch");
  for (const json& e : array(j, "epochs")) r.epochs.push_back(epoch_from_json(e));
  if (j.contains("fingerprint")) r.fingerprint = j["fingerprint"];
  return r;
}

std::string run_to_text(const RunResult& r) {
  std::string text = to_json(r).dump(1, ' ', false, json::error_handler_t::replace);
  text.resize(text.size() - 2);  // "\n}": the checksum is the object's last member
  const std::string crc = hex8(crc32(bytes_of(text)));
  return text.append(kChecksumHead).append(crc).append(kChecksumTail);
}

RunResult run_from_text(std::string_view text, const std::string& name) {
  const std::size_t n = text.size();
  if (n < kChecksumLength || text.substr(n - kChecksumLength, kChecksumHead.size()) != kChecksumHead ||
      !text.ends_with(kChecksumTail))
    throw Error(name + ": no checksum at its end (cut short, edited, or written by an older actfn)");
  const std::string_view body = text.substr(0, n - kChecksumLength);
  const std::string_view stored = text.substr(n - kChecksumTail.size() - 8, 8);
  if (stored != hex8(crc32(bytes_of(body))))
    throw Error(name + ": checksum mismatch: the file was changed after it was written");
  const json j = parse_json(text, name);
  try {
    return run_from_json(j);
  } catch (const Error& e) {
    throw Error(name + ": " + e.what());
  }
}

std::string checkpoint_trailer(std::span<const unsigned char> archive) {
  std::string t(kCheckpointMagic);
  const std::uint64_t size = archive.size();
  for (int shift = 56; shift >= 0; shift -= 8) t += static_cast<char>((size >> shift) & 0xFF);
  const std::uint32_t crc = crc32(archive);
  for (int shift = 24; shift >= 0; shift -= 8) t += static_cast<char>((crc >> shift) & 0xFF);
  return t;
}

std::span<const unsigned char> checkpoint_payload(std::span<const unsigned char> file, const std::string& name) {
  const std::size_t n = file.size();
  const std::span<const unsigned char> trailer = file.subspan(n - std::min(n, kTrailerLength));
  const auto magic = bytes_of(kCheckpointMagic);
  if (n < kTrailerLength || !std::equal(magic.begin(), magic.end(), trailer.begin()))
    throw Error(name + ": no checksum trailer (not a checkpoint of this actfn, or cut short)");
  const std::span<const unsigned char> payload = file.first(n - kTrailerLength);
  const std::uint64_t size = big_endian(trailer.subspan(magic.size(), 8));
  if (size != payload.size())
    throw Error(name + ": " + std::to_string(payload.size()) + " archive bytes, the trailer says " + std::to_string(size));
  if (big_endian(trailer.subspan(magic.size() + 8, 4)) != crc32(payload))
    throw Error(name + ": checksum mismatch: the checkpoint was changed after it was written");
  return payload;
}

}  // namespace actfn::lab
