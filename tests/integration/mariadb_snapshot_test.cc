// The MariaDB initial snapshot and its hand-off to the binlog stream, against a real MariaDB
// 10.11 started by the harness (one server per test process: ctest runs each test alone).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "integration/mariadb_siphon_harness.h"
#include "integration/siphon_harness.h"
#include "support/checker.h"
#include "support/mariadb_gtid.h"
#include "support/mariadb_server.h"
#include "support/workload.h"
#include "support/workload_log.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

json payload(const json& record) {
  return payload_of(record["value"]);
}

// Gives the connector a file schema history in its directory; returns the file.
std::filesystem::path use_file_history(MariaDbSiphonHarness& h) {
  std::filesystem::path history = h.dir() / "history.jsonl";
  h.props["debezium.source.schema.history.internal"] =
      "io.debezium.storage.file.history.FileSchemaHistory";
  h.props["debezium.source.schema.history.internal.file.filename"] = history.string();
  return history;
}

// The records of a file schema history, in order.
std::vector<json> history_records(const std::filesystem::path& history) {
  std::vector<json> out;
  std::ifstream in(history);
  std::string line;
  while (std::getline(in, line)) out.push_back(json::parse(line));
  return out;
}

size_t count_ddl(const std::vector<json>& records, const std::string& ddl) {
  return static_cast<size_t>(std::count_if(records.begin(), records.end(),
                                           [&](const json& r) { return r["ddl"] == ddl; }));
}

class MariaDbSnapshot : public ::testing::Test {
 protected:
  MariaDbServer& server = shared_mariadb_server();
  MariaDbConnection sql = server.connect();
};

TEST_F(MariaDbSnapshot, ReadsExistingRowsOfEveryCapturedDatabaseWithMarkersThenStreams) {
  sql.exec(
      "CREATE DATABASE snap_a; CREATE DATABASE snap_b; CREATE DATABASE snap_skip;"
      "CREATE TABLE snap_a.items (id INT PRIMARY KEY, name VARCHAR(20));"
      "CREATE TABLE snap_b.orders (id BIGINT PRIMARY KEY, qty INT NOT NULL);"
      "CREATE TABLE snap_skip.noise (id INT PRIMARY KEY);"
      "INSERT INTO snap_a.items VALUES (1, 'one'), (2, NULL), (3, 'three');"
      "INSERT INTO snap_b.orders VALUES (10, 5), (11, 6);"
      "INSERT INTO snap_skip.noise VALUES (1)");
  MariaDbSiphonHarness h(server, "msnapmark");
  h.props["debezium.source.snapshot.mode"] = "initial";
  h.props["debezium.source.database.include.list"] = "snap_a,snap_b";
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_b", "orders"), 2)) << h.log();
  h.wait_until_streaming();
  sql.exec("INSERT INTO snap_a.items VALUES (4, 'four')");
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_a", "items"), 4)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();

  auto a = h.records(h.topic("snap_a", "items"));
  auto b = h.records(h.topic("snap_b", "orders"));
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_TRUE(h.records(h.topic("snap_skip", "noise")).empty());
  std::vector<std::string> markers;
  for (size_t i = 0; i < 3; ++i) markers.push_back(payload(a[i])["source"]["snapshot"]);
  for (size_t i = 0; i < 2; ++i) markers.push_back(payload(b[i])["source"]["snapshot"]);
  EXPECT_EQ(markers, (std::vector<std::string>{"first", "true", "last_in_data_collection",
                                               "first_in_data_collection", "last"}));
  for (size_t i = 0; i < 3; ++i) {
    const json p = payload(a[i]);
    EXPECT_EQ(p["op"], "r");
    EXPECT_TRUE(p["before"].is_null());
    EXPECT_EQ(payload_of(a[i]["key"])["id"], i + 1);
    // Every snapshot record names the binlog position the snapshot was read at.
    EXPECT_EQ(p["source"]["server_id"], 0);
    EXPECT_EQ(p["source"]["file"], payload(b[0])["source"]["file"]);
    EXPECT_EQ(p["source"]["pos"], payload(b[0])["source"]["pos"]);
    EXPECT_EQ(p["source"]["db"], "snap_a");
    EXPECT_EQ(p["source"]["table"], "items");
  }
  EXPECT_EQ(payload(a[0])["after"]["name"], "one");
  EXPECT_TRUE(payload(a[1])["after"]["name"].is_null());
  EXPECT_EQ(payload(b[1])["after"]["qty"], 6);
  const json streamed = payload(a[3]);
  EXPECT_EQ(streamed["op"], "c");
  EXPECT_EQ(streamed["source"]["snapshot"], "false");
  EXPECT_EQ(a[0]["value"]["schema"], a[3]["value"]["schema"]);

  // The lock of locking mode minimal is reported with its duration.
  EXPECT_NE(h.log().find("global read lock held for"), std::string::npos) << h.log();
  auto offset = h.stored_offset();
  ASSERT_TRUE(offset);
  EXPECT_FALSE(offset->contains("snapshot_completed") && (*offset)["snapshot_completed"] == false);

  // A restart does not snapshot again.
  auto again = h.start();
  h.wait_until_streaming();
  sql.exec("INSERT INTO snap_b.orders VALUES (12, 7)");
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_b", "orders"), 3)) << h.log();
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(again.stop().success()) << h.log();
  EXPECT_EQ(h.records(h.topic("snap_b", "orders")).size(), 3u);
  EXPECT_EQ(h.records(h.topic("snap_a", "items")).size(), 4u);
}

TEST_F(MariaDbSnapshot, SnapshotValuesAndSchemasEqualStreamedOnesForEveryType) {
  // The snapshot reads text over SQL, the stream decodes binary row images: the same values
  // must give the same events.
  const std::string columns =
      "j JSON, u UUID, i4 INET4, i6 INET6, big BIGINT UNSIGNED, sbig BIGINT, ti TINYINT, "
      "tu TINYINT UNSIGNED, sm SMALLINT, mi MEDIUMINT UNSIGNED, bo BOOLEAN, f FLOAT, "
      "dbl DOUBLE, d DECIMAL(12,3), d0 DECIMAL(30,0), tm TIME(2), tm0 TIME, y YEAR, "
      "da DATE, zda DATE, dt DATETIME(6), dt0 DATETIME, ts TIMESTAMP(3) NULL, zts TIMESTAMP NULL, "
      "b BIT(3), b64 BIT(64), e ENUM('x','y'), s SET('p','q','it''s'), "
      "l VARCHAR(10) CHARACTER SET latin1, c CHAR(5), bin BINARY(4), vb VARBINARY(8), "
      "bl BLOB, tx TEXT, u2 VARCHAR(10) CHARACTER SET ucs2, u3 VARCHAR(10) CHARACTER SET utf8mb3, "
      "u4 VARCHAR(10) CHARACTER SET utf8mb4, g POINT, n INT";
  const std::string values =
      "'{\"k\": [1, 2.5]}', '123e4567-e89b-12d3-a456-426614174000', '10.0.0.1', "
      "'2001:db8::1', 18446744073709551615, -9223372036854775808, -128, 255, -32768, "
      "16777215, TRUE, 3.14159274, 2.718281828459045, -123456789.125, "
      "123456789012345678901234567890, '-838:59:59.99', '12:00:00', 2024, '2024-02-29', "
      "'0000-00-00', '2024-05-06 07:08:09.123456', '1970-01-01 00:00:00', "
      "'2024-05-06 07:08:09.123', '0000-00-00 00:00:00', b'101', "
      "b'1111111111111111111111111111111111111111111111111111111111111111', 'y', "
      "'p,it''s', _latin1 x'e9e0', 'ab', x'0102', x'00ff00', x'deadbeef', 'long text', "
      "'Ω€é', 'Ω€é', '\xF0\x9F\x98\x80✓', ST_GeomFromText('POINT(1 2)'), NULL";
  sql.exec("SET SESSION sql_mode = ''");
  sql.exec("CREATE DATABASE snap_types; CREATE TABLE snap_types.t (id INT PRIMARY KEY, " + columns +
           ")");
  sql.exec("INSERT INTO snap_types.t VALUES (1, " + values + ")");
  for (const char* mode : {"adaptive_time_microseconds", "connect"}) {
    SCOPED_TRACE(mode);
    MariaDbSiphonHarness h(server, std::string("msnaptypes_") + mode[0]);
    h.props["debezium.source.snapshot.mode"] = "initial";
    h.props["debezium.source.database.include.list"] = "snap_types";
    h.props["debezium.source.time.precision.mode"] = mode;
    h.props["debezium.source.binary.handling.mode"] = "hex";
    h.props["debezium.source.bigint.unsigned.handling.mode"] = "precise";
    auto siphon = h.start();
    ASSERT_TRUE(h.wait_for_records(h.topic("snap_types", "t"), 1)) << h.log();
    h.wait_until_streaming();
    const int id = mode[0] == 'a' ? 2 : 3;
    sql.exec("SET SESSION sql_mode = ''");
    sql.exec("INSERT INTO snap_types.t VALUES (" + std::to_string(id) + ", " + values + ")");
    ASSERT_TRUE(h.wait_for_records(h.topic("snap_types", "t"), 2)) << h.log();
    ASSERT_TRUE(siphon.stop().success()) << h.log();
    sql.exec("DELETE FROM snap_types.t WHERE id = " + std::to_string(id));  // not in the next
    auto records = h.records(h.topic("snap_types", "t"));
    ASSERT_EQ(records.size(), 2u);
    json snapshot_after = payload(records[0])["after"];
    json streamed_after = payload(records[1])["after"];
    EXPECT_EQ(payload(records[0])["op"], "r");
    EXPECT_EQ(payload(records[1])["op"], "c");
    snapshot_after.erase("id");
    streamed_after.erase("id");
    for (auto it = streamed_after.begin(); it != streamed_after.end(); ++it) {
      EXPECT_EQ(snapshot_after[it.key()], it.value()) << "column " << it.key();
    }
    EXPECT_EQ(snapshot_after.size(), streamed_after.size());
    EXPECT_EQ(records[0]["value"]["schema"], records[1]["value"]["schema"]);
    EXPECT_EQ(records[0]["key"]["schema"], records[1]["key"]["schema"]);
    // A few values spelled out, so that equal-but-wrong cannot pass.
    EXPECT_EQ(snapshot_after["u"], "123e4567-e89b-12d3-a456-426614174000");
    EXPECT_EQ(snapshot_after["i6"], "2001:db8::1");
    EXPECT_EQ(snapshot_after["e"], "y");
    EXPECT_EQ(snapshot_after["s"], "p,it's");
    EXPECT_EQ(snapshot_after["l"], "\u00e9\u00e0");
    EXPECT_EQ(snapshot_after["bin"], "01020000");
    EXPECT_EQ(snapshot_after["ts"], "2024-05-06T07:08:09.123Z");
    EXPECT_EQ(snapshot_after["u2"], "Ω€é");
    EXPECT_TRUE(snapshot_after["n"].is_null());
  }
}

// BOOLEAN is TINYINT(1) to the server: INT16 with the source type TINYINT and length 1, for a
// snapshotted table and for one created while streaming alike (Debezium's DBZ-6225 behaviour).
TEST_F(MariaDbSnapshot, BooleanColumnsAreTinyintOneInTheSnapshotAndTheStream) {
  sql.exec(
      "CREATE DATABASE snap_bool; CREATE TABLE snap_bool.before_start (id INT PRIMARY KEY, "
      "b1 BOOLEAN DEFAULT TRUE, b2 BOOL DEFAULT FALSE);"
      "INSERT INTO snap_bool.before_start VALUES (1, TRUE, 9)");
  MariaDbSiphonHarness h(server, "msnapbool");
  h.props["debezium.source.snapshot.mode"] = "initial";
  h.props["debezium.source.database.include.list"] = "snap_bool";
  h.props["debezium.source.column.propagate.source.type"] = "snap_bool\\..*";
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_bool", "before_start"), 1)) << h.log();
  h.wait_until_streaming();
  sql.exec(
      "CREATE TABLE snap_bool.after_start (id INT PRIMARY KEY, b1 BOOLEAN DEFAULT TRUE, "
      "b2 BOOL DEFAULT FALSE); INSERT INTO snap_bool.after_start VALUES (1, TRUE, 9)");
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_bool", "after_start"), 1)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  for (const char* table : {"before_start", "after_start"}) {
    SCOPED_TRACE(table);
    const json record = h.records(h.topic("snap_bool", table)).at(0);
    EXPECT_EQ(payload(record)["after"]["b1"], 1);
    EXPECT_EQ(payload(record)["after"]["b2"], 9);
    for (const char* column : {"b1", "b2"}) {
      const json field = after_field(record, column);
      EXPECT_EQ(field["type"], "int16") << field;
      EXPECT_EQ(field["parameters"]["__debezium.source.column.type"], "TINYINT") << field;
      EXPECT_EQ(field["parameters"]["__debezium.source.column.length"], "1") << field;
    }
    EXPECT_EQ(after_field(record, "b1")["default"], 1);
    EXPECT_EQ(after_field(record, "b2")["default"], 0);
  }
}

TEST_F(MariaDbSnapshot, AnInterruptedSnapshotIsTakenAgainFromScratch) {
  sql.exec(
      "CREATE DATABASE snap_crash; CREATE TABLE snap_crash.t (id INT PRIMARY KEY, v TEXT);"
      "INSERT INTO snap_crash.t SELECT seq, CONCAT('row ', seq) FROM snap_crash.seq_1_to_2000");
  MariaDbSiphonHarness h(server, "msnapcrash");
  h.props["debezium.source.snapshot.mode"] = "initial";
  h.props["debezium.source.database.include.list"] = "snap_crash";
  h.props["debezium.source.offset.flush.interval.ms"] = "0";
  // Killed at the 700th snapshot row: its offset says the snapshot is incomplete. Rows are
  // slowed to 1 ms so that the first ones are delivered and their offset stored by then.
  auto killed =
      h.start({{"SIPHON_FAILPOINT", "snapshot.row:700"}, {"SIPHON_DELAY", "snapshot.row:1"}});
  auto status = killed.wait(60s);
  ASSERT_TRUE(status) << h.log();
  ASSERT_EQ(status->signal, SIGKILL) << status->describe() << "\n" << h.log();
  auto offset = h.stored_offset();
  ASSERT_TRUE(offset) << h.log();
  EXPECT_EQ((*offset)["snapshot_completed"], false) << offset->dump();
  const size_t delivered_before = h.records(h.topic("snap_crash", "t")).size();
  EXPECT_GT(delivered_before, 0u);
  EXPECT_LT(delivered_before, 2000u);

  sql.exec("UPDATE snap_crash.t SET v = 'changed' WHERE id = 1");  // between the two snapshots
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_crash", "t"), delivered_before + 2000)) << h.log();
  h.wait_until_streaming();
  sql.exec("INSERT INTO snap_crash.t VALUES (5000, 'streamed')");
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_crash", "t"), delivered_before + 2001)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();

  // The second snapshot read every row (with the update), then streaming went on.
  auto records = h.records(h.topic("snap_crash", "t"));
  ASSERT_EQ(records.size(), delivered_before + 2001);
  std::set<int64_t> second;
  for (size_t i = delivered_before; i < delivered_before + 2000; ++i) {
    EXPECT_EQ(payload(records[i])["op"], "r");
    second.insert(payload_of(records[i]["key"])["id"].get<int64_t>());
  }
  EXPECT_EQ(second.size(), 2000u);
  EXPECT_EQ(payload(records[delivered_before])["after"]["v"], "changed");
  EXPECT_EQ(payload(records.back())["op"], "c");
  auto done = h.stored_offset();
  ASSERT_TRUE(done);
  EXPECT_FALSE(done->contains("snapshot_completed") && (*done)["snapshot_completed"] == false);
}

TEST_F(MariaDbSnapshot, InitialOnlyStopsAfterTheSnapshotAndNeverStreams) {
  sql.exec(
      "CREATE DATABASE snap_only; CREATE TABLE snap_only.t (id INT PRIMARY KEY);"
      "INSERT INTO snap_only.t VALUES (1), (2), (3)");
  MariaDbSiphonHarness h(server, "msnaponly");
  h.props["debezium.source.snapshot.mode"] = "initial_only";
  h.props["debezium.source.database.include.list"] = "snap_only";
  auto result = h.run_to_exit(60s);
  EXPECT_EQ(result.status.code, 0) << result.err << h.log();
  EXPECT_EQ(h.records(h.topic("snap_only", "t")).size(), 3u);
  EXPECT_EQ(h.log().find(MariaDbSiphonHarness::kStreamingLogText), std::string::npos) << h.log();
  // Started again: the snapshot is complete, nothing to do.
  sql.exec("INSERT INTO snap_only.t VALUES (4)");
  auto again = h.run_to_exit(60s);
  EXPECT_EQ(again.status.code, 0) << again.err;
  EXPECT_EQ(h.records(h.topic("snap_only", "t")).size(), 3u);
}

TEST_F(MariaDbSnapshot, APurgedStoredPositionFailsUnderInitialAndIsResnapshottedUnderWhenNeeded) {
  sql.exec(
      "CREATE DATABASE snap_purge; CREATE TABLE snap_purge.t (id INT PRIMARY KEY);"
      "INSERT INTO snap_purge.t VALUES (1)");
  MariaDbSiphonHarness h(server, "msnappurge");
  h.props["debezium.source.snapshot.mode"] = "initial";
  h.props["debezium.source.database.include.list"] = "snap_purge";
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_purge", "t"), 1)) << h.log();
  h.wait_until_streaming();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  const json stored = *h.stored_offset();

  // While Siphon is stopped the binlogs holding its position go away, changes with them.
  sql.exec("INSERT INTO snap_purge.t VALUES (2)");
  sql.exec("FLUSH BINARY LOGS");
  sql.exec("FLUSH BINARY LOGS");
  const std::string current = sql.query("SHOW MASTER STATUS").at(0).at(0).value();
  // The server keeps a binlog until its binlog checkpoint is written, a moment after the flush.
  for (int i = 0; i < 100; ++i) {
    sql.exec("PURGE BINARY LOGS TO '" + current + "'");
    if (sql.query("SHOW BINARY LOGS").size() == 1) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(sql.query("SHOW BINARY LOGS").size(), 1u);
  sql.exec("INSERT INTO snap_purge.t VALUES (3)");

  auto failed = h.run_to_exit(60s);
  EXPECT_EQ(failed.status.code, 1) << failed.err;
  EXPECT_NE(failed.err.find("the stored GTID position " + stored["gtids"].get<std::string>() +
                            " is not in the binlogs of"),
            std::string::npos)
      << failed.err;
  EXPECT_NE(failed.err.find("when_needed"), std::string::npos) << failed.err;
  EXPECT_EQ(*h.stored_offset(), stored);  // nothing moved

  h.props["debezium.source.snapshot.mode"] = "when_needed";
  auto resnap = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_purge", "t"), 4)) << h.log();
  h.wait_until_streaming();
  sql.exec("INSERT INTO snap_purge.t VALUES (4)");
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_purge", "t"), 5)) << h.log();
  ASSERT_TRUE(resnap.stop().success()) << h.log();
  auto records = h.records(h.topic("snap_purge", "t"));
  std::vector<std::string> seen;
  for (const json& r : records) {
    seen.push_back(payload(r)["op"].get<std::string>() + ":" + payload_of(r["key"])["id"].dump());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"r:1", "r:1", "r:2", "r:3", "c:4"}));
}

// no_data (legacy schema_only), as Debezium's binlog connectors: the schemas are snapshotted
// (under the global read lock, at a position of their own: CREATE records on the prefix topic
// and in the schema history), the rows are not; streaming starts at that position.
TEST_F(MariaDbSnapshot, NoDataSnapshotsTheSchemasButNotTheRows) {
  sql.exec(
      "CREATE DATABASE snap_nodata; CREATE TABLE snap_nodata.t (id INT PRIMARY KEY, d INT "
      "DEFAULT 5); INSERT INTO snap_nodata.t VALUES (1, 1), (2, 2)");
  MariaDbSiphonHarness h(server, "msnapnodata");
  const std::filesystem::path history = use_file_history(h);
  h.props["debezium.source.snapshot.mode"] = "no_data";
  h.props["debezium.source.database.include.list"] = "snap_nodata";
  auto siphon = h.start();
  h.wait_until_streaming();
  sql.exec("INSERT INTO snap_nodata.t (id) VALUES (3)");
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_nodata", "t"), 1)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto rows = h.records(h.topic("snap_nodata", "t"));
  ASSERT_EQ(rows.size(), 1u);  // the existing rows are not read
  EXPECT_EQ(payload(rows[0])["op"], "c");
  EXPECT_EQ(payload_of(rows[0]["key"])["id"], 3);
  EXPECT_NE(h.log().find("global read lock held for"), std::string::npos) << h.log();
  EXPECT_NE(h.log().find("schema snapshot (snapshot.mode=no_data: no rows)"), std::string::npos)
      << h.log();
  auto changes = h.records(h.prefix());
  ASSERT_EQ(changes.size(), 1u);
  const json change = payload(changes[0]);
  EXPECT_EQ(change["tableChanges"][0]["type"], "CREATE");
  EXPECT_EQ(change["tableChanges"][0]["id"], "\"snap_nodata\".\"t\"");
  EXPECT_EQ(change["databaseName"], "snap_nodata");
  EXPECT_EQ(change["source"]["snapshot"], "true");
  EXPECT_EQ(change["ddl"].get<std::string>().rfind("CREATE TABLE `t`", 0), 0u) << change["ddl"];
  std::vector<json> recorded = history_records(history);
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0]["position"]["snapshot"], true);
  EXPECT_EQ(recorded[0]["tableChanges"][0]["type"], "CREATE");
  // The stored offset says the schema snapshot is complete: a restart does not take it again.
  auto again = h.start();
  sql.exec("INSERT INTO snap_nodata.t (id) VALUES (4)");
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_nodata", "t"), 2)) << h.log();
  ASSERT_TRUE(again.stop().success()) << h.log();
  EXPECT_EQ(h.records(h.prefix()).size(), 1u);
}

// never, as Debezium's MySQL connector: no snapshot of any kind, every change the server's
// binlogs still hold, from the oldest one (rows written before Siphon ever started arrive as
// changes, op "c").
TEST_F(MariaDbSnapshot, NeverStreamsEveryChangeTheBinlogsHoldWithoutASnapshot) {
  sql.exec(
      "CREATE DATABASE snap_nev; CREATE TABLE snap_nev.t (id INT PRIMARY KEY);"
      "INSERT INTO snap_nev.t VALUES (1); INSERT INTO snap_nev.t VALUES (2)");
  MariaDbSiphonHarness h(server, "msnapnev");
  h.props["debezium.source.snapshot.mode"] = "never";
  h.props["debezium.source.database.include.list"] = "snap_nev";
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_nev", "t"), 2)) << h.log();
  sql.exec("INSERT INTO snap_nev.t VALUES (3)");
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_nev", "t"), 3)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  std::vector<std::string> seen;
  for (const json& r : h.records(h.topic("snap_nev", "t"))) {
    seen.push_back(payload(r)["op"].get<std::string>() + ":" + payload_of(r["key"])["id"].dump());
    EXPECT_EQ(payload(r)["source"]["snapshot"], "false");
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"c:1", "c:2", "c:3"}));
  EXPECT_NE(h.log().find("streaming every change from the oldest binlog"), std::string::npos)
      << h.log();
  EXPECT_EQ(h.log().find("lock held"), std::string::npos) << h.log();
  // Its schema-change records come from the binlog's own DDL, none from a snapshot.
  auto changes = h.records(h.prefix());
  ASSERT_FALSE(changes.empty());
  for (const json& c : changes) EXPECT_EQ(payload(c)["source"]["snapshot"], "false") << c.dump();
}

// when_needed takes a snapshot when no offset is stored, and not at a restart whose stored
// position the server still has (the purged case is the test above).
TEST_F(MariaDbSnapshot, WhenNeededSnapshotsWithoutAnOffsetAndNotWithAValidOne) {
  sql.exec(
      "CREATE DATABASE snap_wn; CREATE TABLE snap_wn.t (id INT PRIMARY KEY);"
      "INSERT INTO snap_wn.t VALUES (1), (2)");
  MariaDbSiphonHarness h(server, "msnapwn");
  h.props["debezium.source.snapshot.mode"] = "when_needed";
  h.props["debezium.source.database.include.list"] = "snap_wn";
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_wn", "t"), 2)) << h.log();
  h.wait_until_streaming();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  sql.exec("INSERT INTO snap_wn.t VALUES (3)");
  auto again = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_wn", "t"), 3)) << h.log();
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(again.stop().success()) << h.log();
  std::vector<std::string> seen;
  for (const json& r : h.records(h.topic("snap_wn", "t"))) {
    seen.push_back(payload(r)["op"].get<std::string>() + ":" + payload_of(r["key"])["id"].dump());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"r:1", "r:2", "c:3"}));
}

// A start position by binlog file and position (siphon.binlog.start.file/pos), for servers
// without GTIDs, e.g. from a backup's binlog coordinates: streaming starts exactly there.
TEST_F(MariaDbSnapshot, NoDataStartsAtAConfiguredFileAndPosition) {
  sql.exec("CREATE DATABASE snap_fp; CREATE TABLE snap_fp.t (id INT PRIMARY KEY)");
  sql.exec("INSERT INTO snap_fp.t VALUES (1)");
  auto master = sql.query("SHOW MASTER STATUS");
  const std::string file = master.at(0).at(0).value();
  const std::string pos = master.at(0).at(1).value();
  sql.exec("INSERT INTO snap_fp.t VALUES (2)");
  MariaDbSiphonHarness h(server, "msnapfp");
  h.props["debezium.source.database.include.list"] = "snap_fp";
  h.props["siphon.binlog.start.file"] = file;
  h.props["siphon.binlog.start.pos"] = pos;
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_fp", "t"), 1)) << h.log();
  sql.exec("INSERT INTO snap_fp.t VALUES (3)");
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_fp", "t"), 2)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto records = h.records(h.topic("snap_fp", "t"));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(payload_of(records[0]["key"])["id"], 2);
  EXPECT_EQ(payload_of(records[1]["key"])["id"], 3);
  EXPECT_NE(h.log().find("configured binlog position " + file + ":" + pos), std::string::npos)
      << h.log();
  EXPECT_EQ(h.log().find("schema snapshot"), std::string::npos) << h.log();
}

TEST_F(MariaDbSnapshot, NeverStartsAfterAConfiguredGtidPosition) {
  // Tables restored from a backup taken at a known GTID position: no snapshot, streaming
  // starts right after that position.
  sql.exec("CREATE DATABASE snap_never; CREATE TABLE snap_never.t (id INT PRIMARY KEY)");
  sql.exec("INSERT INTO snap_never.t VALUES (1)");
  const std::string backup_position = sql.scalar("SELECT @@gtid_binlog_pos");
  sql.exec("INSERT INTO snap_never.t VALUES (2)");
  sql.exec("INSERT INTO snap_never.t VALUES (3)");
  MariaDbSiphonHarness h(server, "msnapnever");
  h.props["debezium.source.snapshot.mode"] = "never";
  h.props["debezium.source.database.include.list"] = "snap_never";
  h.props["siphon.binlog.start.gtids"] = backup_position;
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_never", "t"), 2)) << h.log();
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto records = h.records(h.topic("snap_never", "t"));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(payload_of(records[0]["key"])["id"], 2);
  EXPECT_EQ(payload_of(records[1]["key"])["id"], 3);
  EXPECT_NE(h.log().find("configured GTID position " + backup_position), std::string::npos)
      << h.log();

  // A start position with a snapshot mode is a contradiction, refused before connecting.
  MariaDbSiphonHarness bad(server, "msnapneverbad");
  bad.props["debezium.source.snapshot.mode"] = "initial";
  bad.props["siphon.binlog.start.gtids"] = backup_position;
  auto refused = bad.run_to_exit(60s);
  EXPECT_EQ(refused.status.code, 2) << refused.err;
  EXPECT_NE(refused.err.find("siphon.binlog.start.gtids"), std::string::npos) << refused.err;
}

// Table locks are taken on the captured tables as listed a moment before; a captured table
// created in between is not locked, so its rows could change during the snapshot. The tables
// are listed again once locked, and a difference starts the snapshot again, which then reads
// the new table too: each row once, as a read, and the stream goes on after it.
TEST_F(MariaDbSnapshot, ATableCreatedWhileTheTableLocksAreTakenStartsTheSnapshotAgain) {
  sql.exec(
      "CREATE DATABASE snap_race; CREATE TABLE snap_race.t (id INT PRIMARY KEY);"
      "INSERT INTO snap_race.t SELECT seq FROM snap_race.seq_1_to_50;"
      "CREATE USER 'snap_race'@'%' IDENTIFIED BY 'race-s3cret';"
      "GRANT SELECT, LOCK TABLES, REPLICATION SLAVE, BINLOG MONITOR, REPLICATION MASTER ADMIN "
      "ON *.* TO 'snap_race'@'%'");
  MariaDbSiphonHarness h(server, "msnaprace");
  h.props["debezium.source.snapshot.mode"] = "initial";
  h.props["debezium.source.database.include.list"] = "snap_race";
  h.props["debezium.source.database.user"] = "snap_race";
  h.props["debezium.source.database.password"] = "race-s3cret";
  auto siphon = h.start({{"SIPHON_DELAY", "snapshot.table_locks:3000"}});
  ASSERT_TRUE(h.wait_for_log("the global read lock is refused", 60s)) << h.log();
  sql.exec(
      "CREATE TABLE snap_race.late (id INT PRIMARY KEY); INSERT INTO snap_race.late VALUES (1)");
  ASSERT_TRUE(h.wait_for_log("the captured tables changed while the snapshot locked them", 60s))
      << h.log();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_race", "late"), 1)) << h.log();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_race", "t"), 50)) << h.log();
  h.wait_until_streaming();
  sql.exec("INSERT INTO snap_race.late VALUES (2)");
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_race", "late"), 2)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();

  auto rows = h.records(h.topic("snap_race", "t"));
  ASSERT_EQ(rows.size(), 50u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(payload(rows[i])["op"], "r") << i;
    EXPECT_EQ(payload_of(rows[i]["key"])["id"], static_cast<int>(i) + 1);
  }
  auto late = h.records(h.topic("snap_race", "late"));
  ASSERT_EQ(late.size(), 2u);
  EXPECT_EQ(payload(late[0])["op"], "r");
  EXPECT_EQ(payload_of(late[0]["key"])["id"], 1);
  EXPECT_EQ(payload(late[1])["op"], "c");
  EXPECT_EQ(payload_of(late[1]["key"])["id"], 2);
  EXPECT_EQ(h.log().find("race-s3cret"), std::string::npos);
}

// snapshot.locking.mode=minimal takes the global read lock only while the schemas are read:
// a write to a captured table commits while the snapshot is still reading rows (they are slowed
// to 10 ms each), and arrives after the snapshot as a change of its own.
TEST_F(MariaDbSnapshot, TheGlobalReadLockIsReleasedBeforeTheRowsAreRead) {
  sql.exec(
      "CREATE DATABASE snap_win; CREATE TABLE snap_win.t (id INT PRIMARY KEY);"
      "INSERT INTO snap_win.t SELECT seq FROM snap_win.seq_1_to_1000");
  MariaDbSiphonHarness h(server, "msnapwin");
  h.props["debezium.source.snapshot.mode"] = "initial";
  h.props["debezium.source.database.include.list"] = "snap_win";
  auto siphon = h.start({{"SIPHON_DELAY", "snapshot.row:10"}});
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_win", "t"), 1)) << h.log();
  sql.exec("INSERT INTO snap_win.t VALUES (5000)");  // would wait for a lock still held
  EXPECT_EQ(h.log().find("snapshot complete"), std::string::npos)
      << "the snapshot ended before the write returned: nothing shown";
  EXPECT_NE(h.log().find("global read lock held for"), std::string::npos) << h.log();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_win", "t"), 1001, 60s)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto records = h.records(h.topic("snap_win", "t"));
  ASSERT_EQ(records.size(), 1001u);
  for (size_t i = 0; i < 1000; ++i) {
    ASSERT_EQ(payload(records[i])["op"], "r") << i;
    ASSERT_NE(payload_of(records[i]["key"])["id"], 5000) << "the later write is not in it";
  }
  EXPECT_EQ(payload(records[1000])["op"], "c");
  EXPECT_EQ(payload_of(records[1000]["key"])["id"], 5000);
}

// Where the global read lock is refused (no RELOAD, as on managed servers), minimal locking
// falls back to read locks on the captured tables, as Debezium does, held until their rows are
// read: a write to a captured table waits for them and arrives once, after the snapshot.
// Without LOCK TABLES either the error names both privileges and the lock-free mode.
TEST_F(MariaDbSnapshot, MinimalLockingFallsBackToTableLocksAndNoneTakesNoLock) {
  sql.exec(
      "CREATE DATABASE snap_lock; CREATE TABLE snap_lock.t (id INT PRIMARY KEY);"
      "CREATE TABLE snap_lock.other (id INT PRIMARY KEY);"
      "INSERT INTO snap_lock.t SELECT seq FROM snap_lock.seq_1_to_200;"
      "CREATE DATABASE snap_free; CREATE TABLE snap_free.t (id INT PRIMARY KEY);"
      "CREATE USER 'snap_norl'@'%' IDENTIFIED BY 'norl-s3cret';"
      "GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR, REPLICATION MASTER ADMIN ON *.* TO "
      "'snap_norl'@'%';"
      "CREATE USER 'snap_lt'@'%' IDENTIFIED BY 'lt-s3cret';"
      "GRANT SELECT, LOCK TABLES, REPLICATION SLAVE, BINLOG MONITOR, REPLICATION MASTER ADMIN "
      "ON *.* TO 'snap_lt'@'%'");
  MariaDbSiphonHarness h(server, "msnaplock");
  h.props["debezium.source.snapshot.mode"] = "initial";
  h.props["debezium.source.database.include.list"] = "snap_lock";
  h.props["debezium.source.table.include.list"] = "snap_lock\\.t";
  h.props["debezium.source.database.user"] = "snap_norl";
  h.props["debezium.source.database.password"] = "norl-s3cret";
  auto failed = h.run_to_exit(60s);
  EXPECT_EQ(failed.status.code, 1) << failed.err;
  EXPECT_NE(failed.err.find("RELOAD"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("LOCK TABLES"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("snapshot.locking.mode=none"), std::string::npos) << failed.err;
  EXPECT_EQ(failed.err.find("norl-s3cret"), std::string::npos);
  EXPECT_EQ(h.log().find("norl-s3cret"), std::string::npos);

  MariaDbSiphonHarness locks(server, "msnaplockt");
  locks.props["debezium.source.snapshot.mode"] = "initial";
  locks.props["debezium.source.database.include.list"] = "snap_lock";
  locks.props["debezium.source.table.include.list"] = "snap_lock\\.t";
  locks.props["debezium.source.database.user"] = "snap_lt";
  locks.props["debezium.source.database.password"] = "lt-s3cret";
  auto siphon = locks.start({{"SIPHON_DELAY", "snapshot.row:10"}});
  ASSERT_TRUE(locks.wait_for_records(locks.topic("snap_lock", "t"), 1)) << locks.log();
  // Tables that are not captured stay writable while the snapshot reads; a captured one waits.
  sql.exec("INSERT INTO snap_lock.other VALUES (1); INSERT INTO snap_free.t VALUES (1)");
  EXPECT_EQ(locks.log().find("snapshot complete"), std::string::npos) << locks.log();
  sql.exec("INSERT INTO snap_lock.t VALUES (5000)");  // logged before the locks go
  EXPECT_NE(locks.log().find("table locks held for"), std::string::npos)
      << "the captured table was writable during its snapshot\n"
      << locks.log();
  ASSERT_TRUE(locks.wait_for_records(locks.topic("snap_lock", "t"), 201)) << locks.log();
  locks.wait_until_streaming();
  ASSERT_TRUE(siphon.stop().success()) << locks.log();
  EXPECT_NE(locks.log().find("the global read lock is refused"), std::string::npos) << locks.log();
  auto records = locks.records(locks.topic("snap_lock", "t"));
  ASSERT_EQ(records.size(), 201u);
  for (size_t i = 0; i < 200; ++i) ASSERT_EQ(payload(records[i])["op"], "r") << i;
  EXPECT_EQ(payload(records[200])["op"], "c");
  EXPECT_EQ(payload_of(records[200]["key"])["id"], 5000);

  h.props["debezium.source.snapshot.locking.mode"] = "none";
  auto unlocked = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("snap_lock", "t"), 201)) << h.log();
  h.wait_until_streaming();
  ASSERT_TRUE(unlocked.stop().success()) << h.log();
  EXPECT_EQ(h.log().find("global read lock held"), std::string::npos) << h.log();
  EXPECT_EQ(h.log().find("table locks held"), std::string::npos) << h.log();

  // Debezium's other locking modes are refused with what to use.
  MariaDbSiphonHarness extended(server, "msnaplockext");
  extended.props["debezium.source.snapshot.locking.mode"] = "extended";
  auto refused = extended.run_to_exit(60s);
  EXPECT_EQ(refused.status.code, 2) << refused.err;
  EXPECT_NE(refused.err.find("minimal"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace siphon::testing

namespace siphon::testing {
namespace {

TEST_F(MariaDbSnapshot, SchemaChangesGoToThePrefixTopicFromTheSnapshotAndEachDdl) {
  sql.exec(
      "CREATE DATABASE sc_a; CREATE DATABASE sc_skip;"
      "CREATE TABLE sc_a.t1 (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL DEFAULT 'x') "
      "COMMENT 'first';"
      "INSERT INTO sc_a.t1 VALUES (1, 'one')");
  MariaDbSiphonHarness h(server, "mschema");
  h.props["debezium.source.snapshot.mode"] = "initial";
  h.props["debezium.source.database.include.list"] = "sc_a,sc_b";
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("sc_a", "t1"), 1)) << h.log();
  h.wait_until_streaming();
  // Each DDL once Siphon has caught up with the previous one: information_schema then shows
  // the tables as that DDL left them (docs/mariadb.md says what a lagging reader reports).
  sql.exec("ALTER TABLE sc_a.t1 ADD COLUMN qty INT UNSIGNED DEFAULT 3");
  ASSERT_TRUE(h.wait_for_records(h.prefix(), 2)) << h.log();
  sql.exec("INSERT INTO sc_a.t1 (id, name) VALUES (2, 'two')");
  ASSERT_TRUE(h.wait_for_records(h.topic("sc_a", "t1"), 2)) << h.log();
  sql.exec("CREATE TABLE sc_a.t2 (a BIGINT, b ENUM('p','q'), PRIMARY KEY (a))");
  ASSERT_TRUE(h.wait_for_records(h.prefix(), 3)) << h.log();
  sql.exec("CREATE TABLE sc_skip.t (id INT PRIMARY KEY)");  // not captured: no record
  sql.exec("CREATE DATABASE sc_b");
  ASSERT_TRUE(h.wait_for_records(h.prefix(), 4)) << h.log();
  sql.exec("DROP TABLE sc_a.t1");
  ASSERT_TRUE(h.wait_for_records(h.prefix(), 5)) << h.log();
  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(siphon.stop().success()) << h.log();

  auto records = h.records(h.prefix());
  ASSERT_EQ(records.size(), 5u) << h.log();
  std::vector<std::string> seen;
  for (const json& r : records) {
    const json p = payload(r);
    std::string line = payload_of(r["key"])["databaseName"].get<std::string>() + ":";
    for (const json& change : p["tableChanges"]) {
      line += change["type"].get<std::string>() + " " + change["id"].get<std::string>() + ";";
    }
    seen.push_back(line);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "sc_a:CREATE \"sc_a\".\"t1\";", "sc_a:ALTER \"sc_a\".\"t1\";",
                      "sc_a:CREATE \"sc_a\".\"t2\";", "sc_b:", "sc_a:DROP \"sc_a\".\"t1\";"}));
  const json snapshot = payload(records[0]);
  EXPECT_EQ(snapshot["source"]["snapshot"], "true");
  EXPECT_NE(snapshot["ddl"].get<std::string>().find("CREATE TABLE `t1`"), std::string::npos)
      << snapshot["ddl"];
  const json table = snapshot["tableChanges"][0]["table"];
  EXPECT_EQ(table["primaryKeyColumnNames"], json::array({"id"}));
  EXPECT_EQ(table["comment"], "first");
  ASSERT_EQ(table["columns"].size(), 2u);
  EXPECT_EQ(table["columns"][1]["name"], "name");
  EXPECT_EQ(table["columns"][1]["typeName"], "VARCHAR");
  EXPECT_EQ(table["columns"][1]["length"], 20);
  EXPECT_EQ(table["columns"][1]["optional"], false);
  EXPECT_EQ(table["columns"][1]["defaultValueExpression"], "'x'");
  EXPECT_EQ(table["columns"][1]["position"], 2);

  const json alter = payload(records[1]);
  EXPECT_EQ(alter["ddl"], "ALTER TABLE sc_a.t1 ADD COLUMN qty INT UNSIGNED DEFAULT 3");
  EXPECT_EQ(alter["source"]["snapshot"], "false");
  EXPECT_TRUE(alter["source"]["gtid"].is_string());
  const json qty = alter["tableChanges"][0]["table"]["columns"][2];
  EXPECT_EQ(qty["name"], "qty");
  EXPECT_EQ(qty["typeName"], "INT UNSIGNED");
  EXPECT_EQ(qty["jdbcType"], 4);
  EXPECT_EQ(qty["defaultValueExpression"], "3");
  const json t2 = payload(records[2])["tableChanges"][0]["table"];
  EXPECT_EQ(t2["columns"][1]["enumValues"], json::array({"p", "q"}));
  EXPECT_EQ(payload(records[3])["ddl"], "CREATE DATABASE sc_b");
  EXPECT_EQ(payload(records[3])["tableChanges"], json::array());
  EXPECT_EQ(records[0]["value"]["schema"]["name"],
            "io.debezium.connector.mariadb.SchemaChangeValue");
  EXPECT_EQ(records[0]["key"]["schema"]["name"], "io.debezium.connector.mariadb.SchemaChangeKey");

  // The row after the ALTER has the new column, with its default in the schema.
  auto rows = h.records(h.topic("sc_a", "t1"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(payload(rows[1])["after"]["qty"], 3);
  EXPECT_EQ(after_field(rows[1], "qty")["default"], 3);
  EXPECT_TRUE(after_field(rows[0], "qty").is_null()) << "the row before the ALTER has no qty";

  // include.schema.changes=false: none.
  MariaDbSiphonHarness off(server, "mschemaoff");
  off.props["debezium.source.include.schema.changes"] = "false";
  off.props["debezium.source.database.include.list"] = "sc_a";
  auto quiet = off.start();
  off.wait_until_streaming();
  sql.exec("CREATE TABLE sc_a.t3 (id INT PRIMARY KEY)");
  sql.exec("INSERT INTO sc_a.t3 VALUES (1)");
  ASSERT_TRUE(off.wait_for_records(off.topic("sc_a", "t3"), 1)) << off.log();
  ASSERT_TRUE(quiet.stop().success()) << off.log();
  EXPECT_TRUE(off.records(off.prefix()).empty());
}

}  // namespace
}  // namespace siphon::testing

namespace siphon::testing {
namespace {

TEST_F(MariaDbSnapshot, RowsAroundDdlMadeWhileStoppedDecodeWithTheirOwnColumns) {
  sql.exec("CREATE DATABASE ddl_stop; CREATE TABLE ddl_stop.t (id INT PRIMARY KEY, a INT)");
  MariaDbSiphonHarness h(server, "mddlstop");
  h.props["debezium.source.database.include.list"] = "ddl_stop";
  auto siphon = h.start();
  h.wait_until_streaming();
  ASSERT_TRUE(siphon.stop().success()) << h.log();

  sql.exec("INSERT INTO ddl_stop.t VALUES (1, 10)");
  sql.exec("ALTER TABLE ddl_stop.t ADD COLUMN b VARCHAR(5) DEFAULT 'x'");
  sql.exec("INSERT INTO ddl_stop.t VALUES (2, 20, 'y')");
  sql.exec("ALTER TABLE ddl_stop.t DROP COLUMN a");
  sql.exec("INSERT INTO ddl_stop.t VALUES (3, 'z')");
  auto again = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("ddl_stop", "t"), 3)) << h.log();
  ASSERT_TRUE(h.wait_for_records(h.prefix(), 3)) << h.log();
  ASSERT_TRUE(again.stop().success()) << h.log();

  auto rows = h.records(h.topic("ddl_stop", "t"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(payload(rows[0])["after"], json({{"id", 1}, {"a", 10}}));
  EXPECT_EQ(payload(rows[1])["after"], json({{"id", 2}, {"a", 20}, {"b", "y"}}));
  EXPECT_EQ(payload(rows[2])["after"], json({{"id", 3}, {"b", "z"}}));
  // The first start's schema snapshot (snapshot.mode=no_data, the harness's) has the table's
  // CREATE; then each ALTER has its record, in binlog order.
  auto changes = h.records(h.prefix());
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(payload(changes[0])["tableChanges"][0]["type"], "CREATE");
  EXPECT_EQ(payload(changes[0])["source"]["snapshot"], "true");
  EXPECT_EQ(payload(changes[1])["ddl"],
            "ALTER TABLE ddl_stop.t ADD COLUMN b VARCHAR(5) DEFAULT 'x'");
  EXPECT_EQ(payload(changes[2])["ddl"], "ALTER TABLE ddl_stop.t DROP COLUMN a");
  EXPECT_EQ(payload(changes[2])["tableChanges"][0]["type"], "ALTER");
}

}  // namespace
}  // namespace siphon::testing

namespace siphon::testing {
namespace {

TEST_F(MariaDbSnapshot, TheSchemaHistoryGivesEventsBeforeADdlTheSchemaOfTheirTime) {
  sql.exec(
      "CREATE DATABASE hist; CREATE TABLE hist.t (id INT PRIMARY KEY, d INT DEFAULT 5);"
      "INSERT INTO hist.t VALUES (1, 1)");
  MariaDbSiphonHarness h(server, "mhistory");
  const std::filesystem::path history = use_file_history(h);
  h.props["debezium.source.snapshot.mode"] = "initial";
  h.props["debezium.source.database.include.list"] = "hist";
  auto siphon = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("hist", "t"), 1)) << h.log();
  h.wait_until_streaming();
  ASSERT_TRUE(siphon.stop().success()) << h.log();

  // While Siphon is stopped: a row with the old default, the DDL, a row with the new one.
  sql.exec("INSERT INTO hist.t (id) VALUES (2)");
  sql.exec("ALTER TABLE hist.t ALTER COLUMN d SET DEFAULT 7");
  sql.exec("INSERT INTO hist.t (id) VALUES (3)");
  auto again = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("hist", "t"), 3)) << h.log();
  ASSERT_TRUE(h.wait_for_records(h.prefix(), 2)) << h.log();
  ASSERT_TRUE(again.stop().success()) << h.log();
  EXPECT_NE(h.log().find("records replayed up to the stored offset"), std::string::npos) << h.log();

  auto rows = h.records(h.topic("hist", "t"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(after_field(rows[0], "d")["default"], 5);  // the snapshot
  EXPECT_EQ(after_field(rows[1], "d")["default"], 5);  // before the ALTER: from the history
  EXPECT_EQ(after_field(rows[2], "d")["default"], 7);  // after it
  EXPECT_EQ(payload(rows[2])["after"]["d"], 7);

  // The history: the snapshot's CREATE, then the ALTER with its position.
  std::vector<json> records = history_records(history);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["tableChanges"][0]["type"], "CREATE");
  EXPECT_EQ(records[0]["position"]["snapshot"], true);
  EXPECT_EQ(records[0]["source"]["server"], h.prefix());
  EXPECT_EQ(records[1]["ddl"], "ALTER TABLE hist.t ALTER COLUMN d SET DEFAULT 7");
  EXPECT_EQ(records[1]["databaseName"], "hist");
  EXPECT_TRUE(records[1]["position"].contains("file"));
  EXPECT_EQ(records[1]["tableChanges"][0]["table"]["columns"][1]["defaultValueExpression"], "7");

  // Without its history a stored offset is refused; recovery rebuilds the history.
  std::filesystem::remove(history);
  auto refused = h.run_to_exit(60s);
  EXPECT_EQ(refused.status.code, 2) << refused.err;
  EXPECT_NE(refused.err.find("snapshot.mode=recovery"), std::string::npos) << refused.err;
  h.props["debezium.source.snapshot.mode"] = "recovery";
  auto recovered = h.start();
  h.wait_until_streaming();
  sql.exec("INSERT INTO hist.t (id) VALUES (4)");
  ASSERT_TRUE(h.wait_for_records(h.topic("hist", "t"), 4)) << h.log();
  ASSERT_TRUE(recovered.stop().success()) << h.log();
  EXPECT_TRUE(std::filesystem::file_size(history) > 0);
  EXPECT_EQ(h.records(h.topic("hist", "t")).size(), 4u);  // nothing snapshotted again
}

// A restart at a stored offset older than a DDL the history already holds (the offset was
// stored before the DDL; the history record after it): when that DDL is read again its recorded
// definition is used, not what information_schema says now, after a later DDL.
TEST_F(MariaDbSnapshot, AHistoryRecordPastTheStoredOffsetIsUsedWhenItsDdlIsReadAgain) {
  sql.exec(
      "CREATE DATABASE hist_old; CREATE TABLE hist_old.t (id INT PRIMARY KEY, d INT DEFAULT 5)");
  MariaDbSiphonHarness h(server, "mhistold");
  const std::filesystem::path history = use_file_history(h);
  h.props["debezium.source.database.include.list"] = "hist_old";
  auto siphon = h.start();
  h.wait_until_streaming();
  sql.exec("INSERT INTO hist_old.t (id) VALUES (1)");
  ASSERT_TRUE(h.wait_for_gtids(sql.scalar("SELECT @@global.gtid_binlog_pos"))) << h.log();
  std::string old_offset;
  {
    std::ifstream in(h.offset_file());
    old_offset.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string alter7 = "ALTER TABLE hist_old.t ALTER COLUMN d SET DEFAULT 7";
  sql.exec(alter7);
  sql.exec("INSERT INTO hist_old.t (id) VALUES (2)");
  ASSERT_TRUE(h.wait_for_gtids(sql.scalar("SELECT @@global.gtid_binlog_pos"))) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  ASSERT_EQ(count_ddl(history_records(history), alter7), 1u);

  // Back to the offset before the ALTER (a restored offset store, or one stored late), and a
  // later DDL that information_schema now reports.
  std::ofstream(h.offset_file(), std::ios::trunc) << old_offset;
  sql.exec("ALTER TABLE hist_old.t ALTER COLUMN d SET DEFAULT 9");
  sql.exec("INSERT INTO hist_old.t (id) VALUES (3)");
  auto again = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("hist_old", "t"), 4)) << h.log();
  ASSERT_TRUE(again.stop().success()) << h.log();
  EXPECT_NE(h.log().find("records replayed up to the stored offset, 1 after it"), std::string::npos)
      << h.log();
  auto rows = h.records(h.topic("hist_old", "t"));
  ASSERT_EQ(rows.size(), 4u);  // 1, 2, then 2 again from the older offset, 3
  EXPECT_EQ(payload_of(rows[2]["key"])["id"], 2);
  EXPECT_EQ(after_field(rows[0], "d")["default"], 5);
  EXPECT_EQ(after_field(rows[1], "d")["default"], 7);
  EXPECT_EQ(after_field(rows[2], "d")["default"], 7);  // the recorded ALTER, not today's 9
  EXPECT_EQ(after_field(rows[3], "d")["default"], 9);
  auto records = history_records(history);
  EXPECT_EQ(count_ddl(records, alter7), 1u);  // used again, not recorded twice
  EXPECT_EQ(count_ddl(records, "ALTER TABLE hist_old.t ALTER COLUMN d SET DEFAULT 9"), 1u);
}

// The history is written before a DDL's position can be stored: killed just before the DDL's
// record is appended, or just after it (before the offset passes the DDL), a restart finds the
// offset before the DDL, reads the DDL again, records it exactly once, and the rows on each side
// carry the schema of their time.
TEST_F(MariaDbSnapshot, AKillAroundADdlsHistoryRecordLosesNoSchema) {
  for (const char* failpoint : {"schema_history.before_ddl", "schema_history.after_ddl"}) {
    SCOPED_TRACE(failpoint);
    const std::string db = std::string("hist_kill_") + (failpoint[15] == 'b' ? "b" : "a");
    sql.exec("CREATE DATABASE " + db + "; CREATE TABLE " + db +
             ".t (id INT PRIMARY KEY, d INT DEFAULT 5)");
    MariaDbSiphonHarness h(server, "mhk" + db.substr(10));
    const std::filesystem::path history = use_file_history(h);
    h.props["debezium.source.database.include.list"] = db;
    h.props["debezium.source.offset.flush.interval.ms"] = "0";
    auto killed = h.start({{"SIPHON_FAILPOINT", failpoint}});
    h.wait_until_streaming();
    sql.exec("INSERT INTO " + db + ".t (id) VALUES (1)");
    ASSERT_TRUE(h.wait_for_records(h.topic(db, "t"), 1)) << h.log();
    const std::string alter = "ALTER TABLE " + db + ".t ALTER COLUMN d SET DEFAULT 7";
    sql.exec(alter);
    sql.exec("INSERT INTO " + db + ".t (id) VALUES (2)");
    auto status = killed.wait(60s);
    ASSERT_TRUE(status) << h.log();
    ASSERT_EQ(status->signal, SIGKILL) << status->describe() << "\n" << h.log();
    const size_t recorded_at_kill = count_ddl(history_records(history), alter);
    EXPECT_EQ(recorded_at_kill, failpoint[15] == 'b' ? 0u : 1u);
    // The offset did not pass the DDL.
    auto stored = h.stored_offset();
    ASSERT_TRUE(stored);
    EXPECT_EQ(h.records(h.topic(db, "t")).size(), 1u);

    auto again = h.start();
    sql.exec("INSERT INTO " + db + ".t (id) VALUES (3)");
    ASSERT_TRUE(h.wait_for_records(h.topic(db, "t"), 3)) << h.log();
    ASSERT_TRUE(again.stop().success()) << h.log();
    EXPECT_EQ(count_ddl(history_records(history), alter), 1u);
    auto rows = h.records(h.topic(db, "t"));
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(payload_of(rows[1]["key"])["id"], 2);
    EXPECT_EQ(after_field(rows[0], "d")["default"], 5);
    EXPECT_EQ(after_field(rows[1], "d")["default"], 7);
    EXPECT_EQ(after_field(rows[2], "d")["default"], 7);
  }
}

}  // namespace
}  // namespace siphon::testing
