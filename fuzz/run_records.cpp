// Fuzz target: the lab's run records and checkpoint trailer (src/lab/records.cpp). run.json text
// reads back as a run (its checksum verified) or throws actfn::Error naming the file; a record it
// accepts writes out and reads back as the same run. A checkpoint file either verifies, and is
// then exactly its archive followed by that archive's trailer, or throws actfn::Error.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "actfn/error.hpp"
#include "records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)actfn::lab::run_from_text(text, "fuzz/run.json");
  } catch (const actfn::Error&) {
  }
  // Random bytes rarely carry a valid checksum: the record reader behind it, directly too. A run
  // it accepts writes out (with a checksum) and reads back as the same run.
  try {
    const actfn::lab::RunResult r = actfn::lab::run_from_json(actfn::lab::parse_json(text, "fuzz/run.json"));
    const actfn::lab::RunResult again = actfn::lab::run_from_text(actfn::lab::run_to_text(r), "rewritten");
    if (actfn::lab::to_json(again) != actfn::lab::to_json(r)) std::abort();
  } catch (const actfn::Error&) {
  }
  const std::span<const unsigned char> file(data, size);
  try {
    const std::span<const unsigned char> archive = actfn::lab::checkpoint_payload(file, "fuzz/checkpoint.pt");
    const std::string trailer = actfn::lab::checkpoint_trailer(archive);
    if (archive.data() != file.data() || archive.size() + trailer.size() != file.size() ||
        std::string_view(reinterpret_cast<const char*>(data) + archive.size(), trailer.size()) != trailer)
      std::abort();
  } catch (const actfn::Error&) {
  }
  return 0;
}
