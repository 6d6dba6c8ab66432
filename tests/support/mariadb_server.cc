#include "support/mariadb_server.h"

#include <mysql.h>

#include <fstream>

#include <fmt/format.h>

#include "support/process.h"
#include "support/server_scripts.h"
#include "support/stop_watchdog.h"

namespace siphon::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(180);
constexpr auto kStopTimeout = std::chrono::seconds(120);

}  // namespace

MariaDbConnection::MariaDbConnection(const std::string& host, int port,
                                     const std::string& database) {
  mysql_ = mysql_init(nullptr);
  if (mysql_ == nullptr) throw std::runtime_error("mysql_init failed");
  unsigned timeout = 30;
  mysql_optionsv(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_optionsv(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (mysql_real_connect(mysql_, host.c_str(), "root", nullptr,
                         database.empty() ? nullptr : database.c_str(), port, nullptr,
                         CLIENT_MULTI_STATEMENTS) == nullptr) {
    std::string message = fmt::format("connect to {}:{}: {}", host, port, mysql_error(mysql_));
    unsigned code = mysql_errno(mysql_);
    mysql_close(mysql_);
    mysql_ = nullptr;
    throw MariaDbError(code, message);
  }
}

MariaDbConnection::MariaDbConnection(MariaDbConnection&& other) noexcept : mysql_(other.mysql_) {
  other.mysql_ = nullptr;
}

MariaDbConnection::~MariaDbConnection() {
  if (mysql_ != nullptr) mysql_close(mysql_);
}

void MariaDbConnection::fail(const std::string& sql) {
  throw MariaDbError(mysql_errno(mysql_), fmt::format("{} (errno {}) in: {}", mysql_error(mysql_),
                                                      mysql_errno(mysql_), sql.substr(0, 200)));
}

std::vector<std::vector<std::optional<std::string>>> MariaDbConnection::query(
    const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) fail(sql);
  std::vector<std::vector<std::optional<std::string>>> rows;
  // Every result of a multi-statement is consumed, or the connection is left out of sync; the
  // last result set wins.
  for (;;) {
    MYSQL_RES* res = mysql_store_result(mysql_);
    if (res != nullptr) {
      rows.clear();
      unsigned n = mysql_num_fields(res);
      while (MYSQL_ROW row = mysql_fetch_row(res)) {
        unsigned long* lengths = mysql_fetch_lengths(res);
        std::vector<std::optional<std::string>> out;
        for (unsigned i = 0; i < n; ++i) {
          if (row[i] == nullptr) {
            out.emplace_back(std::nullopt);
          } else {
            out.emplace_back(std::string(row[i], lengths[i]));
          }
        }
        rows.push_back(std::move(out));
      }
      mysql_free_result(res);
    } else if (mysql_field_count(mysql_) != 0) {
      fail(sql);
    }
    int next = mysql_next_result(mysql_);
    if (next > 0) fail(sql);
    if (next < 0) break;
  }
  return rows;
}

void MariaDbConnection::exec(const std::string& sql) {
  (void)query(sql);
}

std::string MariaDbConnection::scalar(const std::string& sql) {
  auto rows = query(sql);
  if (rows.empty() || rows[0].empty() || !rows[0][0]) {
    throw std::runtime_error("no value from: " + sql);
  }
  return *rows[0][0];
}

std::unique_ptr<MariaDbServer> MariaDbServer::start(const std::vector<std::string>& extra_options) {
  char dir_template[] = "/tmp/siphon-mdb.XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) {
    throw std::runtime_error(fmt::format("mkdtemp: {}", std::strerror(errno)));
  }
  std::filesystem::path dir = dir_template;
  int watchdog_fd = -1;
  try {
    watchdog_fd = start_stop_watchdog(script_path("mariadb-stop.sh"), dir);
  } catch (...) {
    std::filesystem::remove_all(dir);
    throw;
  }
  std::unique_ptr<MariaDbServer> server(new MariaDbServer(dir, watchdog_fd, extra_options));
  server->run_start_script();  // on failure the destructor cleans up
  return server;
}

void MariaDbServer::run_start_script() {
  std::string options;
  for (const std::string& o : options_) options += o + " ";
  // A private temporary directory (mariadbd's default tmpdir is $TMPDIR): a server deletes the
  // "#sql*" files in its tmpdir when it starts, which broke another test's concurrent
  // mariadb-install-db in a shared /tmp ("Unknown table 'mysql.tmp_proxies_priv'").
  std::filesystem::path tmp = dir_ / "tmp";
  std::filesystem::create_directories(tmp);
  CommandResult result =
      run_command({script_path("mariadb-start.sh"), dir_.string()}, kStartTimeout,
                  {{"MDB_EXTRA_OPTS", options}, {"TMPDIR", tmp.string()}});
  if (!result.status.success() || result.timed_out) {
    throw std::runtime_error(
        describe_failure(fmt::format("mariadb-start.sh {} failed", dir_.string()), result));
  }
  size_t at = result.out.find("MDBPORT=");
  if (at == std::string::npos) {
    throw std::runtime_error(describe_failure("mariadb-start.sh printed no MDBPORT", result));
  }
  port_ = std::stoi(result.out.substr(at + 8));
  stopped_ = false;
}

MariaDbServer::~MariaDbServer() {
  try {
    stop();
  } catch (const std::exception& e) {
    fmt::print(stderr, "MariaDbServer: stopping {} failed: {}\n", dir_.string(), e.what());
  }
  if (watchdog_fd_ >= 0) ::close(watchdog_fd_);
}

MariaDbConnection MariaDbServer::connect(const std::string& database) const {
  return MariaDbConnection("127.0.0.1", port_, database);
}

pid_t MariaDbServer::pid() const {
  std::ifstream in(dir_ / "mysqld.pid");
  pid_t pid = -1;
  if (!(in >> pid) || pid <= 0) return -1;
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text;
  std::getline(stat, text);
  size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return -1;
  char state = text[paren + 2];
  return state == 'Z' || state == 'X' ? -1 : pid;
}

void MariaDbServer::restart(bool immediate) {
  if (stopped_) throw std::logic_error("MariaDbServer::restart after stop()");
  std::vector<std::string> argv = {script_path("mariadb-stop.sh"), dir_.string(), "--keep"};
  if (immediate) argv.push_back("--immediate");
  CommandResult result = run_command(argv, kStopTimeout);
  if (!result.status.success() || result.timed_out) {
    throw std::runtime_error(describe_failure("mariadb-stop.sh --keep failed", result));
  }
  run_start_script();
}

void MariaDbServer::stop() {
  if (stopped_) return;
  CommandResult result = run_command({script_path("mariadb-stop.sh"), dir_.string()}, kStopTimeout);
  if (!result.status.success() || result.timed_out) {
    throw std::runtime_error(describe_failure("mariadb-stop.sh failed", result));
  }
  stopped_ = true;
  if (watchdog_fd_ >= 0) ::close(watchdog_fd_);
  watchdog_fd_ = -1;
}

std::string MariaDbServer::log_tail(size_t lines) const {
  return file_tail(log_path(), lines, "(no error log)");
}

MariaDbServer& shared_mariadb_server() {
  static std::unique_ptr<MariaDbServer> server = MariaDbServer::start();
  return *server;
}

}  // namespace siphon::testing
