// MariaDbSource's initial snapshot (spec/debezium-compat.md §4.3).
//
// Hand-off invariant: the tables are read in one transaction started WITH CONSISTENT SNAPSHOT,
// and MariaDB reports the binlog position that transaction sees (binlog_snapshot_file and
// binlog_snapshot_position): every transaction committed before it is in the snapshot, every
// later one is after it in the binlog. Streaming starts exactly there (by its GTID position when
// the server has GTIDs), so each transaction arrives once: in the snapshot or in the stream.
// With snapshot.locking.mode=minimal a global read lock is held only while the schemas are read,
// so no DDL slips between the schemas and the snapshot; `none` takes no lock. Nothing is
// streamed before the snapshot is complete, and until then the stored offset says so
// (snapshot_completed=false): an interrupted snapshot is taken again from scratch.
#include <chrono>
#include <map>
#include <tuple>

#include "core/clock.h"
#include "core/failpoint.h"
#include "core/log.h"
#include "source/binlog/mariadb_source.h"
#include "source/binlog/schema_change_event.h"
#include "source/binlog/schema_table_map.h"
#include "source/binlog/snapshot_text_value.h"
#include "source/snapshot_markers.h"

namespace siphon::source::binlog {
namespace {

// Snapshot TABLE_MAPs live in the table cache under ids no binlog uses (they are 6 bytes).
constexpr uint64_t kSnapshotTableIds = uint64_t{1} << 62;

std::string quote_name(const std::string& name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  return out + "`";
}

}  // namespace

bool MariaDbSource::snapshot_wanted(const std::optional<nlohmann::json>& stored) const {
  const std::string& mode = config_.snapshot_mode;
  if (mode == "always") return true;
  if (mode == "initial" || mode == "initial_only" || mode == "when_needed") {
    return !stored || snapshot_interrupted_;
  }
  if (schema_only_mode()) {
    // Debezium's no_data still snapshots the schema, at a position of its own: not when a
    // start position is given (the tables are then read as they are, at that position).
    const bool given = !config_.start_gtids.empty() || !config_.start_file.empty();
    return (!stored && !given) || snapshot_interrupted_;
  }
  return false;  // never, recovery
}

bool MariaDbSource::schema_only_mode() const {
  return config_.snapshot_mode == "no_data" || config_.snapshot_mode == "schema_only";
}

Status MariaDbSource::prepare_snapshot() {
  auto conn = MariaDbSql::connect(config_.connection);
  if (!conn) return tl::unexpected(conn.error());
  snapshot_ = std::move(*conn);
  auto exec = [&](const std::string& sql) -> Status {
    auto r = snapshot_->query(sql);
    if (!r) return tl::unexpected(r.error());
    return ok();
  };
  // TIMESTAMP text in UTC; a sink that blocks the snapshot for a while must not make the
  // server drop the connection it is writing rows to.
  for (const std::string& setting :
       {fmt::format("SET SESSION lock_wait_timeout = {}", config_.snapshot_lock_timeout_seconds),
        std::string("SET SESSION time_zone = '+00:00'"),
        std::string("SET SESSION net_write_timeout = 3600"),
        std::string("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")}) {
    if (auto s = exec(setting); !s) return s;
  }
  lock_start_ = std::chrono::steady_clock::now();
  table_locks_.clear();
  bool global_lock = false;
  if (config_.snapshot_global_lock) {
    if (auto s = exec("FLUSH TABLES WITH READ LOCK"); s) {
      global_lock = true;
    } else {
      const std::string& refusal = s.error().message;
      if (refusal.find("Access denied") == std::string::npos &&
          refusal.find("RELOAD") == std::string::npos) {
        return s;
      }
      // Debezium's fallback where the global lock is refused (no RELOAD, managed servers):
      // the captured tables' own read locks, held until their rows are read.
      if (auto locked = lock_captured_tables(refusal); !locked) return locked;
    }
  }
  std::string file;
  std::string pos;
  if (!table_locks_.empty()) {
    // LOCK TABLES ends any transaction, so there is no consistent snapshot to ask: with every
    // captured table read-locked nothing can change them, and the position now is the
    // snapshot's (writes to other tables after it are not captured anyway).
    auto current = first_binlog_row(*snapshot_, "SHOW MASTER STATUS");
    if (!current) return tl::unexpected(current.error());
    std::tie(file, pos) = std::move(*current);
  } else {
    if (auto s = exec("START TRANSACTION WITH CONSISTENT SNAPSHOT"); !s) return s;
    auto status = snapshot_->query("SHOW STATUS LIKE 'binlog_snapshot_%'");
    if (!status) return tl::unexpected(status.error());
    std::map<std::string, std::string> vars;
    for (const auto& row : *status) {
      std::string name = row.at(0).value_or("");
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      vars[name] = row.at(1).value_or("");
    }
    file = vars["binlog_snapshot_file"];
    pos = vars["binlog_snapshot_position"];
  }
  if (file.empty() || pos.empty()) {
    return make_error(ErrorKind::kConfig,
                      "the server reports no binlog_snapshot_file/binlog_snapshot_position: "
                      "snapshots need MariaDB's consistent-snapshot binlog position (MySQL "
                      "servers have none), and so does no_data's schema snapshot; set "
                      "snapshot.mode=never (with siphon.binlog.start.file and "
                      "siphon.binlog.start.pos) to stream without a snapshot");
  }
  auto gtid =
      snapshot_->query("SELECT BINLOG_GTID_POS(" + snapshot_->quote(file) + ", " + pos + ")");
  if (!gtid) return tl::unexpected(gtid.error());
  auto gtids = MariaDbGtidPosition::parse(gtid->at(0).at(0).value_or(""));
  if (!gtids) return tl::unexpected(gtids.error());

  // The captured tables as information_schema has them now, read once: their TABLE_MAPs type
  // the snapshot rows, their definitions are what the next DDL is compared with and what the
  // schema-change records and the schema history say of the snapshot.
  SchemaColumnsByTable columns;
  auto definitions = read_table_definitions(
      *sql_, [this](const std::string& database) { return filter_.captures_schema(database); },
      &columns);
  if (!definitions) return tl::unexpected(definitions.error());
  definitions_ = std::move(*definitions);
  using TableName = std::pair<std::string, std::string>;
  std::vector<TableName> tables;  // the captured ones
  snapshot_tables_.clear();
  for (const auto& [database, database_tables] : definitions_) {
    for (const auto& [table, definition] : database_tables) {
      if (!filter_.captures(database, table)) continue;
      auto map = table_map_from_schema(database, table, columns[{database, table}],
                                       definition.primary_key);
      if (!map) return tl::unexpected(map.error());
      map->table_id = kSnapshotTableIds + snapshot_tables_.size();
      auto captured = tables_.on_table_map(*map, EventLocation{file, 0});
      if (!captured) return tl::unexpected(captured.error());
      snapshot_tables_.push_back(map->table_id);
      tables.emplace_back(database, table);
    }
  }
  if (!table_locks_.empty() && tables != table_locks_) {
    // A captured table was created or dropped between listing the tables and locking them.
    // The retry reconnects, which releases the locks should UNLOCK TABLES fail.
    (void)unlock_tables();
    return make_error(ErrorKind::kRetryable,
                      "the captured tables changed while the snapshot locked them; the snapshot "
                      "starts again");
  }
  if (config_.include_schema_changes || history_) {
    snapshot_ddl_.clear();
    for (const TableName& name : tables) {
      auto create = sql_->query("SHOW CREATE TABLE " + quote_name(name.first) + "." +
                                quote_name(name.second));
      if (!create) return tl::unexpected(create.error());
      snapshot_ddl_[name.first + "." + name.second] = create->at(0).at(1).value_or("");
    }
  }
  if (global_lock) {
    if (auto s = exec("UNLOCK TABLES"); !s) return s;
    const auto held = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - lock_start_);
    log::info("global read lock held for {} ms while the schemas of {} tables were read",
              held.count(), snapshot_tables_.size());
  }
  if (!table_locks_.empty() && schema_only_mode()) {
    if (auto s = unlock_tables(); !s) return s;
  }
  // Strings arrive in their column's charset, as the binlog has them.
  if (auto s = exec("SET SESSION character_set_results = NULL"); !s) return s;

  completed_ = BinlogOffset{};
  completed_.file = file;
  completed_.pos = std::stoull(pos);
  completed_.gtids = std::move(*gtids);
  retain_admitted_gtids();
  snapshot_ts_ms_ = now_unix_micros() / 1000;
  completed_.ts_sec = static_cast<uint64_t>(snapshot_ts_ms_ / 1000);
  completed_checkpoint_ = add_checkpoint(Checkpoint{completed_, ""});
  file_ = file;
  resume_pending_ = false;
  resume_records_done_ = 0;
  resume_events_ = resume_rows_ = 0;
  if (history_) {
    nlohmann::json position = completed_.to_json();
    position["snapshot"] = true;
    for (const TableName& name : tables) {
      const std::string qualified = name.first + "." + name.second;
      auto db = definitions_.find(name.first);
      if (db == definitions_.end() || !db->second.count(name.second)) continue;
      if (auto s = record_history(position, snapshot_ts_ms_, name.first, snapshot_ddl_[qualified],
                                  {TableChange{"CREATE", db->second.at(name.second)}});
          !s) {
        return s;
      }
    }
  }
  log::info(
      "{} at binlog {}:{} (GTID position {}) of {} tables; streaming continues from "
      "there",
      schema_only_mode() ? "schema snapshot (snapshot.mode=no_data: no rows)" : "snapshot",
      completed_.file, completed_.pos, completed_.gtids->to_string(), snapshot_tables_.size());
  return ok();
}

Status MariaDbSource::lock_captured_tables(const std::string& global_lock_refusal) {
  auto definitions = read_table_definitions(
      *sql_, [this](const std::string& database) { return filter_.captures_schema(database); });
  if (!definitions) return tl::unexpected(definitions.error());
  std::string list;
  for (const auto& [database, database_tables] : *definitions) {
    for (const auto& [table, definition] : database_tables) {
      if (!filter_.captures(database, table)) continue;
      table_locks_.emplace_back(database, table);
      list += (list.empty() ? "" : ", ") + quote_name(database) + "." + quote_name(table) + " READ";
    }
  }
  log::warn(
      "the global read lock is refused ({}): locking the {} captured tables instead, until "
      "their rows are read (writes to them wait that long)",
      global_lock_refusal, table_locks_.size());
  if (table_locks_.empty()) return ok();  // nothing captured, nothing to hold still
  // Tests widen the window between listing the tables and locking them, where a table created
  // or dropped must make the snapshot start again (prepare_snapshot compares the lists).
  delaypoint("snapshot.table_locks");
  auto locked = snapshot_->query("LOCK TABLES " + list);
  if (!locked) {
    table_locks_.clear();
    return make_error(locked.error().kind,
                      "{} (snapshot.locking.mode=minimal takes a global read lock while the "
                      "table schemas are read, which needs the RELOAD privilege, or else locks "
                      "the captured tables until their rows are read, which needs LOCK TABLES; "
                      "snapshot.locking.mode=none takes no lock, safe when no DDL runs during "
                      "the snapshot)",
                      locked.error().message);
  }
  return ok();
}

Status MariaDbSource::unlock_tables() {
  const auto held = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - lock_start_);
  log::info("table locks held for {} ms on {} tables: released", held.count(), table_locks_.size());
  table_locks_.clear();
  auto r = snapshot_->query("UNLOCK TABLES");
  if (!r) return tl::unexpected(r.error());
  return ok();
}

BinlogSourceFields MariaDbSource::snapshot_source(const CapturedTable& table,
                                                  const char* marker) const {
  return {.ts_ms = snapshot_ts_ms_,
          .snapshot = marker,
          .db = table.map.database,
          .table = table.map.table,
          .file = completed_.file,
          .pos = completed_.pos};
}

Status MariaDbSource::run_snapshot(Dispatcher& dispatcher, const std::atomic<bool>& stop) {
  dispatcher.begin_transaction(0);
  offset::SourcePosition position;
  position.completed_lsn = completed_checkpoint_;
  position.commit_ts_us = snapshot_ts_ms_ * 1000;
  position.snapshot = true;

  SnapshotMarkers<CapturedTable> rows(
      [&](const CapturedTable& table, Row row, const char* marker) -> Status {
        event::ChangeEvent e;
        e.table = table.schema;
        e.op = event::Op::kRead;
        e.after = std::move(row);
        e.source = source_.block(snapshot_source(table, marker));
        e.processed_at_ns = now_unix_nanos();
        failpoint("snapshot.row");
        delaypoint("snapshot.row");
        return dispatcher.dispatch_change(e, position);
      });

  if (config_.include_schema_changes) {
    // One CREATE per captured table, before its rows (Debezium's snapshot order).
    for (uint64_t id : snapshot_tables_) {
      const CapturedTable* table = tables_.find(id);
      if (table == nullptr || !table->schema) continue;
      auto db = definitions_.find(table->map.database);
      if (db == definitions_.end()) continue;
      auto definition = db->second.find(table->map.table);
      if (definition == db->second.end()) continue;
      auto record = schema_change_record(
          config_.connector_name, *source_.schema(),
          source_.values(snapshot_source(*table, "true")), snapshot_ts_ms_, table->map.database,
          snapshot_ddl_[table->data_collection], {TableChange{"CREATE", definition->second}});
      auto s = dispatcher.dispatch_struct(config_.topic_prefix, record.key_schema, &record.key,
                                          record.value_schema, &record.value, position);
      if (!s) return s;
    }
  }

  bool stopped = false;
  // no_data: the schema-change records above, no rows.
  const std::vector<uint64_t> no_tables;
  for (uint64_t id : schema_only_mode() ? no_tables : snapshot_tables_) {
    const CapturedTable* table = tables_.find(id);
    if (table == nullptr || !table->schema) continue;
    // Only the columns the events carry, each as the text that gives back its stored value.
    std::string select;
    std::vector<size_t> selected;  // map column of each select item
    for (size_t i = 0; i < table->columns.size(); ++i) {
      if (table->column_index[i] < 0) continue;
      if (!select.empty()) select += ", ";
      select += snapshot_select_item(table->columns[i], quote_name(table->columns[i].name));
      selected.push_back(i);
    }
    const std::string name = table->data_collection;
    log::info("snapshot of {} started", name);
    int64_t count = 0;
    auto scan = snapshot_->query_each(
        "SELECT " + select + " FROM " + quote_name(table->map.database) + "." +
            quote_name(table->map.table),
        [&](const MariaDbSql::RowView& values) -> Status {
          if (stop.load(std::memory_order_relaxed)) {
            stopped = true;
            return make_error(ErrorKind::kRetryable, "stopped");
          }
          Row row(table->schema->columns.size());
          for (size_t k = 0; k < selected.size(); ++k) {
            const size_t i = selected[k];
            if (!values[k]) continue;  // NULL
            auto raw = column_value_from_text(table->columns[i], *values[k]);
            if (!raw) {
              return make_error(ErrorKind::kFatal, "snapshot of {}, row {}, column {}: {}", name,
                                count + 1, table->columns[i].name, raw.error().message);
            }
            auto value = converter_.convert(table->columns[i], *raw);
            if (!value) {
              return make_error(value.error().kind, "snapshot of {}, row {}: {}", name, count + 1,
                                value.error().message);
            }
            row[static_cast<size_t>(table->column_index[i])] = std::move(*value);
          }
          if (auto s = rows.push(*table, std::move(row)); !s) return s;
          ++count;
          return ok();
        });
    if (stopped) return ok();
    if (!scan) return scan;
    log::info("snapshot of {}: {} rows", name, count);
  }
  if (auto s = rows.finish(); !s) return s;
  if (!table_locks_.empty()) {
    if (auto s = unlock_tables(); !s) return s;
  }
  if (auto r = snapshot_->query("COMMIT"); !r) return tl::unexpected(r.error());
  snapshot_.reset();
  dispatcher.commit_transaction(position);
  log::info("snapshot complete: {} tables; streaming from binlog {}:{}", snapshot_tables_.size(),
            completed_.file, completed_.pos);
  return ok();
}

}  // namespace siphon::source::binlog
