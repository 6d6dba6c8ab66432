// KafkaSink against librdkafka's mock cluster, in process: the real Kafka protocol, with faults
// injected through the mock's hooks. Every test starts its own cluster.
#include "sink/kafka_sink.h"

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kafka/mock_cluster.h"
#include "kafka/topic_reader.h"
#include "sink/murmur2.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using sink::KafkaSink;
using sink::KafkaSinkOptions;
using sink::SinkRecord;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

// Acknowledgements as the offset tracker would receive them (from the writing thread, read by
// the test thread while a write() is blocked).
class AckLog {
 public:
  sink::AckFn fn() {
    return [this](uint64_t seq) {
      std::lock_guard lock(mutex_);
      acked_.push_back(seq);
    };
  }
  std::vector<uint64_t> acked() const {
    std::lock_guard lock(mutex_);
    return acked_;
  }
  size_t size() const { return acked().size(); }

 private:
  mutable std::mutex mutex_;
  std::vector<uint64_t> acked_;
};

std::string key_of(int id) {
  return fmt::format(R"({{"id":{}}})", id);
}

std::string value_of(int id, uint64_t seq) {
  return fmt::format(R"({{"op":"u","id":{},"seq":{}}})", id, seq);
}

// The seq a value_of() value carries.
uint64_t seq_in(const std::string& value) {
  return std::stoull(value.substr(value.find("\"seq\":") + 6));
}

SinkRecord record(const std::string& topic, std::optional<std::string> key,
                  std::optional<std::string> value, uint64_t seq) {
  SinkRecord r;
  r.record.topic = topic;
  r.record.key = std::move(key);
  r.record.value = std::move(value);
  r.sequence = seq;
  return r;
}

// `count` records over `keys` keys, sequences from `first_seq`.
std::vector<SinkRecord> keyed_batch(const std::string& topic, uint64_t first_seq, size_t count,
                                    int keys) {
  std::vector<SinkRecord> batch;
  for (size_t i = 0; i < count; ++i) {
    uint64_t seq = first_seq + i;
    int id = static_cast<int>(seq % static_cast<uint64_t>(keys));
    batch.push_back(record(topic, key_of(id), value_of(id, seq), seq));
  }
  return batch;
}

std::vector<uint64_t> sequences(const std::vector<SinkRecord>& batch) {
  std::vector<uint64_t> out;
  for (const SinkRecord& r : batch) out.push_back(r.sequence);
  return out;
}

KafkaSinkOptions options_for(const MockCluster& cluster,
                             std::map<std::string, std::string> java = {}) {
  java["bootstrap.servers"] = cluster.bootstrap();
  // Reconnect quickly once a broker is back, so outage tests do not wait for the 10 s backoff.
  java.try_emplace("reconnect.backoff.max.ms", "500");
  auto settings = sink::translate_producer_config(java);
  EXPECT_TRUE(settings) << settings.error().message;
  KafkaSinkOptions o;
  if (settings) o.producer = *settings;
  o.poll_interval = 20ms;
  return o;
}

// Nothing lost, nothing duplicated, nothing reordered per key: every key's records come in
// sequence order in one partition, and exactly the expected sequences arrived.
void expect_exactly_once_in_key_order(const std::vector<ConsumedRecord>& consumed,
                                      const std::vector<uint64_t>& expected, int partitions) {
  std::map<std::string, std::vector<uint64_t>> per_key;
  std::vector<uint64_t> all;
  for (const ConsumedRecord& r : consumed) {
    ASSERT_TRUE(r.key && r.value);
    EXPECT_EQ(r.partition, sink::partition_for_key(*r.key, partitions)) << *r.key;
    per_key[*r.key].push_back(seq_in(*r.value));
    all.push_back(seq_in(*r.value));
  }
  EXPECT_THAT(all, UnorderedElementsAreArray(expected));
  for (const auto& [key, seqs] : per_key) {
    EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end())) << "key " << key << " out of order";
  }
}

// A write() on its own thread, for tests that block it; interrupted and joined on destruction
// so a failing test never leaves it running.
class AsyncWrite {
 public:
  AsyncWrite(KafkaSink& sink, std::vector<SinkRecord>& batch, const sink::AckFn& ack)
      : sink_(sink), future_(std::async(std::launch::async, [&sink, &batch, ack] {
          return sink.write(batch, ack);
        })) {}
  ~AsyncWrite() {
    if (future_.valid() && future_.wait_for(0s) != std::future_status::ready) {
      sink_.interrupt();
      future_.wait();
    }
  }
  bool done_within(std::chrono::milliseconds d) {
    return future_.wait_for(d) == std::future_status::ready;
  }
  Status result() { return future_.get(); }

 private:
  KafkaSink& sink_;
  std::future<Status> future_;
};

TEST(KafkaSinkTest, RecordsArriveWithKeysValuesHeadersTombstonesAndNullKeys) {
  MockCluster cluster(3);
  cluster.create_topic("pg.public.orders", 4, 3);
  KafkaSink sink(options_for(cluster));
  ASSERT_TRUE(sink.open());

  std::vector<SinkRecord> batch = keyed_batch("pg.public.orders", 1, 40, 10);
  // A primary-key change carries Debezium's headers (JSON values).
  batch[5].record.headers = {{"__debezium.newkey", R"({"id":105})"},
                             {"__debezium.oldkey", R"({"id":5})"}};
  batch.push_back(record("pg.public.orders", key_of(3), std::nullopt, 41));  // tombstone
  batch.push_back(record("pg.public.orders", std::nullopt, R"({"op":"c","seq":42})", 42));
  batch.push_back(record("pg.public.orders", std::string(), R"({"op":"c","seq":43})", 43));
  AckLog acks;
  ASSERT_TRUE(sink.write(batch, acks.fn()));
  EXPECT_THAT(acks.acked(), UnorderedElementsAreArray(sequences(batch)));

  auto consumed = read_topic(cluster.bootstrap(), "pg.public.orders", batch.size());
  ASSERT_EQ(consumed.size(), batch.size());
  std::map<uint64_t, ConsumedRecord> by_seq;
  for (const ConsumedRecord& r : consumed) {
    if (!r.value) {
      EXPECT_EQ(r.key, key_of(3));
      EXPECT_EQ(r.partition, sink::partition_for_key(key_of(3), 4));
      by_seq[41] = r;
    } else {
      by_seq[seq_in(*r.value)] = r;
    }
  }
  ASSERT_EQ(by_seq.size(), batch.size());
  for (const SinkRecord& sent : batch) {
    const ConsumedRecord& got = by_seq.at(sent.sequence);
    EXPECT_EQ(got.key, sent.record.key) << sent.sequence;
    EXPECT_EQ(got.value, sent.record.value) << sent.sequence;
    if (sent.record.key) {
      // Java's default partitioner: toPositive(murmur2(key bytes)) % partitions, empty key too.
      EXPECT_EQ(got.partition, sink::partition_for_key(*sent.record.key, 4)) << sent.sequence;
    }
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& h : sent.record.headers) headers.emplace_back(h.name, h.json_value);
    EXPECT_EQ(got.headers, headers) << sent.sequence;
  }
  // Records of one key keep their order.
  std::map<std::string, std::vector<uint64_t>> per_key;
  for (const ConsumedRecord& r : consumed) {
    if (r.key && r.value) per_key[*r.key].push_back(seq_in(*r.value));
  }
  for (const auto& [key, seqs] : per_key) EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
}

TEST(KafkaSinkTest, PartitionIsJavaMurmur2OfTheKeyBytes) {
  MockCluster cluster(1);
  cluster.create_topic("spread", 7);
  KafkaSink sink(options_for(cluster));
  std::vector<SinkRecord> batch;
  for (uint64_t i = 0; i < 300; ++i) {
    batch.push_back(record("spread", fmt::format(R"({{"schema":null,"payload":{{"id":{}}}}})", i),
                           value_of(static_cast<int>(i), i), i));
  }
  AckLog acks;
  ASSERT_TRUE(sink.write(batch, acks.fn()));
  auto consumed = read_topic(cluster.bootstrap(), "spread", batch.size());
  expect_exactly_once_in_key_order(consumed, sequences(batch), 7);
  std::set<int32_t> used;
  for (const ConsumedRecord& r : consumed) used.insert(r.partition);
  EXPECT_EQ(used.size(), 7u);  // the keys do spread
}

// With Siphon's defaults an outage of any length blocks write(): nothing is acknowledged while
// the brokers are down, nothing fails, and everything arrives once they are back.
TEST(KafkaSinkTest, BrokerOutageBlocksWriteUntilBrokersReturnAndLosesNothing) {
  MockCluster cluster(3);
  cluster.create_topic("outage", 3, 3);
  KafkaSink sink(options_for(cluster));
  ASSERT_TRUE(sink.open());
  std::vector<SinkRecord> warm_up = keyed_batch("outage", 1, 10, 5);
  AckLog acks;
  ASSERT_TRUE(sink.write(warm_up, acks.fn()));
  ASSERT_EQ(acks.size(), 10u);

  cluster.set_all_brokers_down();
  std::vector<SinkRecord> batch = keyed_batch("outage", 11, 50, 5);
  AckLog blocked_acks;
  AsyncWrite write(sink, batch, blocked_acks.fn());
  // Longer than the 5 s delivery timeout of the next test: Siphon's default waits regardless.
  EXPECT_FALSE(write.done_within(6s)) << "write() returned while every broker was down";
  EXPECT_EQ(blocked_acks.size(), 0u) << "acknowledged before delivery";

  cluster.set_all_brokers_up();
  ASSERT_TRUE(write.done_within(30s));
  ASSERT_TRUE(write.result());
  EXPECT_THAT(blocked_acks.acked(), UnorderedElementsAreArray(sequences(batch)));

  std::vector<uint64_t> expected = sequences(warm_up);
  for (uint64_t s : sequences(batch)) expected.push_back(s);
  expect_exactly_once_in_key_order(read_topic(cluster.bootstrap(), "outage", expected.size()),
                                   expected, 3);
}

// What Siphon's infinite default avoids: a finite delivery.timeout.ms shorter than the outage
// fails the batch (retryably, nothing acknowledged), and the same sink delivers once Kafka is back.
TEST(KafkaSinkTest, ShortDeliveryTimeoutFailsTheBatchRetryablyWithoutAcknowledging) {
  MockCluster cluster(1);
  cluster.create_topic("short", 2);
  // Long enough for the warm-up to connect and get its producer id on a loaded machine.
  KafkaSink sink(options_for(cluster, {{"delivery.timeout.ms", "5000"}}));
  std::vector<SinkRecord> warm_up = keyed_batch("short", 1, 4, 4);
  AckLog acks;
  ASSERT_TRUE(sink.write(warm_up, acks.fn()));

  cluster.set_all_brokers_down();
  std::vector<SinkRecord> batch = keyed_batch("short", 5, 20, 4);
  AckLog failed_acks;
  auto started = std::chrono::steady_clock::now();
  Status s = sink.write(batch, failed_acks.fn());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::kRetryable);
  EXPECT_THAT(s.error().message, HasSubstr("topic 'short' partition"));
  EXPECT_THAT(s.error().message, HasSubstr("_MSG_TIMED_OUT"));
  // It ends (a liveness bound, not a timing claim): the timeout turned the outage into an error.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 60s);
  EXPECT_EQ(failed_acks.size(), 0u);

  // The connector would now restart from the stored offset and write the batch again.
  cluster.set_all_brokers_up();
  AckLog retry_acks;
  ASSERT_TRUE(sink.write(batch, retry_acks.fn()));
  EXPECT_THAT(retry_acks.acked(), UnorderedElementsAreArray(sequences(batch)));
}

TEST(KafkaSinkTest, LeaderChangesLoseDuplicateAndReorderNothing) {
  MockCluster cluster(3);
  cluster.create_topic("moving", 4, 3);
  KafkaSink sink(options_for(cluster));
  ASSERT_TRUE(sink.open());

  std::atomic<bool> stop{false};
  std::thread mover([&] {
    // Every partition's leader walks over the three brokers while batches are produced.
    for (int round = 0; !stop; ++round) {
      for (int32_t p = 0; p < 4; ++p) {
        rd_kafka_mock_partition_set_leader(cluster.get(), "moving", p, 1 + (round + p) % 3);
      }
      std::this_thread::sleep_for(30ms);
    }
  });
  std::vector<uint64_t> expected;
  AckLog acks;
  Status status = ok();
  for (uint64_t b = 0; b < 15 && status; ++b) {
    std::vector<SinkRecord> batch = keyed_batch("moving", 1 + b * 100, 100, 12);
    status = sink.write(batch, acks.fn());
    for (uint64_t s : sequences(batch)) expected.push_back(s);
  }
  stop = true;
  mover.join();
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_THAT(acks.acked(), UnorderedElementsAreArray(expected));
  expect_exactly_once_in_key_order(read_topic(cluster.bootstrap(), "moving", expected.size()),
                                   expected, 4);
}

TEST(KafkaSinkTest, RetriableProduceErrorsLoseDuplicateAndReorderNothing) {
  MockCluster cluster(3);
  cluster.create_topic("flaky", 3, 3);
  KafkaSink sink(options_for(cluster));
  std::vector<uint64_t> expected;
  AckLog acks;
  for (uint64_t b = 0; b < 10; ++b) {
    // The next produce requests, whichever broker gets them, fail with retriable errors.
    rd_kafka_mock_push_request_errors(
        cluster.get(), kProduceApiKey, 6, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
        RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR);
    std::vector<SinkRecord> batch = keyed_batch("flaky", 1 + b * 50, 50, 7);
    Status s = sink.write(batch, acks.fn());
    ASSERT_TRUE(s) << s.error().message;
    for (uint64_t seq : sequences(batch)) expected.push_back(seq);
  }
  EXPECT_THAT(acks.acked(), UnorderedElementsAreArray(expected));
  expect_exactly_once_in_key_order(read_topic(cluster.bootstrap(), "flaky", expected.size()),
                                   expected, 3);
}

TEST(KafkaSinkTest, BrokerRejectingARecordFailsWriteNamingTopicPartitionAndError) {
  MockCluster cluster(1);
  cluster.create_topic("strict", 1);
  KafkaSink sink(options_for(cluster));
  std::vector<SinkRecord> warm_up = keyed_batch("strict", 1, 3, 3);
  AckLog acks;
  ASSERT_TRUE(sink.write(warm_up, acks.fn()));

  rd_kafka_mock_push_request_errors(cluster.get(), kProduceApiKey, 1,
                                    RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  std::vector<SinkRecord> batch = {record("strict", key_of(1), value_of(1, 4), 4)};
  AckLog failed_acks;
  Status s = sink.write(batch, failed_acks.fn());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::kFatal);
  EXPECT_THAT(s.error().message, HasSubstr("topic 'strict' partition 0"));
  EXPECT_THAT(s.error().message, HasSubstr("MSG_SIZE_TOO_LARGE"));
  EXPECT_EQ(failed_acks.size(), 0u) << "the rejected record was acknowledged";
  auto consumed = read_topic(cluster.bootstrap(), "strict", 3);
  EXPECT_EQ(consumed.size(), 3u);
}

TEST(KafkaSinkTest, TopicAuthorizationFailureIsPermanent) {
  MockCluster cluster(1);
  cluster.create_topic("secret", 2);
  KafkaSink sink(options_for(cluster));
  ASSERT_TRUE(sink.open());
  rd_kafka_mock_push_request_errors(cluster.get(), kProduceApiKey, 1,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  std::vector<SinkRecord> batch = {record("secret", key_of(9), value_of(9, 1), 1)};
  AckLog acks;
  Status s = sink.write(batch, acks.fn());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::kFatal);
  EXPECT_THAT(s.error().message, HasSubstr(fmt::format("topic 'secret' partition {}",
                                                       sink::partition_for_key(key_of(9), 2))));
  EXPECT_THAT(s.error().message, HasSubstr("TOPIC_AUTHORIZATION_FAILED"));
  EXPECT_EQ(acks.size(), 0u);
}

// A record larger than max.request.size is refused by librdkafka before it is sent: the records
// before it are delivered and acknowledged, it and the ones after it are not.
TEST(KafkaSinkTest, RecordLargerThanMaxRequestSizeStopsTheBatchAtIt) {
  MockCluster cluster(1);
  cluster.create_topic("big", 3);
  KafkaSink sink(options_for(cluster));
  std::vector<SinkRecord> batch = keyed_batch("big", 1, 5, 5);
  batch[3].record.value = std::string(2 << 20, 'x');  // 2 MiB > the 1 MiB default
  AckLog acks;
  Status s = sink.write(batch, acks.fn());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::kFatal);
  EXPECT_THAT(s.error().message,
              HasSubstr(fmt::format("topic 'big' partition {} (by key)",
                                    sink::partition_for_key(*batch[3].record.key, 3))));
  EXPECT_THAT(s.error().message, HasSubstr("MSG_SIZE_TOO_LARGE"));
  EXPECT_THAT(s.error().message, HasSubstr("refused before sending"));
  EXPECT_THAT(acks.acked(), UnorderedElementsAreArray({1u, 2u, 3u}));
  expect_exactly_once_in_key_order(read_topic(cluster.bootstrap(), "big", 3), {1, 2, 3}, 3);
}

// A broker that does not create topics answers UNKNOWN_TOPIC_OR_PART; once librdkafka's metadata
// propagation allowance is over, that is permanent. (The 2.0.2 mock serves Metadata only up to
// v2, which cannot carry AllowAutoTopicCreation, so the answer is injected as a topic error.)
TEST(KafkaSinkTest, UnknownTopicWithoutAutoCreationIsPermanent) {
  MockCluster cluster(1);
  rd_kafka_mock_topic_set_error(cluster.get(), "missing", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  KafkaSinkOptions options = options_for(cluster);
  options.producer.set("topic.metadata.propagation.max.ms", "300");
  KafkaSink sink(options);
  std::vector<SinkRecord> batch = {record("missing", key_of(1), value_of(1, 1), 1)};
  AckLog acks;
  Status s = sink.write(batch, acks.fn());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::kFatal);
  EXPECT_THAT(s.error().message, HasSubstr("topic 'missing' partition unassigned"));
  EXPECT_THAT(s.error().message, HasSubstr("UNKNOWN_TOPIC"));
  EXPECT_EQ(acks.size(), 0u);
}

// rd_kafka_test_fatal_error raises what e.g. a broken idempotent producer state would: the sink
// replaces the producer and produces the unacknowledged records again.
TEST(KafkaSinkTest, FatalProducerErrorRecreatesTheProducerAndProducesAgain) {
  MockCluster cluster(3);
  cluster.create_topic("phoenix", 3, 3);
  KafkaSinkOptions options = options_for(cluster);
  int fired = 0;
  options.after_produce_for_testing = [&fired](rd_kafka_t* rk) {
    if (fired++ == 1) {  // during the second batch
      rd_kafka_test_fatal_error(rk, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                                "injected by the test");
    }
  };
  KafkaSink sink(options);
  std::vector<uint64_t> expected;
  AckLog acks;
  for (uint64_t b = 0; b < 3; ++b) {
    std::vector<SinkRecord> batch = keyed_batch("phoenix", 1 + b * 100, 100, 9);
    Status s = sink.write(batch, acks.fn());
    ASSERT_TRUE(s) << s.error().message;
    for (uint64_t seq : sequences(batch)) expected.push_back(seq);
  }
  EXPECT_EQ(sink.producers_created(), 2);
  // Every record acknowledged exactly once...
  EXPECT_THAT(acks.acked(), UnorderedElementsAreArray(expected));
  // ...and in Kafka at least once; a record the old producer may have sent can be there twice,
  // but the first copies of each key's records are in order.
  auto consumed = read_topic(cluster.bootstrap(), "phoenix", expected.size());
  std::map<std::string, std::vector<uint64_t>> first_seen;
  std::set<uint64_t> seen;
  for (const ConsumedRecord& r : consumed) {
    uint64_t seq = seq_in(*r.value);
    if (seen.insert(seq).second) first_seen[*r.key].push_back(seq);
  }
  EXPECT_EQ(seen, std::set<uint64_t>(expected.begin(), expected.end()));
  for (const auto& [key, seqs] : first_seen) {
    EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end())) << key;
  }
}

TEST(KafkaSinkTest, FatalErrorsWithoutProgressGiveUp) {
  MockCluster cluster(1);
  cluster.create_topic("doomed", 1);
  KafkaSinkOptions options = options_for(cluster);
  options.max_producer_recreations = 2;
  options.after_produce_for_testing = [](rd_kafka_t* rk) {
    rd_kafka_test_fatal_error(rk, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "again");
  };
  KafkaSink sink(options);
  std::vector<SinkRecord> batch = keyed_batch("doomed", 1, 5, 1);
  AckLog acks;
  Status s = sink.write(batch, acks.fn());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::kFatal);
  EXPECT_THAT(s.error().message, HasSubstr("failed 3 times in a row"));
  EXPECT_EQ(sink.producers_created(), 3);
}

TEST(KafkaSinkTest, InterruptEndsAWaitWithoutAcknowledging) {
  MockCluster cluster(1);
  cluster.create_topic("halt", 1);
  KafkaSink sink(options_for(cluster));
  std::vector<SinkRecord> warm_up = keyed_batch("halt", 1, 2, 1);
  AckLog acks;
  ASSERT_TRUE(sink.write(warm_up, acks.fn()));
  cluster.set_all_brokers_down();
  std::vector<SinkRecord> batch = keyed_batch("halt", 3, 10, 1);
  AckLog blocked;
  AsyncWrite write(sink, batch, blocked.fn());
  EXPECT_FALSE(write.done_within(500ms));
  sink.interrupt();
  ASSERT_TRUE(write.done_within(10s));
  Status s = write.result();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::kRetryable);
  EXPECT_THAT(s.error().message, HasSubstr("interrupted"));
  EXPECT_EQ(blocked.size(), 0u);
}

TEST(KafkaSinkTest, InvalidLibrdkafkaPropertyIsAConfigErrorThatHidesSecrets) {
  MockCluster cluster(1);
  KafkaSinkOptions options = options_for(cluster);
  options.producer.set("linger.ms", "soon");
  KafkaSink bad(options);
  Status s = bad.open();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, ErrorKind::kConfig);
  EXPECT_THAT(s.error().message, HasSubstr("linger.ms"));

  KafkaSinkOptions secret = options_for(cluster);
  secret.producer.set("ssl.key.password", "hunter2", true);
  secret.producer.set("ssl.no.such.property", "x", true);
  KafkaSink hidden(secret);
  Status h = hidden.open();
  ASSERT_FALSE(h);
  EXPECT_THAT(h.error().message, ::testing::Not(HasSubstr("hunter2")));
}

}  // namespace
}  // namespace siphon::testing
