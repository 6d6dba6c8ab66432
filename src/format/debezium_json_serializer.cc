#include "format/debezium_json_serializer.h"

#include <cassert>

#include "format/json_writer.h"

namespace siphon::format {

using schema::ConnectType;
using schema::FieldSchema;

namespace {

FieldSchema transaction_block_schema() {
  FieldSchema s = schema::field("transaction", ConnectType::kStruct, true);
  s.with_logical("event.block", 1);
  s.fields.push_back(schema::field("id", ConnectType::kString, false));
  s.fields.push_back(schema::field("total_order", ConnectType::kInt64, false));
  s.fields.push_back(schema::field("data_collection_order", ConnectType::kInt64, false));
  return s;
}

}  // namespace

void DebeziumJsonSerializer::append_schema(std::string& out, const FieldSchema& s, bool as_field) {
  out += "{\"type\":\"";
  out += schema::connect_type_name(s.type);
  out += '"';
  if (s.type == ConnectType::kStruct) {
    out += ",\"fields\":[";
    for (size_t i = 0; i < s.fields.size(); ++i) {
      if (i) out += ',';
      append_schema(out, s.fields[i], true);
    }
    out += ']';
  } else if (s.type == ConnectType::kArray) {
    out += ",\"items\":";
    append_schema(out, s.fields.at(0), false);
  } else if (s.type == ConnectType::kMap) {
    out += ",\"keys\":";
    append_schema(out, s.fields.at(0), false);
    out += ",\"values\":";
    append_schema(out, s.fields.at(1), false);
  }
  out += s.optional ? ",\"optional\":true" : ",\"optional\":false";
  if (!s.logical_name.empty()) {
    out += ",\"name\":";
    append_json_string(out, s.logical_name);
  }
  if (s.version != 0) {
    out += ",\"version\":";
    append_int(out, s.version);
  }
  if (!s.doc.empty()) {
    out += ",\"doc\":";
    append_json_string(out, s.doc);
  }
  if (!s.parameters.empty()) {
    out += ",\"parameters\":{";
    for (size_t i = 0; i < s.parameters.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, s.parameters[i].first);
      out += ':';
      append_json_string(out, s.parameters[i].second);
    }
    out += '}';
  }
  if (s.default_value) {
    out += ",\"default\":";
    DebeziumJsonSerializer plain(JsonFormatOptions{});
    plain.append_value(out, s, *s.default_value);
  }
  if (as_field) {
    out += ",\"field\":";
    append_json_string(out, s.name);
  }
  out += '}';
}

void DebeziumJsonSerializer::append_value(std::string& out, const FieldSchema& s,
                                          const Value& v) const {
  if (v.is_null()) {
    if (options_.replace_null_with_default && s.default_value && !s.default_value->is_null()) {
      append_value(out, s, *s.default_value);
    } else {
      out += "null";
    }
    return;
  }
  switch (v.kind) {
    case Value::Kind::kNull:
      out += "null";
      break;
    case Value::Kind::kBool:
      out += v.i ? "true" : "false";
      break;
    case Value::Kind::kInt:
      append_int(out, v.i);
      break;
    case Value::Kind::kFloat32:
      append_java_float(out, static_cast<float>(v.f));
      break;
    case Value::Kind::kFloat64:
      append_java_double(out, v.f);
      break;
    case Value::Kind::kString:
      append_json_string(out, v.s);
      break;
    case Value::Kind::kBytes:
      out += '"';
      append_base64(out, v.s);
      out += '"';
      break;
    case Value::Kind::kStruct:
      out += '{';
      for (size_t i = 0; i < s.fields.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, s.fields[i].name);
        out += ':';
        append_value(out, s.fields[i], i < v.fields.size() ? v.fields[i] : Value::null());
      }
      out += '}';
      break;
    case Value::Kind::kArray:
      out += '[';
      for (size_t i = 0; i < v.fields.size(); ++i) {
        if (i) out += ',';
        append_value(out, s.fields.at(0), v.fields[i]);
      }
      out += ']';
      break;
    case Value::Kind::kMap:
      // Kafka's JsonConverter: a map with string keys is a JSON object, any other map an
      // array of [key, value] pairs.
      if (s.fields.at(0).type == ConnectType::kString) {
        out += '{';
        for (size_t i = 0; i + 1 < v.fields.size(); i += 2) {
          if (i) out += ',';
          append_json_string(out, v.fields[i].s);
          out += ':';
          append_value(out, s.fields.at(1), v.fields[i + 1]);
        }
        out += '}';
      } else {
        out += '[';
        for (size_t i = 0; i + 1 < v.fields.size(); i += 2) {
          if (i) out += ',';
          out += '[';
          append_value(out, s.fields.at(0), v.fields[i]);
          out += ',';
          append_value(out, s.fields.at(1), v.fields[i + 1]);
          out += ']';
        }
        out += ']';
      }
      break;
  }
}

const DebeziumJsonSerializer::TableCache& DebeziumJsonSerializer::cache_for(
    const event::ChangeEvent& event) {
  const schema::TableSchema& table = *event.table;
  auto it = tables_.find(table.id);
  if (it != tables_.end()) return it->second;
  // Schemas are few and long-lived; a runaway number means DDL churn, so start afresh.
  if (tables_.size() > 10000) tables_.clear();

  TableCache c;
  c.key_schema = schema::field("", ConnectType::kStruct, false);
  c.key_schema.logical_name = table.topic + ".Key";
  for (size_t k : table.key_columns) {
    FieldSchema f = table.columns[k].field;
    f.optional = false;
    c.key_schema.fields.push_back(std::move(f));
  }
  c.row_schema = schema::field("", ConnectType::kStruct, true);
  c.row_schema.logical_name = table.topic + ".Value";
  for (const auto& col : table.columns) c.row_schema.fields.push_back(col.field);

  FieldSchema envelope = schema::field("", ConnectType::kStruct, false);
  envelope.with_logical(table.topic + ".Envelope", 2);
  FieldSchema before = c.row_schema;
  before.name = "before";
  FieldSchema after = c.row_schema;
  after.name = "after";
  envelope.fields.push_back(std::move(before));
  envelope.fields.push_back(std::move(after));
  FieldSchema source = *event.source.schema;
  source.name = "source";
  envelope.fields.push_back(std::move(source));
  envelope.fields.push_back(transaction_block_schema());
  envelope.fields.push_back(schema::field("op", ConnectType::kString, false));
  envelope.fields.push_back(schema::field("ts_ms", ConnectType::kInt64, true));
  envelope.fields.push_back(schema::field("ts_us", ConnectType::kInt64, true));
  envelope.fields.push_back(schema::field("ts_ns", ConnectType::kInt64, true));

  append_schema(c.key_schema_json, c.key_schema, false);
  append_schema(c.envelope_schema_json, envelope, false);
  return tables_.emplace(table.id, std::move(c)).first->second;
}

void DebeziumJsonSerializer::append_row(std::string& out, const FieldSchema& row_schema,
                                        const std::optional<Row>& row) const {
  if (!row) {
    out += "null";
    return;
  }
  append_row(out, row_schema, *row);
}

void DebeziumJsonSerializer::append_row(std::string& out, const FieldSchema& row_schema,
                                        const Row& row) const {
  static const Value kNull;
  out += '{';
  for (size_t i = 0; i < row_schema.fields.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, row_schema.fields[i].name);
    out += ':';
    append_value(out, row_schema.fields[i], i < row.size() ? row[i] : kNull);
  }
  out += '}';
}

std::string DebeziumJsonSerializer::key_payload(const schema::TableSchema& table,
                                                const Row& row) const {
  std::string out = "{";
  for (size_t i = 0; i < table.key_columns.size(); ++i) {
    size_t k = table.key_columns[i];
    if (i) out += ',';
    append_json_string(out, table.columns[k].field.name);
    out += ':';
    append_value(out, table.columns[k].field, k < row.size() ? row[k] : Value::null());
  }
  out += '}';
  return out;
}

std::string DebeziumJsonSerializer::key_json(const schema::TableSchema& table,
                                             const TableCache& cache, const Row& row) const {
  std::string payload = key_payload(table, row);
  if (!options_.key_schemas_enable) return payload;
  std::string out;
  out.reserve(cache.key_schema_json.size() + payload.size() + 24);
  out += "{\"schema\":";
  out += cache.key_schema_json;
  out += ",\"payload\":";
  out += payload;
  out += '}';
  return out;
}

SerializedRecord DebeziumJsonSerializer::serialize_change(const event::ChangeEvent& event) {
  const TableCache& cache = cache_for(event);
  const schema::TableSchema& table = *event.table;
  SerializedRecord rec;
  rec.topic = table.topic;
  rec.headers = event.headers;
  const Row* key_row = event.key_row();
  if (table.has_key() && key_row != nullptr && event.op != event::Op::kTruncate) {
    rec.key = key_json(table, cache, *key_row);
  }

  std::string v;
  v.reserve((options_.value_schemas_enable ? cache.envelope_schema_json.size() : 0) + 1024);
  if (options_.value_schemas_enable) {
    v += "{\"schema\":";
    v += cache.envelope_schema_json;
    v += ",\"payload\":";
  }
  v += "{\"before\":";
  append_row(v, cache.row_schema, event.before);
  v += ",\"after\":";
  append_row(v, cache.row_schema, event.after);
  v += ",\"source\":";
  append_row(v, *event.source.schema, event.source.values);
  v += ",\"transaction\":";
  if (event.transaction) {
    v += "{\"id\":";
    append_json_string(v, event.transaction->id);
    v += ",\"total_order\":";
    append_int(v, event.transaction->total_order);
    v += ",\"data_collection_order\":";
    append_int(v, event.transaction->data_collection_order);
    v += '}';
  } else {
    v += "null";
  }
  v += ",\"op\":\"";
  v += static_cast<char>(event.op);
  v += "\",\"ts_ms\":";
  append_int(v, event.processed_at_ns / 1'000'000);
  v += ",\"ts_us\":";
  append_int(v, event.processed_at_ns / 1'000);
  v += ",\"ts_ns\":";
  append_int(v, event.processed_at_ns);
  v += '}';
  if (options_.value_schemas_enable) v += '}';
  rec.value = std::move(v);
  return rec;
}

SerializedRecord DebeziumJsonSerializer::serialize_tombstone(const event::ChangeEvent& deleted) {
  const TableCache& cache = cache_for(deleted);
  SerializedRecord rec;
  rec.topic = deleted.table->topic;
  const Row* key_row = deleted.key_row();
  assert(deleted.table->has_key() && key_row != nullptr);
  rec.key = key_json(*deleted.table, cache, *key_row);
  return rec;
}

SerializedRecord DebeziumJsonSerializer::serialize_struct(const std::string& topic,
                                                          const FieldSchema* key_schema,
                                                          const Value* key,
                                                          const FieldSchema* value_schema,
                                                          const Value* value) {
  auto encode = [this](const FieldSchema& s, const Value& v, bool with_schema) {
    std::string out;
    if (with_schema) {
      out += "{\"schema\":";
      append_schema(out, s, false);
      out += ",\"payload\":";
    }
    append_value(out, s, v);
    if (with_schema) out += '}';
    return out;
  };
  SerializedRecord rec;
  rec.topic = topic;
  if (key_schema && key) rec.key = encode(*key_schema, *key, options_.key_schemas_enable);
  if (value_schema && value) {
    rec.value = encode(*value_schema, *value, options_.value_schemas_enable);
  }
  return rec;
}

}  // namespace siphon::format
