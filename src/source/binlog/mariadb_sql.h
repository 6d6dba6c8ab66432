#pragma once
// A plain SQL connection to a MariaDB/MySQL server over Connector/C, for what the binlog source
// asks besides the binlog: the server's GTID position and information_schema. Results are text,
// as the server sends them.
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

typedef struct st_mysql MYSQL;

namespace siphon::source::binlog {

struct MariaDbSqlOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user;
  std::string password;
  unsigned connect_timeout_seconds = 30;
};

// Lost connections and the errors a restarting server gives are retryable; the rest (wrong
// password, missing privilege, an unknown position) need an operator.
ErrorKind mariadb_error_kind(unsigned code);

class MariaDbSql {
 public:
  using Row = std::vector<std::optional<std::string>>;

  // Errors name the server and say why; the password is never printed.
  static Result<MariaDbSql> connect(const MariaDbSqlOptions& options);

  MariaDbSql(MariaDbSql&& other) noexcept;
  MariaDbSql& operator=(MariaDbSql&& other) noexcept;
  MariaDbSql(const MariaDbSql&) = delete;
  MariaDbSql& operator=(const MariaDbSql&) = delete;
  ~MariaDbSql();

  Result<std::vector<Row>> query(const std::string& sql);
  // A quoted string literal for `text` in the connection's character set.
  std::string quote(const std::string& text);

 private:
  MariaDbSql() = default;
  MYSQL* mysql_ = nullptr;
  std::string where_;
};

}  // namespace siphon::source::binlog
