// Self-test of the crash-test oracle: a correct synthetic sink is clean, and each kind of fault
// injected into a copy is reported as exactly that kind. Then the workload and the final-state
// comparison against a real PostgreSQL.
#include "support/checker.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/pg_server.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/workload.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::ordered_json;

const std::vector<std::string> kTables = {"public.w_accounts", "public.w_orders"};

// ---- a synthetic history and the sink a correct Siphon would write for it ----

struct History {
  std::vector<WorkloadTransaction> committed{};
  std::vector<WorkloadTransaction> rolled_back{};
};

// Follows the workload's rules (insert absent keys, update/delete present ones, one change per
// key per transaction) with few keys, so that keys get many changes.
History make_history(int transactions, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<std::string, std::set<int32_t>> live;
  History history;
  for (int t = 0; t < transactions; ++t) {
    WorkloadTransaction tx;
    tx.txid = static_cast<uint32_t>(1000 + t);
    tx.full_xid = tx.txid;
    int count = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < count; ++i) {
      const std::string& table = kTables[rng() % kTables.size()];
      int32_t id = 1 + static_cast<int32_t>(rng() % 6);
      bool touched = std::any_of(tx.changes.begin(), tx.changes.end(),
                                 [&](const auto& c) { return c.table == table && c.id == id; });
      if (touched) continue;
      WorkloadChange change{table, id, 'c', WorkloadRow{static_cast<int64_t>(rng()), "n"}};
      if (live[table].contains(id)) {
        change.op = rng() % 3 == 0 ? 'd' : 'u';
        if (change.op == 'd') change.after.reset();
      }
      tx.changes.push_back(change);
    }
    bool rollback = t % 9 == 4;
    if (!rollback) {
      for (const WorkloadChange& c : tx.changes) {
        if (c.op == 'd') {
          live[c.table].erase(c.id);
        } else {
          live[c.table].insert(c.id);
        }
      }
    }
    (rollback ? history.rolled_back : history.committed).push_back(std::move(tx));
  }
  return history;
}

struct SinkOptions {
  bool schemas = true;
  std::string prefix = "pg";
};

// One line of a sink file, with what the tests need to find and fake lines.
struct SinkLine {
  std::string text{};
  size_t tx_index = 0;  // position of its transaction in the committed history
  bool change = false;
  uint32_t txid = 0;
  std::string table{};
  int32_t id = 0;
  char op = 0;
  int64_t total_order = 0;
  uint64_t lsn_commit = 0;  // sequence[0]
};

struct FakeSink {
  std::map<std::string, std::vector<SinkLine>> files;  // file name -> lines

  void save(const std::filesystem::path& dir) const {
    std::filesystem::create_directories(dir);
    for (const auto& [name, lines] : files) {
      std::ofstream out(dir / name);
      for (const SinkLine& line : lines) out << line.text << '\n';
    }
  }
  std::string file_of(const std::string& table, const SinkOptions& options = {}) const {
    return fmt::format("{}.{}.jsonl", options.prefix, table);
  }
};

ordered_json with_schema(const SinkOptions& options, ordered_json schema, ordered_json payload) {
  if (!options.schemas) return payload;
  ordered_json wrapped;
  wrapped["schema"] = std::move(schema);
  wrapped["payload"] = std::move(payload);
  return wrapped;
}

ordered_json key_json(const SinkOptions& options, const std::string& topic, int32_t id) {
  ordered_json schema = {{"type", "struct"},
                         {"fields", {{{"type", "int32"}, {"optional", false}, {"field", "id"}}}},
                         {"optional", false},
                         {"name", topic + ".Key"}};
  return with_schema(options, schema, {{"id", id}});
}

ordered_json row_json(int32_t id, const std::optional<WorkloadRow>& row) {
  if (!row) return {{"id", id}, {"v", 0}, {"note", nullptr}};  // a delete's key-only before
  return {{"id", id},
          {"v", row->v},
          {"note", row->note ? ordered_json(*row->note) : ordered_json(nullptr)}};
}

// A Debezium change record for one change (schema abbreviated: the checker ignores it).
SinkLine change_line(const SinkOptions& options, const WorkloadChange& change, uint32_t txid,
                     uint64_t lsn, uint64_t lsn_commit, int64_t total_order) {
  std::string topic = fmt::format("{}.{}", options.prefix, change.table);
  size_t dot = change.table.find('.');
  ordered_json source = {{"version", "3.1.2.Final"},
                         {"connector", "postgresql"},
                         {"name", options.prefix},
                         {"ts_ms", 1714557600123},
                         {"snapshot", "false"},
                         {"db", "postgres"},
                         {"sequence", fmt::format("[\"{}\",\"{}\"]", lsn_commit, lsn)},
                         {"ts_us", 1714557600123456},
                         {"ts_ns", 1714557600123456000},
                         {"schema", change.table.substr(0, dot)},
                         {"table", change.table.substr(dot + 1)},
                         {"txId", txid},
                         {"lsn", lsn},
                         {"xmin", nullptr}};
  ordered_json payload;
  payload["before"] = change.op == 'd' ? row_json(change.id, std::nullopt) : ordered_json(nullptr);
  payload["after"] = change.op == 'd' ? ordered_json(nullptr) : row_json(change.id, change.after);
  payload["source"] = source;
  payload["transaction"] = {{"id", fmt::format("{}:{}", txid, lsn)},
                            {"total_order", total_order},
                            {"data_collection_order", total_order}};
  payload["op"] = std::string(1, change.op);
  payload["ts_ms"] = 1714557600200;
  ordered_json schema = {
      {"type", "struct"}, {"optional", false}, {"name", topic + ".Envelope"}, {"version", 2}};
  ordered_json record;
  record["key"] = key_json(options, topic, change.id);
  record["value"] = with_schema(options, schema, payload);
  record["headers"] = {{"__debezium.context.connectorLogicalName", options.prefix}};
  SinkLine line;
  line.text = record.dump();
  line.change = true;
  line.txid = txid;
  line.table = change.table;
  line.id = change.id;
  line.op = change.op;
  line.total_order = total_order;
  line.lsn_commit = lsn_commit;
  return line;
}

// Every committed change with a tombstone after each delete, transaction BEGIN/END records on
// <prefix>.transaction and a heartbeat file: all the kinds of lines the checker must skip.
FakeSink make_sink(const std::vector<WorkloadTransaction>& committed, const SinkOptions& options) {
  FakeSink sink;
  uint64_t lsn = 0x1000000;
  uint64_t last_commit = 0;  // sequence[0] of the first transaction is null in Debezium: 0 here
  std::string tx_file = options.prefix + ".transaction.jsonl";
  for (size_t t = 0; t < committed.size(); ++t) {
    const WorkloadTransaction& tx = committed[t];
    lsn += 0x40;
    ordered_json begin = {{"status", "BEGIN"},
                          {"id", fmt::format("{}:{}", tx.txid, lsn)},
                          {"event_count", nullptr},
                          {"data_collections", nullptr},
                          {"ts_ms", 1714557600123}};
    sink.files[tx_file].push_back(
        SinkLine{ordered_json{{"key", {{"id", fmt::format("{}:{}", tx.txid, lsn)}}},
                              {"value", with_schema(options, {{"type", "struct"}}, begin)}}
                     .dump(),
                 t});
    int64_t order = 0;
    for (const WorkloadChange& change : tx.changes) {
      lsn += 0x80;
      std::string file = sink.file_of(change.table, options);
      SinkLine line = change_line(options, change, tx.txid, lsn, last_commit, ++order);
      line.tx_index = t;
      sink.files[file].push_back(line);
      if (change.op == 'd') {
        ordered_json tombstone;
        tombstone["key"] = key_json(options, options.prefix + "." + change.table, change.id);
        tombstone["value"] = nullptr;
        sink.files[file].push_back(SinkLine{tombstone.dump(), t});
      }
    }
    lsn += 0x40;
    ordered_json end = {{"status", "END"},
                        {"id", fmt::format("{}:{}", tx.txid, lsn)},
                        {"event_count", order},
                        {"data_collections", ordered_json::array()},
                        {"ts_ms", 1714557600124}};
    sink.files[tx_file].push_back(SinkLine{
        ordered_json{{"key", nullptr}, {"value", with_schema(options, {{"type", "struct"}}, end)}}
            .dump(),
        t});
    last_commit = lsn;
  }
  ordered_json heartbeat = {{"key", {{"serverName", options.prefix}}},
                            {"value", {{"ts_ms", 1714557600999}}}};
  sink.files["__debezium-heartbeat." + options.prefix + ".jsonl"].push_back(
      SinkLine{heartbeat.dump(), 0});
  return sink;
}

void write_log(const std::filesystem::path& path, const std::vector<WorkloadTransaction>& txs) {
  WorkloadLog log(path);
  for (const WorkloadTransaction& tx : txs) log.append(tx.to_logged());
}

// A synthetic run: the history's logs, and a sink that tests may change before checking.
class CheckerFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    history_ = make_history(80, 42);
    ASSERT_GT(history_.rolled_back.size(), 3u);
    write_log(dir_ / "committed.jsonl", history_.committed);
    write_log(dir_ / "rolled_back.jsonl", history_.rolled_back);
    sink_ = make_sink(history_.committed, options_);
  }

  CheckReport check_sink(const std::string& kill_marks = "") {
    sink_.save(dir_ / "sink");
    CheckInputs inputs{.sink_dir = dir_ / "sink",
                       .committed_log = dir_ / "committed.jsonl",
                       .rolled_back_log = dir_ / "rolled_back.jsonl"};
    if (!kill_marks.empty()) {
      std::ofstream(dir_ / "kill_marks.jsonl") << kill_marks;
      inputs.kill_marks = dir_ / "kill_marks.jsonl";
    }
    CheckReport report = check(inputs);
    SCOPED_TRACE(report.to_string());
    return report;
  }

  std::vector<SinkLine>& file(const std::string& table) {
    return sink_.files[sink_.file_of(table, options_)];
  }

  // The index of the first change line in `lines` of transaction `tx_index` (or -1).
  static int find_change(const std::vector<SinkLine>& lines, size_t tx_index, int64_t order = 0) {
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].change && lines[i].tx_index == tx_index &&
          (order == 0 || lines[i].total_order == order)) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  // The index of the first change line of a transaction at or after `from_tx`.
  static int change_from(const std::vector<SinkLine>& lines, size_t from_tx) {
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].change && lines[i].tx_index >= from_tx) return static_cast<int>(i);
    }
    return -1;
  }

  // A kill right after transaction `tx_index` was written, with Siphon's stored offset at the
  // start of that transaction (lsn_proc = its events' sequence[0]).
  std::string kill_mark_after(size_t tx_index, std::optional<int64_t> partial_events = {}) {
    ordered_json lines = ordered_json::object();
    uint64_t lsn_proc = 0;
    for (const auto& [name, file_lines] : sink_.files) {
      int64_t n = 0;
      for (const SinkLine& line : file_lines) {
        if (line.tx_index > tx_index) break;
        ++n;
        if (line.change && line.tx_index == tx_index) lsn_proc = line.lsn_commit;
      }
      lines[name] = n;
    }
    ordered_json mark;
    mark["lsn_proc"] = lsn_proc;
    mark["partial_txid"] =
        partial_events ? ordered_json(history_.committed[tx_index].txid) : ordered_json(nullptr);
    mark["partial_events"] = partial_events ? ordered_json(*partial_events) : ordered_json(nullptr);
    mark["sink_lines"] = lines;
    return mark.dump() + "\n";
  }

  // Re-delivers, right after the kill that followed transaction `kill_after`, the change of
  // transaction `tx_index` with the given total order; returns the kill mark text.
  void redeliver_after_kill(size_t kill_after, size_t tx_index, int64_t order = 0) {
    for (auto& [name, lines] : sink_.files) {
      int at = find_change(lines, tx_index, order);
      if (at < 0) continue;
      int64_t kill_line = 0;
      while (kill_line < static_cast<int64_t>(lines.size()) &&
             lines[static_cast<size_t>(kill_line)].tx_index <= kill_after) {
        ++kill_line;
      }
      SinkLine copy = lines[static_cast<size_t>(at)];
      lines.insert(lines.begin() + kill_line, copy);
      return;
    }
    FAIL() << "transaction " << tx_index << " has no such change";
  }

  // A transaction in the middle with at least two changes.
  size_t middle_transaction() const {
    for (size_t t = history_.committed.size() / 2; t < history_.committed.size(); ++t) {
      if (history_.committed[t].changes.size() >= 2) return t;
    }
    return history_.committed.size() / 2;
  }

  TempDir dir_;
  SinkOptions options_;
  History history_;
  FakeSink sink_;
};

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
    if (kinds.contains(kind)) {
      EXPECT_EQ(count, 1) << kind << "\n" << report.to_string();
    } else {
      EXPECT_EQ(count, 0) << kind << "\n" << report.to_string();
    }
  }
}

TEST_F(CheckerFaults, CorrectSinkIsClean) {
  CheckReport report = check_sink();
  expect_only(report, {});
  EXPECT_TRUE(report.ok(false)) << report.to_string();
  int64_t deletes = 0;
  for (const auto& tx : history_.committed) {
    for (const auto& c : tx.changes) deletes += c.op == 'd';
  }
  EXPECT_EQ(report.change_events, report.committed_changes);
  EXPECT_EQ(report.tombstones, deletes);
  EXPECT_EQ(report.non_change_records, 2 * static_cast<int64_t>(history_.committed.size()));
  EXPECT_EQ(report.committed_transactions, static_cast<int64_t>(history_.committed.size()));
  EXPECT_EQ(report.rolled_back_transactions, static_cast<int64_t>(history_.rolled_back.size()));
  EXPECT_TRUE(report.details.empty());
  EXPECT_FALSE(report.state_checked);
}

TEST_F(CheckerFaults, MissingChange) {
  std::vector<SinkLine>& lines = file(kTables[0]);
  int at = change_from(lines, history_.committed.size() / 2);
  ASSERT_GE(at, 0);
  lines.erase(lines.begin() + at);
  CheckReport report = check_sink();
  expect_only(report, {"missing"});
  EXPECT_FALSE(report.ok(true));
}

TEST_F(CheckerFaults, PhantomFromRolledBackTransaction) {
  const WorkloadTransaction& aborted = history_.rolled_back[1];
  ASSERT_FALSE(aborted.changes.empty());
  const WorkloadChange& change = aborted.changes[0];
  SinkLine line = change_line(options_, change, aborted.txid, 0x7000000, 0x6000000, 1);
  line.tx_index = history_.committed.size();
  file(change.table).push_back(line);
  CheckReport report = check_sink();
  expect_only(report, {"phantom"});
  EXPECT_EQ(report.phantom_rolled_back, 1);
  EXPECT_FALSE(report.ok(true));
}

TEST_F(CheckerFaults, ReorderedPairForOneKey) {
  std::vector<SinkLine>& lines = file(kTables[0]);
  // Two consecutive changes of one key, from different transactions.
  std::map<int32_t, size_t> previous;
  std::optional<std::pair<size_t, size_t>> pair;
  for (size_t i = 0; i < lines.size() && !pair; ++i) {
    if (!lines[i].change) continue;
    auto it = previous.find(lines[i].id);
    if (it != previous.end() && lines[it->second].txid != lines[i].txid) pair = {it->second, i};
    previous[lines[i].id] = i;
  }
  ASSERT_TRUE(pair);
  std::swap(lines[pair->first], lines[pair->second]);
  CheckReport report = check_sink();
  expect_only(report, {"reordered"});
  EXPECT_EQ(report.reordered_keys, 1);
  EXPECT_FALSE(report.ok(true));
}

TEST_F(CheckerFaults, DuplicateBeforeStoredOffsetIsAViolation) {
  size_t t = middle_transaction();
  std::string marks = kill_mark_after(t + 1);  // offset stored at the start of t + 1
  redeliver_after_kill(t + 1, t);              // but t, which it covered, comes again
  CheckReport report = check_sink(marks);
  expect_only(report, {"duplicates_violation"});
  EXPECT_EQ(report.kill_marks, 1);
  EXPECT_FALSE(report.ok(true));
}

TEST_F(CheckerFaults, DuplicateAfterStoredOffsetIsAllowed) {
  size_t t = middle_transaction();
  std::string marks = kill_mark_after(t);  // offset stored at the start of t
  redeliver_after_kill(t, t);              // t is sent again after the restart
  CheckReport report = check_sink(marks);
  expect_only(report, {"duplicates_allowed"});
  EXPECT_TRUE(report.ok(true)) << report.to_string();
  EXPECT_FALSE(report.ok(false));
}

TEST_F(CheckerFaults, PartialTransactionDuplicatesAreJudgedByTotalOrder) {
  size_t t = middle_transaction();
  ASSERT_GE(history_.committed[t].changes.size(), 2u);
  // Siphon had stored "transaction t, 1 event done": resending event 1 breaks that promise,
  // resending event 2 does not.
  std::string marks = kill_mark_after(t, /*partial_events=*/1);
  redeliver_after_kill(t, t, /*order=*/1);
  redeliver_after_kill(t, t, /*order=*/2);
  CheckReport report = check_sink(marks);
  expect_only(report, {"duplicates_violation", "duplicates_allowed"});
}

TEST_F(CheckerFaults, DuplicateWithoutKillIsAViolation) {
  std::vector<SinkLine>& lines = file(kTables[1]);
  int at = change_from(lines, 3);
  ASSERT_GE(at, 0);
  lines.push_back(lines[static_cast<size_t>(at)]);
  CheckReport report = check_sink();
  expect_only(report, {"duplicates_violation"});
}

TEST_F(CheckerFaults, MalformedLineIsReported) {
  file(kTables[0]).push_back(SinkLine{"{not json", 0});
  CheckReport report = check_sink();
  expect_only(report, {"malformed"});
}

TEST_F(CheckerFaults, PayloadOnlyFormWithoutSchemas) {
  options_.schemas = false;
  sink_ = make_sink(history_.committed, options_);
  EXPECT_EQ(file(kTables[0])[0].text.find("\"schema\":{"), std::string::npos);
  expect_only(check_sink(), {});

  std::vector<SinkLine>& lines = file(kTables[1]);
  int at = change_from(lines, 10);
  ASSERT_GE(at, 0);
  lines.erase(lines.begin() + at);
  expect_only(check_sink(), {"missing"});
}

// ---- against a real PostgreSQL ----

// The rows of a table, as the workload models them.
std::map<int32_t, WorkloadRow> table_rows(PgConnection& conn, const std::string& table) {
  std::map<int32_t, WorkloadRow> rows;
  for (const PgRow& row : conn.query(fmt::format("SELECT id, v, note FROM {}", table))) {
    rows[std::stoi(*row[0])] = WorkloadRow{std::stoll(*row[1]), row[2]};
  }
  return rows;
}

TEST(WorkloadWithPostgres, LogAndTablesAgree) {
  PgServer& pg = shared_pg_server();
  TempDir dir;
  WorkloadOptions options{.conninfo = pg.conninfo(),
                          .tables = {"public.wl_accounts", "public.wl_orders"},
                          .rows_per_table = 40,
                          .seed = 11,
                          .committed_log = dir / "committed.jsonl",
                          .rolled_back_log = dir / "rolled_back.jsonl"};
  Workload workload(options);
  workload.create_tables();
  WorkloadStats stats = workload.run_transactions(300);
  EXPECT_EQ(stats.committed + stats.rolled_back, 300);
  EXPECT_GT(stats.rolled_back, 5);
  EXPECT_LT(stats.rolled_back, 70);
  EXPECT_EQ(stats.reconnects, 0);

  // The log files hold exactly the in-memory log, in order.
  std::vector<LoggedTransaction> logged = WorkloadLog::read(options.committed_log);
  ASSERT_EQ(logged.size(), workload.committed().size());
  for (size_t i = 0; i < logged.size(); ++i) {
    EXPECT_EQ(WorkloadLog::to_line(logged[i]),
              WorkloadLog::to_line(workload.committed()[i].to_logged()));
  }
  EXPECT_EQ(WorkloadLog::read(options.rolled_back_log).size(), workload.rolled_back().size());

  // One connection: xids grow in commit order, and each is the server's.
  uint32_t last = 0;
  for (const WorkloadTransaction& tx : workload.committed()) {
    EXPECT_GT(tx.txid, last);
    last = tx.txid;
  }
  PgConnection conn = pg.connect();
  EXPECT_EQ(conn.scalar(fmt::format("SELECT pg_xact_status('{}'::xid8)",
                                    workload.committed().back().full_xid)),
            "committed");
  EXPECT_EQ(conn.scalar(fmt::format("SELECT pg_xact_status('{}'::xid8)",
                                    workload.rolled_back().back().full_xid)),
            "aborted");

  // The model is what the tables hold.
  size_t live = 0;
  for (const std::string& table : options.tables) {
    EXPECT_EQ(table_rows(conn, table), workload.model().at(table)) << table;
    live += std::stoul(conn.scalar(fmt::format("SELECT count(*) FROM {}", table)));
  }
  EXPECT_EQ(live, workload.live_rows());
  EXPECT_GT(live, 0u);

  // Replaying the committed log over an empty model gives the same keys.
  std::map<std::string, std::set<int64_t>> replayed;
  for (const LoggedTransaction& tx : logged) {
    for (const LoggedChange& c : tx.changes) {
      int64_t id = c.key.at("id").get<int64_t>();
      if (c.op == 'd') {
        EXPECT_EQ(replayed[c.table].erase(id), 1u);
      } else if (c.op == 'c') {
        EXPECT_TRUE(replayed[c.table].insert(id).second);
      } else {
        EXPECT_TRUE(replayed[c.table].contains(id));
      }
    }
  }
  for (const std::string& table : options.tables) {
    EXPECT_EQ(replayed[table].size(), workload.model().at(table).size());
  }
}

TEST(WorkloadWithPostgres, SurvivesServerRestarts) {
  PgServer& pg = shared_pg_server();
  WorkloadOptions options{.conninfo = pg.conninfo(),
                          .tables = {"public.wr_a", "public.wr_b"},
                          .rows_per_table = 50,
                          .seed = 5};
  Workload workload(options);
  workload.create_tables();
  WorkloadStats stats;
  {
    std::jthread runner([&](std::stop_token stop) { stats = workload.run(stop); });
    for (int restart = 0; restart < 3; ++restart) {
      std::this_thread::sleep_for(300ms);
      pg.restart(/*immediate=*/restart != 1);  // crash, clean stop, crash
    }
    std::this_thread::sleep_for(300ms);
  }  // the jthread asks the workload to stop and joins
  EXPECT_GE(stats.reconnects, 3);
  EXPECT_GT(stats.committed, 10);
  PgConnection conn = pg.connect();
  for (const std::string& table : options.tables) {
    EXPECT_EQ(table_rows(conn, table), workload.model().at(table)) << table;
  }
}

TEST(CheckerWithPostgres, FinalStateComparison) {
  PgServer& pg = shared_pg_server();
  TempDir dir;
  WorkloadOptions options{.conninfo = pg.conninfo(),
                          .tables = {"public.fs_accounts", "public.fs_orders"},
                          .rows_per_table = 30,
                          .seed = 3,
                          .committed_log = dir / "committed.jsonl",
                          .rolled_back_log = dir / "rolled_back.jsonl"};
  Workload workload(options);
  workload.create_tables();
  workload.run_transactions(250);

  // The sink a correct Siphon would have written for this run.
  make_sink(workload.committed(), {}).save(dir / "sink");
  CheckInputs inputs{.sink_dir = dir / "sink",
                     .committed_log = options.committed_log,
                     .rolled_back_log = options.rolled_back_log,
                     .conninfo = pg.conninfo()};
  CheckReport clean = check(inputs);
  expect_only(clean, {});
  EXPECT_TRUE(clean.state_checked);
  EXPECT_EQ(clean.state_rows, static_cast<int64_t>(workload.live_rows()));
  EXPECT_TRUE(clean.ok(false));

  // Changes the sink never saw: one row changed, one deleted, one added.
  PgConnection conn = pg.connect();
  const auto& accounts = workload.model().at("public.fs_accounts");
  ASSERT_GE(accounts.size(), 2u);
  int32_t changed = accounts.begin()->first;
  int32_t deleted = std::next(accounts.begin())->first;
  int32_t added = 1000;
  conn.exec(fmt::format("UPDATE public.fs_accounts SET note = 'changed' WHERE id = {}", changed));
  conn.exec(fmt::format("DELETE FROM public.fs_accounts WHERE id = {}", deleted));
  conn.exec(fmt::format("INSERT INTO public.fs_orders VALUES ({}, 1, NULL)", added));
  CheckReport report = check(inputs);
  EXPECT_EQ(report.state_different, 1) << report.to_string();
  EXPECT_EQ(report.state_extra, 1) << report.to_string();
  EXPECT_EQ(report.state_missing, 1) << report.to_string();
  EXPECT_EQ(report.missing + report.phantom + report.duplicates() + report.reordered_changes, 0);
  EXPECT_FALSE(report.ok(true));
}

TEST(CheckerWithPostgres, CommandLineTools) {
  PgServer& pg = shared_pg_server();
  TempDir dir;
  std::string log = (dir / "committed.jsonl").string();
  CommandResult workload =
      run_command({SIPHON_WORKLOAD_BIN, "--conninfo", pg.conninfo(), "--log", log, "--transactions",
                   "60", "--seed", "9", "--create", "--tables", "public.cli_a,public.cli_b"},
                  60s);
  ASSERT_TRUE(workload.status.success()) << workload.err;
  EXPECT_NE(workload.err.find("committed="), std::string::npos) << workload.err;
  std::vector<LoggedTransaction> logged = WorkloadLog::read(log);
  std::vector<LoggedTransaction> rolled_back = WorkloadLog::read(log + ".rolled-back");
  EXPECT_EQ(logged.size() + rolled_back.size(), 60u);

  // A sink for the log (values are not in the log; the final state is not checked here).
  std::vector<WorkloadTransaction> committed;
  for (const LoggedTransaction& tx : logged) {
    WorkloadTransaction w{tx.txid, tx.txid, {}};
    for (const LoggedChange& c : tx.changes) {
      std::optional<WorkloadRow> after;
      if (c.op != 'd') after = WorkloadRow{0, std::nullopt};
      w.changes.push_back(WorkloadChange{c.table, c.key.at("id").get<int32_t>(), c.op, after});
    }
    committed.push_back(std::move(w));
  }
  FakeSink sink = make_sink(committed, {});
  sink.save(dir / "sink");
  std::vector<std::string> argv = {SIPHON_CHECK_BIN,    "--sink-dir", (dir / "sink").string(),
                                   "--committed",       log,          "--rolled-back",
                                   log + ".rolled-back"};
  CommandResult ok = run_command(argv, 60s);
  EXPECT_EQ(ok.status.code, 0) << ok.out << ok.err;
  EXPECT_EQ(ok.out.rfind("siphon-check: OK", 0), 0u) << ok.out;

  auto& lines = sink.files["pg.public.cli_a.jsonl"];
  auto first_change =
      std::find_if(lines.begin(), lines.end(), [](const SinkLine& l) { return l.change; });
  ASSERT_NE(first_change, lines.end());
  lines.erase(first_change);
  sink.save(dir / "sink");
  CommandResult failed = run_command(argv, 60s);
  EXPECT_EQ(failed.status.code, 1) << failed.out << failed.err;
  EXPECT_NE(failed.out.find("missing: txId"), std::string::npos) << failed.out;

  CommandResult bad = run_command({SIPHON_CHECK_BIN, "--sink-dir", "/nonexistent"}, 60s);
  EXPECT_EQ(bad.status.code, 2);
}

}  // namespace
}  // namespace siphon::testing
