#include "delegate.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace actfn::cli {

std::string_view delegate_for(std::string_view subcommand) {
  if (subcommand == "bench") return "actfn-bench";
  if (subcommand == "train" || subcommand == "compare") return "actfn-lab";
  return {};
}

std::optional<int> delegate(int argc, char** argv) {
  std::vector<std::string> args;
  int i = 1;
  if (i + 1 < argc && std::string_view(argv[i]) == "--target") {
    args = {"--target", argv[i + 1]};
    i += 2;
  }
  if (i >= argc) return std::nullopt;
  const std::string_view sub = argv[i];
  const std::string_view sibling = delegate_for(sub);
  if (sibling.empty()) return std::nullopt;
  // actfn-lab has several subcommands: it gets the name; actfn-bench is the bench itself.
  if (sibling == "actfn-lab") args.emplace_back(sub);
  args.insert(args.end(), argv + i + 1, argv + argc);

  // Beside the real executable (not argv[0], which may be a bare name found on PATH or a symlink).
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path path = (ec ? std::filesystem::path(argv[0]) : self).parent_path() / sibling;
  if (::access(path.c_str(), X_OK) != 0) {
    std::cerr << "actfn: error: 'actfn " << sub << "' runs " << sibling << ", which is not next to actfn ("
              << path.string() << (sibling == "actfn-lab" ? "; it needs libtorch: build with ACTFN_BUILD_TORCH=ON)\n"
                                                          : "; build the actfn_bench_cli target)\n");
    return 1;
  }
  std::vector<char*> cargv{const_cast<char*>(path.c_str())};
  for (std::string& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  ::execv(path.c_str(), cargv.data());
  std::cerr << "actfn: error: cannot run " << path.string() << ": " << std::strerror(errno) << "\n";
  return 1;
}

}  // namespace actfn::cli
