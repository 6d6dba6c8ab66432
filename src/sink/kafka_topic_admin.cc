#include "sink/kafka_topic_admin.h"

#include <memory>

#include <librdkafka/rdkafka.h>

namespace siphon::sink {
namespace {

template <typename T, void (*Destroy)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p != nullptr) Destroy(p);
  }
};
using NewTopicPtr =
    std::unique_ptr<rd_kafka_NewTopic_t, Deleter<rd_kafka_NewTopic_t, rd_kafka_NewTopic_destroy>>;
using AdminOptionsPtr =
    std::unique_ptr<rd_kafka_AdminOptions_t,
                    Deleter<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>>;
using QueuePtr =
    std::unique_ptr<rd_kafka_queue_t, Deleter<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using EventPtr =
    std::unique_ptr<rd_kafka_event_t, Deleter<rd_kafka_event_t, rd_kafka_event_destroy>>;

}  // namespace

Result<TopicCreationResult> create_topic(rd_kafka_s* rk, const NewTopicSpec& spec,
                                         std::chrono::milliseconds timeout) {
  char errstr[512] = {0};
  NewTopicPtr topic(rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions,
                                          spec.replication_factor, errstr, sizeof errstr));
  if (!topic) {
    return make_error(ErrorKind::kConfig, "cannot create topic '{}': {}", spec.name, errstr);
  }
  for (const auto& [name, value] : spec.configs) {
    if (rd_kafka_NewTopic_set_config(topic.get(), name.c_str(), value.c_str()) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      return make_error(ErrorKind::kConfig, "topic '{}': invalid topic config {}={}", spec.name,
                        name, value);
    }
  }
  AdminOptionsPtr options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  const int timeout_ms = static_cast<int>(timeout.count());
  rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, errstr, sizeof errstr);
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms, errstr, sizeof errstr);
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_NewTopic_t* topics[] = {topic.get()};
  rd_kafka_CreateTopics(rk, topics, 1, options.get(), queue.get());

  // The request carries its own timeout; the margin only covers librdkafka's bookkeeping.
  EventPtr event(rd_kafka_queue_poll(queue.get(), timeout_ms + 5000));
  if (!event) {
    return TopicCreationResult{TopicCreation::kNotServed, "no answer to CreateTopics"};
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // The request as a whole failed: no controller, no broker supporting the API, or the
    // cluster unreachable. Nothing was decided about the topic.
    return TopicCreationResult{TopicCreation::kNotServed, rd_kafka_event_error_string(event.get())};
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      result != nullptr ? rd_kafka_CreateTopics_result_topics(result, &count) : nullptr;
  if (count != 1) {
    return TopicCreationResult{TopicCreation::kNotServed, "CreateTopics answered no topic"};
  }
  rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[0]);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return TopicCreationResult{TopicCreation::kCreated, ""};
  if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    return TopicCreationResult{TopicCreation::kAlreadyExisted, ""};
  }
  const char* message = rd_kafka_topic_result_error_string(results[0]);
  return make_error(ErrorKind::kFatal,
                    "cannot create topic '{}' ({} partitions, replication {}): {}: {}", spec.name,
                    spec.partitions, spec.replication_factor, rd_kafka_err2name(err),
                    message != nullptr ? message : rd_kafka_err2str(err));
}

}  // namespace siphon::sink
