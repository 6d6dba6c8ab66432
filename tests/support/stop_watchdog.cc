#include "support/stop_watchdog.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

extern char** environ;

namespace siphon::testing {

// Starts a detached process that waits for end-of-file on a pipe and then runs
// `stop_script dir`. We hold the pipe's only write end: it closes when we call stop() or when this
// process dies in any way, even by SIGKILL. Detached (double fork, own session) so that a test
// runner killing our process tree on timeout does not kill the watchdog with it.
// Returns the write end.
int start_stop_watchdog(const std::string& stop_script_path, const std::filesystem::path& dir) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(fmt::format("pipe2: {}", std::strerror(errno)));
  }
  // Built before fork: the child may only make async-signal-safe calls.
  std::string shell = "/bin/sh";
  std::string code = "read -r _ignored; exec \"$0\" \"$1\" >/dev/null 2>&1";
  std::string stop_script = stop_script_path;
  std::string dir_text = dir.string();
  std::string dash_c = "-c";
  std::vector<char*> argv = {shell.data(),       dash_c.data(),   code.data(),
                             stop_script.data(), dir_text.data(), nullptr};
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);

  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    ::close(devnull);
    throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    if (::fork() != 0) ::_exit(0);  // the grandchild is reparented; the parent reaps us now
    ::setsid();
    ::dup2(fds[0], 0);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::close_range(3, ~0U, 0);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(shell.c_str(), argv.data(), environ);
    ::_exit(127);
  }
  ::close(fds[0]);
  ::close(devnull);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  return fds[1];
}

}  // namespace siphon::testing
