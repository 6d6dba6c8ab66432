#pragma once
// Produces each record to its Kafka topic with librdkafka (C API): key bytes, value bytes (no
// value for a tombstone), and the record's headers (name, JSON value bytes).
//
// Delivery contract (docs/kafka.md):
// * A record is acknowledged only from librdkafka's delivery report, and only when the broker
//   confirmed it (acks=all by default). Reports of different partitions come in any order; the
//   offset tracker turns them into a contiguous delivered position.
// * write() returns only when every record of the batch is acknowledged or has failed, so the
//   pipeline's bounded queue bounds memory. With Siphon's defaults (infinite message timeout,
//   unlimited retries, idempotence) a Kafka outage of any length blocks write(); it never turns
//   into a failed or lost record.
// * A permanent error (record too large, authorization failure, unknown topic, invalid record)
//   makes write() return ErrorKind::kFatal naming the topic, partition and librdkafka's error;
//   that record and the ones not yet confirmed are not acknowledged, so the stored offset stays
//   before them. Records not yet sent are withdrawn (purged) to keep later changes of the same
//   key from overtaking it.
// * A delivery failure the user allowed by configuring a finite delivery.timeout.ms or retries
//   returns ErrorKind::kRetryable: the connector restarts from the stored offset.
// * A fatal producer error (rd_kafka_fatal_error, e.g. the idempotent producer's state can no
//   longer be trusted) destroys the producer, creates a new one and produces the batch's
//   unacknowledged records again, in order; records that may already have reached Kafka are
//   then duplicated, which at-least-once delivery allows.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sink/kafka_producer_config.h"
#include "sink/sink.h"
#include "sink/topic_creation_rules.h"

struct rd_kafka_s;          // librdkafka's rd_kafka_t
struct rd_kafka_message_s;  // librdkafka's rd_kafka_message_t

namespace siphon::sink {

struct KafkaSinkOptions {
  ProducerSettings producer;  // from translate_producer_config()
  // Debezium's topic.creation.*: each topic is created (CreateTopics) before its first record.
  // nullopt: the brokers' auto-creation is relied on.
  std::optional<TopicCreationRules> topic_creation{};
  std::chrono::milliseconds topic_creation_timeout{30000};
  // How long one wait for delivery reports lasts before write() checks for interruption.
  std::chrono::milliseconds poll_interval{100};
  // How often a write() blocked on Kafka logs that it is still waiting.
  std::chrono::milliseconds stall_log_interval{30000};
  // Fatal producer errors in a row, with no record delivered in between, before write() gives
  // up with ErrorKind::kFatal instead of creating yet another producer.
  int max_producer_recreations = 5;
  // For tests: called on the writing thread each time records were handed to librdkafka, with
  // the producer, so a test can inject a fault (rd_kafka_test_fatal_error) at a known moment.
  std::function<void(rd_kafka_s*)> after_produce_for_testing{};
};

class KafkaSink : public Sink {
 public:
  explicit KafkaSink(KafkaSinkOptions options);
  ~KafkaSink() override;
  KafkaSink(const KafkaSink&) = delete;
  KafkaSink& operator=(const KafkaSink&) = delete;

  // Creates the producer. An invalid property is ErrorKind::kConfig. Does not wait for brokers:
  // librdkafka connects in the background, and write() waits for them.
  Status open() override;
  Status write(std::vector<SinkRecord>& batch, const AckFn& ack) override;
  // Destroys the producer. Nothing is outstanding then: write() never returns with records
  // still in librdkafka.
  void close() override;

  // Callable from any thread: a write() waiting for Kafka (and every later one) withdraws its
  // unconfirmed records and returns ErrorKind::kRetryable without acknowledging them. For a
  // shutdown that must not wait for an unreachable cluster.
  void interrupt() override { interrupted_ = true; }

  // Producers created so far: 1 after open(), one more per recovery from a fatal error.
  int producers_created() const { return producers_created_; }

 private:
  enum class RecordState : uint8_t { kUnsent, kInFlight, kDelivered, kFailed };

  struct Failure {
    size_t index = 0;  // in the batch
    int32_t partition = -1;
    int err = 0;               // rd_kafka_resp_err_t
    std::string detail;        // how it failed: "refused before sending" or "delivery report"
    bool from_report = false;  // a delivery report, not a refusal by rd_kafka_produceva()
  };

  // The batch write() is working on; delivery reports update it.
  struct BatchState {
    std::vector<SinkRecord>* records = nullptr;
    const AckFn* ack = nullptr;
    std::vector<RecordState> states;
    size_t in_flight = 0;
    size_t delivered = 0;
    std::optional<Failure> permanent;  // the earliest record that failed for good
    std::optional<Failure> retryable;  // the earliest record that ran out of time or retries
  };

  Status create_producer();
  // Creates the batch's topics not seen before, per options_.topic_creation.
  Status ensure_topics(const std::vector<SinkRecord>& batch);
  void destroy_producer();
  // Hands the unsent records to librdkafka in batch order; stops at the first one refused.
  void produce_unsent(BatchState& st);
  // Polls delivery reports until nothing is in flight, a fatal producer error, or interrupt().
  void wait_for_reports(BatchState& st);
  // Withdraws everything librdkafka still holds and waits for those reports, so no report
  // refers to the batch after write() returns.
  void withdraw(BatchState& st);
  bool fatal_error(std::string* reason) const;
  std::string describe_partition(const SinkRecord& rec, int32_t partition, int err);
  Status result_of(const BatchState& st);

  static void on_delivery(rd_kafka_s* rk, const rd_kafka_message_s* message, void* opaque);
  static void on_error(rd_kafka_s* rk, int err, const char* reason, void* opaque);
  void delivered(rd_kafka_s* rk, const rd_kafka_message_s* message);

  KafkaSinkOptions options_;
  rd_kafka_s* producer_ = nullptr;
  BatchState* current_ = nullptr;  // only while write() runs
  std::atomic<bool> interrupted_{false};
  int producers_created_ = 0;
  std::set<std::string> ensured_topics_;
  bool create_topics_served_ = true;  // false once the cluster did not answer CreateTopics
  // Rate limit of librdkafka's error events (an outage repeats them on every reconnect).
  std::map<int, std::chrono::steady_clock::time_point> last_error_log_;
};

}  // namespace siphon::sink
