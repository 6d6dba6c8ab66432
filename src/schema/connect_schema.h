#pragma once
// Kafka Connect schemas, as Debezium declares its events. The JSON converter prints them in a
// fixed key order (spec/debezium-compat.md §2.2), so the model keeps exactly what it prints.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/value.h"

namespace siphon::schema {

enum class ConnectType {
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kBoolean,
  kString,
  kBytes,
  kStruct,
  kArray,
  kMap,
};

const char* connect_type_name(ConnectType type);

struct FieldSchema {
  std::string name;  // the struct field name ("" for a top-level schema)
  ConnectType type = ConnectType::kString;
  bool optional = true;
  std::string logical_name;  // e.g. io.debezium.time.MicroTimestamp; "" = none
  int version = 0;           // 0 = not printed
  std::string doc;           // "" = not printed
  std::vector<std::pair<std::string, std::string>> parameters;
  std::optional<Value> default_value;
  // kStruct: the fields; kArray: one element, the item schema; kMap: two, the key schema and
  // the value schema.
  std::vector<FieldSchema> fields;

  FieldSchema& with_logical(std::string name_, int version_ = 1) {
    logical_name = std::move(name_);
    version = version_;
    return *this;
  }
  FieldSchema& with_parameter(std::string key, std::string value) {
    parameters.emplace_back(std::move(key), std::move(value));
    return *this;
  }
};

inline FieldSchema field(std::string name, ConnectType type, bool optional) {
  FieldSchema f;
  f.name = std::move(name);
  f.type = type;
  f.optional = optional;
  return f;
}

}  // namespace siphon::schema
