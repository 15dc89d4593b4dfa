// actfn::analyze — the theory behind choosing an activation, computed rather than quoted:
// moments under a Gaussian input and the initialisation gain, the mean-field variance map with its
// order/chaos indicator, SELU's self-normalising mean/variance map, and where f' underflows.
//
// Everything is computed from the scalar reference (actfn::reference, f64 unless stated) at the
// activation's own parameter values, so it stays true for any parameters. Element-wise activations
// only: every function throws actfn::Error for a vector-wise one or for arguments out of range.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>
#include <optional>
#include <string_view>

#include "actfn/activation.hpp"

namespace actfn::analyze {

// ---- moments under a Gaussian input ------------------------------------------------------------
//
// Expectations are integrals ∫ g(√q z) φ(z) dz over z ∈ [-40, 40] (beyond, φ < 1e-347 and is 0
// in double), split at the activation's kinks so every piece is smooth, each piece integrated by
// adaptive Gauss–Kronrod (7/15 points) until the summed error estimate is below 1e-13 · E[|g|].
// Accuracy: absolute error ≤ 1e-12 · E[|g|] (tested against closed forms), limited by the f64
// reference's ~1e-16 relative error per evaluation. f' is actfn's derivative, with its convention
// at kinks; at a jump of f (step, threshold, hardshrink) f' is the pointwise one, not a delta.

/// E over z ~ N(0, q) of f(z), f(z)², f'(z), f'(z)².
struct GaussianMoments {
  double q = 1;
  double mean = 0;          // E[f]
  double second = 0;        // E[f²]
  double slope_mean = 0;    // E[f']
  double slope_second = 0;  // E[f'²]
};

/// The four moments at input variance q ≥ 0 (q = 0: the values at x = 0); finite q only.
GaussianMoments gaussian_moments(const Activation& act, double q = 1);

/// The initialisation gain g = 1 / E[f(z)²], z ~ N(0, 1): weights with Var(w) = g / fan_in keep
/// the second moment of unit-variance inputs, E[(w·f(z))²]·fan_in = 1. Generalises He's 2 for
/// ReLU and 2/(1+a²) for leaky ReLU with slope a. Same accuracy as gaussian_moments.
double init_gain(const Activation& act);

/// The mean-field variance map of a wide layer with weight and bias deviations σ_w, σ_b ≥ 0:
///   V(q) = σ_w² E[f(√q z)²] + σ_b²,  z ~ N(0, 1)   (Poole et al. 2016; Schoenholz et al. 2017).
double variance_map(const Activation& act, double q, double sigma_w, double sigma_b);

enum class Phase { Ordered, Edge, Chaotic, Diverges };
std::string_view to_string(Phase p);

/// The fixed point of V reached from q0 and the order/chaos indicator there.
struct FixedPoint {
  double q_star = 0;  // V(q*) = q*; 0 when V(q) < q all the way down, inf when V(q) > q beyond 1e15
  double chi = 0;     // χ = σ_w² E[f'(√q* z)²]: < 1 perturbations shrink (ordered), > 1 grow (chaos)
  Phase phase = Phase::Ordered;  // Edge when |χ - 1| ≤ 1e-9; Diverges when q* = inf (χ is then nan)
};

/// q* is the root of V(q) = q first met going from q0 > 0 in the direction V moves q (the limit of
/// q_{l+1} = V(q_l) when V is increasing in q, as it is for every catalogue activation whose f²
/// grows with |x|): bracketed by doubling or halving q (up to 1e15, down to 1e-30), then bisected
/// to a relative width of 1e-14. |V(q) - q| ≤ 1e-12 q is within the quadrature's error: at q0 it
/// counts as q* = q0 (so σ_w² = init_gain with σ_b = 0 gives q* = 1), and while bracketing it is
/// no sign change, so roots below ~1e-12 q0 (and algebraic approaches to 0) give q* = 0.
/// χ uses the same quadrature as gaussian_moments.
FixedPoint variance_fixed_point(const Activation& act, double sigma_w, double sigma_b, double q0 = 1);

// ---- SELU self-normalisation (Klambauer et al. 2017) -------------------------------------------
//
// A unit with n inputs x_i of mean μ and variance ν and weights with ω = n E[w], τ = n E[w²]
// receives z ~ N(μω, ντ) (central limit); SELU_{α,λ}(z) = λ·elu_α(z) then has mean μ̃ and
// variance ν̃. Computed here by the quadrature above applied to the registry's elu(alpha=α) scaled
// by λ (not the paper's closed form, which the tests compare against). Requires ντ > 0.

struct SeluConstants {
  double alpha = 0, lambda = 0;
};
/// α and λ of the registry's selu, read back from the function itself: λ = f'(1), λα = -f(-inf).
SeluConstants selu_defaults();

struct MeanVar {
  double mean = 0, var = 1;
};

/// (μ, ν) ↦ (μ̃, ν̃) = (E[f(z)], E[f(z)²] - E[f(z)]²), z ~ N(μω, ντ). Accuracy ~1e-12 absolute.
MeanVar selu_map(SeluConstants c, MeanVar in, double omega = 0, double tau = 1);

/// The Jacobian ∂(μ̃, ν̃)/∂(μ, ν) at `at`, from Stein's identity (∂/∂s E[f(m+sz)] = E[f'(m+sz) z],
/// ∂/∂m E[f(m+sz)] = E[f'(m+sz)]; f continuous, so its jump in f' is harmless), and its spectral
/// norm (largest singular value). A fixed point with norm < 1 attracts.
struct SeluJacobian {
  std::array<std::array<double, 2>, 2> j{};  // j[row][col]: rows μ̃, ν̃; columns μ, ν
  double spectral_norm = 0;
};
SeluJacobian selu_jacobian(SeluConstants c, MeanVar at, double omega = 0, double tau = 1);

/// Iterates the map from `start` until a step moves (μ, ν) by < 1e-14; throws Error when it has not
/// settled after 10000 steps or ν leaves (0, 1e6).
MeanVar selu_fixed_point(SeluConstants c, double omega = 0, double tau = 1, MeanVar start = {});

/// The α > 0, λ > 0 whose map has `target` as a fixed point (target.var > 0). The mean and second
/// moment are λ(A + αB) and λ²(C + α²E) with A, C the moments of relu and B, E those of
/// elu_1 - relu under N(μω, ντ), all by quadrature: for μ = 0, α = -A/B and λ = √(ν/(C + α²E));
/// otherwise a quadratic in α (the smaller positive root when both qualify). Throws Error when no
/// positive pair exists.
SeluConstants selu_constants_for(MeanVar target, double omega = 0, double tau = 1);

// ---- gradient underflow ------------------------------------------------------------------------
//
// Scans the actual reference derivative f'(x) = reference::backward<T>(x, dy = 1) over the finite
// inputs of T (f32 or f64): a grid of 2^16 + 1 inputs evenly spaced in bit pattern finds the
// outermost inputs where |f'| is normal, and bisection over the ordered bit patterns between those
// and ±max finds the exact thresholds. Assumes that beyond the outermost normal grid point |f'|
// falls monotonically towards 0 (true in the catalogue; the tests check it by sampling). Exact:
// the thresholds are inputs of T at which the reference itself changes.

/// One tail of f': where it is exactly 0 and where it is subnormal (0 < |f'| < the smallest normal).
struct UnderflowTail {
  /// Left tail: the largest x with f'(y) = 0 for every finite y ≤ x. Right tail: the smallest x
  /// with f'(y) = 0 for every finite y ≥ x. nullopt: f' is never 0 in that tail (leaky_relu).
  std::optional<double> zero_beyond;
  /// The inputs [from, to] (from ≤ to, both of the tail) where f' is subnormal; nullopt when f'
  /// jumps from normal straight to 0 (relu) or never gets that small.
  std::optional<std::array<double, 2>> subnormal;
};

struct Underflow {
  bool identically_zero = false;  // |f'| is never normal on the grid (step: f' = 0): no tails reported
  UnderflowTail left, right;
};

/// The underflow tails of the reference f' in T = float or double.
template <class T>
Underflow gradient_underflow(const Activation& act);

// ---- initialisation ------------------------------------------------------------------------------

/// The initialisation an activation calls for: "lecun" for SELU (its fixed point needs
/// Var(w) = 1/fan_in), "xavier" for the bounded members of the sigmoid and tanh families (Glorot &
/// Bengio's derivation is for symmetric, saturating units), "he" for everything else (with
/// init_gain), TeLU and tanhshrink included.
std::string_view auto_init(const Activation& act);

/// fan_in · Var(w) for `init` ∈ {he, lecun, xavier, auto} on a layer of fan_in → fan_out followed
/// by `act`: he = init_gain(act) (2 for ReLU), lecun = 1, xavier = 2·fan_in/(fan_in + fan_out)
/// (1 for a square layer). Vector-wise activations (maxout, GLU) take 1 under he. Throws Error on
/// another name.
double init_weight_variance(const Activation& act, std::string_view init, double fan_in, double fan_out);

// ---- signal propagation through depth (Monte Carlo) ------------------------------------------------
//
// A random deep MLP at initialisation: x ~ N(0, 1)^width (batch samples), z_l = W_l h_(l-1) + b_l,
// h_l = f(z_l), W_l ~ N(0, σ_w²/width), b_l ~ N(0, σ_b²), l = 1..depth, h_0 = x. A random error
// signal g_depth ~ N(0, 1) at the top is propagated back: δ_l = g_l ⊙ f'(z_l), g_(l-1) = W_l^T δ_l.
// Everything in double with the f64 reference; the same seed gives the same numbers.

struct DepthOptions {
  std::size_t depth = 50;
  std::size_t width = 256;
  std::size_t batch = 256;
  std::string init = "auto";   // he, lecun, xavier or auto (auto_init): σ_w² = init_weight_variance
  double sigma_b = 0;          // bias deviation
  std::uint64_t seed = 0;
};

struct LayerSignal {
  double z_mean = 0, z_var = 0;  // pre-activation, over units and samples
  double h_mean = 0, h_var = 0;  // activation
  double grad_h = 0;   // √(mean over units and samples of (∂L/∂h_l)²): 1 at the top, by construction
  double grad_w = 0;   // ‖∂L/∂W_l‖_F / √(width²·batch): the weight gradient's RMS per entry and sample
};

struct DepthSignal {
  std::string init;       // resolved
  double sigma_w2 = 0;    // σ_w² used
  std::vector<LayerSignal> layers;  // l = 1..depth
};

/// Forward moments and backward gradient norms per layer. Throws Error for a vector-wise
/// activation or a zero size.
DepthSignal signal_propagation(const Activation& act, const DepthOptions& options);

// ---- born-dead networks (Monte Carlo) --------------------------------------------------------------
//
// Lu, Shin, Su & Karniadakis 2019 ("Dying ReLU and initialization"): a deep narrow ReLU network can
// be constant at initialisation — some layer inactive for every input of the domain. Here, per
// trial: a random MLP as above (input dimension `input_dim`, default width), `inputs` points drawn
// uniformly from [-1, 1]^input_dim, and the network counts as born dead when some layer's every
// unit has an output range (max - min over the inputs) ≤ `tolerance` times its largest |output|
// — exactly 0 for a dead ReLU layer, "collapsed" (saturated at one value) for activations that
// never output exactly one value; relative, so that a leaky layer that only scales its input down
// is not counted.

struct DeadOptions {
  std::size_t depth = 10;
  std::size_t width = 4;
  std::size_t input_dim = 0;   // 0: width
  std::size_t inputs = 256;
  std::size_t trials = 1000;
  double tolerance = 1e-6;     // relative range
  std::string init = "auto";
  double sigma_b = 0;
  std::uint64_t seed = 0;
};

struct DeadNetworks {
  std::size_t trials = 0, dead = 0;
  double probability = 0;
  double low = 0, high = 0;    // Wilson score interval, 95%
  double mean_dead_layer = 0;  // mean first dead layer (1-based) over the dead trials; 0 if none
};

DeadNetworks born_dead(const Activation& act, const DeadOptions& options);

}  // namespace actfn::analyze
