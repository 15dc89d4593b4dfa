// The public SIMD target settings (actfn/ops.hpp): which instruction sets the kernels were
// compiled for and this machine runs, and which one dispatch uses.
#include <algorithm>
#include <string>
#include <vector>

#include "actfn/error.hpp"
#include "actfn/ops.hpp"
#include "simd.hpp"

namespace actfn {

std::vector<std::string> targets() {
  static const std::vector<std::string> all = [] {
    kernels::restrict_targets(0);
    return kernels::compiled_targets();
  }();
  return all;
}

std::string target() { return kernels::dispatched_target(); }

void set_target(std::string_view name) {
  const std::vector<std::string> known = targets();
  if (name == "auto") return kernels::restrict_targets(0);
  if (std::ranges::find(known, name) == known.end()) {
    std::string list;
    for (const std::string& t : known) list += (list.empty() ? "" : ", ") + t;
    throw Error("unknown or unsupported target " + quote(name) + " (this machine: " + list + ", auto)");
  }
  kernels::restrict_targets(kernels::target_bit(name));
}

}  // namespace actfn
