#pragma once
// Reads a topic back from Kafka as a consumer sees it: the oracle of the Kafka sink tests.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace siphon::testing {

struct ConsumedRecord {
  int32_t partition = -1;
  int64_t offset = -1;
  std::optional<std::string> key;    // nullopt: a null key
  std::optional<std::string> value;  // nullopt: a tombstone
  std::vector<std::pair<std::string, std::string>> headers;
};

// Every record of `topic`, partition by partition in offset order, once at least `at_least`
// records were read and every partition was read to its end. Fails the test (and returns what
// it has) when that takes longer than `timeout`.
std::vector<ConsumedRecord> read_topic(
    const std::string& bootstrap, const std::string& topic, size_t at_least,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace siphon::testing
