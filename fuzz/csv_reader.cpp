// Fuzz target: the lab's CSV reader and class count (src/lab/formats.cpp). Every input gives a
// table of whole rows — finite features, labels within the class limit, a line for each sample — or
// throws actfn::Error naming the file and line.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "actfn/error.hpp"
#include "formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const actfn::lab::ReadLimits limits{.max_bytes = std::uint64_t{1} << 20, .max_classes = 1000};
  actfn::lab::CsvTable t;
  try {
    t = actfn::lab::parse_csv(text, "fuzz.csv", 1.0 / 255.0, limits);
  } catch (const actfn::Error&) {
    return 0;
  }
  if (t.width == 0 || t.features.size() != t.labels.size() * t.width || t.lines.size() != t.labels.size()) std::abort();
  for (const float f : t.features)
    if (!std::isfinite(f)) std::abort();
  for (const std::int64_t label : t.labels)
    if (label < 0 || label >= limits.max_classes) std::abort();
  try {
    const actfn::lab::LabelList list{t.labels, "fuzz.csv", t.lines};
    const std::int64_t classes = actfn::lab::count_classes(list, list, limits);
    if (classes < 1 || classes > limits.max_classes) std::abort();
  } catch (const actfn::Error&) {
  }
  return 0;
}
