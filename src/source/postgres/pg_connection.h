#pragma once
// A libpq connection, plain (catalog queries, publication set-up) or in logical replication mode
// (replication=database: slot commands and the CopyBoth stream; spec/pgoutput.md §1-2).
// Every connection fixes the session settings that text values depend on (§4).
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/lsn.h"

struct pg_conn;
typedef struct pg_conn PGconn;

namespace siphon::source::postgres {

struct PgConnectionParams {
  std::string host;
  int port = 5432;
  std::string user;
  std::string password;  // never logged
  std::string dbname;
  std::string sslmode = "prefer";
  std::string sslrootcert;
  int connect_timeout_seconds = 30;
  std::string application_name = "siphon";
};

using PgRow = std::vector<std::optional<std::string>>;

// One CopyData payload, owned (libpq's buffer, freed on destruction).
class CopyFrame {
 public:
  CopyFrame() = default;
  CopyFrame(char* data, int size) : data_(data), size_(size) {}
  CopyFrame(CopyFrame&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; }
  CopyFrame& operator=(CopyFrame&& o) noexcept;
  ~CopyFrame();
  std::string_view bytes() const { return {data_, static_cast<size_t>(size_)}; }
  bool empty() const { return data_ == nullptr; }

 private:
  char* data_ = nullptr;
  int size_ = 0;
};

class PgConnection {
 public:
  static Result<std::unique_ptr<PgConnection>> connect(const PgConnectionParams& params,
                                                       bool replication);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Simple-query protocol (the only one a walsender accepts).
  Result<std::vector<PgRow>> query(const std::string& sql);
  Status exec(const std::string& sql) {
    return query(sql).map([](auto&&) {});
  }

  // COPY ... TO STDOUT, read one row at a time so a table of any size needs one row of memory.
  Status start_copy_out(const std::string& command);
  // The next row (with its newline), or an empty frame once the COPY has finished.
  Result<CopyFrame> read_copy_row();

  // START_REPLICATION ... LOGICAL; on success the connection is in CopyBoth mode.
  Status start_replication(const std::string& command);
  // Waits up to `timeout` for the next CopyData; an empty frame means none arrived in time.
  Result<CopyFrame> read_frame(std::chrono::milliseconds timeout);
  // Standby status update 'r' (§2.4).
  Status send_status(Lsn write, Lsn flush, Lsn apply, bool reply_requested);
  // CopyDone, then drains the server's remaining results.
  Status end_copy();

  std::string server_version() const;
  static std::string quote_identifier(const std::string& name);
  static std::string quote_literal(const std::string& text);

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  Error error_from_connection(const std::string& context) const;
  PGconn* conn_;
};

}  // namespace siphon::source::postgres
