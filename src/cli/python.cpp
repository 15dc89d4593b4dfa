#include "python.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "actfn/error.hpp"

extern char** environ;

namespace actfn::cli {

void run_python(std::string_view what, const char* source, const std::vector<std::string>& args) {
  const char* env = std::getenv("ACTFN_PYTHON");
  const std::string python = env && *env ? env : "/usr/bin/python3";
  // stderr goes to a file: on failure its last line names the problem.
  char log[] = "/tmp/actfn-python-XXXXXX";
  const int fd = ::mkstemp(log);
  if (fd < 0) throw Error("cannot create a temporary file for " + std::string(what));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);
  std::vector<std::string> storage{python, "-c", source};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, python.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fd);
  int status = 0;
  if (rc == 0) ::waitpid(pid, &status, 0);
  std::string text;
  {
    std::ifstream in(log);
    std::ostringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  ::unlink(log);
  if (rc != 0) throw Error(std::string(what) + ": cannot run " + python + ": " + std::strerror(rc));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    const auto nl = text.find_last_of('\n');
    throw Error(std::string(what) + " failed (" + python + "): " + (nl == std::string::npos ? text : text.substr(nl + 1)));
  }
  // Warnings (matplotlib's font cache, say) are not errors, but are worth seeing.
  if (!text.empty()) std::fputs(text.c_str(), stderr);
}

}  // namespace actfn::cli
