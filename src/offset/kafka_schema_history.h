#pragma once
// Debezium's KafkaSchemaHistory (schema.history.internal=io.debezium.storage.kafka.history.
// KafkaSchemaHistory, schema.history.internal.kafka.topic and .bootstrap.servers): the binlog
// connectors' history records as values (JSON, key null) of a one-partition topic with infinite
// retention, which the connector reads whole at start. append() returns once the broker has
// acknowledged the record (acks=all, idempotent producer), so a record is durable before the
// DDL it describes can be passed by a stored offset.
#include <chrono>
#include <string>
#include <vector>

#include "sink/kafka_producer_config.h"
#include "source/binlog/schema_history.h"

struct rd_kafka_s;

namespace siphon::offset {

struct KafkaSchemaHistoryOptions {
  // Connection and security properties (librdkafka names).
  std::vector<sink::LibrdkafkaProperty> client;
  std::string topic;
  int replication_factor = 1;
  std::chrono::milliseconds timeout{60000};
};

class KafkaSchemaHistory : public source::binlog::SchemaHistory {
 public:
  explicit KafkaSchemaHistory(KafkaSchemaHistoryOptions options);
  ~KafkaSchemaHistory() override;
  KafkaSchemaHistory(const KafkaSchemaHistory&) = delete;
  KafkaSchemaHistory& operator=(const KafkaSchemaHistory&) = delete;

  Result<std::vector<nlohmann::json>> read() override;
  Status append(const nlohmann::json& record) override;
  std::string describe() const override { return "Kafka topic " + options_.topic; }

 private:
  Status create_producer();

  KafkaSchemaHistoryOptions options_;
  rd_kafka_s* producer_ = nullptr;
};

}  // namespace siphon::offset
