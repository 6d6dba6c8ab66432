#pragma once
// A converted column value, typed as Kafka Connect types it. Logical types (Decimal,
// MicroTimestamp,
// ...) live in the field's schema, not in the value: a Decimal is kBytes holding the unscaled
// big-endian two's-complement integer, a MicroTimestamp is kInt, and so on.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace siphon {

struct Value {
  enum class Kind : uint8_t {
    kNull,
    kBool,
    kInt,      // int8..int64
    kFloat32,  // printed as Java prints a float
    kFloat64,
    kString,  // UTF-8 text
    kBytes,   // raw bytes (base64 in JSON)
    kStruct,  // fields in schema order, in `fields`
    kArray,   // elements in `fields`
    kMap,     // entries in `fields` as key, value, key, value, ... in the order they are written
  };

  Kind kind = Kind::kNull;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<Value> fields;

  static Value null() { return {}; }
  static Value boolean(bool b) { return Value{Kind::kBool, b ? 1 : 0, 0, {}, {}}; }
  static Value integer(int64_t v) { return Value{Kind::kInt, v, 0, {}, {}}; }
  static Value float32(float v) { return Value{Kind::kFloat32, 0, v, {}, {}}; }
  static Value float64(double v) { return Value{Kind::kFloat64, 0, v, {}, {}}; }
  static Value string(std::string v) { return Value{Kind::kString, 0, 0, std::move(v), {}}; }
  static Value bytes(std::string v) { return Value{Kind::kBytes, 0, 0, std::move(v), {}}; }
  static Value structure(std::vector<Value> v) {
    return Value{Kind::kStruct, 0, 0, {}, std::move(v)};
  }
  static Value array(std::vector<Value> v) { return Value{Kind::kArray, 0, 0, {}, std::move(v)}; }
  static Value map(std::vector<Value> key_value_pairs) {
    return Value{Kind::kMap, 0, 0, {}, std::move(key_value_pairs)};
  }

  bool is_null() const { return kind == Kind::kNull; }
  bool operator==(const Value&) const = default;
};

// One row image in the column order of its table schema.
using Row = std::vector<Value>;

}  // namespace siphon
