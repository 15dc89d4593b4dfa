// actfn accuracy — certifies the f32 SIMD kernels (actfn::forward/backward) against the f64 oracle
// (actfn::reference::forward_wide/backward_wide) over all 2^32 f32 inputs or a stated sample, on
// any compiled target.
//
// Measure. Every kernel result is compared with the oracle's unrounded double value t:
//   - |t| >= FLT_MIN: error in ULP of t, |got - t| / 2^(e-23) with 2^e <= |t| < 2^(e+1);
//   - |t| <  FLT_MIN (subnormal or zero truth): |got - t| / 2^-149, in units of the smallest
//     subnormal, which is the spacing of floats there: the same ULP measure continued below FLT_MIN
//     with gradual underflow;
//   - special values: NaN vs non-NaN, inf vs finite (t rounds to ±inf in float or got is ±inf),
//     wrong sign of inf, and a zero result whose sign differs from t's;
//   - flushed: |t| >= FLT_MIN but the result is ±0.
// Bounds, per function and direction: the kernel table's f32 contract (table.hpp: f forward,
// df backward) on normal truths; 0.5 there (piecewise-linear rows) means correctly rounded.
// Subnormal truths get the same number of 2^-149 units: a kernel within B ULP of the truth just
// above FLT_MIN, where the spacing is also 2^-149, must not get worse just below it. No special
// mismatch and no flush is allowed.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "actfn/actfn.hpp"

namespace actfn::cli::certify {

/// forward: y = f(x). backward_x: dx = f'(x) (dy = 1). backward_y: dx = f'(x) from y, where y is
/// the f32 reference's forward output and the truth is the oracle's from-y value at that y.
enum class Direction : std::uint8_t { Forward, BackwardX, BackwardY };
std::string_view to_string(Direction d);

/// How one kernel result compares with its truth.
enum class Class : std::uint8_t {
  Normal,           // |truth| >= FLT_MIN: error in ULP
  Subnormal,        // |truth| <  FLT_MIN: error in units of 2^-149
  SpecialAgrees,    // both NaN, or the same infinity
  SpecialMismatch,  // NaN vs non-NaN, inf vs finite, wrong sign of inf or of a zero result
  Flushed,          // |truth| >= FLT_MIN but the result is ±0
};
struct Verdict {
  Class cls;
  double error = 0;  // Normal: ULP; Subnormal: units of 2^-149; otherwise 0
};

/// Classifies a kernel result `got` against the oracle's unrounded value `truth` (see the top of
/// this file).
Verdict classify(double truth, float got);

/// Results of one (function, direction) over a sample. The worst and first inputs are the
/// smallest bit patterns among equals, so they do not depend on the order threads finish in.
struct Tally {
  static constexpr float kNone = std::numeric_limits<float>::quiet_NaN();
  std::uint64_t samples = 0;
  double max_ulp = 0;        // over normal truths
  float worst = kNone;       // its input (NaN: no error > 0)
  double max_subnormal = 0;  // over subnormal truths, units of 2^-149
  float worst_subnormal = kNone;
  std::uint64_t special = 0;  // special-value mismatches
  float first_special = kNone;
  std::uint64_t flushed = 0;
  float first_flushed = kNone;
  /// Counts one result for input `in` (x; y for backward_y).
  void add(Verdict v, float in);
  /// Adds another tally of the same (function, direction) over other inputs.
  void merge(const Tally& other);
};

/// One row of the report.
struct Row {
  Activation act;
  Direction direction;
  double bound;  // ULP on normal truths, units of 2^-149 on subnormal ones
  Tally tally;
  double seconds = 0;
  /// Whether every bound holds: max_ulp and max_subnormal <= bound, no mismatch, no flush.
  [[nodiscard]] bool pass() const;
  /// "AVX2 mish backward_x: 5.2 ULP > 4 at x = 0x1.8p+1, ..." naming each failed bound; empty
  /// when pass().
  [[nodiscard]] std::string violation(std::string_view target) const;
};

/// The inputs: one bit pattern from each block of 2^shift consecutive patterns of the 2^32, at an
/// offset within the block given by a fixed hash of the block number (so a sample does not see
/// only round numbers, and every run sees the same sample); shift 0 is all 2^32. A sampled run
/// adds boundary inputs: ±0, ±denorm_min, the largest subnormal, ±FLT_MIN, ±FLT_MAX, ±1, ±inf,
/// ±NaN, and each kink of the function with its two float neighbours.
struct Sample {
  int shift = 12;
  [[nodiscard]] std::uint64_t count() const { return std::uint64_t{1} << (32 - shift); }
  /// "every 4096th of 2^32 patterns, 1,048,576 inputs, plus boundary inputs".
  [[nodiscard]] std::string describe() const;
};

/// Runs every (activation, direction) over the sample on the target in use, spread across the
/// hardware threads. Kernel calls run single-threaded meanwhile (actfn::set_threads(1), process-wide;
/// the default is restored after). Each activation must be element-wise and have an f32 kernel.
std::vector<Row> sweep(const std::vector<Activation>& acts, const Sample& sample);

struct Options {
  std::vector<std::string> names;  // specs; empty: every element-wise activation with an f32 kernel
  Sample sample;
  std::string target = "auto";  // one of actfn::targets(), "auto" (the best) or "all"
  bool json = false, markdown = false;
};

/// `actfn accuracy`: sweeps each target, prints the report (plain text, markdown or JSON) to
/// `out`; returns 0 when every bound holds, else 1 after one line on `err` naming each violation.
/// Throws Error (before printing anything) for an unknown name or target, a vector-wise
/// activation or one without an f32 kernel. Leaves the process-wide target set to the last one.
int accuracy(std::ostream& out, std::ostream& err, const Options& options);

}  // namespace actfn::cli::certify
