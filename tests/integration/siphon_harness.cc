#include "integration/siphon_harness.h"

#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "core/lsn.h"

namespace siphon::testing {

std::string siphon_binary() {
  return SIPHON_BINARY;
}

SiphonHarness::SiphonHarness(const PgServer& pg, const std::string& name)
    : conninfo_(pg.conninfo()),
      dir_("siphon-it." + name + "."),
      prefix_("it_" + name),
      slot_("slot_" + name) {
  props = {
      {"debezium.source.connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
      {"debezium.source.database.hostname", "127.0.0.1"},
      {"debezium.source.database.port", std::to_string(pg.port())},
      {"debezium.source.database.user", "postgres"},
      {"debezium.source.database.dbname", "postgres"},
      {"debezium.source.topic.prefix", prefix_},
      {"debezium.source.plugin.name", "pgoutput"},
      {"debezium.source.slot.name", slot_},
      {"debezium.source.publication.name", "pub_" + name},
      {"debezium.source.offset.storage.file.filename", offset_file().string()},
      {"debezium.source.status.update.interval.ms", "1000"},
      {"debezium.source.retriable.restart.connector.wait.ms", "1000"},
      {"debezium.sink.type", "file"},
      {"debezium.sink.file.dir", sink_dir().string()},
  };
}

SiphonHarness::~SiphonHarness() {
  try {
    PgConnection sql(conninfo_);
    sql.exec(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE "
        "slot_name = '" +
        slot_ + "' AND NOT active");
  } catch (const std::exception&) {
    // The server may be gone already (a test that stopped it); nothing to clean then.
  }
}

void SiphonHarness::write_config() const {
  std::ofstream out(config_file());
  out << "# written by the integration test harness\n";
  for (const auto& [k, v] : props) out << k << "=" << v << "\n";
}

ChildProcess SiphonHarness::start(const std::map<std::string, std::string>& env) {
  write_config();
  SpawnOptions o;
  o.argv = {siphon_binary(), "run", config_file().string()};
  o.env = env;
  o.stdout_path = log_file();
  o.stderr_path = log_file();
  return ChildProcess(o);
}

CommandResult SiphonHarness::run_to_exit(std::chrono::milliseconds timeout,
                                         const std::map<std::string, std::string>& env) {
  write_config();
  return run_command({siphon_binary(), "run", config_file().string()}, timeout, env);
}

std::string SiphonHarness::topic(const std::string& table) const {
  return prefix_ + ".public." + table;
}

std::filesystem::path SiphonHarness::topic_file(const std::string& topic) const {
  return sink_dir() / (topic + ".jsonl");
}

std::vector<std::string> SiphonHarness::raw_lines(const std::string& topic) const {
  std::vector<std::string> out;
  std::ifstream in(topic_file(topic));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::vector<nlohmann::json> SiphonHarness::records(const std::string& topic) const {
  std::vector<nlohmann::json> out;
  for (const auto& line : raw_lines(topic)) out.push_back(nlohmann::json::parse(line));
  return out;
}

bool SiphonHarness::wait_for_records(const std::string& topic, size_t count,
                                     std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(topic_file(topic));
    size_t lines = 0;
    std::string line;
    while (std::getline(in, line)) lines += !line.empty();
    if (lines >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void SiphonHarness::wait_until_streaming(PgConnection& sql,
                                         std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (sql.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot_ +
                   "' AND active") != "0") {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "siphon never started streaming from slot " << slot_ << "\n" << log();
}

std::optional<nlohmann::json> SiphonHarness::stored_offset() const {
  std::ifstream in(offset_file());
  if (!in) return std::nullopt;
  auto doc = nlohmann::json::parse(in);
  return doc.at(0).at("value");
}

std::string SiphonHarness::log() const {
  std::ifstream in(log_file());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

uint64_t lsn_of(const std::string& text) {
  auto lsn = Lsn::parse(text);
  if (!lsn) throw std::runtime_error("not an LSN: '" + text + "'");
  return lsn->value();
}

const nlohmann::json& payload_of(const nlohmann::json& doc) {
  if (doc.is_object() && doc.contains("payload") && doc.contains("schema")) return doc["payload"];
  return doc;
}

}  // namespace siphon::testing
