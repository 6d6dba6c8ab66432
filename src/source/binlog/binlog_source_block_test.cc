#include "source/binlog/binlog_source_block.h"

#include <gtest/gtest.h>

namespace siphon::source::binlog {
namespace {

const Value& field(const BinlogSourceBlock& block, const std::vector<Value>& values,
                   const std::string& name) {
  const auto& fields = block.schema()->fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return values.at(i);
  }
  ADD_FAILURE() << "no field " << name;
  static const Value none = Value::null();
  return none;
}

TEST(BinlogSourceBlock, EveryFieldOfTheSchemaGetsItsValue) {
  BinlogSourceBlock block("3.0.0.Final", "mariadb", "shop");
  EXPECT_EQ(block.schema()->logical_name, "io.debezium.connector.mariadb.Source");
  BinlogSourceFields f;
  f.ts_ms = 1700000000123;
  f.snapshot = "last";
  f.db = "inventory";
  f.table = "orders";
  f.server_id = 7;
  f.gtid = "0-7-42";
  f.file = "binlog.000003";
  f.pos = 4711;
  f.row = 2;
  f.thread = 99;
  const std::vector<Value> v = block.values(f);
  ASSERT_EQ(v.size(), block.schema()->fields.size());
  EXPECT_EQ(field(block, v, "version"), Value::string("3.0.0.Final"));
  EXPECT_EQ(field(block, v, "connector"), Value::string("mariadb"));
  EXPECT_EQ(field(block, v, "name"), Value::string("shop"));
  EXPECT_EQ(field(block, v, "ts_ms"), Value::integer(1700000000123));
  EXPECT_EQ(field(block, v, "ts_us"), Value::integer(1700000000123000));
  EXPECT_EQ(field(block, v, "ts_ns"), Value::integer(1700000000123000000));
  EXPECT_EQ(field(block, v, "snapshot"), Value::string("last"));
  EXPECT_EQ(field(block, v, "db"), Value::string("inventory"));
  EXPECT_EQ(field(block, v, "sequence"), Value::null());
  EXPECT_EQ(field(block, v, "table"), Value::string("orders"));
  EXPECT_EQ(field(block, v, "server_id"), Value::integer(7));
  EXPECT_EQ(field(block, v, "gtid"), Value::string("0-7-42"));
  EXPECT_EQ(field(block, v, "file"), Value::string("binlog.000003"));
  EXPECT_EQ(field(block, v, "pos"), Value::integer(4711));
  EXPECT_EQ(field(block, v, "row"), Value::integer(2));
  EXPECT_EQ(field(block, v, "thread"), Value::integer(99));
  EXPECT_EQ(field(block, v, "query"), Value::null());
}

TEST(BinlogSourceBlock, AbsentTableGtidAndThreadAreNull) {
  BinlogSourceBlock block("3.0.0.Final", "mysql", "shop");
  EXPECT_EQ(block.schema()->logical_name, "io.debezium.connector.mysql.Source");
  BinlogSourceFields f;
  f.db = "inventory";
  const std::vector<Value> v = block.values(f);
  EXPECT_EQ(field(block, v, "connector"), Value::string("mysql"));
  EXPECT_EQ(field(block, v, "snapshot"), Value::string("false"));
  EXPECT_EQ(field(block, v, "table"), Value::null());
  EXPECT_EQ(field(block, v, "gtid"), Value::null());
  EXPECT_EQ(field(block, v, "thread"), Value::null());
}

}  // namespace
}  // namespace siphon::source::binlog
