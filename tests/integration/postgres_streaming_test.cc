// Streaming from a real PostgreSQL 15 into the file sink, checked against Debezium's event
// format (shared/spec/debezium-compat.md) value by value.
#include <gtest/gtest.h>

#include "integration/siphon_harness.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class PostgresStreaming : public ::testing::Test {
 protected:
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
};

// The names of a struct schema's fields, in order.
std::vector<std::string> field_names(const json& schema) {
  std::vector<std::string> names;
  for (const auto& f : schema.at("fields")) names.push_back(f.at("field"));
  return names;
}

const json& field_schema(const json& struct_schema, const std::string& name) {
  for (const auto& f : struct_schema.at("fields")) {
    if (f.at("field") == name) return f;
  }
  throw std::runtime_error("no field " + name);
}

TEST_F(PostgresStreaming, CoreTypesBecomeDebeziumEvents) {
  sql.exec(
      "CREATE TABLE core_types (id int PRIMARY KEY, i2 smallint, i8 bigint, num numeric(10,2), "
      "vnum numeric, f4 real, f8 double precision, flag boolean, txt text, vc varchar(20), "
      "ch char(4), raw bytea, d date, t time, t3 time(3), ts timestamp, ts3 timestamp(3), "
      "tstz timestamptz, u uuid, j json, jb jsonb)");
  SiphonHarness h(pg, "core");
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  sql.exec(
      "INSERT INTO core_types VALUES (1, -32768, 9223372036854775807, -12345678.91, 1.50, 0.1, "
      "123456789.123456789, true, E'quote \" back\\\\slash\\nnew é', 'v', 'ab', '\\x00ff10', "
      "'2024-02-29', '13:45:06.123456', '13:45:06.123', '2024-02-29 13:45:06.5', "
      "'1969-12-31 23:59:59.999', '2024-02-29 13:45:06.123456+05:30', "
      "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"b\": 1,  \"a\": [1,2]}', "
      "'{\"b\": 1, \"a\": [1,2], \"a\": 3}')");
  sql.exec("INSERT INTO core_types (id) VALUES (2)");
  const std::string topic = h.topic("core_types");
  ASSERT_TRUE(h.wait_for_records(topic, 2)) << h.log();
  siphon.stop();
  auto recs = h.records(topic);
  ASSERT_EQ(recs.size(), 2u);

  // Key: struct of the primary key, schema named <topic>.Key, byte for byte as Kafka's
  // JsonConverter writes it (key order included).
  auto raw = h.raw_lines(topic);
  EXPECT_EQ(
      raw[0].substr(0, raw[0].find(",\"value\":")),
      R"({"key":{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],)"
      R"("optional":false,"name":")" +
          topic + R"(.Key"},"payload":{"id":1}})");
  // Floats as Java prints them.
  EXPECT_NE(raw[0].find("\"f4\":0.1,"), std::string::npos);
  EXPECT_NE(raw[0].find("\"f8\":1.2345678912345679E8,"), std::string::npos);

  const json& schema = recs[0]["value"]["schema"];
  EXPECT_EQ(schema["name"], topic + ".Envelope");
  EXPECT_EQ(schema["version"], 2);
  EXPECT_EQ(field_names(schema),
            (std::vector<std::string>{"before", "after", "source", "transaction", "op", "ts_ms",
                                      "ts_us", "ts_ns"}));
  const json& row = field_schema(schema, "after");
  EXPECT_EQ(row["name"], topic + ".Value");
  EXPECT_EQ(field_schema(row, "i2")["type"], "int16");
  EXPECT_EQ(field_schema(row, "i8")["type"], "int64");
  EXPECT_EQ(field_schema(row, "num")["name"], "org.apache.kafka.connect.data.Decimal");
  EXPECT_EQ(field_schema(row, "num")["parameters"],
            json::parse(R"({"scale":"2","connect.decimal.precision":"10"})"));
  EXPECT_EQ(field_schema(row, "vnum")["name"], "io.debezium.data.VariableScaleDecimal");
  EXPECT_EQ(field_schema(row, "f4")["type"], "float");
  EXPECT_EQ(field_schema(row, "f8")["type"], "double");
  EXPECT_EQ(field_schema(row, "flag")["type"], "boolean");
  EXPECT_EQ(field_schema(row, "raw")["type"], "bytes");
  EXPECT_EQ(field_schema(row, "d")["name"], "io.debezium.time.Date");
  EXPECT_EQ(field_schema(row, "t")["name"], "io.debezium.time.MicroTime");
  EXPECT_EQ(field_schema(row, "t3")["name"], "io.debezium.time.Time");
  EXPECT_EQ(field_schema(row, "t3")["type"], "int32");
  EXPECT_EQ(field_schema(row, "ts")["name"], "io.debezium.time.MicroTimestamp");
  EXPECT_EQ(field_schema(row, "ts3")["name"], "io.debezium.time.Timestamp");
  EXPECT_EQ(field_schema(row, "tstz")["name"], "io.debezium.time.ZonedTimestamp");
  EXPECT_EQ(field_schema(row, "u")["name"], "io.debezium.data.Uuid");
  EXPECT_EQ(field_schema(row, "j")["name"], "io.debezium.data.Json");
  EXPECT_EQ(field_schema(row, "jb")["name"], "io.debezium.data.Json");
  EXPECT_EQ(field_schema(row, "id")["optional"], false);
  EXPECT_EQ(field_schema(row, "txt")["optional"], true);

  const json& source_schema = field_schema(schema, "source");
  EXPECT_EQ(source_schema["name"], "io.debezium.connector.postgresql.Source");
  EXPECT_EQ(field_names(source_schema),
            (std::vector<std::string>{"version", "connector", "name", "ts_ms", "snapshot", "db",
                                      "sequence", "ts_us", "ts_ns", "schema", "table", "txId",
                                      "lsn", "xmin"}));

  const json& p = recs[0]["value"]["payload"];
  EXPECT_EQ(p["op"], "c");
  EXPECT_TRUE(p["before"].is_null());
  const json& a = p["after"];
  EXPECT_EQ(a["id"], 1);
  EXPECT_EQ(a["i2"], -32768);
  EXPECT_EQ(a["i8"], 9223372036854775807LL);
  EXPECT_EQ(a["num"], "tmn9LQ==");  // -1234567891 as big-endian two's complement
  // Unconstrained numeric: Debezium strips trailing zeros, so 1.50 is 15 at scale 1.
  EXPECT_EQ(a["vnum"], json::parse(R"({"scale":1,"value":"Dw=="})"));
  EXPECT_EQ(a["flag"], true);
  EXPECT_EQ(a["txt"], "quote \" back\\slash\nnew é");
  EXPECT_EQ(a["vc"], "v");
  EXPECT_EQ(a["ch"], "ab  ");
  EXPECT_EQ(a["raw"], "AP8Q");
  EXPECT_EQ(a["d"], 19782);
  EXPECT_EQ(a["t"], 49506123456LL);
  EXPECT_EQ(a["t3"], 49506123);
  EXPECT_EQ(a["ts"], 1709214306500000LL);
  EXPECT_EQ(a["ts3"], -1);
  EXPECT_EQ(a["tstz"], "2024-02-29T08:15:06.123456Z");
  EXPECT_EQ(a["u"], "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  EXPECT_EQ(a["j"], "{\"b\": 1,  \"a\": [1,2]}");
  EXPECT_EQ(a["jb"], "{\"a\": 3, \"b\": 1}");

  const json& s = p["source"];
  EXPECT_EQ(s["connector"], "postgresql");
  EXPECT_EQ(s["name"], h.prefix());
  EXPECT_EQ(s["snapshot"], "false");  // a string, as Debezium's JSON converter writes it
  EXPECT_EQ(s["db"], "postgres");
  EXPECT_EQ(s["schema"], "public");
  EXPECT_EQ(s["table"], "core_types");
  EXPECT_TRUE(s["lsn"].is_number_integer());
  EXPECT_TRUE(s["txId"].is_number_integer());
  EXPECT_TRUE(s["sequence"].is_string());
  auto sequence = json::parse(s["sequence"].get<std::string>());
  ASSERT_EQ(sequence.size(), 2u);
  EXPECT_EQ(sequence[1], std::to_string(s["lsn"].get<uint64_t>()));
  EXPECT_EQ(s["ts_us"].get<int64_t>() / 1000, s["ts_ms"].get<int64_t>());
  EXPECT_EQ(s["ts_ns"].get<int64_t>(), s["ts_us"].get<int64_t>() * 1000);
  EXPECT_TRUE(s["xmin"].is_null());
  EXPECT_TRUE(p["transaction"].is_null());

  // Row 2: everything but the key is NULL.
  const json& a2 = recs[1]["value"]["payload"]["after"];
  EXPECT_EQ(a2["id"], 2);
  for (const auto& name : {"i2", "num", "vnum", "txt", "raw", "d", "tstz", "j"}) {
    EXPECT_TRUE(a2[name].is_null()) << name;
  }
}

TEST_F(PostgresStreaming, UpdatesDeletesTombstonesAndKeyChanges) {
  sql.exec("CREATE TABLE kchange (id int PRIMARY KEY, name text)");
  SiphonHarness h(pg, "kchange");
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  sql.exec("INSERT INTO kchange VALUES (1, 'a')");
  sql.exec("UPDATE kchange SET name = 'b' WHERE id = 1");
  sql.exec("UPDATE kchange SET id = 2 WHERE id = 1");
  sql.exec("DELETE FROM kchange WHERE id = 2");
  const std::string topic = h.topic("kchange");
  // c, u, (d + tombstone + c) for the key change, d + tombstone.
  ASSERT_TRUE(h.wait_for_records(topic, 7)) << h.log();
  siphon.stop();
  auto r = h.records(topic);
  ASSERT_EQ(r.size(), 7u);
  auto op = [&](size_t i) { return r[i]["value"]["payload"]["op"]; };
  auto key = [&](size_t i) { return r[i]["key"]["payload"]; };
  EXPECT_EQ(op(0), "c");
  EXPECT_EQ(op(1), "u");
  // REPLICA IDENTITY DEFAULT and an unchanged key: pgoutput sends no old row, so no before.
  EXPECT_TRUE(r[1]["value"]["payload"]["before"].is_null());
  EXPECT_EQ(r[1]["value"]["payload"]["after"]["name"], "b");

  EXPECT_EQ(op(2), "d");
  EXPECT_EQ(key(2), json::parse(R"({"id":1})"));
  EXPECT_EQ(r[2]["headers"]["__debezium.newkey"], json::parse(R"({"id":2})"));
  EXPECT_TRUE(r[3]["value"].is_null());  // tombstone for the old key
  EXPECT_EQ(key(3), json::parse(R"({"id":1})"));
  EXPECT_EQ(op(4), "c");
  EXPECT_EQ(key(4), json::parse(R"({"id":2})"));
  EXPECT_EQ(r[4]["headers"]["__debezium.oldkey"], json::parse(R"({"id":1})"));

  EXPECT_EQ(op(5), "d");
  // Under REPLICA IDENTITY DEFAULT a delete carries only the key columns.
  EXPECT_EQ(r[5]["value"]["payload"]["before"], json::parse(R"({"id":2,"name":null})"));
  EXPECT_TRUE(r[5]["value"]["payload"]["after"].is_null());
  EXPECT_TRUE(r[6]["value"].is_null());
  EXPECT_EQ(key(6), json::parse(R"({"id":2})"));
}

// column.exclude.list leaves columns out of the values, of snapshot rows and of streamed
// changes alike; a key column stays.
TEST_F(PostgresStreaming, ColumnExcludeListLeavesColumnsOutOfValues) {
  sql.exec("CREATE TABLE colf (id int PRIMARY KEY, keep text, secret text)");
  sql.exec("INSERT INTO colf VALUES (1, 'a', 'hidden')");
  SiphonHarness h(pg, "colf");
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.colf";
  h.props["debezium.source.column.exclude.list"] = "public\\.colf\\.(secret|id)";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  for (int i = 0; i < 200 && h.log().find("streaming from slot") == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  sql.exec("INSERT INTO colf VALUES (2, 'b', 'hidden too')");
  ASSERT_TRUE(h.wait_for_records(h.topic("colf"), 2)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto recs = h.records(h.topic("colf"));
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0]["value"]["payload"]["op"], "r");
  EXPECT_EQ(recs[1]["value"]["payload"]["op"], "c");
  for (const auto& r : recs) {
    const auto& after = r["value"]["payload"]["after"];
    EXPECT_FALSE(after.contains("secret")) << after.dump();
    EXPECT_TRUE(after.contains("keep")) << after.dump();
    EXPECT_TRUE(after.contains("id")) << after.dump();  // the key column stays
    EXPECT_EQ(r["value"].dump().find("hidden"), std::string::npos);
  }
  EXPECT_EQ(recs[1]["key"]["payload"]["id"], 2);
}

TEST_F(PostgresStreaming, ReplicaIdentityFullGivesTheWholeBeforeImage) {
  sql.exec("CREATE TABLE rfull (id int PRIMARY KEY, name text, n int)");
  sql.exec("ALTER TABLE rfull REPLICA IDENTITY FULL");
  SiphonHarness h(pg, "rfull");
  h.props["debezium.source.tombstones.on.delete"] = "false";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  sql.exec("INSERT INTO rfull VALUES (1, 'a', 10)");
  sql.exec("UPDATE rfull SET name = 'b' WHERE id = 1");
  sql.exec("DELETE FROM rfull WHERE id = 1");
  ASSERT_TRUE(h.wait_for_records(h.topic("rfull"), 3)) << h.log();
  siphon.stop();
  auto r = h.records(h.topic("rfull"));
  ASSERT_EQ(r.size(), 3u);  // no tombstone: tombstones.on.delete=false
  // The key is still the primary key, although every column is in the replica identity.
  EXPECT_EQ(r[1]["key"]["payload"], json::parse(R"({"id":1})"));
  EXPECT_EQ(r[1]["value"]["payload"]["before"], json::parse(R"({"id":1,"name":"a","n":10})"));
  EXPECT_EQ(r[2]["value"]["payload"]["before"], json::parse(R"({"id":1,"name":"b","n":10})"));
}

TEST_F(PostgresStreaming, TransactionMetadataTruncateAndToastPlaceholder) {
  sql.exec("CREATE TABLE txmeta_a (id int PRIMARY KEY, big text, n int)");
  sql.exec("CREATE TABLE txmeta_b (id int PRIMARY KEY)");
  SiphonHarness h(pg, "txmeta");
  h.props["debezium.source.provide.transaction.metadata"] = "true";
  h.props["debezium.source.skipped.operations"] = "none";
  h.props["debezium.source.table.include.list"] = "public\\.txmeta_.*";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  // A value stored out of line (TOAST): incompressible and larger than 2 kB.
  sql.exec(
      "BEGIN; INSERT INTO txmeta_a SELECT 1, string_agg(md5(g::text), ''), 1 FROM "
      "generate_series(1, 400) g; INSERT INTO txmeta_b VALUES (1), (2); COMMIT");
  sql.exec("UPDATE txmeta_a SET n = 2 WHERE id = 1");
  sql.exec("TRUNCATE txmeta_b");
  ASSERT_TRUE(h.wait_for_records(h.topic("txmeta_b"), 3)) << h.log();
  ASSERT_TRUE(h.wait_for_records(h.topic("txmeta_a"), 2)) << h.log();
  ASSERT_TRUE(h.wait_for_records(h.prefix() + ".transaction", 6)) << h.log();
  siphon.stop();

  auto a = h.records(h.topic("txmeta_a"));
  auto b = h.records(h.topic("txmeta_b"));
  auto tx = h.records(h.prefix() + ".transaction");
  ASSERT_EQ(tx.size(), 6u);
  const json& begin = tx[0]["value"]["payload"];
  const json& end = tx[1]["value"]["payload"];
  EXPECT_EQ(tx[0]["value"]["schema"]["name"],
            "io.debezium.connector.common.TransactionMetadataValue");
  EXPECT_EQ(begin["status"], "BEGIN");
  EXPECT_TRUE(begin["event_count"].is_null());
  EXPECT_EQ(end["status"], "END");
  EXPECT_EQ(end["event_count"], 3);
  EXPECT_EQ(end["data_collections"],
            json::parse(R"([{"data_collection":"public.txmeta_a","event_count":1},)"
                        R"({"data_collection":"public.txmeta_b","event_count":2}])"));
  // Ids are "<xid>:<lsn of the message>": the xid part is the same in the whole transaction.
  std::string xid =
      begin["id"].get<std::string>().substr(0, begin["id"].get<std::string>().find(':'));
  EXPECT_EQ(end["id"].get<std::string>().rfind(xid + ":", 0), 0u);
  const json& t1 = a[0]["value"]["payload"]["transaction"];
  EXPECT_EQ(t1["total_order"], 1);
  EXPECT_EQ(t1["data_collection_order"], 1);
  const json& t3 = b[1]["value"]["payload"]["transaction"];
  EXPECT_EQ(t3["total_order"], 3);
  EXPECT_EQ(t3["data_collection_order"], 2);

  // The UPDATE did not touch the TOASTed column: Debezium's placeholder stands in for it.
  EXPECT_EQ(a[1]["value"]["payload"]["after"]["big"], "__debezium_unavailable_value");
  EXPECT_EQ(a[1]["value"]["payload"]["after"]["n"], 2);

  // TRUNCATE, captured because skipped.operations=none: key null, before and after null.
  const json& t = b[2];
  EXPECT_TRUE(t["key"].is_null());
  EXPECT_EQ(t["value"]["payload"]["op"], "t");
  EXPECT_TRUE(t["value"]["payload"]["before"].is_null());
  EXPECT_TRUE(t["value"]["payload"]["after"].is_null());
}

TEST_F(PostgresStreaming, TruncateIsSkippedByDefaultAndFiltersApply) {
  sql.exec("CREATE TABLE filt_in (id int PRIMARY KEY)");
  sql.exec("CREATE TABLE filt_out (id int PRIMARY KEY)");
  SiphonHarness h(pg, "filt");
  h.props["debezium.source.table.exclude.list"] = "public\\.filt_out";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  sql.exec("INSERT INTO filt_out VALUES (1)");
  sql.exec("INSERT INTO filt_in VALUES (1)");
  sql.exec("TRUNCATE filt_in");
  sql.exec("INSERT INTO filt_in VALUES (2)");
  ASSERT_TRUE(h.wait_for_records(h.topic("filt_in"), 2)) << h.log();
  siphon.stop();
  auto r = h.records(h.topic("filt_in"));
  ASSERT_EQ(r.size(), 2u);  // the truncate between them is skipped (skipped.operations=t)
  EXPECT_EQ(r[1]["key"]["payload"]["id"], 2);
  EXPECT_FALSE(std::filesystem::exists(h.topic_file(h.topic("filt_out"))));
}

TEST_F(PostgresStreaming, SchemasCanBeDisabledAndStdoutSinkPrintsTopics) {
  sql.exec("CREATE TABLE plain (id int PRIMARY KEY, v text)");
  SiphonHarness h(pg, "plain");
  h.props["debezium.format.key.schemas.enable"] = "false";
  h.props["debezium.format.value.schemas.enable"] = "false";
  h.props["debezium.sink.type"] = "stdout";
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.plain";
  h.props.erase("debezium.sink.file.dir");
  SpawnOptions o;
  h.write_config();
  o.argv = {siphon_binary(), "run", h.config_file().string()};
  o.stdout_path = h.dir() / "stdout.jsonl";
  o.stderr_path = h.log_file();
  ChildProcess siphon(o);
  h.wait_until_streaming(sql);
  sql.exec("INSERT INTO plain VALUES (7, 'x')");
  std::string line;
  for (int i = 0; i < 400 && line.empty(); ++i) {
    std::this_thread::sleep_for(50ms);
    auto lines = complete_lines(h.dir() / "stdout.jsonl");
    if (!lines.empty()) line = lines.front();
  }
  EXPECT_TRUE(siphon.stop().success()) << h.log();
  ASSERT_FALSE(line.empty()) << h.log();
  auto rec = json::parse(line);
  EXPECT_EQ(rec["topic"], h.topic("plain"));
  EXPECT_EQ(rec["key"], json::parse(R"({"id":7})"));
  EXPECT_EQ(rec["value"]["after"], json::parse(R"({"id":7,"v":"x"})"));
  EXPECT_FALSE(rec["value"].contains("schema"));
}

}  // namespace
}  // namespace siphon::testing

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;

TEST(Heartbeats, MoveTheSlotWhenOnlyUnpublishedTablesChangeAndRunTheActionQuery) {
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
  sql.exec("CREATE TABLE hb_captured (id int PRIMARY KEY)");
  sql.exec("CREATE TABLE hb_beat (id serial PRIMARY KEY, at timestamptz)");
  sql.exec("CREATE TABLE hb_busy (id int PRIMARY KEY)");
  SiphonHarness h(pg, "heartbeat");
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.hb_captured,public\\.hb_beat";
  h.props["debezium.source.heartbeat.interval.ms"] = "1000";
  h.props["debezium.source.heartbeat.action.query"] = "INSERT INTO hb_beat (at) VALUES (now())";
  // Status updates only when a position changes (heartbeat offsets or idle keepalives), not
  // on the periodic timer.
  h.props["debezium.source.status.update.interval.ms"] = "60000";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  for (int i = 0; i < 100; ++i) sql.exec("INSERT INTO hb_busy VALUES (" + std::to_string(i) + ")");
  uint64_t target = lsn_of(sql.scalar("SELECT pg_current_wal_lsn()"));
  auto started = std::chrono::steady_clock::now();
  uint64_t confirmed = 0;
  while (confirmed < target && std::chrono::steady_clock::now() - started < 3000ms) {
    std::this_thread::sleep_for(50ms);
    confirmed = lsn_of(
        sql.scalar("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" +
                   h.slot() + "'"));
  }
  EXPECT_GE(confirmed, target) << "slot not moved within three heartbeat intervals\n" << h.log();
  ASSERT_TRUE(h.wait_for_records("__debezium-heartbeat." + h.prefix(), 2)) << h.log();
  ASSERT_TRUE(h.wait_for_records(h.topic("hb_beat"), 1)) << h.log();  // the action query's rows
  ASSERT_TRUE(siphon.stop().success()) << h.log();

  auto beats = h.records("__debezium-heartbeat." + h.prefix());
  const auto& beat = beats.front();
  EXPECT_EQ(beat["key"]["schema"]["name"], "io.debezium.connector.common.ServerNameKey");
  EXPECT_EQ(beat["key"]["payload"]["serverName"], h.prefix());
  EXPECT_EQ(beat["value"]["schema"]["name"], "io.debezium.connector.common.Heartbeat");
  EXPECT_TRUE(beat["value"]["payload"]["ts_ms"].is_number_integer());
  EXPECT_FALSE(std::filesystem::exists(h.topic_file(h.topic("hb_busy"))));
}

}  // namespace
}  // namespace siphon::testing

namespace siphon::testing {
namespace {

TEST(SchemaChanges, EventsCarryTheNewSchemaFromTheNextChangeOn) {
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
  sql.exec("CREATE TABLE ddl_t (id int PRIMARY KEY, a int, b text)");
  SiphonHarness h(pg, "ddl");
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.ddl_t";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  sql.exec("INSERT INTO ddl_t VALUES (1, 10, 'x')");
  sql.exec("ALTER TABLE ddl_t ADD COLUMN c numeric(5,1) DEFAULT 2.5");
  sql.exec("INSERT INTO ddl_t VALUES (2, 20, 'y', 7.5)");
  sql.exec("ALTER TABLE ddl_t DROP COLUMN b");
  sql.exec("INSERT INTO ddl_t VALUES (3, 30, 8.5)");
  sql.exec("ALTER TABLE ddl_t ALTER COLUMN a TYPE bigint");
  sql.exec("UPDATE ddl_t SET a = 9000000000 WHERE id = 3");
  ASSERT_TRUE(h.wait_for_records(h.topic("ddl_t"), 4)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto r = h.records(h.topic("ddl_t"));
  ASSERT_EQ(r.size(), 4u);
  auto columns = [](const nlohmann::json& rec) {
    std::vector<std::string> names;
    for (const auto& f : rec["value"]["schema"]["fields"][1]["fields"]) {
      names.push_back(f["field"].get<std::string>() + ":" + f["type"].get<std::string>());
    }
    return names;
  };
  EXPECT_EQ(columns(r[0]), (std::vector<std::string>{"id:int32", "a:int32", "b:string"}));
  EXPECT_EQ(columns(r[1]),
            (std::vector<std::string>{"id:int32", "a:int32", "b:string", "c:bytes"}));
  EXPECT_EQ(columns(r[2]), (std::vector<std::string>{"id:int32", "a:int32", "c:bytes"}));
  EXPECT_EQ(columns(r[3]), (std::vector<std::string>{"id:int32", "a:int64", "c:bytes"}));
  EXPECT_EQ(r[1]["value"]["payload"]["after"]["c"], "Sw==");  // 7.5 -> 75 at scale 1
  EXPECT_FALSE(r[2]["value"]["payload"]["after"].contains("b"));
  EXPECT_EQ(r[3]["value"]["payload"]["after"]["a"], 9000000000LL);
}

}  // namespace
}  // namespace siphon::testing

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;

// ALTER TYPE ... ADD VALUE sends no Relation message; the first change carrying the new label
// must carry it in the Enum's `allowed` list too (issue 3, schema changes mid-stream).
TEST(SchemaChanges, AnEnumLabelAddedMidStreamIsAllowedFromTheNextChangeOn) {
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
  sql.exec("DROP TABLE IF EXISTS ddl_enum");
  sql.exec("DROP TYPE IF EXISTS ddl_mood");
  sql.exec("CREATE TYPE ddl_mood AS ENUM ('a', 'b')");
  sql.exec("CREATE TABLE ddl_enum (id int PRIMARY KEY, m ddl_mood, ms ddl_mood[])");
  SiphonHarness h(pg, "ddl_enum");
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.ddl_enum";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  // Each change is awaited before the next ALTER: the catalog is read when a change is
  // processed (as Debezium does), so a lagging connector would see later labels early.
  sql.exec("INSERT INTO ddl_enum VALUES (1, 'a', '{b}')");
  ASSERT_TRUE(h.wait_for_records(h.topic("ddl_enum"), 1)) << h.log();
  sql.exec("ALTER TYPE ddl_mood ADD VALUE 'c'");
  sql.exec("INSERT INTO ddl_enum VALUES (2, 'c', '{a}')");
  ASSERT_TRUE(h.wait_for_records(h.topic("ddl_enum"), 2)) << h.log();
  sql.exec("ALTER TYPE ddl_mood ADD VALUE 'a0' BEFORE 'b'");
  sql.exec("INSERT INTO ddl_enum VALUES (3, 'b', '{a0}')");
  ASSERT_TRUE(h.wait_for_records(h.topic("ddl_enum"), 3)) << h.log();
  ASSERT_TRUE(siphon.stop().success()) << h.log();
  auto r = h.records(h.topic("ddl_enum"));
  ASSERT_EQ(r.size(), 3u);
  auto allowed = [](const nlohmann::json& rec, size_t column) {
    const auto& f = rec["value"]["schema"]["fields"][1]["fields"][column];
    const auto& enum_schema = f["type"] == "array" ? f["items"] : f;
    return enum_schema["parameters"]["allowed"].get<std::string>();
  };
  EXPECT_EQ(allowed(r[0], 1), "a,b");
  EXPECT_EQ(allowed(r[0], 2), "a,b");
  EXPECT_EQ(allowed(r[1], 1), "a,b,c");
  EXPECT_EQ(allowed(r[1], 2), "a,b,c");
  // 'a0' arrives in the array only; the scalar 'b' was already known.
  EXPECT_EQ(allowed(r[2], 1), "a,a0,b,c");
  EXPECT_EQ(allowed(r[2], 2), "a,a0,b,c");
  EXPECT_EQ(r[1]["value"]["payload"]["after"]["m"], "c");
  EXPECT_EQ(r[2]["value"]["payload"]["after"]["ms"], nlohmann::json::parse(R"(["a0"])"));
}

// Debezium stops the connector on NaN in a numeric column with decimal.handling.mode=precise
// (SpecialValueDecimal.fromLogical); Siphon exits with the table, column and position named.
TEST(SchemaChanges, NumericNaNInPreciseModeStopsWithTheColumnNamed) {
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
  sql.exec("DROP TABLE IF EXISTS nan_t");
  sql.exec("CREATE TABLE nan_t (id int PRIMARY KEY, n numeric)");
  sql.exec("INSERT INTO nan_t VALUES (1, 'NaN')");
  SiphonHarness h(pg, "nan");
  h.props["debezium.source.publication.autocreate.mode"] = "filtered";
  h.props["debezium.source.table.include.list"] = "public\\.nan_t";
  auto result = h.run_to_exit(60s);
  EXPECT_FALSE(result.timed_out) << h.log();
  EXPECT_NE(result.status.code, 0) << h.log();
  std::string all = result.err + h.log();
  EXPECT_NE(all.find("public.nan_t"), std::string::npos) << all;
  EXPECT_NE(all.find("column 'n'"), std::string::npos) << all;
  EXPECT_NE(all.find("at LSN"), std::string::npos) << all;
  EXPECT_NE(all.find("decimal.handling.mode"), std::string::npos) << all;
}

}  // namespace
}  // namespace siphon::testing
