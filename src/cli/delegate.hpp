// Subcommands served by sibling executables, git-style (`git foo` runs git-foo): `actfn bench`
// runs actfn-bench, which links the peer libraries it compares with (libtorch, oneDNN, XNNPACK);
// `actfn train` and `actfn compare` run actfn-lab, which links libtorch through the lab. This binary
// stays free of them, so it starts fast and builds under sanitizers.
#pragma once

#include <optional>
#include <string_view>

namespace actfn::cli {

/// The sibling executable serving `subcommand`, or empty when actfn serves it itself.
std::string_view delegate_for(std::string_view subcommand);

/// When the command line is `actfn [--target T] SUB ARGS...` with SUB served by a sibling,
/// replaces this process with that executable beside this one, as `sibling [--target T] SUB ARGS...`
/// for actfn-lab or `actfn-bench [--target T] ARGS...`; returns only on failure, with 1 after one
/// line on stderr. Any other command line: nullopt.
std::optional<int> delegate(int argc, char** argv);

}  // namespace actfn::cli
