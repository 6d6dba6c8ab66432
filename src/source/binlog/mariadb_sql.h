#pragma once
// A plain SQL connection to a MariaDB/MySQL server over Connector/C, for what the binlog source
// asks besides the binlog: the server's GTID position and information_schema. Results are text,
// as the server sends them.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
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
  // Runs `sql` and hands each row to `on_row` as it arrives, without holding the result in
  // memory (a snapshot's table scan). The views live until `on_row` returns. An error from
  // `on_row` stops the scan and is returned; the connection is closed then (the rest of the
  // result is not read).
  using RowView = std::vector<std::optional<std::string_view>>;
  Status query_each(const std::string& sql, const std::function<Status(const RowView&)>& on_row);
  // A quoted string literal for `text` in the connection's character set.
  std::string quote(const std::string& text);

 private:
  MariaDbSql() = default;
  MYSQL* mysql_ = nullptr;
  std::string where_;
};

}  // namespace siphon::source::binlog
