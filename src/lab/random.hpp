// Reproducible randomness for the lab: every random choice (split, subset, batch order) is a pure
// function of (seed, stream), so a run resumed from a checkpoint replays the same choices without
// saving generator state, and results do not depend on the standard library's distributions.
#pragma once

#include <cstdint>
#include <numeric>
#include <vector>

namespace actfn::lab {

/// SplitMix64 (Steele, Lea & Flood 2014): a 64-bit counter through a bijective mixer.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed, std::uint64_t stream = 0)
      : state_(seed ^ (stream * 0xD1B54A32D192ED03ull + 0x8BB84B93962EACC9ull)) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n), 0 < n < 2^32: the top 32 bits times n, shifted (Lemire's multiply-shift;
  /// the bias, below n/2^32, is irrelevant for shuffles).
  std::uint64_t below(std::uint64_t n) { return ((next() >> 32) * n) >> 32; }

 private:
  std::uint64_t state_;
};

/// A permutation of 0..n-1 (Fisher–Yates), a function of (seed, stream) only.
inline std::vector<std::int64_t> permutation(std::int64_t n, std::uint64_t seed, std::uint64_t stream) {
  std::vector<std::int64_t> p(static_cast<std::size_t>(n));
  std::iota(p.begin(), p.end(), std::int64_t{0});
  SplitMix64 rng(seed, stream);
  for (std::size_t i = p.size(); i > 1; --i) std::swap(p[i - 1], p[rng.below(i)]);
  return p;
}

}  // namespace actfn::lab
