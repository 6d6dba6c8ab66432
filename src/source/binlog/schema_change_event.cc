#include "source/binlog/schema_change_event.h"

#include <map>
#include <memory>
#include <mutex>

namespace siphon::source::binlog {
namespace {

using schema::ConnectType;
using schema::FieldSchema;

FieldSchema array_of(std::string name, FieldSchema item, bool optional) {
  FieldSchema f = schema::field(std::move(name), ConnectType::kArray, optional);
  f.fields.push_back(std::move(item));
  return f;
}

FieldSchema column_schema() {
  FieldSchema c = schema::field("", ConnectType::kStruct, false);
  c.with_logical("io.debezium.connector.schema.Column");
  auto add = [&](const char* name, ConnectType t, bool optional) {
    c.fields.push_back(schema::field(name, t, optional));
  };
  add("name", ConnectType::kString, false);
  add("jdbcType", ConnectType::kInt32, false);
  add("nativeType", ConnectType::kInt32, true);
  add("typeName", ConnectType::kString, false);
  add("typeExpression", ConnectType::kString, true);
  add("charsetName", ConnectType::kString, true);
  add("length", ConnectType::kInt32, true);
  add("scale", ConnectType::kInt32, true);
  add("position", ConnectType::kInt32, false);
  add("optional", ConnectType::kBoolean, true);
  add("autoIncremented", ConnectType::kBoolean, true);
  add("generated", ConnectType::kBoolean, true);
  add("comment", ConnectType::kString, true);
  add("defaultValueExpression", ConnectType::kString, true);
  c.fields.push_back(array_of("enumValues", schema::field("", ConnectType::kString, false), true));
  return c;
}

FieldSchema change_schema() {
  FieldSchema table = schema::field("table", ConnectType::kStruct, true);
  table.with_logical("io.debezium.connector.schema.Table");
  table.fields.push_back(schema::field("defaultCharsetName", ConnectType::kString, true));
  table.fields.push_back(
      array_of("primaryKeyColumnNames", schema::field("", ConnectType::kString, false), true));
  table.fields.push_back(array_of("columns", column_schema(), false));
  table.fields.push_back(schema::field("comment", ConnectType::kString, true));
  FieldSchema change = schema::field("", ConnectType::kStruct, false);
  change.with_logical("io.debezium.connector.schema.Change");
  change.fields.push_back(schema::field("type", ConnectType::kString, false));
  change.fields.push_back(schema::field("id", ConnectType::kString, false));
  change.fields.push_back(std::move(table));
  return change;
}

struct Schemas {
  FieldSchema key;
  FieldSchema value;
};

const Schemas& schemas_for(const std::string& connector, const FieldSchema& source) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Schemas>> cache;
  std::lock_guard lock(mutex);
  auto& slot = cache[connector];
  if (!slot) {
    slot = std::make_unique<Schemas>();
    slot->key = schema::field("", ConnectType::kStruct, false);
    slot->key.with_logical("io.debezium.connector." + connector + ".SchemaChangeKey");
    slot->key.fields.push_back(schema::field("databaseName", ConnectType::kString, false));
    FieldSchema& v = slot->value;
    v = schema::field("", ConnectType::kStruct, false);
    v.with_logical("io.debezium.connector." + connector + ".SchemaChangeValue");
    FieldSchema src = source;
    src.name = "source";
    v.fields.push_back(std::move(src));
    v.fields.push_back(schema::field("ts_ms", ConnectType::kInt64, false));
    v.fields.push_back(schema::field("databaseName", ConnectType::kString, true));
    v.fields.push_back(schema::field("schemaName", ConnectType::kString, true));
    v.fields.push_back(schema::field("ddl", ConnectType::kString, true));
    v.fields.push_back(array_of("tableChanges", change_schema(), false));
  }
  return *slot;
}

Value optional_string(const std::optional<std::string>& s) {
  return s ? Value::string(*s) : Value::null();
}

Value optional_int(const std::optional<int64_t>& n) {
  return n ? Value::integer(*n) : Value::null();
}

Value strings(const std::vector<std::string>& items) {
  std::vector<Value> out;
  for (const std::string& s : items) out.push_back(Value::string(s));
  return Value::array(std::move(out));
}

Value table_value(const TableDefinition& t) {
  std::vector<Value> columns;
  for (const ColumnDefinition& c : t.columns) {
    columns.push_back(Value::structure(
        {Value::string(c.name), Value::integer(c.jdbc_type), Value::null(),
         Value::string(c.type_name), Value::string(c.type_expression), optional_string(c.charset),
         optional_int(c.length), optional_int(c.scale), Value::integer(c.position),
         Value::boolean(c.optional), Value::boolean(c.auto_incremented),
         Value::boolean(c.generated), optional_string(c.comment),
         optional_string(c.default_expression), strings(c.enum_values)}));
  }
  return Value::structure({optional_string(t.default_charset), strings(t.primary_key),
                           Value::array(std::move(columns)), optional_string(t.comment)});
}

}  // namespace

SchemaChangeRecord schema_change_record(const std::string& connector_name,
                                        const FieldSchema& source_schema,
                                        const std::vector<Value>& source, int64_t ts_ms,
                                        const std::string& database, const std::string& ddl,
                                        const std::vector<TableChange>& changes) {
  const Schemas& s = schemas_for(connector_name, source_schema);
  std::vector<Value> items;
  for (const TableChange& change : changes) {
    items.push_back(Value::structure(
        {Value::string(change.type), Value::string(change.table.id()), table_value(change.table)}));
  }
  SchemaChangeRecord record;
  record.key_schema = &s.key;
  record.value_schema = &s.value;
  record.key = Value::structure({Value::string(database)});
  record.value =
      Value::structure({Value::structure(source), Value::integer(ts_ms), Value::string(database),
                        Value::null(), Value::string(ddl), Value::array(std::move(items))});
  return record;
}

}  // namespace siphon::source::binlog
