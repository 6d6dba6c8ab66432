#include "source/binlog/mariadb_source.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "core/clock.h"
#include "core/failpoint.h"
#include "core/log.h"
#include "event/source_block_schema.h"
#include "format/debezium_json_serializer.h"
#include "source/binlog/row_decoder.h"
#include "source/binlog/schema_change_event.h"

namespace siphon::source::binlog {

using schema::ConnectType;
using schema::FieldSchema;

namespace {

// The statement of a QUERY event with its leading blanks and comments removed, for matching
// BEGIN, COMMIT and XA statements.
std::string_view statement_of(std::string_view query) {
  while (!query.empty()) {
    if (std::isspace(static_cast<unsigned char>(query.front()))) {
      query.remove_prefix(1);
    } else if (query.starts_with("/*")) {
      size_t end = query.find("*/");
      if (end == std::string_view::npos) return {};
      query.remove_prefix(end + 2);
    } else {
      break;
    }
  }
  while (!query.empty() &&
         (std::isspace(static_cast<unsigned char>(query.back())) || query.back() == ';')) {
    query.remove_suffix(1);
  }
  return query;
}

bool starts_with_word(std::string_view text, std::string_view word) {
  if (text.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != word[i]) return false;
  }
  return text.size() == word.size() || std::isspace(static_cast<unsigned char>(text[word.size()]));
}

// "XA COMMIT X'61',X'',1 ONE PHASE" -> "X'61',X'',1": the xid as the server prints it, the key
// that ties an XA COMMIT or ROLLBACK to its XA START.
std::string xa_id(std::string_view statement, size_t words) {
  for (size_t i = 0; i < words; ++i) {
    size_t space = statement.find_first_of(" \t\n");
    statement = space == std::string_view::npos ? std::string_view() : statement.substr(space);
    while (!statement.empty() && std::isspace(static_cast<unsigned char>(statement.front()))) {
      statement.remove_prefix(1);
    }
  }
  std::string id(statement);
  for (std::string_view suffix : {" ONE PHASE", " one phase"}) {
    if (id.size() > suffix.size() && id.ends_with(suffix)) id.resize(id.size() - suffix.size());
  }
  return id;
}

// XA ids compare as the server prints them, ignoring case (hex digits, the X prefix).
std::string xa_key(std::string id) {
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return id;
}

std::string lower_ascii(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string gtid_text(const MariaDbGtid& g) {
  return fmt::format("{}-{}-{}", g.domain_id, g.server_id, g.sequence);
}

std::string hex_sid(const Sid& sid) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < sid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[sid[i] >> 4]);
    out.push_back(kHex[sid[i] & 0xf]);
  }
  return out;
}

uint64_t json_u64(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return 0;
  if (it->is_number_unsigned() || it->is_number_integer()) return it->get<uint64_t>();
  if (it->is_string()) return std::stoull(it->get<std::string>());
  return 0;
}

}  // namespace

MariaDbSource::MariaDbSource(MariaDbSourceConfig config, TableFilter filter)
    : config_(std::move(config)),
      filter_(std::move(filter)),
      converter_(config_.converter),
      tables_(converter_, filter_, config_.topic_prefix, config_.topic_delimiter,
              [this](const std::string& db, const std::string& table) {
                return read_schema_columns(db, table);
              }),
      transactions_(config_.topic_prefix + config_.topic_delimiter + config_.transaction_topic),
      source_(config_.debezium_version, config_.connector_name, config_.topic_prefix),
      decoder_(EventDecoder::Options{.checksum_before_format = true}) {
  tables_.propagate_source_types(config_.propagate_columns, config_.propagate_datatypes);
}

MariaDbSource::~MariaDbSource() {
  close();
}

uint64_t MariaDbSource::add_checkpoint(Checkpoint checkpoint) {
  std::lock_guard lock(checkpoints_mutex_);
  uint64_t id = next_checkpoint_++;
  checkpoints_.emplace(id, std::move(checkpoint));
  return id;
}

Status MariaDbSource::start(const std::optional<nlohmann::json>& stored_offset) {
  auto sql = MariaDbSql::connect(config_.connection);
  if (!sql) return tl::unexpected(sql.error());
  sql_ = std::move(*sql);

  started_from_offset_ = stored_offset.has_value();
  if (stored_offset) {
    auto offset = BinlogOffset::from_json(*stored_offset);
    if (!offset) {
      return make_error(ErrorKind::kFatal, "the stored offset cannot be read: {}",
                        offset.error().message);
    }
    completed_ = std::move(*offset);
    retain_admitted_gtids();
    snapshot_interrupted_ = stored_offset->contains("snapshot_completed") &&
                            (*stored_offset)["snapshot_completed"] == false;
    resume_records_done_ =
        static_cast<uint32_t>(json_u64(*stored_offset, "siphon.tx_records_done"));
    if (auto it = stored_offset->find("siphon.tx_id");
        it != stored_offset->end() && it->is_string()) {
      resume_tx_id_ = it->get<std::string>();
    }
    if (resume_records_done_ == 0) {
      // An offset written by Debezium: events and rows of the first transaction to skip.
      resume_events_ = completed_.event;
      resume_rows_ = completed_.row;
    }
    resume_pending_ = resume_records_done_ > 0 || resume_events_ > 0 || resume_rows_ > 0;
    completed_.event = 0;
    completed_.row = 0;
    log::info("resuming from stored offset: {}{}{}", completed_.to_json().dump(),
              resume_pending_
                  ? fmt::format(" (inside transaction {}: {} records delivered)",
                                resume_tx_id_.empty() ? "?" : resume_tx_id_, resume_records_done_)
                  : std::string(),
              snapshot_interrupted_ ? " (an interrupted snapshot)" : "");
  }
  if (config_.schema_history) history_ = config_.schema_history();
  snapshot_wanted_ = snapshot_wanted(stored_offset);
  if (stored_offset && !snapshot_wanted_ && !snapshot_interrupted_ &&
      config_.snapshot_mode == "initial_only") {
    log::info("snapshot.mode=initial_only and the snapshot is complete: nothing to do");
    finished_ = true;
    return ok();
  }
  if (!stored_offset) {
    if (auto s = set_start_position(); !s) return s;
  }
  // Opening the binlog checks the server's settings, the privileges and the server id, and
  // whether the stored position is still there: before a snapshot too, which would otherwise
  // read every table only to fail then.
  bool purged = false;
  if (auto s = open_binlog(&purged); !s) return s;
  if (!snapshot_wanted_ && !purged) return load_definitions(stored_offset);
  snapshot_wanted_ = true;  // wanted, or when_needed and the stored position is gone
  connection_.reset();      // reopened at the snapshot's position once it is read
  return prepare_snapshot();
}

Result<std::pair<std::string, std::string>> MariaDbSource::first_binlog_row(
    MariaDbSql& sql, const std::string& statement) {
  auto listed = sql.query(statement);
  if (!listed) {
    return make_error(listed.error().kind,
                      "{} (the user needs the privileges of a replica: GRANT REPLICATION "
                      "SLAVE, BINLOG MONITOR, REPLICATION MASTER ADMIN, SELECT ON *.*)",
                      listed.error().message);
  }
  if (listed->empty()) {
    return make_error(ErrorKind::kConfig,
                      "the server has no binlog ({} is empty): start it with --log-bin", statement);
  }
  return std::pair{listed->at(0).at(0).value_or(""), listed->at(0).at(1).value_or("4")};
}

Status MariaDbSource::set_start_position() {
  if (!config_.start_gtids.empty()) {
    auto parsed = MariaDbGtidPosition::parse(config_.start_gtids);
    if (!parsed) {
      return make_error(ErrorKind::kConfig, "siphon.binlog.start.gtids: {}",
                        parsed.error().message);
    }
    completed_.gtids = std::move(*parsed);
    retain_admitted_gtids();
    log::info("no stored offset: starting after the configured GTID position {}",
              completed_.gtids->to_string());
    return ok();
  }
  if (!config_.start_file.empty()) {
    completed_.file = config_.start_file;
    completed_.pos = std::max<uint64_t>(config_.start_pos, 4);
    log::info("no stored offset: starting at the configured binlog position {}:{}", completed_.file,
              completed_.pos);
    return ok();
  }
  if (config_.snapshot_mode == "never") {
    // Debezium's MySQL `never`: no snapshot of any kind, every change the server's binlogs
    // still hold, from the oldest one (by file, so the offset names a file from the start).
    auto oldest = first_binlog_row(*sql_, "SHOW BINARY LOGS");
    if (!oldest) return tl::unexpected(oldest.error());
    completed_.file = oldest->first;
    completed_.pos = 4;
    completed_.gtids = MariaDbGtidPosition();
    log::info(
        "no stored offset and snapshot.mode=never: streaming every change from the oldest "
        "binlog {}",
        completed_.file);
    return ok();
  }
  // Where the server is now, by GTID when it has one.
  auto gtid = sql_->query("SELECT @@global.gtid_binlog_pos");
  if (!gtid) return tl::unexpected(gtid.error());
  auto parsed = MariaDbGtidPosition::parse(gtid->at(0).at(0).value_or(""));
  if (!parsed) return tl::unexpected(parsed.error());
  auto current = first_binlog_row(*sql_, "SHOW MASTER STATUS");
  if (!current) return tl::unexpected(current.error());
  completed_.file = current->first;
  completed_.pos = std::stoull(current->second);
  completed_.gtids = std::move(*parsed);
  retain_admitted_gtids();
  log::info("no stored offset: starting at the server's current position {}",
            completed_.to_json().dump());
  return ok();
}

Status MariaDbSource::open_binlog(bool* purged) {
  completed_checkpoint_ = add_checkpoint(Checkpoint{completed_, ""});
  file_ = completed_.file;

  BinlogConnectionOptions options;
  options.host = config_.connection.host;
  options.port = config_.connection.port;
  options.user = config_.connection.user;
  options.password = config_.connection.password;
  options.server_id = config_.server_id;
  options.report_host = ("siphon:" + config_.topic_prefix).substr(0, 60);
  options.heartbeat_seconds = config_.heartbeat_seconds;
  options.read_timeout_seconds = config_.read_timeout_seconds;
  if (completed_.gtids && !completed_.gtids->empty()) {
    options.start.gtid_position = completed_.gtids->to_string();
  } else if (!completed_.file.empty()) {
    options.start.file = completed_.file;
    options.start.position = std::max<uint64_t>(completed_.pos, 4);
  } else {
    options.start.gtid_position = "";
  }
  // A position the server no longer has is refused at the dump's start, or with its first
  // packet (MariaDB answers a GTID position that way): both are read here, so the caller
  // learns it before streaming (or snapshotting) anything.
  auto unavailable = [&](const Error& error) -> Status {
    const std::string& message = error.message;
    const bool gone = message.find("1236") != std::string::npos ||
                      message.find("purged") != std::string::npos ||
                      message.find("not found") != std::string::npos ||
                      message.find("Could not find") != std::string::npos ||
                      // A GTID position past what this server has (a replica behind the
                      // primary the offset was taken on), reported in the first packet.
                      message.find("which is not in the master's binlog") != std::string::npos;
    if (!gone) return tl::unexpected(error);
    if (purged != nullptr && (snapshot_wanted_ || config_.snapshot_mode == "when_needed")) {
      log::warn(
          "{}: the stored position is no longer in the server's binlogs; a new snapshot "
          "is taken (snapshot.mode={})",
          message, config_.snapshot_mode);
      *purged = true;
      return ok();
    }
    // Name the position itself: after a failover the likely cause is a server that never had
    // it (behind the old primary), not a purge, and the operator must compare the two.
    const std::string requested =
        options.start.gtid_position && !options.start.gtid_position->empty()
            ? fmt::format("GTID position {}", *options.start.gtid_position)
            : fmt::format("binlog position {}:{}", options.start.file, options.start.position);
    return make_error(ErrorKind::kFatal,
                      "{}: the stored {} is not in the binlogs of {}:{}: either they were "
                      "purged, or this server never had it (another topology, or a replica "
                      "behind the server the offset was taken from); nothing is skipped: the "
                      "changes since then are lost unless this server catches up, delete the "
                      "stored offset to start again, or set snapshot.mode=when_needed to "
                      "snapshot again in that case",
                      message, requested, config_.connection.host, config_.connection.port);
  };
  auto connection = BinlogConnection::open(options);
  if (!connection) return unavailable(connection.error());
  connection_ = std::move(*connection);
  // Each dump starts over with its own FORMAT_DESCRIPTION; until then the server's setting
  // says whether events carry a checksum.
  decoder_ =
      EventDecoder(EventDecoder::Options{.checksum_before_format = connection_->checksums()});
  // The dump begins with an artificial ROTATE naming the file the events come from.
  auto first = connection_->next();
  if (!first) {
    connection_.reset();
    return unavailable(first.error());
  }
  if (*first) {
    const RawBinlogEvent& raw = **first;
    auto event = decoder_.decode(raw.bytes, EventLocation{raw.file, raw.position});
    if (!event) return tl::unexpected(event.error());
    const auto* rotate = std::get_if<RotateEvent>(&event->body);
    if (rotate == nullptr) {
      return make_error(ErrorKind::kFatal,
                        "the binlog dump began with a {} event instead of a ROTATE",
                        event_type_name(event->header.type));
    }
    file_ = rotate->next_file;
  }
  return ok();
}

Result<SchemaColumns> MariaDbSource::read_schema_columns(const std::string& db,
                                                         const std::string& table) {
  // The definitions kept from the schema history and each DDL: those of the position being
  // read, where information_schema only knows the present.
  if (auto known = definitions_.find(db); known != definitions_.end()) {
    if (auto t = known->second.find(table); t != known->second.end()) {
      return schema_columns_of(t->second);
    }
  }
  // A table not seen yet (or no longer there): what information_schema says of it now, read
  // the way every kept definition is.
  if (!sql_) return SchemaColumns{};
  auto read = read_table_definitions(*sql_, [&](const std::string& d) { return d == db; });
  if (!read) return tl::unexpected(read.error());
  if (auto known = read->find(db); known != read->end()) {
    if (auto t = known->second.find(table); t != known->second.end()) {
      return schema_columns_of(t->second);
    }
  }
  log::info(
      "table {}.{} is not in information_schema (dropped since this event was written): its "
      "JSON, UUID, INET4 and INET6 columns are typed from the binlog alone, without defaults",
      db, table);
  return SchemaColumns{};
}

Status MariaDbSource::stream(Dispatcher& dispatcher, const std::atomic<bool>& stop) {
  if (finished_) return ok();
  if (snapshot_) {
    if (auto s = run_snapshot(dispatcher, stop); !s) return s;
    if (stop.load() || snapshot_) return ok();  // stopped inside: taken again at the next start
    started_from_offset_ = true;                // the snapshot's end stored the position
    if (config_.snapshot_mode == "initial_only") {
      log::info("snapshot.mode=initial_only: snapshot complete, not streaming");
      finished_ = true;
      return ok();
    }
    if (auto s = open_binlog(nullptr); !s) return s;
  }
  log::info("streaming from binlog {}",
            completed_.gtids && !completed_.gtids->empty()
                ? fmt::format("after GTID position {}", completed_.gtids->to_string())
                : fmt::format("at {}:{}", completed_.file, completed_.pos));
  if (!started_from_offset_) {
    // The start position itself, as an empty transaction: once stored, a restart resumes here
    // even if nothing was captured yet. Without it a restart would start again at the server's
    // then current position and skip whatever was written in between.
    dispatcher.begin_transaction(0);
    dispatcher.commit_transaction(position(0, 0));
    started_from_offset_ = true;
  }
  while (!stop.load(std::memory_order_relaxed)) {
    auto next = connection_->next();
    if (!next) return tl::unexpected(next.error());
    if (!*next) return ok();  // the end of a non-blocking dump
    const RawBinlogEvent& raw = **next;
    if (raw.heartbeat) continue;
    auto event = decoder_.decode(raw.bytes, EventLocation{raw.file, raw.position});
    if (!event) return tl::unexpected(event.error());
    if (auto s = handle_event(raw, *event, dispatcher); !s) return s;
  }
  return ok();
}

Status MariaDbSource::handle_event(const RawBinlogEvent& raw, const BinlogEvent& event,
                                   Dispatcher& dispatcher) {
  const bool starts_transaction = std::holds_alternative<MariaGtidEvent>(event.body) ||
                                  std::holds_alternative<MysqlGtidEvent>(event.body);
  if (tx_ && !starts_transaction) ++tx_->events;
  if (event.header.timestamp != 0) last_event_ts_ = event.header.timestamp;
  return std::visit(
      [&](const auto& body) -> Status {
        using E = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<E, RotateEvent>) {
          file_ = body.next_file;
          return ok();
        } else if constexpr (std::is_same_v<E, MariaGtidEvent>) {
          MariaDbGtid gtid{body.domain_id, event.header.server_id, body.seq_no};
          auto s = begin(raw, event, gtid_text(gtid), gtid,
                         (body.flags2 & MariaGtidEvent::kStandalone) != 0, dispatcher);
          if (s && (body.flags2 & MariaGtidEvent::kPreparedXa) != 0 && body.xa_format_id) {
            // MariaDB names the XA branch in the GTID event, not in an XA START statement.
            tx_->xa = xa_key(fmt::format("X'{}',X'{}',{}", hex_encode(body.xa_gtrid),
                                         hex_encode(body.xa_bqual), *body.xa_format_id));
          }
          return s;
        } else if constexpr (std::is_same_v<E, MysqlGtidEvent>) {
          std::string id = body.anonymous ? fmt::format("file={},pos={}", file_, raw.position)
                                          : fmt::format("{}:{}", hex_sid(body.sid), body.gno);
          return begin(raw, event, std::move(id), std::nullopt, false, dispatcher);
        } else if constexpr (std::is_same_v<E, QueryEvent>) {
          return on_query(raw, event, body, dispatcher);
        } else if constexpr (std::is_same_v<E, TableMap>) {
          auto table = tables_.on_table_map(body, EventLocation{file_, raw.position});
          if (!table) return tl::unexpected(table.error());
          return ok();
        } else if constexpr (std::is_same_v<E, RowsEvent>) {
          return on_rows(raw, event, body, dispatcher);
        } else if constexpr (std::is_same_v<E, XidEvent>) {
          return commit(raw, dispatcher);
        } else if constexpr (std::is_same_v<E, XaPrepareEvent>) {
          if (!tx_ || tx_->xa.empty()) {
            return make_error(ErrorKind::kFatal, "XA_PREPARE at {}:{} outside an XA transaction",
                              file_, raw.position);
          }
          // The branch is prepared, not committed: its rows wait for XA COMMIT.
          PreparedXa& prepared = prepared_[tx_->xa];
          prepared.changes = std::move(tx_->held);
          prepared.start_checkpoint = tx_->start_checkpoint;
          tx_->held.clear();
          return commit(raw, dispatcher);
        } else if constexpr (std::is_same_v<E, TransactionPayloadEvent>) {
          auto inner = decoder_.decode_payload(body, EventLocation{file_, raw.position});
          if (!inner) return tl::unexpected(inner.error());
          for (const BinlogEvent& e : *inner) {
            if (auto s = handle_event(raw, e, dispatcher); !s) return s;
          }
          return ok();
        } else if constexpr (std::is_same_v<E, IncidentEvent>) {
          return make_error(ErrorKind::kFatal,
                            "the server logged an INCIDENT at {}:{} ({}): changes may be missing "
                            "from the binlog; take a new snapshot",
                            file_, raw.position, body.message);
        } else {
          return ok();  // FORMAT_DESCRIPTION (the decoder keeps it), GTID_LIST, annotations...
        }
      },
      event.body);
}

Status MariaDbSource::begin(const RawBinlogEvent& raw, const BinlogEvent& event, std::string id,
                            std::optional<MariaDbGtid> gtid, bool standalone,
                            Dispatcher& dispatcher) {
  if (tx_) {
    return make_error(ErrorKind::kFatal,
                      "transaction {} starts at {}:{} while transaction {} is still open", id,
                      file_, raw.position, tx_->id);
  }
  Transaction t;
  t.id = std::move(id);
  t.gtid = gtid;
  t.standalone = standalone;
  t.server_id = event.header.server_id;
  t.ts_sec = event.header.timestamp;
  BinlogOffset start = completed_;
  start.file = file_;
  start.pos = raw.position;
  start.ts_sec = event.header.timestamp;
  start.server_id = event.header.server_id;
  t.start_checkpoint = add_checkpoint(Checkpoint{std::move(start), t.id});
  uint32_t already_delivered = 0;
  if (resume_pending_) {
    resume_pending_ = false;
    if (resume_tx_id_.empty() || resume_tx_id_ == t.id) {
      already_delivered = resume_records_done_;
      t.skip_events = resume_events_;
      t.skip_rows = resume_rows_;
    } else {
      log::warn(
          "the stored offset was inside transaction {}, but the binlog resumes with {}: nothing "
          "of it is skipped",
          resume_tx_id_, t.id);
    }
  }
  tx_ = std::move(t);
  dispatcher.begin_transaction(already_delivered);
  return ok();
}

Status MariaDbSource::on_query(const RawBinlogEvent& raw, const BinlogEvent& event,
                               const QueryEvent& query, Dispatcher& dispatcher) {
  std::string_view statement = statement_of(query.query);
  if (starts_with_word(statement, "BEGIN")) {
    if (tx_) {
      tx_->thread = query.thread_id;
      return ok();  // MySQL: GTID then BEGIN
    }
    return begin(raw, event, fmt::format("file={},pos={}", file_, raw.position), std::nullopt,
                 false, dispatcher);
  }
  if (tx_) tx_->thread = query.thread_id;
  if (starts_with_word(statement, "COMMIT") || starts_with_word(statement, "ROLLBACK")) {
    // ROLLBACK ends a group whose non-transactional changes happened anyway.
    return tx_ ? commit(raw, dispatcher) : ok();
  }
  if (starts_with_word(statement, "XA")) {
    std::string_view rest = statement_of(statement.substr(2));
    if (starts_with_word(rest, "START") || starts_with_word(rest, "BEGIN")) {
      if (tx_) tx_->xa = xa_key(xa_id(statement, 2));
      return ok();
    }
    if (starts_with_word(rest, "END") || starts_with_word(rest, "PREPARE")) return ok();
    const bool is_commit = starts_with_word(rest, "COMMIT");
    if (is_commit || starts_with_word(rest, "ROLLBACK")) {
      const std::string xid = xa_key(xa_id(statement, 2));
      if (!tx_) {
        return make_error(ErrorKind::kFatal, "{} at {}:{} outside a transaction",
                          std::string(statement), file_, raw.position);
      }
      std::vector<HeldChange> changes;
      const bool one_phase = tx_->xa == xid;
      auto prepared = prepared_.find(xid);
      if (one_phase) {
        changes = std::move(tx_->held);  // XA COMMIT ... ONE PHASE in the same group
        tx_->held.clear();
        tx_->xa.clear();
      } else if (prepared != prepared_.end()) {
        changes = std::move(prepared->second.changes);
      } else if (is_commit) {
        log::warn(
            "{} at {}:{}: the transaction was prepared before the position Siphon started "
            "from; its rows are not captured",
            std::string(statement), file_, raw.position);
      }
      if (is_commit) {
        for (HeldChange& change : changes) {
          if (auto s = emit(std::move(change.event), change.event_index, change.row, dispatcher);
              !s) {
            return s;
          }
        }
      }
      // A committed branch stops holding restarts back only once its rows are all
      // dispatched: a crash while they are delivered replays it from its XA PREPARE. A rolled
      // back one has nothing left to lose.
      if (!is_commit && prepared != prepared_.end()) {
        prepared_.erase(prepared);
        prepared = prepared_.end();
      }
      auto s = commit(raw, dispatcher);
      if (prepared != prepared_.end()) prepared_.erase(prepared);
      return s;
    }
  }
  // Any other statement is DDL or administration: the schema may have changed.
  tables_.on_ddl();
  if (auto s = on_schema_change(raw, event, query, statement, dispatcher); !s) return s;
  if (tx_ && tx_->standalone) return commit(raw, dispatcher);
  return ok();
}

namespace {

Result<std::vector<TableChange>> history_changes(const nlohmann::json& record) {
  std::vector<TableChange> out;
  auto it = record.find("tableChanges");
  if (it == record.end() || !it->is_array()) return out;
  for (const nlohmann::json& change : *it) {
    auto table =
        TableDefinition::from_json(change.value("id", ""), change.value("table", nlohmann::json()));
    if (!table) return tl::unexpected(table.error());
    out.push_back(TableChange{change.value("type", ""), std::move(*table)});
  }
  return out;
}

// Whether a history record's position is at or before the stored offset (so the definitions
// it records hold at the offset).
bool at_or_before(const nlohmann::json& position, const BinlogOffset& offset) {
  if (position.value("snapshot", false)) return true;
  const std::string ddl = position.value("siphon.ddl", "");
  if (offset.gtids) {
    MariaDbGtid g{};
    unsigned long long seq = 0;
    if (std::sscanf(ddl.c_str(), "%u-%u-%llu", &g.domain_id, &g.server_id, &seq) == 3) {
      auto it = offset.gtids->domains().find(g.domain_id);
      return it != offset.gtids->domains().end() && it->second.sequence >= seq;
    }
  }
  const std::string file = position.value("file", "");
  const uint64_t pos = position.value("pos", uint64_t{0});
  return file < offset.file || (file == offset.file && pos < offset.pos);
}

}  // namespace

Status MariaDbSource::load_definitions(const std::optional<nlohmann::json>& stored_offset) {
  const bool recovery =
      config_.snapshot_mode == "recovery" || config_.snapshot_mode == "schema_only_recovery";
  std::vector<nlohmann::json> recorded;
  if (history_ && stored_offset && !recovery) {
    auto read = history_->read();
    if (!read) return tl::unexpected(read.error());
    recorded = std::move(*read);
  }
  if (!recorded.empty()) {
    const std::vector<nlohmann::json>* records = &recorded;
    size_t replayed = 0;
    for (const nlohmann::json& r : *records) {
      const nlohmann::json position = r.value("position", nlohmann::json::object());
      if (at_or_before(position, completed_)) {
        auto changes = history_changes(r);
        if (!changes) return tl::unexpected(changes.error());
        apply_changes(*changes);
        ++replayed;
      } else {
        future_history_[position.value("siphon.ddl", "")].push_back(r);
      }
    }
    log::info("schema history ({}): {} records replayed up to the stored offset, {} after it",
              history_->describe(), replayed, records->size() - replayed);
    return ok();
  }
  auto definitions = read_definitions();
  if (!definitions) return tl::unexpected(definitions.error());
  definitions_ = std::move(*definitions);
  if (!history_) return ok();
  if (stored_offset && !recovery) {
    return make_error(ErrorKind::kConfig,
                      "the schema history ({}) is missing or empty while an offset is stored: "
                      "set debezium.source.snapshot.mode=recovery to rebuild it from the "
                      "current table structures",
                      history_->describe());
  }
  // The tables as they are now, recorded at the start position.
  nlohmann::json position = completed_.to_json();
  position["snapshot"] = true;
  size_t count = 0;
  for (const auto& [db, tables] : definitions_) {
    for (const auto& [name, table] : tables) {
      if (!filter_.captures(db, name)) continue;
      if (auto s = record_history(position, now_unix_micros() / 1000, db, "",
                                  {TableChange{"CREATE", table}});
          !s) {
        return s;
      }
      ++count;
    }
  }
  log::info("schema history ({}): the current structure of {} tables recorded{}",
            history_->describe(), count, recovery ? " (snapshot.mode=recovery)" : "");
  return ok();
}

void MariaDbSource::apply_changes(const std::vector<TableChange>& changes) {
  for (const TableChange& change : changes) {
    if (change.type == "DROP") {
      definitions_[change.table.database].erase(change.table.table);
    } else {
      definitions_[change.table.database][change.table.table] = change.table;
    }
  }
  tables_.on_ddl();
}

Status MariaDbSource::record_history(const nlohmann::json& position, int64_t ts_ms,
                                     const std::string& db, const std::string& ddl,
                                     const std::vector<TableChange>& changes) {
  if (!history_) return ok();
  nlohmann::json table_changes = nlohmann::json::array();
  for (const TableChange& change : changes) table_changes.push_back(change.to_json());
  return history_->append({{"source", {{"server", config_.topic_prefix}}},
                           {"position", position},
                           {"ts_ms", ts_ms},
                           {"databaseName", db},
                           {"schemaName", nullptr},
                           {"ddl", ddl},
                           {"tableChanges", std::move(table_changes)}});
}

Result<std::map<std::string, DatabaseDefinitions>> MariaDbSource::read_definitions() {
  return read_table_definitions(
      *sql_, [this](const std::string& database) { return filter_.captures_schema(database); });
}

Status MariaDbSource::on_schema_change(const RawBinlogEvent& raw, const BinlogEvent& event,
                                       const QueryEvent& query, std::string_view statement,
                                       Dispatcher& dispatcher) {
  const std::string ddl(statement);
  // Per database, the table changes of this statement.
  std::vector<std::pair<std::string, std::vector<TableChange>>> records;
  auto emit_all = [&]() -> Status {
    if (!config_.include_schema_changes) return ok();
    for (const auto& [db, changes] : records) {
      const std::vector<Value> source =
          source_.values({.ts_ms = int64_t{event.header.timestamp} * 1000,
                          .db = db,
                          .server_id = event.header.server_id,
                          .gtid = tx_ && tx_->gtid ? std::optional(tx_->id) : std::nullopt,
                          .file = file_,
                          .pos = raw.position,
                          .thread = int64_t{query.thread_id}});
      auto record = schema_change_record(config_.connector_name, *source_.schema(), source,
                                         now_unix_micros() / 1000, db, ddl, changes);
      auto s = dispatcher.dispatch_struct(config_.topic_prefix, record.key_schema, &record.key,
                                          record.value_schema, &record.value,
                                          position(tx_ ? tx_->events : 0, 0));
      if (!s) return s;
    }
    return ok();
  };
  // A DDL an earlier run already recorded in the schema history (it stopped before its offset
  // passed it): the recorded definitions are those of that time.
  const std::string key = tx_ && tx_->gtid ? tx_->id : fmt::format("{}:{}", file_, raw.position);
  if (auto recorded = future_history_.find(key); recorded != future_history_.end()) {
    for (const nlohmann::json& r : recorded->second) {
      auto changes = history_changes(r);
      if (!changes) return tl::unexpected(changes.error());
      apply_changes(*changes);
      records.emplace_back(r.value("databaseName", ""), std::move(*changes));
    }
    future_history_.erase(recorded);
    return emit_all();
  }
  // Every captured database is read again: a statement may name tables of databases other
  // than its default one. DDL is rare; a database-level statement (CREATE/ALTER/DROP
  // DATABASE) gets a record even without table changes.
  auto after = read_definitions();
  if (!after) {
    return make_error(after.error().kind, "reading the schema after the DDL at {}:{}: {}", file_,
                      raw.position, after.error().message);
  }
  // CREATE/ALTER/DROP DATABASE [IF [NOT] EXISTS] name: the database it names.
  std::optional<std::string> named_database;
  for (const char* verb : {"CREATE", "ALTER", "DROP"}) {
    if (!starts_with_word(statement, verb)) continue;
    std::string_view rest = statement_of(statement.substr(std::string_view(verb).size()));
    if (!starts_with_word(rest, "DATABASE") && !starts_with_word(rest, "SCHEMA")) break;
    rest = statement_of(rest.substr(rest.find_first_of(" \t\n")));
    for (const char* word : {"IF", "NOT", "EXISTS"}) {
      if (starts_with_word(rest, word)) rest = statement_of(rest.substr(std::strlen(word)));
    }
    std::string name;
    if (!rest.empty() && rest.front() == '`') {
      for (size_t i = 1; i < rest.size(); ++i) {
        if (rest[i] == '`' && i + 1 < rest.size() && rest[i + 1] == '`') {
          name.push_back('`');
          ++i;
        } else if (rest[i] == '`') {
          break;
        } else {
          name.push_back(rest[i]);
        }
      }
    } else {
      name = std::string(rest.substr(0, rest.find_first_of(" \t\n;")));
    }
    if (!name.empty()) named_database = name;
    break;
  }
  std::set<std::string> databases;
  for (const auto& [db, tables] : definitions_) databases.insert(db);
  for (const auto& [db, tables] : *after) databases.insert(db);
  // A change belongs to this statement when the statement names the table (or its database,
  // for CREATE/DROP DATABASE). When Siphon reads the binlog behind the server, later DDL has
  // already run: its changes then wait for the statements that name them, so each statement
  // gets its own record, though a definition may already show what later DDL made of it.
  const std::string folded_statement = lower_ascii(std::string(statement));
  auto names = [&](const std::string& table) {
    const std::string name = lower_ascii(table);
    for (size_t at = folded_statement.find(name); at != std::string::npos;
         at = folded_statement.find(name, at + 1)) {
      auto identifier = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
               static_cast<unsigned char>(c) >= 0x80;
      };
      const bool starts = at == 0 || !identifier(folded_statement[at - 1]);
      const size_t end = at + name.size();
      const bool ends = end == folded_statement.size() || !identifier(folded_statement[end]);
      if (starts && ends) return true;
    }
    return false;
  };
  static const DatabaseDefinitions kNone;
  for (const std::string& db : databases) {
    auto before = definitions_.find(db);
    auto now = after->find(db);
    const bool whole_database = named_database && *named_database == db;
    std::vector<TableChange> changes;
    for (TableChange& change : table_changes(before == definitions_.end() ? kNone : before->second,
                                             now == after->end() ? kNone : now->second)) {
      if (!whole_database && !names(change.table.table)) continue;
      // Applied to the known definitions whether captured or not, so it is not seen again.
      if (change.type == "DROP") {
        definitions_[db].erase(change.table.table);
      } else {
        definitions_[db][change.table.table] = change.table;
      }
      if (filter_.captures(change.table.database, change.table.table)) {
        changes.push_back(std::move(change));
      }
    }
    // An ALTER read after a later DDL already changed the table again finds nothing new: it
    // still gets its record, with the table as it is now.
    if (changes.empty() &&
        (starts_with_word(statement, "ALTER") || starts_with_word(statement, "CREATE") ||
         starts_with_word(statement, "DROP"))) {
      auto known = definitions_.find(db);
      if (known != definitions_.end()) {
        for (const auto& [name, table] : known->second) {
          if (names(name) && filter_.captures(db, name) &&
              (starts_with_word(statement, "ALTER") ||
               folded_statement.find("index") != std::string::npos)) {
            changes.push_back(TableChange{"ALTER", table});
          }
        }
      }
    }
    if (changes.empty()) continue;
    records.emplace_back(db, std::move(changes));
  }
  if (records.empty() && named_database && filter_.captures_schema(*named_database)) {
    records.emplace_back(*named_database, std::vector<TableChange>{});
  }
  // Durable in the schema history before the DDL's position can be stored as an offset.
  if (!records.empty()) failpoint("schema_history.before_ddl");
  for (const auto& [db, changes] : records) {
    nlohmann::json position_json = completed_.to_json();
    position_json["file"] = file_;
    position_json["pos"] = raw.position;
    position_json["siphon.ddl"] = key;
    if (auto s =
            record_history(position_json, int64_t{event.header.timestamp} * 1000, db, ddl, changes);
        !s) {
      return s;
    }
  }
  if (!records.empty()) failpoint("schema_history.after_ddl");
  return emit_all();
}

Result<Row> MariaDbSource::build_row(const CapturedTable& table, const RowImageValues& values,
                                     const RawBinlogEvent& raw, size_t row_index) const {
  if (values.size() != table.columns.size()) {
    return make_error(ErrorKind::kFatal,
                      "rows event at {}:{} has {} columns for {} whose TABLE_MAP has {}", file_,
                      raw.position, values.size(), table.data_collection, table.columns.size());
  }
  Row row(table.schema->columns.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const int index = table.column_index[i];
    if (index < 0 || values[i].kind == ColumnValue::Kind::kAbsent) continue;
    auto value = converter_.convert(table.columns[i], values[i]);
    if (!value) {
      return make_error(value.error().kind, "rows event at {}:{}, row {} of {}: {}", file_,
                        raw.position, row_index, table.data_collection, value.error().message);
    }
    row[static_cast<size_t>(index)] = std::move(*value);
  }
  return row;
}

Status MariaDbSource::on_rows(const RawBinlogEvent& raw, const BinlogEvent& event,
                              const RowsEvent& rows, Dispatcher& dispatcher) {
  if (!tx_) {
    return make_error(ErrorKind::kFatal, "{} at {}:{} outside a transaction",
                      event_type_name(event.header.type), file_, raw.position);
  }
  const CapturedTable* table = tables_.find(rows.table_id);
  if (table == nullptr) {
    return make_error(ErrorKind::kFatal, "{} at {}:{} for table id {} without a TABLE_MAP",
                      event_type_name(event.header.type), file_, raw.position, rows.table_id);
  }
  if (!table->schema) return ok();  // not captured
  if (config_.filter_dml_of_excluded_gtid_sources && tx_->gtid && !admits_gtid(*tx_->gtid)) {
    return ok();  // gtid.source.filter.dml.events; the position still moves past it at commit
  }
  const uint64_t event_index = tx_->events;
  if (event_index <= tx_->skip_events) return ok();  // delivered before a restart
  auto changes = decode_rows(rows, table->map, EventLocation{file_, raw.position});
  if (!changes) return tl::unexpected(changes.error());
  const bool resumed_event = event_index == tx_->skip_events + 1;
  for (size_t i = 0; i < changes->size(); ++i) {
    if (resumed_event && i < tx_->skip_rows) continue;
    const RowChange& change = (*changes)[i];
    std::optional<Row> before;
    std::optional<Row> after;
    if (change.before) {
      auto r = build_row(*table, *change.before, raw, i);
      if (!r) return tl::unexpected(r.error());
      before = std::move(*r);
    }
    if (change.after) {
      auto r = build_row(*table, *change.after, raw, i);
      if (!r) return tl::unexpected(r.error());
      after = std::move(*r);
    }
    const auto row = static_cast<uint32_t>(i);
    auto make = [&](event::Op op, std::optional<Row> b, std::optional<Row> a,
                    std::vector<event::Header> headers) {
      event::ChangeEvent e;
      e.table = table->schema;
      e.op = op;
      e.before = std::move(b);
      e.after = std::move(a);
      e.source = source_block(*table, raw, event.header, row);
      e.headers = std::move(headers);
      return e;
    };
    std::vector<event::ChangeEvent> out;
    switch (rows.kind) {
      case RowsEvent::Kind::kWrite:
        out.push_back(make(event::Op::kCreate, std::nullopt, std::move(after), {}));
        break;
      case RowsEvent::Kind::kDelete:
        out.push_back(make(event::Op::kDelete, std::move(before), std::nullopt, {}));
        break;
      case RowsEvent::Kind::kUpdate: {
        bool key_changed = false;
        if (before && after && table->schema->has_key()) {
          for (size_t k : table->schema->key_columns) key_changed |= (*before)[k] != (*after)[k];
        }
        if (!key_changed) {
          out.push_back(make(event::Op::kUpdate, std::move(before), std::move(after), {}));
          break;
        }
        // A primary-key change: a delete of the old key and a create of the new one, each
        // naming the other key in a header (spec/debezium-compat.md §1.4).
        format::DebeziumJsonSerializer keys(format::JsonFormatOptions{});
        std::string old_key = keys.key_payload(*table->schema, *before);
        std::string new_key = keys.key_payload(*table->schema, *after);
        out.push_back(make(event::Op::kDelete, std::move(before), std::nullopt,
                           {{"__debezium.newkey", new_key}}));
        out.push_back(make(event::Op::kCreate, std::nullopt, std::move(after),
                           {{"__debezium.oldkey", old_key}}));
        break;
      }
    }
    for (event::ChangeEvent& e : out) {
      if (!tx_->xa.empty()) {
        tx_->held.push_back(HeldChange{std::move(e), event_index, row});
        continue;
      }
      if (auto s = emit(std::move(e), event_index, row, dispatcher); !s) return s;
    }
  }
  return ok();
}

Status MariaDbSource::emit(event::ChangeEvent e, uint64_t event_index, uint32_t row,
                           Dispatcher& dispatcher) {
  if (config_.skipped_operations.count(static_cast<char>(e.op))) return ok();
  const offset::SourcePosition p = position(event_index, row);
  if (config_.provide_transaction_metadata) {
    // MySQL and MariaDB transactions begin lazily, with their first captured event.
    if (!tx_->metadata_begun) {
      tx_->metadata_begun = true;
      auto rec = transactions_.begin(tx_->id, p.commit_ts_us / 1000);
      auto s = dispatcher.dispatch_struct(rec.topic, &event::TransactionMonitor::key_schema(),
                                          &rec.key, &event::TransactionMonitor::value_schema(),
                                          &rec.value, position(0, 0));
      if (!s) return s;
    }
    e.transaction = transactions_.on_event(tx_->id, e.table->qualified_name());
  }
  e.processed_at_ns = now_unix_nanos();
  return dispatcher.dispatch_change(e, p);
}

Status MariaDbSource::commit(const RawBinlogEvent& raw, Dispatcher& dispatcher) {
  if (!tx_) {
    return make_error(ErrorKind::kFatal, "a commit at {}:{} outside a transaction", file_,
                      raw.position);
  }
  if (!tx_->held.empty()) {
    return make_error(ErrorKind::kFatal,
                      "XA transaction {} ends at {}:{} without XA PREPARE or XA COMMIT", tx_->xa,
                      file_, raw.position);
  }
  if (tx_->metadata_begun) {
    auto rec = transactions_.end(tx_->id, static_cast<int64_t>(last_event_ts_) * 1000);
    auto s = dispatcher.dispatch_struct(rec.topic, &event::TransactionMonitor::key_schema(),
                                        &rec.key, &event::TransactionMonitor::value_schema(),
                                        &rec.value, position(tx_->events, 0));
    if (!s) return s;
  }
  completed_.file = file_;
  completed_.pos = raw.next_position;
  if (tx_->gtid && admits_gtid(*tx_->gtid)) {
    if (!completed_.gtids) completed_.gtids.emplace();
    completed_.gtids->advance(*tx_->gtid);
  }
  completed_.server_id = tx_->server_id;
  completed_.ts_sec = last_event_ts_;
  completed_checkpoint_ = add_checkpoint(Checkpoint{completed_, ""});
  offset::SourcePosition p = position(tx_->events, 0);
  dispatcher.commit_transaction(p);
  tx_.reset();
  return ok();
}

offset::SourcePosition MariaDbSource::position(uint64_t event_index, uint32_t row) const {
  offset::SourcePosition p;
  // While an XA branch is prepared and not yet committed, every restart starts before it.
  uint64_t restart = completed_checkpoint_;
  for (const auto& [xid, prepared] : prepared_) {
    restart = std::min(restart, prepared.start_checkpoint);
  }
  p.completed_lsn = restart;
  if (tx_) {
    if (prepared_.empty()) p.tx_final_lsn = tx_->start_checkpoint;
    p.tx_id = tx_->gtid ? tx_->gtid->sequence : 0;
    p.commit_ts_us = static_cast<int64_t>(tx_->ts_sec) * 1000000;
  }
  p.event_lsn = (event_index << 32) | row;
  return p;
}

event::SourceBlock MariaDbSource::source_block(const CapturedTable& table,
                                               const RawBinlogEvent& raw, const EventHeader& header,
                                               uint32_t row) const {
  return source_.block({.ts_ms = int64_t{header.timestamp} * 1000,
                        .db = table.map.database,
                        .table = table.map.table,
                        .server_id = header.server_id,
                        .gtid = tx_ && tx_->gtid ? std::optional(tx_->id) : std::nullopt,
                        .file = file_,
                        .pos = raw.position,
                        .row = static_cast<int32_t>(row),
                        .thread = tx_ ? tx_->thread : std::nullopt});
}

nlohmann::json MariaDbSource::offset_for(const offset::SourcePosition& p) const {
  std::lock_guard lock(checkpoints_mutex_);
  if (p.snapshot) {
    // Debezium's snapshot keys at the snapshot's position; an incomplete snapshot is taken
    // again on restart.
    auto it = checkpoints_.find(p.completed_lsn);
    nlohmann::json out =
        it == checkpoints_.end() ? completed_.to_json() : it->second.offset.to_json();
    out["snapshot"] = "INITIAL";
    out["snapshot_completed"] = p.tx_complete;
    return out;
  }
  if (!p.tx_complete && p.records_done > 0 && p.tx_final_lsn != 0) {
    // Inside a transaction: restart at its start and skip what was delivered.
    auto it = checkpoints_.find(p.tx_final_lsn);
    if (it != checkpoints_.end()) {
      BinlogOffset start = it->second.offset;
      const uint64_t event_index = p.event_lsn >> 32;
      const uint64_t row = p.event_lsn & 0xffffffffu;
      start.event = event_index > 0 ? event_index - 1 : 0;
      start.row = event_index > 0 ? row + 1 : 0;
      nlohmann::json out = start.to_json();
      out["siphon.tx_records_done"] = p.records_done;
      out["siphon.tx_events_done"] = p.events_done;  // of them, change events
      out["siphon.tx_id"] = it->second.tx_id;
      return out;
    }
  }
  auto it = checkpoints_.find(p.completed_lsn);
  if (it == checkpoints_.end()) {
    // Cannot happen: checkpoints are only dropped behind a stored offset.
    log::error("no binlog checkpoint {} for an offset", p.completed_lsn);
    return completed_.to_json();
  }
  return it->second.offset.to_json();
}

void MariaDbSource::confirm(const offset::SourcePosition& delivered) {
  uint64_t keep = delivered.completed_lsn;
  if (delivered.tx_final_lsn != 0) keep = std::min(keep, delivered.tx_final_lsn);
  std::lock_guard lock(checkpoints_mutex_);
  checkpoints_.erase(checkpoints_.begin(), checkpoints_.lower_bound(keep));
}

void MariaDbSource::close() {
  connection_.reset();
  sql_.reset();
}

}  // namespace siphon::source::binlog
