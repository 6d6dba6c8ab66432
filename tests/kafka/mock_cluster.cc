#include "kafka/mock_cluster.h"

#include <stdexcept>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace siphon::testing {

MockCluster::MockCluster(int brokers) : brokers_(brokers) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The host client never connects; its notice that it has no bootstrap.servers is noise.
  rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr);
  host_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (host_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(fmt::format("cannot create the mock cluster's host: {}", errstr));
  }
  cluster_ = rd_kafka_mock_cluster_new(host_, brokers);
  if (cluster_ == nullptr) {
    rd_kafka_destroy(host_);
    throw std::runtime_error("rd_kafka_mock_cluster_new failed");
  }
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
}

MockCluster::~MockCluster() {
  rd_kafka_mock_cluster_destroy(cluster_);
  rd_kafka_destroy(host_);
}

void MockCluster::create_topic(const std::string& topic, int partitions, int replication_factor) {
  rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication_factor);
  ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR)
      << "creating " << topic << ": " << rd_kafka_err2str(err);
}

void MockCluster::set_all_brokers_down() {
  for (int id = 1; id <= brokers_; ++id) rd_kafka_mock_broker_set_down(cluster_, id);
}

void MockCluster::set_all_brokers_up() {
  for (int id = 1; id <= brokers_; ++id) rd_kafka_mock_broker_set_up(cluster_, id);
}

}  // namespace siphon::testing
