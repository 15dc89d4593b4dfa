// Fuzz target: advise's reader of the lab's results.json (src/cli/results.cpp). Every input gives
// the measured rows or throws actfn::Error naming the file; a result it returns is a mean inside
// [0, 1] (to its rounding) with a confidence interval around it.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "actfn/error.hpp"
#include "results.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const char* network : {"mlp", "cnn"}) {
    std::map<std::string, actfn::cli::Measured> rows;
    try {
      rows = actfn::cli::parse_results(text, "fuzz.json", network);
    } catch (const actfn::Error&) {
      continue;
    }
    for (const auto& [spec, m] : rows)
      if (!(m.mean >= 0 && m.mean <= 1 + 1e-12 && m.seeds >= 1 && m.ci_low <= m.mean && m.mean <= m.ci_high)) std::abort();
  }
  return 0;
}
