#include "format/debezium_json_serializer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "event/transaction_monitor.h"

// siphon_format_test links siphon_format only, not siphon_event, which holds the transaction
// monitor: compile it in here. (The archive member is never pulled in as well, since this object
// already defines every symbol of it, so adding siphon_event to the link line later is harmless;
// then this include can go.)

namespace siphon::format {
namespace {

using schema::ConnectType;
using schema::FieldSchema;

// ---- the example of spec/debezium-compat.md §2.5: public.orders, topic.prefix=pg ----------------

std::shared_ptr<const FieldSchema> postgres_source_schema() {
  auto s = std::make_shared<FieldSchema>(schema::field("", ConnectType::kStruct, false));
  s->with_logical("io.debezium.connector.postgresql.Source", 1);
  s->fields.push_back(schema::field("version", ConnectType::kString, false));
  s->fields.push_back(schema::field("connector", ConnectType::kString, false));
  s->fields.push_back(schema::field("name", ConnectType::kString, false));
  s->fields.push_back(schema::field("ts_ms", ConnectType::kInt64, false));
  FieldSchema snapshot = schema::field("snapshot", ConnectType::kString, true);
  snapshot.with_logical("io.debezium.data.Enum", 1);
  snapshot.with_parameter(
      "allowed",
      "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental");
  snapshot.default_value = Value::string("false");
  s->fields.push_back(std::move(snapshot));
  s->fields.push_back(schema::field("db", ConnectType::kString, false));
  s->fields.push_back(schema::field("sequence", ConnectType::kString, true));
  s->fields.push_back(schema::field("ts_us", ConnectType::kInt64, true));
  s->fields.push_back(schema::field("ts_ns", ConnectType::kInt64, true));
  s->fields.push_back(schema::field("schema", ConnectType::kString, false));
  s->fields.push_back(schema::field("table", ConnectType::kString, false));
  s->fields.push_back(schema::field("txId", ConnectType::kInt64, true));
  s->fields.push_back(schema::field("lsn", ConnectType::kInt64, true));
  s->fields.push_back(schema::field("xmin", ConnectType::kInt64, true));
  return s;
}

schema::ColumnSchema column(FieldSchema field, bool key = false) {
  schema::ColumnSchema c;
  c.field = std::move(field);
  c.key = key;
  return c;
}

schema::TableSchemaPtr orders_table() {
  auto t = std::make_shared<schema::TableSchema>();
  t->id = schema::next_schema_id();
  t->catalog_name = "public";
  t->table_name = "orders";
  t->topic = "pg.public.orders";
  t->columns.push_back(column(schema::field("id", ConnectType::kInt32, false), true));
  t->columns.push_back(column(schema::field("note", ConnectType::kString, true)));
  FieldSchema price = schema::field("price", ConnectType::kBytes, true);
  price.with_logical("org.apache.kafka.connect.data.Decimal", 1);
  price.with_parameter("scale", "2");
  price.with_parameter("connect.decimal.precision", "10");
  t->columns.push_back(column(std::move(price)));
  FieldSchema created = schema::field("created", ConnectType::kString, true);
  created.with_logical("io.debezium.time.ZonedTimestamp", 1);
  t->columns.push_back(column(std::move(created)));
  t->key_columns = {0};
  return t;
}

Row orders_row(int64_t id, std::string note) {
  return {Value::integer(id), Value::string(std::move(note)), Value::bytes("\x30\x39"),
          Value::string("2024-05-01T10:00:00.123456Z")};
}

event::SourceBlock source_block(std::shared_ptr<const FieldSchema> schema) {
  event::SourceBlock s;
  s.schema = std::move(schema);
  s.values = {Value::string("3.1.2.Final"),
              Value::string("postgresql"),
              Value::string("pg"),
              Value::integer(1714557600123),
              Value::null(),  // streaming: the schema default "false" is written
              Value::string("app"),
              Value::string("[\"24023119\",\"24023128\"]"),
              Value::integer(1714557600123456),
              Value::integer(1714557600123456000),
              Value::string("public"),
              Value::string("orders"),
              Value::integer(555),
              Value::integer(24023128),
              Value::null()};
  return s;
}

event::ChangeEvent orders_insert(schema::TableSchemaPtr table,
                                 std::shared_ptr<const FieldSchema> source) {
  event::ChangeEvent e;
  e.table = std::move(table);
  e.op = event::Op::kCreate;
  e.after = orders_row(1, "hi");
  e.source = source_block(std::move(source));
  e.processed_at_ns = 1714557600200311522;
  return e;
}

constexpr std::string_view kOrdersKey =
    R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],)"
    R"("optional":false,"name":"pg.public.orders.Key"},"payload":{"id":1}})";

std::string orders_value_schema() {
  const std::string row_fields =
      R"({"type":"int32","optional":false,"field":"id"},)"
      R"({"type":"string","optional":true,"field":"note"},)"
      R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal",)"
      R"("version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"},)"
      R"("field":"price"},)"
      R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp",)"
      R"("version":1,"field":"created"})";
  const std::string source_fields =
      R"({"type":"string","optional":false,"field":"version"},)"
      R"({"type":"string","optional":false,"field":"connector"},)"
      R"({"type":"string","optional":false,"field":"name"},)"
      R"({"type":"int64","optional":false,"field":"ts_ms"},)"
      R"({"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,)"
      R"("parameters":{"allowed":"true,first,first_in_data_collection,)"
      R"(last_in_data_collection,last,false,incremental"},"default":"false","field":"snapshot"},)"
      R"({"type":"string","optional":false,"field":"db"},)"
      R"({"type":"string","optional":true,"field":"sequence"},)"
      R"({"type":"int64","optional":true,"field":"ts_us"},)"
      R"({"type":"int64","optional":true,"field":"ts_ns"},)"
      R"({"type":"string","optional":false,"field":"schema"},)"
      R"({"type":"string","optional":false,"field":"table"},)"
      R"({"type":"int64","optional":true,"field":"txId"},)"
      R"({"type":"int64","optional":true,"field":"lsn"},)"
      R"({"type":"int64","optional":true,"field":"xmin"})";
  return R"({"type":"struct","fields":[)"
         R"({"type":"struct","fields":[)" +
         row_fields + R"(],"optional":true,"name":"pg.public.orders.Value","field":"before"},)" +
         R"({"type":"struct","fields":[)" + row_fields +
         R"(],"optional":true,"name":"pg.public.orders.Value","field":"after"},)" +
         R"({"type":"struct","fields":[)" + source_fields +
         R"(],"optional":false,"name":"io.debezium.connector.postgresql.Source","version":1,)"
         R"("field":"source"},)"
         R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"id"},)"
         R"({"type":"int64","optional":false,"field":"total_order"},)"
         R"({"type":"int64","optional":false,"field":"data_collection_order"}],)"
         R"("optional":true,"name":"event.block","version":1,"field":"transaction"},)"
         R"({"type":"string","optional":false,"field":"op"},)"
         R"({"type":"int64","optional":true,"field":"ts_ms"},)"
         R"({"type":"int64","optional":true,"field":"ts_us"},)"
         R"({"type":"int64","optional":true,"field":"ts_ns"}],)"
         R"("optional":false,"name":"pg.public.orders.Envelope","version":2})";
}

constexpr std::string_view kOrdersPayload =
    R"({"before":null,"after":{"id":1,"note":"hi","price":"MDk=",)"
    R"("created":"2024-05-01T10:00:00.123456Z"},)"
    R"("source":{"version":"3.1.2.Final","connector":"postgresql","name":"pg",)"
    R"("ts_ms":1714557600123,"snapshot":"false","db":"app",)"
    R"("sequence":"[\"24023119\",\"24023128\"]","ts_us":1714557600123456,)"
    R"("ts_ns":1714557600123456000,"schema":"public","table":"orders","txId":555,)"
    R"("lsn":24023128,"xmin":null},)"
    R"("transaction":null,"op":"c","ts_ms":1714557600200,"ts_us":1714557600200311,)"
    R"("ts_ns":1714557600200311522})";

class SerializerTest : public ::testing::Test {
 protected:
  std::shared_ptr<const FieldSchema> source_ = postgres_source_schema();
  schema::TableSchemaPtr orders_ = orders_table();
};

TEST_F(SerializerTest, KeyMatchesTheSpecExampleExactly) {
  DebeziumJsonSerializer s(JsonFormatOptions{});
  auto rec = s.serialize_change(orders_insert(orders_, source_));
  EXPECT_EQ(rec.topic, "pg.public.orders");
  ASSERT_TRUE(rec.key);
  EXPECT_EQ(*rec.key, kOrdersKey);
}

TEST_F(SerializerTest, ValueMatchesTheSpecExampleExactly) {
  DebeziumJsonSerializer s(JsonFormatOptions{});
  auto rec = s.serialize_change(orders_insert(orders_, source_));
  ASSERT_TRUE(rec.value);
  const std::string expected = R"({"schema":)" + orders_value_schema() + R"(,"payload":)" +
                               std::string(kOrdersPayload) + "}";
  EXPECT_EQ(*rec.value, expected);
  EXPECT_TRUE(nlohmann::json::accept(*rec.value));
  EXPECT_TRUE(rec.headers.empty());
}

TEST_F(SerializerTest, EnvelopeFieldAndSchemaKeyOrder) {
  DebeziumJsonSerializer s(JsonFormatOptions{});
  auto rec = s.serialize_change(orders_insert(orders_, source_));
  auto doc = nlohmann::ordered_json::parse(*rec.value);
  std::vector<std::string> top, payload, schema_keys, field_names;
  for (const auto& [k, v] : doc.items()) top.push_back(k);
  for (const auto& [k, v] : doc["payload"].items()) payload.push_back(k);
  for (const auto& [k, v] : doc["schema"].items()) schema_keys.push_back(k);
  for (const auto& f : doc["schema"]["fields"]) field_names.push_back(f["field"]);
  EXPECT_EQ(top, (std::vector<std::string>{"schema", "payload"}));
  const std::vector<std::string> envelope = {"before", "after", "source", "transaction",
                                             "op",     "ts_ms", "ts_us",  "ts_ns"};
  EXPECT_EQ(payload, envelope);
  EXPECT_EQ(field_names, envelope);
  EXPECT_EQ(schema_keys,
            (std::vector<std::string>{"type", "fields", "optional", "name", "version"}));
  // A field with every key: type, optional, name, version, parameters, default, field.
  std::vector<std::string> snapshot_keys;
  for (const auto& [k, v] : doc["schema"]["fields"][2]["fields"][4].items()) {
    snapshot_keys.push_back(k);
  }
  EXPECT_EQ(snapshot_keys, (std::vector<std::string>{"type", "optional", "name", "version",
                                                     "parameters", "default", "field"}));
}

TEST_F(SerializerTest, SchemaKeyOrderWithDocAndDefault) {
  FieldSchema f = schema::field("amount", ConnectType::kStruct, true);
  f.with_logical("io.debezium.data.VariableScaleDecimal", 1);
  f.doc = "Variable scaled decimal";
  f.fields.push_back(schema::field("scale", ConnectType::kInt32, false));
  f.fields.push_back(schema::field("value", ConnectType::kBytes, false));
  std::string out;
  DebeziumJsonSerializer::append_schema(out, f, true);
  EXPECT_EQ(out, R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"scale"},)"
                 R"({"type":"bytes","optional":false,"field":"value"}],"optional":true,)"
                 R"("name":"io.debezium.data.VariableScaleDecimal","version":1,)"
                 R"("doc":"Variable scaled decimal","field":"amount"})");

  FieldSchema d = schema::field("n", ConnectType::kInt64, false);
  d.doc = "a \"doc\"";
  d.with_parameter("k", "v");
  d.default_value = Value::integer(7);
  out.clear();
  DebeziumJsonSerializer::append_schema(out, d, false);
  EXPECT_EQ(out, R"({"type":"int64","optional":false,"doc":"a \"doc\"","parameters":{"k":"v"},)"
                 R"("default":7})")
      << "no \"field\" key outside a struct";

  FieldSchema arr = schema::field("tags", ConnectType::kArray, true);
  arr.fields.push_back(schema::field("", ConnectType::kString, true));
  out.clear();
  DebeziumJsonSerializer::append_schema(out, arr, true);
  EXPECT_EQ(out, R"({"type":"array","items":{"type":"string","optional":true},"optional":true,)"
                 R"("field":"tags"})");
}

// Kafka's JsonConverter: a map schema has "keys" and "values"; a map with string keys is a JSON
// object, any other map an array of [key, value] pairs.
TEST_F(SerializerTest, MapsAsKafkasJsonConverterWritesThem) {
  FieldSchema m = schema::field("attrs", ConnectType::kMap, true);
  m.fields = {schema::field("", ConnectType::kString, false),
              schema::field("", ConnectType::kString, true)};
  std::string out;
  DebeziumJsonSerializer::append_schema(out, m, true);
  EXPECT_EQ(out, R"({"type":"map","keys":{"type":"string","optional":false},)"
                 R"("values":{"type":"string","optional":true},"optional":true,"field":"attrs"})");
  DebeziumJsonSerializer s(JsonFormatOptions{});
  out.clear();
  s.append_value(
      out, m,
      Value::map({Value::string("b\""), Value::string("1"), Value::string("a"), Value::null()}));
  EXPECT_EQ(out, R"({"b\"":"1","a":null})") << "entries in the order given";
  out.clear();
  s.append_value(out, m, Value::map({}));
  EXPECT_EQ(out, "{}");

  FieldSchema by_int = schema::field("counts", ConnectType::kMap, false);
  by_int.fields = {schema::field("", ConnectType::kInt32, false),
                   schema::field("", ConnectType::kInt64, false)};
  out.clear();
  s.append_value(
      out, by_int,
      Value::map({Value::integer(1), Value::integer(10), Value::integer(2), Value::integer(20)}));
  EXPECT_EQ(out, "[[1,10],[2,20]]");
}

TEST_F(SerializerTest, SchemasDisabledGivesOnlyThePayload) {
  JsonFormatOptions options;
  options.key_schemas_enable = false;
  options.value_schemas_enable = false;
  DebeziumJsonSerializer s(options);
  auto rec = s.serialize_change(orders_insert(orders_, source_));
  ASSERT_TRUE(rec.key && rec.value);
  EXPECT_EQ(*rec.key, R"({"id":1})");
  EXPECT_EQ(*rec.value, kOrdersPayload);

  JsonFormatOptions key_only;
  key_only.value_schemas_enable = false;
  DebeziumJsonSerializer k(key_only);
  auto rec2 = k.serialize_change(orders_insert(orders_, source_));
  EXPECT_EQ(*rec2.key, kOrdersKey);
  EXPECT_EQ(*rec2.value, kOrdersPayload);
}

TEST_F(SerializerTest, UpdateAndDelete) {
  DebeziumJsonSerializer s(JsonFormatOptions{});
  event::ChangeEvent upd = orders_insert(orders_, source_);
  upd.op = event::Op::kUpdate;
  upd.before = orders_row(1, "old");
  upd.after = orders_row(1, "new");
  auto u = nlohmann::json::parse(*s.serialize_change(upd).value)["payload"];
  EXPECT_EQ(u["op"], "u");
  EXPECT_EQ(u["before"]["note"], "old");
  EXPECT_EQ(u["after"]["note"], "new");

  event::ChangeEvent del = orders_insert(orders_, source_);
  del.op = event::Op::kDelete;
  del.before = orders_row(7, "gone");
  del.after.reset();
  auto rec = s.serialize_change(del);
  ASSERT_TRUE(rec.key);
  EXPECT_EQ(nlohmann::json::parse(*rec.key)["payload"], nlohmann::json({{"id", 7}}))
      << "the key of a delete comes from before";
  auto d = nlohmann::json::parse(*rec.value)["payload"];
  EXPECT_EQ(d["op"], "d");
  EXPECT_TRUE(d["after"].is_null());
  EXPECT_EQ(d["before"]["id"], 7);
}

TEST_F(SerializerTest, TombstoneHasTheKeyAndANullValue) {
  DebeziumJsonSerializer s(JsonFormatOptions{});
  event::ChangeEvent del = orders_insert(orders_, source_);
  del.op = event::Op::kDelete;
  del.before = orders_row(1, "hi");
  del.after.reset();
  auto rec = s.serialize_tombstone(del);
  EXPECT_EQ(rec.topic, "pg.public.orders");
  ASSERT_TRUE(rec.key);
  EXPECT_EQ(*rec.key, kOrdersKey);
  EXPECT_FALSE(rec.value.has_value());
  EXPECT_EQ(*rec.key, *s.serialize_change(del).key) << "same key as the delete";
}

TEST_F(SerializerTest, TableWithoutKeyHasANullKey) {
  auto t = std::make_shared<schema::TableSchema>(*orders_);
  t->id = schema::next_schema_id();
  t->key_columns.clear();
  for (auto& c : t->columns) c.key = false;
  DebeziumJsonSerializer s(JsonFormatOptions{});
  auto rec = s.serialize_change(orders_insert(t, source_));
  EXPECT_FALSE(rec.key.has_value());
  ASSERT_TRUE(rec.value);
  EXPECT_EQ(nlohmann::json::parse(*rec.value)["payload"]["after"]["id"], 1);
}

TEST_F(SerializerTest, TruncateHasANullKeyAndNoRows) {
  DebeziumJsonSerializer s(JsonFormatOptions{});
  event::ChangeEvent tr = orders_insert(orders_, source_);
  tr.op = event::Op::kTruncate;
  tr.after.reset();
  auto rec = s.serialize_change(tr);
  EXPECT_FALSE(rec.key.has_value());
  auto p = nlohmann::json::parse(*rec.value)["payload"];
  EXPECT_EQ(p["op"], "t");
  EXPECT_TRUE(p["before"].is_null());
  EXPECT_TRUE(p["after"].is_null());
}

TEST_F(SerializerTest, ReplaceNullWithDefault) {
  auto t = std::make_shared<schema::TableSchema>(*orders_);
  t->id = schema::next_schema_id();
  t->columns[1].field.default_value = Value::string("n/a");
  event::ChangeEvent e = orders_insert(t, source_);
  (*e.after)[1] = Value::null();

  DebeziumJsonSerializer with_default(JsonFormatOptions{});
  auto doc = nlohmann::json::parse(*with_default.serialize_change(e).value);
  EXPECT_EQ(doc["payload"]["after"]["note"], "n/a");
  EXPECT_EQ(doc["schema"]["fields"][1]["fields"][1]["default"], "n/a");

  JsonFormatOptions keep_null;
  keep_null.replace_null_with_default = false;
  DebeziumJsonSerializer without(keep_null);
  auto doc2 = nlohmann::json::parse(*without.serialize_change(e).value);
  EXPECT_TRUE(doc2["payload"]["after"]["note"].is_null());
  EXPECT_EQ(doc2["schema"]["fields"][1]["fields"][1]["default"], "n/a")
      << "the schema still declares the default";
  // Likewise the source's snapshot field: null, with the schema default "false".
  EXPECT_EQ(doc["payload"]["source"]["snapshot"], "false");
  EXPECT_TRUE(doc2["payload"]["source"]["snapshot"].is_null());
}

TEST_F(SerializerTest, TransactionBlockAndHeaders) {
  DebeziumJsonSerializer s(JsonFormatOptions{});
  event::ChangeEvent e = orders_insert(orders_, source_);
  e.transaction = event::TransactionBlock{"555:24023128", 3, 2};
  e.headers.push_back({"__debezium.oldkey", R"({"id":0})"});
  auto rec = s.serialize_change(e);
  ASSERT_EQ(rec.headers.size(), 1u);
  EXPECT_EQ(rec.headers[0].name, "__debezium.oldkey");
  EXPECT_EQ(rec.headers[0].json_value, R"({"id":0})");
  EXPECT_NE(rec.value->find(R"("transaction":{"id":"555:24023128","total_order":3,)"
                            R"("data_collection_order":2},"op":"c")"),
            std::string::npos)
      << *rec.value;
}

TEST_F(SerializerTest, NewSchemaIdGivesANewSchema) {
  DebeziumJsonSerializer s(JsonFormatOptions{});
  auto first = s.serialize_change(orders_insert(orders_, source_));
  auto again = s.serialize_change(orders_insert(orders_, source_));
  EXPECT_EQ(*first.value, *again.value);

  auto t = std::make_shared<schema::TableSchema>(*orders_);
  t->id = schema::next_schema_id();
  t->columns.push_back(column(schema::field("extra", ConnectType::kBoolean, true)));
  event::ChangeEvent e = orders_insert(t, source_);
  e.after->push_back(Value::boolean(true));
  auto doc = nlohmann::json::parse(*s.serialize_change(e).value);
  EXPECT_EQ(doc["schema"]["fields"][1]["fields"].size(), 5u);
  EXPECT_EQ(doc["payload"]["after"]["extra"], true);
}

TEST_F(SerializerTest, KeyPayload) {
  DebeziumJsonSerializer s(JsonFormatOptions{});
  EXPECT_EQ(s.key_payload(*orders_, orders_row(42, "x")), R"({"id":42})");
}

TEST(SerializerValues, EveryValueKind) {
  DebeziumJsonSerializer s(JsonFormatOptions{});
  FieldSchema row = schema::field("", ConnectType::kStruct, false);
  row.fields.push_back(schema::field("b", ConnectType::kBoolean, true));
  row.fields.push_back(schema::field("i", ConnectType::kInt16, true));
  row.fields.push_back(schema::field("f", ConnectType::kFloat32, true));
  row.fields.push_back(schema::field("d", ConnectType::kFloat64, true));
  row.fields.push_back(schema::field("s", ConnectType::kString, true));
  row.fields.push_back(schema::field("y", ConnectType::kBytes, true));
  FieldSchema vsd = schema::field("v", ConnectType::kStruct, true);
  vsd.fields.push_back(schema::field("scale", ConnectType::kInt32, false));
  vsd.fields.push_back(schema::field("value", ConnectType::kBytes, false));
  row.fields.push_back(std::move(vsd));
  FieldSchema arr = schema::field("a", ConnectType::kArray, true);
  arr.fields.push_back(schema::field("", ConnectType::kInt32, true));
  row.fields.push_back(std::move(arr));
  row.fields.push_back(schema::field("n", ConnectType::kString, true));

  Value v = Value::structure({
      Value::boolean(true),
      Value::integer(-3),
      Value::float32(0.1f),
      Value::float64(1e10),
      Value::string("q\"\n"),
      Value::bytes(std::string("\x00\xff", 2)),
      Value::structure({Value::integer(2), Value::bytes("\x01")}),
      Value::array({Value::integer(1), Value::null(), Value::integer(3)}),
      Value::null(),
  });
  std::string out;
  s.append_value(out, row, v);
  EXPECT_EQ(out, R"({"b":true,"i":-3,"f":0.1,"d":1.0E10,"s":"q\"\n","y":"AP8=",)"
                 R"("v":{"scale":2,"value":"AQ=="},"a":[1,null,3],"n":null})");
  EXPECT_TRUE(nlohmann::json::accept(out));
}

// ---- transaction metadata records (event/transaction_monitor.h; spec §3) -----------------------

TEST(SerializerTransactionMetadata, BeginAndEndRecords) {
  event::TransactionMonitor monitor("pg.transaction");
  DebeziumJsonSerializer s(JsonFormatOptions{});

  auto begin = monitor.begin("571:53195829", 1486500577125);
  auto b = s.serialize_struct(begin.topic, &event::TransactionMonitor::key_schema(), &begin.key,
                              &event::TransactionMonitor::value_schema(), &begin.value);
  EXPECT_EQ(b.topic, "pg.transaction");
  ASSERT_TRUE(b.key && b.value);
  EXPECT_EQ(*b.key, R"({"schema":{"type":"struct","fields":[{"type":"string","optional":false,)"
                    R"("field":"id"}],"optional":false,)"
                    R"("name":"io.debezium.connector.common.TransactionMetadataKey","version":1},)"
                    R"("payload":{"id":"571:53195829"}})");
  const std::string value_schema =
      R"({"type":"struct","fields":[{"type":"string","optional":false,"field":"status"},)"
      R"({"type":"string","optional":false,"field":"id"},)"
      R"({"type":"int64","optional":true,"field":"event_count"},)"
      R"({"type":"array","items":{"type":"struct","fields":[)"
      R"({"type":"string","optional":false,"field":"data_collection"},)"
      R"({"type":"int64","optional":false,"field":"event_count"}],"optional":false,)"
      R"("name":"event.collection","version":1},"optional":true,"field":"data_collections"},)"
      R"({"type":"int64","optional":false,"field":"ts_ms"}],"optional":false,)"
      R"("name":"io.debezium.connector.common.TransactionMetadataValue","version":1})";
  EXPECT_EQ(*b.value, R"({"schema":)" + value_schema +
                          R"(,"payload":{"status":"BEGIN","id":"571:53195829",)"
                          R"("event_count":null,"data_collections":null,"ts_ms":1486500577125}})");

  auto first = monitor.on_event("571:53195830", "s1.a");
  auto second = monitor.on_event("571:53195831", "s2.a");
  EXPECT_EQ(first.total_order, 1);
  EXPECT_EQ(first.data_collection_order, 1);
  EXPECT_EQ(second.total_order, 2);
  EXPECT_EQ(second.data_collection_order, 1);
  EXPECT_EQ(second.id, "571:53195831");

  auto end = monitor.end("571:53195832", 1486500577691);
  JsonFormatOptions no_schemas;
  no_schemas.key_schemas_enable = false;
  no_schemas.value_schemas_enable = false;
  DebeziumJsonSerializer plain(no_schemas);
  auto e = plain.serialize_struct(end.topic, &event::TransactionMonitor::key_schema(), &end.key,
                                  &event::TransactionMonitor::value_schema(), &end.value);
  EXPECT_EQ(*e.key, R"({"id":"571:53195832"})");
  EXPECT_EQ(*e.value, R"({"status":"END","id":"571:53195832","event_count":2,"data_collections":[)"
                      R"({"data_collection":"s1.a","event_count":1},)"
                      R"({"data_collection":"s2.a","event_count":1}],"ts_ms":1486500577691})");
}

TEST(SerializerTransactionMetadata, NullSchemaGivesANullKeyOrValue) {
  DebeziumJsonSerializer s(JsonFormatOptions{});
  Value v = Value::structure({Value::string("x")});
  auto no_key =
      s.serialize_struct("t", nullptr, nullptr, &event::TransactionMonitor::key_schema(), &v);
  EXPECT_EQ(no_key.topic, "t");
  EXPECT_FALSE(no_key.key.has_value());
  ASSERT_TRUE(no_key.value);
  auto no_value =
      s.serialize_struct("t", &event::TransactionMonitor::key_schema(), &v, nullptr, nullptr);
  EXPECT_TRUE(no_value.key.has_value());
  EXPECT_FALSE(no_value.value.has_value());
}

}  // namespace
}  // namespace siphon::format
