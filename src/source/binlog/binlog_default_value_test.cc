// Column defaults as MariaDB 10.11's information_schema.COLUMNS.COLUMN_DEFAULT prints them,
// converted like values of their column.
#include "source/binlog/binlog_default_value.h"

#include <gtest/gtest.h>

namespace siphon::source::binlog {
namespace {

ColumnDescriptor column(uint8_t type) {
  ColumnDescriptor c;
  c.type = c.real_type = type;
  c.is_unsigned = false;
  return c;
}

std::optional<Value> def(const ColumnDescriptor& c, const std::string& expression,
                         ConverterOptions options = {}) {
  return binlog_default_value(BinlogValueConverter(options), c, expression);
}

TEST(BinlogDefaultValue, LiteralsConvertLikeValues) {
  EXPECT_EQ(def(column(kTypeLong), "5"), Value::integer(5));
  EXPECT_EQ(def(column(kTypeLong), "-7"), Value::integer(-7));
  ColumnDescriptor d = column(kTypeNewDecimal);
  d.precision = 10;
  d.scale = 3;
  EXPECT_EQ(def(d, "1.500", {.decimal = DecimalHandling::kString}), Value::string("1.500"));
  ColumnDescriptor text = column(kTypeVarchar);
  text.collation = 8;  // latin1: the default arrives as UTF-8 all the same
  EXPECT_EQ(def(text, "'caf\xc3\xa9 it''s'"), Value::string("caf\xc3\xa9 it's"));
  EXPECT_EQ(def(column(kTypeDate), "'2024-02-29'"), Value::integer(19782));
  ColumnDescriptor e = column(kTypeString);
  e.real_type = kTypeEnum;
  e.enum_values = {"new", "paid"};
  e.collation = 45;
  EXPECT_EQ(def(e, "'paid'"), Value::string("paid"));
  EXPECT_FALSE(def(e, "'gone'"));
  ColumnDescriptor s = column(kTypeString);
  s.real_type = kTypeSet;
  s.set_values = {"p", "q", "r"};
  s.collation = 45;
  EXPECT_EQ(def(s, "'p,r'"), Value::string("p,r"));
  ColumnDescriptor bit = column(kTypeBit);
  bit.bits = 1;
  EXPECT_EQ(def(bit, "b'1'"), Value::boolean(true));
}

TEST(BinlogDefaultValue, NullFunctionsAndUnconvertibleLiteralsHaveNone) {
  EXPECT_FALSE(def(column(kTypeLong), "NULL"));
  EXPECT_FALSE(def(column(kTypeVarchar), "uuid()"));
  EXPECT_FALSE(def(column(kTypeLongLong), "nextval(`db`.`seq`)"));
  EXPECT_FALSE(def(column(kTypeLong), "(1 + 2)"));
  EXPECT_FALSE(def(column(kTypeDate), "'not a date'"));
}

TEST(BinlogDefaultValue, CurrentTimestampIsTheEpoch) {
  ColumnDescriptor ts = column(kTypeTimestamp2);
  ts.fsp = 0;
  EXPECT_EQ(def(ts, "current_timestamp()"), Value::string("1970-01-01T00:00:00Z"));
  ColumnDescriptor dt = column(kTypeDateTime2);
  dt.fsp = 3;
  EXPECT_EQ(def(dt, "current_timestamp(3)"), Value::integer(0));
  EXPECT_FALSE(def(column(kTypeLong), "current_timestamp()"));
}

}  // namespace
}  // namespace siphon::source::binlog
