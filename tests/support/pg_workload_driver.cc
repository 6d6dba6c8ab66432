#include "support/pg_workload_driver.h"

#include <chrono>
#include <stdexcept>
#include <string_view>
#include <thread>

#include <fmt/format.h>

namespace siphon::testing {
namespace {

// "public.w_accounts" -> "\"public\".\"w_accounts\"" (a name without schema stays unqualified).
std::string quote_table(const std::string& table) {
  auto quote = [](std::string_view part) {
    std::string quoted = "\"";
    for (char c : part) {
      if (c == '"') quoted += '"';
      quoted += c;
    }
    return quoted + "\"";
  };
  size_t dot = table.find('.');
  if (dot == std::string::npos) return quote(table);
  return quote(std::string_view(table).substr(0, dot)) + "." +
         quote(std::string_view(table).substr(dot + 1));
}

}  // namespace

PgConnection& PgWorkloadDriver::conn() {
  if (!conn_) throw PgError("workload: not connected", "", true);
  return *conn_;
}

void PgWorkloadDriver::connect() {
  conn_.reset();
  conn_.emplace(conninfo_);
  // Durable commits even on a server running with synchronous_commit = off: a commit that was
  // logged must survive an immediate (crash) restart, or the checker would see it "missing".
  conn_->exec("SET synchronous_commit = on; SET application_name = 'siphon-workload'");
}

bool PgWorkloadDriver::connection_lost(const std::exception& error) const {
  // The error itself may not say (libpq reports a dead socket as an ordinary failure): the
  // connection's state does.
  return dynamic_cast<const PgError*>(&error) != nullptr && (!conn_ || !conn_->ok());
}

void PgWorkloadDriver::create_tables(const std::vector<std::string>& tables) {
  std::string sql;
  for (const std::string& table : tables) {
    sql += fmt::format(
        "CREATE TABLE IF NOT EXISTS {} (id int PRIMARY KEY, v bigint NOT NULL, note text);",
        quote_table(table));
  }
  conn().exec(sql);
}

std::optional<std::map<int32_t, WorkloadRow>> PgWorkloadDriver::read_table(
    const std::string& table) {
  if (conn().scalar(fmt::format("SELECT to_regclass('{}') IS NOT NULL", quote_table(table))) !=
      "t") {
    return std::nullopt;
  }
  std::map<int32_t, WorkloadRow> rows;
  for (const PgRow& row :
       conn().query(fmt::format("SELECT id, v, note FROM {}", quote_table(table)))) {
    rows[std::stoi(*row[0])] = WorkloadRow{std::stoll(*row[1]), row[2]};
  }
  return rows;
}

void PgWorkloadDriver::begin(WorkloadTransaction& tx) {
  conn().exec("BEGIN");
  tx.full_xid = std::stoull(conn().scalar("SELECT pg_current_xact_id()::text"));
  tx.txid = tx.full_xid & 0xffffffffULL;
}

int64_t PgWorkloadDriver::apply(const WorkloadChange& change) {
  std::string table = quote_table(change.table);
  std::string id = std::to_string(change.id);
  switch (change.op) {
    case 'c':
      return conn().exec_params(
          fmt::format("INSERT INTO {} (id, v, note) VALUES ($1, $2, $3)", table),
          {id, std::to_string(change.after->v), change.after->note});
    case 'u':
      return conn().exec_params(fmt::format("UPDATE {} SET v = $2, note = $3 WHERE id = $1", table),
                                {id, std::to_string(change.after->v), change.after->note});
    default:
      return conn().exec_params(fmt::format("DELETE FROM {} WHERE id = $1", table), {id});
  }
}

void PgWorkloadDriver::commit(WorkloadTransaction&) {
  conn().exec("COMMIT");
}

void PgWorkloadDriver::rollback() {
  conn().exec("ROLLBACK");
}

bool PgWorkloadDriver::resolve_commit(WorkloadTransaction& tx) {
  // Without an xid nothing was written. 'in progress' is possible for a moment when only the
  // connection (not the server) went away.
  if (tx.full_xid == 0) return false;
  for (int attempt = 0; attempt < 600; ++attempt) {
    std::optional<std::string> status;
    try {
      status =
          conn().query(fmt::format("SELECT pg_xact_status('{}'::xid8)", tx.full_xid)).at(0).at(0);
    } catch (const PgError& e) {
      // After a crash restart an xid whose assignment never reached the WAL is "in the future":
      // its transaction cannot have committed (a commit record would have advanced the counter).
      // SQLSTATE 22023: "transaction ID ... is in the future".
      if (!e.connection_lost() && e.sqlstate() == "22023") return false;
      throw;
    }
    if (status == "committed") return true;
    if (status != "in progress") return false;  // aborted, or NULL: never committed
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error(fmt::format("workload: xid {} stays in progress", tx.full_xid));
}

}  // namespace siphon::testing
