// XNNPACK's f32 NC operators (softmax among them) as a bench peer: an inference library, so forward
// only. Threads come from a pthreadpool of the requested size (none for one thread: XNNPACK then
// runs on the caller).
#include <xnnpack.h>
#include <pthreadpool.h>

#include <limits>
#include <map>
#include <memory>
#include <vector>

#include "harness.hpp"

namespace actfn::bench {

namespace {

using Pool = std::unique_ptr<pthreadpool, decltype(&pthreadpool_destroy)>;

struct State {
  unsigned threads = 1;
  std::map<unsigned, Pool> pools;
  pthreadpool_t pool() {
    if (threads <= 1) return nullptr;
    auto it = pools.find(threads);
    if (it == pools.end()) it = pools.emplace(threads, Pool(pthreadpool_create(threads), pthreadpool_destroy)).first;
    return it->second.get();
  }
};

void check(xnn_status s, const char* what) {
  if (s != xnn_status_success) throw Error(std::string("xnnpack: ") + what + " failed (status " + std::to_string(s) + ")");
}

using Operator = std::shared_ptr<xnn_operator>;

/// The operator computing actfn's function at these parameters, viewed as `batch` rows of
/// `channels`; null where XNNPACK has none. Creation functions take (channels, input stride,
/// output stride, [parameters], flags, &op).
Operator create(const Activation& a, std::size_t channels, std::span<const float> weights) {
  xnn_operator_t op = nullptr;
  const std::size_t C = channels;
  const auto p = [&a](const char* name) { return static_cast<float>(a.param(name)); };
  constexpr float inf = std::numeric_limits<float>::infinity();
  switch (a.kind()) {
    case Kind::Sigmoid: check(xnn_create_sigmoid_nc_f32(C, C, C, 0, &op), "create sigmoid"); break;
    case Kind::Elu: check(xnn_create_elu_nc_f32(C, C, C, p("alpha"), 0, &op), "create elu"); break;
    case Kind::LeakyRelu:
      check(xnn_create_leaky_relu_nc_f32(C, C, C, p("negative_slope"), 0, &op), "create leaky_relu");
      break;
    case Kind::Hardswish: check(xnn_create_hardswish_nc_f32(C, C, C, 0, &op), "create hardswish"); break;
    case Kind::Relu: check(xnn_create_clamp_nc_f32(C, C, C, 0.0f, inf, 0, &op), "create clamp"); break;
    case Kind::ClippedRelu: check(xnn_create_clamp_nc_f32(C, C, C, 0.0f, p("ceiling"), 0, &op), "create clamp"); break;
    case Kind::Hardtanh:
      check(xnn_create_clamp_nc_f32(C, C, C, p("min_val"), p("max_val"), 0, &op), "create clamp");
      break;
    case Kind::Prelu: check(xnn_create_prelu_nc_f32(C, C, C, weights.data(), 0, &op), "create prelu"); break;
    case Kind::Softmax: check(xnn_create_softmax_nc_f32(C, C, C, 0, &op), "create softmax"); break;
    default: return nullptr;  // 2022-02 has no tanh, gelu, silu, ... operators
  }
  return {op, xnn_delete_operator};
}

xnn_status setup(const Activation& a, xnn_operator_t op, std::size_t batch, const float* x, float* y,
                 pthreadpool_t pool) {
  switch (a.kind()) {
    case Kind::Sigmoid: return xnn_setup_sigmoid_nc_f32(op, batch, x, y, pool);
    case Kind::Elu: return xnn_setup_elu_nc_f32(op, batch, x, y, pool);
    case Kind::LeakyRelu: return xnn_setup_leaky_relu_nc_f32(op, batch, x, y, pool);
    case Kind::Hardswish: return xnn_setup_hardswish_nc_f32(op, batch, x, y, pool);
    case Kind::Prelu: return xnn_setup_prelu_nc_f32(op, batch, x, y, pool);
    case Kind::Softmax: return xnn_setup_softmax_nc_f32(op, batch, x, y, pool);
    default: return xnn_setup_clamp_nc_f32(op, batch, x, y, pool);
  }
}

Run prepare(State& state, const Case& c, const Data& d) {
  if (c.direction != Direction::Forward) return {};
  // Element-wise operators see one contiguous row. PReLU is NHWC in XNNPACK (channels innermost,
  // actfn's is NCHW): the same work per element. Element-wise PReLU repeats its one weight over 64
  // channels, as XNNPACK runs rows of one element slowly.
  std::size_t channels = 1;
  std::vector<float> weights(d.learned.begin(), d.learned.end());  // XNNPACK packs its own copy
  if (c.row != 0) {  // vector-wise: softmax over rows of `row` channels, nothing else
    if (c.act.kind() != Kind::Softmax) return {};
    channels = c.row;
  } else if (c.act.kind() == Kind::Softmax) {
    return {};
  } else if (c.act.kind() == Kind::Prelu && c.channels == 1) {
    channels = d.n % 64 == 0 ? 64 : 1;
    weights.assign(channels, static_cast<float>(c.act.param("weight")));
  } else if (c.channels > 1) {
    channels = c.channels;
  }
  Operator op = create(c.act, channels, weights);
  if (!op) return {};
  pthreadpool_t pool = state.pool();
  check(setup(c.act, op.get(), d.n / channels, d.x.data(), d.out.data(), pool), "setup");
  return [op, pool] { check(xnn_run_operator(op.get(), pool), "run"); };
}

}  // namespace

Impl xnnpack_impl() {
  check(xnn_initialize(nullptr), "initialize");
  auto state = std::make_shared<State>();
  return {.name = "xnnpack",
          .version = "2022-02",
          .peer = true,
          .set_threads = [state](unsigned n) { state->threads = n; },
          .prepare = [state](const Case& c, const Data& d) { return prepare(*state, c, d); }};
}

}  // namespace actfn::bench
