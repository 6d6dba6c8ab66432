#pragma once
// MariaDB (and MySQL-format) capture from the binlog, as a replica (spec/binlog.md §1).
//
// Position invariant: a transaction's changes are dispatched as its rows events are decoded,
// and its commit (XID, COMMIT, or the end of a standalone statement) completes it. The offset
// that covers a record says where to restart (spec/debezium-compat.md §6.2): after a complete
// transaction, the binlog position after its commit and the GTID position including it; inside
// a transaction, its start and the GTID position before it, with how many of its records are
// already delivered. Transactions whose tables are all filtered out still complete, so the GTID
// position moves past them.
//
// XA: rows written by XA PREPARE are held until the XA COMMIT that makes them real (never
// emitted after XA ROLLBACK). While a prepared transaction is pending, stored offsets keep
// restarting at its start, so a crash replays it; later transactions may then arrive again.
//
// Offsets are binlog coordinates and GTID positions, which do not fit the plain-data
// SourcePosition the pipeline carries: each restart point gets a number (a checkpoint), the
// position carries numbers, and offset_for looks them up. Checkpoints are forgotten once an
// offset after them is stored.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "event/change_event.h"
#include "event/transaction_monitor.h"
#include "source/binlog/binlog_connection.h"
#include "source/binlog/binlog_offset.h"
#include "source/binlog/binlog_source_block.h"
#include "source/binlog/binlog_table_cache.h"
#include "source/binlog/event_decoder.h"
#include "source/binlog/mariadb_sql.h"
#include "source/binlog/schema_history.h"
#include "source/binlog/table_definition.h"
#include "source/binlog/value_converter.h"
#include "source/source.h"
#include "source/table_filter.h"

namespace siphon::source::binlog {

struct MariaDbSourceConfig {
  MariaDbSqlOptions connection;
  uint32_t server_id = 0;                  // database.server.id (resolved: never 0)
  std::string connector_name = "mariadb";  // "mariadb" or "mysql": the source block's connector
  std::string topic_prefix;
  std::string topic_delimiter = ".";
  std::string transaction_topic = "transaction";
  std::set<char> skipped_operations = {'t'};
  bool provide_transaction_metadata = false;
  ConverterOptions converter;
  // The primary's heartbeat period while idle; also how long a stop request may wait.
  double heartbeat_seconds = 1.0;
  unsigned read_timeout_seconds = 60;
  std::string debezium_version = "3.1.2.Final";

  // snapshot.mode: initial, initial_only, when_needed, always, no_data (schema_only: the schemas
  // only), never (nothing: from the start of the oldest binlog), recovery.
  std::string snapshot_mode = "initial";
  // snapshot.locking.mode: minimal (a global read lock while the schemas are read) or none.
  bool snapshot_global_lock = true;
  unsigned snapshot_lock_timeout_seconds = 10;
  // Where to start without a stored offset and without a snapshot (siphon.binlog.start.*):
  // a GTID position, or a file and position; empty = the server's current position.
  std::string start_gtids;
  std::string start_file;
  uint64_t start_pos = 0;
  // include.schema.changes: schema-change records on the topic named by the prefix.
  bool include_schema_changes = true;
  // schema.history.internal: makes the store (a new one for each run); empty = no history.
  std::function<std::unique_ptr<SchemaHistory>()> schema_history;
  // column.propagate.source.type / datatype.propagate.source.type; nullopt when not set.
  std::optional<NameFilter> propagate_columns;
  std::optional<NameFilter> propagate_datatypes;
  // gtid.source.includes / gtid.source.excludes, matched against a GTID's "domain-server" as
  // Debezium's MariaDB connector does: only admitted GTIDs advance the stored `gtids` (and so
  // the position a restart asks for); nullopt when neither is set.
  std::optional<NameFilter> gtid_sources;
  // gtid.source.filter.dml.events: the row changes of a transaction whose GTID source
  // gtid_sources refuses are dropped (Debezium's default), not only kept out of `gtids`.
  bool filter_dml_of_excluded_gtid_sources = true;
};

class MariaDbSource : public Source {
 public:
  MariaDbSource(MariaDbSourceConfig config, TableFilter filter);
  ~MariaDbSource() override;

  Status start(const std::optional<nlohmann::json>& stored_offset) override;
  Status stream(Dispatcher& dispatcher, const std::atomic<bool>& stop) override;
  bool finished() const override { return finished_; }
  nlohmann::json offset_for(const offset::SourcePosition& delivered) const override;
  void confirm(const offset::SourcePosition& delivered) override;
  void close() override;

 private:
  // gtid.source.includes/excludes: whether a GTID's "domain-server" is tracked in `gtids`.
  bool admits_gtid(const MariaDbGtid& gtid) const {
    return !config_.gtid_sources || config_.gtid_sources->accepts(gtid.source());
  }
  // Drops the domains the GTID source filter refuses from completed_.gtids, wherever a
  // position comes from (stored offset, start option, server, snapshot).
  void retain_admitted_gtids() {
    if (completed_.gtids) {
      completed_.gtids->retain([this](const MariaDbGtid& g) { return admits_gtid(g); });
    }
  }

  struct HeldChange {
    event::ChangeEvent event;
    uint64_t event_index = 0;
    uint32_t row = 0;
  };
  // The transaction being read: from its GTID (or BEGIN) event to its commit.
  struct Transaction {
    std::string id;  // the GTID as printed ("0-1-57", "uuid:n"), or "file=..,pos=.." without
    std::optional<MariaDbGtid> gtid;
    bool standalone = false;  // MariaDB FL_STANDALONE: one statement, no commit event
    uint64_t start_checkpoint = 0;
    uint32_t server_id = 0;
    uint32_t ts_sec = 0;  // the first event's time
    uint64_t events = 0;  // events read after the transaction's first
    std::optional<int64_t> thread;
    std::string xa;  // the XA START xid text when this is an XA branch
    bool metadata_begun = false;
    uint64_t skip_events = 0;
    uint64_t skip_rows = 0;
    std::vector<HeldChange> held;  // XA: rows kept until XA COMMIT
  };

  // Where streaming starts without a stored offset and without a snapshot.
  Status set_start_position();
  // The first row of SHOW MASTER STATUS (the current file and position) or SHOW BINARY LOGS
  // (the oldest file and its size); errors say what to grant, or that the binlog is off.
  static Result<std::pair<std::string, std::string>> first_binlog_row(MariaDbSql& sql,
                                                                      const std::string& statement);
  // Opens the replica connection at completed_. Under when_needed a position the server no
  // longer has turns into a snapshot (`purged` set) instead of an error.
  Status open_binlog(bool* purged);

  // The initial snapshot (mariadb_snapshot.cc).
  bool snapshot_wanted(const std::optional<nlohmann::json>& stored) const;
  // snapshot.mode=no_data (legacy schema_only): the snapshot reads the schemas, not the rows.
  bool schema_only_mode() const;
  // snapshot.locking.mode=minimal where the global read lock is refused: LOCK TABLES ... READ
  // on every captured table (listed in table_locks_), released by unlock_tables() once the
  // rows are read.
  Status lock_captured_tables(const std::string& global_lock_refusal);
  Status unlock_tables();
  // Opens the consistent-snapshot transaction, takes its binlog position and the captured
  // tables' schemas (under the global read lock with locking mode minimal).
  Status prepare_snapshot();
  Status run_snapshot(Dispatcher& dispatcher, const std::atomic<bool>& stop);

  // What information_schema says of db.table's columns (extended types, defaults, type names).
  Result<SchemaColumns> read_schema_columns(const std::string& db, const std::string& table);
  Status handle_event(const RawBinlogEvent& raw, const BinlogEvent& event, Dispatcher& dispatcher);
  Status begin(const RawBinlogEvent& raw, const BinlogEvent& event, std::string id,
               std::optional<MariaDbGtid> gtid, bool standalone, Dispatcher& dispatcher);
  Status on_query(const RawBinlogEvent& raw, const BinlogEvent& event, const QueryEvent& query,
                  Dispatcher& dispatcher);
  Status on_rows(const RawBinlogEvent& raw, const BinlogEvent& event, const RowsEvent& rows,
                 Dispatcher& dispatcher);
  Status commit(const RawBinlogEvent& raw, Dispatcher& dispatcher);
  // The captured databases' table definitions, as information_schema has them now.
  Result<std::map<std::string, DatabaseDefinitions>> read_definitions();
  // The definitions streaming starts with: from the schema history up to the stored offset
  // when there is one, else from information_schema (then recorded in the history).
  Status load_definitions(const std::optional<nlohmann::json>& stored_offset);
  void apply_changes(const std::vector<TableChange>& changes);
  // Appends a record to the schema history (when one is configured) and fsyncs it.
  Status record_history(const nlohmann::json& position, int64_t ts_ms, const std::string& db,
                        const std::string& ddl, const std::vector<TableChange>& changes);
  // A DDL ran: schema-change records for the captured tables it created, altered or dropped.
  Status on_schema_change(const RawBinlogEvent& raw, const BinlogEvent& event,
                          const QueryEvent& query, std::string_view statement,
                          Dispatcher& dispatcher);
  Status emit(event::ChangeEvent event, uint64_t event_index, uint32_t row, Dispatcher& dispatcher);
  Result<Row> build_row(const CapturedTable& table, const RowImageValues& values,
                        const RawBinlogEvent& raw, size_t row_index) const;
  event::SourceBlock source_block(const CapturedTable& table, const RawBinlogEvent& raw,
                                  const EventHeader& header, uint32_t row) const;
  // The source fields of a snapshot row (or of a snapshot's CREATE record): at the snapshot's
  // position and time, with its marker.
  BinlogSourceFields snapshot_source(const CapturedTable& table, const char* marker) const;
  offset::SourcePosition position(uint64_t event_index, uint32_t row) const;
  // A restart point, and the transaction that starts there (for a partial restart).
  struct Checkpoint {
    BinlogOffset offset;
    std::string tx_id;
  };
  uint64_t add_checkpoint(Checkpoint checkpoint);

  MariaDbSourceConfig config_;
  TableFilter filter_;
  BinlogValueConverter converter_;
  BinlogTableCache tables_;
  event::TransactionMonitor transactions_;
  BinlogSourceBlock source_;

  std::optional<MariaDbSql> sql_;  // information_schema, positions
  std::optional<BinlogConnection> connection_;
  EventDecoder decoder_;

  // Where the next transaction starts (file/pos after the last commit, GTIDs including it).
  BinlogOffset completed_;
  uint64_t completed_checkpoint_ = 0;
  std::optional<Transaction> tx_;
  std::string file_;  // the binlog file being read (from ROTATE)
  uint32_t last_event_ts_ = 0;

  bool started_from_offset_ = false;  // else the start position is dispatched first
  bool finished_ = false;             // initial_only: the snapshot is complete

  // The snapshot: wanted at start, the transaction reading it, its tables (TABLE_MAPs built
  // from information_schema, in the table cache under ids no binlog uses) and when it began.
  bool snapshot_wanted_ = false;
  bool snapshot_interrupted_ = false;
  std::optional<MariaDbSql> snapshot_;
  std::vector<uint64_t> snapshot_tables_;
  std::vector<std::pair<std::string, std::string>> table_locks_;  // (database, table)
  std::chrono::steady_clock::time_point lock_start_;
  int64_t snapshot_ts_ms_ = 0;
  // include.schema.changes: the definitions before the next DDL, and the snapshot's CREATE
  // statements (SHOW CREATE TABLE, read under the lock), by "db.table".
  std::map<std::string, DatabaseDefinitions> definitions_;
  std::map<std::string, std::string> snapshot_ddl_;
  // The schema history, and its records past the stored offset by their DDL's GTID (or
  // file:pos): met again while catching up, they give the definitions of their time.
  std::unique_ptr<SchemaHistory> history_;
  std::map<std::string, std::vector<nlohmann::json>> future_history_;
  // A restart inside a transaction: which one, and what of it was delivered.
  std::string resume_tx_id_;
  uint32_t resume_records_done_ = 0;
  uint64_t resume_events_ = 0;
  uint64_t resume_rows_ = 0;
  bool resume_pending_ = false;

  // Prepared XA transactions, by their xid text: held rows and the checkpoint of their start.
  struct PreparedXa {
    std::vector<HeldChange> changes;
    uint64_t start_checkpoint = 0;
  };
  std::map<std::string, PreparedXa> prepared_;

  // Checkpoints, shared with the delivery thread (offset_for, confirm).
  mutable std::mutex checkpoints_mutex_;
  std::map<uint64_t, Checkpoint> checkpoints_;
  uint64_t next_checkpoint_ = 1;
};

}  // namespace siphon::source::binlog
