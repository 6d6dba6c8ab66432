// PostgresSource's initial snapshot (spec/debezium-compat.md §4.1-4.2).
//
// Hand-off invariant: the slot is created with an exported snapshot; the tables are read in a
// REPEATABLE READ transaction that imports it; streaming then starts at the slot's consistent
// point. A transaction is in the snapshot exactly when its commit precedes that point, so every
// change arrives once: in the snapshot, or in the stream. Nothing is streamed before the
// snapshot is complete, so an interrupted snapshot that had created its slot is taken again
// from a new slot; one read on an existing slot is read again on that slot, which still holds
// the changes since its position.
#include <map>

#include "core/clock.h"
#include "core/failpoint.h"
#include "core/log.h"
#include "source/postgres/copy_text_row.h"
#include "source/postgres/postgres_source.h"
#include "source/snapshot_markers.h"

namespace siphon::source::postgres {

bool PostgresSource::snapshot_wanted(const std::optional<nlohmann::json>& stored) const {
  const std::string& mode = config_.snapshot_mode;
  if (mode == "always") return true;
  if (mode == "initial" || mode == "initial_only" || mode == "when_needed") {
    return !stored || snapshot_interrupted_;
  }
  return false;  // never, no_data
}

Status PostgresSource::prepare_snapshot(bool slot_existed, const std::string& exported_snapshot) {
  auto conn = PgConnection::connect(config_.connection, false);
  if (!conn) return tl::unexpected(conn.error());
  snapshot_ = std::move(*conn);
  if (auto s = snapshot_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ"); !s) return s;
  if (!exported_snapshot.empty()) {
    // Must be the transaction's first statement, and must run before the replication
    // connection runs anything else (the export dies then).
    auto s = snapshot_->exec("SET TRANSACTION SNAPSHOT " +
                             PgConnection::quote_literal(exported_snapshot));
    if (!s) return s;
  }
  auto info = snapshot_->query(
      "SELECT txid_current(), (extract(epoch from now()) * 1000000)::int8, "
      "pg_current_snapshot()::text");
  if (!info) return tl::unexpected(info.error());
  snapshot_txid_ = std::stoll(info->at(0)[0].value_or("0"));
  snapshot_ts_us_ = std::stoll(info->at(0)[1].value_or("0"));
  if (!slot_existed) {
    // A new slot: streaming starts exactly at its consistent point, from a clean slate.
    start_lsn_ = snapshot_lsn_;
    last_commit_end_ = snapshot_lsn_;
    partial_final_lsn_ = Lsn();
    partial_records_done_ = 0;
    confirmed_ = snapshot_lsn_.value();
  }
  log::info("snapshot {} at {} (transaction {}, visible: {}); streaming continues from {}",
            exported_snapshot.empty() ? "in a new transaction" : "'" + exported_snapshot + "'",
            snapshot_lsn_.to_string(), snapshot_txid_, info->at(0)[2].value_or("?"),
            start_lsn_.to_string());
  return ok();
}

namespace {

struct SnapshotColumn {
  std::string name;
  uint32_t type_oid;
  int32_t type_modifier;
  bool key;
};

struct SnapshotTable {
  uint32_t oid = 0;
  std::string schema;
  std::string name;
  std::vector<SnapshotColumn> columns;
};

}  // namespace

Status PostgresSource::run_snapshot(Dispatcher& dispatcher, const std::atomic<bool>& stop) {
  // The captured tables: what the publication publishes and the filters admit, with the
  // columns pgoutput would send (no dropped or generated ones) in attribute order.
  auto read_tables = [&]() -> Result<std::vector<SnapshotTable>> {
    auto rows = sql_->query(
        "SELECT c.oid, n.nspname, c.relname, a.attname, a.atttypid, a.atttypmod, "
        "coalesce(a.attnum = ANY(i.indkey), false) "
        "FROM pg_publication_tables pt "
        "JOIN pg_namespace n ON n.nspname = pt.schemaname "
        "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "AND a.attgenerated = '' "
        "LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary "
        "WHERE pt.pubname = " +
        PgConnection::quote_literal(config_.publication_name) +
        " ORDER BY n.nspname, c.relname, a.attnum");
    if (!rows) return tl::unexpected(rows.error());
    std::vector<SnapshotTable> tables;
    for (const auto& r : *rows) {
      uint32_t oid = static_cast<uint32_t>(std::stoul(r[0].value_or("0")));
      if (tables.empty() || tables.back().oid != oid) {
        if (!filter_.captures(*r[1], *r[2])) continue;
        tables.push_back(SnapshotTable{oid, *r[1], *r[2], {}});
      }
      if (tables.back().oid != oid) continue;
      tables.back().columns.push_back(SnapshotColumn{
          *r[3], static_cast<uint32_t>(std::stoul(r[4].value_or("0"))),
          static_cast<int32_t>(std::stol(r[5].value_or("-1"))), r[6].value_or("f") == "t"});
    }

    return tables;
  };
  auto listed = read_tables();
  if (!listed) return tl::unexpected(listed.error());
  if (!listed->empty()) {
    // COPY resolves columns in the current catalog, not in the snapshot's, so the columns are
    // read on the catalog connection (which sees the latest committed definition) once the
    // snapshot transaction holds ACCESS SHARE locks that keep DDL out until it ends.
    std::string names;
    for (const auto& t : *listed) {
      if (!names.empty()) names += ", ";
      names +=
          PgConnection::quote_identifier(t.schema) + "." + PgConnection::quote_identifier(t.name);
    }
    if (auto s = snapshot_->exec("LOCK TABLE " + names + " IN ACCESS SHARE MODE"); !s) return s;
    listed = read_tables();
    if (!listed) return tl::unexpected(listed.error());
  }
  const std::vector<SnapshotTable>& tables = *listed;

  dispatcher.begin_transaction(0);
  offset::SourcePosition position;
  position.completed_lsn = snapshot_lsn_.value();
  position.event_lsn = snapshot_lsn_.value();
  position.tx_id = static_cast<uint64_t>(snapshot_txid_);
  position.commit_ts_us = snapshot_ts_us_;
  position.snapshot = true;

  SnapshotMarkers<RelationEntry> rows(
      [&](const RelationEntry& relation, Row row, const char* marker) -> Status {
        event::ChangeEvent e;
        e.table = relation.table;
        e.op = event::Op::kRead;
        e.after = std::move(row);
        e.source = source_block(&relation, snapshot_lsn_);
        e.source.values[3] = Value::integer(snapshot_ts_us_ / 1000);  // ts_ms: when it was read
        e.source.values[4] = Value::string(marker);
        e.source.values[6] = Value::string(fmt::format("[null,\"{}\"]", snapshot_lsn_.value()));
        e.source.values[7] = Value::integer(snapshot_ts_us_);
        e.source.values[8] = Value::integer(snapshot_ts_us_ * 1000);
        e.source.values[11] = Value::integer(snapshot_txid_);
        e.processed_at_ns = now_unix_nanos();
        failpoint("snapshot.row");
        delaypoint("snapshot.row");
        return dispatcher.dispatch_change(e, position);
      });

  std::vector<std::optional<std::string>> fields;
  for (const auto& t : tables) {
    if (stop.load()) return ok();
    // A Relation message as pgoutput would send it, so the snapshot and the stream share one
    // schema and one value converter.
    RelationMessage relation;
    relation.relation_id = t.oid;
    relation.namespace_name = t.schema;
    relation.relation_name = t.name;
    relation.replica_identity = 'd';
    std::string select;
    for (const auto& c : t.columns) {
      relation.columns.push_back(RelationColumn{c.key, c.name, c.type_oid, c.type_modifier});
      if (!select.empty()) select += ", ";
      select += PgConnection::quote_identifier(c.name);
    }
    const RelationEntry& entry = relations_.update(relation);
    if (!entry.table) continue;
    std::string copy = "COPY (SELECT " + select + " FROM " +
                       PgConnection::quote_identifier(t.schema) + "." +
                       PgConnection::quote_identifier(t.name) + ") TO STDOUT";
    if (auto s = snapshot_->start_copy_out(copy); !s) return s;
    log::info("snapshot of {}.{} started", t.schema, t.name);
    int64_t count = 0;
    while (true) {
      auto line = snapshot_->read_copy_row();
      if (!line) return tl::unexpected(line.error());
      if (line->empty()) break;
      if (auto s = parse_copy_text_row(line->bytes(), fields); !s) {
        return make_error(ErrorKind::kFatal, "snapshot of {}.{}, row {}: {}", t.schema, t.name,
                          count + 1, s.error().message);
      }
      TupleData tuple(fields.size());
      for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i]) tuple[i] = TupleColumn{TupleColumn::Kind::kText, *fields[i]};
      }
      auto row = build_row(entry, tuple, snapshot_lsn_);
      if (!row) return tl::unexpected(row.error());
      if (auto s = rows.push(entry, std::move(*row)); !s) return s;
      ++count;
    }
    log::info("snapshot of {}.{}: {} rows", t.schema, t.name, count);
  }
  if (auto s = rows.finish(); !s) return s;
  if (auto s = snapshot_->exec("COMMIT"); !s) return s;
  snapshot_.reset();
  position.completed_lsn = snapshot_lsn_.value();
  dispatcher.commit_transaction(position);
  log::info("snapshot complete: {} tables; streaming from {}", tables.size(),
            start_lsn_.to_string());
  return ok();
}

}  // namespace siphon::source::postgres
