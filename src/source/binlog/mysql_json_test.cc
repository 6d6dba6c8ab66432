#include "source/binlog/mysql_json.h"

#include <gtest/gtest.h>

#include "source/binlog/binlog_test_util.h"

namespace siphon::source::binlog {
namespace {

using testing::unhex;

TEST(MysqlJson, WorkedExampleFromTheSpec) {
  // spec/binlog.md §6.4: {"a": 1, "b": [true, "x"]}.
  std::string doc = unhex(
      "00 02 00 20 00 12 00 01 00 13 00 01 00 05 01 00 02 14 00 61 62"
      "02 00 0c 00 04 01 00 0c 0a 00 01 78");
  auto text = mysql_json_to_text(doc);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "{\"a\": 1, \"b\": [true, \"x\"]}");
}

TEST(MysqlJson, ScalarsAndRendering) {
  EXPECT_EQ(*mysql_json_to_text(""), "null");
  EXPECT_EQ(*mysql_json_to_text(unhex("04 02")), "false");
  EXPECT_EQ(*mysql_json_to_text(unhex("05 ff ff")), "-1");
  EXPECT_EQ(*mysql_json_to_text(unhex("0a ff ff ff ff ff ff ff ff")), "18446744073709551615");
  // Doubles (spec/binlog.md §6.3): integral values get ".0", large and small exponents switch.
  EXPECT_EQ(*mysql_json_to_text(unhex("0b 00 00 00 00 00 00 f8 3f")), "1.5");
  EXPECT_EQ(*mysql_json_to_text(unhex("0b 00 00 00 00 00 00 59 40")), "100.0");
  EXPECT_EQ(*mysql_json_to_text(unhex("0b 00 80 e0 37 79 c3 41 43")), "1e16");
  EXPECT_EQ(*mysql_json_to_text(unhex("0b 00 00 00 00 00 00 f0 3e")), "0.0000152587890625");
  // Strings escape quotes, backslashes and control characters.
  EXPECT_EQ(*mysql_json_to_text(unhex("0c 05 22 5c 0a 01 e2")), "\"\\\"\\\\\\n\\u0001\xe2\"");
  // Opaque DECIMAL(5,2) 123.45.
  EXPECT_EQ(*mysql_json_to_text(unhex("0f f6 05 05 02 80 7b 2d")), "123.45");
}

TEST(MysqlJson, CorruptDocumentsAreErrorsWithOffsets) {
  auto bad = mysql_json_to_text(unhex("00 02 00 ff 00"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("offset"), std::string::npos);
  EXPECT_FALSE(mysql_json_to_text(unhex("0c 05 61")));
  EXPECT_FALSE(mysql_json_to_text(unhex("0e")));
  EXPECT_FALSE(mysql_json_to_text(unhex("04 07")));
  // An array whose element points back at itself ends at the nesting limit.
  EXPECT_FALSE(mysql_json_to_text(unhex("02 01 00 07 00 02 00 00")));
}

}  // namespace
}  // namespace siphon::source::binlog
