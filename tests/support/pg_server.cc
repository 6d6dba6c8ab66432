#include "support/pg_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "support/process.h"

#ifndef SIPHON_REPO_ROOT
#error "SIPHON_REPO_ROOT must name the repository root (set by tests/support/CMakeLists.txt)"
#endif

extern char** environ;

namespace siphon::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(180);
constexpr auto kStopTimeout = std::chrono::seconds(120);

std::string script(const char* name) {
  return (repo_root() / "scripts" / name).string();
}

std::string describe_failure(const std::string& what, const CommandResult& result) {
  return fmt::format("{} ({}{})\n--- stdout ---\n{}\n--- stderr ---\n{}", what,
                     result.status.describe(), result.timed_out ? ", timed out" : "", result.out,
                     result.err);
}

// Starts a detached process that waits for end-of-file on a pipe and then runs
// `pg-stop.sh dir`. We hold the pipe's only write end: it closes when we call stop() or when this
// process dies in any way, even by SIGKILL. Detached (double fork, own session) so that a test
// runner killing our process tree on timeout does not kill the watchdog with it.
// Returns the write end.
int start_watchdog(const std::filesystem::path& dir) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(fmt::format("pipe2: {}", std::strerror(errno)));
  }
  // Built before fork: the child may only make async-signal-safe calls.
  std::string shell = "/bin/sh";
  std::string code = "read -r _ignored; exec \"$0\" \"$1\" >/dev/null 2>&1";
  std::string stop_script = script("pg-stop.sh");
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

}  // namespace

std::filesystem::path repo_root() {
  return SIPHON_REPO_ROOT;
}

std::unique_ptr<PgServer> PgServer::start(const std::vector<std::string>& extra_conf) {
  char dir_template[] = "/tmp/siphon-pg.XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) {
    throw std::runtime_error(fmt::format("mkdtemp: {}", std::strerror(errno)));
  }
  std::filesystem::path dir = dir_template;
  int watchdog_fd = -1;
  try {
    watchdog_fd = start_watchdog(dir);
  } catch (...) {
    std::filesystem::remove_all(dir);
    throw;
  }
  std::unique_ptr<PgServer> server(new PgServer(dir, watchdog_fd));
  server->run_start_script(extra_conf);  // on failure the destructor cleans up
  return server;
}

void PgServer::run_start_script(const std::vector<std::string>& extra_conf) {
  std::string conf;
  for (const std::string& line : extra_conf) conf += line + "\n";
  CommandResult result =
      run_command({script("pg-start.sh"), dir_.string()}, kStartTimeout, {{"PG_EXTRA_CONF", conf}});
  if (!result.status.success() || result.timed_out) {
    throw std::runtime_error(
        describe_failure(fmt::format("pg-start.sh {} failed", dir_.string()), result) +
        "\n--- server log ---\n" + log_tail());
  }
  size_t at = result.out.find("PGPORT=");
  if (at == std::string::npos) {
    throw std::runtime_error(describe_failure("pg-start.sh printed no PGPORT", result));
  }
  port_ = std::stoi(result.out.substr(at + 7));
  stopped_ = false;
}

PgServer::~PgServer() {
  try {
    stop();
  } catch (const std::exception& e) {
    // The watchdog still removes it when the pipe closes below.
    fmt::print(stderr, "PgServer: stopping {} failed: {}\n", dir_.string(), e.what());
  }
  if (watchdog_fd_ >= 0) ::close(watchdog_fd_);
}

std::string PgServer::conninfo(const std::string& dbname) const {
  return fmt::format("host=127.0.0.1 port={} user=postgres dbname={}", port_, dbname);
}

PgConnection PgServer::connect(const std::string& dbname) const {
  return PgConnection(conninfo(dbname));
}

pid_t PgServer::pid() const {
  std::ifstream in(data_dir() / "postmaster.pid");
  pid_t pid = -1;
  if (!(in >> pid) || pid <= 0) return -1;
  // Not kill(pid, 0): a postmaster killed by a crash test stays a zombie until init reaps it.
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text;
  std::getline(stat, text);
  size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return -1;
  char state = text[paren + 2];
  return state == 'Z' || state == 'X' ? -1 : pid;
}

void PgServer::restart(bool immediate) {
  if (stopped_) throw std::logic_error("PgServer::restart after stop()");
  std::vector<std::string> argv = {script("pg-stop.sh"), dir_.string(), "--keep"};
  if (immediate) argv.push_back("--immediate");
  CommandResult result = run_command(argv, kStopTimeout);
  if (!result.status.success() || result.timed_out) {
    throw std::runtime_error(describe_failure("pg-stop.sh --keep failed", result));
  }
  // pg-start.sh reuses DIR/port, so clients reconnect to the same address.
  run_start_script({});
}

void PgServer::stop() {
  if (stopped_) return;
  CommandResult result = run_command({script("pg-stop.sh"), dir_.string()}, kStopTimeout);
  if (!result.status.success() || result.timed_out) {
    throw std::runtime_error(describe_failure("pg-stop.sh failed", result));
  }
  stopped_ = true;
  // Nothing left to guard: let the watchdog run its (now idle) pg-stop.sh and exit.
  if (watchdog_fd_ >= 0) ::close(watchdog_fd_);
  watchdog_fd_ = -1;
}

std::string PgServer::log_tail(size_t lines) const {
  std::ifstream in(log_path());
  if (!in) return "(no server log)";
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(std::move(line));
    if (tail.size() > lines) tail.pop_front();
  }
  std::string text;
  for (const std::string& l : tail) text += l + "\n";
  return text;
}

PgServer& shared_pg_server() {
  // A function-local static: started on first use (so listing tests starts nothing), destroyed
  // at exit; a failed start throws and is retried by the next caller.
  static std::unique_ptr<PgServer> server = PgServer::start();
  return *server;
}

}  // namespace siphon::testing
