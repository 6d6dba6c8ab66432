// The crash-test oracle on MySQL/MariaDB-shaped records: a correct synthetic sink (GTIDs in two
// domains, a binlog rotation) is clean, and each fault injected into a copy is reported as
// exactly that kind, with duplicates judged by binlog kill marks. Then the MariaDB workload and
// the final-state comparison against a real MariaDB.
#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/checker.h"
#include "support/mariadb_gtid.h"
#include "support/mariadb_server.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/workload.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using nlohmann::ordered_json;

const std::vector<std::string> kTables = {"w1.accounts", "w2.orders"};
const std::string kPrefix = "mdb";

// ---- a synthetic history and the sink a correct Siphon would write for it ----

// Where a transaction is in the binlog: its GTID event starts at (file, pos); its change k
// (0-based) is row k % 2 of the rows event at pos + 100 * (k / 2 + 1).
struct BinlogTx {
  std::string file;
  uint64_t pos = 0;
};

struct History {
  std::vector<WorkloadTransaction> committed{};
  std::vector<BinlogTx> where{};  // per committed transaction
  std::vector<WorkloadTransaction> rolled_back{};
};

// The workload's rules (insert absent keys, update/delete present ones, one change per key per
// transaction) with few keys; every third transaction in GTID domain 1, the others in 0; the
// binlog rotates from binlog.000009 to binlog.000010 half-way (lexical order = binlog order).
History make_history(int transactions, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<std::string, std::set<int32_t>> live;
  std::map<uint32_t, uint64_t> seq = {{0, 100}, {1, 7}};
  History history;
  uint64_t pos = 4;
  for (int t = 0; t < transactions; ++t) {
    WorkloadTransaction tx;
    int count = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < count; ++i) {
      const std::string& table = kTables[rng() % kTables.size()];
      int32_t id = 1 + static_cast<int32_t>(rng() % 6);
      bool touched = std::any_of(tx.changes.begin(), tx.changes.end(),
                                 [&](const auto& c) { return c.table == table && c.id == id; });
      if (touched) continue;
      WorkloadChange change{table, id, 'c',
                            WorkloadRow{static_cast<int64_t>(rng()), fmt::format("n{}", t)}};
      if (live[table].contains(id)) {
        change.op = rng() % 3 == 0 ? 'd' : 'u';
        if (change.op == 'd') change.after.reset();
      }
      tx.changes.push_back(change);
    }
    if (t % 9 == 4) {  // rolled back: never in the binlog, no GTID
      history.rolled_back.push_back(std::move(tx));
      continue;
    }
    for (const WorkloadChange& c : tx.changes) {
      if (c.op == 'd') {
        live[c.table].erase(c.id);
      } else {
        live[c.table].insert(c.id);
      }
    }
    uint32_t domain = history.committed.size() % 3 == 2 ? 1 : 0;
    MariaDbGtid gtid{domain, 1, ++seq[domain]};
    tx.gtid = gtid.to_string();
    tx.txid = gtid.seq;
    if (t == transactions / 2) pos = 4;
    history.where.push_back({t < transactions / 2 ? "binlog.000009" : "binlog.000010", pos});
    pos += 1000;
    history.committed.push_back(std::move(tx));
  }
  return history;
}

// One line of a sink file, with what the tests need to find and fake lines.
struct SinkLine {
  std::string text{};
  size_t tx_index = 0;  // position of its transaction in the committed history
  bool change = false;
  int record = 0;  // 1-based, within its transaction
  std::string table{};
  int32_t id = 0;
};

ordered_json row_json(int32_t id, const std::optional<WorkloadRow>& row) {
  if (!row) return {{"id", id}, {"v", 0}, {"note", nullptr}};
  return {{"id", id},
          {"v", row->v},
          {"note", row->note ? ordered_json(*row->note) : ordered_json(nullptr)}};
}

// A Debezium MariaDB change record, payload only (schemas are covered by the PostgreSQL tests).
std::string change_record(const WorkloadChange& change, const std::string& gtid,
                          const std::string& file, uint64_t pos, int row) {
  size_t dot = change.table.find('.');
  ordered_json source = {{"version", "3.1.2.Final"},
                         {"connector", "mariadb"},
                         {"name", kPrefix},
                         {"ts_ms", 1714557600000},
                         {"snapshot", "false"},
                         {"db", change.table.substr(0, dot)},
                         {"sequence", nullptr},
                         {"ts_us", 1714557600000000},
                         {"ts_ns", 1714557600000000000},
                         {"table", change.table.substr(dot + 1)},
                         {"server_id", 1},
                         {"gtid", gtid},
                         {"file", file},
                         {"pos", pos},
                         {"row", row},
                         {"thread", 12},
                         {"query", nullptr}};
  ordered_json payload;
  payload["before"] = change.op == 'c' ? ordered_json(nullptr) : row_json(change.id, std::nullopt);
  payload["after"] = change.op == 'd' ? ordered_json(nullptr) : row_json(change.id, change.after);
  payload["source"] = source;
  payload["transaction"] = nullptr;
  payload["op"] = std::string(1, change.op);
  payload["ts_ms"] = 1714557600100;
  ordered_json record;
  record["key"] = {{"id", change.id}};
  record["value"] = payload;
  return record.dump();
}

std::string file_of(const std::string& table) {
  return fmt::format("{}.{}.jsonl", kPrefix, table);
}

using FakeSink = std::map<std::string, std::vector<SinkLine>>;  // file name -> lines

FakeSink make_sink(const History& history) {
  FakeSink sink;
  for (size_t t = 0; t < history.committed.size(); ++t) {
    const WorkloadTransaction& tx = history.committed[t];
    const BinlogTx& at = history.where[t];
    for (size_t k = 0; k < tx.changes.size(); ++k) {
      const WorkloadChange& change = tx.changes[k];
      SinkLine line{change_record(change, tx.gtid, at.file, at.pos + 100 * (k / 2 + 1),
                                  static_cast<int>(k % 2)),
                    t,
                    true,
                    static_cast<int>(k + 1),
                    change.table,
                    change.id};
      sink[file_of(change.table)].push_back(line);
      if (change.op == 'd') {
        sink[file_of(change.table)].push_back(
            SinkLine{ordered_json{{"key", {{"id", change.id}}}, {"value", nullptr}}.dump(), t});
      }
    }
  }
  return sink;
}

void save(const FakeSink& sink, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, lines] : sink) {
    std::ofstream out(dir / name);
    for (const SinkLine& line : lines) out << line.text << '\n';
  }
}

void write_log(const std::filesystem::path& path, const std::vector<WorkloadTransaction>& txs) {
  WorkloadLog log(path);
  for (const WorkloadTransaction& tx : txs) log.append(tx.to_logged());
}

// Every fault counter but the ones a test expects must be zero.
void expect_only(const CheckReport& report, const std::set<std::string>& kinds) {
  std::map<std::string, int64_t> counts = {
      {"missing", report.missing},
      {"phantom", report.phantom},
      {"duplicates_allowed", report.duplicates_allowed},
      {"duplicates_violation", report.duplicates_violation},
      {"reordered", report.reordered_changes},
      {"malformed", report.malformed},
      {"state", report.state_mismatches()},
  };
  for (const auto& [kind, count] : counts) {
    EXPECT_EQ(count, kinds.contains(kind) ? 1 : 0) << kind << "\n" << report.to_string();
  }
}

class MariaDbCheckerFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    history_ = make_history(90, 42);
    ASSERT_GT(history_.rolled_back.size(), 3u);
    write_log(dir_ / "committed.jsonl", history_.committed);
    write_log(dir_ / "rolled_back.jsonl", history_.rolled_back);
    sink_ = make_sink(history_);
  }

  CheckReport check_sink(const std::vector<json>& marks = {}) {
    save(sink_, dir_ / "sink");
    CheckInputs inputs{.sink_dir = dir_ / "sink",
                       .committed_log = dir_ / "committed.jsonl",
                       .rolled_back_log = dir_ / "rolled_back.jsonl",
                       .prefix = kPrefix};
    if (!marks.empty()) {
      std::ofstream out(dir_ / "kill_marks.jsonl");
      for (const json& mark : marks) out << mark.dump() << '\n';
      inputs.kill_marks = dir_ / "kill_marks.jsonl";
    }
    CheckReport report = check(inputs);
    SCOPED_TRACE(report.to_string());
    return report;
  }

  // The offset Siphon stores at the start of transaction t: the GTID position of everything
  // before it, and its start in the binlog.
  json offset_at(size_t t, std::optional<int64_t> events_done = {}) const {
    std::map<uint32_t, std::string> gtids;
    for (size_t i = 0; i < t; ++i) {
      auto gtid = MariaDbGtid::parse(history_.committed[i].gtid);
      gtids[gtid->domain] = gtid->to_string();
    }
    std::string position;
    for (const auto& [domain, gtid] : gtids) position += (position.empty() ? "" : ",") + gtid;
    json offset = {{"file", history_.where[t].file},
                   {"pos", history_.where[t].pos},
                   {"gtids", position},
                   {"event", 0},
                   {"row", 0},
                   {"server_id", 1}};
    if (events_done) offset["siphon.tx_events_done"] = *events_done;
    return offset;
  }

  // The kill mark of a kill right after transaction `kill_after` was written.
  json mark_after(size_t kill_after, const std::optional<json>& stored_offset) const {
    json lines = json::object();
    for (const auto& [name, file_lines] : sink_) {
      int64_t n = 0;
      while (n < static_cast<int64_t>(file_lines.size()) &&
             file_lines[static_cast<size_t>(n)].tx_index <= kill_after) {
        ++n;
      }
      lines[name] = n;
    }
    return kill_mark(stored_offset, lines);
  }

  // Re-delivers, right after the kill that followed transaction `kill_after`, record `record`
  // (1-based; 0 = the first) of transaction `tx_index`.
  void redeliver_after_kill(size_t kill_after, size_t tx_index, int record = 0) {
    for (auto& [name, lines] : sink_) {
      auto it = std::find_if(lines.begin(), lines.end(), [&](const SinkLine& l) {
        return l.change && l.tx_index == tx_index && (record == 0 || l.record == record);
      });
      if (it == lines.end()) continue;
      SinkLine copy = *it;
      auto at = std::find_if(lines.begin(), lines.end(),
                             [&](const SinkLine& l) { return l.tx_index > kill_after; });
      lines.insert(at, copy);
      return;
    }
    FAIL() << "transaction " << tx_index << " has no record " << record;
  }

  // A transaction in the middle with at least two changes, in the given domain.
  size_t middle_transaction(uint32_t domain = 0) const {
    for (size_t t = history_.committed.size() / 2; t < history_.committed.size(); ++t) {
      if (history_.committed[t].changes.size() >= 2 &&
          MariaDbGtid::parse(history_.committed[t].gtid)->domain == domain) {
        return t;
      }
    }
    ADD_FAILURE() << "no such transaction";
    return 0;
  }

  TempDir dir_;
  History history_;
  FakeSink sink_;
};

TEST_F(MariaDbCheckerFaults, CorrectSinkIsClean) {
  CheckReport report = check_sink();
  expect_only(report, {});
  EXPECT_TRUE(report.ok(false)) << report.to_string();
  EXPECT_EQ(report.change_events, report.committed_changes);
  EXPECT_GT(report.tombstones, 0);
  EXPECT_EQ(report.committed_transactions, static_cast<int64_t>(history_.committed.size()));
  EXPECT_TRUE(report.details.empty()) << report.to_string();
}

TEST_F(MariaDbCheckerFaults, MissingChangeIsNamedByItsGtid) {
  std::vector<SinkLine>& lines = sink_[file_of(kTables[0])];
  auto it = std::find_if(lines.begin(), lines.end(), [&](const SinkLine& l) {
    return l.change && l.tx_index >= history_.committed.size() / 2;
  });
  ASSERT_NE(it, lines.end());
  std::string gtid = history_.committed[it->tx_index].gtid;
  lines.erase(it);
  CheckReport report = check_sink();
  expect_only(report, {"missing"});
  EXPECT_NE(report.to_string().find("missing: gtid " + gtid + " "), std::string::npos)
      << report.to_string();
}

TEST_F(MariaDbCheckerFaults, PhantomFromRolledBackTransactionIsRecognisedByContent) {
  // A rollback has no GTID: a (wrong) copy of it carries some GTID the log does not have.
  auto aborted = std::find_if(
      history_.rolled_back.begin(), history_.rolled_back.end(),
      [](const WorkloadTransaction& tx) { return !tx.changes.empty() && tx.changes[0].op != 'd'; });
  ASSERT_NE(aborted, history_.rolled_back.end());
  const WorkloadChange& change = aborted->changes[0];
  sink_[file_of(change.table)].push_back(
      SinkLine{change_record(change, "0-1-9999", "binlog.000010", 999999, 0),
               history_.committed.size(), true, 1, change.table, change.id});
  CheckReport report = check_sink();
  expect_only(report, {"phantom"});
  EXPECT_EQ(report.phantom_rolled_back, 1);

  // The same key and op with other values is a phantom of unknown origin.
  WorkloadChange other = change;
  other.after = WorkloadRow{change.after->v + 1, change.after->note};
  sink_[file_of(change.table)].back().text =
      change_record(other, "0-1-9999", "binlog.000010", 999999, 0);
  report = check_sink();
  expect_only(report, {"phantom"});
  EXPECT_EQ(report.phantom_rolled_back, 0);
}

TEST_F(MariaDbCheckerFaults, ReorderedPairForOneKey) {
  std::vector<SinkLine>& lines = sink_[file_of(kTables[0])];
  std::map<int32_t, size_t> previous;
  std::optional<std::pair<size_t, size_t>> pair;
  for (size_t i = 0; i < lines.size() && !pair; ++i) {
    if (!lines[i].change) continue;
    auto it = previous.find(lines[i].id);
    if (it != previous.end() && lines[it->second].tx_index != lines[i].tx_index) {
      pair = {it->second, i};
    }
    previous[lines[i].id] = i;
  }
  ASSERT_TRUE(pair);
  std::swap(lines[pair->first], lines[pair->second]);
  CheckReport report = check_sink();
  expect_only(report, {"reordered"});
}

TEST_F(MariaDbCheckerFaults, DuplicateAfterStoredGtidsIsAllowed) {
  size_t t = middle_transaction();
  json mark = mark_after(t, offset_at(t));  // t was in progress: not covered
  redeliver_after_kill(t, t);
  CheckReport report = check_sink({mark});
  expect_only(report, {"duplicates_allowed"});
  EXPECT_EQ(report.kill_marks, 1);
  EXPECT_TRUE(report.ok(true)) << report.to_string();
  EXPECT_FALSE(report.ok(false));
}

TEST_F(MariaDbCheckerFaults, DuplicateWithinStoredGtidsIsAViolation) {
  size_t t = middle_transaction();
  json mark = mark_after(t + 1, offset_at(t + 1));  // the stored gtids include t
  redeliver_after_kill(t + 1, t);
  CheckReport report = check_sink({mark});
  expect_only(report, {"duplicates_violation"});
  EXPECT_NE(report.to_string().find("is within the gtids"), std::string::npos);
  EXPECT_FALSE(report.ok(true));
}

TEST_F(MariaDbCheckerFaults, GtidsAreComparedPerDomain) {
  // The stored position covers the domain-1 transaction u (before t) by domain 1's entry, and
  // not a domain-1 transaction after t, although domain 0's seq numbers are far higher.
  size_t t = middle_transaction(0);
  size_t u = t;
  while (MariaDbGtid::parse(history_.committed[u].gtid)->domain != 1) --u;
  size_t later = t + 1;
  while (MariaDbGtid::parse(history_.committed[later].gtid)->domain != 1) ++later;
  json mark = mark_after(later, offset_at(t + 1));
  EXPECT_NE(mark["gtids"].get<std::string>().find(','), std::string::npos) << mark;
  redeliver_after_kill(later, u);
  redeliver_after_kill(later, later);
  CheckReport report = check_sink({mark});
  expect_only(report, {"duplicates_violation", "duplicates_allowed"});
}

TEST_F(MariaDbCheckerFaults, PartialTransactionDuplicatesAreJudgedByRecordsDone) {
  size_t t = middle_transaction();
  ASSERT_GE(history_.committed[t].changes.size(), 2u);
  // Siphon stored "transaction at file/pos, 1 record done": resending record 1 breaks that
  // promise, resending record 2 does not.
  json mark = mark_after(t, offset_at(t, /*events_done=*/1));
  EXPECT_EQ(mark["events_done"], 1);
  // Siphon also names the transaction (siphon.tx_id): the same verdicts from the name alone.
  json offset = offset_at(t, 1);
  offset["siphon.tx_id"] = history_.committed[t].gtid;
  json named = mark_after(t, offset);
  EXPECT_EQ(named["partial_tx"], history_.committed[t].gtid);
  named["file"] = nullptr;  // not needed to find the transaction any more

  redeliver_after_kill(t, t, 1);
  redeliver_after_kill(t, t, 2);
  CheckReport report = check_sink({mark});
  expect_only(report, {"duplicates_violation", "duplicates_allowed"});
  EXPECT_NE(report.to_string().find("within the 1 records stored"), std::string::npos);
  expect_only(check_sink({named}), {"duplicates_violation", "duplicates_allowed"});
}

TEST_F(MariaDbCheckerFaults, FilePositionJudgesWithoutGtids) {
  // Across the rotation: binlog.000009 sorts before binlog.000010.
  size_t t = history_.committed.size() / 2;
  ASSERT_EQ(history_.where[t].file, "binlog.000010");
  json offset = offset_at(t);
  offset.erase("gtids");
  json mark = mark_after(t, offset);
  EXPECT_TRUE(mark["gtids"].is_null());
  offset["gtids"] = "";  // an empty GTID position says nothing either
  json empty = mark_after(t, offset);
  redeliver_after_kill(t, t - 1);  // in binlog.000009: before the stored position
  redeliver_after_kill(t, t);      // at it: may come again
  CheckReport report = check_sink({mark});
  expect_only(report, {"duplicates_violation", "duplicates_allowed"});
  expect_only(check_sink({empty}), {"duplicates_violation", "duplicates_allowed"});
}

TEST_F(MariaDbCheckerFaults, KillWithoutStoredOffsetAllowsEveryCopy) {
  size_t t = middle_transaction();
  json mark = mark_after(t, std::nullopt);
  redeliver_after_kill(t, 2);
  CheckReport report = check_sink({mark});
  expect_only(report, {"duplicates_allowed"});
}

TEST_F(MariaDbCheckerFaults, DuplicateWithoutKillIsAViolation) {
  std::vector<SinkLine>& lines = sink_[file_of(kTables[1])];
  auto it = std::find_if(lines.begin(), lines.end(), [](const SinkLine& l) { return l.change; });
  ASSERT_NE(it, lines.end());
  lines.push_back(*it);
  expect_only(check_sink(), {"duplicates_violation"});
}

TEST_F(MariaDbCheckerFaults, BinlogRecordWithoutGtidIsMalformed) {
  std::vector<SinkLine>& lines = sink_[file_of(kTables[0])];
  auto it = std::find_if(lines.begin(), lines.end(), [](const SinkLine& l) { return l.change; });
  ASSERT_NE(it, lines.end());
  json record = json::parse(it->text);
  record["value"]["source"]["gtid"] = nullptr;
  lines.push_back(SinkLine{record.dump(), history_.committed.size()});
  expect_only(check_sink(), {"malformed"});
}

TEST(MariaDbKillMark, KeepsTheBinlogOffsetKeys) {
  json offset = {{"file", "binlog.000002"},
                 {"pos", "1234"},
                 {"gtids", "0-1-57,1-2-9"},
                 {"event", 2},
                 {"row", 1},
                 {"server_id", 1},
                 {"siphon.tx_events_done", 3},
                 {"ts_sec", 1}};
  json mark = kill_mark(offset, {{"mdb.w1.a.jsonl", 5}});
  EXPECT_EQ(mark, json::parse(R"({"gtids":"0-1-57,1-2-9","file":"binlog.000002","pos":"1234",
      "event":2,"row":1,"events_done":3,"partial_tx":null,"sink_lines":{"mdb.w1.a.jsonl":5}})"));
  json complete = kill_mark(json{{"file", "binlog.000002"}, {"pos", 4}, {"gtids", "0-1-57"}}, {});
  EXPECT_TRUE(complete["events_done"].is_null());
  EXPECT_FALSE(complete.contains("lsn_proc"));
}

TEST(MariaDbGtid, ParsesGtidsAndPositions) {
  EXPECT_EQ(MariaDbGtid::parse("0-1-57"), (MariaDbGtid{0, 1, 57}));
  EXPECT_EQ(MariaDbGtid::parse("4294967295-2-18446744073709551615")->seq, UINT64_MAX);
  for (const char* bad : {"", "0-1", "0-1-", "a-1-2", "0-1-2-3", "-1-2", "3e3b7f6c:12"}) {
    EXPECT_FALSE(MariaDbGtid::parse(bad)) << bad;
  }
  auto position = parse_gtid_position("0-1-57,\n1-2-9");
  ASSERT_TRUE(position);
  EXPECT_EQ(position->size(), 2u);
  EXPECT_EQ(position->at(1), (MariaDbGtid{1, 2, 9}));
  EXPECT_EQ(parse_gtid_position("")->size(), 0u);
  EXPECT_FALSE(parse_gtid_position("0-1-5,0-2-6"));  // one entry per domain
  EXPECT_FALSE(parse_gtid_position("0-1-5,x"));
}

// ---- against a real MariaDB ----

std::map<int32_t, WorkloadRow> table_rows(MariaDbConnection& conn, const std::string& table) {
  std::map<int32_t, WorkloadRow> rows;
  for (const auto& row : conn.query("SELECT id, v, note FROM " + table)) {
    rows[std::stoi(*row[0])] = WorkloadRow{std::stoll(*row[1]), row[2]};
  }
  return rows;
}

WorkloadOptions mariadb_options(const MariaDbServer& db, std::vector<std::string> tables,
                                uint64_t seed) {
  WorkloadOptions options;
  options.mariadb_port = db.port();
  options.tables = std::move(tables);
  options.rows_per_table = 40;
  options.seed = seed;
  return options;
}

TEST(WorkloadWithMariaDb, LogsEachCommitWithItsGtidAcrossDatabasesAndDomains) {
  MariaDbServer& db = shared_mariadb_server();
  TempDir dir;
  WorkloadOptions options = mariadb_options(db, {"wl1.accounts", "wl2.orders"}, 11);
  options.gtid_domains = {0, 3};
  options.committed_log = dir / "committed.jsonl";
  options.rolled_back_log = dir / "rolled_back.jsonl";
  Workload workload(options);
  workload.create_tables();
  WorkloadStats stats = workload.run_transactions(300);
  EXPECT_EQ(stats.committed + stats.rolled_back, 300);
  EXPECT_GT(stats.rolled_back, 5);
  EXPECT_EQ(stats.reconnects, 0);

  // The log file holds the in-memory log; each commit has its GTID, txid = its seq.
  std::vector<LoggedTransaction> logged = WorkloadLog::read(options.committed_log);
  ASSERT_EQ(logged.size(), workload.committed().size());
  std::map<uint32_t, uint64_t> last_seq;
  for (size_t i = 0; i < logged.size(); ++i) {
    EXPECT_EQ(WorkloadLog::to_line(logged[i]),
              WorkloadLog::to_line(workload.committed()[i].to_logged()));
    std::optional<MariaDbGtid> gtid = MariaDbGtid::parse(logged[i].gtid);
    ASSERT_TRUE(gtid) << logged[i].gtid;
    EXPECT_EQ(logged[i].txid, gtid->seq);
    EXPECT_GT(gtid->seq, last_seq[gtid->domain]);  // one writer: seqs grow per domain
    last_seq[gtid->domain] = gtid->seq;
  }
  EXPECT_EQ(last_seq.size(), 2u);  // both domains were used

  // The last GTID of each domain is the server's.
  MariaDbConnection conn = db.connect();
  auto position = parse_gtid_position(conn.scalar("SELECT @@gtid_binlog_pos"));
  ASSERT_TRUE(position);
  for (const auto& [domain, seq] : last_seq) EXPECT_EQ(position->at(domain).seq, seq);

  // Rollbacks have no GTID and log their values.
  std::vector<LoggedTransaction> aborted = WorkloadLog::read(options.rolled_back_log);
  ASSERT_EQ(aborted.size(), workload.rolled_back().size());
  for (const LoggedTransaction& tx : aborted) {
    EXPECT_EQ(tx.txid, 0u);
    EXPECT_TRUE(tx.gtid.empty());
    for (const LoggedChange& c : tx.changes) {
      EXPECT_EQ(c.after.is_null(), c.op == 'd') << WorkloadLog::to_line(tx);
      if (c.op != 'd') {
        EXPECT_TRUE(c.after.at("v").is_number_integer());
      }
    }
  }

  // The model is what the tables hold (the notes' quotes, backslashes and UTF-8 included).
  for (const std::string& table : options.tables) {
    EXPECT_EQ(table_rows(conn, table), workload.model().at(table)) << table;
  }
  EXPECT_GT(workload.live_rows(), 0u);
}

TEST(WorkloadWithMariaDb, SurvivesServerRestarts) {
  std::unique_ptr<MariaDbServer> db = MariaDbServer::start();
  TempDir dir;
  WorkloadOptions options = mariadb_options(*db, {"wr.a", "wr.b"}, 5);
  options.committed_log = dir / "committed.jsonl";
  Workload workload(options);
  workload.create_tables();
  WorkloadStats stats;
  {
    std::jthread runner([&](std::stop_token stop) { stats = workload.run(stop); });
    for (int restart = 0; restart < 3; ++restart) {
      std::this_thread::sleep_for(300ms);
      db->restart(/*immediate=*/restart != 1);  // crash, clean stop, crash
    }
    std::this_thread::sleep_for(300ms);
  }
  EXPECT_GE(stats.reconnects, 3);
  EXPECT_GT(stats.committed, 10);
  MariaDbConnection conn = db->connect();
  for (const std::string& table : options.tables) {
    EXPECT_EQ(table_rows(conn, table), workload.model().at(table)) << table;
  }
  // Every logged GTID is in the binlog, once: the checker would otherwise report commits that
  // never happened. The binlog's GTIDs of the two tables' transactions are exactly the log's.
  std::set<std::string> logged;
  for (const LoggedTransaction& tx : WorkloadLog::read(options.committed_log)) {
    EXPECT_TRUE(logged.insert(tx.gtid).second) << tx.gtid;
  }
  EXPECT_EQ(logged.size(), workload.committed().size());
  auto position = parse_gtid_position(conn.scalar("SELECT @@gtid_binlog_pos"));
  ASSERT_TRUE(position);
  EXPECT_EQ(position->at(0).to_string(), workload.committed().back().gtid);
}

TEST(CheckerWithMariaDb, FinalStateComparison) {
  MariaDbServer& db = shared_mariadb_server();
  TempDir dir;
  WorkloadOptions options = mariadb_options(db, {"fs1.accounts", "fs2.orders"}, 3);
  options.committed_log = dir / "committed.jsonl";
  options.rolled_back_log = dir / "rolled_back.jsonl";
  Workload workload(options);
  workload.create_tables();
  workload.run_transactions(250);

  // The sink a correct Siphon would have written for this run.
  History history;
  history.committed = workload.committed();
  for (size_t t = 0; t < history.committed.size(); ++t) {
    history.where.push_back({"binlog.000001", 4 + 1000 * t});
  }
  save(make_sink(history), dir / "sink");
  CheckInputs inputs{.sink_dir = dir / "sink",
                     .committed_log = options.committed_log,
                     .rolled_back_log = options.rolled_back_log,
                     .prefix = kPrefix,
                     .mariadb_port = db.port()};
  CheckReport clean = check(inputs);
  expect_only(clean, {});
  EXPECT_TRUE(clean.state_checked);
  EXPECT_EQ(clean.state_rows, static_cast<int64_t>(workload.live_rows()));

  // Changes the sink never saw: one row changed, one deleted, one added.
  MariaDbConnection conn = db.connect();
  const auto& accounts = workload.model().at("fs1.accounts");
  ASSERT_GE(accounts.size(), 2u);
  conn.exec(fmt::format("UPDATE fs1.accounts SET note = 'changed' WHERE id = {}",
                        accounts.begin()->first));
  conn.exec(
      fmt::format("DELETE FROM fs1.accounts WHERE id = {}", std::next(accounts.begin())->first));
  conn.exec("INSERT INTO fs2.orders VALUES (1000, 1, NULL)");
  CheckReport report = check(inputs);
  EXPECT_EQ(report.state_different, 1) << report.to_string();
  EXPECT_EQ(report.state_extra, 1) << report.to_string();
  EXPECT_EQ(report.state_missing, 1) << report.to_string();
  EXPECT_FALSE(report.ok(true));
}

TEST(CheckerWithMariaDb, CommandLineTools) {
  MariaDbServer& db = shared_mariadb_server();
  TempDir dir;
  std::string log = (dir / "committed.jsonl").string();
  std::string address = fmt::format("127.0.0.1:{}", db.port());
  CommandResult workload =
      run_command({SIPHON_WORKLOAD_BIN, "--mariadb", address, "--gtid-domains", "0,2", "--log", log,
                   "--transactions", "60", "--seed", "9", "--create", "--tables", "cli1.a,cli2.b"},
                  60s);
  ASSERT_TRUE(workload.status.success()) << workload.err;
  std::vector<LoggedTransaction> logged = WorkloadLog::read(log);
  EXPECT_EQ(logged.size() + WorkloadLog::read(log + ".rolled-back").size(), 60u);
  ASSERT_FALSE(logged.empty());
  EXPECT_TRUE(MariaDbGtid::parse(logged[0].gtid)) << logged[0].gtid;

  // No sink at all: everything is missing, and the state differs.
  std::filesystem::create_directories(dir / "sink");
  CommandResult failed =
      run_command({SIPHON_CHECK_BIN, "--sink-dir", (dir / "sink").string(), "--committed", log,
                   "--mariadb", address, "--prefix", kPrefix},
                  60s);
  EXPECT_EQ(failed.status.code, 1) << failed.out << failed.err;
  EXPECT_NE(failed.out.find("missing: gtid "), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("state missing: cli"), std::string::npos) << failed.out;
}

}  // namespace
}  // namespace siphon::testing
