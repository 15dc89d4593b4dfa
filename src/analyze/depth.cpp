// Random deep MLPs at initialisation: the initialisation rules, signal propagation through depth
// and the probability of a born-dead network. Plain double arithmetic on the f64 reference.
#include <algorithm>
#include <cmath>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "actfn/analyze.hpp"
#include "actfn/error.hpp"
#include "actfn/properties.hpp"
#include "actfn/reference.hpp"

namespace actfn::analyze {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw Error("analyze: " + what);
}

void require_element_wise(const Activation& act, std::string_view what) {
  act.validate();
  require(!act.info().vector_wise, std::string(what) + " needs an element-wise activation; " +
                                       std::string(act.name()) + " is vector-wise");
}

/// out[n×cols] = a[n×k] · w[k×cols]ᵀ … laid out as rows of samples: out[s][j] = Σ_i a[s][i] w[j][i].
void layer_forward(const std::vector<double>& a, const std::vector<double>& w, std::size_t n, std::size_t k,
                   std::size_t cols, std::vector<double>& out) {
  out.assign(n * cols, 0.0);
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t j = 0; j < cols; ++j) {
      const double* as = &a[s * k];
      const double* wj = &w[j * k];
      double sum = 0;
      for (std::size_t i = 0; i < k; ++i) sum += as[i] * wj[i];
      out[s * cols + j] = sum;
    }
}

/// Weights (rows × cols, row-major: row j holds unit j's fan-in) ~ N(0, variance).
std::vector<double> gaussian(std::mt19937_64& rng, std::size_t count, double variance) {
  std::normal_distribution<double> n(0.0, std::sqrt(variance));
  std::vector<double> v(count);
  for (double& x : v) x = n(rng);
  return v;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double variance_of(const std::vector<double>& v, double mean) {
  double s = 0;
  for (double x : v) s += (x - mean) * (x - mean);
  return s / static_cast<double>(v.size());
}

}  // namespace

std::string_view auto_init(const Activation& act) {
  if (act.kind() == Kind::Selu) return "lecun";
  // Glorot's derivation is for symmetric saturating units: the bounded members of the sigmoid
  // and tanh families. TeLU and tanhshrink (tanh family, unbounded above) grow like ReLU: He.
  const std::string_view family = act.info().family;
  if (family == "sigmoid" || family == "tanh") {
    const Properties p = properties(act);
    if (p.bounded_below() && p.bounded_above()) return "xavier";
  }
  return "he";
}

double init_weight_variance(const Activation& act, std::string_view init, double fan_in, double fan_out) {
  if (init == "auto") init = auto_init(act);
  if (init == "lecun") return 1.0;
  if (init == "xavier") return 2.0 * fan_in / (fan_in + fan_out);
  if (init == "he") return act.info().vector_wise ? 1.0 : init_gain(act);
  throw Error("init " + quote(init) + " is not one of auto, he, lecun, xavier");
}

DepthSignal signal_propagation(const Activation& act, const DepthOptions& o) {
  require_element_wise(act, "depth");
  require(o.depth >= 1 && o.width >= 1 && o.batch >= 1, "depth, width and batch must be >= 1");
  require(o.depth * o.width * o.width <= (std::size_t{1} << 34), "depth x width^2 is too large (over 2^34 weights)");
  require(std::isfinite(o.sigma_b) && o.sigma_b >= 0, "the bias deviation must be finite and >= 0");
  DepthSignal out;
  out.init = o.init == "auto" ? std::string(auto_init(act)) : o.init;
  const auto n = static_cast<double>(o.width);
  out.sigma_w2 = init_weight_variance(act, out.init, n, n);
  std::mt19937_64 rng(o.seed);
  const std::size_t N = o.width, B = o.batch;

  std::vector<std::vector<double>> weights(o.depth), pre(o.depth), act_in(o.depth + 1);
  act_in[0] = gaussian(rng, B * N, 1.0);
  for (std::size_t l = 0; l < o.depth; ++l) {
    weights[l] = gaussian(rng, N * N, out.sigma_w2 / n);
    const std::vector<double> bias = gaussian(rng, N, o.sigma_b * o.sigma_b);
    layer_forward(act_in[l], weights[l], B, N, N, pre[l]);
    for (std::size_t s = 0; s < B; ++s)
      for (std::size_t j = 0; j < N; ++j) pre[l][s * N + j] += bias[j];
    act_in[l + 1].resize(B * N);
    reference::forward<double>(act, pre[l], act_in[l + 1]);
    LayerSignal sig;
    sig.z_mean = mean_of(pre[l]);
    sig.z_var = variance_of(pre[l], sig.z_mean);
    sig.h_mean = mean_of(act_in[l + 1]);
    sig.h_var = variance_of(act_in[l + 1], sig.h_mean);
    out.layers.push_back(sig);
  }
  // Backward: g = ∂L/∂h at the top ~ N(0, 1); δ = g ⊙ f'(z); ∂L/∂W = δᵀ h_(l-1); g ← δ W.
  std::vector<double> g = gaussian(rng, B * N, 1.0), delta(B * N);
  for (std::size_t l = o.depth; l-- > 0;) {
    double g2 = 0;
    for (double v : g) g2 += v * v;
    out.layers[l].grad_h = std::sqrt(g2 / static_cast<double>(B * N));
    reference::backward<double>(act, {.x = pre[l], .dy = g}, delta);
    double gw2 = 0;
    for (std::size_t j = 0; j < N; ++j)
      for (std::size_t i = 0; i < N; ++i) {
        double sum = 0;
        for (std::size_t s = 0; s < B; ++s) sum += delta[s * N + j] * act_in[l][s * N + i];
        gw2 += sum * sum;
      }
    out.layers[l].grad_w = std::sqrt(gw2 / (n * n * static_cast<double>(B)));
    std::fill(g.begin(), g.end(), 0.0);
    for (std::size_t s = 0; s < B; ++s)
      for (std::size_t j = 0; j < N; ++j) {
        const double d = delta[s * N + j];
        const double* wj = &weights[l][j * N];
        double* gs = &g[s * N];
        for (std::size_t i = 0; i < N; ++i) gs[i] += d * wj[i];
      }
  }
  return out;
}

DeadNetworks born_dead(const Activation& act, const DeadOptions& o) {
  require_element_wise(act, "dead");
  require(o.depth >= 1 && o.width >= 1 && o.inputs >= 1 && o.trials >= 1, "depth, width, inputs and trials must be >= 1");
  require(o.depth * o.width * o.width * o.inputs <= (std::size_t{1} << 36), "depth x width^2 x inputs is too large");
  require(std::isfinite(o.tolerance) && o.tolerance >= 0, "the tolerance must be finite and >= 0");
  require(std::isfinite(o.sigma_b) && o.sigma_b >= 0, "the bias deviation must be finite and >= 0");
  const std::size_t in_dim = o.input_dim ? o.input_dim : o.width, N = o.width, M = o.inputs;
  const std::string init = o.init == "auto" ? std::string(auto_init(act)) : o.init;
  const double first_var = init_weight_variance(act, init, static_cast<double>(in_dim), static_cast<double>(N));
  const double var = init_weight_variance(act, init, static_cast<double>(N), static_cast<double>(N));
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  DeadNetworks out;
  out.trials = o.trials;
  double dead_layers = 0;
  std::vector<double> h, z, w;
  for (std::size_t t = 0; t < o.trials; ++t) {
    h.resize(M * in_dim);
    for (double& v : h) v = uniform(rng);
    std::size_t k = in_dim;
    for (std::size_t l = 0; l < o.depth; ++l) {
      w = gaussian(rng, N * k, (l == 0 ? first_var : var) / static_cast<double>(k));
      const std::vector<double> bias = gaussian(rng, N, o.sigma_b * o.sigma_b);
      layer_forward(h, w, M, k, N, z);
      for (std::size_t s = 0; s < M; ++s)
        for (std::size_t j = 0; j < N; ++j) z[s * N + j] += bias[j];
      h.resize(M * N);
      reference::forward<double>(act, z, h);
      k = N;
      // Constant over the inputs in every unit: the layers above can only be constant too. The
      // range is relative to the unit's magnitude: a leaky ReLU layer with every unit on its
      // negative side scales the signal down by the slope but is not constant.
      bool constant = true;
      for (std::size_t j = 0; j < N && constant; ++j) {
        double lo = h[j], hi = h[j];
        for (std::size_t s = 1; s < M; ++s) lo = std::min(lo, h[s * N + j]), hi = std::max(hi, h[s * N + j]);
        constant = !(hi - lo > o.tolerance * std::max(std::fabs(lo), std::fabs(hi)));
      }
      if (constant) {
        ++out.dead;
        dead_layers += static_cast<double>(l + 1);
        break;
      }
    }
  }
  const double n = static_cast<double>(out.trials), p = static_cast<double>(out.dead) / n, z95 = 1.959963984540054;
  out.probability = p;
  const double centre = (p + z95 * z95 / (2 * n)) / (1 + z95 * z95 / n);
  const double half = z95 * std::sqrt(p * (1 - p) / n + z95 * z95 / (4 * n * n)) / (1 + z95 * z95 / n);
  out.low = std::max(0.0, centre - half);
  out.high = std::min(1.0, centre + half);
  out.mean_dead_layer = out.dead ? dead_layers / static_cast<double>(out.dead) : 0;
  return out;
}

}  // namespace actfn::analyze
