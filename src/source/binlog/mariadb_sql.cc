#include "source/binlog/mariadb_sql.h"

#include <mysql.h>

#include <utility>

namespace siphon::source::binlog {

ErrorKind mariadb_error_kind(unsigned code) {
  switch (code) {
    case 2002:  // CR_CONNECTION_ERROR
    case 2003:  // CR_CONN_HOST_ERROR
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1040:  // ER_CON_COUNT_ERROR
      return ErrorKind::kRetryable;
    default:
      return ErrorKind::kFatal;
  }
}

Result<MariaDbSql> MariaDbSql::connect(const MariaDbSqlOptions& options) {
  MariaDbSql sql;
  sql.where_ = options.host + ":" + std::to_string(options.port);
  sql.mysql_ = mysql_init(nullptr);
  if (sql.mysql_ == nullptr) return make_error(ErrorKind::kFatal, "MariaDB: out of memory");
  mysql_optionsv(sql.mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &options.connect_timeout_seconds);
  // utf8mb4 so that names and texts in information_schema arrive as UTF-8.
  mysql_optionsv(sql.mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (mysql_real_connect(sql.mysql_, options.host.c_str(), options.user.c_str(),
                         options.password.c_str(), nullptr, static_cast<unsigned>(options.port),
                         nullptr, 0) == nullptr) {
    return make_error(mariadb_error_kind(mysql_errno(sql.mysql_)),
                      "cannot connect to MariaDB at {} as '{}': {}", sql.where_, options.user,
                      mysql_error(sql.mysql_));
  }
  return sql;
}

MariaDbSql::MariaDbSql(MariaDbSql&& other) noexcept
    : mysql_(std::exchange(other.mysql_, nullptr)), where_(std::move(other.where_)) {}

MariaDbSql& MariaDbSql::operator=(MariaDbSql&& other) noexcept {
  if (this != &other) {
    if (mysql_ != nullptr) mysql_close(mysql_);
    mysql_ = std::exchange(other.mysql_, nullptr);
    where_ = std::move(other.where_);
  }
  return *this;
}

MariaDbSql::~MariaDbSql() {
  if (mysql_ != nullptr) mysql_close(mysql_);
}

Result<std::vector<MariaDbSql::Row>> MariaDbSql::query(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    return make_error(mariadb_error_kind(mysql_errno(mysql_)), "MariaDB at {}: '{}' failed: {}",
                      where_, sql, mysql_error(mysql_));
  }
  std::vector<Row> out;
  MYSQL_RES* result = mysql_store_result(mysql_);
  if (result == nullptr) {
    if (mysql_field_count(mysql_) != 0) {
      return make_error(mariadb_error_kind(mysql_errno(mysql_)),
                        "MariaDB at {}: reading the result of '{}' failed: {}", where_, sql,
                        mysql_error(mysql_));
    }
    return out;
  }
  const unsigned fields = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    unsigned long* lengths = mysql_fetch_lengths(result);
    Row& values = out.emplace_back();
    for (unsigned i = 0; i < fields; ++i) {
      if (row[i] == nullptr) {
        values.emplace_back(std::nullopt);
      } else {
        values.emplace_back(std::string(row[i], lengths[i]));
      }
    }
  }
  mysql_free_result(result);
  return out;
}

Status MariaDbSql::query_each(const std::string& sql,
                              const std::function<Status(const RowView&)>& on_row) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    return make_error(mariadb_error_kind(mysql_errno(mysql_)), "MariaDB at {}: '{}' failed: {}",
                      where_, sql, mysql_error(mysql_));
  }
  // mysql_use_result: rows are read from the socket as they are fetched.
  MYSQL_RES* result = mysql_use_result(mysql_);
  if (result == nullptr) {
    if (mysql_field_count(mysql_) == 0) return ok();
    return make_error(mariadb_error_kind(mysql_errno(mysql_)),
                      "MariaDB at {}: reading the result of '{}' failed: {}", where_, sql,
                      mysql_error(mysql_));
  }
  const unsigned fields = mysql_num_fields(result);
  RowView values(fields);
  Status status = ok();
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    unsigned long* lengths = mysql_fetch_lengths(result);
    for (unsigned i = 0; i < fields; ++i) {
      values[i] = row[i] == nullptr
                      ? std::nullopt
                      : std::optional<std::string_view>(std::in_place, row[i], lengths[i]);
    }
    status = on_row(values);
    if (!status) break;
  }
  if (status && mysql_errno(mysql_) != 0) {
    status = make_error(mariadb_error_kind(mysql_errno(mysql_)),
                        "MariaDB at {}: reading the result of '{}' failed: {}", where_, sql,
                        mysql_error(mysql_));
  }
  // Freeing an unfinished result reads and discards the rest of it, which for a stopped table
  // scan may be most of a big table: the connection is cut first (it is unusable after a
  // stopped scan anyway).
  if (!status) mariadb_cancel(mysql_);
  mysql_free_result(result);
  return status;
}

std::string MariaDbSql::quote(const std::string& text) {
  std::string out(text.size() * 2 + 1, '\0');
  out.resize(mysql_real_escape_string(mysql_, out.data(), text.data(), text.size()));
  return "'" + out + "'";
}

}  // namespace siphon::source::binlog
