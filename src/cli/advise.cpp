// actfn advise: rank the activations for a network, each rank backed by numbers this command
// computes (mean-field trainability, saturation, dead inputs, born-dead probability, gradient
// underflow, measured speed) or reads (the lab's results.json, with confidence intervals).
//
// The ranking rule is printed with the table: measured accuracy first where results for this
// network kind exist, then a penalty score whose every term is one of the numbers shown.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <map>
#include <numbers>
#include <sstream>

#include "actfn/analyze.hpp"
#include "cli.hpp"
#include "results.hpp"

namespace actfn::cli {
namespace {

bool one_of(const std::string& s, std::initializer_list<const char*> options) {
  for (const char* o : options)
    if (s == o) return true;
  return false;
}

/// The standard normal mass where pred(f'(z)) holds, z ~ N(0, 1): the midpoint rule on [-8, 8]
/// (the mass beyond is 1.2e-15) in cells of 1/1000, whose edges fall on the catalogue's kinks at
/// integers and halves (no midpoint sits on a kink, where f' takes its one-sided convention), on
/// the f64 reference's f'. Error ~1e-7 where the set's edges are kinks, ≤ 4e-4 elsewhere.
template <class Pred>
double normal_mass(const Activation& act, Pred pred) {
  constexpr int kPoints = 16000;
  constexpr double kLo = -8, kHi = 8, h = (kHi - kLo) / kPoints;
  std::vector<double> z(kPoints), slope(kPoints);
  const std::vector<double> ones(kPoints, 1.0);
  for (int i = 0; i < kPoints; ++i) z[static_cast<std::size_t>(i)] = kLo + (i + 0.5) * h;
  reference::backward<double>(act, {.x = z, .dy = ones}, slope);
  double mass = 0;
  for (int i = 0; i < kPoints; ++i) {
    const double zi = z[static_cast<std::size_t>(i)];
    if (pred(slope[static_cast<std::size_t>(i)])) mass += std::exp(-zi * zi / 2) * h;
  }
  return mass / std::sqrt(2 * std::numbers::pi);
}

/// Median nanoseconds per element of forward + backward (from x) on 64Ki floats with actfn's
/// kernels, five repeats of at least 2 ms each.
double ns_per_element(const Activation& act) {
  constexpr std::size_t n = 1 << 16;
  std::vector<float> x(n), y(n), dy(n, 1.0f), dx(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = -6.0f + 12.0f * static_cast<float>(i) / n;
  std::vector<double> t;
  for (int r = 0; r < 5; ++r) {
    int calls = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
      forward<float>(act, x, y);
      backward<float>(act, {.x = x, .dy = dy}, dx);
      ++calls;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < 2e-3);
    t.push_back(elapsed / calls / n * 1e9);
  }
  std::nth_element(t.begin(), t.begin() + 2, t.end());
  return t[2];
}

/// Three significant digits (gradient factors run from 1e-30 to 1e30).
std::string sig3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string sig7(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7g", v);
  return buf;
}

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

struct Candidate {
  explicit Candidate(Activation a) : act(std::move(a)) {}
  Activation act;
  std::string init;
  double chi = 0, gradient_factor = 0;  // the last layer's χ and the product of χ over the depth
  double signal_factor = 0;              // q_L / q_0: the forward signal's second moment through depth
  double nonlinear = 0;                  // share of Var f(z) not linear in z, at q_L
  double saturated = 0, inactive = 0;    // P(|f'| < 0.01), P(f' = 0) under N(0, 1)
  double born_dead = -1;                 // Monte Carlo, narrow networks only
  std::optional<double> zero_slope_below;  // f32 f' is exactly 0 for x ≤ this
  double ns = 0, speed_ratio = 0;        // forward + backward, vs relu
  std::optional<Measured> measured;
  double penalty = 0;
  std::vector<std::string> reasons;
};

}  // namespace

int advise(std::ostream& out, const AdviseOptions& o) {
  if (!one_of(o.network, {"mlp", "cnn", "rnn", "transformer"}))
    throw Error("advise: unknown network " + quote(o.network) + " (expected mlp, cnn, rnn or transformer)");
  if (!one_of(o.norm, {"none", "batch", "layer"})) throw Error("advise: norm " + quote(o.norm) + " is not one of none, batch, layer");
  if (o.depth < 1 || o.depth > 1000) throw Error("advise: depth must be in [1, 1000] (got " + std::to_string(o.depth) + ")");
  if (o.width < 1 || o.width > 1000000) throw Error("advise: width must be in [1, 1000000] (got " + std::to_string(o.width) + ")");
  if (o.top < 1) throw Error("advise: top must be >= 1 (got " + std::to_string(o.top) + ")");
  const auto depth = static_cast<std::size_t>(o.depth), width = static_cast<std::size_t>(o.width),
             top = static_cast<std::size_t>(o.top);
  const bool normalised = o.norm != "none" || o.network == "transformer";  // pre-LN transformers normalise
  std::map<std::string, Measured> results;
  if (!o.results.empty()) results = read_results(o.results, o.network);

  std::vector<Candidate> cands;
  std::vector<std::string> specs = o.candidates;
  if (specs.empty())
    for (const FunctionInfo& fi : all())
      if (!fi.vector_wise) specs.emplace_back(fi.name);
  const double relu_ns = ns_per_element(parse("relu"));
  // Penalty weights, printed below: normalisation re-centres and re-scales every layer, so depth
  // and dead inputs matter less; latency-sensitive work weighs speed more.
  const double w_depth = normalised ? 0.25 : 1.0, w_dead = normalised ? 0.5 : 1.0, w_sat = 1.0;
  const double w_speed = o.latency ? 1.0 : 0.25;
  for (const std::string& spec : specs) {
    Candidate c(parse(spec));
    if (c.act.info().vector_wise) throw Error("advise: " + std::string(c.act.name()) + " is vector-wise");
    c.init = std::string(analyze::auto_init(c.act));
    // The mean-field trajectory from q_0 = 1 through the depth (Poole et al. 2016): q_(l+1) =
    // σ_w² E[f(√q_l z)²], and the backward pass scales E[g²] by χ_l = σ_w² E[f'(√q_l z)²] per layer.
    const double sw2 = analyze::init_weight_variance(c.act, c.init, width, width);
    double q = 1;
    c.gradient_factor = 1;
    for (std::size_t l = 0; l < depth && std::isfinite(q) && q > 1e-300; ++l) {
      const analyze::GaussianMoments m = analyze::gaussian_moments(c.act, q);
      c.chi = sw2 * m.slope_second;
      c.gradient_factor *= c.chi;
      q = sw2 * m.second;
    }
    c.signal_factor = q;
    // How nonlinear f is at the signal's scale: the share of Var f(z) that no linear function of z
    // explains, 1 - Cov(z, f)²/(Var z Var f), z ~ N(0, q_L) (Stein: Cov(z, f) = q E[f']).
    const double qs = std::isfinite(q) && q > 1e-12 ? q : 1.0;
    const analyze::GaussianMoments at = analyze::gaussian_moments(c.act, qs);
    const double var_f = at.second - at.mean * at.mean;
    c.nonlinear = var_f > 0 ? std::max(0.0, 1 - qs * at.slope_mean * at.slope_mean / var_f) : 0.0;
    c.saturated = normal_mass(c.act, [](double s) { return std::fabs(s) < 0.01; });
    c.inactive = normal_mass(c.act, [](double s) { return s == 0; });
    if (width <= 16) {
      analyze::DeadOptions d;
      d.depth = depth;
      d.width = width;
      d.trials = 200;
      c.born_dead = analyze::born_dead(c.act, d).probability;
    }
    c.zero_slope_below = analyze::gradient_underflow<float>(c.act).left.zero_beyond;
    c.ns = ns_per_element(c.act);
    c.speed_ratio = c.ns / relu_ns;
    if (const auto it = results.find(c.act.spec()); it != results.end()) c.measured = it->second;

    const auto log_size = [](double f) { return std::isfinite(f) && f > 0 ? std::min(std::fabs(std::log10(f)), 30.0) : 30.0; };
    c.penalty = w_depth * (log_size(c.gradient_factor) + log_size(c.signal_factor)) + w_sat * 2 * c.saturated +
                w_dead * c.inactive + (c.born_dead > 0 ? 2 * c.born_dead : 0) +
                w_speed * std::max(0.0, std::log2(c.speed_ratio)) + (c.nonlinear < 0.01 ? 5.0 : 0.0);
    if (c.measured)
      c.reasons.push_back("measured: test " + fixed(100 * c.measured->mean, 2) + "% ± " + fixed(100 * c.measured->std, 2) +
                          " over " + std::to_string(c.measured->seeds) + " seeds (95% CI " + fixed(100 * c.measured->ci_low, 2) +
                          "–" + fixed(100 * c.measured->ci_high, 2) + ", " + o.results + ")");
    c.reasons.push_back("init " + c.init + " (sigma_w^2 = " + sig3(sw2) + "), mean field over " + std::to_string(o.depth) +
                        " layers: signal E[z^2] x" + sig3(c.signal_factor) + ", gradient E[g^2] x" +
                        sig3(c.gradient_factor) + " (last layer's chi " + fixed(c.chi, 4) + ")");
    c.reasons.push_back("nonlinear share of Var f at that scale: " + fixed(c.nonlinear, 3) +
                        (c.nonlinear < 0.01 ? " (at initialisation the network is effectively linear: +5)" : ""));
    c.reasons.push_back("P(|f'| < 0.01) = " + fixed(c.saturated, 3) + ", P(f' = 0) = " + fixed(c.inactive, 3) +
                        " under N(0, 1)");
    if (c.born_dead >= 0) c.reasons.push_back("born dead at width " + std::to_string(o.width) + ": " + fixed(c.born_dead, 3));
    c.reasons.push_back(c.zero_slope_below ? "f32 gradient exactly 0 below x = " + sig7(*c.zero_slope_below)
                                           : std::string("f32 gradient never exactly 0 on the left"));
    c.reasons.push_back("forward+backward " + fixed(c.ns, 2) + " ns/element = " + fixed(c.speed_ratio, 2) + "x relu");
    cands.push_back(std::move(c));
  }
  // Measured accuracy first (best mean first), then the penalty (lowest first).
  std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
    if (a.measured.has_value() != b.measured.has_value()) return a.measured.has_value();
    if (a.measured) return a.measured->mean > b.measured->mean;
    return a.penalty < b.penalty;
  });
  // Measured candidates whose interval overlaps the best one's are not distinguishable from it.
  if (!cands.empty() && cands.front().measured)
    for (std::size_t i = 1; i < cands.size() && cands[i].measured; ++i)
      if (cands[i].measured->ci_high >= cands.front().measured->ci_low)
        cands[i].reasons.insert(cands[i].reasons.begin() + 1, "its 95% interval overlaps the best one's: not distinguishable at these seeds");

  if (o.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t i = 0; i < cands.size() && i < top; ++i) {
      const Candidate& c = cands[i];
      nlohmann::json row = {{"rank", i + 1},
                            {"spec", c.act.spec()},
                            {"init", c.init},
                            {"chi", c.chi},
                            {"gradient_factor", std::isfinite(c.gradient_factor) ? nlohmann::json(c.gradient_factor) : nlohmann::json(nullptr)},
                            {"signal_factor", std::isfinite(c.signal_factor) ? nlohmann::json(c.signal_factor) : nlohmann::json(nullptr)},
                            {"nonlinear", c.nonlinear},
                            {"saturated", c.saturated},
                            {"inactive", c.inactive},
                            {"born_dead", c.born_dead >= 0 ? nlohmann::json(c.born_dead) : nlohmann::json(nullptr)},
                            {"zero_slope_below", c.zero_slope_below ? nlohmann::json(*c.zero_slope_below) : nlohmann::json(nullptr)},
                            {"ns_per_element", c.ns},
                            {"speed_vs_relu", c.speed_ratio},
                            {"penalty", c.penalty},
                            {"reasons", c.reasons}};
      if (c.measured)
        row["measured"] = {{"mean", c.measured->mean}, {"std", c.measured->std}, {"seeds", c.measured->seeds},
                           {"ci95", {c.measured->ci_low, c.measured->ci_high}}};
      rows.push_back(row);
    }
    out << rows.dump(2) << "\n";
    return 0;
  }
  out << "actfn advise: " << o.network << ", depth " << o.depth << ", width " << o.width << ", norm "
      << (o.network == "transformer" && o.norm == "none" ? "layer (pre-LN)" : o.norm)
      << (o.latency ? ", latency-sensitive" : "") << "\n"
      << "rank: measured test accuracy first" << (results.empty() ? " (none given: --results results.json)" : "")
      << ", then penalty = " << fixed(w_depth, 2) << "·(|log10 gradient factor| + |log10 signal factor|) + " << fixed(2 * w_sat, 2)
      << "·P(|f'|<0.01) + " << fixed(w_dead, 2) << "·P(f'=0) + 2·P(born dead) + " << fixed(w_speed, 2)
      << "·log2(time/relu) + 5 if effectively linear (lower is better)\n\n";
  for (std::size_t i = 0; i < cands.size() && i < top; ++i) {
    const Candidate& c = cands[i];
    out << std::setw(3) << i + 1 << ". " << std::left << std::setw(24) << c.act.spec() << std::right
        << (c.measured ? "test " + fixed(100 * c.measured->mean, 2) + "%" : "penalty " + fixed(c.penalty, 3)) << "\n";
    for (const std::string& r : c.reasons) out << "       - " << r << "\n";
  }
  return 0;
}

}  // namespace actfn::cli
