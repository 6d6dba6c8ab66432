#include "source/binlog/charset.h"

#include <gtest/gtest.h>

namespace siphon::source::binlog {
namespace {

TEST(Charset, CollationIdsOfMysqlAndMariaDb) {
  // spec/binlog.md §8.
  EXPECT_EQ(charset_of_collation(8), Charset::kLatin1);
  EXPECT_EQ(charset_of_collation(1032), Charset::kLatin1);  // MariaDB NO PAD
  EXPECT_EQ(charset_of_collation(33), Charset::kUtf8mb3);
  EXPECT_EQ(charset_of_collation(45), Charset::kUtf8mb4);
  EXPECT_EQ(charset_of_collation(255), Charset::kUtf8mb4);   // MySQL 8 default
  EXPECT_EQ(charset_of_collation(2304), Charset::kUtf8mb4);  // MariaDB uca1400
  EXPECT_EQ(charset_of_collation(63), Charset::kBinary);
  EXPECT_EQ(charset_of_collation(35), Charset::kUcs2);
  EXPECT_EQ(charset_of_collation(11), Charset::kAscii);
  EXPECT_EQ(charset_of_collation(1), std::nullopt);  // big5: not converted
  EXPECT_EQ(charset_by_name("utf8"), Charset::kUtf8mb3);
  EXPECT_EQ(charset_by_name("koi8r"), std::nullopt);
}

TEST(Charset, Latin1IsCp1252WithItsHolesAsC1Controls) {
  // spec/binlog.md §8.1: every byte decodes.
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  TextConversion t = to_utf8(all, Charset::kLatin1);
  EXPECT_FALSE(t.invalid_at);
  EXPECT_EQ(to_utf8("\x80\x81\x8a\x99\x9f\xe9\xff", Charset::kLatin1).utf8,
            "\u20ac\u0081\u0160\u2122\u0178\u00e9\u00ff");
}

TEST(Charset, Utf8VariantsAreValidated) {
  EXPECT_EQ(to_utf8("h\xc3\xa9", Charset::kUtf8mb3).utf8, "h\u00e9");
  // 4-byte sequences exist only in utf8mb4.
  EXPECT_EQ(to_utf8("\xf0\x9f\x98\x80", Charset::kUtf8mb4).utf8, "\U0001F600");
  EXPECT_EQ(to_utf8("a\xf0\x9f\x98\x80", Charset::kUtf8mb3).invalid_at, 1u);
  EXPECT_EQ(to_utf8("ab\xc0\xaf", Charset::kUtf8mb4).invalid_at, 2u);    // overlong
  EXPECT_EQ(to_utf8("\xed\xa0\x80", Charset::kUtf8mb4).invalid_at, 0u);  // surrogate
  EXPECT_EQ(to_utf8("abc\xe2\x82", Charset::kUtf8mb4).invalid_at, 3u);   // cut
  EXPECT_EQ(to_utf8("a\xff", Charset::kUtf8mb4, InvalidTextHandling::kReplace).utf8, "a\uFFFD");
}

TEST(Charset, Ucs2Utf16Utf32AreBigEndian) {
  EXPECT_EQ(to_utf8(std::string("\x01\x00\x04\x16\x20\xac", 6), Charset::kUcs2).utf8,
            "\u0100\u0416\u20ac");
  EXPECT_EQ(to_utf8(std::string("\x00\x61\x00", 3), Charset::kUcs2).invalid_at, 2u);
  EXPECT_EQ(to_utf8(std::string("\xd8\x3d\xde\x00", 4), Charset::kUtf16).utf8, "\U0001F600");
  EXPECT_EQ(to_utf8(std::string("\xd8\x3d\xde\x00", 4), Charset::kUcs2).invalid_at,
            0u);  // no surrogates
  EXPECT_EQ(to_utf8(std::string("\x00\x01\xf6\x00", 4), Charset::kUtf32).utf8, "\U0001F600");
  EXPECT_EQ(to_utf8(std::string("\x61\x00", 2), Charset::kUtf16le).utf8, "a");
  EXPECT_EQ(to_utf8("a\x80", Charset::kAscii).invalid_at, 1u);
}

}  // namespace
}  // namespace siphon::source::binlog
