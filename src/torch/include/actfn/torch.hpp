// actfn for PyTorch (libtorch): every activation of the registry as an autograd-aware function and
// a torch::nn::Module, on actfn's kernels. The same functions are registered as PyTorch operators
// (torch.ops.actfn.*, see src/torch/ops.cpp), which is how Python reaches them.
//
// Tensors: CPU, float32/float64/bfloat16/float16, any shape, contiguous or strided (strided inputs
// are made contiguous first). Learnable parameters travel in one tensor `learned` holding
// C × learnable_count values, channel-major: C = 1 shares them over the whole tensor, C > 1 gives
// every channel its own (the channel dimension is `dim`, by default 1, or 0 for 1-D input; PReLU
// with num_parameters = C). `dim` is the axis of the vector-wise functions (default -1).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "actfn/actfn.hpp"

namespace actfn::torch {

/// y = f(x) for the activation `spec` ("mish", "leaky_relu(negative_slope=0.2)", ...), with
/// autograd: backward keeps one tensor, x (f' from x stays accurate where f saturates), or y for
/// the softmax family and in-place calls. Throws actfn::Error on a bad spec, dtype,
/// device, shape or parameter tensor.
at::Tensor forward(const at::Tensor& x, std::string_view spec, const c10::optional<at::Tensor>& learned = c10::nullopt,
                   c10::optional<std::int64_t> dim = c10::nullopt);
/// In place: x becomes f(x). With autograd only where backward can run from y (relu, sigmoid,
/// tanh, elu, ...): an in-place call whose backward needs x throws when x requires grad. As torch's
/// own in-place functions, and before writing anything, it throws (with torch's message) for a
/// leaf that requires grad, a view of one, or a view made under no_grad, unless grad mode is off.
at::Tensor& forward_(at::Tensor& x, std::string_view spec, const c10::optional<at::Tensor>& learned = c10::nullopt,
                     c10::optional<std::int64_t> dim = c10::nullopt);

/// The explicit backward (no autograd): dx = dy · f'(saved), with saved = x, or y when from_y
/// (only where act.backward_from_y()); and the gradient of `learned` (same shape and dtype) when
/// learned_grad and learned is given, else an undefined tensor.
std::tuple<at::Tensor, at::Tensor> backward(const at::Tensor& dy, const at::Tensor& saved, std::string_view spec,
                                            const c10::optional<at::Tensor>& learned = c10::nullopt,
                                            c10::optional<std::int64_t> dim = c10::nullopt, bool from_y = false,
                                            bool learned_grad = true);

/// The learnable parameters of `spec`: names (registry order), initial values (the spec's) and the
/// number of channels they are repeated over (PReLU's num_parameters; 1 otherwise).
struct Learnable {
  std::vector<std::string> names;
  std::vector<double> values;
  std::int64_t channels = 1;
};
Learnable learnable(std::string_view spec);

/// An activation layer: `Activation("prelu(num_parameters=64)")`. Learnable parameters are
/// registered under their registry names ("weight" for PReLU, "beta" for swish, ...), each of
/// shape [channels], so state_dict() keys are stable and PReLU's match torch::nn::PReLU's.
/// `inplace` runs forward in place where autograd allows it (see forward_).
struct ActivationOptions {
  ActivationOptions(std::string spec) : spec_(std::move(spec)) {}  // NOLINT: implicit, like torch's options
  TORCH_ARG(std::string, spec);
  TORCH_ARG(c10::optional<std::int64_t>, dim) = c10::nullopt;
  TORCH_ARG(bool, inplace) = false;
};

class ActivationImpl : public ::torch::nn::Cloneable<ActivationImpl> {
 public:
  explicit ActivationImpl(ActivationOptions options);
  explicit ActivationImpl(const std::string& spec) : ActivationImpl(ActivationOptions(spec)) {}
  at::Tensor forward(at::Tensor x);
  /// f'(x) element-wise (the backward's dx for dy = 1) with the current parameters, without
  /// autograd: the local slope that training diagnostics look at (dead units, saturation). For a
  /// vector-wise activation the gradient of the sum of its outputs (maxout: 1 where a piece wins).
  at::Tensor slope(const at::Tensor& x) const;
  /// Parameters back to the spec's initial values.
  void reset_parameters();
  /// Cloneable's hook: (re)creates the parameters from the options.
  void reset() override;
  /// "actfn::Activation(prelu(num_parameters=64), dim=1)".
  void pretty_print(std::ostream& stream) const override;
  [[nodiscard]] const actfn::Activation& activation() const { return act_; }
  ActivationOptions options;

 private:
  /// The parameters as the operator's `learned` tensor: [channels] for one parameter, else
  /// [channels, count] (channel-major); nullopt when the activation has none.
  c10::optional<at::Tensor> learned() const;
  actfn::Activation act_;
  std::vector<at::Tensor> params_;
};
// TORCH_MODULE(Activation) spelled out: the macro names torch::nn unqualified, which inside
// actfn::torch would mean this namespace.
class Activation : public ::torch::nn::ModuleHolder<ActivationImpl> {
 public:
  using ::torch::nn::ModuleHolder<ActivationImpl>::ModuleHolder;
  using Impl = ActivationImpl;
};

}  // namespace actfn::torch
