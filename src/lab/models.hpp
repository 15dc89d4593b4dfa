// The lab's networks (libtorch), each built around actfn activation layers ("sites") that can
// record what the activation does during training: dead units, saturation, moments.
//
//   mlp          input → [Linear → (BN) → act → (BN) → dropout] × depth → Linear
//   cnn          [conv3×3 → (BN) → act → (BN) → maxpool 2] × depth → Linear(128) → act → Linear
//   rnn          a GRU-style cell reading the image row by row; candidate activation = the
//                model's (tanh in a GRU), gates = gate_activation (sigmoid): both actfn's
//   transformer  7×7 patches → embedding → [pre-LN self-attention, pre-LN FFN with the
//                activation] × depth → mean over tokens → LN → Linear
// Maxout is an activation like the others ("maxout(pieces=2)"): the layer before it is made
// `pieces` times wider, so every model keeps its widths.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "actfn/torch.hpp"
#include "records.hpp"

namespace actfn::lab {

// TORCH_MODULE spelled out: the macro names torch::nn unqualified, which inside actfn:: would mean
// the adapter's namespace actfn::torch.
#define ACTFN_LAB_MODULE(Name)                                  \
  class Name : public ::torch::nn::ModuleHolder<Name##Impl> {   \
   public:                                                      \
    using ::torch::nn::ModuleHolder<Name##Impl>::ModuleHolder;  \
    using Impl = Name##Impl;                                    \
  }

/// An actfn activation with optional recording. Units lie along `unit_dim` of the input.
class SiteImpl : public ::torch::nn::Module {
 public:
  SiteImpl(std::string name, const std::string& spec, std::int64_t units, std::int64_t unit_dim);
  at::Tensor forward(const at::Tensor& x);
  /// Starts a fresh recording; |f'| < saturation counts as saturated.
  void start_recording(double saturation);
  void stop_recording() { recording_ = false; }
  [[nodiscard]] SiteStats stats() const;
  [[nodiscard]] const actfn::torch::Activation& activation() const { return act_; }

 private:
  std::string name_;
  actfn::torch::Activation act_{nullptr};
  std::int64_t units_, unit_dim_;
  bool vector_wise_;
  bool recording_ = false;
  double saturation_ = 0;
  // Accumulated in double over the epoch: element count, Σz, Σz², Σy, Σy², saturated count; and
  // per unit whether f' was ever non-zero.
  double n_ = 0, sz_ = 0, szz_ = 0, sy_ = 0, syy_ = 0, ny_ = 0, nsat_ = 0;
  at::Tensor alive_;
};
ACTFN_LAB_MODULE(Site);

/// A network: logits = forward(images). Sites in order of depth; weighted layers (Linear, Conv)
/// in order of depth, for gradient norms.
class NetImpl : public ::torch::nn::Module {
 public:
  NetImpl(const ModelSpec& spec, std::int64_t channels, std::int64_t height, std::int64_t width, std::int64_t classes);
  at::Tensor forward(at::Tensor x);
  std::vector<Site> sites;
  std::vector<std::pair<std::string, at::Tensor>> weights;  // (layer name, weight) for gradient norms
  /// The initialisation actually used ("he", "lecun", ...), after `auto` is resolved.
  std::string init;

 private:
  ModelSpec spec_;
  std::int64_t height_ = 0, width_px_ = 0;
  ::torch::nn::Sequential body_{nullptr};  // mlp, cnn
  // rnn: GRU-style cell
  ::torch::nn::Linear gates_x_{nullptr}, gates_h_{nullptr}, cand_x_{nullptr}, cand_h_{nullptr}, head_{nullptr};
  // transformer
  ::torch::nn::Linear embed_{nullptr};
  at::Tensor position_;
  std::vector<::torch::nn::LayerNorm> ln1_, ln2_;
  std::vector<::torch::nn::MultiheadAttention> attention_;
  std::vector<::torch::nn::Linear> ffn_in_, ffn_out_;
  ::torch::nn::LayerNorm ln_final_{nullptr};
  at::Tensor forward_rnn(const at::Tensor& x);
  at::Tensor forward_transformer(const at::Tensor& x);
  void initialise();
};
ACTFN_LAB_MODULE(Net);

/// The automatic initialisation for an activation spec (actfn::analyze::auto_init): lecun for
/// selu, xavier for the sigmoid and tanh families, he (with actfn's gain) for the rest.
std::string auto_init(const std::string& spec);

}  // namespace actfn::lab
