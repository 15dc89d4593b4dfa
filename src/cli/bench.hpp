// `actfn bench ARGS...`: runs actfn-bench ARGS..., git-style (`git foo` runs git-foo). actfn-bench
// links the peer libraries it compares with (libtorch, oneDNN, XNNPACK); this binary stays free of
// them, so the command starts fast and builds under sanitizers.
#pragma once

#include <optional>

namespace actfn::cli {

/// When the command line is `actfn [--target T] bench ARGS...`, replaces this process with the
/// actfn-bench beside this executable (passing --target on); returns only on failure, with 1 after
/// one line on stderr. Any other command line: nullopt.
std::optional<int> bench(int argc, char** argv);

}  // namespace actfn::cli
