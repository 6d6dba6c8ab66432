#pragma once
// What every integration harness shares, whatever the source: build/siphon run the way a user
// runs it, with an application.properties file in the harness's own directory, a file sink
// directory, an offset file and a log. SiphonHarness (PostgreSQL) and MariaDbSiphonHarness add
// their source's properties and how to tell that siphon streams.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.h"
#include "support/temp_dir.h"

namespace siphon::testing {

// The siphon binary under test (from the build that runs the tests).
std::string siphon_binary();

// The lines of a sink file that end in a newline, empty ones left out. A running sink may be in
// the middle of writing a record and a killed one leaves its last record torn (the next run
// cuts it), so a line without its newline is not a record yet.
std::vector<std::string> complete_lines(const std::filesystem::path& file);

class SiphonHarnessBase {
 public:
  SiphonHarnessBase(const SiphonHarnessBase&) = delete;
  SiphonHarnessBase& operator=(const SiphonHarnessBase&) = delete;

  // Debezium Server properties written by start(); tests change them freely.
  std::map<std::string, std::string> props;

  // Writes the properties and starts siphon; `env` adds environment variables.
  ChildProcess start(const std::map<std::string, std::string>& env = {});
  // Runs siphon to completion (for start-up failures); returns status and output.
  CommandResult run_to_exit(std::chrono::milliseconds timeout,
                            const std::map<std::string, std::string>& env = {});

  std::filesystem::path topic_file(const std::string& topic) const;
  // Every complete (newline-terminated) line of a topic file, as written (for byte-exact
  // comparisons).
  std::vector<std::string> raw_lines(const std::string& topic) const;
  // Every line of a topic file, parsed ({"key":...,"value":...}).
  std::vector<nlohmann::json> records(const std::string& topic) const;
  // Waits until the topic file holds at least `count` complete lines; false on timeout.
  bool wait_for_records(const std::string& topic, size_t count,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // Waits until siphon's log contains `text`; false on timeout.
  bool wait_for_log(const std::string& text,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // The stored offset map, if any.
  std::optional<nlohmann::json> stored_offset() const;
  std::string log() const;

  const std::string& prefix() const { return prefix_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path sink_dir() const { return dir_.path() / "sink"; }
  std::filesystem::path offset_file() const { return dir_.path() / "offsets.json"; }
  std::filesystem::path config_file() const { return dir_.path() / "application.properties"; }
  std::filesystem::path log_file() const { return dir_.path() / "siphon.log"; }

  void write_config() const;

 protected:
  // `name` makes the directory and the topic prefix ("it_<name>") unique. props starts with the
  // keys every source shares: topic prefix, offset file, file sink, restart wait.
  explicit SiphonHarnessBase(const std::string& name);

 public:
  // Virtual: tests that serve either source hold a harness through this base.
  virtual ~SiphonHarnessBase() = default;

 private:
  TempDir dir_;
  std::string prefix_;
};

// The payload of a Kafka-JSON document ({"schema":..,"payload":..} or the bare payload).
const nlohmann::json& payload_of(const nlohmann::json& doc);
// The schema of field `name` in a record's value schema's "after" struct; null when absent.
nlohmann::json after_field(const nlohmann::json& record, const std::string& name);

}  // namespace siphon::testing
