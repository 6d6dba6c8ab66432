#include "support/mariadb_workload_driver.h"

#include <errmsg.h>
#include <mysql.h>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <utility>

#include <fmt/format.h>

namespace siphon::testing {
namespace {

std::string quote_name(std::string_view name) {
  std::string quoted = "`";
  for (char c : name) {
    if (c == '`') quoted += '`';
    quoted += c;
  }
  return quoted + "`";
}

std::pair<std::string, std::string> split_table(const std::string& table) {
  size_t dot = table.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == table.size()) {
    throw std::invalid_argument(
        fmt::format("MariaDB workload table '{}' is not \"database.table\"", table));
  }
  return {table.substr(0, dot), table.substr(dot + 1)};
}

}  // namespace

MariaDbWorkloadDriver::MariaDbWorkloadDriver(std::string host, int port,
                                             std::vector<uint32_t> gtid_domains, uint64_t seed,
                                             std::shared_ptr<std::atomic<int>> failover_port)
    : host_(std::move(host)),
      port_(port),
      failover_port_(std::move(failover_port)),
      gtid_domains_(std::move(gtid_domains)),
      rng_(seed ^ 0x6d61726961646208ULL) {}

std::string MariaDbWorkloadDriver::quote_table(const std::string& table) {
  auto [db, name] = split_table(table);
  return quote_name(db) + "." + quote_name(name);
}

MariaDbConnection& MariaDbWorkloadDriver::conn() {
  if (!conn_) throw MariaDbError(CR_SERVER_GONE_ERROR, "workload: not connected");
  return *conn_;
}

std::string MariaDbWorkloadDriver::literal(const std::string& text) {
  std::string escaped(text.size() * 2 + 1, '\0');
  unsigned long n = mysql_real_escape_string(conn().handle(), escaped.data(), text.data(),
                                             static_cast<unsigned long>(text.size()));
  escaped.resize(n);
  return "'" + escaped + "'";
}

void MariaDbWorkloadDriver::connect() {
  conn_.reset();
  const int failover = failover_port_ ? failover_port_->load() : 0;
  conn_.emplace(host_, failover != 0 ? failover : port_);
  auto rows = conn_->query("SELECT CONNECTION_ID(), @@gtid_domain_id");
  session_id_ = std::stoull(rows.at(0).at(0).value());
  default_domain_ = static_cast<uint32_t>(std::stoul(rows.at(0).at(1).value()));
}

bool MariaDbWorkloadDriver::connection_lost(const std::exception& error) const {
  const auto* e = dynamic_cast<const MariaDbError*>(&error);
  if (e == nullptr) return false;
  switch (e->code()) {
    case CR_CONNECTION_ERROR:   // 2002: no socket (server restarting)
    case CR_CONN_HOST_ERROR:    // 2003
    case CR_SERVER_GONE_ERROR:  // 2006
    case CR_SERVER_LOST:        // 2013: lost during a query
    case 2055:                  // CR_SERVER_LOST_EXTENDED
    case 1053:                  // ER_SERVER_SHUTDOWN: a clean stop in progress
    case 1927:                  // ER_CONNECTION_KILLED
    case 4031:                  // ER_CLIENT_INTERACTION_TIMEOUT
      return true;
    default:
      return false;
  }
}

void MariaDbWorkloadDriver::create_tables(const std::vector<std::string>& tables) {
  std::string sql;
  for (const std::string& table : tables) {
    auto [db, name] = split_table(table);
    sql += fmt::format("CREATE DATABASE IF NOT EXISTS {} CHARACTER SET utf8mb4;", quote_name(db));
    sql += fmt::format(
        "CREATE TABLE IF NOT EXISTS {} (id INT PRIMARY KEY, v BIGINT NOT NULL, note TEXT) "
        "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;",
        quote_table(table));
  }
  conn().exec(sql);
}

std::optional<std::map<int32_t, WorkloadRow>> MariaDbWorkloadDriver::read_table(
    const std::string& table) {
  auto [db, name] = split_table(table);
  if (conn().scalar(fmt::format("SELECT COUNT(*) FROM information_schema.TABLES WHERE "
                                "TABLE_SCHEMA = {} AND TABLE_NAME = {}",
                                literal(db), literal(name))) == "0") {
    return std::nullopt;
  }
  std::map<int32_t, WorkloadRow> rows;
  for (const auto& row :
       conn().query(fmt::format("SELECT id, v, note FROM {}", quote_table(table)))) {
    rows[std::stoi(row.at(0).value())] = WorkloadRow{std::stoll(row.at(1).value()), row.at(2)};
  }
  return rows;
}

void MariaDbWorkloadDriver::begin(WorkloadTransaction&) {
  if (gtid_domains_.empty()) {
    domain_ = default_domain_;
    conn().exec("START TRANSACTION");
    return;
  }
  domain_ = gtid_domains_[rng_() % gtid_domains_.size()];
  // The domain can only change between transactions.
  conn().exec(fmt::format("SET SESSION gtid_domain_id = {}; START TRANSACTION", domain_));
}

int64_t MariaDbWorkloadDriver::apply(const WorkloadChange& change) {
  std::string table = quote_table(change.table);
  std::string sql;
  if (change.op == 'd') {
    sql = fmt::format("DELETE FROM {} WHERE id = {}", table, change.id);
  } else {
    std::string note = change.after->note ? literal(*change.after->note) : "NULL";
    sql = change.op == 'c' ? fmt::format("INSERT INTO {} (id, v, note) VALUES ({}, {}, {})", table,
                                         change.id, change.after->v, note)
                           : fmt::format("UPDATE {} SET v = {}, note = {} WHERE id = {}", table,
                                         change.after->v, note, change.id);
  }
  // One round trip; ROW_COUNT() is the statement's affected rows (mysql_affected_rows() is
  // reset once MariaDbConnection has drained the multi-statement results).
  return std::stoll(conn().scalar(sql + "; SELECT ROW_COUNT()"));
}

std::optional<MariaDbGtid> MariaDbWorkloadDriver::binlog_gtid(uint32_t domain) {
  std::string text = conn().scalar("SELECT @@gtid_binlog_pos");
  auto position = parse_gtid_position(text);
  if (!position) throw std::runtime_error("workload: unreadable @@gtid_binlog_pos: " + text);
  auto it = position->find(domain);
  if (it == position->end()) return std::nullopt;
  return it->second;
}

void MariaDbWorkloadDriver::commit(WorkloadTransaction& tx) {
  committing_session_ = session_id_;
  std::optional<MariaDbGtid> before = binlog_gtid(domain_);
  seq_before_commit_ = before ? before->seq : 0;
  conn().exec("COMMIT");
  std::string text = conn().scalar("SELECT @@last_gtid");
  std::optional<MariaDbGtid> gtid = MariaDbGtid::parse(text);
  if (!gtid) throw std::runtime_error("workload: no GTID after COMMIT: '" + text + "'");
  tx.gtid = gtid->to_string();
  tx.txid = gtid->seq;
}

void MariaDbWorkloadDriver::rollback() {
  conn().exec("ROLLBACK");
}

void MariaDbWorkloadDriver::wait_until_session_idle(uint64_t session_id) {
  // The server finishes a COMMIT whose client went away; until the old session is done with it,
  // the rows may still show the old state. After a server restart the id is free or reused by
  // an unrelated session, which is not running our COMMIT.
  if (session_id == 0 || session_id == session_id_) return;
  for (int attempt = 0; attempt < 600; ++attempt) {
    if (conn().scalar(fmt::format("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                                  "WHERE ID = {} AND INFO = 'COMMIT'",
                                  session_id)) == "0") {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error(fmt::format("workload: session {} stays in COMMIT", session_id));
}

bool MariaDbWorkloadDriver::resolve_commit(WorkloadTransaction& tx) {
  wait_until_session_idle(committing_session_);
  size_t new_state = 0;
  for (const WorkloadChange& change : tx.changes) {
    auto rows = conn().query(
        fmt::format("SELECT v, note FROM {} WHERE id = {}", quote_table(change.table), change.id));
    std::optional<WorkloadRow> row;
    if (!rows.empty()) row = WorkloadRow{std::stoll(rows[0].at(0).value()), rows[0].at(1)};
    new_state += row == change.after;  // a delete's `after` is nullopt: the row is gone
  }
  if (new_state == 0) return false;
  if (new_state != tx.changes.size()) {
    throw std::logic_error(fmt::format(
        "workload: {} of {} rows of an interrupted transaction hold its new state; someone else "
        "writes these tables",
        new_state, tx.changes.size()));
  }
  std::optional<MariaDbGtid> gtid = binlog_gtid(domain_);
  if (!gtid || gtid->seq != seq_before_commit_ + 1) {
    throw std::runtime_error(fmt::format(
        "workload: cannot tell the GTID of an interrupted commit: domain {} was at seq {} "
        "before, @@gtid_binlog_pos has {}; another session writes in this domain",
        domain_, seq_before_commit_, gtid ? gtid->to_string() : "nothing"));
  }
  tx.gtid = gtid->to_string();
  tx.txid = gtid->seq;
  return true;
}

}  // namespace siphon::testing
