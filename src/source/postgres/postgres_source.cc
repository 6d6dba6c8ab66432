#include "source/postgres/postgres_source.h"

#include <algorithm>
#include <array>

#include "core/clock.h"
#include "core/log.h"
#include "event/source_block_schema.h"
#include "format/debezium_json_serializer.h"
#include "source/postgres/pgoutput_decoder.h"

namespace siphon::source::postgres {

using schema::ConnectType;
using schema::FieldSchema;

namespace {

constexpr auto kReadTimeout = std::chrono::milliseconds(100);

int64_t unix_micros_from_pg(int64_t pg_micros) {
  return pg_micros + kPostgresEpochOffsetMicros;
}

uint64_t json_u64(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return 0;
  if (it->is_number_unsigned() || it->is_number_integer()) return it->get<uint64_t>();
  if (it->is_string()) return std::stoull(it->get<std::string>());
  return 0;
}

}  // namespace

const FieldSchema& PostgresSource::source_schema() {
  static const FieldSchema s = [] {
    FieldSchema src = event::common_source_schema("io.debezium.connector.postgresql.Source");
    auto add = [&](const char* name, ConnectType t, bool optional) {
      src.fields.push_back(schema::field(name, t, optional));
    };
    add("schema", ConnectType::kString, false);
    add("table", ConnectType::kString, false);
    add("txId", ConnectType::kInt64, true);
    add("lsn", ConnectType::kInt64, true);
    add("xmin", ConnectType::kInt64, true);
    return src;
  }();
  return s;
}

PostgresSource::PostgresSource(PostgresSourceConfig config, TableFilter filter)
    : config_(std::move(config)),
      filter_(std::move(filter)),
      converter_(config_.converter),
      relations_(converter_, filter_, TopicNaming{config_.topic_prefix, config_.topic_delimiter},
                 [this](uint32_t relid, const std::string& s, const std::string& t) {
                   return catalog_of(relid, s, t);
                 }),
      transactions_(config_.topic_prefix + config_.topic_delimiter + config_.transaction_topic) {
  relations_.propagate_source_types(config_.propagate_columns, config_.propagate_datatypes);
}

PostgresSource::~PostgresSource() {
  close();
}

Status PostgresSource::start(const std::optional<nlohmann::json>& stored_offset) {
  has_stored_offset_ = stored_offset.has_value();
  if (stored_offset) {
    const auto& o = *stored_offset;
    uint64_t proc = json_u64(o, "lsn_proc");
    start_lsn_ = Lsn(proc != 0 ? proc : json_u64(o, "lsn"));
    last_commit_end_ = Lsn(json_u64(o, "lsn_commit"));
    if (last_commit_end_.is_zero()) last_commit_end_ = start_lsn_;
    partial_final_lsn_ = Lsn(json_u64(o, "siphon.tx_final_lsn"));
    partial_records_done_ = static_cast<uint32_t>(json_u64(o, "siphon.tx_records_done"));
    confirmed_ = start_lsn_.value();
    snapshot_interrupted_ = o.contains("snapshot_completed") && o["snapshot_completed"] == false;
    interrupted_snapshot_created_slot_ =
        snapshot_interrupted_ && o.value("siphon.snapshot_created_slot", false);
    log::info("resuming from stored offset: lsn_proc={}{}", start_lsn_.to_string(),
              partial_final_lsn_.is_zero()
                  ? std::string()
                  : fmt::format(", {} records of the transaction committing at {} delivered",
                                partial_records_done_, partial_final_lsn_.to_string()));
  }
  snapshot_wanted_ = snapshot_wanted(stored_offset);
  if (stored_offset && !snapshot_wanted_ && !snapshot_interrupted_ &&
      config_.snapshot_mode == "initial_only") {
    log::info("snapshot.mode=initial_only and the snapshot is complete: nothing to do");
    finished_ = true;
    return ok();
  }
  auto sql = PgConnection::connect(config_.connection, false);
  if (!sql) return tl::unexpected(sql.error());
  sql_ = std::move(*sql);
  if (auto s = check_server(*sql_); !s) return s;
  if (auto s = ensure_publication(*sql_); !s) return s;
  warn_about_unpublishable_tables(*sql_);
  auto repl = PgConnection::connect(config_.connection, true);
  if (!repl) return tl::unexpected(repl.error());
  replication_ = std::move(*repl);
  // IDENTIFY_SYSTEM: which cluster and timeline this is, and that the walsender is bound to the
  // configured database (spec/pgoutput.md §1.2).
  auto identity = replication_->query("IDENTIFY_SYSTEM");
  if (!identity) return tl::unexpected(identity.error());
  if (identity->size() != 1 || identity->at(0).size() < 4) {
    return make_error(ErrorKind::kFatal, "IDENTIFY_SYSTEM returned an unexpected result");
  }
  const auto& id = identity->at(0);
  if (id[3].value_or("") != config_.connection.dbname) {
    return make_error(ErrorKind::kFatal,
                      "the replication connection is bound to database '{}', not '{}'",
                      id[3].value_or(""), config_.connection.dbname);
  }
  log::info("connected to PostgreSQL {} (system {}, timeline {}, WAL flushed to {})",
            sql_->server_version(), id[0].value_or("?"), id[1].value_or("?"), id[2].value_or("?"));
  if (auto s = ensure_slot(*sql_); !s) return s;
  return ok();
}

Status PostgresSource::check_server(PgConnection& sql) {
  auto rows = sql.query(
      "SELECT current_setting('wal_level'), current_setting('server_version_num')::int, "
      "(SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user)");
  if (!rows) return tl::unexpected(rows.error());
  const auto& row = rows->at(0);
  std::string wal_level = row[0].value_or("");
  if (wal_level != "logical") {
    return make_error(ErrorKind::kFatal,
                      "PostgreSQL at {}:{} has wal_level = '{}'; logical decoding needs "
                      "wal_level = logical: set it in postgresql.conf (or ALTER SYSTEM SET "
                      "wal_level = logical) and restart PostgreSQL",
                      config_.connection.host, config_.connection.port, wal_level);
  }
  server_version_num_ = std::stoi(row[1].value_or("0"));
  if (server_version_num_ < 100000) {
    return make_error(ErrorKind::kFatal, "PostgreSQL {} is too old: pgoutput needs 10 or later",
                      row[1].value_or("?"));
  }
  if (row[2].value_or("f") != "t") {
    return make_error(ErrorKind::kFatal,
                      "role '{}' may not use replication: grant it with ALTER ROLE {} REPLICATION "
                      "(or use a superuser)",
                      config_.connection.user, config_.connection.user);
  }
  return ok();
}

Status PostgresSource::ensure_publication(PgConnection& sql) {
  const std::string& name = config_.publication_name;
  auto rows = sql.query("SELECT 1 FROM pg_publication WHERE pubname = " +
                        PgConnection::quote_literal(name));
  if (!rows) return tl::unexpected(rows.error());
  const std::string& mode = config_.publication_autocreate_mode;
  bool exists = !rows->empty();
  if (mode == "disabled") {
    if (!exists) {
      return make_error(ErrorKind::kFatal,
                        "publication '{}' does not exist and publication.autocreate.mode is "
                        "'disabled': create it (CREATE PUBLICATION {} FOR ALL TABLES) or set "
                        "debezium.source.publication.autocreate.mode=all_tables",
                        name, PgConnection::quote_identifier(name));
    }
    return ok();
  }
  std::string quoted = PgConnection::quote_identifier(name);
  // As Debezium, the option is given when the publication is created and left alone after.
  const std::string with =
      config_.publish_via_partition_root ? " WITH (publish_via_partition_root = true)" : "";
  auto create = [&](const std::string& what) -> Status {
    auto s = sql.exec("CREATE PUBLICATION " + quoted + what + with);
    if (!s) {
      return make_error(s.error().kind,
                        "cannot create publication {}: {} (FOR ALL TABLES needs a superuser; "
                        "otherwise create the publication yourself and set "
                        "debezium.source.publication.autocreate.mode=disabled)",
                        quoted, s.error().message);
    }
    return ok();
  };
  if (mode == "all_tables") {
    if (exists) return ok();
    log::info("creating publication {} FOR ALL TABLES", quoted);
    return create(" FOR ALL TABLES");
  }
  if (mode == "no_tables") {
    if (exists) return ok();
    log::info("creating publication {} with no tables", quoted);
    return create("");
  }
  // filtered: the publication lists exactly the captured tables, kept in sync at every start.
  auto tables = sql.query(
      "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r','p') AND NOT c.relispartition AND n.nspname NOT IN "
      "('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2");
  if (!tables) return tl::unexpected(tables.error());
  std::string list;
  for (const auto& t : *tables) {
    if (!filter_.captures(*t[0], *t[1])) continue;
    if (!list.empty()) list += ", ";
    list += PgConnection::quote_identifier(*t[0]) + "." + PgConnection::quote_identifier(*t[1]);
  }
  if (list.empty()) {
    return make_error(ErrorKind::kFatal,
                      "publication.autocreate.mode=filtered, but no table matches the include and "
                      "exclude lists, so there is nothing to publish");
  }
  if (exists) return sql.exec("ALTER PUBLICATION " + quoted + " SET TABLE " + list);
  log::info("creating publication {} FOR TABLE {}", quoted, list);
  return create(" FOR TABLE " + list);
}

void PostgresSource::warn_about_unpublishable_tables(PgConnection& sql) {
  // Without a replica identity PostgreSQL refuses UPDATE and DELETE on a table whose
  // publication publishes them (spec/pgoutput.md §6.11): say so before users find out.
  auto rows = sql.query(
      "SELECT n.nspname, c.relname, c.relreplident FROM pg_publication p "
      "JOIN pg_publication_tables pt ON pt.pubname = p.pubname "
      "JOIN pg_namespace n ON n.nspname = pt.schemaname "
      "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename "
      "WHERE p.pubname = " +
      PgConnection::quote_literal(config_.publication_name) +
      " AND (p.pubupdate OR p.pubdelete) AND (c.relreplident = 'n' OR (c.relreplident = 'd' "
      "AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))) "
      "ORDER BY 1, 2");
  if (!rows) return;
  for (const auto& r : *rows) {
    if (!filter_.captures(*r[0], *r[1])) continue;
    log::warn(
        "table {}.{} has {}: PostgreSQL refuses its UPDATEs and DELETEs while publication "
        "'{}' publishes them; add a primary key or run ALTER TABLE {}.{} REPLICA IDENTITY "
        "FULL",
        *r[0], *r[1],
        r[2].value_or("") == "n" ? "REPLICA IDENTITY NOTHING"
                                 : "no primary key and REPLICA IDENTITY DEFAULT",
        config_.publication_name, PgConnection::quote_identifier(*r[0]),
        PgConnection::quote_identifier(*r[1]));
  }
}

Status PostgresSource::ensure_slot(PgConnection& sql) {
  const std::string& slot = config_.slot_name;
  auto rows = sql.query(
      "SELECT plugin, database, wal_status, confirmed_flush_lsn, active_pid FROM "
      "pg_replication_slots WHERE "
      "slot_name = " +
      PgConnection::quote_literal(slot));
  if (!rows) return tl::unexpected(rows.error());
  const bool restart_from_new_slot = snapshot_interrupted_ && interrupted_snapshot_created_slot_;
  if (!rows->empty() && snapshot_wanted_ && restart_from_new_slot) {
    // The interrupted snapshot had created the slot and its exported snapshot died with its
    // connection; nothing was streamed from that slot yet, so start over from a new slot and
    // a new consistent point. A snapshot taken on a slot that already existed (no stored
    // offset, or snapshot.mode=always) is different: changes since the slot's position are
    // still only in that slot, so it is kept and the snapshot is simply read again.
    log::info("the previous snapshot was interrupted; dropping slot '{}' to take it again", slot);
    auto dropped =
        sql.exec("SELECT pg_drop_replication_slot(" + PgConnection::quote_literal(slot) + ")");
    if (!dropped) return dropped;
    rows->clear();
  }
  // A stored offset the slot can no longer serve: the slot is gone, or the server invalidated
  // it (wal_status = lost, PostgreSQL 13+) because the WAL it held exceeded
  // max_slot_wal_keep_size. Streaming from a new slot would silently skip every change made
  // since the stored position, so (as Debezium) `when_needed` takes a new snapshot from a new
  // slot, `always` takes one anyway, and every other mode fails naming the slot and the reason.
  // A slot confirmed past the stored offset is the third case, handled below.
  const bool lost = !rows->empty() && rows->front()[2].value_or("") == "lost";
  if (has_stored_offset_ && !restart_from_new_slot && (rows->empty() || lost)) {
    std::string reason = rows->empty() ? fmt::format("replication slot '{}' does not exist", slot)
                                       : fmt::format(
                                             "replication slot '{}' was invalidated by the server "
                                             "(wal_status = lost, max_slot_wal_keep_size exceeded)",
                                             slot);
    if (config_.snapshot_mode == "when_needed" || config_.snapshot_mode == "always") {
      log::warn(
          "{}: the stored offset (lsn_proc {}) can no longer be served; taking a new "
          "snapshot from a new slot (snapshot.mode={})",
          reason, start_lsn_.to_string(), config_.snapshot_mode);
      if (lost) {
        auto dropped =
            sql.exec("SELECT pg_drop_replication_slot(" + PgConnection::quote_literal(slot) + ")");
        if (!dropped) return dropped;
      }
      rows->clear();
      snapshot_wanted_ = true;
    } else {
      return make_error(ErrorKind::kFatal,
                        "{}: the stored offset (lsn_proc {}) can no longer be served and the "
                        "changes since then are lost; set debezium.source.snapshot.mode="
                        "when_needed to take a new snapshot, or delete the stored offset",
                        reason, start_lsn_.to_string());
    }
  }
  if (rows->empty()) {
    std::string mode = snapshot_wanted_ ? "export" : "nothing";
    auto created =
        replication_->query("CREATE_REPLICATION_SLOT " + PgConnection::quote_identifier(slot) +
                            " LOGICAL pgoutput (SNAPSHOT '" + mode + "')");
    if (!created) {
      return make_error(created.error().kind, "cannot create replication slot '{}': {}", slot,
                        created.error().message);
    }
    const auto& row = created->at(0);
    log::info("created replication slot '{}' at {}", slot, row.at(1).value_or("?"));
    if (snapshot_wanted_) {
      snapshot_creates_slot_ = true;
      auto point = Lsn::parse(row.at(1).value_or(""));
      if (!point || !row.at(2)) {
        return make_error(ErrorKind::kFatal, "slot '{}' was created without an exported snapshot",
                          slot);
      }
      snapshot_lsn_ = *point;
      return prepare_snapshot(false, *row.at(2));
    }
    return ok();
  }
  const auto& r = rows->front();
  if (r[0].value_or("") != "pgoutput") {
    return make_error(ErrorKind::kFatal,
                      "replication slot '{}' uses output plugin '{}', Siphon needs pgoutput: drop "
                      "it or set debezium.source.slot.name to another slot",
                      slot, r[0].value_or("?"));
  }
  if (r[1].value_or("") != config_.connection.dbname) {
    return make_error(ErrorKind::kFatal,
                      "replication slot '{}' belongs to database '{}', not '{}': set "
                      "debezium.source.slot.name to a slot of this database",
                      slot, r[1].value_or("?"), config_.connection.dbname);
  }
  if (r[4]) {
    // Another consumer holds the slot; it may let go (a restarting instance), so retry.
    return make_error(ErrorKind::kRetryable,
                      "replication slot '{}' is in use by another process (PID {}); two "
                      "connectors cannot share a slot",
                      slot, *r[4]);
  }
  if (r[2].value_or("") == "lost") {
    return make_error(ErrorKind::kFatal,
                      "replication slot '{}' was invalidated by the server (wal_status = lost, "
                      "max_slot_wal_keep_size exceeded): the WAL it needed is gone; drop the slot "
                      "and start again with a snapshot",
                      slot);
  }
  auto confirmed = Lsn::parse(r[3].value_or(""));
  // Without a stored offset the stream resumes at the slot's confirmed position: that is the
  // last commit before it (Debezium's lsn_commit, the first part of source.sequence).
  if (confirmed && last_commit_end_.is_zero()) last_commit_end_ = *confirmed;
  // Siphon confirms only positions it has stored (idle keepalive positions included), as
  // Debezium does, so a slot confirmed past the stored offset was moved by something else
  // (another consumer of the slot, pg_replication_slot_advance, an offset restored from an
  // older copy): the server would start after changes Siphon never delivered.
  if (confirmed && has_stored_offset_ && !snapshot_wanted_ && !start_lsn_.is_zero() &&
      *confirmed > start_lsn_) {
    std::string reason = fmt::format(
        "replication slot '{}' is confirmed up to {}, past the stored offset (lsn_proc {}): the "
        "changes between were consumed by something else and cannot be streamed again",
        slot, confirmed->to_string(), start_lsn_.to_string());
    if (config_.snapshot_mode != "when_needed") {
      return make_error(ErrorKind::kFatal,
                        "{}; set debezium.source.snapshot.mode=when_needed to take a new "
                        "snapshot, or delete the stored offset",
                        reason);
    }
    log::warn("{}; taking a new snapshot (snapshot.mode=when_needed)", reason);
    snapshot_wanted_ = true;
  }
  if (snapshot_wanted_) {
    // An existing slot has no exported snapshot: the snapshot is read in a transaction of its
    // own and streaming resumes where the slot (or the stored offset) is, so changes made
    // between that point and the snapshot arrive again after it (docs: duplicates).
    snapshot_lsn_ = std::max(confirmed.value_or(Lsn()), start_lsn_);
    return prepare_snapshot(true, "");
  }
  return ok();
}

std::optional<CatalogTable> PostgresSource::catalog_of(uint32_t relation_id,
                                                       const std::string& schema,
                                                       const std::string& table) {
  if (!sql_) return std::nullopt;
  auto failed = [&](const Error& e) -> std::optional<CatalogTable> {
    log::warn(
        "cannot read the catalog entry of {}.{}: {}; its schema comes from the Relation "
        "message alone",
        schema, table, e.message);
    return std::nullopt;
  };
  std::string relid = std::to_string(relation_id);
  auto columns = sql_->query(
      "SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull, "
      "CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END "
      "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = "
      "a.attnum WHERE a.attrelid = " +
      relid + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
  if (!columns) return failed(columns.error());
  CatalogTable out;
  std::vector<uint32_t> pending;
  for (const auto& r : *columns) {
    CatalogColumn c;
    c.name = r[0].value_or("");
    c.type_oid = static_cast<uint32_t>(std::stoul(r[1].value_or("0")));
    c.type_modifier = static_cast<int32_t>(std::stol(r[2].value_or("-1")));
    c.not_null = r[3].value_or("f") == "t";
    c.default_expression = r[4];
    pending.push_back(c.type_oid);
    out.columns.push_back(std::move(c));
  }
  // The key: the primary key, else the replica identity index (REPLICA IDENTITY USING INDEX).
  auto keys = sql_->query(
      "SELECT i.indisprimary, a.attname FROM pg_index i "
      "JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true "
      "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
      "WHERE i.indrelid = " +
      relid + " AND (i.indisprimary OR i.indisreplident) ORDER BY i.indisprimary DESC, k.ord");
  if (!keys) return failed(keys.error());
  for (const auto& r : *keys) {
    bool primary = r[0].value_or("f") == "t";
    if (!out.key) out.key.emplace();
    if (!primary && !keys->empty() && keys->front()[0].value_or("f") == "t") break;
    out.key->push_back(r[1].value_or(""));
  }
  // The types, with the element types of arrays and the base types of domains they lead to.
  for (int round = 0; round < 4 && !pending.empty(); ++round) {
    std::string list;
    for (uint32_t oid : pending) {
      if (oid < 10000 && oid != 0) continue;  // a built-in; the converter knows it by OID
      if (out.types.count(oid)) continue;
      if (!list.empty()) list += ',';
      list += std::to_string(oid);
    }
    pending.clear();
    if (list.empty()) break;
    auto types = sql_->query(
        "SELECT t.oid, t.typname, t.typtype, t.typcategory, t.typelem, t.typbasetype, "
        "t.typtypmod FROM pg_type t WHERE t.oid IN (" +
        list + ")");
    if (!types) return failed(types.error());
    for (const auto& r : *types) {
      PgTypeInfo info;
      info.oid = static_cast<uint32_t>(std::stoul(r[0].value_or("0")));
      info.name = r[1].value_or("");
      info.kind = r[2].value_or("b").front();
      info.category = r[3].value_or("U").front();
      info.element = static_cast<uint32_t>(std::stoul(r[4].value_or("0")));
      info.base = static_cast<uint32_t>(std::stoul(r[5].value_or("0")));
      info.base_typmod = static_cast<int32_t>(std::stol(r[6].value_or("-1")));
      if (info.category == 'A' && info.element != 0) pending.push_back(info.element);
      if (info.kind == 'd' && info.base != 0) pending.push_back(info.base);
      out.types[info.oid] = std::move(info);
    }
    auto labels = sql_->query("SELECT enumtypid, enumlabel FROM pg_enum WHERE enumtypid IN (" +
                              list + ") ORDER BY enumtypid, enumsortorder");
    if (!labels) return failed(labels.error());
    for (const auto& r : *labels) {
      auto oid = static_cast<uint32_t>(std::stoul(r[0].value_or("0")));
      out.types[oid].enum_labels.push_back(r[1].value_or(""));
    }
  }
  return out;
}

Status PostgresSource::stream(Dispatcher& dispatcher, const std::atomic<bool>& stop) {
  if (finished_) return ok();
  if (snapshot_) {
    if (auto s = run_snapshot(dispatcher, stop); !s) return s;
    if (stop.load()) return ok();  // interrupted: the stored offset says to take it again
    if (config_.snapshot_mode == "initial_only") {
      log::info("snapshot.mode=initial_only: snapshot complete, not streaming");
      finished_ = true;
      return ok();
    }
  }
  std::string publication = PgConnection::quote_identifier(config_.publication_name);
  // pgoutput sends logical decoding messages only when asked to, which PostgreSQL 14 added.
  std::string command = fmt::format(
      "START_REPLICATION SLOT {} LOGICAL {} (\"proto_version\" '1', \"publication_names\" "
      "{}{})",
      PgConnection::quote_identifier(config_.slot_name), start_lsn_.to_string(),
      PgConnection::quote_literal(publication),
      server_version_num_ >= 140000 ? ", \"messages\" 'true'" : "");
  if (auto s = replication_->start_replication(command); !s) return s;
  streaming_ = true;
  log::info("streaming from slot '{}' at {}", config_.slot_name, start_lsn_.to_string());
  dispatcher.set_wait_hook([this] { (void)maybe_send_status(); });

  while (!stop.load(std::memory_order_relaxed)) {
    auto frame = replication_->read_frame(kReadTimeout);
    if (!frame) return tl::unexpected(frame.error());
    if (!frame->empty()) {
      auto decoded = decode_replication_frame(frame->bytes());
      if (!decoded) {
        return make_error(ErrorKind::kFatal, "after LSN {}: {}", received_.to_string(),
                          decoded.error().message);
      }
      if (auto* data = std::get_if<XLogDataFrame>(&*decoded)) {
        if (data->wal_end > received_) received_ = data->wal_end;
        if (auto s = handle_message(*data, dispatcher); !s) return s;
      } else {
        const auto& keepalive = std::get<KeepaliveFrame>(*decoded);
        if (keepalive.wal_end > received_) received_ = keepalive.wal_end;
        last_keepalive_end_ = keepalive.wal_end;
        if (keepalive.reply_requested) {
          if (auto s = send_status(false); !s) return s;
          continue;
        }
      }
    }
    if (auto s = maybe_heartbeat(dispatcher); !s) return s;
    store_idle_position(dispatcher);
    if (auto s = maybe_send_status(); !s) return s;
  }
  return ok();
}

Status PostgresSource::maybe_heartbeat(Dispatcher& dispatcher) {
  if (config_.heartbeat_interval.count() <= 0 || tx_) return ok();
  auto now = std::chrono::steady_clock::now();
  if (now - last_heartbeat_ < config_.heartbeat_interval) return ok();
  last_heartbeat_ = now;
  if (!config_.heartbeat_action_query.empty()) {
    if (auto s = sql_->exec(config_.heartbeat_action_query); !s) {
      return make_error(s.error().kind, "heartbeat.action.query failed: {}", s.error().message);
    }
  }
  static const schema::FieldSchema key_schema = [] {
    FieldSchema k = schema::field("", ConnectType::kStruct, false);
    k.with_logical("io.debezium.connector.common.ServerNameKey", 1);
    k.fields.push_back(schema::field("serverName", ConnectType::kString, false));
    return k;
  }();
  static const schema::FieldSchema value_schema = [] {
    FieldSchema v = schema::field("", ConnectType::kStruct, false);
    v.with_logical("io.debezium.connector.common.Heartbeat", 1);
    v.fields.push_back(schema::field("ts_ms", ConnectType::kInt64, false));
    return v;
  }();
  Value key = Value::structure({Value::string(config_.topic_prefix)});
  Value value = Value::structure({Value::integer(now_unix_micros() / 1000)});
  // Between transactions everything received up to the last keepalive is handled, so the
  // heartbeat may carry that position: delivered after every record before it, it moves the
  // offset and the slot past WAL that holds no captured change.
  offset::SourcePosition position = position_at(last_commit_end_);
  position.completed_lsn = std::max(last_commit_end_, last_keepalive_end_).value();
  position.event_lsn = position.completed_lsn;
  return dispatcher.dispatch_struct(
      config_.heartbeat_topic_prefix + config_.topic_delimiter + config_.topic_prefix, &key_schema,
      &key, &value_schema, &value, position);
}

void PostgresSource::store_idle_position(Dispatcher& dispatcher) {
  // Nothing captured is pending and the server reports WAL past the confirmed position: that
  // WAL holds nothing for this connector. Its end goes through the pipeline as a transaction
  // without records, so it is stored as the offset and then confirmed: an idle connector never
  // pins WAL (spec/pgoutput.md §2.5, "Idle acks"), and the slot is never confirmed past the
  // stored offset, which start-up relies on.
  if (tx_ || last_keepalive_end_.is_zero() || last_keepalive_end_ <= idle_dispatched_ ||
      last_keepalive_end_.value() <= confirmed_.load() || !pipeline_idle()) {
    return;
  }
  offset::SourcePosition p = position_at(last_commit_end_);
  p.completed_lsn = last_keepalive_end_.value();
  p.event_lsn = p.completed_lsn;
  dispatcher.begin_transaction(0);
  dispatcher.commit_transaction(p);
  idle_dispatched_ = last_keepalive_end_;
}

Status PostgresSource::maybe_send_status() {
  if (!streaming_) return ok();
  auto now = std::chrono::steady_clock::now();
  bool changed = confirmed_.load() != sent_flush_.value();
  if (changed || now - last_status_ >= config_.status_update_interval) return send_status(false);
  return ok();
}

Status PostgresSource::send_status(bool reply_requested) {
  Lsn flush(confirmed_.load());
  Lsn write = std::max(received_, flush);
  auto s = replication_->send_status(write, flush, flush, reply_requested);
  if (!s) return s;
  sent_flush_ = flush;
  last_status_ = std::chrono::steady_clock::now();
  return ok();
}

offset::SourcePosition PostgresSource::position_at(Lsn lsn) const {
  offset::SourcePosition p;
  // Completed at least up to an idle position already sent through the pipeline: a partly
  // delivered transaction's offset must not go back behind what was stored and confirmed. The
  // last commit itself (source.sequence) stays Debezium's, which idle positions do not move.
  p.completed_lsn = std::max(last_commit_end_, idle_dispatched_).value();
  if (tx_) {
    p.tx_final_lsn = tx_->final_lsn.value();
    p.tx_id = tx_->xid;
    p.commit_ts_us = tx_->commit_ts_us;
  }
  p.event_lsn = lsn.value();
  return p;
}

Status PostgresSource::handle_message(const XLogDataFrame& frame, Dispatcher& dispatcher) {
  auto decoded = decode_pgoutput_message(frame.payload);
  if (!decoded) {
    return make_error(ErrorKind::kFatal, "at LSN {}: {}", frame.data_start.to_string(),
                      decoded.error().message);
  }
  const Lsn lsn = frame.data_start;
  return std::visit(
      [&](const auto& m) -> Status {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, BeginMessage>) {
          if (tx_) {
            return make_error(ErrorKind::kFatal, "at LSN {}: Begin inside an open transaction",
                              lsn.to_string());
          }
          Transaction t;
          t.xid = m.xid;
          t.final_lsn = m.final_lsn;
          t.commit_ts_us = unix_micros_from_pg(m.commit_ts_us);
          last_commit_ts_us_ = t.commit_ts_us;
          // The server skips these itself when asked to start at the stored position; this
          // guards against a slot that was moved back by hand.
          t.skip = !start_lsn_.is_zero() && m.final_lsn < start_lsn_;
          tx_ = t;
          if (t.skip) return ok();
          uint32_t delivered = m.final_lsn == partial_final_lsn_ ? partial_records_done_ : 0;
          dispatcher.begin_transaction(delivered);
          if (config_.provide_transaction_metadata) {
            auto rec = transactions_.begin(fmt::format("{}:{}", t.xid, lsn.value()),
                                           t.commit_ts_us / 1000);
            return dispatcher.dispatch_struct(rec.topic, &event::TransactionMonitor::key_schema(),
                                              &rec.key, &event::TransactionMonitor::value_schema(),
                                              &rec.value, position_at(lsn));
          }
          return ok();
        } else if constexpr (std::is_same_v<M, CommitMessage>) {
          if (!tx_) {
            return make_error(ErrorKind::kFatal, "at LSN {}: Commit without Begin",
                              lsn.to_string());
          }
          bool skipped = tx_->skip;
          if (!skipped && config_.provide_transaction_metadata) {
            auto rec = transactions_.end(fmt::format("{}:{}", tx_->xid, lsn.value()),
                                         tx_->commit_ts_us / 1000);
            auto s = dispatcher.dispatch_struct(
                rec.topic, &event::TransactionMonitor::key_schema(), &rec.key,
                &event::TransactionMonitor::value_schema(), &rec.value, position_at(lsn));
            if (!s) return s;
          }
          if (m.end_lsn > last_commit_end_) last_commit_end_ = m.end_lsn;
          if (!skipped) dispatcher.commit_transaction(position_at(m.end_lsn));
          tx_.reset();
          return ok();
        } else if constexpr (std::is_same_v<M, RelationMessage>) {
          relations_.update(m);
          return ok();
        } else if constexpr (std::is_same_v<M, LogicalMessage>) {
          return handle_logical_message(m, lsn, dispatcher);
        } else if constexpr (std::is_same_v<M, TypeMessage> || std::is_same_v<M, OriginMessage>) {
          return ok();  // not requested or carries nothing for events
        } else {
          if (!tx_) {
            return make_error(ErrorKind::kFatal, "at LSN {}: row change outside a transaction",
                              lsn.to_string());
          }
          if (tx_->skip) return ok();
          return handle_change(decoded.value(), lsn, dispatcher);
        }
      },
      *decoded);
}

Result<Row> PostgresSource::build_row(const RelationEntry& rel, const TupleData& tuple,
                                      Lsn lsn) const {
  if (tuple.size() != rel.column_index.size()) {
    return make_error(ErrorKind::kFatal,
                      "at LSN {}: row of {} has {} columns but its Relation message announced {}",
                      lsn.to_string(), rel.data_collection, tuple.size(), rel.column_index.size());
  }
  Row row(rel.columns.size());
  for (size_t i = 0; i < tuple.size(); ++i) {
    int idx = rel.column_index[i];
    if (idx < 0) continue;
    const auto& column = rel.columns[static_cast<size_t>(idx)];
    const TupleColumn& datum = tuple[i];
    switch (datum.kind) {
      case TupleColumn::Kind::kNull:
        break;
      case TupleColumn::Kind::kUnchanged:
        row[idx] = converter_.unavailable(column);
        break;
      case TupleColumn::Kind::kText: {
        auto v = converter_.convert(column, datum.data);
        if (!v) {
          return make_error(ErrorKind::kFatal, "at LSN {}: table {}: {}", lsn.to_string(),
                            rel.data_collection, v.error().message);
        }
        row[idx] = std::move(*v);
        break;
      }
      case TupleColumn::Kind::kBinary:
        return make_error(ErrorKind::kFatal,
                          "at LSN {}: table {}: binary column value received although binary mode "
                          "was not requested",
                          lsn.to_string(), rel.data_collection);
    }
  }
  return row;
}

bool PostgresSource::has_unknown_enum_label(const RelationEntry& rel, const TupleData& tuple) {
  if (!rel.table || tuple.size() != rel.column_index.size()) return false;
  for (size_t i = 0; i < tuple.size(); ++i) {
    int idx = rel.column_index[i];
    if (idx < 0 || tuple[i].kind != TupleColumn::Kind::kText) continue;
    const auto& column = rel.columns[static_cast<size_t>(idx)];
    const PgValueConverter::Column* c = &column;
    if (c->conversion == PgValueConverter::Conversion::kArray && c->element) c = c->element.get();
    if (c->conversion != PgValueConverter::Conversion::kEnum) continue;
    if (c == &column) {
      const auto& labels = c->enum_labels;
      if (std::find(labels.begin(), labels.end(), tuple[i].data) == labels.end()) return true;
      continue;
    }
    auto elements = parse_pg_array(tuple[i].data);
    if (!elements) continue;  // the conversion reports it
    for (const auto& e : *elements) {
      if (e &&
          std::find(c->enum_labels.begin(), c->enum_labels.end(), *e) == c->enum_labels.end()) {
        return true;
      }
    }
  }
  return false;
}

// A `K` tuple carries only the replica-identity columns; the rest arrive as nulls that say
// nothing about the row (spec/pgoutput.md §3.4).
Row PostgresSource::key_only(const RelationEntry& rel, const Row& row) const {
  Row out(row.size());
  for (size_t k : rel.table->key_columns) out[k] = row[k];
  return out;
}

event::SourceBlock PostgresSource::source_block(const RelationEntry* rel, Lsn lsn) const {
  // Outside a transaction (a non-transactional message) Debezium keeps the last commit time.
  int64_t ts_us = tx_ ? tx_->commit_ts_us : last_commit_ts_us_;
  std::string sequence =
      last_commit_end_.is_zero()
          ? fmt::format("[null,\"{}\"]", lsn.value())
          : fmt::format("[\"{}\",\"{}\"]", last_commit_end_.value(), lsn.value());
  static const auto schema = std::make_shared<const FieldSchema>(source_schema());
  return event::SourceBlock{
      schema,
      {Value::string(config_.debezium_version), Value::string("postgresql"),
       Value::string(config_.topic_prefix), Value::integer(ts_us / 1000), Value::string("false"),
       Value::string(config_.connection.dbname), Value::string(std::move(sequence)),
       Value::integer(ts_us), Value::integer(ts_us * 1000),
       Value::string(rel ? rel->table->catalog_name : ""),
       Value::string(rel ? rel->table->table_name : ""),
       tx_ ? Value::integer(tx_->xid) : Value::null(),
       Value::integer(static_cast<int64_t>(lsn.value())), Value::null()}};
}

Status PostgresSource::emit_change(const RelationEntry& rel, event::Op op,
                                   std::optional<Row> before, std::optional<Row> after, Lsn lsn,
                                   std::vector<event::Header> headers, Dispatcher& dispatcher) {
  if (config_.skipped_operations.count(static_cast<char>(op))) return ok();
  event::ChangeEvent e;
  e.table = rel.table;
  e.op = op;
  e.before = std::move(before);
  e.after = std::move(after);
  e.source = source_block(&rel, lsn);
  e.processed_at_ns = now_unix_nanos();
  e.headers = std::move(headers);
  if (config_.provide_transaction_metadata && tx_) {
    e.transaction =
        transactions_.on_event(fmt::format("{}:{}", tx_->xid, lsn.value()), rel.data_collection);
  }
  return dispatcher.dispatch_change(e, position_at(lsn));
}

Status PostgresSource::handle_change(const PgOutputMessage& message, Lsn lsn,
                                     Dispatcher& dispatcher) {
  auto relation = [&](uint32_t relid, const TupleData* a,
                      const TupleData* b) -> Result<const RelationEntry*> {
    const RelationEntry* rel = relations_.find(relid);
    if (rel == nullptr) {
      return make_error(ErrorKind::kFatal,
                        "at LSN {}: change for relation {} whose Relation message never arrived",
                        lsn.to_string(), relid);
    }
    if ((a && has_unknown_enum_label(*rel, *a)) || (b && has_unknown_enum_label(*rel, *b))) {
      // A label added by ALTER TYPE ... ADD VALUE: no Relation message announces it, so the
      // catalog is read again and this event carries the new `allowed` list.
      log::info("table {}: an enum value outside the known labels; reading the catalog again",
                rel->data_collection);
      rel = relations_.refresh(relid);
    }
    return rel;
  };

  if (const auto* ins = std::get_if<InsertMessage>(&message)) {
    auto rel = relation(ins->relation_id, &ins->new_tuple, nullptr);
    if (!rel) return tl::unexpected(rel.error());
    if (!(*rel)->table) return ok();
    auto row = build_row(**rel, ins->new_tuple, lsn);
    if (!row) return tl::unexpected(row.error());
    return emit_change(**rel, event::Op::kCreate, std::nullopt, std::move(*row), lsn, {},
                       dispatcher);
  }

  if (const auto* upd = std::get_if<UpdateMessage>(&message)) {
    auto rel =
        relation(upd->relation_id, &upd->new_tuple, upd->old_kind != 0 ? &upd->old_tuple : nullptr);
    if (!rel) return tl::unexpected(rel.error());
    const RelationEntry& r = **rel;
    if (!r.table) return ok();
    auto after = build_row(r, upd->new_tuple, lsn);
    if (!after) return tl::unexpected(after.error());
    std::optional<Row> before;
    if (upd->old_kind != 0) {
      auto old = build_row(r, upd->old_tuple, lsn);
      if (!old) return tl::unexpected(old.error());
      before = upd->old_kind == 'K' ? key_only(r, *old) : std::move(*old);
    }
    bool key_changed = false;
    if (before && r.table->has_key()) {
      for (size_t k : r.table->key_columns) key_changed |= (*before)[k] != (*after)[k];
    }
    if (!key_changed) {
      return emit_change(r, event::Op::kUpdate, std::move(before), std::move(*after), lsn, {},
                         dispatcher);
    }
    // A primary-key change is a delete of the old key and a create of the new one, each naming
    // the other key in a header (spec/debezium-compat.md §1.4).
    format::DebeziumJsonSerializer keys(format::JsonFormatOptions{});
    std::string old_key = keys.key_payload(*r.table, *before);
    std::string new_key = keys.key_payload(*r.table, *after);
    if (auto s = emit_change(r, event::Op::kDelete, std::move(before), std::nullopt, lsn,
                             {{"__debezium.newkey", new_key}}, dispatcher);
        !s) {
      return s;
    }
    return emit_change(r, event::Op::kCreate, std::nullopt, std::move(*after), lsn,
                       {{"__debezium.oldkey", old_key}}, dispatcher);
  }

  if (const auto* del = std::get_if<DeleteMessage>(&message)) {
    auto rel = relation(del->relation_id, &del->old_tuple, nullptr);
    if (!rel) return tl::unexpected(rel.error());
    const RelationEntry& r = **rel;
    if (!r.table) return ok();
    auto old = build_row(r, del->old_tuple, lsn);
    if (!old) return tl::unexpected(old.error());
    Row before = del->old_kind == 'K' ? key_only(r, *old) : std::move(*old);
    return emit_change(r, event::Op::kDelete, std::move(before), std::nullopt, lsn, {}, dispatcher);
  }

  if (const auto* trunc = std::get_if<TruncateMessage>(&message)) {
    for (uint32_t relid : trunc->relation_ids) {
      auto rel = relation(relid, nullptr, nullptr);
      if (!rel) return tl::unexpected(rel.error());
      if (!(*rel)->table) continue;
      if (auto s = emit_change(**rel, event::Op::kTruncate, std::nullopt, std::nullopt, lsn, {},
                               dispatcher);
          !s) {
        return s;
      }
    }
    return ok();
  }
  return ok();
}

namespace {

constexpr const char* kMessageCollection = "LOGICAL_DECODING_MESSAGE";

const FieldSchema& message_key_schema() {
  static const FieldSchema s = [] {
    FieldSchema k = schema::field("", ConnectType::kStruct, false);
    k.with_logical("io.debezium.connector.postgresql.MessageKey", 1);
    k.fields.push_back(schema::field("prefix", ConnectType::kString, true));
    return k;
  }();
  return s;
}

FieldSchema message_value_schema(BinaryHandling binary) {
  FieldSchema v = schema::field("", ConnectType::kStruct, false);
  v.with_logical("io.debezium.connector.postgresql.MessageValue", 1);
  v.fields.push_back(schema::field("op", ConnectType::kString, false));
  v.fields.push_back(schema::field("ts_ms", ConnectType::kInt64, true));
  FieldSchema source = PostgresSource::source_schema();
  source.name = "source";
  v.fields.push_back(std::move(source));
  FieldSchema tx = schema::field("transaction", ConnectType::kStruct, true);
  tx.with_logical("event.block", 1);
  tx.fields.push_back(schema::field("id", ConnectType::kString, false));
  tx.fields.push_back(schema::field("total_order", ConnectType::kInt64, false));
  tx.fields.push_back(schema::field("data_collection_order", ConnectType::kInt64, false));
  v.fields.push_back(std::move(tx));
  FieldSchema message = schema::field("message", ConnectType::kStruct, false);
  message.with_logical("io.debezium.connector.postgresql.Message", 1);
  message.fields.push_back(schema::field("prefix", ConnectType::kString, true));
  message.fields.push_back(schema::field(
      "content", binary == BinaryHandling::kBytes ? ConnectType::kBytes : ConnectType::kString,
      true));
  v.fields.push_back(std::move(message));
  return v;
}

}  // namespace

// A message from pg_logical_emit_message (spec/debezium-compat.md §1.7). A transactional one
// arrives inside its transaction's Begin/Commit and is one of its records; a
// non-transactional one arrives on its own, when it was written, and is a transaction of one
// record whose completed position is just past it, so a restart does not emit it again.
Status PostgresSource::handle_logical_message(const LogicalMessage& m, Lsn lsn,
                                              Dispatcher& dispatcher) {
  if (m.transactional) {
    if (!tx_) {
      return make_error(ErrorKind::kFatal,
                        "at LSN {}: transactional logical message outside a transaction",
                        lsn.to_string());
    }
    if (tx_->skip) return ok();
  } else if (!start_lsn_.is_zero() && lsn < start_lsn_) {
    return ok();  // before the stored position: delivered by an earlier run
  }
  const bool wanted = config_.message_filter.accepts(std::string(m.prefix));
  if (!m.transactional) {
    if (tx_) {
      return make_error(ErrorKind::kFatal,
                        "at LSN {}: non-transactional logical message inside a transaction",
                        lsn.to_string());
    }
    // Moves the position past the message even when it is filtered out, as a commit would.
    last_commit_end_ = Lsn(lsn.value() + 1);
    if (!wanted) return ok();
    dispatcher.begin_transaction(0);
  } else if (!wanted) {
    return ok();
  }
  static const std::array<FieldSchema, 4> value_schemas = {
      message_value_schema(BinaryHandling::kBytes), message_value_schema(BinaryHandling::kBase64),
      message_value_schema(BinaryHandling::kBase64UrlSafe),
      message_value_schema(BinaryHandling::kHex)};
  const FieldSchema& value_schema = value_schemas[static_cast<size_t>(config_.converter.binary)];
  Value transaction;
  if (m.transactional && config_.provide_transaction_metadata) {
    auto block =
        transactions_.on_event(fmt::format("{}:{}", tx_->xid, lsn.value()), kMessageCollection);
    transaction =
        Value::structure({Value::string(std::move(block.id)), Value::integer(block.total_order),
                          Value::integer(block.data_collection_order)});
  }
  event::SourceBlock source = source_block(nullptr, lsn);
  Value key = Value::structure({Value::string(std::string(m.prefix))});
  Value value = Value::structure(
      {Value::string("m"), Value::integer(now_unix_micros() / 1000),
       Value::structure(std::move(source.values)), std::move(transaction),
       Value::structure({Value::string(std::string(m.prefix)),
                         binary_value(config_.converter.binary, std::string(m.content))})});
  // Debezium appends ".message" whatever topic.delimiter is.
  const std::string topic = config_.topic_prefix + ".message";
  if (auto s = dispatcher.dispatch_struct(topic, &message_key_schema(), &key, &value_schema, &value,
                                          position_at(lsn));
      !s) {
    return s;
  }
  if (!m.transactional) dispatcher.commit_transaction(position_at(last_commit_end_));
  return ok();
}

nlohmann::json PostgresSource::offset_for(const offset::SourcePosition& p) const {
  nlohmann::json o;
  if (p.snapshot) {
    // Debezium's snapshot keys; an incomplete snapshot is taken again on restart.
    o["lsn_proc"] = p.completed_lsn;
    o["lsn_commit"] = p.completed_lsn;
    o["lsn"] = p.completed_lsn;
    o["txId"] = p.tx_id;
    o["ts_usec"] = p.commit_ts_us;
    o["snapshot"] = "INITIAL";
    o["last_snapshot_record"] = p.tx_complete;
    o["snapshot_completed"] = p.tx_complete;
    // Siphon's own key: an interrupted snapshot may drop its slot only if it had created it.
    o["siphon.snapshot_created_slot"] = snapshot_creates_slot_;
    return o;
  }
  o["lsn_proc"] = p.completed_lsn;
  o["lsn_commit"] = p.completed_lsn;
  o["lsn"] = p.tx_complete || p.event_lsn == 0 ? p.completed_lsn : p.event_lsn;
  if (p.tx_id) o["txId"] = p.tx_id;
  if (p.commit_ts_us) o["ts_usec"] = p.commit_ts_us;
  if (!p.tx_complete && p.tx_final_lsn != 0 && p.records_done > 0) {
    // Siphon's own keys: how much of the transaction committing at tx_final_lsn is delivered.
    o["siphon.tx_final_lsn"] = p.tx_final_lsn;
    o["siphon.tx_records_done"] = p.records_done;
    o["siphon.tx_events_done"] = p.events_done;
  }
  return o;
}

void PostgresSource::confirm(const offset::SourcePosition& delivered) {
  uint64_t target = delivered.completed_lsn;
  uint64_t current = confirmed_.load();
  while (current < target && !confirmed_.compare_exchange_weak(current, target)) {
  }
}

void PostgresSource::close() {
  if (replication_ && streaming_) {
    if (auto s = send_status(false); !s) {
      log::warn("could not send the final status update: {}", s.error().message);
    } else {
      log::info("confirmed {} to slot '{}'", Lsn(confirmed_.load()).to_string(), config_.slot_name);
    }
    (void)replication_->end_copy();
    streaming_ = false;
  }
  replication_.reset();
  if (sql_ && config_.drop_slot_on_stop) {
    auto s = sql_->exec("SELECT pg_drop_replication_slot(" +
                        PgConnection::quote_literal(config_.slot_name) + ")");
    if (!s) log::warn("could not drop slot '{}': {}", config_.slot_name, s.error().message);
  }
  sql_.reset();
}

}  // namespace siphon::source::postgres
