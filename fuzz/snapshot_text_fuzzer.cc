// libFuzzer target for the MariaDB snapshot's text values (src/source/binlog/
// snapshot_text_value.h) and the ENUM/SET label parser: the first byte picks a column kind, the
// rest is the text the server sent. Every input must end in a value the converter types or in
// an error that says why, never a crash, an out-of-bounds read or an overflow. Seeds:
// fuzz/corpus/snapshot_text, texts recorded from a MariaDB 10.11 server.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "source/binlog/schema_table_map.h"
#include "source/binlog/snapshot_text_value.h"
#include "source/binlog/value_converter.h"

namespace siphon::source::binlog {
namespace {

volatile uint64_t g_sink;

std::vector<ColumnDescriptor> columns() {
  std::vector<ColumnDescriptor> out;
  auto add = [&](uint8_t type, auto&& adjust) {
    ColumnDescriptor c;
    c.type = c.real_type = type;
    c.name = "c";
    adjust(c);
    out.push_back(c);
  };
  auto none = [](ColumnDescriptor&) {};
  for (uint8_t t : {kTypeTiny, kTypeShort, kTypeInt24, kTypeLong, kTypeLongLong}) {
    add(t, none);
    add(t, [](ColumnDescriptor& c) { c.is_unsigned = true; });
  }
  add(kTypeFloat, none);
  add(kTypeDouble, none);
  add(kTypeNewDecimal, [](ColumnDescriptor& c) {
    c.precision = 12;
    c.scale = 3;
  });
  add(kTypeYear, none);
  add(kTypeDate, none);
  add(kTypeTime2, [](ColumnDescriptor& c) { c.fsp = 6; });
  add(kTypeDateTime2, [](ColumnDescriptor& c) { c.fsp = 3; });
  add(kTypeTimestamp2, [](ColumnDescriptor& c) { c.fsp = 2; });
  add(kTypeBit, [](ColumnDescriptor& c) { c.bits = 64; });
  add(kTypeString, [](ColumnDescriptor& c) {
    c.real_type = kTypeEnum;
    c.enum_values = {"x", "y"};
  });
  add(kTypeString, [](ColumnDescriptor& c) {
    c.real_type = kTypeSet;
    c.set_values = {"p", "q"};
  });
  add(kTypeString, [](ColumnDescriptor& c) {
    c.collation = 63;
    c.max_length = 4;
  });
  add(kTypeVarchar, [](ColumnDescriptor& c) { c.collation = 45; });
  add(kTypeBlob, [](ColumnDescriptor& c) { c.collation = 63; });
  for (ExtendedType e :
       {ExtendedType::kUuid, ExtendedType::kInet4, ExtendedType::kInet6, ExtendedType::kJson}) {
    add(kTypeString, [e](ColumnDescriptor& c) {
      c.extended = e;
      c.collation = 63;
    });
  }
  add(kTypeGeometry, none);
  add(kTypeJson, none);
  return out;
}

}  // namespace
}  // namespace siphon::source::binlog

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace siphon::source::binlog;
  static const std::vector<ColumnDescriptor> kColumns = columns();
  static const BinlogValueConverter converter({});
  if (size == 0) return 0;
  const ColumnDescriptor& column = kColumns[data[0] % kColumns.size()];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto value = column_value_from_text(column, text);
  if (!value) {
    if (value.error().message.empty()) std::abort();
  } else {
    auto typed = converter.convert(column, *value);
    if (!typed && typed.error().message.empty()) std::abort();
  }
  g_sink = g_sink + enum_labels(std::string(text)).size();
  return 0;
}
