#pragma once
// Runs build/siphon against a test PostgreSQL the way a user would: an application.properties
// file, a child process, a file sink directory, an offset file. Each harness has its own
// directory, slot, publication and topic prefix, so tests can share one server.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/pg_server.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace siphon::testing {

// The siphon binary under test (from the build that runs the tests).
std::string siphon_binary();

class SiphonHarness {
 public:
  // `name` makes the slot, publication and topic prefix unique on a shared server.
  SiphonHarness(const PgServer& pg, const std::string& name);
  // Drops the harness's slot (if siphon left it and no process uses it), so tests that share
  // a server do not run out of max_replication_slots.
  ~SiphonHarness();

  // Debezium Server properties written by start(); tests change them freely.
  std::map<std::string, std::string> props;

  // Writes the properties and starts siphon; `env` adds environment variables.
  ChildProcess start(const std::map<std::string, std::string>& env = {});
  // Runs siphon to completion (for start-up failures); returns status and output.
  CommandResult run_to_exit(std::chrono::milliseconds timeout,
                            const std::map<std::string, std::string>& env = {});

  std::string topic(const std::string& table) const;  // "<prefix>.public.<table>"
  std::filesystem::path topic_file(const std::string& topic) const;
  // Every line of a topic file, as written (for byte-exact comparisons).
  std::vector<std::string> raw_lines(const std::string& topic) const;
  // Every line of a topic file, parsed ({"key":...,"value":...}).
  std::vector<nlohmann::json> records(const std::string& topic) const;
  // Waits until the topic file holds at least `count` lines; false on timeout.
  bool wait_for_records(const std::string& topic, size_t count,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // Waits until siphon streams from its slot (the slot exists and is active), so every later
  // commit is captured. Fails the test on timeout.
  void wait_until_streaming(PgConnection& sql,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // The stored offset map, if any.
  std::optional<nlohmann::json> stored_offset() const;
  std::string log() const;

  const std::string& prefix() const { return prefix_; }
  const std::string& slot() const { return slot_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path sink_dir() const { return dir_.path() / "sink"; }
  std::filesystem::path offset_file() const { return dir_.path() / "offsets.json"; }
  std::filesystem::path config_file() const { return dir_.path() / "application.properties"; }
  std::filesystem::path log_file() const { return dir_.path() / "siphon.log"; }

  void write_config() const;

 private:
  std::string conninfo_;
  TempDir dir_;
  std::string prefix_;
  std::string slot_;
};

// An LSN as PostgreSQL prints it ("16/B374D848") as a number; throws on anything else.
uint64_t lsn_of(const std::string& text);

// The payload of a Kafka-JSON document ({"schema":..,"payload":..} or the bare payload).
const nlohmann::json& payload_of(const nlohmann::json& doc);

}  // namespace siphon::testing
