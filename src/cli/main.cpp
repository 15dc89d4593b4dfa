// actfn — command-line entry point. Parses arguments with CLI11 and maps every failure to one line
// on stderr and a non-zero exit code.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "certify.hpp"
#include "delegate.hpp"
#include "cli.hpp"

namespace {

/// Every message is one line of at most this many bytes of text (printable escapes the rest).
constexpr std::size_t kMaxMessage = 2000;

bool reads_as_number(const std::string& s) {
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

/// `actfn eval` takes numbers such as -inf or -0x1p-3 that an option parser would read as flags.
/// Every argument after `eval` that reads as a number (and is not the value of --axis-len or
/// --dtype) is an input, in order; the rest goes to CLI11.
std::vector<std::string> split_eval_numbers(std::vector<std::string>& args) {
  std::vector<std::string> numbers, rest;
  const bool is_eval = args.size() > 1 && args[1] == "eval";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (is_eval && i > 1 && (args[i] == "--axis-len" || args[i] == "--dtype") && i + 1 < args.size()) {
      rest.push_back(args[i]);
      rest.push_back(args[++i]);
    } else if (args[i] == "--target" && i + 1 < args.size()) {
      rest.push_back(args[i]);
      rest.push_back(args[++i]);
    } else if (is_eval && i > 1 && reads_as_number(args[i])) {
      numbers.push_back(args[i]);
    } else {
      rest.push_back(args[i]);
    }
  }
  args = rest;
  return numbers;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"actfn — activation functions for neural networks: list, describe and evaluate them"};
  app.require_subcommand(1);
  app.fallthrough();  // global options (--target) may follow the subcommand
  app.set_version_flag("--version", "actfn 0.1.0");

  // bench, train, compare: replace this process with actfn-bench or actfn-lab (delegate.hpp), which
  // link libraries this binary must not; registered for --help only, their arguments never reach CLI11.
  app.add_subcommand("bench", "throughput vs libtorch, oneDNN, XNNPACK and memcpy (runs actfn-bench; "
                              "'actfn bench --help')");
  app.add_subcommand("train", "train one network on Fashion-MNIST (or any MNIST-format/CSV data) with an "
                              "activation; diagnostics per layer (runs actfn-lab; 'actfn train --help')");
  app.add_subcommand("compare", "train a grid of activations x models x seeds, write results and a report "
                                "with pictures (runs actfn-lab; 'actfn compare --help')");
  if (const std::optional<int> rc = actfn::cli::delegate(argc, argv)) return *rc;

  bool json = false;
  auto* list = app.add_subcommand("list", "every activation with parameters, defaults and properties");
  list->add_flag("--json", json, "machine-readable output");

  std::string spec;
  auto* describe = app.add_subcommand("describe", "formula, derivative, parameters, properties, kinks, accuracy");
  describe->add_option("spec", spec, "activation spec, e.g. 'leaky_relu(negative_slope=0.2)'")->required();
  describe->add_flag("--json", json, "machine-readable output");

  actfn::cli::EvalOptions ev;
  std::int64_t axis_len = 0;
  auto* eval = app.add_subcommand(
      "eval", "evaluate f (and f') at numbers given as arguments or one per line on stdin; prints TSV");
  eval->add_option("spec", ev.spec, "activation spec")->required();
  std::vector<std::string> other_inputs;
  eval->add_option("x", other_inputs, "inputs (decimal or hex-float, inf, nan); none: read stdin");
  eval->add_option("--dtype", ev.dtype, "f32 (default), f64, or the 16-bit storage types bf16 and f16")
      ->check(CLI::IsMember({"f32", "f64", "bf16", "f16"}));
  eval->add_flag("--grad", ev.grad, "add f'(x) and one grad_<param> column per learnable parameter");
  auto* axis_opt = eval->add_option("--axis-len", axis_len,
                                    "vector-wise: rows of N inputs (default: all inputs form one row)");
  std::string target = "auto";
  app.add_option("--target", target,
                 "force a SIMD target from 'actfn targets' (default: auto, the best); accuracy also takes 'all'");

  auto* targets = app.add_subcommand("targets", "SIMD instruction sets compiled in and supported here; the one in use");

  std::string check;
  auto* docs = app.add_subcommand("docs", "print the generated catalogue (docs/catalog.md)");
  auto* check_opt = docs->add_option("--check", check, "fail if this file differs from the generated catalogue");

  // accuracy: certify the f32 kernels against the f64 oracle (certify.hpp); --target may be 'all'.
  actfn::cli::certify::Options acc;
  bool exhaustive = false;
  auto* accuracy = app.add_subcommand(
      "accuracy", "certify the f32 SIMD kernels against the f64 oracle over all 2^32 inputs or a sample; "
                  "exit 1 naming each failed bound");
  accuracy->add_option("name", acc.names, "activation specs (default: every element-wise one with an f32 kernel)");
  auto* exhaustive_opt = accuracy->add_flag("--exhaustive", exhaustive, "all 2^32 bit patterns (same as --sample-shift 0)");
  accuracy->add_option("--sample-shift", acc.sample.shift, "one input per block of 2^K bit patterns (default 12)")
      ->check(CLI::Range(0, 32))
      ->excludes(exhaustive_opt);
  auto* acc_json = accuracy->add_flag("--json", acc.json, "machine-readable output");
  accuracy->add_flag("--markdown", acc.markdown, "markdown tables")->excludes(acc_json);

  // analyze: the theory behind the choice (actfn::analyze): Gaussian moments and init gains, SELU's
  // self-normalising map, gradient underflow.
  auto* analyze = app.add_subcommand("analyze", "moments under a Gaussian input, SELU self-normalisation, "
                                                "gradient underflow, signal through depth, born-dead networks");
  analyze->require_subcommand(1);
  actfn::cli::MomentsOptions mo;
  double sigma_w = 0;
  auto* moments = analyze->add_subcommand(
      "moments", "E[f], E[f^2], E[f'], E[f'^2] for z ~ N(0, q), init gain, variance-map fixed point and chi");
  moments->add_option("spec", mo.specs, "activation specs (default: every element-wise one)");
  moments->add_option("--q", mo.q, "input variance (default 1)");
  auto* sigma_w_opt = moments->add_option("--sigma-w", sigma_w, "weight deviation of the variance map (default sqrt(gain))");
  moments->add_option("--sigma-b", mo.sigma_b, "bias deviation of the variance map (default 0)");
  moments->add_flag("--json", mo.json, "machine-readable output");
  actfn::cli::SeluOptions so;
  auto* selu = analyze->add_subcommand("selu", "SELU mean/variance map: fixed point, Jacobian, spectral norm; "
                                               "alpha, lambda for another fixed point");
  selu->add_option("--mean", so.mean, "fixed-point mean to solve alpha, lambda for (default 0)");
  selu->add_option("--var", so.var, "fixed-point variance to solve alpha, lambda for (default 1)");
  selu->add_option("--omega", so.omega, "n E[w] (default 0)");
  selu->add_option("--tau", so.tau, "n E[w^2] (default 1)");
  selu->add_flag("--json", so.json, "machine-readable output");
  std::vector<std::string> underflow_specs;
  bool underflow_json = false;
  auto* underflow = analyze->add_subcommand("underflow", "where f' is exactly 0 or subnormal, f32 and f64");
  underflow->add_option("spec", underflow_specs, "activation specs (default: every element-wise one)");
  underflow->add_flag("--json", underflow_json, "machine-readable output");

  actfn::cli::DepthCommand dc;
  auto* depth = analyze->add_subcommand("depth", "signal propagation through a random deep MLP at initialisation: "
                                                 "moments and gradient norms per layer");
  depth->add_option("spec", dc.specs, "activation specs")->required();
  depth->add_option("--depth", dc.options.depth, "layers")->capture_default_str()->check(CLI::Range(1, 100000));
  depth->add_option("--width", dc.options.width, "units per layer")->capture_default_str()->check(CLI::Range(1, 100000));
  depth->add_option("--batch", dc.options.batch, "input samples")->capture_default_str()->check(CLI::Range(1, 1000000));
  depth->add_option("--init", dc.options.init, "auto, he (actfn's gain), lecun or xavier")->capture_default_str();
  depth->add_option("--sigma-b", dc.options.sigma_b, "bias deviation")->capture_default_str();
  depth->add_option("--seed", dc.options.seed, "random seed")->capture_default_str();
  depth->add_option("--png", dc.png, "also draw the per-layer variance and gradient into this PNG");
  depth->add_flag("--json", dc.json, "machine-readable output");
  actfn::cli::DeadCommand dd;
  dd.depths = {2, 4, 6, 8, 10, 12, 14, 16, 18, 20};
  dd.widths = {2, 4, 6, 8, 10};
  auto* dead = analyze->add_subcommand("dead", "probability that a random deep narrow MLP is constant at "
                                               "initialisation (born dead), by depth and width");
  dead->add_option("spec", dd.specs, "activation specs")->required();
  dead->add_option("--depths", dd.depths, "depths, comma-separated")->delimiter(',')->capture_default_str();
  dead->add_option("--widths", dd.widths, "widths, comma-separated")->delimiter(',')->capture_default_str();
  dead->add_option("--trials", dd.options.trials, "networks per cell")->capture_default_str()->check(CLI::Range(1, 10000000));
  dead->add_option("--inputs", dd.options.inputs, "inputs per network, uniform in [-1, 1]^width")
      ->capture_default_str()->check(CLI::Range(1, 1000000));
  dead->add_option("--tolerance", dd.options.tolerance, "a layer whose every unit's output range is at most this times its largest output is dead")
      ->capture_default_str();
  dead->add_option("--init", dd.options.init, "auto, he (actfn's gain), lecun or xavier")->capture_default_str();
  dead->add_option("--sigma-b", dd.options.sigma_b, "bias deviation")->capture_default_str();
  dead->add_option("--seed", dd.options.seed, "random seed")->capture_default_str();
  dead->add_flag("--json", dd.json, "machine-readable output");

  actfn::cli::AdviseOptions ao;
  auto* advise = app.add_subcommand("advise", "rank activations for a network with the numbers behind each rank "
                                              "(trainability, saturation, dead units, speed, lab results)");
  advise->add_option("--network", ao.network, "mlp, cnn, rnn or transformer")->capture_default_str();
  advise->add_option("--depth", ao.depth, "hidden layers")->capture_default_str();
  advise->add_option("--width", ao.width, "units per layer (<= 16: born-dead probability too)")->capture_default_str();
  advise->add_option("--norm", ao.norm, "none, batch or layer")->capture_default_str();
  advise->add_flag("--latency", ao.latency, "latency-sensitive: weigh speed more");
  advise->add_option("--results", ao.results, "results.json of actfn compare: measured accuracy ranks first");
  advise->add_option("--candidates", ao.candidates, "activation specs to rank (default: every element-wise one)")
      ->delimiter(',');
  advise->add_option("--top", ao.top, "how many to show")->capture_default_str();
  advise->add_flag("--json", ao.json, "machine-readable output");

  actfn::cli::PlotOptions po;
  std::vector<double> plot_range;
  auto* plot = app.add_subcommand("plot", "draw f and f' of one or more activations into a PNG (matplotlib)");
  plot->add_option("spec", po.specs, "activation specs")->required();
  plot->add_option("-o,--output", po.out, "the PNG file to write")->required();
  plot->add_option("--range", plot_range, "x range: FROM TO (default -5 5)")->expected(2);
  plot->add_flag("!--no-derivative", po.derivative, "draw f only");

  std::vector<std::string> args(argv, argv + argc);
  ev.inputs = split_eval_numbers(args);
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);  // CLI11 wants them reversed, no argv[0]
    app.parse(reversed);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "actfn: error: " << actfn::printable(e.what(), kMaxMessage) << "\n";
    return 2;
  }

  try {
    if (*accuracy) {
      if (exhaustive) acc.sample.shift = 0;
      acc.target = target;
      return actfn::cli::certify::accuracy(std::cout, std::cerr, acc);
    }
    actfn::set_target(target);
    if (*targets) return actfn::cli::targets(std::cout);
    if (*list) return actfn::cli::list(std::cout, json);
    if (*describe) return actfn::cli::describe(std::cout, spec, json);
    if (*eval) {
      if (*axis_opt) ev.axis_len = axis_len;
      ev.inputs.insert(ev.inputs.end(), other_inputs.begin(), other_inputs.end());  // non-numbers: rejected by name
      return actfn::cli::eval(std::cout, std::cin, ev);
    }
    if (*moments) {
      if (*sigma_w_opt) mo.sigma_w = sigma_w;
      return actfn::cli::analyze_moments(std::cout, mo);
    }
    if (*selu) return actfn::cli::analyze_selu(std::cout, so);
    if (*underflow) return actfn::cli::analyze_underflow(std::cout, underflow_specs, underflow_json);
    if (*depth) return actfn::cli::analyze_depth(std::cout, dc);
    if (*dead) return actfn::cli::analyze_dead(std::cout, dd);
    if (*advise) return actfn::cli::advise(std::cout, ao);
    if (*plot) {
      if (plot_range.size() == 2) po.from = plot_range[0], po.to = plot_range[1];
      return actfn::cli::plot(std::cout, po);
    }
    if (*docs) return actfn::cli::docs(std::cout, *check_opt ? std::optional(check) : std::nullopt);
  } catch (const actfn::Error& e) {
    std::cerr << "actfn: error: " << actfn::printable(e.what(), kMaxMessage) << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "actfn: internal error: " << actfn::printable(e.what(), kMaxMessage) << "\n";
    return 3;
  }
  return 0;
}
