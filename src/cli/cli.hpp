// The actfn command: thin wrappers that parse, call the library and print.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actfn/actfn.hpp"
#include "actfn/analyze.hpp"

namespace actfn::cli {

// ---- formatting (format.cpp) --------------------------------------------------------------------

/// Round-trip text for a value: %.9g for float, %.17g for double; nan, inf, -inf for non-finite.
std::string format_value(float v);
std::string format_value(double v);
/// Shortest text that reads back to the same double (parameter values, properties).
std::string format_short(double v);

/// "[a, b)" style interval of an output range; compact rounds to 6 significant digits.
std::string format_range(const Bound& lower, const Bound& upper, bool compact = false);
/// Parameter range as "> 0", ">= 0 and <= 1", or "any".
std::string format_param_range(const Range& r);
std::string_view to_string(Needs n);

/// JSON of a registry row (parameters with defaults and ranges, aliases, presets, variants).
nlohmann::json row_json(const FunctionInfo& fi);
/// JSON of computed properties.
nlohmann::json properties_json(const Properties& p);

/// JSON of an element-wise activation's init gain, E[f] and E[f²] for z ~ N(0, 1) (actfn::analyze).
nlohmann::json gaussian_json(const Activation& act);

/// The generated catalogue (docs/catalog.md).
std::string catalog_markdown();

// ---- measured accuracy (accuracy.cpp) -----------------------------------------------------------

/// The reference's measured accuracy at default parameters (docs/data/reference_accuracy.json): max
/// error in ULP. For vector-wise functions the derivative columns hold backward. Empty where the
/// measurement has no such column.
struct MeasuredAccuracy {
  std::optional<double> f32_y, f32_dy, f64_y, f64_dy;
  std::string run;  // the data file, and when and at which commit it was measured
};
std::optional<MeasuredAccuracy> measured_accuracy(std::string_view name);

// ---- commands (commands.cpp) --------------------------------------------------------------------

int list(std::ostream& out, bool json);
int describe(std::ostream& out, const std::string& spec, bool json);

struct EvalOptions {
  std::string spec;
  std::string dtype = "f32";
  bool grad = false;
  std::optional<std::int64_t> axis_len;  // checked >= 1
  std::vector<std::string> inputs;  // empty: read stdin
};
int eval(std::ostream& out, std::istream& in, const EvalOptions& options);

/// Compiled SIMD targets, best first, marking the one dispatch uses, and which activations have kernels.
int targets(std::ostream& out);

/// Prints the catalogue, or with `check` compares it with that file and fails when stale.
int docs(std::ostream& out, const std::optional<std::string>& check);

// ---- plot (plot.cpp): pictures of the functions themselves -------------------------------------

struct PlotOptions {
  std::vector<std::string> specs;
  std::string out;               // PNG file
  double from = -5, to = 5;      // x range
  bool derivative = true;        // a second panel with f'
};
/// f (and f') of every spec on one figure, drawn by matplotlib from actfn's f64 values; the PNG is
/// written whole or not at all. Throws actfn::Error on a bad spec, a vector-wise one or a bad range.
int plot(std::ostream& out, const PlotOptions& options);

// ---- analyze (analyze.cpp): the theory behind the choice, computed by actfn::analyze ----------

struct MomentsOptions {
  std::vector<std::string> specs;  // empty: every element-wise activation at its defaults
  double q = 1;                    // input variance of the moments
  std::optional<double> sigma_w;   // weight deviation of the variance map; default √gain per activation
  double sigma_b = 0;
  bool json = false;
};
/// Table (or JSON) of Gaussian moments, init gain, variance-map fixed point and χ per activation.
int analyze_moments(std::ostream& out, const MomentsOptions& options);

struct SeluOptions {
  double mean = 0, var = 1;    // the fixed point to solve (α, λ) for
  double omega = 0, tau = 1;   // weight moments n E[w], n E[w²]
  bool json = false;
};
/// SELU's mean/variance map at the default α, λ: fixed point, Jacobian, spectral norm; and the
/// (α, λ) that make (mean, var) the fixed point.
int analyze_selu(std::ostream& out, const SeluOptions& options);

/// Where f' is exactly 0 or subnormal, f32 and f64, per activation (empty specs: every element-wise one).
int analyze_underflow(std::ostream& out, const std::vector<std::string>& specs, bool json);

struct DepthCommand {
  std::vector<std::string> specs;
  analyze::DepthOptions options;
  bool json = false;
  std::string png;  // non-empty: draw variance and gradient per layer (matplotlib)
};
/// Signal propagation through a random deep MLP per activation: moments and gradient norms per layer.
int analyze_depth(std::ostream& out, const DepthCommand& options);

struct DeadCommand {
  std::vector<std::string> specs;
  std::vector<std::size_t> depths, widths;
  analyze::DeadOptions options;  // depth and width from the lists
  bool json = false;
};
/// The probability that a random MLP is constant at initialisation, by depth and width.
int analyze_dead(std::ostream& out, const DeadCommand& options);

// ---- advise (advise.cpp): a ranking whose every reason is a number computed or read ---------------

struct AdviseOptions {
  std::string network = "mlp";     // mlp, cnn, rnn, transformer
  std::int64_t depth = 8, width = 256;  // checked: [1, 1000], [1, 1000000]
  std::string norm = "none";       // none, batch, layer
  bool latency = false;            // weigh speed more
  std::string results;             // a results.json of actfn compare: measured accuracy ranks first
  std::vector<std::string> candidates;  // empty: every element-wise activation
  bool json = false;
  std::int64_t top = 10;  // checked >= 1
};
int advise(std::ostream& out, const AdviseOptions& options);

}  // namespace actfn::cli
