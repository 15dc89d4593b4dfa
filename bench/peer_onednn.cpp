// oneDNN's eltwise, prelu and softmax_v2 primitives as a bench peer (f32, plain layout, CPU
// engine). Debian's libdnnl is built on OpenMP, so its thread count is OpenMP's.
#include <omp.h>

#include <memory>
#include <optional>
#include <unordered_map>

#include <oneapi/dnnl/dnnl.hpp>

#include "harness.hpp"

namespace actfn::bench {

namespace {

using dnnl::algorithm;
using dnnl::memory;
using dnnl::prop_kind;

/// An eltwise algorithm for the forward and backward-from-x passes, and its `_use_dst_for_bwd`
/// twin for backward from y (undef where oneDNN has none).
struct Eltwise {
  algorithm alg, from_y = algorithm::undef;
  float alpha = 0, beta = 0;
};

/// oneDNN's algorithm for an activation at these parameters, when its formula is actfn's.
std::optional<Eltwise> eltwise_of(const Activation& a) {
  const auto p = [&a](const char* name) { return static_cast<float>(a.param(name)); };
  switch (a.kind()) {
    case Kind::Relu: return Eltwise{algorithm::eltwise_relu, algorithm::eltwise_relu_use_dst_for_bwd};
    case Kind::LeakyRelu:  // relu's alpha is the negative slope
      return Eltwise{algorithm::eltwise_relu, algorithm::eltwise_relu_use_dst_for_bwd, p("negative_slope")};
    case Kind::Sigmoid: return Eltwise{algorithm::eltwise_logistic, algorithm::eltwise_logistic_use_dst_for_bwd};
    case Kind::Tanh: return Eltwise{algorithm::eltwise_tanh, algorithm::eltwise_tanh_use_dst_for_bwd};
    case Kind::Elu: return Eltwise{algorithm::eltwise_elu, algorithm::eltwise_elu_use_dst_for_bwd, p("alpha")};
    case Kind::Celu:  // celu is elu only at alpha = 1 (oneDNN has no input scale)
      if (a.param("alpha") != 1.0) return std::nullopt;
      return Eltwise{algorithm::eltwise_elu, algorithm::eltwise_elu_use_dst_for_bwd, 1.0f};
    case Kind::Hardtanh:
      return Eltwise{algorithm::eltwise_clip_v2, algorithm::eltwise_clip_v2_use_dst_for_bwd, p("min_val"), p("max_val")};
    case Kind::ClippedRelu:
      return Eltwise{algorithm::eltwise_clip_v2, algorithm::eltwise_clip_v2_use_dst_for_bwd, 0.0f, p("ceiling")};
    case Kind::Gelu: return Eltwise{algorithm::eltwise_gelu_erf};
    case Kind::GeluTanh: return Eltwise{algorithm::eltwise_gelu_tanh};
    case Kind::Silu: return Eltwise{algorithm::eltwise_swish, algorithm::undef, 1.0f};  // x sigmoid(alpha x)
    case Kind::Swish: return Eltwise{algorithm::eltwise_swish, algorithm::undef, p("beta")};
    case Kind::Hardswish: return Eltwise{algorithm::eltwise_hardswish};  // 2.6: x relu6(x + 3) / 6, no alpha/beta
    case Kind::Mish: return Eltwise{algorithm::eltwise_mish};
    case Kind::LogSigmoid: return Eltwise{algorithm::eltwise_logsigmoid};
    case Kind::Softplus:
      // 2.6's soft_relu is log(1 + e^x): beta = 1 only. It has no linear branch above `threshold`
      // (20), where log1p(e^x) rounds to x in f32 anyway.
      if (a.param("beta") != 1.0) return std::nullopt;
      return Eltwise{algorithm::eltwise_soft_relu};
    case Kind::Identity: return Eltwise{algorithm::eltwise_linear, algorithm::undef, 1.0f, 0.0f};
    default:  // no such algorithm (hardsigmoid arrives in 2.7; selu, shrinkage, softsign, ...)
      return std::nullopt;
  }
}

struct Engine {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};
Engine& cpu() {
  static Engine e;
  return e;
}

memory wrap(const memory::desc& md, std::span<const float> s) {
  return {md, cpu().engine, const_cast<float*>(s.data())};  // oneDNN only reads the inputs
}

/// A primitive with its arguments; one execute per pass.
struct Step {
  dnnl::primitive primitive;
  std::unordered_map<int, memory> args;
};

Run run_steps(std::vector<Step> steps) {
  auto s = std::make_shared<std::vector<Step>>(std::move(steps));
  return [s] {
    for (Step& step : *s) step.primitive.execute(cpu().stream, step.args);
    cpu().stream.wait();
  };
}

Run eltwise(const Case& c, const Data& d) {
  const auto e = eltwise_of(c.act);
  if (!e) return {};
  const memory::desc md({static_cast<memory::dim>(d.n)}, memory::data_type::f32, memory::format_tag::a);
  const auto fwd = [&](prop_kind kind, algorithm alg) {
    return dnnl::eltwise_forward::primitive_desc({kind, alg, md, e->alpha, e->beta}, cpu().engine);
  };
  const auto bwd = [&](algorithm alg, int data_arg, std::span<const float> data) {
    const dnnl::eltwise_backward::primitive_desc pd({alg, md, md, e->alpha, e->beta}, cpu().engine,
                                                    fwd(prop_kind::forward_training, alg));
    return Step{dnnl::eltwise_backward(pd), {{data_arg, wrap(md, data)},
                                             {DNNL_ARG_DIFF_DST, wrap(md, d.dy)},
                                             {DNNL_ARG_DIFF_SRC, wrap(md, d.dx)}}};
  };
  const Step forward{dnnl::eltwise_forward(fwd(prop_kind::forward_inference, e->alg)),
                     {{DNNL_ARG_SRC, wrap(md, d.x)}, {DNNL_ARG_DST, wrap(md, d.out)}}};
  switch (c.direction) {
    case Direction::Forward: return run_steps({forward});
    case Direction::BackwardX: return run_steps({bwd(e->alg, DNNL_ARG_SRC, d.x)});
    case Direction::BackwardY:
      if (e->from_y == algorithm::undef) return {};
      return run_steps({bwd(e->from_y, DNNL_ARG_DST, d.y)});
    case Direction::ForwardBackward: return run_steps({forward, bwd(e->alg, DNNL_ARG_SRC, d.x)});
  }
  return {};
}

/// The softmax_v2 primitive over the rows (axis 1 of rows × row): softmax and log_softmax, forward
/// and backward from y (dst); softmin and the rest have no algorithm.
Run softmax(const Case& c, const Data& d) {
  const Kind k = c.act.kind();
  if (k != Kind::Softmax && k != Kind::LogSoftmax) return {};
  const algorithm alg = k == Kind::Softmax ? algorithm::softmax_accurate : algorithm::softmax_log;
  const memory::desc md({static_cast<memory::dim>(d.rows.outer), static_cast<memory::dim>(d.rows.axis)},
                        memory::data_type::f32, memory::format_tag::ab);
  const auto fwd = [&](prop_kind kind) {
    return dnnl::softmax_v2_forward::primitive_desc({kind, alg, md, md, 1}, cpu().engine);
  };
  if (c.direction == Direction::Forward)
    return run_steps({Step{dnnl::softmax_v2_forward(fwd(prop_kind::forward_inference)),
                           {{DNNL_ARG_SRC, wrap(md, d.x)}, {DNNL_ARG_DST, wrap(md, d.out)}}}});
  if (c.direction != Direction::BackwardY) return {};
  const dnnl::softmax_v2_backward::primitive_desc pd({alg, md, md, md, 1}, cpu().engine,
                                                     fwd(prop_kind::forward_training));
  return run_steps({Step{dnnl::softmax_v2_backward(pd), {{DNNL_ARG_DST, wrap(md, d.y)},
                                                         {DNNL_ARG_DIFF_DST, wrap(md, d.dy)},
                                                         {DNNL_ARG_DIFF_SRC, wrap(md, d.dx)}}}});
}

/// The prelu primitive: N × C × H·W data with one weight per channel; its backward always computes
/// the weight gradient too, so element-wise PReLU (one weight) gets the forward only.
Run prelu(const Case& c, const Data& d) {
  const auto dim = [](std::size_t v) { return static_cast<memory::dim>(v); };
  const memory::desc md({dim(d.layout.outer), dim(d.layout.channels), dim(d.layout.inner)}, memory::data_type::f32,
                        memory::format_tag::abc);
  const memory::desc wd({1, dim(d.layout.channels), 1}, memory::data_type::f32, memory::format_tag::abc);
  // Element-wise: one weight broadcast over everything (the bench's learned values are per channel).
  auto scalar = std::make_shared<float>(static_cast<float>(c.act.param("weight")));
  const memory weights = c.channels > 1 ? wrap(wd, d.learned) : memory(wd, cpu().engine, scalar.get());
  const auto fwd = [&](prop_kind kind) { return dnnl::prelu_forward::primitive_desc({kind, md, wd}, cpu().engine); };
  const Step forward{dnnl::prelu_forward(fwd(prop_kind::forward_inference)),
                     {{DNNL_ARG_SRC, wrap(md, d.x)}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, wrap(md, d.out)}}};
  const auto backward = [&] {
    const dnnl::prelu_backward::primitive_desc pd({md, wd, md, wd}, cpu().engine, fwd(prop_kind::forward_training));
    return Step{dnnl::prelu_backward(pd),
                {{DNNL_ARG_SRC, wrap(md, d.x)},
                 {DNNL_ARG_WEIGHTS, weights},
                 {DNNL_ARG_DIFF_DST, wrap(md, d.dy)},
                 {DNNL_ARG_DIFF_SRC, wrap(md, d.dx)},
                 {DNNL_ARG_DIFF_WEIGHTS, wrap(wd, d.dlearned)}}};
  };
  Run run;
  switch (c.direction) {
    case Direction::Forward: run = run_steps({forward}); break;
    case Direction::BackwardX: if (c.channels > 1) run = run_steps({backward()}); break;
    case Direction::BackwardY: break;
    case Direction::ForwardBackward: if (c.channels > 1) run = run_steps({forward, backward()}); break;
  }
  if (!run) return {};
  return [run, scalar] { run(); };  // keeps the scalar weight alive
}

}  // namespace

Impl onednn_impl() {
  const dnnl_version_t* v = dnnl_version();
  return {.name = "onednn",
          .version = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch),
          .peer = true,
          .set_threads = [](unsigned n) { omp_set_num_threads(static_cast<int>(n)); },
          .prepare = [](const Case& c, const Data& d) {
            if (c.row != 0) return softmax(c, d);
            return c.act.kind() == Kind::Prelu ? prelu(c, d) : eltwise(c, d);
          }};
}

}  // namespace actfn::bench
