#pragma once
// A small blocking libpq connection for tests: setup SQL, workload writes, state checks.
// Failures throw (PgError), because a test cannot go on after its SQL failed.
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

struct pg_conn;

namespace siphon::testing {

// A failed connection or statement; sqlstate() is empty for connection-level failures.
class PgError : public std::runtime_error {
 public:
  PgError(const std::string& message, std::string sqlstate, bool connection_lost)
      : std::runtime_error(message),
        sqlstate_(std::move(sqlstate)),
        connection_lost_(connection_lost) {}

  const std::string& sqlstate() const { return sqlstate_; }
  // The connection is unusable (server gone or restarting); reconnect to go on.
  bool connection_lost() const { return connection_lost_; }

 private:
  std::string sqlstate_;
  bool connection_lost_;
};

using PgRow = std::vector<std::optional<std::string>>;  // one text value per column, nullopt = NULL

class PgConnection {
 public:
  // Throws PgError when the server cannot be reached.
  explicit PgConnection(const std::string& conninfo);
  PgConnection(PgConnection&& other) noexcept;
  PgConnection& operator=(PgConnection&& other) noexcept;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // Runs one or more statements; throws PgError with the server's message on failure.
  void exec(const std::string& sql);
  // Runs a statement with text parameters ($1, $2, ...; nullopt = NULL); returns rows affected.
  long exec_params(const std::string& sql, const std::vector<std::optional<std::string>>& params);
  // All rows of one statement, as text.
  std::vector<PgRow> query(const std::string& sql);
  // The single non-NULL value of a one-row, one-column result.
  std::string scalar(const std::string& sql);

  // False once the server closed the connection.
  bool ok() const;
  pg_conn* raw() { return conn_; }

 private:
  pg_conn* conn_ = nullptr;
};

}  // namespace siphon::testing
