// Fuzz target: the lab's IDX reader (src/lab/formats.cpp) on raw file bytes, plain or gzip, as
// images (rank 3) and as labels (rank 1). Every input gives an array whose dimensions multiply to
// its size, within the byte limit, or throws actfn::Error; nothing is allocated for a size the
// input only declares (the limit here is 1 MiB, libFuzzer's allocation limit 1 GiB).
#include <cstdint>
#include <cstdlib>
#include <span>

#include "actfn/error.hpp"
#include "formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const unsigned char> raw(data, size);
  const actfn::lab::ReadLimits limits{.max_bytes = std::uint64_t{1} << 20, .max_classes = 1000};
  for (const std::size_t rank : {std::size_t{1}, std::size_t{3}}) {
    try {
      const actfn::lab::IdxArray a = actfn::lab::parse_idx(raw, rank, "fuzz.idx", limits);
      std::uint64_t count = 1;
      for (const std::int64_t d : a.dims) count *= static_cast<std::uint64_t>(d);
      if (a.dims.size() != rank || count != a.values.size() || count > limits.max_bytes) std::abort();
    } catch (const actfn::Error&) {
    }
  }
  try {
    if (actfn::lab::decode(raw, "fuzz.gz", limits.max_bytes).size() > limits.max_bytes) std::abort();
  } catch (const actfn::Error&) {
  }
  return 0;
}
