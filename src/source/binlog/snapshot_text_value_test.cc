// The snapshot's text values, as MariaDB 10.11 prints them (recorded from a real server with
// the select items snapshot_select_item gives), turned into the row decoder's values.
#include "source/binlog/snapshot_text_value.h"

#include <gtest/gtest.h>

#include <cstring>

namespace siphon::source::binlog {
namespace {

using K = ColumnValue::Kind;

ColumnDescriptor column(uint8_t type, bool is_unsigned = false) {
  ColumnDescriptor c;
  c.type = c.real_type = type;
  c.is_unsigned = is_unsigned;
  return c;
}

ColumnValue value(const ColumnDescriptor& c, std::string_view text) {
  auto v = column_value_from_text(c, text);
  EXPECT_TRUE(v.has_value()) << text << ": " << (v ? "" : v.error().message);
  return v.value_or(ColumnValue{});
}

TEST(SnapshotTextValue, IntegersAreTheStoredBitsSignExtendedFromTheColumnWidth) {
  // As the row decoder gives them: an unsigned 255 in a TINYINT is the byte 0xff, i.e. -1.
  EXPECT_EQ(value(column(kTypeTiny, true), "255").integer, -1);
  EXPECT_EQ(value(column(kTypeTiny, true), "255").width, 1);
  EXPECT_EQ(value(column(kTypeTiny), "-128").integer, -128);
  EXPECT_EQ(value(column(kTypeInt24, true), "16777215").integer, -1);
  EXPECT_EQ(value(column(kTypeInt24), "-8388608").integer, -8388608);
  EXPECT_EQ(value(column(kTypeLongLong, true), "18446744073709551615").integer, -1);
  EXPECT_EQ(value(column(kTypeLongLong), "-9223372036854775808").integer, INT64_MIN);
  EXPECT_EQ(value(column(kTypeLong), "2147483647").integer, 2147483647);
  EXPECT_FALSE(column_value_from_text(column(kTypeLong), "12a"));
  EXPECT_FALSE(column_value_from_text(column(kTypeLong), ""));
}

TEST(SnapshotTextValue, FloatsAreReadBackExactlyFromTheirDoubleText) {
  // FLOAT 3.14159274 is selected as CAST(f AS DOUBLE): "3.1415927410125732", the float's
  // exact value, where the column's own text is "3.14159".
  ColumnDescriptor f = column(kTypeFloat);
  EXPECT_EQ(snapshot_select_item(f, "`f`"), "CAST(`f` AS DOUBLE)");
  ColumnValue v = value(f, "3.1415927410125732");
  EXPECT_EQ(v.kind, K::kFloat);
  EXPECT_EQ(static_cast<float>(v.real), 3.14159274f);
  EXPECT_EQ(value(f, "9.999999680285692e37").real, static_cast<double>(1e38f));
  EXPECT_EQ(value(column(kTypeDouble), "1.7976931348623157e308").real, 1.7976931348623157e308);
  EXPECT_EQ(value(column(kTypeDouble), "5e-324").real, 5e-324);
  EXPECT_EQ(value(column(kTypeDouble), "-0.001").real, -0.001);
}

TEST(SnapshotTextValue, DatesAndTimesAreTheirFieldsAndTimestampsUtcSeconds) {
  ColumnValue d = value(column(kTypeDate), "2024-02-29");
  EXPECT_EQ(d.kind, K::kDate);
  EXPECT_EQ(d.temporal, (Temporal{false, 2024, 2, 29, 0, 0, 0, 0}));
  EXPECT_EQ(value(column(kTypeDate), "0000-00-00").temporal, Temporal{});
  ColumnValue t = value(column(kTypeTime2), "-838:59:59.990");
  EXPECT_EQ(t.kind, K::kTime);
  EXPECT_EQ(t.temporal, (Temporal{true, 0, 0, 0, 838, 59, 59, 990000}));
  ColumnValue dt = value(column(kTypeDateTime2), "2024-05-06 07:08:09.123456");
  EXPECT_EQ(dt.temporal, (Temporal{false, 2024, 5, 6, 7, 8, 9, 123456}));
  ColumnValue ts = value(column(kTypeTimestamp2), "2024-01-01 10:00:00.25");
  EXPECT_EQ(ts.kind, K::kTimestamp);
  EXPECT_EQ(ts.integer, 1704103200);
  EXPECT_EQ(ts.temporal.micros, 250000u);
  EXPECT_EQ(value(column(kTypeTimestamp2), "0000-00-00 00:00:00.00").integer, 0);
  EXPECT_EQ(value(column(kTypeYear), "0000").integer, 0);
  EXPECT_EQ(value(column(kTypeYear), "2024").integer, 2024);
  EXPECT_FALSE(column_value_from_text(column(kTypeDate), "2024-1"));
  EXPECT_FALSE(column_value_from_text(column(kTypeTime2), "12:00"));
  EXPECT_FALSE(column_value_from_text(column(kTypeDateTime2), "2024-05-06T07:08:09"));
}

TEST(SnapshotTextValue, EnumSetAndBitAreSelectedAsNumbers) {
  ColumnDescriptor e = column(kTypeString);
  e.real_type = kTypeEnum;
  EXPECT_EQ(snapshot_select_item(e, "`e`"), "`e`+0");
  EXPECT_EQ(value(e, "2").kind, K::kEnum);
  EXPECT_EQ(value(e, "0").integer, 0);  // '' (an invalid value stored as the empty label)
  ColumnDescriptor s = column(kTypeString);
  s.real_type = kTypeSet;
  EXPECT_EQ(value(s, "5").kind, K::kSet);
  EXPECT_EQ(value(s, "5").integer, 5);
  ColumnDescriptor b = column(kTypeBit);
  EXPECT_EQ(snapshot_select_item(b, "`b`"), "`b`+0");
  EXPECT_EQ(value(b, "18446744073709551615").integer, -1);
  EXPECT_FALSE(column_value_from_text(b, "x"));
}

TEST(SnapshotTextValue, StringsAreBytesAndBinaryLosesItsPaddingAsInTheBinlog) {
  ColumnDescriptor bin = column(kTypeString);
  bin.collation = 63;
  bin.max_length = 4;
  EXPECT_EQ(value(bin, std::string_view("\x01\x02\0\0", 4)).bytes, "\x01\x02");
  ColumnDescriptor text = column(kTypeVarchar);
  text.collation = 8;  // latin1: the bytes stay in the column's charset
  EXPECT_EQ(value(text, "\xe9\xe0").bytes, "\xe9\xe0");
  EXPECT_EQ(value(column(kTypeNewDecimal), "-123456789.125").bytes, "-123456789.125");
}

TEST(SnapshotTextValue, MariaDbTypesFromTheirText) {
  ColumnDescriptor u = column(kTypeString);
  u.extended = ExtendedType::kUuid;
  EXPECT_EQ(value(u, "123e4567-e89b-12d3-a456-426614174000").bytes,
            std::string("\x12\x3e\x45\x67\xe8\x9b\x12\xd3\xa4\x56\x42\x66\x14\x17\x40\x00", 16));
  EXPECT_FALSE(column_value_from_text(u, "123e4567"));
  ColumnDescriptor i4 = column(kTypeString);
  i4.extended = ExtendedType::kInet4;
  EXPECT_EQ(value(i4, "10.0.0.1").bytes, std::string("\x0a\x00\x00\x01", 4));
  ColumnDescriptor i6 = column(kTypeString);
  i6.extended = ExtendedType::kInet6;
  EXPECT_EQ(value(i6, "2001:db8::1").bytes.size(), 16u);
  EXPECT_FALSE(column_value_from_text(i6, "not-an-address"));
}

}  // namespace
}  // namespace siphon::source::binlog
