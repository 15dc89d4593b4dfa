// actfn-lab — `actfn train` and `actfn compare` (actfn runs this executable for them, see
// delegate.hpp): the training lab's command line. Every failure is one line on stderr and a
// non-zero exit; nothing is written before the options, the dataset and every model have been
// checked.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "actfn/actfn.hpp"
#include "compare.hpp"
#include "python.hpp"

namespace {

namespace lab = actfn::lab;

/// Every message is one line of at most this many bytes of text (printable escapes the rest).
constexpr std::size_t kMaxMessage = 2000;
namespace fs = std::filesystem;

/// The default comparison (the README's main job, about 15 minutes on two cores): ten activations,
/// every family once or more — logistic (sigmoid), tanh, rectifiers (relu, leaky_relu, learnable
/// prelu), exponential (elu, selu), gated (gelu, swish with learnable β, mish) — in the MLP and the
/// CNN, three seeds, four epochs on 10,000 training images (validation 5,000, test 10,000).
const char* const kDefaultActivations = "sigmoid,tanh,relu,leaky_relu,prelu,elu,selu,gelu,swish,mish";
const char* const kDefaultModels = "mlp,cnn";
constexpr std::int64_t kDefaultEpochs = 4;
constexpr std::int64_t kDefaultTrainSize = 10000;

/// "all": every element-wise activation of the registry at its defaults (the full grid).
std::vector<std::string> activation_list(const std::string& list) {
  if (list != "all") return lab::split_specs(list);
  std::vector<std::string> out;
  for (const actfn::FunctionInfo& f : actfn::all())
    if (!f.vector_wise) out.emplace_back(f.name);
  return out;
}

void data_options(CLI::App* app, lab::DataOptions& d) {
  app->add_option("--data", d.dir, "directory with MNIST-format IDX files (.gz or plain) or train.csv/test.csv")
      ->capture_default_str();
  app->add_option("--format", d.format, "auto, idx or csv")->capture_default_str();
  app->add_option("--validation", d.validation, "fraction of the training set held out for validation")
      ->capture_default_str();
  app->add_option("--train-size", d.train_size, "use only this many training samples (0: all)")->capture_default_str();
  app->add_option("--test-size", d.test_size, "use only the first this many test samples (0: all)");
  app->add_option("--split-seed", d.split_seed, "seed of the validation split and subsets")->capture_default_str();
  app->add_option("--max-classes", d.limits.max_classes, "refuse data with more classes (labels 0..N-1)")
      ->capture_default_str();
  app->add_option("--max-file-size", d.limits.max_bytes,
                  "refuse a data file larger than this decompressed, or a CSV file's table larger in memory "
                  "(bytes, or with KiB/MiB/GiB)")
      ->transform(CLI::AsSizeValue(false))
      ->default_str("2GiB");
}

void model_options(CLI::App* app, lab::ModelSpec& m) {
  app->add_option("--depth", m.depth, "hidden layers / conv blocks / transformer layers (default per model)");
  app->add_option("--width", m.width, "units / first conv channels / rnn hidden / transformer width (default per model)");
  app->add_option("--norm", m.norm, "batch norm: none, before or after the activation")->capture_default_str();
  app->add_option("--dropout", m.dropout, "dropout after hidden activations (alpha dropout for selu)");
  app->add_option("--gate", m.gate_activation, "rnn gate activation")->capture_default_str();
  app->add_option("--init", m.init, "auto, he (actfn's gain), lecun, xavier or torch")->capture_default_str();
}

void train_options(CLI::App* app, lab::TrainOptions& t) {
  app->add_option("--optimizer", t.optimizer, "adam or sgd (momentum)")->capture_default_str();
  app->add_option("--lr", t.lr, "learning rate")->capture_default_str();
  app->add_option("--momentum", t.momentum, "sgd momentum")->capture_default_str();
  app->add_option("--weight-decay", t.weight_decay, "L2 weight decay");
  app->add_option("--schedule", t.schedule, "learning-rate schedule: none, cosine or step")->capture_default_str();
  app->add_option("--epochs", t.epochs, "epochs")->capture_default_str();
  app->add_option("--batch", t.batch, "batch size")->capture_default_str();
  app->add_option("--patience", t.patience, "early stopping: epochs without a better validation accuracy (0: off)");
  app->add_option("--target", t.target_accuracy, "validation accuracy whose first epoch is reported")
      ->capture_default_str();
  app->add_option("--saturation", t.saturation, "|f'| below this counts as saturated")->capture_default_str();
  app->add_option("--threads", t.threads, "torch threads per run (train: 0 = all; compare: default 1)");
  app->add_option("--progress", t.progress, "auto, bar, lines or none")->capture_default_str();
}

int train_one(const lab::ModelSpec& model, const lab::TrainOptions& t, const lab::DataOptions& d, const fs::path& out,
          bool json) {
  const lab::Splits data = lab::load(d);
  // Everything checked before a file is written.
  t.validate();
  (void)model.validated(data.channels(), data.height(), data.width());
  lab::TrainOptions options = t;
  if (!out.empty()) {
    fs::create_directories(out);
    if (options.checkpoint.empty()) options.checkpoint = out / "checkpoint.pt";
  }
  const lab::RunResult r = lab::run(model, data, options);
  if (!out.empty()) {
    lab::write_file_atomically(out / "run.json", lab::run_to_text(r));
    std::error_code ec;
    fs::remove(options.checkpoint, ec);
  }
  if (json) {
    std::cout << lab::to_json(r).dump(1) << "\n";
  } else {
    std::printf("%s, %s, seed %llu: test accuracy %.2f%% at the best validation epoch %lld (validation %.2f%%), "
                "%.2f s/epoch, init %s, %lld parameters%s%s\n",
                r.model.describe().c_str(), r.data.c_str(), static_cast<unsigned long long>(r.seed),
                100 * r.test_accuracy, static_cast<long long>(r.best_epoch), 100 * r.best_val_accuracy,
                r.seconds_per_epoch, r.init.c_str(), static_cast<long long>(r.parameters),
                r.early_stopped ? ", stopped early" : "", r.diverged ? ", DIVERGED" : "");
    if (!r.epochs.empty())
      for (const lab::SiteStats& s : r.epochs.back().sites)
        std::printf("  %-10s %-28s dead %5.1f%%  saturated %5.1f%%  pre-activation mean %+.3f var %.3f  output mean "
                    "%+.3f var %.3f\n",
                    s.name.c_str(), s.spec.c_str(), 100 * s.dead, 100 * s.saturated, s.z_mean, s.z_var, s.y_mean,
                    s.y_var);
  }
  return r.diverged ? 4 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"actfn-lab — train networks with actfn's activations and compare them (actfn train, actfn compare)"};
  app.require_subcommand(1);
  std::string target = "auto";
  app.add_option("--target", target, "force a SIMD target from 'actfn targets'");

  lab::DataOptions data;
  lab::ModelSpec model;
  lab::TrainOptions train;

  auto* train_cmd = app.add_subcommand("train", "train one network and print (or --out: write) its results");
  std::string activation = "relu";
  fs::path train_out;
  bool json = false;
  train_cmd->add_option("--model", model.kind, "mlp, cnn, rnn or transformer")->capture_default_str();
  train_cmd->add_option("--activation", activation,
                        "activation spec, or one per hidden layer separated by commas")
      ->capture_default_str();
  train_cmd->add_option("--seed", train.seed, "seed of the initialisation, batch order and dropout")->capture_default_str();
  train_cmd->add_option("--out", train_out, "directory for run.json (and the checkpoint while training)");
  train_cmd->add_option("--checkpoint", train.checkpoint, "checkpoint file: written every epoch, resumed from");
  train_cmd->add_flag("--json", json, "print the run as JSON");
  data_options(train_cmd, data);
  model_options(train_cmd, model);
  train_options(train_cmd, train);

  auto* compare_cmd = app.add_subcommand("compare", "train activations x models x seeds; write results.csv, "
                                                    "results.json, per-run curves and report.md/report.html");
  lab::GridOptions grid;
  std::string activations = kDefaultActivations, models = kDefaultModels;
  bool no_report = false;
  compare_cmd->add_option("--activations", activations,
                          "activation specs, comma-separated, or 'all' (every element-wise one)")->capture_default_str();
  compare_cmd->add_option("--models", models, "models, comma-separated: mlp, cnn, rnn, transformer")->capture_default_str();
  compare_cmd->add_option("--seeds", grid.seeds, "seeds per (model, activation)")->capture_default_str();
  compare_cmd->add_option("--first-seed", grid.first_seed, "the first seed")->capture_default_str();
  compare_cmd->add_option("--jobs", grid.jobs, "runs at once (processes; default: hardware threads / --threads)");
  compare_cmd->add_option("--out", grid.out, "output directory (finished runs in it are kept and skipped)")
      ->capture_default_str();
  compare_cmd->add_flag("--no-report", no_report, "write results only, no pictures or report");
  // compare's own defaults: the default comparison (train's are the library's).
  lab::DataOptions grid_data;
  grid_data.train_size = kDefaultTrainSize;
  lab::TrainOptions grid_train;
  grid_train.epochs = kDefaultEpochs;
  data_options(compare_cmd, grid_data);
  model_options(compare_cmd, model);
  train_options(compare_cmd, grid_train);

  std::string config;
  pid_t parent = 0;
  auto* worker = app.add_subcommand("worker", "train the run described by CONFIG.json (compare's worker processes)");
  worker->add_option("config", config, "the run's config.json")->required();
  worker->add_option("--parent", parent, "the compare process that started it: the worker dies with it");
  worker->group("");  // internal: not in --help

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "actfn: error: " << actfn::printable(e.what(), kMaxMessage) << "\n";
    return 2;
  }
  try {
    actfn::set_target(target);
    if (*worker) {
      lab::run_worker(config, parent);
      return 0;
    }
    if (*train_cmd) {
      model.activations = lab::split_specs(activation);
      return train_one(model, train, data, train_out, json);
    }
    grid.activations = activation_list(activations);
    grid.models = lab::split_specs(models);
    grid.model = model;
    grid.train = grid_train;
    grid.data = grid_data;
    std::error_code ec;
    grid.worker = fs::read_symlink("/proc/self/exe", ec);
    if (ec) grid.worker = argv[0];
    const lab::Splits splits = lab::load(grid_data);
    const lab::GridResult result = lab::compare(grid, splits);
    std::printf("%-12s %-32s %8s %8s %7s %9s %7s %7s\n", "model", "activation", "test %", "std", "epoch", "s/epoch",
                "dead %", "sat %");
    for (const lab::GridRow& r : result.rows)
      std::printf("%-12s %-32s %8.2f %8.2f %7.1f %9.2f %7.1f %7.1f\n", r.model.c_str(), r.activation.c_str(),
                  100 * r.test_accuracy_mean, 100 * r.test_accuracy_std, r.best_epoch_mean, r.seconds_per_epoch,
                  100 * r.dead, 100 * r.saturated);
    std::printf("wrote %s/results.csv and results.json (%lld runs, %lld finished before; %.0f s)\n",
                grid.out.string().c_str(), static_cast<long long>(result.runs), static_cast<long long>(result.skipped),
                result.wall_seconds);
    if (!no_report) {
      actfn::cli::run_python("report", actfn::cli::kReportScript, {grid.out.string()});
      std::printf("wrote %s/report.md, report.html and figures/\n", grid.out.string().c_str());
    }
    return 0;
  } catch (const actfn::Error& e) {
    std::cerr << "actfn: error: " << actfn::printable(e.what(), kMaxMessage) << "\n";
    return 1;
  } catch (const c10::Error& e) {
    // libtorch's messages may run over several lines: the first names the problem.
    const std::string what = e.what_without_backtrace();
    std::cerr << "actfn: error: " << actfn::printable(what.substr(0, what.find('\n')), kMaxMessage) << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "actfn: internal error: " << actfn::printable(e.what(), kMaxMessage) << "\n";
    return 3;
  }
}
