#pragma once
// A random write workload for crash tests, on PostgreSQL or MariaDB. It runs transactions on ONE
// connection, so the order in which it sees its commits is the commit order, and logs every
// transaction (committed and rolled back, with its identity: PostgreSQL's xid as pgoutput
// reports it, MariaDB's GTID) for the checker (workload_log.h).
//
// It keeps a model of every table in memory so that it inserts only absent keys and updates or
// deletes only present ones: each change is then exactly one row event, and a transaction never
// touches one key twice, which makes every change identifiable by (transaction, table, key, op).
//
// It survives server restarts: when the connection drops it reconnects, resolves the outcome of
// an interrupted COMMIT (the driver knows how: pg_xact_status(), or MariaDB's row state), and
// reloads the model from the tables. The database-specific half is a WorkloadDriver
// (pg_workload_driver.h, mariadb_workload_driver.h).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <vector>

#include "support/workload_driver.h"
#include "support/workload_log.h"
#include "support/workload_types.h"

namespace siphon::testing {

struct WorkloadOptions {
  // The server: PostgreSQL when conninfo is set, else MariaDB at mariadb_host:mariadb_port.
  std::string conninfo{};
  // "schema.table" (PostgreSQL) or "database.table" (MariaDB; databases are created too).
  std::vector<std::string> tables = {"public.w_accounts", "public.w_orders"};
  int rows_per_table = 200;  // keys are 1..rows_per_table
  double rollback_fraction = 0.1;
  int max_changes_per_tx = 5;
  uint64_t seed = 1;
  double target_tx_per_sec = 0;  // 0 = as fast as possible
  // Logs written as transactions finish (truncated at construction); empty = not written.
  std::filesystem::path committed_log{};
  std::filesystem::path rolled_back_log{};
  // How long to keep reconnecting after the connection is lost before giving up.
  std::chrono::milliseconds reconnect_timeout = std::chrono::seconds(60);
  std::string mariadb_host = "127.0.0.1";
  int mariadb_port = 0;
  // MariaDB: each transaction runs in a GTID domain picked from these; empty = the server's.
  std::vector<uint32_t> gtid_domains{};
  // MariaDB failover: once it holds a port (non-zero), every later connection goes there
  // instead of mariadb_port, so an interrupted COMMIT is resolved on the promoted replica.
  std::shared_ptr<std::atomic<int>> mariadb_failover_port{};
};

// When run() stops: the first limit reached (0 = no limit).
struct WorkloadLimits {
  std::stop_token stop{};
  std::chrono::milliseconds duration{0};
  int64_t transactions = 0;
};

struct WorkloadStats {
  int64_t committed = 0;
  int64_t rolled_back = 0;  // including transactions aborted by a lost connection
  int64_t changes_committed = 0;
  int64_t reconnects = 0;
  std::chrono::milliseconds elapsed{0};
};

class Workload {
 public:
  using TableModel = std::map<int32_t, WorkloadRow>;

  // Picks the driver from the options; throws std::invalid_argument when they make no sense.
  explicit Workload(WorkloadOptions options);
  // With a driver of the caller's (tests).
  Workload(WorkloadOptions options, std::unique_ptr<WorkloadDriver> driver);
  ~Workload();

  // CREATE TABLE IF NOT EXISTS each table (id int primary key, v bigint not null, note text).
  void create_tables();

  // Runs transactions until a limit is reached; may be called again to go on. Throws the
  // driver's error (PgError, MariaDbError) on unexpected SQL errors, or when the server stays
  // unreachable past reconnect_timeout.
  WorkloadStats run(const WorkloadLimits& limits);
  WorkloadStats run(std::stop_token stop) { return run(WorkloadLimits{.stop = std::move(stop)}); }
  WorkloadStats run_for(std::chrono::milliseconds duration) {
    return run(WorkloadLimits{.duration = duration});
  }
  WorkloadStats run_transactions(int64_t count) {
    return run(WorkloadLimits{.transactions = count});
  }

  // Every transaction so far, in commit (respectively rollback) order.
  const std::vector<WorkloadTransaction>& committed() const { return committed_; }
  const std::vector<WorkloadTransaction>& rolled_back() const { return rolled_back_; }
  // The rows each table holds, as far as the workload knows: table -> id -> row.
  const std::map<std::string, TableModel>& model() const { return model_; }
  size_t live_rows() const;
  const WorkloadOptions& options() const { return options_; }

 private:
  void ensure_connected();
  void connect_until_deadline();
  void load_model();
  std::optional<WorkloadChange> next_change(const std::vector<WorkloadChange>& so_far);
  void recover(WorkloadTransaction transaction, bool began, bool commit_sent, WorkloadStats& stats);
  void finish(WorkloadTransaction transaction, bool committed, WorkloadStats& stats);
  std::string random_note();

  WorkloadOptions options_;
  std::unique_ptr<WorkloadDriver> driver_;
  bool connected_ = false;
  std::mt19937_64 rng_;
  std::map<std::string, TableModel> model_;
  std::vector<WorkloadTransaction> committed_;
  std::vector<WorkloadTransaction> rolled_back_;
  std::unique_ptr<WorkloadLog> committed_log_;
  std::unique_ptr<WorkloadLog> rolled_back_log_;
  int64_t note_counter_ = 0;
};

}  // namespace siphon::testing
