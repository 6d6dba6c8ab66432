#include "support/checker.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/mariadb_gtid.h"
#include "support/mariadb_server.h"
#include "support/mariadb_workload_driver.h"
#include "support/pg_connection.h"
#include "support/workload_log.h"

namespace siphon::testing {
namespace {

using nlohmann::json;

constexpr size_t kDetailsPerKind = 50;

// (transaction, "schema.table", canonical key JSON, op, occurrence of this tuple in its
// transaction). The transaction is PostgreSQL's txId as text or the binlog's GTID.
using Identity = std::tuple<std::string, std::string, std::string, char, int>;

// Where a change is in its source's log, to tell copies of one change from distinct changes:
// PostgreSQL ("", lsn, -1) or ("", 0, total_order) without an LSN; binlog (file, pos, row).
// Binlog file names sort lexically in creation order ("binlog.000009" < "binlog.000010").
using Position = std::tuple<std::string, uint64_t, int64_t>;

struct SinkEvent {
  std::string file;  // file name, as in the kill marks
  int64_t line = 0;  // 0-based
  std::string table;
  std::string key;  // canonical JSON of the key payload
  char op = 'c';
  std::string tx;  // the transaction's identity: txId as text, or the GTID
  uint64_t txid = 0;
  // MySQL/MariaDB records (source.connector "mysql" or "mariadb").
  bool binlog = false;
  std::string binlog_file;
  uint64_t binlog_pos = 0;
  int64_t binlog_row = 0;
  std::optional<MariaDbGtid> gtid;  // nullopt for a MySQL GTID ("uuid:N")
  bool has_lsn = false;
  uint64_t lsn = 0;
  uint64_t lsn_commit = 0;  // sequence[0]; null counts as 0
  std::optional<int64_t> total_order;
  json after;
  int occurrence = 0;  // filled in once all events are read
};

struct KillMark {
  uint64_t lsn_proc = 0;
  std::optional<uint64_t> partial_txid;
  int64_t partial_events = 0;
  std::map<std::string, int64_t> sink_lines;
  // A binlog source's stored offset: the GTID position completed, where the transaction in
  // progress starts, and how many of its records were delivered (Siphon's own key).
  std::optional<std::string> gtids_text;
  std::map<uint32_t, MariaDbGtid> gtids;
  std::optional<std::string> binlog_file;
  uint64_t binlog_pos = 0;
  int64_t events_done = 0;
  // The transaction in progress: the mark's partial_tx (Siphon's siphon.tx_id), else found in
  // the events as the one starting at file/pos.
  std::string partial_tx;
};

// Adds detail lines, at most kDetailsPerKind per kind, then says how many were left out.
class Details {
 public:
  explicit Details(std::vector<std::string>& out) : out_(out) {}
  void add(const std::string& kind, const std::string& text) {
    size_t& n = counts_[kind];
    if (++n <= kDetailsPerKind) out_.push_back(fmt::format("{}: {}", kind, text));
  }
  void finish() {
    for (const auto& [kind, n] : counts_) {
      if (n > kDetailsPerKind) {
        out_.push_back(fmt::format("{}: ... and {} more", kind, n - kDetailsPerKind));
      }
    }
  }

 private:
  std::vector<std::string>& out_;
  std::map<std::string, size_t> counts_;
};

// A JSON value that may arrive as a string holding JSON (a sink that stores record bytes).
json unwrap_text(const json& value) {
  if (!value.is_string()) return value;
  json parsed = json::parse(value.get<std::string>(), nullptr, false);
  return parsed.is_discarded() ? value : parsed;
}

// The payload of Kafka JSON converter output, with or without schemas.
const json& payload_of(const json& value) {
  if (value.is_object() && value.size() == 2 && value.contains("schema") &&
      value.contains("payload")) {
    return value["payload"];
  }
  return value;
}

// An LSN given as a number, a decimal string or PostgreSQL's "X/Y" text.
std::optional<uint64_t> parse_lsn(const json& value) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer())
    return static_cast<uint64_t>(std::max<int64_t>(0, value.get<int64_t>()));
  if (!value.is_string()) return std::nullopt;
  const std::string text = value.get<std::string>();
  try {
    size_t slash = text.find('/');
    if (slash == std::string::npos) return std::stoull(text);
    return (std::stoull(text.substr(0, slash), nullptr, 16) << 32) |
           std::stoull(text.substr(slash + 1), nullptr, 16);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string location(const SinkEvent& e) {
  return fmt::format("{} line {}", e.file, e.line + 1);
}

std::string describe(const std::string& tx, const std::string& table, const std::string& key,
                     char op) {
  // GTIDs ("0-1-57", "uuid:57") have a '-', txIds do not.
  return fmt::format("{} {} {} key {} op {}", tx.find('-') == std::string::npos ? "txId" : "gtid",
                     tx, table, key, op);
}

Position position_of(const SinkEvent& e) {
  if (e.binlog) return Position{e.binlog_file, e.binlog_pos, e.binlog_row};
  return e.has_lsn ? Position{"", e.lsn, -1} : Position{"", 0, e.total_order.value_or(-1)};
}

std::vector<KillMark> read_kill_marks(const std::filesystem::path& path) {
  std::vector<KillMark> marks;
  if (path.empty()) return marks;
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("cannot read kill marks {}", path.string()));
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json j = json::parse(line, nullptr, false);
    auto malformed = [&] {
      return std::runtime_error(fmt::format("malformed kill mark: {}", line));
    };
    if (!j.is_object()) throw malformed();
    KillMark mark;
    bool binlog = j.contains("gtids") || j.contains("file");
    if (binlog) {
      if (j.contains("gtids") && !j["gtids"].is_null()) {
        if (!j["gtids"].is_string()) throw malformed();
        mark.gtids_text = j["gtids"].get<std::string>();
        auto gtids = parse_gtid_position(*mark.gtids_text);
        if (!gtids) throw malformed();
        mark.gtids = std::move(*gtids);
      }
      if (j.contains("file") && !j["file"].is_null()) {
        std::optional<uint64_t> pos =
            j.contains("pos") ? parse_lsn(j["pos"]) : std::optional<uint64_t>(0);
        if (!j["file"].is_string() || !pos) throw malformed();
        mark.binlog_file = j["file"].get<std::string>();
        mark.binlog_pos = *pos;
      }
      if (j.contains("partial_tx") && j["partial_tx"].is_string()) {
        mark.partial_tx = j["partial_tx"].get<std::string>();
      }
      if (j.contains("events_done") && !j["events_done"].is_null()) {
        std::optional<uint64_t> done = parse_lsn(j["events_done"]);
        if (!done) throw malformed();
        mark.events_done = static_cast<int64_t>(*done);
      }
    } else {
      std::optional<uint64_t> lsn_proc =
          j.contains("lsn_proc") ? parse_lsn(j["lsn_proc"]) : std::nullopt;
      if (!lsn_proc) throw malformed();
      mark.lsn_proc = *lsn_proc;
    }
    if (j.contains("partial_txid") && j["partial_txid"].is_number()) {
      mark.partial_txid = j["partial_txid"].get<uint64_t>();
    }
    if (j.contains("partial_events") && j["partial_events"].is_number()) {
      mark.partial_events = j["partial_events"].get<int64_t>();
    }
    if (j.contains("sink_lines") && j["sink_lines"].is_object()) {
      for (const auto& [file, count] : j["sink_lines"].items()) {
        if (count.is_number()) mark.sink_lines[file] = count.get<int64_t>();
      }
    }
    marks.push_back(std::move(mark));
  }
  return marks;
}

std::vector<std::filesystem::path> sink_files(const CheckInputs& inputs) {
  if (!std::filesystem::is_directory(inputs.sink_dir)) {
    throw std::runtime_error(fmt::format("no sink directory {}", inputs.sink_dir.string()));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(inputs.sink_dir)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !name.ends_with(".jsonl")) continue;
    if (!inputs.prefix.empty() && !name.starts_with(inputs.prefix + ".")) continue;
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Turns one sink line into a change event of a checked table, or counts why it is not one.
// 'r'/'t' events are returned too (for the final state) but flagged by their op.
std::optional<SinkEvent> parse_record(const std::string& file, int64_t line_no,
                                      const std::string& line, const std::set<std::string>& tables,
                                      CheckReport& report, Details& details) {
  json record = json::parse(line, nullptr, false);
  if (!record.is_object() || !record.contains("value")) {
    ++report.malformed;
    details.add("malformed", fmt::format("{} line {}: not a sink record", file, line_no + 1));
    return std::nullopt;
  }
  json value = unwrap_text(record["value"]);
  if (value.is_null()) {
    ++report.tombstones;
    return std::nullopt;
  }
  const json& payload = payload_of(value);
  if (!payload.is_object() || !payload.contains("op") || !payload["op"].is_string()) {
    ++report.non_change_records;
    return std::nullopt;
  }
  std::string op = payload["op"].get<std::string>();
  const json& source = payload.contains("source") ? payload["source"] : json();
  std::string connector = source.is_object() ? source.value("connector", "") : "";
  // MySQL and MariaDB name a table by database ("db"), PostgreSQL by schema.
  bool binlog = connector == "mysql" || connector == "mariadb";
  const char* namespace_field = binlog ? "db" : "schema";
  bool has_table = source.is_object() && source.contains(namespace_field) &&
                   source[namespace_field].is_string() && source.contains("table") &&
                   source["table"].is_string();
  if (op.size() != 1 || std::string("cudrt").find(op[0]) == std::string::npos || !has_table) {
    if (op == "m") {
      ++report.non_change_records;  // a logical decoding message
    } else {
      ++report.malformed;
      details.add("malformed", fmt::format("{} line {}: op '{}' without a usable source block",
                                           file, line_no + 1, op));
    }
    return std::nullopt;
  }

  SinkEvent event;
  event.file = file;
  event.line = line_no;
  event.op = op[0];
  event.table =
      source[namespace_field].get<std::string>() + "." + source["table"].get<std::string>();
  if (!tables.contains(event.table)) {
    if (event.op == 'r' || event.op == 't') {
      ++report.snapshot_events;
    } else {
      ++report.other_table_events;
    }
    return std::nullopt;
  }
  json key = record.contains("key") ? unwrap_text(record["key"]) : json();
  event.key = payload_of(key).dump();
  if (source.contains("txId") && source["txId"].is_number()) {
    event.txid = source["txId"].get<uint64_t>();
  }
  event.tx = std::to_string(event.txid);
  if (binlog && event.op != 'r' && event.op != 't') {
    std::optional<uint64_t> pos = source.contains("pos") ? parse_lsn(source["pos"]) : std::nullopt;
    std::optional<uint64_t> row = source.contains("row") ? parse_lsn(source["row"]) : std::nullopt;
    if (!source.contains("gtid") || !source["gtid"].is_string() || !source.contains("file") ||
        !source["file"].is_string() || !pos || !row) {
      ++report.malformed;
      details.add("malformed", fmt::format("{} line {}: binlog change without source gtid, file, "
                                           "pos and row",
                                           file, line_no + 1));
      return std::nullopt;
    }
    event.binlog = true;
    event.tx = source["gtid"].get<std::string>();
    event.gtid = MariaDbGtid::parse(event.tx);
    event.binlog_file = source["file"].get<std::string>();
    event.binlog_pos = *pos;
    event.binlog_row = static_cast<int64_t>(*row);
  }
  if (source.contains("lsn")) {
    if (std::optional<uint64_t> lsn = parse_lsn(source["lsn"])) {
      event.has_lsn = true;
      event.lsn = *lsn;
    }
  }
  if (source.contains("sequence") && source["sequence"].is_string()) {
    json sequence = json::parse(source["sequence"].get<std::string>(), nullptr, false);
    if (sequence.is_array() && !sequence.empty()) {
      event.lsn_commit = parse_lsn(sequence[0]).value_or(0);
    }
  }
  if (payload.contains("transaction") && payload["transaction"].is_object() &&
      payload["transaction"].contains("total_order") &&
      payload["transaction"]["total_order"].is_number()) {
    event.total_order = payload["transaction"]["total_order"].get<int64_t>();
  }
  if (payload.contains("after")) event.after = payload["after"];
  return event;
}

// Numbers each event's (transaction, table, key, op) within its transaction. Copies of one
// event share its position, so a re-delivery gets the same occurrence as the original. The
// position is the change's LSN (unique per change in PostgreSQL) or binlog (file, pos, row);
// total_order only when there is neither, since a re-delivery after a restart in the middle of
// a transaction may number events differently.
void number_occurrences(std::vector<SinkEvent>& events) {
  using Group = std::tuple<std::string, std::string, std::string, char>;
  std::map<Group, std::set<Position>> positions;
  for (const SinkEvent& e : events) {
    if (e.op == 'r' || e.op == 't') continue;
    positions[Group{e.tx, e.table, e.key, e.op}].insert(position_of(e));
  }
  for (SinkEvent& e : events) {
    if (e.op == 'r' || e.op == 't') continue;
    const std::set<Position>& group = positions[Group{e.tx, e.table, e.key, e.op}];
    e.occurrence = static_cast<int>(std::distance(group.begin(), group.find(position_of(e))));
  }
}

// The binlog positions of each transaction's records, for "record k of its transaction".
using TxPositions = std::map<std::string, std::set<Position>>;

TxPositions binlog_positions(const std::vector<SinkEvent>& events) {
  TxPositions positions;
  for (const SinkEvent& e : events) {
    if (e.binlog) positions[e.tx].insert(position_of(e));
  }
  return positions;
}

// The transaction in progress at each binlog kill mark: the one whose first record is the first
// at or after the stored file/pos (where that transaction starts).
void find_partial_transactions(std::vector<KillMark>& marks, const std::vector<SinkEvent>& events) {
  for (KillMark& mark : marks) {
    if (!mark.partial_tx.empty() || !mark.binlog_file || mark.events_done <= 0) continue;
    Position start{*mark.binlog_file, mark.binlog_pos, -1};
    std::optional<Position> first;
    for (const SinkEvent& e : events) {
      if (!e.binlog) continue;
      Position p = position_of(e);
      if (p > start && (!first || p < *first)) {
        first = p;
        mark.partial_tx = e.tx;
      }
    }
  }
}

// Binlog rules. A copy is a violation when the offset stored at the kill before it covered it:
// its GTID is at or before the stored `gtids` in its domain (or, without gtids or for a
// MySQL GTID, it lies before the stored file/pos), or it is among the first `events_done`
// records of the transaction in progress. Everything later may come again.
bool classify_binlog_duplicate(const SinkEvent& first, const SinkEvent& copy, const KillMark& mark,
                               size_t mark_no, const TxPositions& tx_positions, std::string& why) {
  bool has_offset = mark.gtids_text || mark.binlog_file;
  if (!has_offset) {
    why = fmt::format("kill #{} had no offset stored", mark_no);
    return true;
  }
  if (!mark.gtids.empty() && first.gtid) {
    auto it = mark.gtids.find(first.gtid->domain);
    if (it != mark.gtids.end() && first.gtid->seq <= it->second.seq) {
      why = fmt::format("its GTID {} is within the gtids '{}' stored at kill #{}", first.tx,
                        *mark.gtids_text, mark_no);
      return false;
    }
  } else if (mark.binlog_file &&
             position_of(first) < Position{*mark.binlog_file, mark.binlog_pos, -1}) {
    why = fmt::format("it is before the position {}:{} stored at kill #{}", *mark.binlog_file,
                      mark.binlog_pos, mark_no);
    return false;
  }
  if (mark.events_done > 0 && copy.tx == mark.partial_tx) {
    const std::set<Position>& records = tx_positions.at(copy.tx);
    int64_t record = 1 + std::distance(records.begin(), records.find(position_of(first)));
    if (record <= mark.events_done) {
      why = fmt::format("record {} of transaction {} was within the {} records stored at kill #{}",
                        record, copy.tx, mark.events_done, mark_no);
      return false;
    }
  }
  why = fmt::format("after the offset stored at kill #{} (gtids '{}', {}:{})", mark_no,
                    mark.gtids_text.value_or(""), mark.binlog_file.value_or(""), mark.binlog_pos);
  return true;
}

// Allowed duplicates are the ones Siphon may legitimately re-send after a kill: its stored offset
// did not cover them yet.
bool classify_duplicate(const SinkEvent& first, const SinkEvent& copy,
                        const std::vector<KillMark>& marks, const TxPositions& tx_positions,
                        std::string& why) {
  const KillMark* mark = nullptr;
  size_t mark_no = 0;
  for (size_t i = 0; i < marks.size(); ++i) {
    auto it = marks[i].sink_lines.find(copy.file);
    int64_t lines = it == marks[i].sink_lines.end() ? 0 : it->second;
    if (lines <= copy.line) {
      mark = &marks[i];
      mark_no = i + 1;
    }
  }
  if (mark == nullptr) {
    why = "no kill before it";
    return false;
  }
  if (copy.binlog) return classify_binlog_duplicate(first, copy, *mark, mark_no, tx_positions, why);
  if (first.lsn_commit < mark->lsn_proc) {
    why = fmt::format("its lsn_commit {} is before the offset stored at kill #{} (lsn_proc {})",
                      first.lsn_commit, mark_no, mark->lsn_proc);
    return false;
  }
  if (mark->partial_txid && copy.txid == *mark->partial_txid) {
    std::optional<int64_t> order = copy.total_order ? copy.total_order : first.total_order;
    if (!order) {
      why = fmt::format(
          "kill #{} stored a partial transaction {} and the event has no "
          "transaction.total_order to compare",
          mark_no, copy.txid);
      return false;
    }
    if (*order <= mark->partial_events) {
      why = fmt::format("event {} of transaction {} was within the {} events stored at kill #{}",
                        *order, copy.txid, mark->partial_events, mark_no);
      return false;
    }
  }
  why = fmt::format("after the offset stored at kill #{} (lsn_proc {})", mark_no, mark->lsn_proc);
  return true;
}

struct SourceRow {
  int64_t v = 0;
  std::optional<std::string> note;
};

// The rows of one source table, by canonical key JSON.
using SourceRows = std::map<std::string, SourceRow>;
using TableReader = std::function<SourceRows(const std::string& table)>;

SourceRow source_row(const std::string& table, const std::vector<std::optional<std::string>>& row,
                     SourceRows& rows) {
  if (row.size() < 3 || !row[0] || !row[1]) {
    throw std::runtime_error(fmt::format("NULL id or v in {}", table));
  }
  SourceRow result{std::stoll(*row[1]), row[2]};
  rows[json{{"id", std::stoll(*row[0])}}.dump()] = result;
  return result;
}

// Reads `SELECT id, v, note` of each table from PostgreSQL (conninfo) or MariaDB.
TableReader source_reader(const CheckInputs& inputs) {
  if (!inputs.conninfo.empty()) {
    auto conn = std::make_shared<PgConnection>(inputs.conninfo);
    return [conn](const std::string& table) {
      SourceRows rows;
      try {
        for (const PgRow& row : conn->query(fmt::format("SELECT id, v, note FROM {}", table))) {
          source_row(table, row, rows);
        }
      } catch (const PgError& e) {
        throw std::runtime_error(fmt::format("cannot read source table {}: {}", table, e.what()));
      }
      return rows;
    };
  }
  auto conn = std::make_shared<MariaDbConnection>(inputs.mariadb_host, inputs.mariadb_port);
  return [conn](const std::string& table) {
    SourceRows rows;
    try {
      for (const auto& row : conn->query(fmt::format("SELECT id, v, note FROM {}",
                                                     MariaDbWorkloadDriver::quote_table(table)))) {
        source_row(table, row, rows);
      }
    } catch (const MariaDbError& e) {
      throw std::runtime_error(fmt::format("cannot read source table {}: {}", table, e.what()));
    }
    return rows;
  };
}

void compare_state(const CheckInputs& inputs, const std::set<std::string>& tables,
                   const std::vector<SinkEvent>& events, CheckReport& report, Details& details) {
  // Rebuilt as a consumer would: the last change per key, in sink order.
  std::map<std::string, std::map<std::string, json>> state;
  for (const SinkEvent& e : events) {
    auto& rows = state[e.table];
    if (e.op == 't') {
      rows.clear();
    } else if (e.op == 'd') {
      rows.erase(e.key);
    } else {
      rows[e.key] = e.after;
    }
  }

  TableReader read_table = source_reader(inputs);
  report.state_checked = true;
  for (const std::string& table : tables) {
    std::map<std::string, json>& sink_rows = state[table];
    SourceRows source_rows = read_table(table);
    report.state_rows += static_cast<int64_t>(source_rows.size());

    for (const auto& [key, source] : source_rows) {
      auto it = sink_rows.find(key);
      if (it == sink_rows.end()) {
        ++report.state_missing;
        details.add("state missing",
                    fmt::format("{} key {} is in the source, not in the sink", table, key));
        continue;
      }
      const json& after = it->second;
      json expected_note = source.note ? json(*source.note) : json(nullptr);
      bool same = after.is_object() && after.contains("v") && after["v"].is_number_integer() &&
                  after["v"].get<int64_t>() == source.v && after.contains("note") &&
                  after["note"] == expected_note;
      if (!same) {
        ++report.state_different;
        details.add("state different",
                    fmt::format("{} key {}: source v={} note={}, sink {}", table, key, source.v,
                                expected_note.dump(), after.dump()));
      }
    }
    for (const auto& [key, after] : sink_rows) {
      if (source_rows.contains(key)) continue;
      ++report.state_extra;
      details.add("state extra", fmt::format("{} key {} is in the sink ({}), not in the source",
                                             table, key, after.dump()));
    }
  }
}

}  // namespace

CheckReport Checker::run() const {
  CheckReport report;
  Details details(report.details);

  std::vector<LoggedTransaction> committed = WorkloadLog::read(inputs_.committed_log);
  std::vector<LoggedTransaction> rolled_back;
  if (!inputs_.rolled_back_log.empty()) rolled_back = WorkloadLog::read(inputs_.rolled_back_log);
  std::vector<KillMark> marks = read_kill_marks(inputs_.kill_marks);  // partial_tx filled below
  report.committed_transactions = static_cast<int64_t>(committed.size());
  report.rolled_back_transactions = static_cast<int64_t>(rolled_back.size());
  report.kill_marks = static_cast<int64_t>(marks.size());

  std::set<std::string> tables(inputs_.extra_tables.begin(), inputs_.extra_tables.end());
  // Rolled-back transactions with an identity (PostgreSQL xids) are recognised by it; the others
  // (MariaDB: no GTID) by their changes' content: (table, key, op) -> the values written.
  std::set<std::string> rolled_back_txs;
  std::multimap<std::tuple<std::string, std::string, char>, json> rolled_back_content;
  for (const LoggedTransaction& tx : rolled_back) {
    bool identified = tx.txid != 0 || !tx.gtid.empty();
    if (identified) rolled_back_txs.insert(tx.identity());
    for (const LoggedChange& c : tx.changes) {
      tables.insert(c.table);
      if (!identified)
        rolled_back_content.emplace(std::tuple{c.table, c.key.dump(), c.op}, c.after);
    }
  }
  auto from_rollback = [&](const SinkEvent& e) {
    if (rolled_back_txs.contains(e.tx)) return true;
    auto [begin, end] = rolled_back_content.equal_range(std::tuple{e.table, e.key, e.op});
    for (auto it = begin; it != end; ++it) {
      const json& written = it->second;
      // A delete has no values; a c/u matches when v and note are what the rollback wrote.
      if (written.is_null() ||
          (e.after.is_object() && e.after.value("v", json()) == written.value("v", json()) &&
           e.after.value("note", json()) == written.value("note", json()))) {
        return true;
      }
    }
    return false;
  };

  // Every committed change, numbered in commit order.
  std::map<Identity, int64_t> expected;
  int64_t order = 0;
  for (const LoggedTransaction& tx : committed) {
    std::map<std::tuple<std::string, std::string, char>, int> seen;
    for (const LoggedChange& c : tx.changes) {
      tables.insert(c.table);
      std::string key = c.key.dump();
      int occurrence = seen[{c.table, key, c.op}]++;
      expected.emplace(Identity{tx.identity(), c.table, key, c.op, occurrence}, order++);
    }
  }
  report.committed_changes = order;

  std::vector<SinkEvent> events;
  for (const std::filesystem::path& path : sink_files(inputs_)) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(fmt::format("cannot read {}", path.string()));
    std::string file = path.filename().string();
    std::string line;
    for (int64_t line_no = 0; std::getline(in, line); ++line_no) {
      // Without its newline the record is still being written, or was torn by a kill and is
      // cut by the next run: not delivered (if it never is, it counts as missing).
      if (in.eof()) break;
      if (line.find_first_not_of(" \t\r") == std::string::npos)
        continue;  // still counted as a line
      ++report.sink_records;
      if (auto event = parse_record(file, line_no, line, tables, report, details)) {
        if (event->op == 'r' || event->op == 't') {
          ++report.snapshot_events;
        } else {
          ++report.change_events;
        }
        events.push_back(std::move(*event));
      }
    }
  }
  number_occurrences(events);
  TxPositions tx_positions = binlog_positions(events);
  find_partial_transactions(marks, events);

  // All copies of each change, in sink order (files sorted by name, then lines).
  std::map<Identity, std::vector<size_t>> seen;
  for (size_t i = 0; i < events.size(); ++i) {
    const SinkEvent& e = events[i];
    if (e.op == 'r' || e.op == 't') continue;
    seen[Identity{e.tx, e.table, e.key, e.op, e.occurrence}].push_back(i);
  }

  for (const auto& [identity, index] : expected) {
    if (seen.contains(identity)) continue;
    ++report.missing;
    const auto& [tx, table, key, op, occurrence] = identity;
    details.add("missing", describe(tx, table, key, op) +
                               (occurrence > 0 ? fmt::format(" (#{})", occurrence + 1) : ""));
  }

  for (const auto& [identity, copies] : seen) {
    const SinkEvent& first = events[copies.front()];
    if (!expected.contains(identity)) {
      ++report.phantom;
      bool rolled_back_change = from_rollback(first);
      if (rolled_back_change) ++report.phantom_rolled_back;
      details.add(
          "phantom",
          fmt::format("{} at {}{}", describe(first.tx, first.table, first.key, first.op),
                      location(first), rolled_back_change ? " (a rolled-back transaction)" : ""));
    }
    for (size_t c = 1; c < copies.size(); ++c) {
      const SinkEvent& copy = events[copies[c]];
      std::string why;
      bool allowed = classify_duplicate(first, copy, marks, tx_positions, why);
      (allowed ? report.duplicates_allowed : report.duplicates_violation)++;
      details.add(
          allowed ? "duplicate (allowed)" : "duplicate (violation)",
          fmt::format("{} at {}, first at {}: {}", describe(copy.tx, copy.table, copy.key, copy.op),
                      location(copy), location(first), why));
    }
  }

  // Per key, first copies must arrive in commit order (Kafka keeps order per key only).
  std::map<std::pair<std::string, std::string>, int64_t> latest;  // (table, key) -> max order
  std::set<std::pair<std::string, std::string>> reordered_keys;
  std::vector<std::pair<size_t, int64_t>> firsts;  // (event index, commit order)
  for (const auto& [identity, copies] : seen) {
    auto it = expected.find(identity);
    if (it != expected.end()) firsts.emplace_back(copies.front(), it->second);
  }
  std::sort(firsts.begin(), firsts.end());
  for (const auto& [index, commit_order] : firsts) {
    const SinkEvent& e = events[index];
    std::pair<std::string, std::string> key{e.table, e.key};
    auto [it, inserted] = latest.emplace(key, commit_order);
    if (inserted) continue;
    if (commit_order < it->second) {
      ++report.reordered_changes;
      reordered_keys.insert(key);
      details.add("reordered", fmt::format("{} at {} arrived after a change committed later",
                                           describe(e.tx, e.table, e.key, e.op), location(e)));
    } else {
      it->second = commit_order;
    }
  }
  report.reordered_keys = static_cast<int64_t>(reordered_keys.size());

  if (!inputs_.conninfo.empty() || inputs_.mariadb_port > 0) {
    compare_state(inputs_, tables, events, report, details);
  }
  details.finish();
  return report;
}

nlohmann::json kill_mark(const std::optional<nlohmann::json>& stored_offset,
                         nlohmann::json sink_lines) {
  nlohmann::json mark;
  if (stored_offset && (stored_offset->contains("gtids") || stored_offset->contains("file"))) {
    // A binlog source (MySQL/MariaDB offset keys): copied as stored, numbers may be strings.
    for (const char* key : {"gtids", "file", "pos", "event", "row"}) {
      mark[key] = stored_offset->value(key, nlohmann::json());
    }
    mark["events_done"] = stored_offset->value("siphon.tx_events_done", nlohmann::json());
    mark["partial_tx"] = stored_offset->value("siphon.tx_id", nlohmann::json());
    mark["sink_lines"] = std::move(sink_lines);
    return mark;
  }
  mark["lsn_proc"] = stored_offset ? (*stored_offset)["lsn_proc"].get<uint64_t>() : 0;
  // A partly delivered transaction (Siphon's own offset keys) allows copies of its later events.
  if (stored_offset && stored_offset->contains("siphon.tx_final_lsn")) {
    mark["partial_txid"] = (*stored_offset)["txId"];
    mark["partial_events"] = (*stored_offset)["siphon.tx_events_done"];
  } else {
    mark["partial_txid"] = nullptr;
    mark["partial_events"] = nullptr;
  }
  mark["sink_lines"] = std::move(sink_lines);
  return mark;
}

}  // namespace siphon::testing
