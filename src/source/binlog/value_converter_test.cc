// Converter rules that the golden workload cannot show: descriptors without the metadata a
// conversion needs, labels missing for an index, and the encodings of binary.handling.mode.
#include "source/binlog/value_converter.h"

#include <gtest/gtest.h>

namespace siphon::source::binlog {
namespace {

ColumnDescriptor column(uint8_t type, std::string name) {
  ColumnDescriptor c;
  c.type = c.real_type = type;
  c.name = std::move(name);
  return c;
}

ColumnValue integer(int64_t v, uint8_t width) {
  ColumnValue r;
  r.kind = ColumnValue::Kind::kInt;
  r.integer = v;
  r.width = width;
  return r;
}

TEST(BinlogValueConverter, RefusesColumnsWhoseMetadataIsMissing) {
  BinlogValueConverter converter;
  // binlog_row_metadata=NO_LOG: no signedness, no charset.
  auto s = converter.schema_for(column(kTypeLong, "n"));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("column n: UNSIGNED is unknown"), std::string::npos)
      << s.error().message;
  auto t = converter.schema_for(column(kTypeVarchar, "v"));
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("charset is unknown"), std::string::npos);
  ColumnDescriptor big5 = column(kTypeVarchar, "b");
  big5.collation = 1;
  EXPECT_FALSE(converter.schema_for(big5));
  // INT24 needs no sign: int32 either way.
  EXPECT_TRUE(converter.schema_for(column(kTypeInt24, "m")));
}

TEST(BinlogValueConverter, UnsignedValuesAreMaskedToTheirWidth) {
  BinlogValueConverter converter;
  ColumnDescriptor c = column(kTypeShort, "s");
  c.is_unsigned = true;
  EXPECT_EQ(*converter.convert(c, integer(-1, 2)), Value::integer(65535));
  c.is_unsigned = false;
  EXPECT_EQ(*converter.convert(c, integer(-1, 2)), Value::integer(-1));
}

TEST(BinlogValueConverter, EnumAndSetValuesNeedTheirLabels) {
  BinlogValueConverter converter;
  ColumnDescriptor e = column(kTypeEnum, "e");
  e.enum_values = {"a"};
  ColumnValue v;
  v.kind = ColumnValue::Kind::kEnum;
  v.integer = 2;
  auto r = converter.convert(e, v);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("ENUM index 2 has no label"), std::string::npos);
  ColumnDescriptor s = column(kTypeSet, "s");
  s.set_values = {"a", "b"};
  v.kind = ColumnValue::Kind::kSet;
  v.integer = 0b100;
  EXPECT_FALSE(converter.convert(s, v));
  v.integer = 0b11;
  EXPECT_EQ(*converter.convert(s, v), Value::string("a,b"));
}

TEST(BinlogValueConverter, WrongRawKindIsAnErrorNotACrash) {
  BinlogValueConverter converter;
  ColumnDescriptor d = column(kTypeDate, "d");
  EXPECT_FALSE(converter.convert(d, integer(1, 4)));
  ColumnValue null;
  null.kind = ColumnValue::Kind::kNull;
  EXPECT_TRUE(converter.convert(d, null)->is_null());
}

TEST(BinlogValueConverter, BinaryEncodings) {
  EXPECT_EQ(base64_encode("", false), "");
  EXPECT_EQ(base64_encode("f", false), "Zg==");
  EXPECT_EQ(base64_encode("fo", false), "Zm8=");
  EXPECT_EQ(base64_encode("foo", false), "Zm9v");
  EXPECT_EQ(base64_encode("\xfb\xff", false), "+/8=");
  EXPECT_EQ(base64_encode("\xfb\xff", true), "-_8=");
  EXPECT_EQ(hex_encode(std::string("\x00\xab", 2)), "00ab");
}

}  // namespace
}  // namespace siphon::source::binlog
