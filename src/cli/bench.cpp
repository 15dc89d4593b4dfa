#include "bench.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace actfn::cli {

std::optional<int> bench(int argc, char** argv) {
  std::vector<std::string> args;
  int i = 1;
  if (i + 1 < argc && std::string_view(argv[i]) == "--target") {
    args = {"--target", argv[i + 1]};
    i += 2;
  }
  if (i >= argc || std::string_view(argv[i]) != "bench") return std::nullopt;
  args.insert(args.end(), argv + i + 1, argv + argc);

  // Beside the real executable (not argv[0], which may be a bare name found on PATH or a symlink).
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path path = (ec ? std::filesystem::path(argv[0]) : self).parent_path() / "actfn-bench";
  if (::access(path.c_str(), X_OK) != 0) {
    std::cerr << "actfn: error: 'actfn bench' runs actfn-bench, which is not next to actfn (" << path.string()
              << "; build the actfn_bench_cli target)\n";
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
