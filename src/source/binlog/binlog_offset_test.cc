#include "source/binlog/binlog_offset.h"

#include <gtest/gtest.h>

namespace siphon::source::binlog {
namespace {

TEST(BinlogOffsetTest, RoundTripsDebeziumKeys) {
  const auto stored = nlohmann::json::parse(
      R"({"file":"binlog.000003","pos":1234,"gtids":"1-1-5,0-1-19","event":2,"row":1,)"
      R"("ts_sec":1700000000,"server_id":1})");
  auto offset = BinlogOffset::from_json(stored);
  ASSERT_TRUE(offset.has_value()) << offset.error().message;
  EXPECT_EQ(offset->file, "binlog.000003");
  EXPECT_EQ(offset->pos, 1234U);
  EXPECT_EQ(offset->gtids->to_string(), "0-1-19,1-1-5");
  EXPECT_EQ(offset->event, 2U);
  EXPECT_EQ(offset->row, 1U);
  EXPECT_EQ(offset->ts_sec, 1700000000U);
  EXPECT_EQ(offset->server_id, 1U);
  EXPECT_EQ(offset->to_json(),
            nlohmann::json::parse(R"({"file":"binlog.000003","pos":1234,"gtids":"0-1-19,1-1-5",)"
                                  R"("event":2,"row":1,"ts_sec":1700000000,"server_id":1})"));
  auto again = BinlogOffset::from_json(offset->to_json());
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(*again, *offset);
}

TEST(BinlogOffsetTest, BetweenTransactionsOmitsEventRowAndZeroServerId) {
  BinlogOffset offset;
  offset.file = "binlog.000001";
  offset.pos = 4;
  EXPECT_EQ(offset.to_json(),
            nlohmann::json::parse(R"({"file":"binlog.000001","pos":4,"ts_sec":0})"));
}

TEST(BinlogOffsetTest, AcceptsNumbersAsStrings) {
  auto offset = BinlogOffset::from_json(
      nlohmann::json::parse(R"({"file":"binlog.000002","pos":"99","row":"3"})"));
  ASSERT_TRUE(offset.has_value()) << offset.error().message;
  EXPECT_EQ(offset->pos, 99U);
  EXPECT_EQ(offset->row, 3U);
  EXPECT_FALSE(offset->gtids.has_value());
}

TEST(BinlogOffsetTest, RefusesMalformedOffsetsNamingTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([1,2])", "not a JSON object"},
      {R"({"pos":4})", "neither 'file' nor 'gtids'"},
      {R"({"file":7,"pos":4})", "'file' is not a string"},
      {R"({"file":"b.1","pos":-1})", "'pos' is not a number"},
      {R"({"file":"b.1","pos":"4x"})", "'pos' is not a number"},
      {R"({"file":"b.1","pos":4,"server_id":4294967296})", "'server_id' is out of range"},
      {R"({"gtids":"0-1"})", "'gtids': '0-1' is not a MariaDB GTID position"},
  };
  for (const auto& [text, message] : cases) {
    auto offset = BinlogOffset::from_json(nlohmann::json::parse(text));
    ASSERT_FALSE(offset.has_value()) << text;
    EXPECT_EQ(offset.error().kind, ErrorKind::kConfig);
    EXPECT_NE(offset.error().message.find(message), std::string::npos)
        << text << ": " << offset.error().message;
  }
}

}  // namespace
}  // namespace siphon::source::binlog
