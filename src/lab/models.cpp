#include "models.hpp"

#include <cmath>

#include "actfn/analyze.hpp"
#include "actfn/error.hpp"

namespace actfn::lab {
namespace nn = ::torch::nn;

// ---- sites ----------------------------------------------------------------------------------------

SiteImpl::SiteImpl(std::string name, const std::string& spec, std::int64_t units, std::int64_t unit_dim)
    : name_(std::move(name)), units_(units), unit_dim_(unit_dim) {
  // Vector-wise activations (maxout, glu) reduce along the unit dimension.
  act_ = register_module("act", actfn::torch::Activation(actfn::torch::ActivationOptions(spec).dim(unit_dim)));
  vector_wise_ = act_->activation().info().vector_wise;
}

void SiteImpl::start_recording(double saturation) {
  recording_ = true;
  saturation_ = saturation;
  n_ = sz_ = szz_ = sy_ = syy_ = ny_ = nsat_ = 0;
  alive_ = at::zeros({units_}, at::kBool);
}

at::Tensor SiteImpl::forward(const at::Tensor& x) {
  at::Tensor y = act_(x);
  if (recording_ && is_training()) {
    const at::NoGradGuard no_grad;
    const at::Tensor z = x.detach();
    const at::Tensor s = act_->slope(z);
    n_ += static_cast<double>(z.numel());
    sz_ += z.sum(at::kDouble).item<double>();
    szz_ += z.square().sum(at::kDouble).item<double>();
    ny_ += static_cast<double>(y.numel());
    sy_ += y.detach().sum(at::kDouble).item<double>();
    syy_ += y.detach().square().sum(at::kDouble).item<double>();
    nsat_ += static_cast<double>((s.abs() < saturation_).sum().item<std::int64_t>());
    // A unit is alive once its slope is non-zero anywhere: reduce every dimension but the unit one.
    const std::int64_t d = at::maybe_wrap_dim(unit_dim_, z.dim());
    alive_ |= (s != 0).transpose(0, d).reshape({units_, -1}).any(1);
  }
  return y;
}

SiteStats SiteImpl::stats() const {
  SiteStats out;
  out.name = name_;
  out.spec = act_->activation().spec();
  out.units = units_;
  out.elements = n_;
  if (n_ > 0) {
    out.dead = 1.0 - alive_.to(at::kDouble).mean().item<double>();
    out.saturated = nsat_ / n_;
    out.z_mean = sz_ / n_;
    out.z_var = std::max(0.0, szz_ / n_ - out.z_mean * out.z_mean);
    out.y_mean = sy_ / ny_;
    out.y_var = std::max(0.0, syy_ / ny_ - out.y_mean * out.y_mean);
  }
  for (const auto& p : act_->named_parameters()) {
    out.learned_names.push_back(p.key());
    out.learned.push_back(p.value().detach().to(at::kDouble).mean().item<double>());
  }
  return out;
}

std::string auto_init(const std::string& spec) { return std::string(actfn::analyze::auto_init(actfn::parse(spec))); }

// ---- the network ----------------------------------------------------------------------------------

namespace {

constexpr std::int64_t kDense = 128;  // cnn classifier width

/// Weight standard deviation for `init` on a layer of fan_in → fan_out followed by `next` (the
/// activation after it; empty for the output layer): actfn::analyze's rule (he with actfn's gain
/// 1/E[f(z)²], which keeps the second moment through the layer: 2 for ReLU, 2/(1+a²) for PReLU at
/// its initial slope a), with gain 1 for the output layer.
double init_std(const std::string& init, std::int64_t fan_in, std::int64_t fan_out, const std::string& next) {
  const double in = static_cast<double>(fan_in), out = static_cast<double>(fan_out);
  const double variance = next.empty() ? (init == "xavier" ? 2 * in / (in + out) : 1.0)
                                       : actfn::analyze::init_weight_variance(actfn::parse(next), init, in, out);
  return std::sqrt(variance / in);
}

void init_layer(const std::string& init, const at::Tensor& weight, const at::Tensor& bias, const std::string& next) {
  if (init == "torch") return;
  const at::NoGradGuard no_grad;
  const std::int64_t receptive = weight.dim() > 2 ? weight[0][0].numel() : 1;
  const std::int64_t fan_in = weight.size(1) * receptive, fan_out = weight.size(0) * receptive;
  weight.normal_(0.0, init_std(init, fan_in, fan_out, next));
  if (bias.defined()) bias.zero_();
}

nn::AnyModule dropout_for(const std::string& spec, double p) {
  if (actfn::parse(spec).kind() == Kind::Selu) return nn::AnyModule(nn::AlphaDropout(nn::AlphaDropoutOptions(p)));
  return nn::AnyModule(nn::Dropout(nn::DropoutOptions(p)));
}

}  // namespace

NetImpl::NetImpl(const ModelSpec& spec_in, std::int64_t channels, std::int64_t height, std::int64_t width,
                 std::int64_t classes)
    : spec_(spec_in.validated(channels, height, width)), height_(height), width_px_(width) {
  const ModelSpec& s = spec_;
  const auto act_of = [&](std::int64_t i) { return s.activations.size() == 1 ? s.activations[0] : s.activations[static_cast<std::size_t>(i)]; };
  init = s.init == "auto" ? auto_init(s.activations[0]) : s.init;
  // (layer, the activation after it) for initialise().
  std::vector<std::pair<std::string, std::string>> next_act;
  const auto site = [&](const std::string& name, const std::string& a, std::int64_t units, std::int64_t dim) {
    Site st(name, a, units, dim);
    sites.push_back(st);
    return st;
  };

  if (s.kind == "mlp" || s.kind == "cnn") {
    body_ = register_module("body", nn::Sequential());
    std::int64_t in = s.kind == "mlp" ? channels * height * width : channels;
    std::int64_t h = height, w = width;
    if (s.kind == "mlp") body_->push_back(nn::Flatten());
    for (std::int64_t i = 0; i < s.depth; ++i) {
      const std::string a = act_of(i);
      const std::int64_t out = s.kind == "mlp" ? s.width : s.width << i;
      const std::int64_t wide = out * widening(actfn::parse(a));
      const std::string name = (s.kind == "mlp" ? "hidden" : "block") + std::to_string(i + 1);
      if (s.kind == "mlp") {
        nn::Linear l(in, wide);
        body_->push_back(std::string(name), l);
        weights.emplace_back(name, l->weight);
      } else {
        nn::Conv2d c(nn::Conv2dOptions(in, wide, 3).padding(1));
        body_->push_back(std::string(name), c);
        weights.emplace_back(name, c->weight);
      }
      next_act.emplace_back(name, a);
      const auto norm = [&](std::int64_t n) {
        if (s.kind == "mlp") body_->push_back(nn::BatchNorm1d(n));
        else body_->push_back(nn::BatchNorm2d(n));
      };
      if (s.norm == "before") norm(wide);
      body_->push_back(name + "_act", site(name, a, wide, 1));
      if (s.norm == "after") norm(out);
      if (s.kind == "cnn") {
        body_->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
        h /= 2;
        w /= 2;
      }
      if (s.dropout > 0) body_->push_back(dropout_for(a, s.dropout));
      in = out;
    }
    if (s.kind == "cnn") {
      const std::string a = act_of(s.depth);
      const std::int64_t wide = kDense * widening(actfn::parse(a));
      body_->push_back(nn::Flatten());
      nn::Linear l(in * h * w, wide);
      body_->push_back("dense", l);
      weights.emplace_back("dense", l->weight);
      next_act.emplace_back("dense", a);
      if (s.norm == "before") body_->push_back(nn::BatchNorm1d(wide));
      body_->push_back("dense_act", site("dense", a, wide, 1));
      if (s.norm == "after") body_->push_back(nn::BatchNorm1d(kDense));
      if (s.dropout > 0) body_->push_back(dropout_for(a, s.dropout));
      in = kDense;
    }
    nn::Linear out(in, classes);
    body_->push_back("output", out);
    weights.emplace_back("output", out->weight);
    next_act.emplace_back("output", "");
  } else if (s.kind == "rnn") {
    const std::int64_t in = channels * width, hid = s.width;
    gates_x_ = register_module("gates_x", nn::Linear(in, 2 * hid));
    gates_h_ = register_module("gates_h", nn::Linear(nn::LinearOptions(hid, 2 * hid).bias(false)));
    cand_x_ = register_module("candidate_x", nn::Linear(in, hid));
    cand_h_ = register_module("candidate_h", nn::Linear(nn::LinearOptions(hid, hid).bias(false)));
    head_ = register_module("output", nn::Linear(hid, classes));
    register_module("gate", site("gate", s.gate_activation, 2 * hid, 1));
    register_module("candidate", site("candidate", s.activations[0], hid, 1));
    weights = {{"gates_x", gates_x_->weight}, {"gates_h", gates_h_->weight}, {"candidate_x", cand_x_->weight},
               {"candidate_h", cand_h_->weight}, {"output", head_->weight}};
    next_act = {{"gates_x", s.gate_activation}, {"gates_h", s.gate_activation}, {"candidate_x", s.activations[0]},
                {"candidate_h", s.activations[0]}, {"output", ""}};
  } else {  // transformer
    const std::int64_t d = s.width, tokens = (height / ModelSpec::kPatch) * (width / ModelSpec::kPatch);
    embed_ = register_module("embed", nn::Linear(channels * ModelSpec::kPatch * ModelSpec::kPatch, d));
    position_ = register_parameter("position", at::randn({1, tokens, d}) * 0.02);
    weights.emplace_back("embed", embed_->weight);
    next_act.emplace_back("embed", "");
    for (std::int64_t i = 0; i < s.depth; ++i) {
      const std::string a = act_of(i), n = std::to_string(i + 1);
      const std::int64_t hidden = 4 * d;
      ln1_.push_back(register_module("ln1_" + n, nn::LayerNorm(nn::LayerNormOptions({d}))));
      attention_.push_back(register_module("attention" + n, nn::MultiheadAttention(nn::MultiheadAttentionOptions(d, ModelSpec::kHeads))));
      ln2_.push_back(register_module("ln2_" + n, nn::LayerNorm(nn::LayerNormOptions({d}))));
      ffn_in_.push_back(register_module("ffn" + n + "_in", nn::Linear(d, hidden * widening(actfn::parse(a)))));
      register_module("ffn" + n + "_act", site("ffn" + n, a, hidden * widening(actfn::parse(a)), -1));
      ffn_out_.push_back(register_module("ffn" + n + "_out", nn::Linear(hidden, d)));
      weights.emplace_back("attention" + n, attention_.back()->in_proj_weight);
      weights.emplace_back("ffn" + n + "_in", ffn_in_.back()->weight);
      weights.emplace_back("ffn" + n + "_out", ffn_out_.back()->weight);
      next_act.emplace_back("ffn" + n + "_in", a);
      next_act.emplace_back("ffn" + n + "_out", "");
    }
    ln_final_ = register_module("ln_final", nn::LayerNorm(nn::LayerNormOptions({d})));
    head_ = register_module("output", nn::Linear(d, classes));
    weights.emplace_back("output", head_->weight);
    next_act.emplace_back("output", "");
  }

  // Initialisation: every Linear/Conv weight named above (attention projections keep torch's own
  // Xavier initialisation), biases zero.
  for (const auto& [name, next] : next_act) {
    for (const auto& m : named_modules("", /*include_self=*/false)) {
      const std::string key = m.key();
      if (key != name && key != "body." + name) continue;
      if (auto* l = m.value()->as<nn::Linear>()) init_layer(init, l->weight, l->bias, next);
      if (auto* c = m.value()->as<nn::Conv2d>()) init_layer(init, c->weight, c->bias, next);
    }
  }
}

at::Tensor NetImpl::forward(at::Tensor x) {
  if (spec_.kind == "rnn") return forward_rnn(x);
  if (spec_.kind == "transformer") return forward_transformer(x);
  return body_->forward(x);
}

at::Tensor NetImpl::forward_rnn(const at::Tensor& x) {
  // GRU (Cho et al. 2014) with actfn's activations: [z, r] = gate(W x + U h),
  // c = candidate(W_c x + r ⊙ U_c h), h ← (1 - z) ⊙ h + z ⊙ c; rows are the time steps.
  const std::int64_t batch = x.size(0), hid = spec_.width;
  at::Tensor h = at::zeros({batch, hid}, x.options());
  Site& gate = sites[0];
  Site& candidate = sites[1];
  for (std::int64_t t = 0; t < height_; ++t) {
    const at::Tensor row = x.select(2, t).reshape({batch, -1});
    const at::Tensor g = gate(gates_x_(row) + gates_h_(h));
    const at::Tensor z = g.narrow(1, 0, hid), r = g.narrow(1, hid, hid);
    const at::Tensor c = candidate(cand_x_(row) + r * cand_h_(h));
    h = h + z * (c - h);
  }
  return head_(h);
}

at::Tensor NetImpl::forward_transformer(const at::Tensor& x) {
  const std::int64_t b = x.size(0), c = x.size(1), gh = height_ / ModelSpec::kPatch, gw = width_px_ / ModelSpec::kPatch;
  const at::Tensor patches = x.reshape({b, c, gh, ModelSpec::kPatch, gw, ModelSpec::kPatch}).permute({0, 2, 4, 1, 3, 5}).reshape({b, gh * gw, -1});
  at::Tensor h = embed_(patches) + position_;
  for (std::size_t i = 0; i < attention_.size(); ++i) {
    const at::Tensor a = ln1_[i](h).transpose(0, 1);  // (tokens, batch, d): libtorch's attention layout
    h = h + std::get<0>(attention_[i]->forward(a, a, a, {}, /*need_weights=*/false)).transpose(0, 1);
    h = h + ffn_out_[i](sites[i](ffn_in_[i](ln2_[i](h))));
  }
  return head_(ln_final_(h.mean(1)));
}

}  // namespace actfn::lab
