// Table definitions: Debezium's tableChanges JSON and back (the schema history), and the
// changes between two readings of a database.
#include "source/binlog/table_definition.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "source/binlog/file_schema_history.h"

namespace siphon::source::binlog {
namespace {

TableDefinition sample() {
  TableDefinition t;
  t.database = "shop";
  t.table = "orders";
  t.default_charset = "utf8mb4";
  t.primary_key = {"id"};
  t.comment = "the orders";
  ColumnDefinition id;
  id.name = "id";
  id.jdbc_type = 4;
  id.type_name = "INT UNSIGNED";
  id.type_expression = "int(10) unsigned";
  id.length = 10;
  id.position = 1;
  id.optional = false;
  id.auto_incremented = true;
  ColumnDefinition status;
  status.name = "status";
  status.jdbc_type = 1;
  status.type_name = "ENUM";
  status.type_expression = "enum('new','paid')";
  status.charset = "utf8mb4";
  status.position = 2;
  status.default_expression = "'new'";
  status.enum_values = {"new", "paid"};
  t.columns = {id, status};
  return t;
}

TEST(TableDefinition, TableChangesJsonReadsBackToTheSameDefinition) {
  const TableDefinition t = sample();
  EXPECT_EQ(t.id(), "\"shop\".\"orders\"");
  const nlohmann::json j = t.to_json();
  EXPECT_EQ(j["primaryKeyColumnNames"], nlohmann::json::array({"id"}));
  EXPECT_EQ(j["columns"][0]["typeName"], "INT UNSIGNED");
  EXPECT_EQ(j["columns"][0]["autoIncremented"], true);
  EXPECT_EQ(j["columns"][1]["defaultValueExpression"], "'new'");
  EXPECT_FALSE(j["columns"][0].contains("defaultValueExpression"));
  auto back = TableDefinition::from_json(t.id(), j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, t);
  EXPECT_FALSE(TableDefinition::from_json("orders", j));
}

TEST(TableDefinition, ChangesAreCreatesAltersAndDrops) {
  TableDefinition orders = sample();
  TableDefinition items = sample();
  items.table = "items";
  DatabaseDefinitions before = {{"orders", orders}, {"items", items}};
  TableDefinition altered = orders;
  altered.columns[1].default_expression = "'paid'";
  TableDefinition created = sample();
  created.table = "refunds";
  DatabaseDefinitions after = {{"orders", altered}, {"refunds", created}};
  auto changes = table_changes(before, after);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].type, "ALTER");
  EXPECT_EQ(changes[0].table.table, "orders");
  EXPECT_EQ(changes[1].type, "CREATE");
  EXPECT_EQ(changes[1].table.table, "refunds");
  EXPECT_EQ(changes[2].type, "DROP");
  EXPECT_EQ(changes[2].table.table, "items");
  EXPECT_TRUE(table_changes(after, after).empty());
}

TEST(TableDefinition, SchemaColumnsCarryTheMariaDbTypesAndDefaults) {
  TableDefinition t = sample();
  ColumnDefinition doc;
  doc.name = "doc";
  doc.type_name = "JSON";
  doc.type_expression = "longtext";
  ColumnDefinition key;
  key.name = "key";
  key.type_name = "UUID";
  key.type_expression = "uuid";
  t.columns.push_back(doc);
  t.columns.push_back(key);
  SchemaColumns columns = schema_columns_of(t);
  EXPECT_EQ(columns["doc"].extended, ExtendedType::kJson);
  EXPECT_EQ(columns["key"].extended, ExtendedType::kUuid);
  EXPECT_EQ(columns["status"].default_expression, "'new'");
  EXPECT_EQ(columns["id"].type_name, "INT UNSIGNED");
  EXPECT_EQ(columns["id"].length, 10);
}

TEST(FileSchemaHistory, RecordsAreAppendedAndATornLastLineIsDropped) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("siphon-history-test-" + std::to_string(::getpid()) + ".jsonl");
  std::filesystem::remove(path);
  FileSchemaHistory history(path.string());
  EXPECT_FALSE(history.exists());
  auto none = history.read();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  ASSERT_TRUE(history.append({{"ddl", "CREATE TABLE a (id int)"}}));
  ASSERT_TRUE(history.append({{"ddl", "ALTER TABLE a ADD b int"}}));
  { std::ofstream(path, std::ios::app) << "{\"ddl\": \"DROP TA"; }  // a crash mid-append
  auto records = history.read();
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[1]["ddl"], "ALTER TABLE a ADD b int");
  // A malformed record in the middle is an error, not a silent skip.
  { std::ofstream(path, std::ios::app) << "\n{\"ddl\": \"x\"}\n"; }
  auto broken = history.read();
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("line 3"), std::string::npos) << broken.error().message;
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace siphon::source::binlog
