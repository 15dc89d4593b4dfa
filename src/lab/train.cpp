#include "train.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <span>
#include <sstream>
#include <thread>

#include "actfn/error.hpp"
#include "config.hpp"
#include "random.hpp"
#include "records.hpp"

namespace actfn::lab {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// Learning rate of epoch e (0-based) of n.
double scheduled_lr(const TrainOptions& o, std::int64_t e) {
  if (o.schedule == "cosine") return o.lr * 0.5 * (1 + std::cos(std::numbers::pi * static_cast<double>(e) / static_cast<double>(o.epochs)));
  if (o.schedule == "step") return o.lr * (2 * e >= o.epochs ? 0.1 : 1.0) * (4 * e >= 3 * o.epochs ? 0.1 : 1.0);
  return o.lr;
}

std::unique_ptr<::torch::optim::Optimizer> make_optimizer(Net& net, const TrainOptions& o) {
  if (o.optimizer == "sgd")
    return std::make_unique<::torch::optim::SGD>(
        net->parameters(), ::torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
  return std::make_unique<::torch::optim::Adam>(net->parameters(),
                                                ::torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
}

struct Evaluation {
  double loss = std::numeric_limits<double>::quiet_NaN();
  double accuracy = std::numeric_limits<double>::quiet_NaN();
};

Evaluation evaluate(Net& net, const Dataset& d) {
  if (d.size() == 0) return {};
  const at::NoGradGuard no_grad;
  net->eval();
  double loss = 0, correct = 0;
  for (std::int64_t start = 0; start < d.size(); start += 1000) {
    const std::int64_t len = std::min<std::int64_t>(1000, d.size() - start);
    const at::Tensor logits = net->forward(d.images.narrow(0, start, len));
    const at::Tensor labels = d.labels.narrow(0, start, len);
    loss += ::torch::nn::functional::cross_entropy(
                logits, labels, ::torch::nn::functional::CrossEntropyFuncOptions().reduction(::torch::kSum))
                .item<double>();
    correct += static_cast<double>(logits.argmax(1).eq(labels).sum().item<std::int64_t>());
  }
  net->train();
  return {loss / static_cast<double>(d.size()), correct / static_cast<double>(d.size())};
}

/// The terminal progress bar, or one line per epoch.
class Progress {
 public:
  Progress(const TrainOptions& o, std::string label) : label_(std::move(label)) {
    mode_ = o.progress;
    if (mode_ == "auto") mode_ = ::isatty(STDERR_FILENO) ? "bar" : "lines";
    epochs_ = o.epochs;
  }
  void batch(std::int64_t epoch, std::int64_t b, std::int64_t batches, double loss, double accuracy, double elapsed) {
    if (mode_ != "bar") return;
    const auto now = Clock::now();
    if (b + 1 < batches && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double done = static_cast<double>(b + 1) / static_cast<double>(batches);
    const double eta = elapsed / done * (1 - done) + elapsed / done * static_cast<double>(epochs_ - epoch);
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(done * kWidth);
    std::fprintf(stderr, "\r%s epoch %lld/%lld [%.*s%*s] %lld/%lld loss %.4f acc %.2f%% ETA %s ", label_.c_str(),
                 static_cast<long long>(epoch), static_cast<long long>(epochs_), filled, "########################",
                 kWidth - filled, "", static_cast<long long>(b + 1), static_cast<long long>(batches), loss,
                 100 * accuracy, clock(eta).c_str());
    std::fflush(stderr);
  }
  void epoch(const EpochRecord& r) {
    if (mode_ == "none") return;
    if (mode_ == "bar") std::fputc('\r', stderr);
    std::fprintf(stderr, "%s epoch %lld/%lld loss %.4f acc %.2f%% val %.2f%% test %.2f%% %.1fs%s\n", label_.c_str(),
                 static_cast<long long>(r.epoch), static_cast<long long>(epochs_), r.train_loss, 100 * r.train_accuracy,
                 100 * r.val_accuracy, 100 * r.test_accuracy, r.seconds, mode_ == "bar" ? "\033[K" : "");
  }
  void note(const std::string& text) {
    if (mode_ != "none") std::fprintf(stderr, "%s %s\n", label_.c_str(), text.c_str());
  }

 private:
  static std::string clock(double s) {
    char buf[32];
    const auto t = static_cast<long long>(std::max(0.0, s));
    std::snprintf(buf, sizeof buf, "%lld:%02lld", t / 60, t % 60);
    return buf;
  }
  std::string label_, mode_;
  std::int64_t epochs_ = 0;
  Clock::time_point last_{};
};

/// Best epoch, epochs to target, test accuracy at the best epoch, mean epoch time.
void summarise(RunResult& r, const TrainOptions& o) {
  r.best_epoch = 0;
  r.best_val_accuracy = -1;
  r.epochs_to_target = -1;
  double seconds = 0;
  for (const EpochRecord& e : r.epochs) {
    // Without a validation split the test set selects (said in the report's header).
    const double selector = std::isnan(e.val_accuracy) ? e.test_accuracy : e.val_accuracy;
    if (selector > r.best_val_accuracy) {
      r.best_val_accuracy = selector;
      r.best_epoch = e.epoch;
      r.test_accuracy = e.test_accuracy;
      r.test_loss = e.test_loss;
    }
    if (r.epochs_to_target < 0 && selector >= o.target_accuracy) r.epochs_to_target = e.epoch;
    seconds += e.seconds;
    r.diverged = r.diverged || !std::isfinite(e.train_loss);
  }
  r.seconds_per_epoch = r.epochs.empty() ? 0 : seconds / static_cast<double>(r.epochs.size());
}

bool stop_early(const RunResult& r, const TrainOptions& o) {
  return o.patience > 0 && !r.epochs.empty() && r.epochs.back().epoch - r.best_epoch >= o.patience;
}

void save_checkpoint(const fs::path& path, Net& net, ::torch::optim::Optimizer& opt, const std::string& print,
                     const RunResult& r) {
  ::torch::serialize::OutputArchive archive, model, optimizer;
  net->save(model);
  opt.save(optimizer);
  archive.write("model", model);
  archive.write("optimizer", optimizer);
  archive.write("fingerprint", c10::IValue(print));
  archive.write("records", c10::IValue(to_json(r).dump()));
  std::ostringstream bytes;
  archive.save_to(bytes);
  std::string file = std::move(bytes).str();
  file += checkpoint_trailer({reinterpret_cast<const unsigned char*>(file.data()), file.size()});
  // Written beside and renamed: a kill mid-write leaves the previous checkpoint intact.
  write_file_atomically(path, file);
}

/// Restores net, optimizer and the epochs done from a checkpoint of this run (fingerprint
/// `print`): the checksum is verified before libtorch sees the bytes; errors name the file.
std::vector<EpochRecord> load_checkpoint(const fs::path& path, Net& net, ::torch::optim::Optimizer& opt,
                                         const nlohmann::json& print) {
  const std::string name = path.string();
  const std::string file = read_file(path);
  const std::span<const unsigned char> archive_bytes =
      checkpoint_payload({reinterpret_cast<const unsigned char*>(file.data()), file.size()}, name);
  ::torch::serialize::InputArchive archive, m, o;
  c10::IValue stored, records;
  try {
    archive.load_from(reinterpret_cast<const char*>(archive_bytes.data()), archive_bytes.size());
    archive.read("fingerprint", stored);
    archive.read("records", records);
  } catch (const c10::Error&) {
    throw Error(name + ": not a readable checkpoint");
  }
  if (!stored.isString() || !records.isString()) throw Error(name + ": not a readable checkpoint");
  const nlohmann::json there = parse_json(stored.toStringRef(), name);
  if (there != print) throw Error(name + " is the checkpoint of another run (" + first_difference(there, print) + ")");
  try {
    archive.read("model", m);
    archive.read("optimizer", o);
    net->load(m);
    opt.load(o);
  } catch (const c10::Error&) {
    throw Error(name + ": its model or optimizer state does not fit this run");
  }
  try {
    return run_from_json(parse_json(records.toStringRef(), name)).epochs;
  } catch (const Error& e) {
    throw Error(std::string(e.what()).starts_with(name) ? e.what() : name + ": " + e.what());
  }
}

}  // namespace

void TrainOptions::validate() const {
  if (optimizer != "adam" && optimizer != "sgd") throw Error("optimizer '" + optimizer + "' is not one of adam, sgd");
  if (!(lr > 0 && std::isfinite(lr))) throw Error("the learning rate must be > 0");
  if (!(momentum >= 0 && momentum < 1)) throw Error("momentum must be in [0, 1)");
  if (!(weight_decay >= 0)) throw Error("weight decay must be >= 0");
  if (schedule != "none" && schedule != "cosine" && schedule != "step")
    throw Error("schedule '" + schedule + "' is not one of none, cosine, step");
  if (epochs < 1 || epochs > 100000) throw Error("epochs must be in [1, 100000]");
  if (batch < 1) throw Error("the batch size must be >= 1");
  if (patience < 0) throw Error("patience must be >= 0");
  if (!(saturation >= 0)) throw Error("the saturation threshold must be >= 0");
  if (threads < 0 || threads > 1024) throw Error("threads must be in [0, 1024]");
  if (progress != "auto" && progress != "bar" && progress != "lines" && progress != "none")
    throw Error("progress '" + progress + "' is not one of auto, bar, lines, none");
}

nlohmann::json fingerprint(const ModelSpec& model, const TrainOptions& o, const Splits& d) {
  const int threads = o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency());
  const nlohmann::json print = {{"model", model},
          {"train",
           {{"optimizer", o.optimizer}, {"lr", o.lr}, {"momentum", o.momentum}, {"weight_decay", o.weight_decay},
            {"schedule", o.schedule}, {"epochs", o.epochs}, {"batch", o.batch}, {"patience", o.patience},
            {"target_accuracy", o.target_accuracy}, {"saturation", o.saturation}, {"seed", o.seed},
            {"threads", threads}}},
          {"data", d.identity}};
  // As it reads back from a file: the same JSON number types, so that equal means equal.
  return nlohmann::json::parse(print.dump());
}

RunResult train(Net& net, const ModelSpec& model_in, const Splits& data, const TrainOptions& o) {
  o.validate();
  const ModelSpec model = model_in.validated(data.channels(), data.height(), data.width());
  RunResult r;
  r.activation = model.activations[0];
  r.model = model;
  r.init = net->init;
  r.seed = o.seed;
  r.data = data.source + " (train " + std::to_string(data.train.size()) + ", validation " +
           std::to_string(data.validation.size()) + ", test " + std::to_string(data.test.size()) + ")";
  for (const at::Tensor& p : net->parameters()) r.parameters += p.numel();
  for (const Site& s : net->sites) r.initial_sites.push_back(s->stats());

  auto optimizer = make_optimizer(net, o);
  r.fingerprint = fingerprint(model, o, data);
  const std::string print = r.fingerprint.dump();
  Progress progress(o, model.kind + " " + r.activation + " seed " + std::to_string(o.seed));
  std::error_code ec;
  if (!o.checkpoint.empty() && fs::exists(o.checkpoint, ec)) {
    r.epochs = load_checkpoint(o.checkpoint, net, *optimizer, r.fingerprint);
    summarise(r, o);
    progress.note("resumed from " + o.checkpoint.string() + " after epoch " + std::to_string(r.epochs.size()));
  }

  const Dataset& train_set = data.train;
  const std::int64_t n = train_set.size();
  const std::int64_t batches = (n + o.batch - 1) / o.batch;
  net->train();
  for (std::int64_t e = static_cast<std::int64_t>(r.epochs.size()); e < o.epochs && !stop_early(r, o) && !r.diverged;
       ++e) {
    EpochRecord rec;
    rec.epoch = e + 1;
    rec.lr = scheduled_lr(o, e);
    for (auto& group : optimizer->param_groups()) group.options().set_lr(rec.lr);
    ::torch::manual_seed(SplitMix64(o.seed, 2000 + static_cast<std::uint64_t>(e)).next() >> 1);  // dropout noise
    const at::Tensor order =
        ::torch::tensor(permutation(n, o.seed, 1000 + static_cast<std::uint64_t>(e)), ::torch::kInt64);
    for (Site& s : net->sites) s->start_recording(o.saturation);
    std::vector<double> grad_sum(net->weights.size(), 0.0);
    double loss_sum = 0, correct = 0;
    const auto start = Clock::now();
    for (std::int64_t b = 0; b < batches; ++b) {
      const std::int64_t len = std::min(o.batch, n - b * o.batch);
      const at::Tensor index = order.narrow(0, b * o.batch, len);
      const at::Tensor x = train_set.images.index_select(0, index), y = train_set.labels.index_select(0, index);
      optimizer->zero_grad();
      const at::Tensor logits = net->forward(x);
      const at::Tensor loss = ::torch::nn::functional::cross_entropy(logits, y);
      loss.backward();
      for (std::size_t k = 0; k < net->weights.size(); ++k) {
        const at::Tensor& g = net->weights[k].second.grad();
        if (g.defined()) grad_sum[k] += g.norm().item<double>();
      }
      optimizer->step();
      loss_sum += loss.item<double>() * static_cast<double>(len);
      correct += static_cast<double>(logits.argmax(1).eq(y).sum().item<std::int64_t>());
      const double seen = static_cast<double>(b * o.batch + len);
      progress.batch(rec.epoch, b, batches, loss_sum / seen, correct / seen, seconds_since(start));
    }
    rec.seconds = seconds_since(start);
    rec.train_loss = loss_sum / static_cast<double>(n);
    rec.train_accuracy = correct / static_cast<double>(n);
    for (Site& s : net->sites) {
      s->stop_recording();
      rec.sites.push_back(s->stats());
    }
    for (std::size_t k = 0; k < net->weights.size(); ++k)
      rec.grad_norms.push_back({net->weights[k].first, grad_sum[k] / static_cast<double>(batches)});
    const Evaluation val = evaluate(net, data.validation), test = evaluate(net, data.test);
    rec.val_loss = val.loss;
    rec.val_accuracy = val.accuracy;
    rec.test_loss = test.loss;
    rec.test_accuracy = test.accuracy;
    r.epochs.push_back(rec);
    summarise(r, o);
    progress.epoch(rec);
    if (!o.checkpoint.empty()) save_checkpoint(o.checkpoint, net, *optimizer, print, r);
  }
  r.early_stopped = static_cast<std::int64_t>(r.epochs.size()) < o.epochs && stop_early(r, o);
  if (r.diverged) progress.note("diverged: the training loss is not finite");
  return r;
}

RunResult run(const ModelSpec& model, const Splits& data, const TrainOptions& options) {
  options.validate();
  at::set_num_threads(options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency()));
  ::torch::manual_seed(options.seed);
  Net net(model, data.channels(), data.height(), data.width(), data.classes);
  return train(net, model, data, options);
}

}  // namespace actfn::lab
