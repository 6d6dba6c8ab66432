// The out-of-process mock cluster: started as a child, used over the network by this process
// (KafkaSink producing, a consumer reading), reconfigured through its line protocol.
#include "kafka/mock_cluster_process.h"

#include <future>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kafka/topic_reader.h"
#include "sink/kafka_sink.h"
#include "sink/murmur2.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

sink::KafkaSinkOptions options_for(const std::string& bootstrap) {
  auto settings = sink::translate_producer_config(
      {{"bootstrap.servers", bootstrap}, {"reconnect.backoff.max.ms", "500"}});
  EXPECT_TRUE(settings);
  sink::KafkaSinkOptions o;
  if (settings) o.producer = *settings;
  o.poll_interval = 20ms;
  return o;
}

std::vector<sink::SinkRecord> batch_for(const std::string& topic, uint64_t first, size_t count) {
  std::vector<sink::SinkRecord> batch;
  for (uint64_t seq = first; seq < first + count; ++seq) {
    sink::SinkRecord r;
    r.record.topic = topic;
    r.record.key = fmt::format(R"({{"id":{}}})", seq % 5);
    r.record.value = fmt::format(R"({{"seq":{}}})", seq);
    r.sequence = seq;
    batch.push_back(std::move(r));
  }
  return batch;
}

TEST(MockClusterProcessTest, ServesProducersAndConsumersOfOtherProcesses) {
  MockClusterProcess host({.brokers = 3, .topics = {"cdc:3:3"}});
  EXPECT_THAT(host.bootstrap(), MatchesRegex("127\\.0\\.0\\.1:[0-9]+(,127\\.0\\.0\\.1:[0-9]+){2}"));
  EXPECT_EQ(host.command("ping"), "");
  EXPECT_EQ(host.command("bootstrap"), host.bootstrap());

  sink::KafkaSink sink(options_for(host.bootstrap()));
  auto batch = batch_for("cdc", 1, 30);
  size_t acked = 0;
  ASSERT_TRUE(sink.write(batch, [&](uint64_t) { ++acked; }));
  EXPECT_EQ(acked, batch.size());

  auto consumed = read_topic(host.bootstrap(), "cdc", batch.size());
  ASSERT_EQ(consumed.size(), batch.size());
  for (const ConsumedRecord& r : consumed) {
    EXPECT_EQ(r.partition, sink::partition_for_key(*r.key, 3));
  }
  sink.close();
  EXPECT_EQ(host.shutdown(), 0);
}

TEST(MockClusterProcessTest, FaultHooksOverTheLineProtocol) {
  MockClusterProcess host({.brokers = 2});
  EXPECT_EQ(host.command("topic events 2 2"), "");
  EXPECT_EQ(host.command("leader events 0 2"), "");
  EXPECT_EQ(host.command("rtt all 0"), "");
  EXPECT_EQ(host.command("errors produce NOT_LEADER_FOR_PARTITION REQUEST_TIMED_OUT"), "");

  sink::KafkaSink sink(options_for(host.bootstrap()));
  auto first = batch_for("events", 1, 10);
  ASSERT_TRUE(sink.write(first, [](uint64_t) {}));

  // Every broker down: the write blocks until they are back.
  EXPECT_EQ(host.command("down all"), "");
  auto second = batch_for("events", 11, 10);
  std::atomic<size_t> acked{0};
  auto write = std::async(std::launch::async,
                          [&] { return sink.write(second, [&](uint64_t) { ++acked; }); });
  EXPECT_EQ(write.wait_for(1500ms), std::future_status::timeout);
  EXPECT_EQ(acked, 0u);
  EXPECT_EQ(host.command("up all"), "");
  ASSERT_EQ(write.wait_for(30s), std::future_status::ready);
  EXPECT_TRUE(write.get());
  EXPECT_EQ(acked, second.size());
  EXPECT_EQ(read_topic(host.bootstrap(), "events", 20).size(), 20u);

  EXPECT_THROW(host.command("launch rockets"), std::runtime_error);
  EXPECT_THROW(host.command("errors produce NO_SUCH_ERROR"), std::runtime_error);
  EXPECT_THROW(host.command("down 7"), std::runtime_error);
  try {
    host.command("topic events 2 2");
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("TOPIC_ALREADY_EXISTS"));
  }
  EXPECT_EQ(host.command("quit"), "");
  sink.close();
  EXPECT_EQ(host.shutdown(), 0);
}

TEST(MockClusterProcessTest, ExitsWhenItsInputEnds) {
  MockClusterProcess host({.brokers = 1});
  pid_t pid = host.pid();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(host.shutdown(), 0);  // closing stdin is enough: no stray cluster after a test
  EXPECT_NE(::kill(pid, 0), 0);
}

TEST(MockClusterProcessTest, BadTopicSpecFailsToStart) {
  EXPECT_THROW(MockClusterProcess({.brokers = 1, .topics = {"cdc:many"}}), std::runtime_error);
}

}  // namespace
}  // namespace siphon::testing
