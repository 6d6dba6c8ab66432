#pragma once
// End-to-end helpers for Siphon with its Kafka sink: a mock cluster in its own process (it
// outlives every Siphon the test starts and kills), a harness configured for it, and the topics
// read back in the file sink's line format so the file-sink oracles (byte comparison, checker)
// apply to what reached Kafka.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "integration/siphon_harness_base.h"
#include "kafka/mock_cluster_process.h"
#include "kafka/topic_reader.h"

namespace siphon::testing {

// Points a harness at the cluster: Kafka sink, and (when `topic` is not empty) the Kafka
// offset store on that topic instead of the offset file.
void use_kafka(SiphonHarnessBase& h, const std::string& bootstrap,
               const std::string& offsets_topic = "");

// One record as the file sink would write its line: {"key":K,"value":V[,"headers":{...}]}.
std::string sink_line(const ConsumedRecord& record);

// Writes every record of `topic` (partition by partition, in offset order) to
// `dir/<topic>.jsonl` in the file sink's format; returns how many.
size_t dump_topic(const std::string& bootstrap, const std::string& topic,
                  const std::filesystem::path& dir, size_t at_least = 0);

// Records in `topic` now (sum over its partitions).
size_t count_records(const std::string& bootstrap, const std::string& topic);

// The offset map a Siphon configured by use_kafka(h, .., offsets_topic) stored, read from the
// offsets topic the way Siphon reads it.
std::optional<nlohmann::json> kafka_stored_offset(const SiphonHarnessBase& h,
                                                  const std::string& bootstrap,
                                                  const std::string& offsets_topic);

}  // namespace siphon::testing
