#include "harness.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <random>

namespace actfn::bench {

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::Forward: return "forward";
    case Direction::BackwardX: return "backward_x";
    case Direction::BackwardY: return "backward_y";
    case Direction::ForwardBackward: return "forward_backward";
  }
  return "?";
}

namespace {

bool has_param(const Activation& act, std::string_view name) {
  return std::ranges::any_of(act.info().params, [&](const ParamSpec& p) { return p.name == name; });
}

}  // namespace

std::vector<Case> cases_of(const std::string& function) {
  const Activation act = parse(function);
  if (act.info().vector_wise) {
    output_axis(act, kVectorRow);  // a row the function cannot split (maxout pieces) fails here
    const Direction back = act.info().backward_needs == Needs::Y ? Direction::BackwardY : Direction::BackwardX;
    return {{function, act, Direction::Forward, 1, kVectorRow}, {function, act, back, 1, kVectorRow}};
  }
  const auto channels =
      has_param(act, "num_parameters") ? static_cast<std::size_t>(act.param("num_parameters")) : std::size_t{1};
  std::vector<Direction> directions{Direction::Forward, Direction::BackwardX};
  if (channels == 1 && act.backward_from_y()) directions.push_back(Direction::BackwardY);
  if (channels > 1 || act.kind() == Kind::Relu) directions.push_back(Direction::ForwardBackward);
  std::vector<Case> out;
  for (const Direction d : directions) out.push_back({function, act, d, channels});
  return out;
}

std::vector<std::string> default_functions() {
  std::vector<std::string> names;
  for (const FunctionInfo& fi : all()) names.emplace_back(fi.name);
  // The per-channel PReLU of a conv layer with 64 channels (the N×C×H×W case).
  names.emplace_back("prelu(num_parameters=64)");
  return names;
}

// ---- buffers --------------------------------------------------------------------------------------

namespace {

// Enough for any real layer; learned and dlearned are sized by it rather than by n.
constexpr std::size_t kMaxChannels = 1 << 16;

void fill_uniform(std::span<float> v, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::ranges::generate(v, [&] { return u(rng); });
}

}  // namespace

void Buffers::Free::operator()(float* p) const { std::free(p); }

Buffers::Array Buffers::allocate(std::size_t n) {
  // 64-byte aligned like every peer's allocator, and touched now so no page fault lands in a timing.
  const std::size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
  auto* p = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (p == nullptr) throw Error("bench: cannot allocate " + std::to_string(bytes) + " bytes");
  std::fill_n(p, n, 0.0f);
  return Array(p);
}

Buffers::Buffers(std::size_t max_n)
    : max_n_(max_n),
      x_(allocate(max_n)),
      y_(allocate(max_n)),
      dy_(allocate(max_n)),
      out_(allocate(max_n)),
      dx_(allocate(max_n)),
      learned_(allocate(kMaxChannels)),
      dlearned_(allocate(kMaxChannels)) {
  fill_uniform({x_.get(), max_n}, -6.0f, 6.0f, 1);
  fill_uniform({dy_.get(), max_n}, -1.0f, 1.0f, 2);
  fill_uniform({learned_.get(), kMaxChannels}, 0.2f, 0.3f, 3);
}

Data Buffers::data_for(const Case& c, std::size_t n) {
  if (n == 0 || n > max_n_) throw Error("bench: size " + std::to_string(n) + " out of range");
  const std::size_t C = c.channels;
  if (C > kMaxChannels || n % C != 0)
    throw Error("bench: " + c.function + " needs a size that is a multiple of its " + std::to_string(C) +
                " channels; got " + std::to_string(n));
  Data d;
  d.n = n;
  // Per channel, a conv layer's N × C × 32×32 when n allows it (16×64×32×32 at 1Mi), else one
  // image of n / C pixels (1×64×16×16 at 16Ki).
  constexpr std::size_t kImage = 32 * 32;
  if (C == 1) d.layout = Channels{1, 1, n};
  else if (n % (C * kImage) == 0) d.layout = Channels{n / (C * kImage), C, kImage};
  else d.layout = Channels{1, C, n / C};
  d.x = {x_.get(), n};
  d.dy = {dy_.get(), n};
  d.y = {y_.get(), n};
  d.out = {out_.get(), n};
  d.dx = {dx_.get(), n};
  d.learned = {learned_.get(), C};
  d.dlearned = {dlearned_.get(), C};
  if (c.row != 0) {
    if (n % c.row != 0)
      throw Error("bench: " + c.function + " needs a size that is a multiple of its rows of " + std::to_string(c.row) +
                  "; got " + std::to_string(n));
    d.rows = Axis{n / c.row, c.row, 1};
    const std::size_t m = n / c.row * output_axis(c.act, c.row);
    d.y = {y_.get(), m};
    d.out = {out_.get(), m};
    d.dy = {dy_.get(), m};
    if (c.direction == Direction::BackwardY) forward<float>(c.act, d.rows, d.x, {y_.get(), m});
    return d;
  }
  if (c.direction == Direction::BackwardY) forward<float>(c.act, d.x, {y_.get(), n});
  std::fill(d.dlearned.begin(), d.dlearned.end(), 0.0f);
  return d;
}

// ---- implementations and timing -------------------------------------------------------------------

std::vector<Impl> impls() {
  std::vector<Impl> v{actfn_impl(), reference_impl(), roofline_impl()};
#if ACTFN_HAVE_TORCH
  v.push_back(torch_impl());
#endif
#if ACTFN_HAVE_ONEDNN
  v.push_back(onednn_impl());
#endif
#if ACTFN_HAVE_XNNPACK
  v.push_back(xnnpack_impl());
#endif
  return v;
}

std::vector<std::string> peers_missing() {
  std::vector<std::string> v;
  if (!ACTFN_HAVE_TORCH) v.emplace_back("libtorch");
  if (!ACTFN_HAVE_ONEDNN) v.emplace_back("onednn");
  if (!ACTFN_HAVE_XNNPACK) v.emplace_back("xnnpack");
  return v;
}

bool has(const Impl& impl, const Case& c) {
  // Large enough for the per-channel layouts, small enough to prepare instantly.
  static Buffers small(1 << 16);
  return static_cast<bool>(impl.prepare(c, small.data_for(c, 1 << 16)));
}

double measure(const Run& run, std::size_t n, double min_time, int repeats) {
  using Clock = std::chrono::steady_clock;
  const auto seconds = [&](std::size_t iterations) {
    const auto t0 = Clock::now();
    for (std::size_t i = 0; i < iterations; ++i) run();
    return std::chrono::duration<double>(Clock::now() - t0).count();
  };
  run();  // warm-up: caches, lazily created kernels and thread pools in the peers
  // Grow the batch until it lasts min_time; that batch is the first repeat.
  std::size_t iterations = 1;
  double t = seconds(iterations);
  while (t < min_time) {
    const double want = t > 0 ? std::ceil(static_cast<double>(iterations) * min_time * 1.2 / t) : 0.0;
    iterations = std::clamp(static_cast<std::size_t>(want), iterations * 2, iterations * 100);
    t = seconds(iterations);
  }
  std::vector<double> rates{static_cast<double>(n * iterations) / t / 1e9};
  for (int r = 1; r < repeats; ++r) rates.push_back(static_cast<double>(n * iterations) / seconds(iterations) / 1e9);
  std::ranges::sort(rates);
  return rates[rates.size() / 2];
}

}  // namespace actfn::bench
