#pragma once
// Creates Kafka topics with the Admin API (CreateTopics), the way Kafka Connect does before a
// source connector first writes to a topic. An existing topic is success. A cluster that does
// not serve the request (no controller in its metadata, an old broker, librdkafka's mock
// cluster) is not an error: the caller warns once and relies on the brokers' auto-creation.
#include <chrono>
#include <map>
#include <string>

#include "core/error.h"

struct rd_kafka_s;  // librdkafka's rd_kafka_t

namespace siphon::sink {

struct NewTopicSpec {
  std::string name;
  int partitions = -1;                         // -1: the broker's num.partitions
  int replication_factor = -1;                 // -1: the broker's default.replication.factor
  std::map<std::string, std::string> configs;  // topic-level configs (cleanup.policy, ...)
};

enum class TopicCreation {
  kCreated,
  kAlreadyExisted,
  kNotServed,  // the cluster did not answer CreateTopics; `detail` says why
};

struct TopicCreationResult {
  TopicCreation outcome = TopicCreation::kCreated;
  std::string detail;
};

// Sends one CreateTopics request through the client `rk` (a producer or consumer handle) and
// waits up to `timeout` for the answer. A per-topic error other than TOPIC_ALREADY_EXISTS (an
// invalid replication factor, a policy violation, missing authorization) is ErrorKind::kFatal
// naming the topic and the broker's message: writing to a topic configured otherwise than asked
// would be a silent surprise.
Result<TopicCreationResult> create_topic(rd_kafka_s* rk, const NewTopicSpec& spec,
                                         std::chrono::milliseconds timeout);

}  // namespace siphon::sink
