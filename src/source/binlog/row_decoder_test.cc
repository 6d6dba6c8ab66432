// Row value decoding on the byte examples of spec/binlog.md §5 (observed on a real MariaDB
// 10.11 row image unless the spec says otherwise) and the failure paths of row images.
#include "source/binlog/row_decoder.h"

#include <gtest/gtest.h>

#include "source/binlog/binlog_test_util.h"

namespace siphon::source::binlog {
namespace {

using testing::unhex;

ColumnDescriptor column(uint8_t type) {
  ColumnDescriptor c;
  c.type = c.real_type = type;
  return c;
}

ColumnValue decode(const ColumnDescriptor& c, const std::string& hex, size_t expect_size = 0) {
  std::string bytes = unhex(hex);
  size_t used = 0;
  auto v = decode_column_value(c, bytes, used);
  EXPECT_TRUE(v) << hex << ": " << v.error().message;
  if (!v) return {};
  EXPECT_EQ(used, expect_size ? expect_size : bytes.size()) << hex;
  return *v;
}

TEST(RowDecoder, DecimalExamples) {
  // spec/binlog.md §5.1.
  EXPECT_EQ(decode_decimal(unhex("80 7b 2d"), 5, 2), "123.45");
  EXPECT_EQ(decode_decimal(unhex("7f 84 d2"), 5, 2), "-123.45");
  EXPECT_EQ(decode_decimal(unhex("80 00 00"), 5, 2), "0.00");
  EXPECT_EQ(decode_decimal(unhex("7f ff cd"), 5, 2), "-0.50");
  EXPECT_EQ(decode_decimal(unhex("80 04 d2 16 2e"), 10, 4), "1234.5678");
  EXPECT_EQ(decode_decimal(unhex("81 0d fb 38 d2 0c"), 12, 2), "1234567890.12");
  EXPECT_EQ(decode_decimal(unhex("7e f2 04 c7 2d f3"), 12, 2), "-1234567890.12");
  EXPECT_EQ(decimal_binary_size(65, 30), 30u);
  // A group above 999999999 is corruption, a wrong size is refused.
  EXPECT_EQ(decode_decimal(unhex("80 ff ff ff ff"), 9, 0), std::nullopt);
  EXPECT_EQ(decode_decimal(unhex("80 7b"), 5, 2), std::nullopt);
  EXPECT_EQ(decode_decimal(unhex("80"), 0, 0), std::nullopt);
}

TEST(RowDecoder, IntegersSignExtendFromTheirWidth) {
  ColumnValue v = decode(column(kTypeLong), "fb ff ff ff");  // -5
  EXPECT_EQ(v.kind, ColumnValue::Kind::kInt);
  EXPECT_EQ(v.integer, -5);
  EXPECT_EQ(v.width, 4);
  EXPECT_EQ(decode(column(kTypeInt24), "00 00 80").integer, -8388608);
  EXPECT_EQ(decode(column(kTypeInt24), "ff ff 7f").integer, 8388607);
  EXPECT_EQ(decode(column(kTypeTiny), "80").integer, -128);
  EXPECT_EQ(decode(column(kTypeLongLong), "ff ff ff ff ff ff ff ff").integer, -1);
}

TEST(RowDecoder, Time2Examples) {
  // spec/binlog.md §5.2.
  auto time = [](uint8_t fsp, const std::string& hex) {
    ColumnDescriptor c = column(kTypeTime2);
    c.fsp = fsp;
    return decode(c, hex).temporal;
  };
  EXPECT_EQ(time(0, "80 c8 b8"), (Temporal{false, 0, 0, 0, 12, 34, 56, 0}));
  EXPECT_EQ(time(0, "7f f0 00"), (Temporal{true, 0, 0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(time(0, "b4 6e fb"), (Temporal{false, 0, 0, 0, 838, 59, 59, 0}));
  EXPECT_EQ(time(2, "80 10 83 2d"), (Temporal{false, 0, 0, 0, 1, 2, 3, 450000}));
  EXPECT_EQ(time(2, "7f ff ff ff"), (Temporal{true, 0, 0, 0, 0, 0, 0, 10000}));
  EXPECT_EQ(time(2, "7f ff fe ce"), (Temporal{true, 0, 0, 0, 0, 0, 1, 500000}));
  EXPECT_EQ(time(6, "7f ff ff fe 1d c0"), (Temporal{true, 0, 0, 0, 0, 0, 0, 123456}));
}

TEST(RowDecoder, DateTimeAndTimestampExamples) {
  // spec/binlog.md §5.3-5.4 and the DATE rule of §5.
  ColumnDescriptor dt = column(kTypeDateTime2);
  EXPECT_EQ(decode(dt, "99 b2 de db 5e").temporal, (Temporal{false, 2024, 3, 15, 13, 45, 30, 0}));
  dt.fsp = 3;
  EXPECT_EQ(decode(dt, "99 b2 de db 5e 04 ce").temporal.micros, 123000u);
  dt.fsp = 0;
  EXPECT_EQ(decode(dt, "80 00 00 00 00").temporal, Temporal{});
  ColumnDescriptor ts = column(kTypeTimestamp2);
  ts.fsp = 6;
  ColumnValue v = decode(ts, "65 f4 50 fa 01 e2 40");
  EXPECT_EQ(v.integer, 1710510330);
  EXPECT_EQ(v.temporal.micros, 123456u);
  EXPECT_EQ(decode(column(kTypeDate), "6f d0 0f").temporal,
            (Temporal{false, 2024, 3, 15, 0, 0, 0, 0}));
  EXPECT_EQ(decode(column(kTypeYear), "7c").integer, 2024);
  EXPECT_EQ(decode(column(kTypeYear), "00").integer, 0);
}

TEST(RowDecoder, StringsBitsEnumsSetsBlobsAndGeometry) {
  ColumnDescriptor ch = column(kTypeString);
  ch.max_length = 1020;  // CHAR(255) utf8mb4: 2-byte length
  EXPECT_EQ(decode(ch, "02 00 61 62").bytes, "ab");
  ColumnDescriptor bin = column(kTypeString);
  bin.max_length = 4;
  EXPECT_EQ(decode(bin, "02 01 02").bytes, std::string("\x01\x02", 2));  // stored stripped
  ColumnDescriptor vc = column(kTypeVarchar);
  vc.max_length = 300;
  EXPECT_EQ(decode(vc, "01 00 7a").bytes, "z");
  ColumnDescriptor bit = column(kTypeBit);
  bit.bits = 10;
  EXPECT_EQ(decode(bit, "02 81").integer, 0x281);
  ColumnDescriptor en = column(kTypeEnum);
  en.max_length = 1;
  EXPECT_EQ(decode(en, "02").integer, 2);
  ColumnDescriptor set = column(kTypeSet);
  set.max_length = 1;
  EXPECT_EQ(decode(set, "05").integer, 5);
  ColumnDescriptor json = column(kTypeBlob);
  json.length_bytes = 4;
  EXPECT_EQ(decode(json, "07 00 00 00 7b 22 61 22 3a 31 7d").bytes, "{\"a\":1}");
  ColumnDescriptor geo = column(kTypeGeometry);
  geo.length_bytes = 4;
  ColumnValue g = decode(geo,
                         "19 00 00 00 00 00 00 00 01 01 00 00 00 00 00 00 00 00 00 f0 3f 00 00 00 "
                         "00 00 00 00 40");
  EXPECT_EQ(g.bytes.size(), 25u);
  ColumnDescriptor mysql_json = column(kTypeJson);
  mysql_json.length_bytes = 4;
  EXPECT_EQ(decode(mysql_json, "00 00 00 00").kind, ColumnValue::Kind::kJsonBinary);
}

TEST(RowDecoder, TruncatedAndImpossibleValuesAreErrors) {
  size_t used = 0;
  ColumnDescriptor vc = column(kTypeVarchar);
  vc.max_length = 10;
  auto cut = decode_column_value(vc, unhex("05 61 62"), used);
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message.find("offset 1"), std::string::npos) << cut.error().message;
  ColumnDescriptor dec = column(kTypeNewDecimal);
  dec.precision = 70;
  EXPECT_FALSE(decode_column_value(dec, std::string(40, '\x80'), used));
  ColumnDescriptor t = column(kTypeTime2);
  t.fsp = 7;
  EXPECT_FALSE(decode_column_value(t, std::string(8, '\x80'), used));
  ColumnDescriptor old_decimal = column(kTypeDecimal);
  EXPECT_FALSE(decode_column_value(old_decimal, "12345", used));
}

TEST(RowDecoder, NullBitmapPaddingBitsAreIgnoredAndWidthMustMatch) {
  TableMap table;
  table.table_id = 5;
  table.database = "d";
  table.table = "t";
  table.columns = {column(kTypeTiny), column(kTypeTiny)};
  RowsEvent rows;
  rows.table_id = 5;
  rows.width = 2;
  rows.columns_present = {true, true};
  // MariaDB sets unused null bits to 1: fc = columns 0 and 1 not null, padding set.
  rows.rows = unhex("fc 01 02 | fe 03");
  auto decoded = decode_rows(rows, table, {"f", 4});
  ASSERT_TRUE(decoded) << decoded.error().message;
  ASSERT_EQ(decoded->size(), 2u);
  EXPECT_EQ((*decoded)[0].after->at(1).integer, 2);
  EXPECT_EQ((*decoded)[1].after->at(1).kind, ColumnValue::Kind::kNull);

  rows.rows = unhex("fc 01");
  auto cut = decode_rows(rows, table, {"binlog.000001", 900});
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message.find("binlog.000001:900"), std::string::npos);
  EXPECT_NE(cut.error().message.find("row data offset 2"), std::string::npos)
      << cut.error().message;

  rows.width = 3;
  rows.columns_present = {true, true, true};
  EXPECT_FALSE(decode_rows(rows, table, {"f", 4}));
  rows.table_id = 6;
  EXPECT_FALSE(decode_rows(rows, table, {"f", 4}));
}

}  // namespace
}  // namespace siphon::source::binlog
