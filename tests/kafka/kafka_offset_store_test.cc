// KafkaOffsetStore against librdkafka's mock cluster: Kafka Connect's offsets-topic format read
// and written, including records Kafka Connect wrote (tests/kafka/fixtures).
#include "offset/kafka_offset_store.h"

#include <fstream>

#include <gtest/gtest.h>

#include "kafka/mock_cluster.h"
#include "kafka/topic_reader.h"
#include "sink/kafka_client.h"
#include "sink/murmur2.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct FixtureRecord {
  std::string key;
  std::optional<std::string> value;
};

std::vector<FixtureRecord> fixture_records() {
  std::ifstream in(std::string(SIPHON_KAFKA_FIXTURES) + "/connect-offsets.txt");
  EXPECT_TRUE(in) << "cannot open the fixture";
  std::vector<FixtureRecord> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    std::string value = line.substr(tab + 1);
    out.push_back(
        {line.substr(0, tab), value == "null" ? std::nullopt : std::optional<std::string>(value)});
  }
  return out;
}

// Produces records as Kafka Connect's offset writer does: murmur2 partitioning of the key bytes.
void produce_like_kafka_connect(const std::string& bootstrap, const std::string& topic,
                                const std::vector<FixtureRecord>& records) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr),
            RD_KAFKA_CONF_OK);
  ASSERT_EQ(rd_kafka_conf_set(conf, "partitioner", "murmur2_random", errstr, sizeof errstr),
            RD_KAFKA_CONF_OK);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  ASSERT_NE(rk, nullptr) << errstr;
  for (const FixtureRecord& r : records) {
    ASSERT_EQ(sink::produce_copy(rk, topic, r.key, r.value), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ASSERT_EQ(rd_kafka_flush(rk, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy(rk);
}

offset::KafkaOffsetStoreOptions options_for(const MockCluster& cluster, const std::string& name,
                                            const std::string& server) {
  offset::KafkaOffsetStoreOptions o;
  o.client = {{"bootstrap.servers", cluster.bootstrap(), false}};
  o.topic = "connect-offsets";
  o.connector_name = name;
  o.server_name = server;
  o.timeout = 20s;
  return o;
}

TEST(KafkaOffsetStoreTest, NoTopicMeansNoStoredOffset) {
  MockCluster cluster;
  offset::KafkaOffsetStore store(options_for(cluster, "siphon", "pg"));
  auto loaded = store.load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_FALSE(loaded->has_value());
}

TEST(KafkaOffsetStoreTest, ReadsTheOffsetsKafkaConnectWroteForEachConnector) {
  MockCluster cluster;
  cluster.create_topic("connect-offsets", 5);
  produce_like_kafka_connect(cluster.bootstrap(), "connect-offsets", fixture_records());

  // The last record of each key wins, whatever the other connectors wrote in between.
  auto mysql = offset::KafkaOffsetStore(
                   options_for(cluster, "debezium_mysql_connector", "debezium-cdc-events2"))
                   .load();
  ASSERT_TRUE(mysql) << mysql.error().message;
  ASSERT_TRUE(mysql->has_value());
  EXPECT_EQ(**mysql, json::parse(R"({"transaction_id":null,"ts_sec":1698175050,)"
                                 R"("file":"mysql_bin_log.008984","pos":8548701,"row":148,)"
                                 R"("server_id":1,"event":12})"));

  auto pg =
      offset::KafkaOffsetStore(options_for(cluster, "inventory-connector", "dbserver1")).load();
  ASSERT_TRUE(pg) << pg.error().message;
  ASSERT_TRUE(pg->has_value());
  EXPECT_EQ((**pg)["lsn_proc"], 37868960);
  EXPECT_EQ((**pg)["messageType"], "COMMIT");

  // An offset followed by a tombstone was deleted (Kafka Connect's offset reset).
  auto deleted = offset::KafkaOffsetStore(options_for(cluster, "deleted-connector", "old")).load();
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_FALSE(deleted->has_value());

  // Same name, other server: another source partition, so no offset.
  auto other =
      offset::KafkaOffsetStore(options_for(cluster, "inventory-connector", "dbserver2")).load();
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_FALSE(other->has_value());
}

TEST(KafkaOffsetStoreTest, WritesKafkaConnectsKeyBytesOnTheMurmur2PartitionAndReadsThemBack) {
  MockCluster cluster;
  cluster.create_topic("connect-offsets", 25);
  std::vector<FixtureRecord> fixture = fixture_records();
  const FixtureRecord& pg_line = fixture[2];  // the first inventory-connector record
  {
    offset::KafkaOffsetStore store(options_for(cluster, "inventory-connector", "dbserver1"));
    EXPECT_EQ(store.key_bytes(), pg_line.key);
    auto loaded = store.load();
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_FALSE(loaded->has_value());
    json first = json::parse(*pg_line.value);
    ASSERT_TRUE(store.store(first));
    json second = json::parse(*fixture[4].value);
    ASSERT_TRUE(store.store(second));
  }
  std::vector<ConsumedRecord> records = read_topic(cluster.bootstrap(), "connect-offsets", 2);
  ASSERT_EQ(records.size(), 2u);
  const int32_t expected_partition = sink::partition_for_key(pg_line.key, 25);
  for (const ConsumedRecord& r : records) {
    EXPECT_EQ(r.key, pg_line.key);
    EXPECT_EQ(r.partition, expected_partition);
  }
  // The values are the offset maps as JSON; JSON object key order is not significant.
  EXPECT_EQ(json::parse(*records[0].value), json::parse(*pg_line.value));
  EXPECT_EQ(json::parse(*records[1].value), json::parse(*fixture[4].value));

  offset::KafkaOffsetStore reopened(options_for(cluster, "inventory-connector", "dbserver1"));
  auto loaded = reopened.load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, json::parse(*fixture[4].value));
}

TEST(KafkaOffsetStoreTest, AValueThatIsNotAnObjectIsAnErrorNamingWhereItIs) {
  MockCluster cluster;
  cluster.create_topic("connect-offsets", 1);
  produce_like_kafka_connect(cluster.bootstrap(), "connect-offsets",
                             {{R"(["siphon",{"server":"pg"}])", "[1,2"}});
  auto loaded = offset::KafkaOffsetStore(options_for(cluster, "siphon", "pg")).load();
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("connect-offsets partition 0 offset 0"), std::string::npos)
      << loaded.error().message;
}

TEST(KafkaOffsetStoreTest, StoreFailsRetryablyWhenTheClusterIsDown) {
  MockCluster cluster;
  cluster.create_topic("connect-offsets", 1);
  auto o = options_for(cluster, "siphon", "pg");
  o.timeout = 2s;
  offset::KafkaOffsetStore store(o);
  ASSERT_TRUE(store.load());
  cluster.set_all_brokers_down();
  Status s = store.store(json{{"lsn_proc", 1}});
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().retryable()) << s.error().message;
  cluster.set_all_brokers_up();
}

}  // namespace
}  // namespace siphon::testing
