// actfn_bench — the bench's cases (bench/harness.hpp: every element-wise activation × direction,
// actfn, its scalar reference, the memcpy roofline and each peer library built in) as Google
// Benchmark cases, for its filters, statistics and output formats. Rates are items_per_second over
// wall time (peers run their own threads). Sizes 16Ki (in cache), 1Mi and 16Mi; 1 and all threads.
//
//   build/bench/actfn_bench --benchmark_filter='relu/.*threads:1$'    e.g.; --benchmark_format=json
// Names: direction/impl/function/n:N/threads:T. `actfn bench` prints the same cases side by side.
#include <thread>

#include <benchmark/benchmark.h>

#include "harness.hpp"

namespace {

using namespace actfn::bench;

constexpr std::size_t kSizes[] = {1 << 14, 1 << 20, 1 << 24};

Buffers& buffers() {  // allocated on first use, not when only listing
  static Buffers b(kSizes[2]);
  return b;
}

void run(benchmark::State& state, const Impl& impl, const Case& c) {
  const auto n = static_cast<std::size_t>(state.range(0));
  impl.set_threads(static_cast<unsigned>(state.range(1)));
  const Run r = impl.prepare(c, buffers().data_for(c, n));
  for (auto _ : state) {
    r();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

int register_all() {
  static const std::vector<Impl> all = impls();
  std::vector<unsigned> threads{1};
  if (std::thread::hardware_concurrency() > 1) threads.push_back(std::thread::hardware_concurrency());
  for (const std::string& f : default_functions())
    for (const Case& c : cases_of(f))
      for (const Impl& impl : all)
        for (const unsigned t : threads) {
          impl.set_threads(t);
          if (!has(impl, c)) continue;
          const std::string name = std::string(to_string(c.direction)) + "/" + impl.name + "/" + f;
          auto* b = benchmark::RegisterBenchmark(name.c_str(), run, impl, c);
          for (const std::size_t n : kSizes) b->Args({static_cast<std::int64_t>(n), t});
          b->ArgNames({"n", "threads"})->UseRealTime();
        }
  return 0;
}
const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
