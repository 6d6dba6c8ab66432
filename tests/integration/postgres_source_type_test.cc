// column.propagate.source.type / datatype.propagate.source.type against a real PostgreSQL 15:
// the exact __debezium.source.column.* schema parameters Debezium adds (type name from pgjdbc,
// length and scale as pgjdbc's TypeInfoCache reports them for the column's type modifier).
#include <gtest/gtest.h>

#include "integration/siphon_harness.h"

namespace siphon::testing {
namespace {

using nlohmann::json;

const json& field_schema(const json& struct_schema, const std::string& name) {
  for (const auto& f : struct_schema.at("fields")) {
    if (f.at("field") == name) return f;
  }
  throw std::runtime_error("no field " + name);
}

TEST(PostgresSourceType, PropagatedColumnsCarryTheSourceTypeParameters) {
  PgServer& pg = shared_pg_server();
  PgConnection sql = pg.connect();
  sql.exec("DROP TABLE IF EXISTS prop_types");
  sql.exec(
      "CREATE TABLE prop_types (id serial PRIMARY KEY, vc varchar(20), num numeric(10,2), "
      "vnum numeric, f4 real, ts timestamp(3), tstz timestamptz, t text, d date, i int)");
  SiphonHarness h(pg, "prop_types");
  h.props["debezium.source.table.include.list"] = "public\\.prop_types";
  h.props["debezium.source.column.propagate.source.type"] =
      "public\\.prop_types\\.(id|vc|NUM|vnum|ts|tstz|t|d)";
  h.props["debezium.source.datatype.propagate.source.type"] = ".+\\.float4";
  auto siphon = h.start();
  h.wait_until_streaming(sql);
  sql.exec("INSERT INTO prop_types (vc) VALUES ('x')");
  const std::string topic = h.topic("prop_types");
  ASSERT_TRUE(h.wait_for_records(topic, 1)) << h.log();
  siphon.stop();
  auto recs = h.records(topic);
  ASSERT_EQ(recs.size(), 1u);
  const json& row = field_schema(recs[0]["value"]["schema"], "after");
  auto params = [&](const std::string& column) { return field_schema(row, column)["parameters"]; };
  auto expected = [](const std::string& type, const std::string& length, const std::string& scale,
                     const std::string& name) {
    return json{{"__debezium.source.column.type", type},
                {"__debezium.source.column.length", length},
                {"__debezium.source.column.scale", scale},
                {"__debezium.source.column.name", name}};
  };
  // A sequence default makes pgjdbc (and so Debezium) call an int4 column "serial".
  EXPECT_EQ(params("id"), expected("SERIAL", "10", "0", "id"));
  EXPECT_EQ(params("vc"), expected("VARCHAR", "20", "0", "vc"));
  // The Decimal's own parameters come first.
  json num = expected("NUMERIC", "10", "2", "num");
  num["scale"] = "2";
  num["connect.decimal.precision"] = "10";
  EXPECT_EQ(params("num"), num);
  EXPECT_EQ(params("vnum"), expected("NUMERIC", "131089", "0", "vnum"));
  EXPECT_EQ(params("f4"), expected("FLOAT4", "8", "8", "f4"));
  EXPECT_EQ(params("ts"), expected("TIMESTAMP", "26", "3", "ts"));
  EXPECT_EQ(params("tstz"), expected("TIMESTAMPTZ", "35", "6", "tstz"));
  EXPECT_EQ(params("t"), expected("TEXT", "2147483647", "0", "t"));
  EXPECT_EQ(params("d"), expected("DATE", "13", "0", "d"));
  EXPECT_FALSE(field_schema(row, "i").contains("parameters"));
  // The byte order of the parameters, as Kafka's JsonConverter writes them.
  auto raw = h.raw_lines(topic);
  EXPECT_NE(raw[0].find(R"("parameters":{"scale":"2","connect.decimal.precision":"10",)"
                        R"("__debezium.source.column.type":"NUMERIC",)"
                        R"("__debezium.source.column.length":"10",)"
                        R"("__debezium.source.column.scale":"2",)"
                        R"("__debezium.source.column.name":"num"})"),
            std::string::npos);
  // The key field of a propagated key column has them too (Debezium builds both with the
  // same column mappers).
  EXPECT_EQ(field_schema(recs[0]["key"]["schema"], "id")["parameters"],
            expected("SERIAL", "10", "0", "id"));
}

}  // namespace
}  // namespace siphon::testing
