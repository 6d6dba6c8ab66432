// The MariaDB connector end to end: build/siphon streams a real MariaDB 10.11 (started by the
// harness) into the file sink. Each test has its own topic prefix, databases and server id, so
// tests share one server.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "integration/mariadb_siphon_harness.h"
#include "integration/siphon_harness.h"
#include "support/mariadb_server.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;

// op, key and after-image of each record of a topic (tombstones as op "tombstone").
struct Change {
  std::string op;
  nlohmann::json key;
  nlohmann::json after;
  nlohmann::json source;
  nlohmann::json transaction;
};

std::vector<Change> changes_of(const MariaDbSiphonHarness& h, const std::string& topic) {
  std::vector<Change> out;
  for (const nlohmann::json& r : h.records(topic)) {
    Change c;
    c.key = payload_of(r["key"]);
    if (r["value"].is_null()) {
      c.op = "tombstone";
    } else {
      const nlohmann::json& v = payload_of(r["value"]);
      c.op = v["op"];
      c.after = v["after"];
      c.source = v["source"];
      c.transaction = v.value("transaction", nlohmann::json());
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::string> ops_of(const std::vector<Change>& changes) {
  std::vector<std::string> out;
  for (const Change& c : changes) out.push_back(c.op + ":" + c.key.dump());
  return out;
}

class MariaDbSource : public ::testing::Test {
 protected:
  MariaDbServer& server = shared_mariadb_server();
  MariaDbConnection sql = server.connect();
};

TEST_F(MariaDbSource, StreamsEveryOperationOfSeveralDatabasesFromOneBinlog) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_a; DROP DATABASE IF EXISTS ms_b; DROP DATABASE IF EXISTS "
      "ms_skip; CREATE DATABASE ms_a; CREATE DATABASE ms_b; CREATE DATABASE ms_skip;"
      "CREATE TABLE ms_a.items (id INT PRIMARY KEY, name VARCHAR(20));"
      "CREATE TABLE ms_b.orders (id BIGINT PRIMARY KEY, qty INT NOT NULL);"
      "CREATE TABLE ms_skip.noise (id INT PRIMARY KEY)");
  MariaDbSiphonHarness h(server, "mstream");
  h.props["debezium.source.database.include.list"] = "ms_a,ms_b";
  h.props["debezium.source.provide.transaction.metadata"] = "true";
  auto siphon = h.start();
  h.wait_until_streaming();

  sql.exec(
      "INSERT INTO ms_a.items VALUES (1, 'one'), (2, 'two');"
      "INSERT INTO ms_skip.noise VALUES (1);"
      "BEGIN; INSERT INTO ms_b.orders VALUES (10, 5); UPDATE ms_a.items SET name = 'uno' WHERE "
      "id = 1; COMMIT;"
      "UPDATE ms_a.items SET id = 3 WHERE id = 2;"
      "DELETE FROM ms_b.orders WHERE id = 10");
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_a", "items"), 6)) << h.log();
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_b", "orders"), 3)) << h.log();
  // The last transaction touches only a filtered-out database: the GTID position still moves
  // past it.
  sql.exec("INSERT INTO ms_skip.noise VALUES (2)");
  const std::string server_position = sql.scalar("SELECT @@global.gtid_binlog_pos");
  for (int i = 0; i < 100; ++i) {
    auto stored = h.stored_offset();
    if (stored && stored->value("gtids", "") == server_position) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(siphon.stop().success()) << h.log();

  auto items = changes_of(h, h.topic("ms_a", "items"));
  EXPECT_EQ(ops_of(items),
            (std::vector<std::string>{"c:{\"id\":1}", "c:{\"id\":2}", "u:{\"id\":1}",
                                      "d:{\"id\":2}", "tombstone:{\"id\":2}", "c:{\"id\":3}"}));
  EXPECT_EQ(items[2].after, (nlohmann::json{{"id", 1}, {"name", "uno"}}));
  auto orders = changes_of(h, h.topic("ms_b", "orders"));
  EXPECT_EQ(ops_of(orders),
            (std::vector<std::string>{"c:{\"id\":10}", "d:{\"id\":10}", "tombstone:{\"id\":10}"}));
  EXPECT_FALSE(std::filesystem::exists(h.topic_file(h.topic("ms_skip", "noise"))));

  // Debezium's MariaDB source block.
  const nlohmann::json& src = items[0].source;
  EXPECT_EQ(src["connector"], "mariadb");
  EXPECT_EQ(src["name"], h.prefix());
  EXPECT_EQ(src["db"], "ms_a");
  EXPECT_EQ(src["table"], "items");
  EXPECT_EQ(src["snapshot"], "false");
  EXPECT_EQ(src["server_id"], 1);
  EXPECT_EQ(src["row"], 0);
  EXPECT_EQ(items[1].source["row"], 1);  // the second row of the same rows event
  EXPECT_TRUE(src["file"].get<std::string>().starts_with("binlog."));
  EXPECT_GT(src["pos"].get<int64_t>(), 4);
  const std::string gtid = src["gtid"];
  EXPECT_EQ(std::count(gtid.begin(), gtid.end(), '-'), 2) << gtid;
  EXPECT_EQ(src["gtid"], items[1].source["gtid"]);  // one transaction
  // The two-table transaction: one id, counters across tables, BEGIN/END around it.
  EXPECT_EQ(orders[0].transaction["id"], items[2].transaction["id"]);
  EXPECT_EQ(orders[0].transaction["total_order"], 1);
  EXPECT_EQ(items[2].transaction["total_order"], 2);
  // Each table counts its own events in the transaction; the id is the transaction's GTID.
  EXPECT_EQ(orders[0].transaction["data_collection_order"], 1);
  EXPECT_EQ(items[2].transaction["data_collection_order"], 1);
  EXPECT_EQ(orders[0].transaction["id"], orders[0].source["gtid"]);
  auto tx = h.records(h.prefix() + ".transaction");
  ASSERT_FALSE(tx.empty());
  EXPECT_EQ(tx[0]["value"]["schema"]["name"],
            "io.debezium.connector.common.TransactionMetadataValue");
  bool found_begin = false;
  bool found_end = false;
  for (const auto& r : tx) {
    const auto& v = payload_of(r["value"]);
    if (v["id"] != orders[0].transaction["id"]) continue;
    EXPECT_EQ(payload_of(r["key"])["id"], v["id"]);
    if (v["status"] == "BEGIN") {
      found_begin = true;
      EXPECT_FALSE(found_end) << "BEGIN after END";
      EXPECT_TRUE(v["event_count"].is_null());
      EXPECT_TRUE(v["data_collections"].is_null());
    }
    if (v["status"] == "END") {
      found_end = true;
      EXPECT_EQ(v["event_count"], 2);
      EXPECT_EQ(v["data_collections"],
                nlohmann::json::parse(R"([{"data_collection":"ms_b.orders","event_count":1},)"
                                      R"({"data_collection":"ms_a.items","event_count":1}])"));
    }
  }
  EXPECT_TRUE(found_begin);
  EXPECT_TRUE(found_end);

  // The primary-key change names the other key in headers (as for PostgreSQL).
  auto raw = h.records(h.topic("ms_a", "items"));
  ASSERT_EQ(raw.size(), 6u);
  EXPECT_NE(raw[3].dump().find("__debezium.newkey"), std::string::npos) << raw[3].dump();
  EXPECT_NE(raw[5].dump().find("__debezium.oldkey"), std::string::npos) << raw[5].dump();

  // The offset: Debezium's MySQL keys, GTID position past the filtered-out transactions too.
  auto offset = h.stored_offset();
  ASSERT_TRUE(offset);
  EXPECT_TRUE(offset->contains("file"));
  EXPECT_TRUE(offset->contains("pos"));
  EXPECT_EQ((*offset)["gtids"], server_position);
  // Between transactions Debezium stores no event/row counters; ts_sec is the last event's
  // commit time and server_id the server that wrote it.
  EXPECT_FALSE(offset->contains("event")) << offset->dump();
  EXPECT_FALSE(offset->contains("row")) << offset->dump();
  EXPECT_EQ((*offset)["server_id"], 1);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  EXPECT_LE((*offset)["ts_sec"].get<int64_t>(), now);
  EXPECT_GT((*offset)["ts_sec"].get<int64_t>(), now - 600);
}

// The MySQL connector class runs the same source (its source block says "mysql"); the
// database, table and column exclude lists, the table include list and tombstones.on.delete=false
// select what the binlog source emits.
TEST_F(MariaDbSource, MySqlConnectorClassWithExcludeListsAndNoTombstones) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_ex_a; DROP DATABASE IF EXISTS ms_ex_b; CREATE DATABASE "
      "ms_ex_a; CREATE DATABASE ms_ex_b;"
      "CREATE TABLE ms_ex_a.keep (id INT PRIMARY KEY, v VARCHAR(10), secret VARCHAR(10));"
      "CREATE TABLE ms_ex_a.skip (id INT PRIMARY KEY);"
      "CREATE TABLE ms_ex_b.t (id INT PRIMARY KEY)");
  MariaDbSiphonHarness h(server, "mexclude");
  h.props["debezium.source.connector.class"] = "io.debezium.connector.mysql.MySqlConnector";
  h.props["debezium.source.database.exclude.list"] = "ms_ex_b";
  h.props["debezium.source.table.exclude.list"] = "ms_ex_a\\.skip";
  h.props["debezium.source.column.exclude.list"] = "ms_ex_a\\.keep\\.secret";
  h.props["debezium.source.tombstones.on.delete"] = "false";
  auto siphon = h.start();
  h.wait_until_streaming();
  sql.exec(
      "INSERT INTO ms_ex_a.keep VALUES (1, 'one', 'hidden'); INSERT INTO ms_ex_a.skip VALUES (1);"
      "INSERT INTO ms_ex_b.t VALUES (1); UPDATE ms_ex_a.keep SET v = 'uno', secret = 'x';"
      "DELETE FROM ms_ex_a.keep WHERE id = 1");
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_ex_a", "keep"), 3)) << h.log();
  const std::string server_position = sql.scalar("SELECT @@global.gtid_binlog_pos");
  ASSERT_TRUE(h.wait_for_gtids(server_position)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto rows = changes_of(h, h.topic("ms_ex_a", "keep"));
  EXPECT_EQ(ops_of(rows),
            (std::vector<std::string>{"c:{\"id\":1}", "u:{\"id\":1}", "d:{\"id\":1}"}));
  EXPECT_EQ(rows[0].after, (nlohmann::json{{"id", 1}, {"v", "one"}}));
  EXPECT_EQ(rows[1].after, (nlohmann::json{{"id", 1}, {"v", "uno"}}));
  EXPECT_EQ(rows[0].source["connector"], "mysql");
  EXPECT_FALSE(std::filesystem::exists(h.topic_file(h.topic("ms_ex_a", "skip"))));
  EXPECT_FALSE(std::filesystem::exists(h.topic_file(h.topic("ms_ex_b", "t"))));
}

TEST_F(MariaDbSource, TableIncludeListCapturesOnlyTheListedTables) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_ti; CREATE DATABASE ms_ti;"
      "CREATE TABLE ms_ti.orders (id INT PRIMARY KEY); CREATE TABLE ms_ti.orders_log (id INT "
      "PRIMARY KEY); CREATE TABLE ms_ti.users (id INT PRIMARY KEY)");
  MariaDbSiphonHarness h(server, "mtinclude");
  // A pattern matches the whole "<database>.<table>" name, as Debezium's: orders_log is out.
  h.props["debezium.source.table.include.list"] = "ms_ti\\.orders,ms_ti\\.users";
  auto siphon = h.start();
  h.wait_until_streaming();
  sql.exec(
      "INSERT INTO ms_ti.orders VALUES (1); INSERT INTO ms_ti.orders_log VALUES (1);"
      "INSERT INTO ms_ti.users VALUES (1)");
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_ti", "users"), 1)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  EXPECT_EQ(ops_of(changes_of(h, h.topic("ms_ti", "orders"))),
            (std::vector<std::string>{"c:{\"id\":1}"}));
  EXPECT_FALSE(std::filesystem::exists(h.topic_file(h.topic("ms_ti", "orders_log"))));
}

TEST_F(MariaDbSource, TypesFromTheSchemaAndTheBinlogAsDebeziumEmitsThem) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_types; CREATE DATABASE ms_types;"
      "CREATE TABLE ms_types.t (id INT PRIMARY KEY, j JSON, u UUID, i4 INET4, i6 INET6, "
      "big BIGINT UNSIGNED, d DECIMAL(12,3), tm TIME(2), y YEAR, b BIT(3), e ENUM('x','y'), "
      "s SET('p','q'), l VARCHAR(10) CHARACTER SET latin1, bin BINARY(4), ts TIMESTAMP(3) NULL, "
      "u2 VARCHAR(10) CHARACTER SET ucs2, u3 VARCHAR(10) CHARACTER SET utf8mb3, "
      "u4 VARCHAR(10) CHARACTER SET utf8mb4)");
  MariaDbSiphonHarness h(server, "mtypes");
  h.props["debezium.source.database.include.list"] = "ms_types";
  h.props["debezium.source.decimal.handling.mode"] = "string";
  h.props["debezium.source.binary.handling.mode"] = "hex";
  auto siphon = h.start();
  h.wait_until_streaming();
  sql.exec(
      "INSERT INTO ms_types.t VALUES (1, '{\"k\": [1, 2]}', "
      "'123e4567-e89b-12d3-a456-426614174000', '10.0.0.1', '2001:db8::1', "
      "18446744073709551615, -123456789.125, '-01:02:03.45', 2024, b'101', 'y', 'p,q', "
      "_latin1 x'e9e0', x'0102', '2024-05-06 07:08:09.123', 'Ω€é', 'Ω€é', '\xF0\x9F\x98\x80✓')");
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_types", "t"), 1)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto rows = changes_of(h, h.topic("ms_types", "t"));
  ASSERT_EQ(rows.size(), 1u);
  const nlohmann::json& a = rows[0].after;
  EXPECT_EQ(a["j"], "{\"k\": [1, 2]}");
  EXPECT_EQ(a["u"], "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(a["i4"], "10.0.0.1");
  EXPECT_EQ(a["i6"], "2001:db8::1");
  EXPECT_EQ(a["big"], -1);  // bigint.unsigned.handling.mode=long wraps, as Debezium
  EXPECT_EQ(a["d"], "-123456789.125");
  EXPECT_EQ(a["tm"], -(3723450000LL));  // MicroTime of -01:02:03.45
  EXPECT_EQ(a["y"], 2024);
  EXPECT_EQ(a["e"], "y");
  EXPECT_EQ(a["s"], "p,q");
  EXPECT_EQ(a["l"], "\u00e9\u00e0");
  EXPECT_EQ(a["bin"], "01020000");  // BINARY(4) re-padded
  EXPECT_EQ(a["ts"], "2024-05-06T07:08:09.123Z");
  // Every text charset arrives as UTF-8, never with '?' substitutions.
  EXPECT_EQ(a["u2"], "Ω€é");
  EXPECT_EQ(a["u3"], "Ω€é");
  EXPECT_EQ(a["u4"], "\xF0\x9F\x98\x80✓");

  // The value schemas say the MariaDB types the binlog alone cannot tell.
  auto raw = h.records(h.topic("ms_types", "t"));
  const std::string schema = raw[0]["value"]["schema"].dump();
  EXPECT_NE(schema.find("io.debezium.data.Json"), std::string::npos);
  EXPECT_NE(schema.find("io.debezium.data.Uuid"), std::string::npos);
}

TEST_F(MariaDbSource, DefaultsAndSourceTypesComeFromTheSchema) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_defaults; CREATE DATABASE ms_defaults;"
      "CREATE TABLE ms_defaults.t (id INT PRIMARY KEY, qty INT NOT NULL DEFAULT 5, "
      "price DECIMAL(10,2) DEFAULT 1.50, status ENUM('new','paid') NOT NULL DEFAULT 'new', "
      "note VARCHAR(20) CHARACTER SET latin1 DEFAULT 'cafÃ©', "
      "created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, flag BIT(1) DEFAULT b'1', "
      "code VARCHAR(36) DEFAULT uuid(), none INT, big BIGINT UNSIGNED DEFAULT 7)");
  MariaDbSiphonHarness h(server, "mdefaults");
  h.props["debezium.source.database.include.list"] = "ms_defaults";
  h.props["debezium.source.decimal.handling.mode"] = "string";
  h.props["debezium.source.column.propagate.source.type"] = "ms_defaults\\.t\\.price";
  h.props["debezium.source.datatype.propagate.source.type"] = ".+\\.BIGINT UNSIGNED";
  auto siphon = h.start();
  h.wait_until_streaming();
  sql.exec("INSERT INTO ms_defaults.t (id) VALUES (1)");
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_defaults", "t"), 1)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  const nlohmann::json r = h.records(h.topic("ms_defaults", "t")).at(0);
  EXPECT_EQ(after_field(r, "qty")["default"], 5);
  EXPECT_EQ(after_field(r, "price")["default"], "1.50");
  EXPECT_EQ(after_field(r, "status")["default"], "new");
  EXPECT_EQ(after_field(r, "note")["default"], "cafÃ©");
  EXPECT_EQ(after_field(r, "created")["default"], "1970-01-01T00:00:00Z");
  EXPECT_EQ(after_field(r, "flag")["default"], true);
  EXPECT_FALSE(after_field(r, "code").contains("default"));  // generated per row
  EXPECT_FALSE(after_field(r, "none").contains("default"));
  EXPECT_FALSE(after_field(r, "id").contains("default"));
  // The values are the defaults.
  const nlohmann::json& a = payload_of(r["value"])["after"];
  EXPECT_EQ(a["qty"], 5);
  EXPECT_EQ(a["status"], "new");
  // Source types where the propagate lists ask for them.
  const nlohmann::json price = after_field(r, "price")["parameters"];
  EXPECT_EQ(price["__debezium.source.column.type"], "DECIMAL");
  EXPECT_EQ(price["__debezium.source.column.length"], "10");
  EXPECT_EQ(price["__debezium.source.column.scale"], "2");
  EXPECT_EQ(price["__debezium.source.column.name"], "price");
  const nlohmann::json big = after_field(r, "big")["parameters"];
  EXPECT_EQ(big["__debezium.source.column.type"], "BIGINT UNSIGNED");
  EXPECT_EQ(big["__debezium.source.column.length"], "20");
  EXPECT_FALSE(after_field(r, "qty").contains("parameters"));
}

TEST_F(MariaDbSource, ColumnIncludeListKeepsOnlyTheListedColumnsAndTheKey) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_cols; CREATE DATABASE ms_cols;"
      "CREATE TABLE ms_cols.t (a INT, id INT, keep VARCHAR(10), secret VARCHAR(10), "
      "PRIMARY KEY (id, a))");
  MariaDbSiphonHarness h(server, "mcols");
  h.props["debezium.source.database.include.list"] = "ms_cols";
  h.props["debezium.source.column.include.list"] = "ms_cols\\.t\\.keep";
  auto siphon = h.start();
  h.wait_until_streaming();
  sql.exec(
      "INSERT INTO ms_cols.t VALUES (7, 1, 'k', 'hidden'); UPDATE ms_cols.t SET secret = "
      "'x', keep = 'k2' WHERE id = 1");
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_cols", "t"), 2)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto rows = changes_of(h, h.topic("ms_cols", "t"));
  ASSERT_EQ(rows.size(), 2u);
  // The key columns stay (in the key's order in the key), the listed column too, nothing else.
  EXPECT_EQ(rows[0].after, (nlohmann::json{{"a", 7}, {"id", 1}, {"keep", "k"}}));
  EXPECT_EQ(rows[1].after, (nlohmann::json{{"a", 7}, {"id", 1}, {"keep", "k2"}}));
  const std::string line = h.raw_lines(h.topic("ms_cols", "t"))[0];
  EXPECT_NE(line.find("{\"id\":1,\"a\":7}"), std::string::npos) << line;
}

TEST_F(MariaDbSource, XaRowsArriveAtXaCommitAndNeverAfterXaRollback) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_xa; CREATE DATABASE ms_xa;"
      "CREATE TABLE ms_xa.t (id INT PRIMARY KEY, v VARCHAR(10))");
  MariaDbSiphonHarness h(server, "mxa");
  h.props["debezium.source.database.include.list"] = "ms_xa";
  auto siphon = h.start();
  h.wait_until_streaming();
  // Each XA transaction is prepared by a session that then disconnects. The server detaches a
  // prepared transaction from its session only when that session's thread has ended, which can
  // be after the client's close returns: until then another session's XA COMMIT is refused with
  // XAER_NOTA. So the test waits for each session to leave the process list.
  auto prepare_and_disconnect = [&](const std::string& statements) {
    std::string id;
    {
      MariaDbConnection xa = server.connect();
      id = xa.scalar("SELECT CONNECTION_ID()");
      xa.exec(statements);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (sql.scalar("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + id) !=
           "0") {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "session " << id << " lingers";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };
  prepare_and_disconnect(
      "XA START 'a'; INSERT INTO ms_xa.t VALUES (1, 'prepared'); XA END 'a'; XA PREPARE 'a'");
  sql.exec("INSERT INTO ms_xa.t VALUES (2, 'between')");
  prepare_and_disconnect(
      "XA START 'b'; INSERT INTO ms_xa.t VALUES (3, 'rolled'); XA END 'b'; XA PREPARE 'b'");
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_xa", "t"), 1)) << h.log();
  sql.exec("XA COMMIT 'a'; XA ROLLBACK 'b'");
  sql.exec(
      "XA START 'c'; INSERT INTO ms_xa.t VALUES (4, 'one phase'); XA END 'c'; XA COMMIT 'c' ONE "
      "PHASE");
  sql.exec("INSERT INTO ms_xa.t VALUES (5, 'after')");
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_xa", "t"), 4)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto rows = changes_of(h, h.topic("ms_xa", "t"));
  EXPECT_EQ(ops_of(rows), (std::vector<std::string>{"c:{\"id\":2}", "c:{\"id\":1}", "c:{\"id\":4}",
                                                    "c:{\"id\":5}"}));
}

TEST_F(MariaDbSource, RestartsFromItsOffsetWithEachChangeOnce) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_restart; CREATE DATABASE ms_restart;"
      "CREATE TABLE ms_restart.t (id INT PRIMARY KEY)");
  MariaDbSiphonHarness h(server, "mrestart");
  h.props["debezium.source.database.include.list"] = "ms_restart";
  auto siphon = h.start();
  h.wait_until_streaming();
  sql.exec("INSERT INTO ms_restart.t VALUES (1), (2)");
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_restart", "t"), 2)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  sql.exec("INSERT INTO ms_restart.t VALUES (3); DELETE FROM ms_restart.t WHERE id = 1");
  auto again = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_restart", "t"), 5)) << h.log();
  // A rotation while streaming: the next change is in the new file, and so is the offset.
  sql.exec("FLUSH BINARY LOGS");
  sql.exec("INSERT INTO ms_restart.t VALUES (4)");
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_restart", "t"), 6)) << h.log();
  ASSERT_TRUE(again.stop().success()) << h.log();
  EXPECT_NE(h.log().find("resuming from stored offset"), std::string::npos);
  auto changes = changes_of(h, h.topic("ms_restart", "t"));
  EXPECT_EQ(ops_of(changes),
            (std::vector<std::string>{"c:{\"id\":1}", "c:{\"id\":2}", "c:{\"id\":3}",
                                      "d:{\"id\":1}", "tombstone:{\"id\":1}", "c:{\"id\":4}"}));
  const std::string new_file = changes.back().source["file"];
  EXPECT_GT(new_file, changes.front().source["file"].get<std::string>());
  auto offset = h.stored_offset();
  ASSERT_TRUE(offset);
  EXPECT_EQ((*offset)["file"], new_file);
}

std::vector<int> ids_of(const std::vector<Change>& changes) {
  std::vector<int> out;
  for (const Change& c : changes) out.push_back(c.after.value("id", -1));
  return out;
}

// Inserts row `id` into `table` in GTID domain `domain`, then returns the session to domain 0.
void insert_in_domain(MariaDbConnection& sql, const std::string& table, int domain, int id) {
  sql.exec("SET SESSION gtid_domain_id = " + std::to_string(domain));
  sql.exec("INSERT INTO " + table + " VALUES (" + std::to_string(id) + ")");
  sql.exec("SET SESSION gtid_domain_id = 0");
}

// gtid.source.excludes with Debezium's default gtid.source.filter.dml.events=true: the row
// changes of an excluded GTID source ("domain-server") are dropped, with no transaction metadata,
// and its domain is never tracked in the stored offset's `gtids`; the admitted domains advance as
// usual. After a restart the server sends the excluded domains again from the start of the
// binlog file (they are not in the position): they stay dropped, and nothing admitted is repeated.
TEST_F(MariaDbSource, GtidSourceExcludesDropsExcludedDomainsAcrossARestart) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_gtidsrc; CREATE DATABASE ms_gtidsrc;"
      "CREATE TABLE ms_gtidsrc.t (id INT PRIMARY KEY)");
  MariaDbSiphonHarness h(server, "mgtidsrc");
  h.props["debezium.source.database.include.list"] = "ms_gtidsrc";
  h.props["debezium.source.gtid.source.excludes"] = "4[12]-.*";
  h.props["debezium.source.provide.transaction.metadata"] = "true";
  auto write = [&](int domain, int id) { insert_in_domain(sql, "ms_gtidsrc.t", domain, id); };
  auto siphon = h.start();
  h.wait_until_streaming();
  write(41, 1041);
  write(0, 1000);
  write(42, 1042);
  write(43, 1043);
  write(0, 2000);  // the last one: once it is out, everything before it was read
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_gtidsrc", "t"), 3)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  EXPECT_EQ(ids_of(changes_of(h, h.topic("ms_gtidsrc", "t"))),
            (std::vector<int>{1000, 1043, 2000}));
  for (const nlohmann::json& r : h.records(h.prefix() + ".transaction")) {
    const std::string id = payload_of(r["value"])["id"];
    EXPECT_FALSE(id.starts_with("41-") || id.starts_with("42-")) << id;
  }
  const std::string gtids = (*h.stored_offset())["gtids"];
  EXPECT_EQ(gtids.find("41-"), std::string::npos) << gtids;
  EXPECT_EQ(gtids.find("42-"), std::string::npos) << gtids;
  EXPECT_NE(gtids.find("43-"), std::string::npos) << gtids;
  EXPECT_NE(gtids.find("0-"), std::string::npos) << gtids;

  write(41, 3041);  // while stopped
  write(43, 3043);
  siphon = h.start();  // (its log still holds the first run's streaming line: no wait here)
  write(42, 4042);
  write(0, 4000);
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_gtidsrc", "t"), 5)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  EXPECT_EQ(ids_of(changes_of(h, h.topic("ms_gtidsrc", "t"))),
            (std::vector<int>{1000, 1043, 2000, 3043, 4000}));
}

// gtid.source.includes: only the listed GTID sources are tracked and their rows emitted.
TEST_F(MariaDbSource, GtidSourceIncludesKeepsOnlyTheListedSources) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_gtidinc; CREATE DATABASE ms_gtidinc;"
      "CREATE TABLE ms_gtidinc.t (id INT PRIMARY KEY)");
  MariaDbSiphonHarness h(server, "mgtidinc");
  h.props["debezium.source.database.include.list"] = "ms_gtidinc";
  h.props["debezium.source.gtid.source.includes"] = "0-1,43-.*";
  auto write = [&](int domain, int id) { insert_in_domain(sql, "ms_gtidinc.t", domain, id); };
  auto siphon = h.start();
  h.wait_until_streaming();
  write(41, 1041);
  write(0, 1000);
  write(43, 1043);
  write(42, 1042);
  write(0, 2000);
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_gtidinc", "t"), 3)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  EXPECT_EQ(ids_of(changes_of(h, h.topic("ms_gtidinc", "t"))),
            (std::vector<int>{1000, 1043, 2000}));
  const std::string gtids = (*h.stored_offset())["gtids"];
  EXPECT_EQ(gtids.find("41-"), std::string::npos) << gtids;
  EXPECT_EQ(gtids.find("42-"), std::string::npos) << gtids;
  EXPECT_NE(gtids.find("43-1-"), std::string::npos) << gtids;
  EXPECT_NE(gtids.find("0-1-"), std::string::npos) << gtids;
}

// gtid.source.filter.dml.events=false: an excluded source's changes are emitted, its GTIDs still
// kept out of the stored offset. Both lists at once are refused.
TEST_F(MariaDbSource, GtidSourceFilterDmlEventsFalseEmitsExcludedDomains) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_gtidkeep; CREATE DATABASE ms_gtidkeep;"
      "CREATE TABLE ms_gtidkeep.t (id INT PRIMARY KEY)");
  MariaDbSiphonHarness h(server, "mgtidkeep");
  h.props["debezium.source.database.include.list"] = "ms_gtidkeep";
  h.props["debezium.source.gtid.source.excludes"] = "4[12]-.*";
  h.props["debezium.source.gtid.source.filter.dml.events"] = "false";
  auto siphon = h.start();
  h.wait_until_streaming();
  for (int domain : {41, 0, 42, 43}) insert_in_domain(sql, "ms_gtidkeep.t", domain, domain + 1000);
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_gtidkeep", "t"), 4)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  EXPECT_EQ(ids_of(changes_of(h, h.topic("ms_gtidkeep", "t"))),
            (std::vector<int>{1041, 1000, 1042, 1043}));
  const std::string gtids = (*h.stored_offset())["gtids"];
  EXPECT_EQ(gtids.find("41-"), std::string::npos) << gtids;
  EXPECT_EQ(gtids.find("42-"), std::string::npos) << gtids;
  EXPECT_NE(gtids.find("43-"), std::string::npos) << gtids;

  h.props.erase("debezium.source.gtid.source.excludes");
  h.props["debezium.source.gtid.source.includes"] = "41-.*";
  h.props["debezium.source.gtid.source.excludes"] = "42-.*";
  auto both = h.run_to_exit(60s);
  EXPECT_EQ(both.status.code, 2) << both.err;
  EXPECT_NE(both.err.find("gtid.source.includes"), std::string::npos) << both.err;
}

// A stored GTID position the server never had (here a sequence far past the server's own, as
// after a failover to a replica that lacks transactions) stops the connector naming the
// position, instead of skipping to what the server has.
TEST_F(MariaDbSource, AStoredGtidPositionTheServerDoesNotHaveFailsNamingIt) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_ahead; CREATE DATABASE ms_ahead;"
      "CREATE TABLE ms_ahead.t (id INT PRIMARY KEY)");
  MariaDbSiphonHarness h(server, "mahead");
  h.props["debezium.source.database.include.list"] = "ms_ahead";
  auto siphon = h.start();
  h.wait_until_streaming();
  sql.exec("INSERT INTO ms_ahead.t VALUES (1)");
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_ahead", "t"), 1)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  nlohmann::json doc;
  {
    std::ifstream in(h.offset_file());
    doc = nlohmann::json::parse(in);
  }
  const std::string ahead = "0-1-999999999";
  doc.at(0).at("value")["gtids"] = ahead;
  {
    std::ofstream out(h.offset_file(), std::ios::trunc);
    out << doc.dump();
  }
  auto failed = h.run_to_exit(60s);
  EXPECT_EQ(failed.status.code, 1) << failed.err;
  EXPECT_NE(failed.err.find("GTID position " + ahead), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("never had it"), std::string::npos) << failed.err;
  EXPECT_EQ((*h.stored_offset())["gtids"], ahead);  // nothing moved, nothing skipped
}

// A SIGKILL in the middle of a large transaction: the restart replays it from its start and
// drops the rows already delivered, so each row arrives once.
TEST_F(MariaDbSource, APartlyDeliveredTransactionResumesAfterItsLastDeliveredRow) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_partial; CREATE DATABASE ms_partial;"
      "CREATE TABLE ms_partial.t (id INT PRIMARY KEY)");
  MariaDbSiphonHarness h(server, "mpartial");
  h.props["debezium.source.database.include.list"] = "ms_partial";
  h.props["debezium.source.max.batch.size"] = "10";
  h.props["debezium.source.max.queue.size"] = "20";
  auto first = h.start({{"SIPHON_FAILPOINT", "source.before_confirm:5"}});
  h.wait_until_streaming();
  const std::string before_transaction = sql.scalar("SELECT @@global.gtid_binlog_pos");
  sql.exec(
      "BEGIN; INSERT INTO ms_partial.t SELECT seq FROM mysql.seq_1_to_300; COMMIT;"
      "INSERT INTO ms_partial.t VALUES (1000)");
  auto status = first.wait(60s);
  ASSERT_TRUE(status) << h.log();
  ASSERT_EQ(status->signal, SIGKILL) << h.log();
  auto offset = h.stored_offset();
  ASSERT_TRUE(offset);
  ASSERT_TRUE(offset->contains("siphon.tx_records_done")) << offset->dump();
  EXPECT_GT((*offset)["row"].get<int>(), 0) << offset->dump();
  // The GTID set advances at commit: in the middle of the transaction it is still the position
  // before it, and the row counters say how far into the transaction delivery got.
  EXPECT_EQ((*offset)["gtids"], before_transaction) << offset->dump();

  auto second = h.start();
  ASSERT_TRUE(h.wait_for_records(h.topic("ms_partial", "t"), 301, 60s)) << h.log();
  ASSERT_TRUE(second.stop().success()) << h.log();
  std::map<int, int> seen;
  for (const Change& c : changes_of(h, h.topic("ms_partial", "t"))) {
    ++seen[c.key["id"].get<int>()];
  }
  EXPECT_EQ(seen.size(), 301u);
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << "id " << id;
}

// One connector, one binlog stream, every selected database of the server: 200 customer
// databases (a sharded fleet's layout), each with its own topic, and databases outside the
// pattern left out. The changes of all of them arrive, in binlog order.
TEST_F(MariaDbSource, CapturesHundredsOfDatabasesFromOneBinlogStream) {
  constexpr int kDatabases = 200;
  std::string setup;
  for (int i = 0; i < kDatabases; ++i) {
    setup += fmt::format(
        "CREATE DATABASE fleet_{0:03}; CREATE TABLE fleet_{0:03}.orders (id INT PRIMARY KEY, "
        "customer VARCHAR(20));",
        i);
  }
  setup += "CREATE DATABASE other_db; CREATE TABLE other_db.orders (id INT PRIMARY KEY);";
  sql.exec(setup);
  MariaDbSiphonHarness h(server, "mfleet");
  h.props["debezium.source.database.include.list"] = "fleet_.*";
  h.props["debezium.source.include.schema.changes"] = "false";
  auto siphon = h.start();
  h.wait_until_streaming();
  for (int round = 0; round < 2; ++round) {
    std::string writes;
    for (int i = 0; i < kDatabases; ++i) {
      writes += fmt::format("INSERT INTO fleet_{0:03}.orders VALUES ({1}, 'customer {0}');", i,
                            round + 1);
    }
    writes += fmt::format("INSERT INTO other_db.orders VALUES ({});", round + 1);
    sql.exec(writes);
  }
  const std::string server_position = sql.scalar("SELECT @@global.gtid_binlog_pos");
  ASSERT_TRUE(h.wait_for_gtids(server_position, 120s)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  int64_t last_pos = 0;
  std::string last_file;
  for (int i = 0; i < kDatabases; ++i) {
    const std::string db = fmt::format("fleet_{:03}", i);
    auto rows = changes_of(h, h.topic(db, "orders"));
    ASSERT_EQ(ops_of(rows), (std::vector<std::string>{"c:{\"id\":1}", "c:{\"id\":2}"})) << db;
    EXPECT_EQ(rows[0].after["customer"], fmt::format("customer {}", i));
    EXPECT_EQ(rows[0].source["db"], db);
    // Database i's first change is after database i-1's in the one stream.
    const std::string file = rows[0].source["file"];
    const int64_t pos = rows[0].source["pos"];
    EXPECT_TRUE(file > last_file || (file == last_file && pos > last_pos)) << db;
    last_file = file;
    last_pos = pos;
  }
  EXPECT_FALSE(std::filesystem::exists(h.topic_file(h.topic("other_db", "orders"))));
}

// A server that writes no event checksums (binlog_checksum=NONE): the replica protocol says so
// at the start and events are read without them.
TEST(MariaDbChecksums, AServerWithoutEventChecksumsIsRead) {
  auto server = MariaDbServer::start({"--binlog-checksum=NONE"});
  MariaDbConnection c = server->connect();
  ASSERT_EQ(c.scalar("SELECT @@global.binlog_checksum"), "NONE");
  c.exec("CREATE DATABASE mnone; CREATE TABLE mnone.t (id INT PRIMARY KEY, v VARCHAR(10))");
  MariaDbSiphonHarness h(*server, "mchecksumnone");
  auto siphon = h.start();
  h.wait_until_streaming();
  c.exec(
      "INSERT INTO mnone.t VALUES (1, 'a'); UPDATE mnone.t SET v = 'b'; FLUSH BINARY LOGS;"
      "DELETE FROM mnone.t");
  ASSERT_TRUE(h.wait_for_records(h.topic("mnone", "t"), 4)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto rows = changes_of(h, h.topic("mnone", "t"));
  EXPECT_EQ(ops_of(rows), (std::vector<std::string>{"c:{\"id\":1}", "u:{\"id\":1}", "d:{\"id\":1}",
                                                    "tombstone:{\"id\":1}"}));
  EXPECT_EQ(rows[1].after["v"], "b");
}

TEST_F(MariaDbSource, ACompressedBinlogIsRead) {
  auto compressed =
      MariaDbServer::start({"--log-bin-compress=ON", "--log-bin-compress-min-len=10"});
  MariaDbConnection c = compressed->connect();
  c.exec(
      "CREATE DATABASE mc; CREATE TABLE mc.t (id INT PRIMARY KEY, v TEXT);"
      "INSERT INTO mc.t VALUES (0, 'before')");
  MariaDbSiphonHarness h(*compressed, "mcompressed");
  auto siphon = h.start();
  h.wait_until_streaming();
  c.exec(
      "INSERT INTO mc.t VALUES (1, REPEAT('compressible ', 50)), (2, REPEAT('x', 300));"
      "UPDATE mc.t SET v = 'short' WHERE id = 1; DELETE FROM mc.t WHERE id = 2");
  ASSERT_TRUE(h.wait_for_records(h.topic("mc", "t"), 5)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto rows = changes_of(h, h.topic("mc", "t"));
  EXPECT_EQ(ops_of(rows), (std::vector<std::string>{"c:{\"id\":1}", "c:{\"id\":2}", "u:{\"id\":1}",
                                                    "d:{\"id\":2}", "tombstone:{\"id\":2}"}));
  std::string expected;
  for (int i = 0; i < 50; ++i) expected += "compressible ";
  EXPECT_EQ(rows[0].after["v"], expected);
  // The server really wrote compressed row events.
  EXPECT_NE(compressed->connect().scalar("SELECT @@global.log_bin_compress"), "0");
}

// MariaDB stores any two bytes in a ucs2 column, lone UTF-16 surrogates too, which have no
// UTF-8 form: the connector stops at that row, naming its binlog position, table and column,
// and stores no offset past it; with the replacement mode the row arrives with U+FFFD.
TEST_F(MariaDbSource, InvalidTextStopsTheConnectorAtItsPositionUnlessReplacementIsConfigured) {
  sql.exec(
      "DROP DATABASE IF EXISTS ms_badtext; CREATE DATABASE ms_badtext;"
      "CREATE TABLE ms_badtext.t (id INT PRIMARY KEY, s VARCHAR(10) CHARACTER SET ucs2)");
  const std::string before = sql.scalar("SELECT @@global.gtid_binlog_pos");
  sql.exec("INSERT INTO ms_badtext.t VALUES (1, 'fine')");
  const std::string after_good = sql.scalar("SELECT @@global.gtid_binlog_pos");
  sql.exec("INSERT INTO ms_badtext.t VALUES (2, CONCAT('a', _ucs2 0xD800, 'b'))");
  ASSERT_EQ(sql.scalar("SELECT HEX(s) FROM ms_badtext.t WHERE id = 2"), "0061D8000062");

  MariaDbSiphonHarness strict(server, "mbadtext");
  strict.props["debezium.source.database.include.list"] = "ms_badtext";
  strict.props["siphon.binlog.start.gtids"] = before;
  auto failed = strict.run_to_exit(60s);
  EXPECT_EQ(failed.status.code, 1) << failed.err;
  EXPECT_NE(failed.err.find("rows event at binlog."), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("of ms_badtext.t"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("column s"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("ucs2"), std::string::npos) << failed.err;
  // The good row before it was delivered and its position stored; the bad one was not skipped.
  EXPECT_EQ(ids_of(changes_of(strict, strict.topic("ms_badtext", "t"))), std::vector<int>{1});
  auto stored = strict.stored_offset();
  ASSERT_TRUE(stored);
  EXPECT_EQ((*stored)["gtids"], after_good);

  MariaDbSiphonHarness replacing(server, "mbadtextr");
  replacing.props["debezium.source.database.include.list"] = "ms_badtext";
  replacing.props["siphon.binlog.start.gtids"] = before;
  replacing.props["siphon.binlog.invalid.text.handling.mode"] = "replace";
  auto siphon = replacing.start();
  ASSERT_TRUE(replacing.wait_for_records(replacing.topic("ms_badtext", "t"), 2)) << replacing.log();
  ASSERT_TRUE(siphon.stop().success()) << replacing.log();
  auto rows = changes_of(replacing, replacing.topic("ms_badtext", "t"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].after["s"], "fine");
  EXPECT_EQ(rows[1].after["s"], "a\uFFFDb");
}

// --- Failures: exit code, what to change, no secret printed ---

// Each failure runs as a user with a password, so that the test shows it is never printed.
constexpr const char* kSecret = "pw-s3cret-never-printed";

void use_password_user(MariaDbConnection& sql, MariaDbSiphonHarness& h, const std::string& user,
                       const std::string& grants = "ALL ON *.*") {
  sql.exec(fmt::format(
      "DROP USER IF EXISTS '{0}'@'%'; CREATE USER '{0}'@'%' IDENTIFIED BY '{1}'; GRANT {2} TO "
      "'{0}'@'%'",
      user, kSecret, grants));
  h.props["debezium.source.database.user"] = user;
  h.props["debezium.source.database.password"] = kSecret;
}

void expect_secret_not_printed(const CommandResult& result, const MariaDbSiphonHarness& h) {
  EXPECT_EQ(result.err.find(kSecret), std::string::npos) << result.err;
  EXPECT_EQ(result.out.find(kSecret), std::string::npos) << result.out;
  EXPECT_EQ(h.log().find(kSecret), std::string::npos) << h.log();
}

TEST_F(MariaDbSource, BinlogSettingsSiphonCannotReadAreRefusedWithWhatToSet) {
  struct Case {
    std::string set, restore, expected;
  };
  for (const Case& c :
       {Case{"SET GLOBAL binlog_format = 'STATEMENT'", "SET GLOBAL binlog_format = 'ROW'",
             "binlog_format=ROW"},
        Case{"SET GLOBAL binlog_row_image = 'MINIMAL'", "SET GLOBAL binlog_row_image = 'FULL'",
             "binlog_row_image=FULL"},
        Case{"SET GLOBAL binlog_row_metadata = 'MINIMAL'",
             "SET GLOBAL binlog_row_metadata = 'FULL'", "binlog_row_metadata=FULL"}}) {
    SCOPED_TRACE(c.set);
    MariaDbSiphonHarness h(server, "msettings");
    use_password_user(sql, h, "ms_settings");
    sql.exec(c.set);
    auto result = h.run_to_exit(60s);
    sql.exec(c.restore);
    EXPECT_EQ(result.status.code, 2) << result.err;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << result.err;
    expect_secret_not_printed(result, h);
  }
}

// FULL row metadata is a deliberate difference from Debezium, and the error says so.
TEST_F(MariaDbSource, MissingRowMetadataSaysItIsADifferenceFromDebezium) {
  MariaDbSiphonHarness h(server, "mmetadata");
  use_password_user(sql, h, "ms_metadata");
  sql.exec("SET GLOBAL binlog_row_metadata = 'MINIMAL'");
  auto result = h.run_to_exit(60s);
  sql.exec("SET GLOBAL binlog_row_metadata = 'FULL'");
  EXPECT_EQ(result.status.code, 2) << result.err;
  EXPECT_NE(result.err.find("binlog_row_metadata is MINIMAL (set binlog_row_metadata=FULL; "
                            "Siphon requires it, unlike Debezium"),
            std::string::npos)
      << result.err;
  expect_secret_not_printed(result, h);
}

TEST(MariaDbFailures, AServerWithoutBinlogIsToldToEnableIt) {
  auto no_binlog = MariaDbServer::start({"--skip-log-bin"});
  MariaDbSiphonHarness h(*no_binlog, "mnobinlog");
  MariaDbConnection sql = no_binlog->connect();
  use_password_user(sql, h, "ms_nobinlog");
  auto result = h.run_to_exit(60s);
  EXPECT_EQ(result.status.code, 2) << result.err;
  EXPECT_NE(result.err.find("start it with --log-bin"), std::string::npos) << result.err;
  expect_secret_not_printed(result, h);
}

// Without REPLICATION CLIENT (MariaDB's BINLOG MONITOR) Siphon cannot read the binlog position.
TEST_F(MariaDbSource, AUserWithoutReplicationClientIsToldWhatToGrant) {
  MariaDbSiphonHarness h(server, "mnoclient");
  use_password_user(sql, h, "ms_noclient", "SELECT, REPLICATION SLAVE ON *.*");
  auto result = h.run_to_exit(60s);
  EXPECT_EQ(result.status.code, 1) << result.err;
  EXPECT_NE(result.err.find("BINLOG MONITOR"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("GRANT REPLICATION SLAVE"), std::string::npos) << result.err;
  expect_secret_not_printed(result, h);
}

// Without REPLICATION SLAVE the server refuses the binlog dump itself.
TEST_F(MariaDbSource, AUserWithoutReplicationSlaveIsToldWhatToGrant) {
  MariaDbSiphonHarness h(server, "mnoslave");
  use_password_user(sql, h, "ms_noslave",
                    "SELECT, BINLOG MONITOR, REPLICATION MASTER ADMIN ON *.*");
  auto result = h.run_to_exit(60s);
  EXPECT_EQ(result.status.code, 1) << result.err;
  EXPECT_NE(result.err.find("REPLICATION SLAVE"), std::string::npos) << result.err;
  expect_secret_not_printed(result, h);
}

TEST_F(MariaDbSource, AWrongPasswordFailsAtOnceWithoutPrintingIt) {
  sql.exec(
      "DROP USER IF EXISTS 'ms_pw'@'%'; CREATE USER 'ms_pw'@'%' IDENTIFIED BY 'right-pw';"
      "GRANT ALL ON *.* TO 'ms_pw'@'%'");
  MariaDbSiphonHarness h(server, "mpassword");
  h.props["debezium.source.database.user"] = "ms_pw";
  h.props["debezium.source.database.password"] = "wrong-pw-s3cret";
  auto result = h.run_to_exit(60s);
  EXPECT_EQ(result.status.code, 1) << result.err;
  EXPECT_NE(result.err.find("Access denied"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("wrong-pw-s3cret"), std::string::npos);
  EXPECT_EQ(h.log().find("wrong-pw-s3cret"), std::string::npos);
}

TEST_F(MariaDbSource, AnUnreachableServerIsRetriedThenReported) {
  MariaDbSiphonHarness h(server, "munreachable");
  use_password_user(sql, h, "ms_unreachable");
  h.props["debezium.source.database.port"] = "1";  // nothing listens there
  h.props["debezium.source.errors.max.retries"] = "2";
  h.props["debezium.source.retriable.restart.connector.wait.ms"] = "100";
  auto result = h.run_to_exit(60s);
  EXPECT_EQ(result.status.code, 1) << result.err;
  EXPECT_NE(result.err.find("cannot connect to MariaDB"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("retry 2"), std::string::npos) << result.err;
  expect_secret_not_printed(result, h);
}

}  // namespace
}  // namespace siphon::testing
