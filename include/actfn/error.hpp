// actfn — the one exception type. Every user-facing failure (unknown activation, bad parameter,
// wrong size) throws actfn::Error with a one-line message that names the problem.
#pragma once

#include <stdexcept>
#include <string>

namespace actfn {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace actfn
