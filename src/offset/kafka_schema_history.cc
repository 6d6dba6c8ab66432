#include "offset/kafka_schema_history.h"

#include <atomic>
#include <map>
#include <memory>

#include <librdkafka/rdkafka.h>

#include "core/log.h"
#include "sink/kafka_client.h"
#include "sink/kafka_topic_admin.h"

namespace siphon::offset {
namespace {

using Clock = std::chrono::steady_clock;

struct Delivery {
  std::atomic<bool> done{false};
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
};

void on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* /*opaque*/) {
  auto* d = static_cast<Delivery*>(m->_private);
  d->err = m->err;
  d->done = true;
}

}  // namespace

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
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (auto s = sink::apply_properties(conf, options_.client, "schema history Kafka client"); !s) {
    rd_kafka_conf_destroy(conf);
    return tl::unexpected(s.error());
  }
  rd_kafka_conf_set(conf, "group.id", "siphon-schema-history-reader", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "enable.auto.offset.store", "false", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "allow.auto.create.topics", "false", errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return make_error(ErrorKind::kConfig, "schema history Kafka client: {}", errstr);
  }
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> consumer(rk, [](rd_kafka_t* k) {
    rd_kafka_consumer_close(k);
    rd_kafka_destroy(k);
  });
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
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (auto s = sink::apply_properties(conf, options_.client, "schema history Kafka client"); !s) {
    rd_kafka_conf_destroy(conf);
    return s;
  }
  const std::string timeout = std::to_string(options_.timeout.count());
  for (const auto& [name, value] :
       std::map<std::string, std::string>{{"enable.idempotence", "true"},
                                          {"acks", "all"},
                                          {"message.timeout.ms", timeout},
                                          {"linger.ms", "0"}}) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return make_error(ErrorKind::kFatal, "schema history producer: {}", errstr);
    }
  }
  rd_kafka_conf_set_dr_msg_cb(conf, &on_delivery);
  producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (producer_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return make_error(ErrorKind::kConfig, "schema history Kafka client: {}", errstr);
  }
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
  const std::string value = record.dump();
  Delivery delivery;
  auto err = static_cast<rd_kafka_resp_err_t>(
      sink::produce_copy(producer_, options_.topic, std::nullopt, value, &delivery, 0));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(ErrorKind::kRetryable, "cannot write to the schema history topic {}: {}",
                      options_.topic, rd_kafka_err2str(err));
  }
  while (!delivery.done) rd_kafka_poll(producer_, 100);
  if (delivery.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(ErrorKind::kRetryable, "writing to the schema history topic {} failed: {}",
                      options_.topic, rd_kafka_err2str(delivery.err));
  }
  return ok();
}

}  // namespace siphon::offset
