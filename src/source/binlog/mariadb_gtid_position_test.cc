#include "source/binlog/mariadb_gtid_position.h"

#include <gtest/gtest.h>

namespace siphon::source::binlog {
namespace {

TEST(MariaDbGtidPositionTest, ParsesAndPrintsInDomainOrder) {
  auto position = MariaDbGtidPosition::parse(" 2-1-7, 0-1-19 ,1-3-18446744073709551615");
  ASSERT_TRUE(position.has_value()) << position.error().message;
  EXPECT_EQ(position->to_string(), "0-1-19,1-3-18446744073709551615,2-1-7");
  EXPECT_EQ(position->domains().at(2), (MariaDbGtid{2, 1, 7}));
}

TEST(MariaDbGtidPositionTest, RetainKeepsTheDomainsWhoseSourceIsAdmitted) {
  auto position = MariaDbGtidPosition::parse("0-1-19,1-2-5,2-1-7");
  ASSERT_TRUE(position.has_value()) << position.error().message;
  EXPECT_EQ(position->domains().at(1).source(), "1-2");
  position->retain([](const MariaDbGtid& gtid) { return gtid.source() != "1-2"; });
  EXPECT_EQ(position->to_string(), "0-1-19,2-1-7");
  position->retain([](const MariaDbGtid&) { return false; });
  EXPECT_TRUE(position->empty());
}

TEST(MariaDbGtidPositionTest, EmptyIsNoGtidYet) {
  auto position = MariaDbGtidPosition::parse("");
  ASSERT_TRUE(position.has_value());
  EXPECT_TRUE(position->empty());
  EXPECT_EQ(position->to_string(), "");
  EXPECT_TRUE(MariaDbGtidPosition::parse("  ")->empty());
}

TEST(MariaDbGtidPositionTest, AdvanceReplacesTheDomainsEntry) {
  MariaDbGtidPosition position = *MariaDbGtidPosition::parse("0-1-19");
  position.advance({0, 2, 20});
  position.advance({5, 1, 1});
  EXPECT_EQ(position.to_string(), "0-2-20,5-1-1");
  EXPECT_EQ(position, *MariaDbGtidPosition::parse("5-1-1,0-2-20"));
}

TEST(MariaDbGtidPositionTest, RefusesMalformedText) {
  for (const char* text :
       {"0-1", "0-1-", "a-1-2", "0-1-2-3", "0--2", "-1-2", "0-1-2,", "0-1-2,,1-1-1",
        "4294967296-1-1", "0-4294967296-1", "0-1-18446744073709551616", "0-1-2,0-1-3", "0-1-+2"}) {
    auto position = MariaDbGtidPosition::parse(text);
    EXPECT_FALSE(position.has_value()) << text;
    if (!position) {
      EXPECT_EQ(position.error().kind, ErrorKind::kConfig);
      EXPECT_NE(position.error().message.find(text), std::string::npos) << position.error().message;
    }
  }
}

}  // namespace
}  // namespace siphon::source::binlog
