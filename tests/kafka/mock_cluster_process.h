#pragma once
// Drives siphon-kafka-mock-cluster (mock_cluster_main.cc) as a child process: a Kafka cluster
// that outlives any Siphon process a test starts and kills, and that the test reconfigures
// (brokers down, leader moves, injected errors) through the host's line protocol.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace siphon::testing {

class MockClusterProcess {
 public:
  struct Options {
    int brokers = 3;
    std::vector<std::string> topics{};  // "name:partitions[:replicas]"
    std::string binary = SIPHON_KAFKA_MOCK_CLUSTER_BIN;
    std::chrono::milliseconds reply_timeout{10000};
  };

  // Starts the host and reads its bootstrap servers. Throws std::runtime_error when it cannot
  // start or does not answer in time.
  explicit MockClusterProcess(const Options& options);
  MockClusterProcess() : MockClusterProcess(Options{}) {}
  // Closes the host's stdin (it then exits by itself), waits briefly, then SIGKILLs.
  ~MockClusterProcess();
  MockClusterProcess(const MockClusterProcess&) = delete;
  MockClusterProcess& operator=(const MockClusterProcess&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }
  pid_t pid() const { return pid_; }

  // Sends one command line and returns what follows "ok" ("" for a bare "ok"). Throws
  // std::runtime_error with the host's message on "error ...", or on a timeout.
  std::string command(const std::string& line);
  // Closes stdin and waits for the exit status (0 is a clean exit); -1 if it had to be killed.
  int shutdown(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  std::string read_line(std::chrono::milliseconds timeout);

  Options options_;
  pid_t pid_ = -1;
  int channel_ = -1;  // our end of the socket that is the host's stdin and stdout
  std::string buffer_;
  std::string bootstrap_;
};

}  // namespace siphon::testing
