// actfn's activations on PyTorch tensors: the compute (tensor → span calls into actfn's kernels),
// the autograd function, and the operators registered as torch.ops.actfn.*.
//
// Shapes, strides, dtypes and devices are settled here; the kernels see flat contiguous spans.
// Element-wise activations run on the whole tensor; learnable parameters are either shared (their
// values written into the Activation, gradients summed by actfn::backward's dparams) or per channel
// (actfn's Channels layout: [outer, channels, inner] around `dim`); vector-wise ones run along
// `dim` (actfn's Axis layout). bf16/f16 data take actfn's 16-bit path where it exists (element-wise,
// no parameter gradient) and are otherwise computed in float and rounded once.
#include <torch/csrc/autograd/VariableTypeUtils.h>
#include <torch/library.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <type_traits>
#include <utility>

#include "actfn/torch.hpp"

namespace actfn::torch {
namespace {

/// parse() costs about a microsecond; a layer calls with the same spec every step, so each
/// thread keeps the specs it has seen (bounded: a program building specs on the fly stays small).
const actfn::Activation& parsed(std::string_view spec) {
  thread_local std::map<std::string, actfn::Activation, std::less<>> cache;
  if (const auto it = cache.find(spec); it != cache.end()) return it->second;
  actfn::Activation act = actfn::parse(spec);
  if (cache.size() >= 256) cache.clear();
  return cache.emplace(std::string(spec), act).first->second;
}

std::string tensor_what(const at::Tensor& t) {
  std::ostringstream s;
  s << t.scalar_type() << " on " << t.device();
  return s.str();
}

void check_tensor(const actfn::Activation& act, const at::Tensor& t, std::string_view name) {
  if (!t.defined()) throw Error(std::string(act.name()) + ": " + std::string(name) + " is an undefined tensor");
  if (!t.device().is_cpu())
    throw Error(std::string(act.name()) + ": actfn runs on CPU tensors only; " + std::string(name) + " is " +
                tensor_what(t));
  switch (t.scalar_type()) {
    case at::kFloat:
    case at::kDouble:
    case at::kBFloat16:
    case at::kHalf:
      return;
    default:
      throw Error(std::string(act.name()) + ": " + std::string(name) + " is " + tensor_what(t) +
                  "; actfn takes float32, float64, bfloat16 or float16");
  }
}

bool is_16bit(const at::Tensor& t) { return t.scalar_type() == at::kBFloat16 || t.scalar_type() == at::kHalf; }

/// Calls f.template operator()<T>() with T the actfn element type of `type`.
template <class F>
decltype(auto) with_element_type(at::ScalarType type, F&& f) {
  switch (type) {
    case at::kFloat:
      return f.template operator()<float>();
    case at::kDouble:
      return f.template operator()<double>();
    case at::kBFloat16:
      return f.template operator()<actfn::bf16>();
    default:  // at::kHalf: check_tensor let nothing else through
      return f.template operator()<actfn::f16>();
  }
}

// c10::BFloat16 and c10::Half are 16-bit containers with the same bit layout as actfn's.
template <class T>
std::span<const T> in_span(const at::Tensor& t) {
  return {static_cast<const T*>(t.data_ptr()), static_cast<std::size_t>(t.numel())};
}
template <class T>
std::span<T> out_span(at::Tensor& t) {
  return {static_cast<T*>(t.data_ptr()), static_cast<std::size_t>(t.numel())};
}

std::size_t product(at::IntArrayRef sizes, std::size_t from, std::size_t to) {
  std::size_t n = 1;
  for (std::size_t i = from; i < to; ++i) n *= static_cast<std::size_t>(sizes[i]);
  return n;
}

/// One call's plan: the activation with shared parameter values written in, and the layout.
struct Plan {
  explicit Plan(const actfn::Activation& a) : act(a) {}
  actfn::Activation act;
  enum class Layout { ElementWise, PerChannel, VectorWise } layout = Layout::ElementWise;
  actfn::Channels channels;
  actfn::Axis axis;
  std::int64_t dim = 0;      // the channel or vector dimension, normalised
  at::Tensor learned;        // per channel: C × count values, contiguous, in the compute type
  bool has_learned = false;  // a `learned` tensor was given (shared or per channel)
};

std::int64_t normalise_dim(const actfn::Activation& act, std::int64_t dim, std::int64_t rank) {
  const std::int64_t r = std::max<std::int64_t>(rank, 1);
  if (dim < -r || dim >= r)
    throw Error(std::string(act.name()) + ": dim " + std::to_string(dim) + " is out of range for a " +
                std::to_string(rank) + "-d tensor");
  return dim < 0 ? dim + r : dim;
}

Plan plan_for(std::string_view spec, const at::Tensor& x, const c10::optional<at::Tensor>& learned,
              c10::optional<std::int64_t> dim) {
  Plan plan(parsed(spec));
  actfn::Activation& act = plan.act;
  check_tensor(act, x, "x");
  const auto sizes = x.sizes();
  const std::size_t rank = sizes.size();
  if (act.info().vector_wise) {
    if (learned && learned->defined()) throw Error(std::string(act.name()) + " has no learnable parameters");
    plan.layout = Plan::Layout::VectorWise;
    plan.dim = normalise_dim(act, dim.value_or(-1), static_cast<std::int64_t>(rank));
    const auto d = static_cast<std::size_t>(plan.dim);
    plan.axis = rank == 0 ? actfn::Axis{1, 1, 1} : actfn::Axis{product(sizes, 0, d), product(sizes, d, d + 1),
                                                               product(sizes, d + 1, rank)};
    return plan;
  }
  if (!learned || !learned->defined()) return plan;
  const at::Tensor& w = *learned;
  check_tensor(act, w, "learned");
  const std::size_t count = actfn::learnable_count(act.kind());
  if (count == 0) throw Error(std::string(act.name()) + " has no learnable parameters");
  const auto total = static_cast<std::size_t>(w.numel());
  if (total == 0 || total % count != 0)
    throw Error(std::string(act.name()) + ": learned has " + std::to_string(total) + " values; expected channels × " +
                std::to_string(count));
  plan.has_learned = true;
  const std::size_t channels = total / count;
  // A declared channel count (PReLU's num_parameters) must agree with the tensor; the default 1
  // lets the tensor decide, as torch.nn.functional.prelu(x, weight) does.
  for (const ParamSpec& p : act.info().params)
    if (p.integer && p.name == "num_parameters" && act.param(p.name) != 1.0 &&
        static_cast<std::size_t>(act.param(p.name)) != channels)
      throw Error(std::string(act.name()) + ": learned has " + std::to_string(channels) +
                  " channels but the spec says num_parameters=" + std::to_string(static_cast<long long>(act.param(p.name))));
  if (channels == 1) {
    // Shared: the values become the Activation's parameters (validated like a spec's).
    const at::Tensor values = w.to(at::kDouble).contiguous();
    const double* v = values.data_ptr<double>();
    std::size_t k = 0;
    for (const ParamSpec& p : act.info().params)
      if (p.learnable) act.set_param(p.name, v[k++]);
    act.validate();
    return plan;
  }
  plan.layout = Plan::Layout::PerChannel;
  plan.dim = normalise_dim(act, dim.value_or(rank >= 2 ? 1 : 0), static_cast<std::int64_t>(rank));
  const auto d = static_cast<std::size_t>(plan.dim);
  if (rank == 0 || static_cast<std::size_t>(sizes[d]) != channels)
    throw Error(std::string(act.name()) + ": learned has " + std::to_string(channels) + " channels but x has " +
                (rank == 0 ? std::string("no dimensions") : std::to_string(sizes[d]) + " on dim " + std::to_string(d)));
  plan.channels = actfn::Channels{product(sizes, 0, d), channels, product(sizes, d + 1, rank)};
  plan.learned = w;
  return plan;
}

/// The output's sizes: x's, with the vector axis resized (glu halves it, maxout divides it).
std::vector<std::int64_t> output_sizes(const Plan& plan, const at::Tensor& x) {
  std::vector<std::int64_t> out(x.sizes().begin(), x.sizes().end());
  if (plan.layout == Plan::Layout::VectorWise && !out.empty())
    out[static_cast<std::size_t>(plan.dim)] =
        static_cast<std::int64_t>(actfn::output_axis(plan.act, static_cast<std::size_t>(x.size(plan.dim))));
  return out;
}

/// y = f(x) for contiguous x and y of x's dtype (y may be x).
void run_forward(const Plan& plan, const at::Tensor& x, at::Tensor& y) {
  with_element_type(x.scalar_type(), [&]<class T>() {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      switch (plan.layout) {
        case Plan::Layout::ElementWise:
          return actfn::forward<T>(plan.act, in_span<T>(x), out_span<T>(y));
        case Plan::Layout::PerChannel:
          return actfn::forward<T>(plan.act, plan.channels, in_span<T>(plan.learned), in_span<T>(x), out_span<T>(y));
        case Plan::Layout::VectorWise:
          return actfn::forward<T>(plan.act, plan.axis, in_span<T>(x), out_span<T>(y));
      }
    } else {
      actfn::forward<T>(plan.act, in_span<T>(x), out_span<T>(y));  // element-wise only (see compute_type)
    }
  });
}

/// The dtype actfn computes in: x's, except 16-bit data in layouts actfn has no 16-bit path for
/// (per channel, vector-wise) or with a parameter gradient: there float, rounded once at the end.
at::ScalarType compute_type(const Plan& plan, const at::Tensor& x, bool parameter_gradient) {
  if (is_16bit(x) && (plan.layout != Plan::Layout::ElementWise || parameter_gradient)) return at::kFloat;
  return x.scalar_type();
}

at::Tensor forward_compute(const Plan& plan_in, const at::Tensor& x) {
  Plan plan = plan_in;
  const at::ScalarType type = compute_type(plan, x, false);
  const at::Tensor xc = (type == x.scalar_type() ? x : x.to(type)).contiguous();
  if (plan.layout == Plan::Layout::PerChannel) plan.learned = plan.learned.to(type).contiguous();
  at::Tensor y = at::empty(output_sizes(plan, x), xc.options());
  run_forward(plan, xc, y);
  return type == x.scalar_type() ? y : y.to(x.scalar_type());
}

/// dx (x's shape) and the parameter gradient (learned's shape and dtype, or undefined).
std::tuple<at::Tensor, at::Tensor> backward_compute(const Plan& plan_in, const at::Tensor& dy, const at::Tensor& saved,
                                                    const c10::optional<at::Tensor>& learned, bool from_y,
                                                    bool learned_grad) {
  Plan plan = plan_in;
  const actfn::Activation& act = plan.act;
  check_tensor(act, dy, "dy");
  if (from_y && !act.backward_from_y())
    throw Error(std::string(act.name()) + ": backward cannot run from y for these parameters; pass x");
  const bool want_dlearned = learned_grad && plan.has_learned;
  const at::ScalarType type = compute_type(plan, saved, want_dlearned);
  const at::Tensor in = saved.to(type).contiguous();
  const at::Tensor g = dy.to(type).contiguous();
  if (plan.layout == Plan::Layout::PerChannel) plan.learned = plan.learned.to(type).contiguous();
  // dy has the output's shape: x's, except for vector-wise functions that resize the axis (glu,
  // maxout), whose backward needs x. From y (the softmax family) all three shapes agree.
  const std::vector<std::int64_t> x_sizes(saved.sizes().begin(), saved.sizes().end());
  const std::vector<std::int64_t> out_sizes = from_y ? x_sizes : output_sizes(plan, saved);
  if (g.sizes() != at::IntArrayRef(out_sizes))
    throw Error(std::string(act.name()) + " backward: dy has shape " + c10::str(dy.sizes()) + ", the output's is " +
                c10::str(at::IntArrayRef(out_sizes)));
  at::Tensor dx = at::empty(x_sizes, in.options());
  at::Tensor dlearned;
  with_element_type(type, [&]<class T>() {
    actfn::BackwardArgs<T> args;
    (from_y ? args.y : args.x) = in_span<T>(in);
    args.dy = in_span<T>(g);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      switch (plan.layout) {
        case Plan::Layout::ElementWise:
          if (want_dlearned) {
            dlearned = at::zeros({static_cast<std::int64_t>(actfn::learnable_count(act.kind()))}, in.options());
            return actfn::backward<T>(act, args, out_span<T>(dx), out_span<T>(dlearned));
          }
          return actfn::backward<T>(act, args, out_span<T>(dx));
        case Plan::Layout::PerChannel:
          if (want_dlearned) {
            dlearned = at::zeros({plan.learned.numel()}, in.options());
            return actfn::backward<T>(act, plan.channels, in_span<T>(plan.learned), args, out_span<T>(dx),
                                      out_span<T>(dlearned));
          }
          return actfn::backward<T>(act, plan.channels, in_span<T>(plan.learned), args, out_span<T>(dx));
        case Plan::Layout::VectorWise:
          return actfn::backward<T>(act, plan.axis, args, out_span<T>(dx));
      }
    } else {
      actfn::backward<T>(act, args, out_span<T>(dx));
    }
  });
  if (type != saved.scalar_type()) dx = dx.to(saved.scalar_type());
  if (dlearned.defined()) dlearned = dlearned.reshape(learned->sizes()).to(learned->scalar_type());
  return {dx, dlearned};
}

/// Which tensor backward keeps. x, for accuracy: f' from y cancels where the function saturates
/// (sigmoid's y(1 - y) is 0 in float once y rounds to 1, at x = 17, where f' is 4e-8). y only where
/// nothing else is possible: the softmax family (whose backward the registry defines from y) and
/// in-place calls, which overwrite x — the memory-saving choice, as torch's own kernels make.
bool keep_y(const Plan& plan, bool inplace) {
  if (plan.layout == Plan::Layout::VectorWise) return plan.act.info().backward_needs == Needs::Y;
  return inplace && !plan.has_learned && plan.act.backward_from_y();
}

/// Whether the autograd node keeps f'(x) instead of x: element-wise calls without a learned tensor
/// on f32 or f64 data whose activation has a one-pass forward-and-slope kernel. Backward is then
/// dx = dy·f'(x), one multiply, and forward shares f and f''s common work (for GELU an
/// exponential and a fold): the pair costs ~1.5 forwards instead of forward plus backward. The
/// slope is the tensor backward from x would compute for dy = 1, so dx differs from that path's
/// only by the product's rounding (f32-via-f64 kernels round f' first, then dy·f').
bool keeps_slope(const Plan& plan, const at::Tensor& x) {
  if (plan.layout != Plan::Layout::ElementWise || plan.has_learned) return false;
  return with_element_type(x.scalar_type(), [&]<class T>() {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) return actfn::has_slope_kernel<T>(plan.act);
    return false;
  });
}

/// y = f(x) and s = f'(x) for keeps_slope's calls.
std::pair<at::Tensor, at::Tensor> forward_and_slope(const Plan& plan, const at::Tensor& x) {
  const at::Tensor xc = x.contiguous();
  at::Tensor y = at::empty_like(xc), s = at::empty_like(xc);
  with_element_type(x.scalar_type(), [&]<class T>() {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>)
      actfn::forward_with_slope<T>(plan.act, in_span<T>(xc), out_span<T>(y), out_span<T>(s));
  });
  return {y, s};
}

using ::torch::autograd::AutogradContext;
using ::torch::autograd::variable_list;

/// The autograd node. Non-tensor arguments ride in saved_data; the one saved tensor is f'(x)
/// (keeps_slope), x or y.
struct ActivationFunction : ::torch::autograd::Function<ActivationFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const c10::optional<at::Tensor>& learned,
                            const std::string& spec, c10::optional<std::int64_t> dim, bool inplace) {
    const Plan plan = plan_for(spec, x, learned, dim);
    const bool from_y = keep_y(plan, inplace);
    at::Tensor y;
    if (inplace) {
      if (plan.layout == Plan::Layout::VectorWise && plan.act.kind() != Kind::Softmax && plan.act.kind() != Kind::LogSoftmax &&
          plan.act.kind() != Kind::Softmin)
        throw Error(std::string(plan.act.name()) + " changes the tensor's shape and cannot run in place");
      if (!from_y && x.requires_grad())
        throw Error(std::string(plan.act.name()) +
                    " in place: backward needs the input x, which in place overwrites; use the out-of-place call");
      at::Tensor x_mut = x;
      if (x.is_contiguous() && compute_type(plan, x, false) == x.scalar_type()) {
        Plan p = plan;
        if (p.layout == Plan::Layout::PerChannel) p.learned = p.learned.to(x.scalar_type()).contiguous();
        run_forward(p, x, x_mut);
      } else {
        x_mut.copy_(forward_compute(plan, x));
      }
      ctx->mark_dirty({x_mut});
      y = x_mut;
    } else if (keeps_slope(plan, x)) {
      auto [out, slope] = forward_and_slope(plan, x);
      ctx->saved_data["slope"] = true;
      ctx->save_for_backward({slope, at::Tensor()});
      return out;
    } else {
      y = forward_compute(plan, x);
    }
    ctx->saved_data["spec"] = spec;
    ctx->saved_data["dim"] = dim;
    ctx->saved_data["from_y"] = from_y;
    ctx->saved_data["slope"] = false;
    ctx->save_for_backward({from_y ? y : x, learned ? *learned : at::Tensor()});
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const variable_list saved = ctx->get_saved_variables();
    if (ctx->saved_data["slope"].toBool()) return {grad_outputs[0] * saved[0], at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    const std::string spec = ctx->saved_data["spec"].toStringRef();
    const auto dim = ctx->saved_data["dim"].toOptional<std::int64_t>();
    const bool from_y = ctx->saved_data["from_y"].toBool();
    const c10::optional<at::Tensor> learned = saved[1].defined() ? c10::optional<at::Tensor>(saved[1]) : c10::nullopt;
    const Plan plan = plan_for(spec, saved[0], learned, dim);
    auto [dx, dlearned] =
        backward_compute(plan, grad_outputs[0], saved[0], learned, from_y, learned && ctx->needs_input_grad(1));
    return {dx, dlearned, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

/// Whether a call records autograd history: only then is the autograd node worth its cost (on a
/// 64-element tensor it is most of the call).
bool records_history(const at::Tensor& x, const c10::optional<at::Tensor>& learned) {
  return at::GradMode::is_enabled() && (x.requires_grad() || (learned && learned->defined() && learned->requires_grad()));
}

at::Tensor forward(const at::Tensor& x, std::string_view spec, const c10::optional<at::Tensor>& learned,
                   c10::optional<std::int64_t> dim) {
  if (!records_history(x, learned)) return forward_compute(plan_for(spec, x, learned, dim), x);
  return ActivationFunction::apply(x, learned, std::string(spec), dim, false);
}

at::Tensor& forward_(at::Tensor& x, std::string_view spec, const c10::optional<at::Tensor>& learned,
                     c10::optional<std::int64_t> dim) {
  // torch's own check for in-place calls, made before x is written: the operators are
  // CompositeImplicitAutograd, so the one torch's in-place kernels make never runs for them. It
  // refuses, where the call records history, a leaf that requires grad, a view of one (at any
  // depth) and a view made under no_grad; under no_grad it lets everything through, as torch does.
  try {
    ::torch::autograd::check_inplace(x, records_history(x, learned));
  } catch (const c10::Error& e) {
    throw Error(std::string(parsed(spec).name()) + " in place: " + e.msg());
  }
  // apply returns x itself (marked dirty), now carrying the new autograd history.
  ActivationFunction::apply(x, learned, std::string(spec), dim, true);
  return x;
}

std::tuple<at::Tensor, at::Tensor> backward(const at::Tensor& dy, const at::Tensor& saved, std::string_view spec,
                                            const c10::optional<at::Tensor>& learned,
                                            c10::optional<std::int64_t> dim, bool from_y, bool learned_grad) {
  const at::NoGradGuard no_grad;
  const Plan plan = plan_for(spec, saved, learned, dim);
  return backward_compute(plan, dy, saved, learned, from_y, learned_grad);
}

Learnable learnable(std::string_view spec) {
  const actfn::Activation& act = parsed(spec);
  Learnable out;
  for (const ParamSpec& p : act.info().params) {
    if (p.learnable) {
      out.names.emplace_back(p.name);
      out.values.push_back(act.param(p.name));
    } else if (p.integer && p.name == "num_parameters") {
      out.channels = static_cast<std::int64_t>(act.param(p.name));
    }
  }
  return out;
}

namespace {

// ---- operators: torch.ops.actfn.* ------------------------------------------------------------------
// Registered without a dispatch key (CompositeImplicitAutograd): every call reaches these entry
// points, which run the autograd function above, so gradients work from C++ and Python alike and
// tensors on other devices get actfn's one-line error rather than a missing-kernel listing.

at::Tensor op_forward(const at::Tensor& x, c10::string_view spec, const c10::optional<at::Tensor>& learned,
                      c10::optional<std::int64_t> dim) {
  return forward(x, std::string_view(spec.data(), spec.size()), learned, dim);
}

at::Tensor& op_forward_(at::Tensor& x, c10::string_view spec, const c10::optional<at::Tensor>& learned,
                        c10::optional<std::int64_t> dim) {
  return forward_(x, std::string_view(spec.data(), spec.size()), learned, dim);
}

std::tuple<at::Tensor, at::Tensor> op_backward(const at::Tensor& dy, const at::Tensor& saved, c10::string_view spec,
                                               const c10::optional<at::Tensor>& learned,
                                               c10::optional<std::int64_t> dim, bool from_y, bool learned_grad) {
  return backward(dy, saved, std::string_view(spec.data(), spec.size()), learned, dim, from_y, learned_grad);
}

std::tuple<std::vector<std::string>, std::vector<double>, std::int64_t> op_learnable(c10::string_view spec) {
  Learnable l = learnable(std::string_view(spec.data(), spec.size()));
  return {std::move(l.names), std::move(l.values), l.channels};
}

/// (canonical spec, vector-wise, backward needs: "x", "y" or "either") — what the Python module
/// needs to know about a spec without reading the registry itself.
std::tuple<std::string, bool, std::string> op_describe(c10::string_view spec) {
  const actfn::Activation& act = parsed(std::string_view(spec.data(), spec.size()));
  const Needs needs = act.info().backward_needs;
  return {act.spec(), act.info().vector_wise, needs == Needs::X ? "x" : needs == Needs::Y ? "y" : "either"};
}

std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (const FunctionInfo& f : actfn::all()) names.emplace_back(f.name);
  return names;
}

}  // namespace
}  // namespace actfn::torch

TORCH_LIBRARY(actfn, m) {
  using namespace actfn::torch;
  m.def("forward(Tensor x, str spec, Tensor? learned=None, int? dim=None) -> Tensor", &op_forward);
  m.def("forward_(Tensor(a!) x, str spec, Tensor? learned=None, int? dim=None) -> Tensor(a!)", &op_forward_);
  m.def("backward(Tensor dy, Tensor saved, str spec, Tensor? learned=None, int? dim=None, bool from_y=False, "
        "bool learned_grad=True) -> (Tensor, Tensor)",
        &op_backward);
  m.def("learnable(str spec) -> (str[], float[], int)", &op_learnable);
  m.def("describe(str spec) -> (str, bool, str)", &op_describe);
  m.def("names() -> str[]", &op_names);
}
