#include "integration/siphon_harness_base.h"

#include <fstream>
#include <sstream>
#include <thread>

namespace siphon::testing {

std::string siphon_binary() {
  return SIPHON_BINARY;
}

SiphonHarnessBase::SiphonHarnessBase(const std::string& name)
    : dir_("siphon-it." + name + "."), prefix_("it_" + name) {
  props = {
      {"debezium.source.topic.prefix", prefix_},
      {"debezium.source.offset.storage.file.filename", offset_file().string()},
      {"debezium.source.retriable.restart.connector.wait.ms", "1000"},
      {"debezium.sink.type", "file"},
      {"debezium.sink.file.dir", sink_dir().string()},
  };
}

void SiphonHarnessBase::write_config() const {
  std::ofstream out(config_file());
  out << "# written by the integration test harness\n";
  for (const auto& [k, v] : props) out << k << "=" << v << "\n";
}

ChildProcess SiphonHarnessBase::start(const std::map<std::string, std::string>& env) {
  write_config();
  SpawnOptions o;
  o.argv = {siphon_binary(), "run", config_file().string()};
  o.env = env;
  o.stdout_path = log_file();
  o.stderr_path = log_file();
  return ChildProcess(o);
}

CommandResult SiphonHarnessBase::run_to_exit(std::chrono::milliseconds timeout,
                                             const std::map<std::string, std::string>& env) {
  write_config();
  return run_command({siphon_binary(), "run", config_file().string()}, timeout, env);
}

std::filesystem::path SiphonHarnessBase::topic_file(const std::string& topic) const {
  return sink_dir() / (topic + ".jsonl");
}

std::vector<std::string> complete_lines(const std::filesystem::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline after it
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::vector<std::string> SiphonHarnessBase::raw_lines(const std::string& topic) const {
  return complete_lines(topic_file(topic));
}

std::vector<nlohmann::json> SiphonHarnessBase::records(const std::string& topic) const {
  std::vector<nlohmann::json> out;
  for (const auto& line : raw_lines(topic)) out.push_back(nlohmann::json::parse(line));
  return out;
}

bool SiphonHarnessBase::wait_for_records(const std::string& topic, size_t count,
                                         std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (complete_lines(topic_file(topic)).size() >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool SiphonHarnessBase::wait_for_log(const std::string& text,
                                     std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (log().find(text) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::optional<nlohmann::json> SiphonHarnessBase::stored_offset() const {
  std::ifstream in(offset_file());
  if (!in) return std::nullopt;
  auto doc = nlohmann::json::parse(in);
  return doc.at(0).at("value");
}

std::string SiphonHarnessBase::log() const {
  std::ifstream in(log_file());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json after_field(const nlohmann::json& record, const std::string& name) {
  for (const nlohmann::json& f : record["value"]["schema"]["fields"]) {
    if (f["field"] != "after") continue;
    for (const nlohmann::json& c : f["fields"]) {
      if (c["field"] == name) return c;
    }
  }
  return nullptr;
}

const nlohmann::json& payload_of(const nlohmann::json& doc) {
  if (doc.is_object() && doc.contains("payload") && doc.contains("schema")) return doc["payload"];
  return doc;
}

}  // namespace siphon::testing
