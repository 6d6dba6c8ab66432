#pragma once
// A throwaway PostgreSQL 15 server for integration and crash tests, started and stopped by
// scripts/pg-start.sh and scripts/pg-stop.sh (one implementation for tests, demos and people).
//
// Every server gets a fresh directory under /tmp and a port chosen at run time, so tests may
// run in parallel. A watchdog process stops the server if the test process dies without running
// destructors (crash, SIGKILL on timeout): no server outlives its test.
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/pg_connection.h"
#include "support/server_scripts.h"  // repo_root(), for the tests that include this

namespace siphon::testing {

class PgServer {
 public:
  // Starts a server with wal_level=logical; `extra_conf` lines are appended to postgresql.conf.
  // Throws std::runtime_error with the script's output and the server log's tail on failure.
  static std::unique_ptr<PgServer> start(const std::vector<std::string>& extra_conf = {});

  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;
  // Stops the server and removes its directory.
  ~PgServer();

  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path data_dir() const { return dir_ / "data"; }
  std::filesystem::path log_path() const { return dir_ / "server.log"; }
  // "host=127.0.0.1 port=N user=postgres dbname=D"
  std::string conninfo(const std::string& dbname = "postgres") const;
  PgConnection connect(const std::string& dbname = "postgres") const;
  // The postmaster's pid (from postmaster.pid); -1 when it is not running.
  pid_t pid() const;

  // Stops ('fast', or 'immediate' to simulate a crash: the next start runs crash recovery) and
  // starts again with the same data and port. Throws std::runtime_error on failure.
  void restart(bool immediate = false);
  // Stops the server and removes its directory; idempotent.
  void stop();
  bool stopped() const { return stopped_; }

  // The last lines of the server log, for failure messages.
  std::string log_tail(size_t lines = 40) const;

 private:
  PgServer(std::filesystem::path dir, int watchdog_fd)
      : dir_(std::move(dir)), watchdog_fd_(watchdog_fd) {}
  void run_start_script(const std::vector<std::string>& extra_conf);

  std::filesystem::path dir_;
  int port_ = 0;
  int watchdog_fd_ = -1;  // closing it (or our death) makes the watchdog run pg-stop.sh
  bool stopped_ = false;
};

// One server for the whole test process, started on first use and stopped at exit. Tests that
// share it must use their own tables, slots and publications.
PgServer& shared_pg_server();

}  // namespace siphon::testing
