#pragma once
// A change event as Debezium models it, before serialization: which table, what happened, the
// row images, the connector-specific `source` block and the transaction block.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/value.h"
#include "schema/connect_schema.h"
#include "schema/table_schema.h"

namespace siphon::event {

enum class Op : char {
  kCreate = 'c',
  kUpdate = 'u',
  kDelete = 'd',
  kRead = 'r',
  kTruncate = 't',
  kMessage = 'm',
};

// The `source` struct: its schema is fixed per connector (built once), its values per event.
struct SourceBlock {
  std::shared_ptr<const schema::FieldSchema> schema;  // a kStruct named e.g. ...postgresql.Source
  std::vector<Value> values;                          // in schema field order
};

// Debezium's `transaction` field (struct event.block).
struct TransactionBlock {
  std::string id;
  int64_t total_order = 0;
  int64_t data_collection_order = 0;
};

// A header of the Kafka record; the value is JSON text.
struct Header {
  std::string name;
  std::string json_value;
};

struct ChangeEvent {
  schema::TableSchemaPtr table;
  Op op = Op::kCreate;
  std::optional<Row> before;
  std::optional<Row> after;
  SourceBlock source;
  std::optional<TransactionBlock> transaction;
  int64_t processed_at_ns = 0;  // connector wall clock: envelope ts_ms/ts_us/ts_ns
  std::vector<Header> headers;

  // The row the key is taken from: `after`, or `before` for deletes.
  const Row* key_row() const {
    if (after) return &*after;
    if (before) return &*before;
    return nullptr;
  }
};

}  // namespace siphon::event
