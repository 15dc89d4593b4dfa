// libtorch's ATen CPU kernels as a bench peer. Calls the `*_out` variants into the preallocated
// buffers where ATen has a real out kernel; where it only has a functional kernel (prelu,
// prelu_backward, mish_backward, hardswish_backward) its generated `_out` is that kernel plus a copy,
// so the functional form (which allocates its result, as in a model) is torch's fastest path.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <memory>

#include "harness.hpp"

namespace actfn::bench {

namespace {

at::Tensor tensor(std::span<const float> s, const Data& d, bool per_channel) {
  const auto i = [](std::size_t v) { return static_cast<std::int64_t>(v); };
  std::vector<std::int64_t> shape{i(s.size())};
  if (per_channel) shape = {i(d.layout.outer), i(d.layout.channels), i(d.layout.inner)};
  // from_blob wraps the bench's memory without copying; torch never writes through x, y or dy.
  return at::from_blob(const_cast<float*>(s.data()), shape, at::TensorOptions().dtype(at::kFloat));
}

/// What ATen has for one activation: forward (x -> out), backward from x (dy, x -> dx) and from y
/// (dy, y -> dx). An empty member: no ATen kernel with actfn's semantics.
struct Ops {
  Run fwd, bx, by;
};

struct Tensors {
  at::Tensor x, y, dy, out, dx, weight, extra;
};

Ops ops(const Case& c, const std::shared_ptr<Tensors>& t) {
  const Activation& a = c.act;
  const auto p = [&a](const char* name) { return a.param(name); };
  const bool defaults = a == Activation(a.kind());
  switch (a.kind()) {
    case Kind::Sigmoid:
      return {[t] { at::sigmoid_out(t->out, t->x); }, {}, [t] { at::sigmoid_backward_out(t->dx, t->dy, t->y); }};
    case Kind::Tanh:
      return {[t] { at::tanh_out(t->out, t->x); }, {}, [t] { at::tanh_backward_out(t->dx, t->dy, t->y); }};
    case Kind::LogSigmoid:
      // ATen's forward also writes a buffer (exp(-|x|) terms) that its backward reads.
      t->extra = at::empty_like(t->x);
      at::log_sigmoid_forward_out(t->out, t->extra, t->x);
      return {[t] { at::log_sigmoid_forward_out(t->out, t->extra, t->x); },
              [t] { at::log_sigmoid_backward_out(t->dx, t->dy, t->x, t->extra); }, {}};
    case Kind::HardSigmoid:  // ATen's slope and offset are fixed at actfn's defaults (1/6, 1/2)
      if (!defaults) return {};
      return {[t] { at::hardsigmoid_out(t->out, t->x); }, [t] { at::hardsigmoid_backward_out(t->dx, t->dy, t->x); }, {}};
    case Kind::Hardtanh:
    case Kind::ClippedRelu: {  // relu6 is hardtanh(0, 6) in torch
      const double lo = a.kind() == Kind::Hardtanh ? p("min_val") : 0.0;
      const double hi = a.kind() == Kind::Hardtanh ? p("max_val") : p("ceiling");
      return {[t, lo, hi] { at::hardtanh_out(t->out, t->x, lo, hi); },
              [t, lo, hi] { at::hardtanh_backward_out(t->dx, t->dy, t->x, lo, hi); }, {}};
    }
    case Kind::Relu:  // torch.relu is clamp_min(x, 0); its autograd calls threshold_backward on y
      return {[t] { at::clamp_min_out(t->out, t->x, 0); }, [t] { at::threshold_backward_out(t->dx, t->dy, t->x, 0); },
              [t] { at::threshold_backward_out(t->dx, t->dy, t->y, 0); }};
    case Kind::LeakyRelu: {
      const double s = p("negative_slope");
      return {[t, s] { at::leaky_relu_out(t->out, t->x, s); },
              [t, s] { at::leaky_relu_backward_out(t->dx, t->dy, t->x, s, false); },
              [t, s] { at::leaky_relu_backward_out(t->dx, t->dy, t->y, s, true); }};
    }
    case Kind::Prelu: {
      // Element-wise PReLU (one weight) has no plain backward in ATen: prelu_backward always
      // computes the weight gradient, which actfn's element-wise backward leaves out.
      Ops o{[t] { t->out = at::prelu(t->x, t->weight); }, {}, {}};
      if (c.channels > 1)
        o.bx = [t] { std::tie(t->dx, t->extra) = at::prelu_backward(t->dy, t->x, t->weight); };
      return o;
    }
    case Kind::Threshold: {
      const double th = p("threshold"), v = p("value");
      return {[t, th, v] { at::threshold_out(t->out, t->x, th, v); },
              [t, th] { at::threshold_backward_out(t->dx, t->dy, t->x, th); }, {}};
    }
    case Kind::Elu:
    case Kind::Celu:
    case Kind::Selu: {
      // torch's celu is elu with input_scale 1/alpha; selu is elu with its two fixed constants.
      double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946, in = 1.0;
      if (a.kind() != Kind::Selu) {
        alpha = p("alpha");
        scale = 1.0;
        in = a.kind() == Kind::Celu ? 1.0 / alpha : 1.0;
      }
      return {[t, alpha, scale, in] { at::elu_out(t->out, t->x, alpha, scale, in); },
              [t, alpha, scale, in] { at::elu_backward_out(t->dx, t->dy, alpha, scale, in, false, t->x); },
              [t, alpha, scale, in] { at::elu_backward_out(t->dx, t->dy, alpha, scale, in, true, t->y); }};
    }
    case Kind::Gelu:
    case Kind::GeluTanh: {
      const char* approximate = a.kind() == Kind::Gelu ? "none" : "tanh";
      return {[t, approximate] { at::gelu_out(t->out, t->x, approximate); },
              [t, approximate] { at::gelu_backward_out(t->dx, t->dy, t->x, approximate); }, {}};
    }
    case Kind::Silu:
      return {[t] { at::silu_out(t->out, t->x); }, [t] { at::silu_backward_out(t->dx, t->dy, t->x); }, {}};
    case Kind::Hardswish:
      return {[t] { at::hardswish_out(t->out, t->x); }, [t] { t->dx = at::hardswish_backward(t->dy, t->x); }, {}};
    case Kind::Mish:
      return {[t] { at::mish_out(t->out, t->x); }, [t] { t->dx = at::mish_backward(t->dy, t->x); }, {}};
    case Kind::Softplus: {
      const double beta = p("beta"), th = p("threshold");
      return {[t, beta, th] { at::softplus_out(t->out, t->x, beta, th); },
              [t, beta, th] { at::softplus_backward_out(t->dx, t->dy, t->x, beta, th); }, {}};
    }
    case Kind::Hardshrink:
    case Kind::Softshrink: {
      const double l = p("lambd");
      if (a.kind() == Kind::Hardshrink)
        return {[t, l] { at::hardshrink_out(t->out, t->x, l); },
                [t, l] { at::hardshrink_backward_out(t->dx, t->dy, t->x, l); }, {}};
      return {[t, l] { at::softshrink_out(t->out, t->x, l); },
              [t, l] { at::softshrink_backward_out(t->dx, t->dy, t->x, l); }, {}};
    }
    default:  // no ATen operator (step, softsign, tanhshrink, squareplus, swish with beta, ...)
      return {};
  }
}

Run prepare(const Case& c, const Data& d) {
  const bool per_channel = c.channels > 1;
  auto t = std::make_shared<Tensors>();
  t->x = tensor(d.x, d, per_channel);
  t->y = tensor(d.y, d, per_channel);
  t->dy = tensor(d.dy, d, per_channel);
  t->out = tensor(d.out, d, per_channel);
  t->dx = tensor(d.dx, d, per_channel);
  if (c.act.kind() == Kind::Prelu)
    t->weight = per_channel ? tensor(d.learned, d, false) : at::full({1}, c.act.param("weight"));
  const Ops o = ops(c, t);
  switch (c.direction) {
    case Direction::Forward: return o.fwd;
    case Direction::BackwardX: return o.bx;
    case Direction::BackwardY: return o.by;
    case Direction::ForwardBackward:
      if (!o.fwd || !o.bx) return {};
      return [o] {
        o.fwd();
        o.bx();
      };
  }
  return {};
}

}  // namespace

Impl torch_impl() {
  return {.name = "libtorch",
          .version = TORCH_VERSION,
          .peer = true,
          .set_threads = [](unsigned n) { at::set_num_threads(static_cast<int>(n)); },
          .prepare = prepare};
}

}  // namespace actfn::bench
