#include "support/pg_connection.h"

#include <memory>
#include <utility>

#include <fmt/format.h>
#include <libpq-fe.h>

namespace siphon::testing {
namespace {

// Owns one PGresult.
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(const char* text) {
  std::string s = text != nullptr ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Throws unless the result is a success; the message carries the statement (shortened) so a
// failing test says which SQL broke.
void check(PGconn* conn, const PGresult* result, const std::string& sql) {
  ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  std::string message = trimmed(result != nullptr ? PQresultErrorMessage(result) : "");
  if (message.empty()) message = trimmed(PQerrorMessage(conn));
  std::string shown = sql.size() > 200 ? sql.substr(0, 200) + "..." : sql;
  throw PgError(fmt::format("{} (SQL: {})", message, shown), state != nullptr ? state : "",
                PQstatus(conn) != CONNECTION_OK);
}

}  // namespace

PgConnection::PgConnection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (conn_ == nullptr) throw PgError("PQconnectdb: out of memory", "", true);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError(fmt::format("cannot connect: {}", message), "", true);
  }
}

PgConnection::PgConnection(PgConnection&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)) {}

PgConnection& PgConnection::operator=(PgConnection&& other) noexcept {
  if (this != &other) {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = std::exchange(other.conn_, nullptr);
  }
  return *this;
}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

bool PgConnection::ok() const {
  return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

void PgConnection::exec(const std::string& sql) {
  // PQexec returns only the last result of a multi-statement string, but stops at the first
  // error, so the last result is the failing one when any failed.
  ResultPtr result(PQexec(conn_, sql.c_str()));
  check(conn_, result.get(), sql);
}

long PgConnection::exec_params(const std::string& sql,
                               const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  ResultPtr result(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                values.data(), nullptr, nullptr, 0));
  check(conn_, result.get(), sql);
  const char* tuples = PQcmdTuples(result.get());
  return tuples != nullptr && *tuples != '\0' ? std::stol(tuples) : 0;
}

std::vector<PgRow> PgConnection::query(const std::string& sql) {
  ResultPtr result(PQexec(conn_, sql.c_str()));
  check(conn_, result.get(), sql);
  std::vector<PgRow> rows;
  int n_rows = PQntuples(result.get());
  int n_cols = PQnfields(result.get());
  rows.reserve(static_cast<size_t>(n_rows));
  for (int r = 0; r < n_rows; ++r) {
    PgRow row;
    row.reserve(static_cast<size_t>(n_cols));
    for (int c = 0; c < n_cols; ++c) {
      if (PQgetisnull(result.get(), r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result.get(), r, c),
                                     static_cast<size_t>(PQgetlength(result.get(), r, c))));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string PgConnection::scalar(const std::string& sql) {
  std::vector<PgRow> rows = query(sql);
  if (rows.size() != 1 || rows[0].size() != 1 || !rows[0][0]) {
    throw PgError(fmt::format("expected one non-NULL value from: {}", sql), "", false);
  }
  return *rows[0][0];
}

}  // namespace siphon::testing
