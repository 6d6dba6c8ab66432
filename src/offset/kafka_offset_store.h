#pragma once
// Offsets in a Kafka topic, as Kafka Connect's KafkaOffsetBackingStore keeps them, so a team
// moving from Kafka Connect or Debezium Server keeps its offsets topic (and can move back):
//   key    ["<connector name>",{"server":"<topic.prefix>"}]   JSON, no spaces, as Connect writes
//   value  the offset map as JSON; a null value deletes the offset
// partitioned by Java's murmur2 of the key bytes, in a compacted topic. load() reads the topic
// from the beginning to its end and keeps the last value of this connector's key; store()
// returns when the broker acknowledged the record (acks=all, idempotent producer).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "offset/offset_store.h"
#include "sink/kafka_producer_config.h"

struct rd_kafka_s;

namespace siphon::offset {

struct KafkaOffsetStoreOptions {
  // Connection and security properties (librdkafka names): bootstrap.servers, security.protocol,
  // sasl.*, ssl.*.
  std::vector<sink::LibrdkafkaProperty> client;
  std::string topic;
  int partitions = 25;         // Kafka Connect's offset.storage.partitions default
  int replication_factor = 3;  // Kafka Connect's offset.storage.replication.factor default
  std::string connector_name;  // the key's first element
  std::string server_name;     // topic.prefix
  // How long load() may take to read the topic, and store() to have its record acknowledged;
  // past it the operation fails retryably (the connector restarts from the stored offset).
  std::chrono::milliseconds timeout{60000};
};

class KafkaOffsetStore : public OffsetStore {
 public:
  explicit KafkaOffsetStore(KafkaOffsetStoreOptions options);
  ~KafkaOffsetStore() override;
  KafkaOffsetStore(const KafkaOffsetStore&) = delete;
  KafkaOffsetStore& operator=(const KafkaOffsetStore&) = delete;

  Result<std::optional<nlohmann::json>> load() override;
  Status store(const nlohmann::json& offset) override;

  // The record key this store reads and writes, byte for byte as Kafka Connect writes it.
  std::string key_bytes() const;

 private:
  Status ensure_topic(rd_kafka_s* rk);
  Status create_producer();

  KafkaOffsetStoreOptions options_;
  rd_kafka_s* producer_ = nullptr;
  bool topic_checked_ = false;
};

}  // namespace siphon::offset
