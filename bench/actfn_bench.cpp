// actfn_bench — throughput in elements per second (Google Benchmark's items_per_second) of every
// activation's forward and backward, SIMD (actfn::) and scalar reference (actfn::reference::),
// beside the roofline of the same memory traffic: memcpy (1 in, 1 out) for forward and a
// 2-in-1-out pass for backward. Sizes 16Ki (in cache), 1Mi and 16Mi elements; one thread.
//
//   build/bench/actfn_bench --benchmark_filter='relu|copy'    e.g.; --benchmark_format=json
#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "actfn/actfn.hpp"

namespace {

constexpr std::int64_t kSizes[] = {1 << 14, 1 << 20, 1 << 24};

std::vector<float> random_inputs(std::size_t n) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> u(-6.0f, 6.0f);
  std::vector<float> v(n);
  std::ranges::generate(v, [&] { return u(rng); });
  return v;
}

void set_rate(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

template <bool kReference>
void forward(benchmark::State& state, const actfn::Activation& act) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<float> x = random_inputs(n);
  std::vector<float> y(n);
  for (auto _ : state) {
    if constexpr (kReference) actfn::reference::forward<float>(act, x, y); else actfn::forward<float>(act, x, y);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_rate(state);
}

template <bool kReference>
void backward(benchmark::State& state, const actfn::Activation& act) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<float> x = random_inputs(n), dy = random_inputs(n);
  std::vector<float> dx(n);
  for (auto _ : state) {
    if constexpr (kReference) actfn::reference::backward<float>(act, {.x = x, .dy = dy}, dx);
    else actfn::backward<float>(act, {.x = x, .dy = dy}, dx);
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  set_rate(state);
}

/// The forward roofline: the same bytes moved by memcpy.
void copy_1in_1out(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<float> x = random_inputs(n);
  std::vector<float> y(n);
  for (auto _ : state) {
    std::memcpy(y.data(), x.data(), n * sizeof(float));
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_rate(state);
}

/// The backward roofline: two streams in, one out, the least work that reads both (a sum).
void copy_2in_1out(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<float> a = random_inputs(n), b = random_inputs(n);
  std::vector<float> c(n);
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) c[i] = a[i] + b[i];
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  set_rate(state);
}

/// Registers every element-wise activation (SIMD and reference), then the rooflines.
int register_all() {
  for (const actfn::FunctionInfo& fi : actfn::all()) {
    if (fi.vector_wise) continue;
    const actfn::Activation act(fi.kind);
    const std::string name(fi.name);
    for (const std::int64_t n : kSizes) {
      benchmark::RegisterBenchmark(("forward/actfn/" + name).c_str(), forward<false>, act)->Arg(n);
      benchmark::RegisterBenchmark(("forward/reference/" + name).c_str(), forward<true>, act)->Arg(n);
      benchmark::RegisterBenchmark(("backward/actfn/" + name).c_str(), backward<false>, act)->Arg(n);
      benchmark::RegisterBenchmark(("backward/reference/" + name).c_str(), backward<true>, act)->Arg(n);
    }
  }
  for (const std::int64_t n : kSizes) {
    benchmark::RegisterBenchmark("forward/memcpy", copy_1in_1out)->Arg(n);
    benchmark::RegisterBenchmark("backward/copy_2in_1out", copy_2in_1out)->Arg(n);
  }
  return 0;
}
const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
