// actfn::torch::Activation — an activation layer holding its learnable parameters.
#include <ostream>
#include <vector>

#include "actfn/torch.hpp"

namespace actfn::torch {

ActivationImpl::ActivationImpl(ActivationOptions options_) : options(std::move(options_)), act_(actfn::parse(options.spec())) {
  reset();
}

void ActivationImpl::reset() {
  params_.clear();
  const Learnable l = learnable(options.spec());
  for (std::size_t k = 0; k < l.names.size(); ++k)
    params_.push_back(register_parameter(l.names[k], at::full({l.channels}, l.values[k], at::kFloat)));
}

void ActivationImpl::reset_parameters() {
  const ::torch::NoGradGuard no_grad;
  const Learnable l = learnable(options.spec());
  for (std::size_t k = 0; k < params_.size(); ++k) params_[k].fill_(l.values[k]);
}

c10::optional<at::Tensor> ActivationImpl::learned() const {
  if (params_.empty()) return c10::nullopt;
  if (params_.size() == 1) return params_[0];
  return at::stack(params_, 1);  // [channels, count], channel-major as the operator reads it
}

at::Tensor ActivationImpl::forward(at::Tensor x) {
  if (options.inplace()) return forward_(x, options.spec(), learned(), options.dim());
  return actfn::torch::forward(x, options.spec(), learned(), options.dim());
}

at::Tensor ActivationImpl::slope(const at::Tensor& x) const {
  const at::NoGradGuard no_grad;
  std::vector<std::int64_t> out(x.sizes().begin(), x.sizes().end());
  if (act_.info().vector_wise && !out.empty()) {
    const std::int64_t d = at::maybe_wrap_dim(options.dim().value_or(-1), x.dim());
    out[static_cast<std::size_t>(d)] =
        static_cast<std::int64_t>(actfn::output_axis(act_, static_cast<std::size_t>(x.size(d))));
  }
  return std::get<0>(backward(at::ones(out, x.options()), x, options.spec(), learned(), options.dim(), false, false));
}

void ActivationImpl::pretty_print(std::ostream& stream) const {
  stream << "actfn::Activation(" << act_.spec();
  if (options.dim()) stream << ", dim=" << *options.dim();
  if (options.inplace()) stream << ", inplace=true";
  stream << ")";
}

}  // namespace actfn::torch
