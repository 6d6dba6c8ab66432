// The MariaDB harness, before the MariaDB source exists: the properties it writes are the
// documented ones, and it reads sink files, the offset file and the log as the crash tests will.
// Nothing here runs siphon.
#include "integration/mariadb_siphon_harness.h"

#include <fstream>
#include <map>

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "support/checker.h"

namespace siphon::testing {
namespace {

using namespace std::chrono_literals;

// key=value lines; '#' lines are comments. A value may be empty.
std::map<std::string, std::string> read_properties(const std::filesystem::path& path) {
  std::map<std::string, std::string> props;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    EXPECT_NE(eq, std::string::npos) << line;
    if (eq == std::string::npos) continue;
    EXPECT_TRUE(props.emplace(line.substr(0, eq), line.substr(eq + 1)).second) << line;
  }
  return props;
}

TEST(MariaDbSiphonHarness, WritesTheDocumentedProperties) {
  MariaDbServer& db = shared_mariadb_server();
  MariaDbSiphonHarness h(db, "mdbprops");
  h.write_config();
  std::map<std::string, std::string> expected = {
      {"debezium.source.connector.class", "io.debezium.connector.mariadb.MariaDbConnector"},
      {"debezium.source.database.hostname", "127.0.0.1"},
      {"debezium.source.database.port", std::to_string(db.port())},
      {"debezium.source.database.user", "root"},
      {"debezium.source.database.password", ""},
      {"debezium.source.snapshot.mode", "no_data"},
      {"debezium.source.topic.prefix", "it_mdbprops"},
      {"debezium.source.offset.storage.file.filename", (h.dir() / "offsets.json").string()},
      {"debezium.source.retriable.restart.connector.wait.ms", "1000"},
      {"debezium.sink.type", "file"},
      {"debezium.sink.file.dir", (h.dir() / "sink").string()},
  };
  EXPECT_EQ(read_properties(h.config_file()), expected);

  // Tests may change and add properties; the file follows.
  h.props["debezium.source.connector.class"] = "io.debezium.connector.mysql.MySqlConnector";
  h.props["debezium.source.database.include.list"] = "w1,w2";
  h.write_config();
  std::map<std::string, std::string> written = read_properties(h.config_file());
  EXPECT_EQ(written.at("debezium.source.connector.class"),
            "io.debezium.connector.mysql.MySqlConnector");
  EXPECT_EQ(written.at("debezium.source.database.include.list"), "w1,w2");

  EXPECT_EQ(h.topic("w1", "accounts"), "it_mdbprops.w1.accounts");
  EXPECT_EQ(h.topic_file(h.topic("w1", "accounts")),
            h.sink_dir() / "it_mdbprops.w1.accounts.jsonl");
}

TEST(MariaDbSiphonHarness, ReadsSinkFilesAndTheStoredOffset) {
  MariaDbSiphonHarness h(shared_mariadb_server(), "mdbread");
  std::string topic = h.topic("w1", "accounts");
  EXPECT_TRUE(h.records(topic).empty());
  EXPECT_FALSE(h.wait_for_records(topic, 1, 100ms));
  EXPECT_FALSE(h.stored_offset());

  std::filesystem::create_directories(h.sink_dir());
  std::ofstream(h.topic_file(topic)) << R"({"key":{"id":1},"value":{"op":"c"}})"
                                     << "\n"
                                     << R"({"key":{"id":1},"value":null})"
                                     << "\n";
  EXPECT_TRUE(h.wait_for_records(topic, 2));
  std::vector<nlohmann::json> records = h.records(topic);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["value"]["op"], "c");
  EXPECT_TRUE(records[1]["value"].is_null());

  // The file offset store's layout, with the binlog offset keys; the kill mark keeps them.
  nlohmann::json offset = {
      {"file", "binlog.000001"}, {"pos", 1234}, {"gtids", "0-1-57"}, {"siphon.tx_events_done", 2}};
  std::ofstream(h.offset_file()) << nlohmann::json::array(
      {{{"key", {"siphon-connector", {{"server", h.prefix()}}}}, {"value", offset}}});
  ASSERT_TRUE(h.stored_offset());
  EXPECT_EQ(*h.stored_offset(), offset);
  nlohmann::json mark = kill_mark(h.stored_offset(), {{"it_mdbread.w1.accounts.jsonl", 2}});
  EXPECT_EQ(mark["gtids"], "0-1-57");
  EXPECT_EQ(mark["events_done"], 2);
}

TEST(MariaDbSiphonHarness, WaitUntilStreamingFollowsTheLogContract) {
  MariaDbSiphonHarness h(shared_mariadb_server(), "mdbstream");
  std::ofstream(h.log_file()) << "2026-11-22T09:00:00Z INFO siphon starting\n";
  EXPECT_FALSE(h.wait_for_log(MariaDbSiphonHarness::kStreamingLogText, 100ms));
  EXPECT_NONFATAL_FAILURE(h.wait_until_streaming(100ms), "never logged 'streaming from binlog'");

  std::ofstream(h.log_file(), std::ios::app)
      << "2026-11-22T09:00:01Z INFO streaming from binlog 'binlog.000001' at 4, gtids 0-1-5\n";
  EXPECT_TRUE(h.wait_for_log(MariaDbSiphonHarness::kStreamingLogText));
  h.wait_until_streaming();  // no failure
}

}  // namespace
}  // namespace siphon::testing
