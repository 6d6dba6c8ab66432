#pragma once
// An in-process librdkafka mock cluster for tests: real Kafka protocol on loopback ports, with
// fault hooks (brokers down, leader moves, injected error codes). It lives as long as this
// object; every test starts its own so faults never leak between tests.
#include <string>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace siphon::testing {

// Kafka's ApiKey of ProduceRequest (rdkafka_protocol.h is not installed).
inline constexpr int16_t kProduceApiKey = 0;

class MockCluster {
 public:
  explicit MockCluster(int brokers = 3);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }
  int brokers() const { return brokers_; }
  rd_kafka_mock_cluster_t* get() const { return cluster_; }

  // Creates a topic (fails the test on error). Broker ids are 1..brokers().
  void create_topic(const std::string& topic, int partitions, int replication_factor = 1);
  void set_all_brokers_down();
  void set_all_brokers_up();

 private:
  rd_kafka_t* host_ = nullptr;  // the mock cluster belongs to a client handle
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
  int brokers_;
};

}  // namespace siphon::testing
