#include "offset/kafka_offset_store.h"

#include <map>

#include <librdkafka/rdkafka.h>

#include "core/log.h"
#include "sink/kafka_client.h"
#include "sink/kafka_topic_admin.h"

namespace siphon::offset {

using Clock = std::chrono::steady_clock;

KafkaOffsetStore::KafkaOffsetStore(KafkaOffsetStoreOptions options)
    : options_(std::move(options)) {}

KafkaOffsetStore::~KafkaOffsetStore() {
  if (producer_ != nullptr) {
    rd_kafka_flush(producer_, 1000);
    rd_kafka_destroy(producer_);
  }
}

std::string KafkaOffsetStore::key_bytes() const {
  nlohmann::json key =
      nlohmann::json::array({options_.connector_name, {{"server", options_.server_name}}});
  return key.dump();
}

Status KafkaOffsetStore::ensure_topic(rd_kafka_s* rk) {
  if (topic_checked_) return ok();
  sink::NewTopicSpec spec;
  spec.name = options_.topic;
  spec.partitions = options_.partitions;
  spec.replication_factor = options_.replication_factor;
  spec.configs = {{"cleanup.policy", "compact"}};
  auto created = sink::create_topic(rk, spec, std::chrono::milliseconds(5000));
  if (!created) return tl::unexpected(created.error());
  switch (created->outcome) {
    case sink::TopicCreation::kCreated:
      log::info("created offsets topic {} ({} partitions, compacted)", options_.topic,
                options_.partitions);
      break;
    case sink::TopicCreation::kAlreadyExisted:
      break;
    case sink::TopicCreation::kNotServed:
      log::warn(
          "the Kafka cluster did not serve CreateTopics for the offsets topic {} ({}); it must "
          "exist or be auto-created, and should be compacted (cleanup.policy=compact)",
          options_.topic, created->detail);
      break;
  }
  topic_checked_ = true;
  return ok();
}

Result<std::optional<nlohmann::json>> KafkaOffsetStore::load() {
  auto reader =
      sink::create_reader(options_.client, "offset store Kafka client", "siphon-offset-reader");
  if (!reader) return tl::unexpected(reader.error());
  rd_kafka_t* rk = reader->get();

  const auto deadline = Clock::now() + options_.timeout;
  auto remaining_ms = [&] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::max<int64_t>(0, left.count()));
  };

  // How many partitions the topic has; an unknown topic holds no offset.
  int partitions = -1;
  std::string last_error;
  while (partitions < 0) {
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk, options_.topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, t, &md, std::min(remaining_ms(), 5000));
    rd_kafka_topic_destroy(t);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1) {
      rd_kafka_resp_err_t terr = md->topics[0].err;
      if (terr == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        partitions = 0;
      } else if (terr == RD_KAFKA_RESP_ERR_NO_ERROR && md->topics[0].partition_cnt > 0) {
        partitions = md->topics[0].partition_cnt;
      } else {
        last_error = rd_kafka_err2str(terr);
      }
    } else if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      last_error = rd_kafka_err2str(err);
    }
    if (md != nullptr) rd_kafka_metadata_destroy(md);
    if (partitions < 0 && remaining_ms() == 0) {
      return make_error(ErrorKind::kRetryable, "cannot read the offsets topic {}: {}",
                        options_.topic, last_error);
    }
  }
  if (partitions == 0) {
    // Created now, as Kafka Connect does, so that it is compacted from its first record.
    if (auto s = ensure_topic(rk); !s) return tl::unexpected(s.error());
    log::info("offsets topic {} did not exist: no stored offset", options_.topic);
    return std::optional<nlohmann::json>{};
  }
  topic_checked_ = true;  // it exists; store() need not try to create it

  // Read every partition from its start to the end it had when the read began.
  std::map<int32_t, int64_t> end_of;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int32_t p = 0; p < partitions; ++p) {
    int64_t low = 0;
    int64_t high = 0;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, options_.topic.c_str(), p, &low,
                                                               &high, std::max(1, remaining_ms()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_topic_partition_list_destroy(list);
      return make_error(ErrorKind::kRetryable,
                        "cannot read the end of offsets topic {} partition {}: {}", options_.topic,
                        p, rd_kafka_err2str(err));
    }
    if (high > low) {
      end_of[p] = high;
      rd_kafka_topic_partition_list_add(list, options_.topic.c_str(), p)->offset = low;
    }
  }
  if (end_of.empty()) {
    rd_kafka_topic_partition_list_destroy(list);
    return std::optional<nlohmann::json>{};
  }
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);

  const nlohmann::json wanted_key =
      nlohmann::json::array({options_.connector_name, {{"server", options_.server_name}}});
  std::optional<nlohmann::json> found;
  size_t matched = 0;
  while (!end_of.empty()) {
    if (remaining_ms() == 0) {
      return make_error(ErrorKind::kRetryable,
                        "reading the offsets topic {} took longer than {} ms ({} partitions "
                        "not read to their end)",
                        options_.topic, options_.timeout.count(), end_of.size());
    }
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> msg(
        m, rd_kafka_message_destroy);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return make_error(ErrorKind::kRetryable, "reading the offsets topic {}: {}", options_.topic,
                        rd_kafka_message_errstr(m));
    }
    const int32_t partition = m->partition;
    if (m->offset + 1 >= end_of[partition]) end_of.erase(partition);
    if (m->key == nullptr) continue;
    // Kafka Connect compares deserialized keys; so does this, so spacing does not matter.
    nlohmann::json key = nlohmann::json::parse(
        static_cast<const char*>(m->key), static_cast<const char*>(m->key) + m->key_len, nullptr,
        /*allow_exceptions=*/false);
    if (key != wanted_key) continue;
    ++matched;
    if (m->payload == nullptr) {
      found.reset();  // a tombstone: the offset was deleted
      continue;
    }
    nlohmann::json value = nlohmann::json::parse(static_cast<const char*>(m->payload),
                                                 static_cast<const char*>(m->payload) + m->len,
                                                 nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded() || !value.is_object()) {
      return make_error(ErrorKind::kFatal,
                        "offsets topic {} partition {} offset {}: the value for {} is not a "
                        "JSON object",
                        options_.topic, partition, m->offset, wanted_key.dump());
    }
    found = std::move(value);
  }
  log::info("offsets topic {}: {} record(s) for {}, {}", options_.topic, matched, wanted_key.dump(),
            found ? "offset loaded" : "no stored offset");
  return found;
}

Status KafkaOffsetStore::create_producer() {
  auto producer =
      sink::create_state_producer(options_.client, "offset store Kafka client", options_.timeout);
  if (!producer) return tl::unexpected(producer.error());
  producer_ = *producer;
  return ok();
}

Status KafkaOffsetStore::store(const nlohmann::json& offset) {
  if (producer_ == nullptr) {
    if (auto s = create_producer(); !s) return s;
    if (auto s = ensure_topic(producer_); !s) return s;
  }
  return sink::produce_and_wait(producer_, options_.topic, key_bytes(), offset.dump(),
                                "store the offset");
}

}  // namespace siphon::offset
