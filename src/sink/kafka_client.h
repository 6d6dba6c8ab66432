#pragma once
// Small pieces every librdkafka client of Siphon's needs (the sink's producer, the offset
// store's producer and consumer, tests).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "sink/kafka_producer_config.h"

struct rd_kafka_s;
struct rd_kafka_conf_s;
struct rd_kafka_topic_partition_list_s;

namespace siphon::sink {

// Sets each property on `conf`. A refused one is ErrorKind::kConfig naming `client` and the
// property; a secret's value never appears (librdkafka's message may quote it). `conf` is left
// to the caller to destroy on error.
Status apply_properties(rd_kafka_conf_s* conf, const std::vector<LibrdkafkaProperty>& properties,
                        std::string_view client);

// One record handed to librdkafka with copies of its bytes, for clients that write a record at
// a time. Built on rd_kafka_produceva: the variadic rd_kafka_producev macros use GNU statement
// expressions, which -Wpedantic rejects. Returns librdkafka's rd_kafka_resp_err_t (0 = queued);
// a nullopt key or value is null; without `partition` the producer's partitioner picks it.
int produce_copy(rd_kafka_s* rk, const std::string& topic, const std::optional<std::string>& key,
                 const std::optional<std::string>& value, void* opaque = nullptr,
                 std::optional<int32_t> partition = std::nullopt);

// A producer for state kept in Kafka (offsets, schema history) that writes one record at a time
// and waits for each: idempotent, acks=all, Java's murmur2 partitioner, message.timeout.ms =
// `timeout`. Errors name `client`.
Result<rd_kafka_s*> create_state_producer(const std::vector<LibrdkafkaProperty>& properties,
                                          std::string_view client,
                                          std::chrono::milliseconds timeout);
// Produces one record with a producer from create_state_producer and returns once the broker
// acknowledged it (message.timeout.ms bounds the wait); failures are retryable and name `what`.
Status produce_and_wait(rd_kafka_s* producer, const std::string& topic,
                        const std::optional<std::string>& key,
                        const std::optional<std::string>& value, std::string_view what,
                        std::optional<int32_t> partition = std::nullopt);

// A consumer that reads topics by assignment, from their start, committing nothing (state kept
// in Kafka is read whole at start). Destroyed (closed) by the returned pointer.
using KafkaReader = std::unique_ptr<rd_kafka_s, void (*)(rd_kafka_s*)>;
Result<KafkaReader> create_reader(const std::vector<LibrdkafkaProperty>& properties,
                                  std::string_view client, const std::string& group);

}  // namespace siphon::sink
