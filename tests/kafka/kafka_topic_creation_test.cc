// Topic creation against librdkafka's mock cluster, which does not serve CreateTopics (its
// metadata names no controller): the request fails as a whole, the sink warns once and the
// brokers' auto-creation takes over. No real broker verified the request itself; its content
// is checked in src/sink/topic_creation_rules_test.cc.
#include <gtest/gtest.h>

#include "kafka/mock_cluster.h"
#include "kafka/topic_reader.h"
#include "sink/kafka_sink.h"
#include "sink/kafka_topic_admin.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;

sink::TopicCreationRules rules() {
  auto parsed = sink::TopicCreationRules::parse({{"default.replication.factor", "1"},
                                                 {"default.partitions", "3"},
                                                 {"default.cleanup.policy", "compact"}});
  EXPECT_TRUE(parsed && parsed->has_value());
  return **parsed;
}

TEST(KafkaTopicCreationTest, MockClusterDoesNotServeCreateTopics) {
  MockCluster cluster;
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", cluster.bootstrap().c_str(), errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  ASSERT_NE(rk, nullptr);
  auto result = sink::create_topic(rk, rules().spec_for("t"), 2s);
  rd_kafka_destroy(rk);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->outcome, sink::TopicCreation::kNotServed);
  EXPECT_FALSE(result->detail.empty());
}

TEST(KafkaTopicCreationTest, SinkFallsBackToAutoCreationAndDeliversEverything) {
  MockCluster cluster;
  sink::KafkaSinkOptions o;
  auto producer = sink::translate_producer_config({{"bootstrap.servers", cluster.bootstrap()}});
  ASSERT_TRUE(producer) << producer.error().message;
  o.producer = *producer;
  o.topic_creation = rules();
  o.topic_creation_timeout = 2s;
  sink::KafkaSink sink(std::move(o));
  ASSERT_TRUE(sink.open());

  std::vector<sink::SinkRecord> batch;
  for (uint64_t i = 0; i < 6; ++i) {
    sink::SinkRecord r;
    r.record.topic = i % 2 == 0 ? "created.a" : "created.b";  // two new topics
    r.record.key = "{\"id\":" + std::to_string(i) + "}";
    r.record.value = "{\"op\":\"c\"}";
    r.sequence = i + 1;
    batch.push_back(std::move(r));
  }
  std::vector<uint64_t> acked;
  Status s = sink.write(batch, [&](uint64_t seq) { acked.push_back(seq); });
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(acked.size(), 6u);
  sink.close();
  EXPECT_EQ(read_topic(cluster.bootstrap(), "created.a", 3).size(), 3u);
  EXPECT_EQ(read_topic(cluster.bootstrap(), "created.b", 3).size(), 3u);
}

}  // namespace
}  // namespace siphon::testing
