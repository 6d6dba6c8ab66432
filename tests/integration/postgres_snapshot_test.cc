// The initial snapshot and its hand-off to streaming, against real PostgreSQL servers.
#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "integration/siphon_harness.h"
#include "support/checker.h"
#include "support/workload.h"
#include "support/workload_log.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class PostgresSnapshot : public ::testing::Test {
 protected:
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
};

TEST_F(PostgresSnapshot, ReadsExistingRowsWithMarkersThenStreams) {
  sql.exec("CREATE TABLE snap_a (id int PRIMARY KEY, num numeric(8,3), ts timestamptz, b bytea)");
  sql.exec("CREATE TABLE snap_b (id int PRIMARY KEY, t text)");
  sql.exec(
      "INSERT INTO snap_a VALUES (1, 1.5, '2024-01-01 00:00:00+00', '\\x01'), "
      "(2, -2.25, '2024-01-02 10:00:00.5+02', NULL), (3, NULL, NULL, '\\xff')");
  sql.exec("INSERT INTO snap_b VALUES (1, E'tab\\there'), (2, E'line\\nbreak \\\\ slash')");
  SiphonHarness h(pg, "snapmark");
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.snap_.*";
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_b"), 2)) << h.log();
  h.wait_until_streaming(sql);
  sql.exec("INSERT INTO snap_a VALUES (4, 1.5, '2024-01-01 00:00:00+00', '\\x01')");
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_a"), 4)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();

  auto a = h.records(h.topic("snap_a"));
  auto b = h.records(h.topic("snap_b"));
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(b.size(), 2u);
  auto payload = [](const json& r) { return r["value"]["payload"]; };
  std::vector<std::string> markers;
  for (size_t i = 0; i < 3; ++i) markers.push_back(payload(a[i])["source"]["snapshot"]);
  for (size_t i = 0; i < 2; ++i) markers.push_back(payload(b[i])["source"]["snapshot"]);
  EXPECT_EQ(markers, (std::vector<std::string>{"first", "true", "last_in_data_collection",
                                               "first_in_data_collection", "last"}));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(payload(a[i])["op"], "r");
    EXPECT_TRUE(payload(a[i])["before"].is_null());
    EXPECT_EQ(a[i]["key"]["payload"]["id"], i + 1);
  }
  EXPECT_EQ(payload(b[0])["after"]["t"], "tab\there");
  EXPECT_EQ(payload(b[1])["after"]["t"], "line\nbreak \\ slash");
  EXPECT_EQ(payload(a[1])["after"]["ts"], "2024-01-02T08:00:00.500000Z");

  // The streamed row equals the snapshot row with the same values: one converter for both.
  const json& streamed = payload(a[3]);
  EXPECT_EQ(streamed["op"], "c");
  EXPECT_EQ(streamed["source"]["snapshot"], "false");
  json snapshot_after = payload(a[0])["after"];
  json streamed_after = streamed["after"];
  snapshot_after.erase("id");
  streamed_after.erase("id");
  EXPECT_EQ(snapshot_after, streamed_after);
  // The same schema too.
  EXPECT_EQ(a[0]["value"]["schema"], a[3]["value"]["schema"]);

  auto offset = h.stored_offset();
  ASSERT_TRUE(offset);
  EXPECT_FALSE(offset->contains("snapshot_completed") && (*offset)["snapshot_completed"] == false);
}

// The snapshot's visibility, from Siphon's log: "visible: xmin:xmax:xip1,xip2".
struct Visibility {
  uint64_t xmin = 0, xmax = 0;
  std::set<uint64_t> in_progress;
  bool visible(uint64_t xid) const {
    if (xid < xmin) return true;
    if (xid >= xmax) return false;
    return !in_progress.count(xid);
  }
};

std::optional<Visibility> snapshot_visibility(const std::string& log) {
  std::smatch m;
  if (!std::regex_search(log, m, std::regex(R"(visible: (\d+):(\d+):([0-9,]*))"))) return {};
  Visibility v;
  v.xmin = std::stoull(m[1]);
  v.xmax = std::stoull(m[2]);
  std::stringstream list(m[3]);
  std::string xid;
  while (std::getline(list, xid, ',')) {
    if (!xid.empty()) v.in_progress.insert(std::stoull(xid));
  }
  return v;
}

TEST_F(PostgresSnapshot, EveryTransactionArrivesExactlyOnceAcrossTheHandOff) {
  // A writer commits at least 200 transactions a second from before the slot exists until
  // Siphon has caught up. Each transaction must be in the snapshot or in the stream, once.
  SiphonHarness h(pg, "handoff");
  WorkloadOptions o;
  o.conninfo = pg.conninfo();
  o.tables = {"public.handoff_a", "public.handoff_b"};
  o.rows_per_table = 300;
  o.seed = 42;
  o.target_tx_per_sec = 0;  // as fast as one connection goes: well over 200 a second
  Workload workload(o);
  workload.create_tables();
  workload.run_transactions(300);  // rows for the snapshot to read
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.handoff_.*";
  WorkloadStats stats;
  std::jthread writer([&](std::stop_token stop) { stats = workload.run(stop); });
  std::this_thread::sleep_for(1s);
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  std::this_thread::sleep_for(3s);
  writer.request_stop();
  writer.join();

  auto visibility = snapshot_visibility(h.log());
  ASSERT_TRUE(visibility) << h.log();
  // The changes expected in the stream: transactions the snapshot could not see.
  std::filesystem::path streamed_log = h.dir() / "streamed.jsonl";
  int64_t in_snapshot = 0, after = 0;
  {
    WorkloadLog log(streamed_log);
    for (const auto& tx : workload.committed()) {
      if (visibility->visible(tx.full_xid)) {
        ++in_snapshot;
      } else {
        log.append(tx.to_logged());
        ++after;
      }
    }
  }
  EXPECT_GT(in_snapshot, 300);
  EXPECT_GT(after, 200);
  double rate = static_cast<double>(stats.committed) /
                std::max<double>(1, std::chrono::duration<double>(stats.elapsed).count());
  EXPECT_GE(rate, 200) << "the writer was too slow to prove anything";

  CheckInputs in;
  in.sink_dir = h.sink_dir();
  in.committed_log = streamed_log;
  in.prefix = h.prefix();
  in.conninfo = pg.conninfo();
  CheckReport report;
  for (int i = 0; i < 60; ++i) {
    report = check(in);
    if (report.missing == 0 && report.state_mismatches() == 0) break;
    std::this_thread::sleep_for(500ms);
  }
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  report = check(in);
  EXPECT_TRUE(report.ok(false)) << report.to_string();
  EXPECT_EQ(report.missing, 0);
  EXPECT_EQ(report.phantom, 0);  // a transaction of the snapshot streamed again
  EXPECT_EQ(report.duplicates(), 0);
  EXPECT_EQ(report.state_mismatches(), 0);
  EXPECT_GT(report.snapshot_events, 0);
  std::cout << report.summary() << "writer: " << rate << " transactions/s; " << in_snapshot
            << " in the snapshot, " << after << " streamed" << std::endl;
}

TEST_F(PostgresSnapshot, AnInterruptedSnapshotIsTakenAgainFromANewSlot) {
  sql.exec("CREATE TABLE snap_crash (id int PRIMARY KEY, v text)");
  sql.exec("INSERT INTO snap_crash SELECT g, 'row ' || g FROM generate_series(1, 3000) g");
  SiphonHarness h(pg, "snapcrash");
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.snap_crash";
  h.props["debezium.source.max.batch.size"] = "100";
  // Rows are read far faster than the sink stores them; 1 ms a row lets part of the snapshot
  // be delivered and its offset stored before the kill, whatever the machine's load.
  auto crashed =
      h.start({{"SIPHON_FAILPOINT", "snapshot.row:1500"}, {"SIPHON_DELAY", "snapshot.row:1"}});
  auto status = crashed.wait(60s);
  ASSERT_TRUE(status) << h.log();
  ASSERT_EQ(status->signal, SIGKILL) << h.log();
  auto offset = h.stored_offset();
  ASSERT_TRUE(offset) << "some of the snapshot should have been delivered and stored";
  EXPECT_EQ((*offset)["snapshot_completed"], false);
  std::string old_slot = sql.scalar(
      "SELECT confirmed_flush_lsn FROM pg_replication_slots "
      "WHERE slot_name = '" +
      h.slot() + "'");
  // Written while Siphon is down, after the first slot was created: the new snapshot has it.
  sql.exec("INSERT INTO snap_crash VALUES (3001, 'while down')");

  auto siphon = h.start();
  h.wait_until_streaming(sql);
  // The slot is active while it is created and while the new snapshot runs; 3002 must commit
  // after the new consistent point, so wait until Siphon streams (the killed run never did).
  for (int i = 0; i < 1200 && h.log().find("streaming from slot") == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_NE(h.log().find("streaming from slot"), std::string::npos) << h.log();
  sql.exec("INSERT INTO snap_crash VALUES (3002, 'streamed')");

  // The file also holds the killed run's rows, so count distinct keys, not lines.
  std::map<int, std::vector<std::string>> ops;  // id -> ops in order
  auto read_ops = [&] {
    ops.clear();
    for (const auto& r : h.records(h.topic("snap_crash"))) {
      ops[r["key"]["payload"]["id"].get<int>()].push_back(r["value"]["payload"]["op"]);
    }
  };
  for (int i = 0; i < 600; ++i) {
    read_ops();
    if (ops.size() == 3002u) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  EXPECT_NE(h.log().find("interrupted"), std::string::npos) << h.log();
  read_ops();
  ASSERT_EQ(ops.size(), 3002u) << h.log();
  for (int id = 1; id <= 3001; ++id) {
    ASSERT_FALSE(ops[id].empty()) << id;
    for (const auto& op : ops[id]) EXPECT_EQ(op, "r") << id;  // snapshot rows, never streamed
  }
  EXPECT_EQ(ops[3002], (std::vector<std::string>{"c"}));
  auto final_offset = h.stored_offset();
  ASSERT_TRUE(final_offset);
  EXPECT_FALSE(final_offset->contains("snapshot"));
  (void)old_slot;
}

// A snapshot read on a slot that already existed must not drop that slot when it is
// interrupted: the slot holds every change since its position, and a new slot would start
// after them. Run 1 creates the slot and dies before storing any offset; run 2 finds the slot
// but no offset, snapshots on the existing slot and dies in the middle; run 3 must snapshot
// again on the same slot and stream the changes made since run 1's consistent point.
TEST_F(PostgresSnapshot, AnInterruptedSnapshotOnAnExistingSlotKeepsTheSlotAndItsChanges) {
  sql.exec("CREATE TABLE snap_kept (id int PRIMARY KEY, v text)");
  sql.exec("INSERT INTO snap_kept SELECT g, 'row ' || g FROM generate_series(1, 3000) g");
  SiphonHarness h(pg, "snapkept");
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.snap_kept";
  h.props["debezium.source.max.batch.size"] = "100";

  auto first = h.start({{"SIPHON_FAILPOINT", "offset.before_store:1"}});
  auto status = first.wait(60s);
  ASSERT_TRUE(status) << h.log();
  ASSERT_EQ(status->signal, SIGKILL) << h.log();
  ASSERT_FALSE(h.stored_offset()) << "run 1 dies before its first offset is stored";
  ASSERT_EQ(
      sql.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + h.slot() + "'"),
      "1");
  sql.exec("INSERT INTO snap_kept VALUES (3001, 'after the slot was created')");

  auto second =
      h.start({{"SIPHON_FAILPOINT", "snapshot.row:1500"}, {"SIPHON_DELAY", "snapshot.row:1"}});
  status = second.wait(60s);
  ASSERT_TRUE(status) << h.log();
  ASSERT_EQ(status->signal, SIGKILL) << h.log();
  auto offset = h.stored_offset();
  ASSERT_TRUE(offset) << "part of run 2's snapshot should have been stored";
  EXPECT_EQ((*offset)["snapshot_completed"], false);
  EXPECT_EQ((*offset)["siphon.snapshot_created_slot"], false);
  sql.exec("INSERT INTO snap_kept VALUES (3002, 'while down')");

  auto siphon = h.start();
  for (int i = 0; i < 1200 && h.log().find("streaming from slot") == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_NE(h.log().find("streaming from slot"), std::string::npos) << h.log();
  sql.exec("INSERT INTO snap_kept VALUES (3003, 'streamed')");

  std::map<int, std::vector<std::string>> ops;  // id -> ops in order, all three runs
  auto read_ops = [&] {
    ops.clear();
    for (const auto& r : h.records(h.topic("snap_kept"))) {
      ops[r["key"]["payload"]["id"].get<int>()].push_back(r["value"]["payload"]["op"]);
    }
  };
  auto has = [&](int id, const std::string& op) {
    return std::find(ops[id].begin(), ops[id].end(), op) != ops[id].end();
  };
  for (int i = 0; i < 600; ++i) {
    read_ops();
    if (has(3001, "c") && has(3002, "c") && has(3003, "c")) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  read_ops();
  EXPECT_EQ(h.log().find("dropping slot"), std::string::npos) << h.log();
  for (int id = 1; id <= 3000; ++id) ASSERT_TRUE(has(id, "r")) << id;
  // Changes committed after run 1's consistent point arrive as changes, from the kept slot.
  EXPECT_TRUE(has(3001, "c")) << h.log();
  EXPECT_TRUE(has(3002, "c")) << h.log();
  EXPECT_EQ(ops[3003], (std::vector<std::string>{"c"}));
  auto final_offset = h.stored_offset();
  ASSERT_TRUE(final_offset);
  EXPECT_FALSE(final_offset->contains("snapshot"));
}

TEST_F(PostgresSnapshot, InitialOnlyStopsAfterTheSnapshotAndNeverTakesNone) {
  sql.exec("CREATE TABLE snap_only (id int PRIMARY KEY)");
  sql.exec("INSERT INTO snap_only SELECT generate_series(1, 10)");
  SiphonHarness only(pg, "snaponly");
  only.props["debezium.source.publication.autocreate.mode"] = "filtered";
  only.props["debezium.source.table.include.list"] = "public\\.snap_only";
  only.props["debezium.source.snapshot.mode"] = "initial_only";
  auto r = only.run_to_exit(60s);
  EXPECT_TRUE(r.status.success()) << r.err;
  EXPECT_EQ(only.records(only.topic("snap_only")).size(), 10u);

  SiphonHarness never(pg, "snapnever");
  never.props["debezium.source.publication.autocreate.mode"] = "filtered";
  never.props["debezium.source.table.include.list"] = "public\\.snap_only";
  never.props["debezium.source.snapshot.mode"] = "never";
  auto siphon = never.start();
  never.wait_until_streaming(sql);
  sql.exec("INSERT INTO snap_only VALUES (11)");
  ASSERT_TRUE(never.wait_for_records(never.topic("snap_only"), 1)) << never.log();
  ASSERT_TRUE(siphon.stop().success());
  auto recs = never.records(never.topic("snap_only"));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["value"]["payload"]["op"], "c");
}

// A stored offset whose slot is gone cannot be served: the changes since it are lost. Under
// `initial` Siphon fails naming the slot and the reason; under `when_needed` it takes a new
// snapshot from a new slot, as Debezium does (spec/debezium-compat.md §4).
TEST_F(PostgresSnapshot, AMissingSlotFailsUnderInitialAndIsResnapshottedUnderWhenNeeded) {
  sql.exec("CREATE TABLE snap_gone (id int PRIMARY KEY, t text)");
  sql.exec("INSERT INTO snap_gone VALUES (1, 'a'), (2, 'b')");
  SiphonHarness h(pg, "snapgone");
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.snap_gone";
  h.props["debezium.source.snapshot.mode"] = "when_needed";
  {
    auto siphon = h.start();
    ASSERT_TRUE(h.wait_for_records(h.topic("snap_gone"), 2)) << h.log();
    h.wait_until_streaming(sql);
    ASSERT_TRUE(siphon.stop().success()) << h.log();
  }
  ASSERT_TRUE(h.stored_offset());
  // The slot disappears while Siphon is stopped, and a change is made that no slot holds.
  sql.exec("SELECT pg_drop_replication_slot('" + h.slot() + "')");
  sql.exec("INSERT INTO snap_gone VALUES (3, 'c')");

  h.props["debezium.source.snapshot.mode"] = "initial";
  auto r = h.run_to_exit(60s);
  EXPECT_EQ(r.status.code, 1) << r.err;
  EXPECT_NE(r.err.find("replication slot '" + h.slot() + "' does not exist"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("snapshot.mode=when_needed"), std::string::npos) << r.err;
  EXPECT_EQ(h.records(h.topic("snap_gone")).size(), 2u);

  h.props["debezium.source.snapshot.mode"] = "when_needed";
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_gone"), 5)) << h.log();
  h.wait_until_streaming(sql);
  sql.exec("INSERT INTO snap_gone VALUES (4, 'd')");
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_gone"), 6)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto recs = h.records(h.topic("snap_gone"));
  ASSERT_EQ(recs.size(), 6u);
  for (size_t i = 2; i < 5; ++i) {
    EXPECT_EQ(recs[i]["value"]["payload"]["op"], "r") << i;
    EXPECT_EQ(recs[i]["key"]["payload"]["id"], i - 1) << i;
  }
  EXPECT_EQ(recs[5]["value"]["payload"]["op"], "c");
  EXPECT_EQ(recs[5]["key"]["payload"]["id"], 4);
}

}  // namespace
}  // namespace siphon::testing
