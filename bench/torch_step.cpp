// actfn-torch-bench: actfn's PyTorch operators inside a real training step, against torch's own.
//
// For each activation torch also has, three measurements, each as pairs timed alternately (torch,
// actfn, torch, actfn, ...) so both see the same machine state, reported as medians:
//  - step: an MLP 784-1024-1024-10 (the activation after both hidden layers), batch 256, one step
//    = forward, cross-entropy, backward (no optimizer update, the same for both), torch's native
//    activation against actfn::torch::Activation on the same weights and data;
//  - activation: forward + backward of the activation alone through autograd on the step's
//    256×1024 hidden tensor (what the step's difference is made of);
//  - tiny: the per-call overhead on a 64-element tensor, forward only and forward + backward.
// Ratios are actfn / torch time (< 1: actfn faster).
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "actfn/torch.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Fn = std::function<torch::Tensor(const torch::Tensor&)>;

struct Case {
  std::string spec;  // actfn
  Fn native;         // torch
};

std::vector<Case> cases() {
  namespace F = torch::nn::functional;
  return {
      {"relu", [](const torch::Tensor& x) { return torch::relu(x); }},
      {"leaky_relu", [](const torch::Tensor& x) { return F::leaky_relu(x); }},
      {"relu6", [](const torch::Tensor& x) { return F::relu6(x); }},
      {"elu", [](const torch::Tensor& x) { return F::elu(x); }},
      {"celu", [](const torch::Tensor& x) { return F::celu(x); }},
      {"selu", [](const torch::Tensor& x) { return torch::selu(x); }},
      {"gelu", [](const torch::Tensor& x) { return F::gelu(x); }},
      {"gelu_tanh", [](const torch::Tensor& x) { return F::gelu(x, F::GELUFuncOptions().approximate("tanh")); }},
      {"silu", [](const torch::Tensor& x) { return F::silu(x); }},
      {"mish", [](const torch::Tensor& x) { return F::mish(x); }},
      {"softplus", [](const torch::Tensor& x) { return F::softplus(x); }},
      {"hardswish", [](const torch::Tensor& x) { return torch::hardswish(x); }},
      {"hard_sigmoid", [](const torch::Tensor& x) { return torch::hardsigmoid(x); }},
      {"hardtanh", [](const torch::Tensor& x) { return F::hardtanh(x); }},
      {"softsign", [](const torch::Tensor& x) { return F::softsign(x); }},
      {"tanhshrink", [](const torch::Tensor& x) { return F::tanhshrink(x); }},
      {"log_sigmoid", [](const torch::Tensor& x) { return F::logsigmoid(x); }},
      {"sigmoid", [](const torch::Tensor& x) { return torch::sigmoid(x); }},
      {"tanh", [](const torch::Tensor& x) { return torch::tanh(x); }},
  };
}

/// Medians of a and b over `repeats` alternating runs (after one warm-up of each), in seconds.
std::pair<double, double> paired_medians(int repeats, const std::function<void()>& a, const std::function<void()>& b) {
  a();
  b();
  std::vector<double> ta, tb;
  const auto time = [](const std::function<void()>& f) {
    const auto start = Clock::now();
    f();
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  for (int r = 0; r < repeats; ++r) {
    ta.push_back(time(a));
    tb.push_back(time(b));
  }
  const auto median = [](std::vector<double>& t) {
    std::nth_element(t.begin(), t.begin() + static_cast<long>(t.size() / 2), t.end());
    return t[t.size() / 2];
  };
  return {median(ta), median(tb)};
}

struct Mlp {
  torch::nn::Linear l1{784, 1024}, l2{1024, 1024}, l3{1024, 10};
  torch::Tensor step(const torch::Tensor& x, const torch::Tensor& labels, const Fn& act) {
    for (auto* l : {&l1, &l2, &l3}) (*l)->zero_grad();
    const torch::Tensor logits = l3(act(l2(act(l1(x)))));
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits, labels);
    loss.backward();
    return loss;
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"actfn's PyTorch operators in a training step and on tiny tensors, against torch's own"};
  int repeats = 20;
  std::vector<std::string> only;
  bool json = false;
  unsigned threads = 1;
  app.add_option("--repeats", repeats, "paired runs per case (medians reported; the activation alone gets 5x)")->check(CLI::Range(1, 100000));
  app.add_option("--functions", only, "subset of the functions (comma-separated)")->delimiter(',');
  app.add_option("--threads", threads, "threads for torch and actfn")->check(CLI::Range(1u, 256u));
  app.add_flag("--json", json, "JSON array instead of a table");
  CLI11_PARSE(app, argc, argv);

  torch::manual_seed(0);
  torch::set_num_threads(static_cast<int>(threads));
  actfn::set_threads(threads);
  Mlp mlp;
  const torch::Tensor x = torch::randn({256, 784});
  const torch::Tensor labels = torch::randint(0, 10, {256});
  const torch::Tensor tiny = torch::randn({64});
  const torch::Tensor tiny_grad = torch::randn({64}).requires_grad_();

  const torch::Tensor hidden = torch::randn({256, 1024});
  const torch::Tensor hidden_grad = torch::randn({256, 1024});

  nlohmann::json rows = nlohmann::json::array();
  if (!json)
    std::printf("%-13s %11s %11s %6s   %10s %10s %6s   %8s %8s %6s   %9s %9s %6s\n", "function", "step torch",
                "step actfn", "ratio", "act torch", "act actfn", "ratio", "64 torch", "64 actfn", "ratio", "64 f+b tch",
                "64 f+b act", "ratio");
  for (const Case& c : cases()) {
    if (!only.empty() && std::find(only.begin(), only.end(), c.spec) == only.end()) continue;
    actfn::torch::Activation layer(c.spec);
    const Fn ours = [&](const torch::Tensor& t) { return layer(t); };
    const auto [step_torch, step_actfn] =
        paired_medians(repeats, [&] { mlp.step(x, labels, c.native); }, [&] { mlp.step(x, labels, ours); });
    const auto activation = [&](const Fn& f) {
      return [&f, &hidden, &hidden_grad] {
        const torch::Tensor h = hidden.detach().requires_grad_();
        f(h).backward(hidden_grad);
      };
    };
    const auto [act_torch, act_actfn] = paired_medians(repeats * 5, activation(c.native), activation(ours));
    const int calls = 1000;
    const auto loop = [&](const Fn& f, bool with_backward) {
      return [&f, &tiny, &tiny_grad, with_backward] {
        for (int i = 0; i < calls; ++i) {
          if (with_backward) f(tiny_grad).sum().backward();
          else f(tiny);
        }
      };
    };
    auto [tiny_torch, tiny_actfn] = paired_medians(repeats, loop(c.native, false), loop(ours, false));
    auto [fb_torch, fb_actfn] = paired_medians(repeats, loop(c.native, true), loop(ours, true));
    tiny_torch /= calls, tiny_actfn /= calls, fb_torch /= calls, fb_actfn /= calls;
    if (json) {
      rows.push_back({{"function", c.spec},
                      {"threads", threads},
                      {"step_torch_s", step_torch},
                      {"step_actfn_s", step_actfn},
                      {"step_ratio", step_actfn / step_torch},
                      {"activation_torch_s", act_torch},
                      {"activation_actfn_s", act_actfn},
                      {"activation_ratio", act_actfn / act_torch},
                      {"tiny_torch_s", tiny_torch},
                      {"tiny_actfn_s", tiny_actfn},
                      {"tiny_ratio", tiny_actfn / tiny_torch},
                      {"tiny_fwd_bwd_torch_s", fb_torch},
                      {"tiny_fwd_bwd_actfn_s", fb_actfn},
                      {"tiny_fwd_bwd_ratio", fb_actfn / fb_torch}});
    } else {
      std::printf("%-13s %9.2fms %9.2fms %6.3f   %8.1fus %8.1fus %6.2f   %6.2fus %6.2fus %6.2f   %7.2fus %7.2fus %6.2f\n",
                  c.spec.c_str(), step_torch * 1e3, step_actfn * 1e3, step_actfn / step_torch, act_torch * 1e6,
                  act_actfn * 1e6, act_actfn / act_torch, tiny_torch * 1e6, tiny_actfn * 1e6, tiny_actfn / tiny_torch,
                  fb_torch * 1e6, fb_actfn * 1e6, fb_actfn / fb_torch);
      std::fflush(stdout);
    }
  }
  if (json) std::cout << rows.dump(1) << "\n";
  return 0;
}
