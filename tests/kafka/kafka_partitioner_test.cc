// Cross-check of Siphon's murmur2 with librdkafka's murmur2_random partitioner, the one the Kafka
// sink configures: for many keys (random bytes, every length up to 40, empty) and several
// partition counts, the partition librdkafka chose equals partition_for_key().
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kafka/mock_cluster.h"
#include "sink/murmur2.h"

namespace siphon::testing {
namespace {

struct Report {
  std::map<size_t, int32_t> partition_of;  // key index -> partition librdkafka chose
  int failed = 0;
};

void on_report(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* opaque) {
  auto* report = static_cast<Report*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++report->failed;
    return;
  }
  report->partition_of[reinterpret_cast<uintptr_t>(m->_private)] = m->partition;
}

TEST(KafkaPartitionerTest, LibrdkafkaMurmur2RandomEqualsJavaMurmur2) {
  MockCluster cluster(1);
  std::mt19937 rng(20261122);
  std::vector<std::string> keys = {"", "a", "kafka", R"({"id":1})"};
  for (int i = 0; i < 400; ++i) {
    std::string key(static_cast<size_t>(i % 41), '\0');
    for (char& c : key) c = static_cast<char>(rng() & 0xff);  // high bytes included
    keys.push_back(std::move(key));
  }

  for (int partitions : {1, 3, 7, 12, 64}) {
    std::string topic = "murmur" + std::to_string(partitions);
    cluster.create_topic(topic, partitions);
    Report report;
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", cluster.bootstrap().c_str(), errstr,
                                sizeof errstr),
              RD_KAFKA_CONF_OK);
    ASSERT_EQ(rd_kafka_conf_set(conf, "partitioner", "murmur2_random", errstr, sizeof errstr),
              RD_KAFKA_CONF_OK);
    rd_kafka_conf_set_dr_msg_cb(conf, &on_report);
    rd_kafka_conf_set_opaque(conf, &report);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    ASSERT_NE(rk, nullptr) << errstr;
    for (size_t i = 0; i < keys.size(); ++i) {
      // rd_kafka_produceva, not the RD_KAFKA_V_* macros: those use a GNU extension -Wpedantic
      // rejects.
      rd_kafka_vu_t vu[3];
      vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
      vu[0].u.cstr = topic.c_str();
      vu[1].vtype = RD_KAFKA_VTYPE_KEY;
      vu[1].u.mem.ptr = keys[i].data();
      vu[1].u.mem.size = keys[i].size();
      vu[2].vtype = RD_KAFKA_VTYPE_OPAQUE;
      vu[2].u.ptr = reinterpret_cast<void*>(static_cast<uintptr_t>(i));
      rd_kafka_error_t* error = rd_kafka_produceva(rk, vu, 3);
      ASSERT_EQ(error, nullptr) << rd_kafka_error_string(error);
    }
    EXPECT_EQ(rd_kafka_flush(rk, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);

    EXPECT_EQ(report.failed, 0);
    ASSERT_EQ(report.partition_of.size(), keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      EXPECT_EQ(report.partition_of[i], sink::partition_for_key(keys[i], partitions))
          << "key #" << i << " (" << keys[i].size() << " bytes), " << partitions << " partitions";
    }
  }
}

}  // namespace
}  // namespace siphon::testing
