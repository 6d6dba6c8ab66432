#pragma once
// Where the binlog connectors keep their schema history (schema.history.internal): Debezium's
// history records, one JSON document each, oldest first (spec/debezium-compat.md §7.1). Two
// stores: a file (FileSchemaHistory) and a Kafka topic (KafkaSchemaHistory, in src/offset with
// the other Kafka-kept state).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace siphon::source::binlog {

class SchemaHistory {
 public:
  virtual ~SchemaHistory() = default;
  // Every record, oldest first; none when the store does not exist yet.
  virtual Result<std::vector<nlohmann::json>> read() = 0;
  // Appends one record; returns once it is durable (fsync'd, or acknowledged by all replicas).
  virtual Status append(const nlohmann::json& record) = 0;
  // Where the history is, for messages.
  virtual std::string describe() const = 0;
};

}  // namespace siphon::source::binlog
