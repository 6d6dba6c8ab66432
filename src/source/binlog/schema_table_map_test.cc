// TABLE_MAPs built from information_schema rows (as MariaDB 10.11 reports them) describe the
// columns the way the binlog's own TABLE_MAP with binlog_row_metadata=FULL does.
#include "source/binlog/schema_table_map.h"

#include <gtest/gtest.h>

namespace siphon::source::binlog {
namespace {

SchemaColumn col(std::string name, std::string data_type, std::string column_type) {
  SchemaColumn c;
  c.name = std::move(name);
  c.data_type = std::move(data_type);
  c.column_type = std::move(column_type);
  return c;
}

TEST(SchemaTableMap, EnumAndSetLabelsAreUnquoted) {
  EXPECT_EQ(enum_labels("enum('x','y')"), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(enum_labels("set('p','it''s','a,b')"), (std::vector<std::string>{"p", "it's", "a,b"}));
  EXPECT_EQ(enum_labels("enum('')"), (std::vector<std::string>{""}));
  EXPECT_TRUE(enum_labels("int(11)").empty());
  EXPECT_TRUE(enum_labels("enum(").empty());
}

TEST(SchemaTableMap, ColumnsAreDescribedAsTheBinlogDescribesThem) {
  std::vector<SchemaColumn> columns;
  columns.push_back(col("id", "int", "int(11)"));
  columns.back().nullable = false;
  columns.push_back(col("u", "bigint", "bigint(20) unsigned"));
  columns.push_back(col("d", "decimal", "decimal(12,3)"));
  columns.back().numeric_precision = 12;
  columns.back().numeric_scale = 3;
  columns.push_back(col("t", "time", "time(2)"));
  columns.back().datetime_precision = 2;
  columns.push_back(col("name", "varchar", "varchar(10)"));
  columns.back().octet_length = 40;
  columns.back().collation_id = 45;  // utf8mb4_general_ci
  columns.push_back(col("bin", "binary", "binary(4)"));
  columns.back().octet_length = 4;
  columns.push_back(col("e", "enum", "enum('x','y')"));
  columns.back().collation_id = 8;
  columns.push_back(col("b", "bit", "bit(10)"));
  columns.back().numeric_precision = 10;
  columns.push_back(col("j", "longtext", "longtext"));
  columns.back().collation_id = 46;
  columns.push_back(col("id2", "uuid", "uuid"));
  columns.push_back(col("g", "point", "point"));
  columns.push_back(col("f", "float", "float"));
  auto map = table_map_from_schema("db", "t", columns, {"id2", "id"});
  ASSERT_TRUE(map) << map.error().message;
  ASSERT_EQ(map->columns.size(), columns.size());
  const auto& c = map->columns;
  EXPECT_EQ(c[0].real_type, kTypeLong);
  EXPECT_FALSE(c[0].nullable);
  EXPECT_EQ(c[0].is_unsigned, false);
  EXPECT_EQ(c[1].real_type, kTypeLongLong);
  EXPECT_EQ(c[1].is_unsigned, true);
  EXPECT_EQ(c[2].real_type, kTypeNewDecimal);
  EXPECT_EQ(c[2].precision, 12);
  EXPECT_EQ(c[2].scale, 3);
  EXPECT_EQ(c[3].real_type, kTypeTime2);
  EXPECT_EQ(c[3].fsp, 2);
  EXPECT_EQ(c[4].real_type, kTypeVarchar);
  EXPECT_EQ(c[4].max_length, 40u);
  EXPECT_EQ(c[4].collation, 45u);
  EXPECT_EQ(c[5].real_type, kTypeString);
  EXPECT_EQ(c[5].collation, 63u);
  EXPECT_EQ(c[6].type, kTypeString);
  EXPECT_EQ(c[6].real_type, kTypeEnum);
  EXPECT_EQ(c[6].enum_values, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(c[7].real_type, kTypeBit);
  EXPECT_EQ(c[7].bits, 10);
  EXPECT_EQ(c[8].real_type, kTypeBlob);
  EXPECT_EQ(c[8].length_bytes, 4);
  EXPECT_EQ(c[8].collation, 46u);
  EXPECT_EQ(c[9].real_type, kTypeString);  // UUID is written as BINARY(16)
  EXPECT_EQ(c[9].max_length, 16u);
  EXPECT_EQ(c[10].real_type, kTypeGeometry);
  EXPECT_EQ(c[10].geometry_type, 1u);
  EXPECT_EQ(c[11].real_type, kTypeFloat);
  // The key in key order, flagged on its columns.
  EXPECT_EQ(map->primary_key, (std::vector<uint32_t>{9, 0}));
  EXPECT_TRUE(c[0].primary_key);
  EXPECT_TRUE(c[9].primary_key);
  EXPECT_TRUE(map->has_names);
}

TEST(SchemaTableMap, UnknownTypesAndKeysAreErrorsNamingTheColumn) {
  auto unknown = table_map_from_schema("db", "t", {col("v", "vector", "vector(3)")}, {});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("db.t.v"), std::string::npos);
  auto key = table_map_from_schema("db", "t", {col("a", "int", "int")}, {"b"});
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message.find("b"), std::string::npos);
}

}  // namespace
}  // namespace siphon::source::binlog
