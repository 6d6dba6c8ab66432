#pragma once
// A throwaway MariaDB 10.11 server for binlog tests, started and stopped by
// scripts/mariadb-start.sh and scripts/mariadb-stop.sh (ROW binlog, FULL row image and
// metadata, GTID strict mode, UTC). Fresh directory under /tmp, port chosen at run time; a
// watchdog stops the server if the test process dies without cleaning up.
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

typedef struct st_mysql MYSQL;

namespace siphon::testing {

// A failed statement: the server's error number and message.
class MariaDbError : public std::runtime_error {
 public:
  MariaDbError(unsigned code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  unsigned code() const { return code_; }

 private:
  unsigned code_;
};

// One Connector/C connection as root. Statements may be several, separated by ';'.
class MariaDbConnection {
 public:
  MariaDbConnection(const std::string& host, int port, const std::string& database = "");
  MariaDbConnection(MariaDbConnection&& other) noexcept;
  MariaDbConnection& operator=(MariaDbConnection&&) = delete;
  MariaDbConnection(const MariaDbConnection&) = delete;
  MariaDbConnection& operator=(const MariaDbConnection&) = delete;
  ~MariaDbConnection();

  // Runs statements, discarding any results. Throws MariaDbError.
  void exec(const std::string& sql);
  // Rows of the last result set as text (nullopt = NULL).
  std::vector<std::vector<std::optional<std::string>>> query(const std::string& sql);
  // The first column of the first row; throws when there is none or it is NULL.
  std::string scalar(const std::string& sql);

  MYSQL* handle() { return mysql_; }

 private:
  [[noreturn]] void fail(const std::string& sql);
  MYSQL* mysql_ = nullptr;
};

class MariaDbServer {
 public:
  // Starts a server; `extra_options` are passed to mariadbd ("--log-bin-compress=ON").
  // Throws std::runtime_error with the script's output and the error log's tail on failure.
  static std::unique_ptr<MariaDbServer> start(const std::vector<std::string>& extra_options = {});

  MariaDbServer(const MariaDbServer&) = delete;
  MariaDbServer& operator=(const MariaDbServer&) = delete;
  // Stops the server and removes its directory.
  ~MariaDbServer();

  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  // Where the binlog files (binlog.000001 ...) are.
  std::filesystem::path data_dir() const { return dir_ / "data"; }
  std::filesystem::path log_path() const { return dir_ / "error.log"; }
  MariaDbConnection connect(const std::string& database = "") const;
  // The server's pid (from its pid file); -1 when it is not running.
  pid_t pid() const;

  // Stops (cleanly, or with SIGKILL to simulate a crash) and starts again with the same data
  // and port. Throws std::runtime_error on failure.
  void restart(bool immediate = false);
  // Stops the server and removes its directory; idempotent.
  void stop();

  std::string log_tail(size_t lines = 40) const;

 private:
  MariaDbServer(std::filesystem::path dir, int watchdog_fd, std::vector<std::string> options)
      : dir_(std::move(dir)), watchdog_fd_(watchdog_fd), options_(std::move(options)) {}
  void run_start_script();

  std::filesystem::path dir_;
  int port_ = 0;
  int watchdog_fd_ = -1;
  std::vector<std::string> options_;
  bool stopped_ = false;
};

// One server for the whole test process, started on first use and stopped at exit. Tests that
// share it use their own databases.
MariaDbServer& shared_mariadb_server();

}  // namespace siphon::testing
