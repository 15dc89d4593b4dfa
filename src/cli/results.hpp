// The lab's results.json as `actfn advise` reads it: every (model, activation) row's measured test
// accuracy over its seeds. Checked row by row: a malformed row is an error naming the file and the
// row, never dropped. Depends on the core and nlohmann only (the fuzzer in fuzz/ builds it alone).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace actfn::cli {

/// One row's test accuracies: mean, sample standard deviation, 95% Student t interval.
struct Measured {
  double mean = 0, std = 0, ci_low = 0, ci_high = 0;
  std::int64_t seeds = 0;
};

/// results.json's text (`name` is its path, for errors): canonical spec → accuracy of the rows of
/// model `network`. Every row is checked, for any model: a model and an activation that parses,
/// test accuracies a non-empty list of numbers in [0, 1], no (model, activation) twice. Throws
/// actfn::Error; none of its rows for `network` is an error too.
std::map<std::string, Measured> parse_results(std::string_view text, const std::string& name,
                                              const std::string& network);

/// The same from the file at `path`.
std::map<std::string, Measured> read_results(const std::string& path, const std::string& network);

}  // namespace actfn::cli
