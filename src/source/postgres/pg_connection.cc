#include "source/postgres/pg_connection.h"

#include <cstring>

#include <libpq-fe.h>
#include <poll.h>

#include "core/clock.h"
#include "io/byte_reader.h"

namespace siphon::source::postgres {
namespace {

// Session settings that make every text value unambiguous (spec/pgoutput.md §4).
constexpr const char* kSessionOptions =
    "-c datestyle=ISO -c timezone=UTC -c intervalstyle=iso_8601 -c extra_float_digits=3 "
    "-c bytea_output=hex -c lc_monetary=C";

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Which failures may heal by themselves. Authentication and missing objects never do.
ErrorKind classify(const std::string& message, const char* sqlstate) {
  if (sqlstate != nullptr) {
    std::string_view s(sqlstate);
    if (s.starts_with("08") || s == "57P01" || s == "57P02" || s == "57P03" || s == "53300") {
      return ErrorKind::kRetryable;  // connection exceptions, shutdown, too many connections
    }
    return ErrorKind::kFatal;
  }
  for (const char* fatal :
       {"password authentication failed", "no password supplied", "does not exist",
        "permission denied", "no pg_hba.conf entry", "must be superuser or replication role"}) {
    if (message.find(fatal) != std::string::npos) return ErrorKind::kFatal;
  }
  return ErrorKind::kRetryable;
}

}  // namespace

CopyFrame& CopyFrame::operator=(CopyFrame&& o) noexcept {
  if (this != &o) {
    if (data_) PQfreemem(data_);
    data_ = o.data_;
    size_ = o.size_;
    o.data_ = nullptr;
  }
  return *this;
}

CopyFrame::~CopyFrame() {
  if (data_) PQfreemem(data_);
}

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const PgConnectionParams& p,
                                                            bool replication) {
  std::string port = std::to_string(p.port);
  std::string timeout = std::to_string(p.connect_timeout_seconds);
  std::vector<const char*> keys, values;
  auto add = [&](const char* k, const std::string& v) {
    if (v.empty()) return;
    keys.push_back(k);
    values.push_back(v.c_str());
  };
  add("host", p.host);
  add("port", port);
  add("user", p.user);
  add("password", p.password);
  add("dbname", p.dbname);
  add("sslmode", p.sslmode);
  add("sslrootcert", p.sslrootcert);
  add("connect_timeout", timeout);
  add("application_name", p.application_name);
  const std::string encoding = "UTF8", options = kSessionOptions, repl = "database";
  add("client_encoding", encoding);
  add("options", options);
  if (replication) add("replication", repl);
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 0);
  if (conn == nullptr)
    return make_error(ErrorKind::kRetryable, "libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = trim(PQerrorMessage(conn));
    PQfinish(conn);
    return make_error(classify(msg, nullptr), "cannot connect to PostgreSQL at {}:{} as '{}': {}",
                      p.host, p.port, p.user, msg);
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() {
  PQfinish(conn_);
}

Error PgConnection::error_from_connection(const std::string& context) const {
  std::string msg = trim(PQerrorMessage(conn_));
  ErrorKind kind =
      PQstatus(conn_) == CONNECTION_BAD ? ErrorKind::kRetryable : classify(msg, nullptr);
  return Error{kind, context + ": " + msg};
}

Result<std::vector<PgRow>> PgConnection::query(const std::string& sql) {
  PGresult* res = PQexec(conn_, sql.c_str());
  if (res == nullptr) return tl::unexpected(error_from_connection("query failed"));
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    std::string msg = trim(PQresultErrorMessage(res));
    const char* sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    ErrorKind kind =
        PQstatus(conn_) == CONNECTION_BAD ? ErrorKind::kRetryable : classify(msg, sqlstate);
    PQclear(res);
    return tl::unexpected(Error{kind, msg});
  }
  std::vector<PgRow> rows;
  int nrows = PQntuples(res), ncols = PQnfields(res);
  rows.reserve(nrows);
  for (int r = 0; r < nrows; ++r) {
    PgRow row;
    for (int c = 0; c < ncols; ++c) {
      if (PQgetisnull(res, r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
      }
    }
    rows.push_back(std::move(row));
  }
  PQclear(res);
  return rows;
}

Status PgConnection::start_copy_out(const std::string& command) {
  PGresult* res = PQexec(conn_, command.c_str());
  if (res == nullptr) return tl::unexpected(error_from_connection("COPY failed"));
  if (PQresultStatus(res) != PGRES_COPY_OUT) {
    std::string msg = trim(PQresultErrorMessage(res));
    const char* sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    ErrorKind kind =
        PQstatus(conn_) == CONNECTION_BAD ? ErrorKind::kRetryable : classify(msg, sqlstate);
    PQclear(res);
    return tl::unexpected(Error{kind, "COPY failed: " + msg});
  }
  PQclear(res);
  return ok();
}

Result<CopyFrame> PgConnection::read_copy_row() {
  char* buf = nullptr;
  int n = PQgetCopyData(conn_, &buf, 0);
  if (n > 0) return CopyFrame(buf, n);
  if (n == -2) return tl::unexpected(error_from_connection("COPY failed"));
  // -1: the COPY is over; its final result says whether it succeeded.
  Status status = ok();
  while (PGresult* res = PQgetResult(conn_)) {
    if (PQresultStatus(res) != PGRES_COMMAND_OK && status) {
      status = tl::unexpected(
          Error{ErrorKind::kRetryable, "COPY failed: " + trim(PQresultErrorMessage(res))});
    }
    PQclear(res);
  }
  if (!status) return tl::unexpected(status.error());
  return CopyFrame();
}

Status PgConnection::start_replication(const std::string& command) {
  PGresult* res = PQexec(conn_, command.c_str());
  if (res == nullptr) return tl::unexpected(error_from_connection("START_REPLICATION failed"));
  if (PQresultStatus(res) != PGRES_COPY_BOTH) {
    std::string msg = trim(PQresultErrorMessage(res));
    const char* sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    ErrorKind kind = classify(msg, sqlstate);
    // "replication slot ... is active for PID": another consumer may let go; retry.
    if (sqlstate && std::string_view(sqlstate) == "55006") kind = ErrorKind::kRetryable;
    PQclear(res);
    return tl::unexpected(Error{kind, "START_REPLICATION failed: " + msg});
  }
  PQclear(res);
  if (PQsetnonblocking(conn_, 1) != 0) {
    return tl::unexpected(error_from_connection("cannot make the connection non-blocking"));
  }
  return ok();
}

Result<CopyFrame> PgConnection::read_frame(std::chrono::milliseconds timeout) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    char* buf = nullptr;
    int n = PQgetCopyData(conn_, &buf, 1);
    if (n > 0) return CopyFrame(buf, n);
    if (n == -1) {
      // The server ended the stream: the reason is in the final result.
      PGresult* res = PQgetResult(conn_);
      std::string msg = res ? trim(PQresultErrorMessage(res)) : "";
      const char* sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
      ErrorKind kind = msg.empty() ? ErrorKind::kRetryable : classify(msg, sqlstate);
      if (res) PQclear(res);
      return tl::unexpected(Error{kind, "replication stream ended by the server" +
                                            (msg.empty() ? std::string() : ": " + msg)});
    }
    if (n == -2) return tl::unexpected(error_from_connection("replication stream failed"));
    if (attempt == 1) break;
    pollfd pfd{PQsocket(conn_), POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    if (ready < 0 && errno != EINTR) {
      return make_error(ErrorKind::kRetryable, "poll failed: {}", std::strerror(errno));
    }
    if (ready <= 0) return CopyFrame();
    if (PQconsumeInput(conn_) == 0) {
      return tl::unexpected(error_from_connection("replication stream failed"));
    }
  }
  return CopyFrame();
}

Status PgConnection::send_status(Lsn write, Lsn flush, Lsn apply, bool reply_requested) {
  uint8_t msg[34];
  msg[0] = 'r';
  io::put_u64_be(msg + 1, write.value());
  io::put_u64_be(msg + 9, flush.value());
  io::put_u64_be(msg + 17, apply.value());
  io::put_u64_be(msg + 25, static_cast<uint64_t>(now_unix_micros() - kPostgresEpochOffsetMicros));
  msg[33] = reply_requested ? 1 : 0;
  if (PQputCopyData(conn_, reinterpret_cast<const char*>(msg), sizeof msg) != 1) {
    return tl::unexpected(error_from_connection("cannot send standby status update"));
  }
  // Non-blocking: push what the socket takes now, keep trying briefly for the rest.
  for (int i = 0; i < 100; ++i) {
    int f = PQflush(conn_);
    if (f == 0) return ok();
    if (f < 0) return tl::unexpected(error_from_connection("cannot send standby status update"));
    pollfd pfd{PQsocket(conn_), POLLOUT, 0};
    ::poll(&pfd, 1, 10);
  }
  return ok();
}

Status PgConnection::end_copy() {
  if (PQputCopyEnd(conn_, nullptr) != 1) {
    return tl::unexpected(error_from_connection("cannot end the replication stream"));
  }
  PQsetnonblocking(conn_, 0);
  PQflush(conn_);
  // Drain: the server may still send data before its CopyDone, then two CommandCompletes.
  for (int i = 0; i < 100000; ++i) {
    char* buf = nullptr;
    int n = PQgetCopyData(conn_, &buf, 0);
    if (buf) PQfreemem(buf);
    if (n < 0) break;
  }
  while (PGresult* res = PQgetResult(conn_)) PQclear(res);
  return ok();
}

std::string PgConnection::server_version() const {
  int v = PQserverVersion(conn_);
  return fmt::format("{}.{}", v / 10000, v % 10000);
}

std::string PgConnection::quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string PgConnection::quote_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace siphon::source::postgres
