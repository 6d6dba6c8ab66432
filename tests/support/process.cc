#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

#include <fmt/format.h>

extern char** environ;

namespace siphon::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::runtime_error sys_error(std::string_view what) {
  return std::runtime_error(fmt::format("{}: {}", what, std::strerror(errno)));
}

// Owns one file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    reset(std::exchange(other.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw sys_error("pipe2");
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

Fd open_output(const std::filesystem::path& path, bool truncate) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : O_APPEND);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) throw sys_error(fmt::format("open {}", path.string()));
  return Fd(fd);
}

// Resolved in the parent: after fork the child may only make async-signal-safe calls, because
// the parent may have other threads (one of them could hold the malloc lock).
std::string resolve_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path_env = std::getenv("PATH");
  std::string_view path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    size_t colon = path.find(':');
    std::string_view dir = path.substr(0, colon);
    std::string candidate = fmt::format("{}/{}", dir.empty() ? "." : dir, name);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    path.remove_prefix(colon + 1);
  }
  return name;  // execve fails with ENOENT and the caller reports it
}

std::vector<std::string> build_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> result;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    std::string name(text.substr(0, text.find('=')));
    if (!extra.contains(name)) result.emplace_back(text);
  }
  for (const auto& [name, value] : extra) result.push_back(name + "=" + value);
  return result;
}

std::vector<char*> c_array(std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (std::string& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

// In the child: make `fd` the descriptor `target`, without close-on-exec.
void move_fd(int fd, int target) {
  if (fd == target) {
    ::fcntl(fd, F_SETFD, 0);
  } else {
    ::dup2(fd, target);
  }
}

// In the child: close everything but 0-2 and `keep`, so no test descriptor (a libpq socket, a
// pipe of another child) leaks into the program and keeps it alive or open.
void close_other_fds(int keep) {
  if (keep > 3) ::close_range(3, static_cast<unsigned>(keep - 1), 0);
  if (::close_range(static_cast<unsigned>(keep + 1), ~0U, 0) != 0) {
    for (int fd = keep + 1; fd < 65536; ++fd) ::close(fd);
  }
}

pid_t spawn(const SpawnOptions& options, int stdout_fd, int stderr_fd) {
  if (options.argv.empty()) throw std::invalid_argument("spawn: empty argv");
  std::string program = resolve_program(options.argv[0]);
  std::vector<std::string> args = options.argv;
  std::vector<char*> argv = c_array(args);
  std::vector<std::string> env_strings = build_environment(options.env);
  std::vector<char*> envp = c_array(env_strings);
  std::string cwd = options.cwd.string();

  Fd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (devnull.get() < 0) throw sys_error("open /dev/null");
  // The child writes errno here when execve fails; close-on-exec makes a successful exec read
  // as end-of-file in the parent.
  Pipe exec_error = make_pipe();
  pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) throw sys_error("fork");
  if (pid == 0) {
    if (options.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    }
    move_fd(devnull.get(), 0);
    if (stdout_fd >= 0) move_fd(stdout_fd, 1);
    if (stderr_fd >= 0) move_fd(stderr_fd, 2);
    // Blocked signals and ignored dispositions survive execve; the program must start clean
    // (a test runner may block SIGTERM or ignore SIGPIPE).
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2}) {
      ::signal(sig, SIG_DFL);
    }
    close_other_fds(exec_error.write.get());
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
      int err = errno;
      (void)!::write(exec_error.write.get(), &err, sizeof err);
      ::_exit(127);
    }
    ::execve(program.c_str(), argv.data(), envp.data());
    int err = errno;
    (void)!::write(exec_error.write.get(), &err, sizeof err);
    ::_exit(127);
  }

  exec_error.write.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_error.read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    ::waitpid(pid, nullptr, 0);
    throw std::runtime_error(
        fmt::format("cannot run {}: {}", options.argv[0], std::strerror(child_errno)));
  }
  return pid;
}

ExitStatus decode(int raw) {
  if (WIFSIGNALED(raw)) return ExitStatus{-1, WTERMSIG(raw)};
  return ExitStatus{WEXITSTATUS(raw), 0};
}

// Reads what is available on a non-blocking descriptor; false at end-of-file.
bool drain(int fd, std::string& into) {
  char buffer[8192];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      into.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

}  // namespace

std::string ExitStatus::describe() const {
  if (signal != 0) return fmt::format("signal {} ({})", signal, ::strsignal(signal));
  return fmt::format("exit {}", code);
}

ChildProcess::ChildProcess(const SpawnOptions& options) {
  Fd out;
  Fd err;
  if (!options.stdout_path.empty()) out = open_output(options.stdout_path, options.truncate);
  if (!options.stderr_path.empty()) {
    // One open file description for both, so interleaved writes do not overwrite each other.
    if (options.stderr_path == options.stdout_path) {
      err = Fd(::fcntl(out.get(), F_DUPFD_CLOEXEC, 3));
      if (err.get() < 0) throw sys_error("dup");
    } else {
      err = open_output(options.stderr_path, options.truncate);
    }
  }
  pid_ = spawn(options, out.get(), err.get());
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), status_(std::exchange(other.status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  kill_and_reap();
}

bool ChildProcess::try_reap() {
  if (status_) return true;
  if (pid_ <= 0) return false;
  int raw = 0;
  while (true) {
    pid_t r = ::waitpid(pid_, &raw, WNOHANG);
    if (r == pid_) {
      status_ = decode(raw);
      return true;
    }
    if (r == 0) return false;
    if (errno == EINTR) continue;
    // ECHILD: reaped elsewhere (SIGCHLD ignored); the status is lost.
    status_ = ExitStatus{-1, 0};
    return true;
  }
}

bool ChildProcess::running() {
  return pid_ > 0 && !try_reap();
}

std::optional<ExitStatus> ChildProcess::wait(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  auto step = std::chrono::microseconds(500);
  while (true) {
    if (try_reap()) return status_;
    auto now = Clock::now();
    if (now >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::min<Clock::duration>(
        step, std::chrono::duration_cast<Clock::duration>(deadline - now)));
    step = std::min(step * 2, std::chrono::microseconds(20000));
  }
}

ExitStatus ChildProcess::wait() {
  if (status_) return *status_;
  if (pid_ <= 0) throw std::logic_error("ChildProcess::wait on a moved-from process");
  int raw = 0;
  while (true) {
    pid_t r = ::waitpid(pid_, &raw, 0);
    if (r == pid_) {
      status_ = decode(raw);
      return *status_;
    }
    if (r < 0 && errno == EINTR) continue;
    status_ = ExitStatus{-1, 0};
    return *status_;
  }
}

void ChildProcess::send(int signal_number) {
  // A zombie may still be signalled; only a reaped pid could have been reused.
  if (pid_ > 0 && !status_) ::kill(pid_, signal_number);
}

void ChildProcess::terminate() {
  send(SIGTERM);
}

void ChildProcess::kill9() {
  send(SIGKILL);
}

ExitStatus ChildProcess::stop(std::chrono::milliseconds grace) {
  terminate();
  if (auto status = wait(grace)) return *status;
  kill9();
  return wait();
}

void ChildProcess::kill_and_reap() noexcept {
  if (pid_ <= 0 || status_) return;
  ::kill(pid_, SIGKILL);
  int raw = 0;
  while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
  }
  status_ = decode(raw);
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::map<std::string, std::string>& env) {
  Pipe out = make_pipe();
  Pipe err = make_pipe();
  SpawnOptions options{.argv = argv, .env = env};
  ChildProcess child(spawn(options, out.write.get(), err.write.get()));
  out.write.reset();
  err.write.reset();
  for (const Fd* fd : {&out.read, &err.read}) ::fcntl(fd->get(), F_SETFL, O_NONBLOCK);

  CommandResult result;
  auto deadline = Clock::now() + timeout;
  bool out_open = true;
  bool err_open = true;
  while (true) {
    if (!out_open && !err_open) {
      // Both ends closed: the command is finishing.
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (auto status = child.wait(std::max(left, std::chrono::milliseconds(0)))) {
        result.status = *status;
        return result;
      }
    } else {
      pollfd fds[2] = {{out_open ? out.read.get() : -1, POLLIN, 0},
                       {err_open ? err.read.get() : -1, POLLIN, 0}};
      ::poll(fds, 2, 20);
      if (out_open) out_open = drain(out.read.get(), result.out);
      if (err_open) err_open = drain(err.read.get(), result.err);
      if (child.try_reap()) {
        // A daemon the command started may hold the pipes open: take what is there and stop.
        if (out_open) drain(out.read.get(), result.out);
        if (err_open) drain(err.read.get(), result.err);
        result.status = child.wait();
        return result;
      }
    }
    if (Clock::now() >= deadline) {
      result.timed_out = true;
      child.kill9();
      result.status = child.wait();
      if (out_open) drain(out.read.get(), result.out);
      if (err_open) drain(err.read.get(), result.err);
      return result;
    }
  }
}

}  // namespace siphon::testing
