#include "offset/kafka_schema_history.h"

#include <map>
#include <memory>

#include <librdkafka/rdkafka.h>

#include "core/log.h"
#include "sink/kafka_client.h"
#include "sink/kafka_topic_admin.h"

namespace siphon::offset {

using Clock = std::chrono::steady_clock;

KafkaSchemaHistory::KafkaSchemaHistory(KafkaSchemaHistoryOptions options)
    : options_(std::move(options)) {}

KafkaSchemaHistory::~KafkaSchemaHistory() {
  if (producer_ != nullptr) {
    rd_kafka_flush(producer_, 1000);
    rd_kafka_destroy(producer_);
  }
}

Result<std::vector<nlohmann::json>> KafkaSchemaHistory::read() {
  std::vector<nlohmann::json> out;
  auto reader = sink::create_reader(options_.client, "schema history Kafka client",
                                    "siphon-schema-history-reader");
  if (!reader) return tl::unexpected(reader.error());
  rd_kafka_t* rk = reader->get();
  const auto deadline = Clock::now() + options_.timeout;
  auto remaining_ms = [&] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::max<int64_t>(0, left.count()));
  };
  // Partition 0 holds the history (Debezium's topic has one partition); a missing topic holds
  // none.
  int64_t low = 0;
  int64_t high = 0;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  while (true) {
    err = rd_kafka_query_watermark_offsets(rk, options_.topic.c_str(), 0, &low, &high,
                                           std::max(1, std::min(remaining_ms(), 5000)));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
        err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
      return out;
    }
    if (remaining_ms() == 0) {
      return make_error(ErrorKind::kRetryable, "cannot read the schema history topic {}: {}",
                        options_.topic, rd_kafka_err2str(err));
    }
  }
  if (high <= low) return out;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, options_.topic.c_str(), 0)->offset = low;
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  int64_t next = low;
  while (next < high) {
    if (remaining_ms() == 0) {
      return make_error(ErrorKind::kRetryable,
                        "reading the schema history topic {} took longer than {} ms",
                        options_.topic, options_.timeout.count());
    }
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> msg(
        m, rd_kafka_message_destroy);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return make_error(ErrorKind::kRetryable, "reading the schema history topic {}: {}",
                        options_.topic, rd_kafka_message_errstr(m));
    }
    next = m->offset + 1;
    if (m->payload == nullptr) continue;
    nlohmann::json record = nlohmann::json::parse(static_cast<const char*>(m->payload),
                                                  static_cast<const char*>(m->payload) + m->len,
                                                  nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded() || !record.is_object()) {
      return make_error(ErrorKind::kFatal,
                        "schema history topic {} offset {}: the record is not a JSON object",
                        options_.topic, m->offset);
    }
    out.push_back(std::move(record));
  }
  return out;
}

Status KafkaSchemaHistory::create_producer() {
  auto producer =
      sink::create_state_producer(options_.client, "schema history Kafka client", options_.timeout);
  if (!producer) return tl::unexpected(producer.error());
  producer_ = *producer;
  // One partition, kept forever, as Debezium creates it.
  sink::NewTopicSpec spec;
  spec.name = options_.topic;
  spec.partitions = 1;
  spec.replication_factor = options_.replication_factor;
  spec.configs = {{"cleanup.policy", "delete"}, {"retention.ms", "-1"}, {"retention.bytes", "-1"}};
  auto created = sink::create_topic(producer_, spec, std::chrono::milliseconds(5000));
  if (!created) return tl::unexpected(created.error());
  if (created->outcome == sink::TopicCreation::kNotServed) {
    log::warn(
        "the Kafka cluster did not serve CreateTopics for the schema history topic {} ({}); it "
        "must exist or be auto-created with one partition and infinite retention",
        options_.topic, created->detail);
  }
  return ok();
}

Status KafkaSchemaHistory::append(const nlohmann::json& record) {
  if (producer_ == nullptr) {
    if (auto s = create_producer(); !s) return s;
  }
  // Partition 0: the history is one ordered sequence, as Debezium keeps it.
  return sink::produce_and_wait(producer_, options_.topic, std::nullopt, record.dump(),
                                "write the schema history", 0);
}

}  // namespace siphon::offset
