// The bench's one source of truth: what is timed (cases), on which data, by which implementations
// (actfn, its scalar reference, the memcpy roofline and the peer libraries found at build time),
// and how. Used by actfn-bench (bench/main.cpp) and the Google Benchmark binary
// (bench/actfn_bench.cpp), so both time exactly the same calls.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "actfn/actfn.hpp"

namespace actfn::bench {

/// Backward from x and from y are separate directions so each is compared with peer kernels that
/// read the same tensor. forward_backward is one training step (forward, then backward from x with
/// the learned-parameter gradient where there is one).
enum class Direction { Forward, BackwardX, BackwardY, ForwardBackward };
std::string_view to_string(Direction d);

/// An activation (at the parameter values its spec gives) in one direction. A spec with
/// num_parameters = C > 1 (PReLU) runs per channel through actfn's `Channels` overloads; a
/// vector-wise one (softmax family, GLU family, maxout) over contiguous rows of `row` entries
/// through the `Axis` overloads, its rate counted in input elements.
struct Case {
  std::string function;  // the spec as the user wrote it, e.g. "relu", "prelu(num_parameters=64)"
  Activation act;
  Direction direction;
  std::size_t channels;  // 1: element-wise
  std::size_t row = 0;   // vector-wise: the axis length; 0: element-wise
};

/// The axis length of the vector-wise cases: a 1024-class softmax, a GLU layer of 2 × 512.
inline constexpr std::size_t kVectorRow = 1024;

/// Every case of `function` (a spec): forward, backward from x, backward from y where the
/// activation allows it at these parameters, and forward_backward for relu (the baseline the
/// per-channel PReLU step is judged against) and per-channel specs; vector-wise functions forward
/// and the one backward they have (from y for the softmax family, from x otherwise). Throws
/// actfn::Error for an unknown function.
std::vector<Case> cases_of(const std::string& function);
/// The default set: every activation at its defaults, plus prelu(num_parameters=64).
std::vector<std::string> default_functions();

/// Preallocated, 64-byte aligned buffers for one (case, n), shared by every implementation.
/// Tensors are viewed as outer × channels × inner (N × C × H·W); channels = 1 for element-wise.
struct Data {
  std::size_t n = 0;
  Channels layout;
  Axis rows;  // vector-wise cases: n / row rows of `row`; y, out and dy hold the output's elements
  std::span<const float> x, y, dy, learned;  // x ~ U(-6, 6), dy ~ U(-1, 1), y = f(x), learned ≈ 0.25
  std::span<float> out, dx, dlearned;
};

/// Owns the memory behind Data; sized once for the largest n.
class Buffers {
 public:
  explicit Buffers(std::size_t max_n);
  /// Views of the first n elements for `c`; fills y = f(x) when the case reads y. Throws Error when
  /// n does not split into the case's channels.
  Data data_for(const Case& c, std::size_t n);

 private:
  struct Free {
    void operator()(float* p) const;
  };
  using Array = std::unique_ptr<float[], Free>;
  static Array allocate(std::size_t n);
  std::size_t max_n_;
  Array x_, y_, dy_, out_, dx_, learned_, dlearned_;
};

/// One pass of a case over its data.
using Run = std::function<void()>;

/// An implementation of activations.
struct Impl {
  std::string name;     // key in --peers and JSON "impl": actfn, libtorch, onednn, xnnpack, memcpy
  std::string version;  // shown in headers and --list
  bool peer;            // a library actfn is compared with (not actfn, reference or the roofline)
  /// Applies to later prepare() and runs: actfn::set_threads, at::set_num_threads, OpenMP's
  /// thread count, an XNNPACK pthreadpool of this size.
  std::function<void(unsigned)> set_threads;
  /// A pass of `c` over `d`, or an empty Run when this implementation does not have the case
  /// (an operator it lacks, or one whose semantics differ from actfn's at these parameters).
  std::function<Run(const Case& c, const Data& d)> prepare;
};

/// Every implementation compiled in: actfn, reference, memcpy, then the peers found at build time.
std::vector<Impl> impls();
/// actfn's kernels, its scalar reference (one thread only) and the memory-bandwidth roofline
/// (impls.cpp).
Impl actfn_impl();
Impl reference_impl();
Impl roofline_impl();
/// Peer adapters, one file each; each exists only when CMake found that library.
Impl torch_impl();
Impl onednn_impl();
Impl xnnpack_impl();
/// Peers CMake looked for and did not find (or left out, under sanitizers), for headers.
std::vector<std::string> peers_missing();

/// Whether `impl` has case `c` (prepares it on a small tensor).
bool has(const Impl& impl, const Case& c);

/// Median over `repeats` of the rate in Gelem/s, each repeat running for at least `min_time`
/// seconds after one warm-up pass.
double measure(const Run& run, std::size_t n, double min_time, int repeats);

}  // namespace actfn::bench
