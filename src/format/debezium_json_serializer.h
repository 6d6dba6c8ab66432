#pragma once
// Debezium's events as Kafka Connect's JsonConverter writes them (spec/debezium-compat.md §1-2):
// key and value each `{"schema":...,"payload":...}` with schemas enabled, the bare payload
// otherwise; envelope field order of Debezium 2.7+/3.x.
#include <memory>
#include <string>
#include <unordered_map>

#include "format/serializer.h"

namespace siphon::format {

struct JsonFormatOptions {
  bool key_schemas_enable = true;
  bool value_schemas_enable = true;
  bool replace_null_with_default = true;  // Kafka's JsonConverter default
};

class DebeziumJsonSerializer : public Serializer {
 public:
  explicit DebeziumJsonSerializer(JsonFormatOptions options) : options_(options) {}

  SerializedRecord serialize_change(const event::ChangeEvent& event) override;
  SerializedRecord serialize_tombstone(const event::ChangeEvent& deleted) override;
  SerializedRecord serialize_struct(const std::string& topic, const schema::FieldSchema* key_schema,
                                    const Value* key, const schema::FieldSchema* value_schema,
                                    const Value* value) override;

  // Building blocks, public for tests and for other serializers.
  static void append_schema(std::string& out, const schema::FieldSchema& s, bool as_field);
  void append_value(std::string& out, const schema::FieldSchema& s, const Value& v) const;

  // The key struct payload of a row ("{"id":1}"), used for the PK-change headers.
  std::string key_payload(const schema::TableSchema& table, const Row& row) const;

 private:
  struct TableCache {
    schema::FieldSchema key_schema;
    schema::FieldSchema row_schema;
    std::string key_schema_json;       // `"schema":{...}` part of the key
    std::string envelope_schema_json;  // `"schema":{...}` part of the value
  };
  const TableCache& cache_for(const event::ChangeEvent& event);
  std::string key_json(const schema::TableSchema& table, const TableCache& cache,
                       const Row& row) const;
  void append_row(std::string& out, const schema::FieldSchema& row_schema,
                  const std::optional<Row>& row) const;
  void append_row(std::string& out, const schema::FieldSchema& row_schema, const Row& row) const;

  JsonFormatOptions options_;
  std::unordered_map<uint64_t, TableCache> tables_;
};

}  // namespace siphon::format
