#include "support/pg_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "support/process.h"
#include "support/server_scripts.h"
#include "support/stop_watchdog.h"

namespace siphon::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(180);
constexpr auto kStopTimeout = std::chrono::seconds(120);

}  // namespace

std::unique_ptr<PgServer> PgServer::start(const std::vector<std::string>& extra_conf) {
  char dir_template[] = "/tmp/siphon-pg.XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) {
    throw std::runtime_error(fmt::format("mkdtemp: {}", std::strerror(errno)));
  }
  std::filesystem::path dir = dir_template;
  int watchdog_fd = -1;
  try {
    watchdog_fd = start_stop_watchdog(script_path("pg-stop.sh"), dir);
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
  CommandResult result = run_command({script_path("pg-start.sh"), dir_.string()}, kStartTimeout,
                                     {{"PG_EXTRA_CONF", conf}});
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
  std::vector<std::string> argv = {script_path("pg-stop.sh"), dir_.string(), "--keep"};
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
  CommandResult result = run_command({script_path("pg-stop.sh"), dir_.string()}, kStopTimeout);
  if (!result.status.success() || result.timed_out) {
    throw std::runtime_error(describe_failure("pg-stop.sh failed", result));
  }
  stopped_ = true;
  // Nothing left to guard: let the watchdog run its (now idle) pg-stop.sh and exit.
  if (watchdog_fd_ >= 0) ::close(watchdog_fd_);
  watchdog_fd_ = -1;
}

std::string PgServer::log_tail(size_t lines) const {
  return file_tail(log_path(), lines, "(no server log)");
}

PgServer& shared_pg_server() {
  // A function-local static: started on first use (so listing tests starts nothing), destroyed
  // at exit; a failed start throws and is retried by the next caller.
  static std::unique_ptr<PgServer> server = PgServer::start();
  return *server;
}

}  // namespace siphon::testing
