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

/// The vector-wise operators ATen has, over the rows of d (dim 1 of a rows × row matrix): softmax
/// and log_softmax (backward from y), glu (backward from x). Softmin, the other gated units and
/// maxout are no ATen operators; they run as the ATen calls a PyTorch model makes for them
/// (softmax of -x; a·gate(b) and its autograd's gate backward; max over a view), into buffers
/// allocated here once.
Run prepare_rows(const Case& c, const Data& d) {
  const auto i = [](std::size_t v) { return static_cast<std::int64_t>(v); };
  const std::int64_t rows = i(d.rows.outer), in = i(d.rows.axis), out = i(d.out.size() / d.rows.outer);
  const auto matrix = [&](const float* p, std::int64_t cols) {
    return at::from_blob(const_cast<float*>(p), {rows, cols}, at::TensorOptions().dtype(at::kFloat));
  };
  auto t = std::make_shared<Tensors>();
  t->x = matrix(d.x.data(), in);
  t->y = matrix(d.y.data(), out);
  t->dy = matrix(d.dy.data(), out);
  t->out = matrix(d.out.data(), out);
  t->dx = matrix(d.dx.data(), in);
  const bool fwd = c.direction == Direction::Forward;
  switch (c.act.kind()) {
    case Kind::Softmax:
      if (fwd) return [t] { at::_softmax_out(t->out, t->x, 1, false); };
      return [t] { at::_softmax_backward_data_out(t->dx, t->dy, t->y, 1, at::kFloat); };
    case Kind::LogSoftmax:
      if (fwd) return [t] { at::_log_softmax_out(t->out, t->x, 1, false); };
      return [t] { at::_log_softmax_backward_data_out(t->dx, t->dy, t->y, 1, at::kFloat); };
    case Kind::Glu:
      if (fwd) return [t] { at::glu_out(t->out, t->x, 1); };
      return [t] { at::glu_backward_out(t->dx, t->dy, t->x, 1); };
    case Kind::Softmin:
      if (!fwd) return {};  // softmax's backward then a negation: no kernel of its own
      t->extra = at::empty_like(t->x);
      return [t] { at::_softmax_out(t->out, at::neg_out(t->extra, t->x), 1, false); };
    case Kind::Swiglu:
    case Kind::Geglu:
    case Kind::Reglu: {
      const Kind gate = c.act.kind();
      const auto a = t->x.narrow(1, 0, out), b = t->x.narrow(1, out, out);
      t->extra = at::empty({rows, out});
      if (fwd)
        return [t, gate, a, b] {
          if (gate == Kind::Swiglu) at::silu_out(t->extra, b);
          else if (gate == Kind::Geglu) at::gelu_out(t->extra, b);
          else at::clamp_min_out(t->extra, b, 0);
          at::mul_out(t->out, a, t->extra);
        };
      // da = dy·gate(b) and db = gate'(b)·(dy·a), written into dx's halves.
      auto da = t->dx.narrow(1, 0, out), db = t->dx.narrow(1, out, out);
      auto g = std::make_shared<at::Tensor>(at::empty({rows, out}));
      return [t, gate, a, b, da, db, g]() mutable {
        if (gate == Kind::Swiglu) at::silu_out(t->extra, b);
        else if (gate == Kind::Geglu) at::gelu_out(t->extra, b);
        else at::clamp_min_out(t->extra, b, 0);
        at::mul_out(da, t->dy, t->extra);
        at::mul_out(*g, t->dy, a);
        if (gate == Kind::Swiglu) at::silu_backward_out(db, *g, b);
        else if (gate == Kind::Geglu) at::gelu_backward_out(db, *g, b);
        else at::threshold_backward_out(db, *g, b, 0);
      };
    }
    case Kind::Maxout: {
      if (!fwd) return {};
      const std::int64_t k = in / out;
      auto indices = std::make_shared<at::Tensor>(at::empty({rows, out}, at::kLong));
      return [t, k, rows, out, indices] { at::max_out(t->out, *indices, t->x.view({rows, out, k}), 2); };
    }
    default:
      return {};
  }
}

Run prepare(const Case& c, const Data& d) {
  if (c.row != 0) return prepare_rows(c, d);
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
