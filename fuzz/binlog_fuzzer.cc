// libFuzzer target for the binlog decoders (src/source/binlog): any bytes, as a binlog file and
// as one event after a MariaDB or MySQL FORMAT_DESCRIPTION, go through the event decoder, the
// TRANSACTION_PAYLOAD splitter, the row decoder (against the table maps seen so far) and the
// value converter. Everything must end in values or errors, never a crash, an out-of-bounds read
// or an overflow (AddressSanitizer and UndefinedBehaviorSanitizer check that). Checksums are not
// verified so that mutations reach the parsers. Seeds: fuzz/corpus/binlog, copies of the golden
// files in tests/golden/binlog.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "source/binlog/event_decoder.h"
#include "source/binlog/row_decoder.h"
#include "source/binlog/value_converter.h"

namespace siphon::source::binlog {
namespace {

volatile uint64_t g_sink;

EventDecoder::Options fuzz_options() {
  EventDecoder::Options o;
  o.max_inflated_size = 1 << 20;  // compressed events may not make the fuzzer allocate more
  o.verify_checksum = false;
  return o;
}

void require_message(const Error& e) {
  if (e.message.empty()) std::abort();  // every error says what went wrong
}

void convert_rows(const RowsEvent& rows, const TableMap& map) {
  auto decoded = decode_rows(rows, map, {"fuzz", 4});
  if (!decoded) return require_message(decoded.error());
  static const BinlogValueConverter converters[] = {
      BinlogValueConverter({}),
      BinlogValueConverter({DecimalHandling::kString, TimePrecision::kConnect,
                            BinaryHandling::kBase64, BigintUnsignedHandling::kPrecise,
                            InvalidTextHandling::kReplace}),
  };
  for (const RowChange& ch : *decoded) {
    for (const auto* image : {&ch.before, &ch.after}) {
      if (!*image) continue;
      if ((*image)->size() != map.columns.size()) std::abort();
      for (size_t i = 0; i < map.columns.size(); ++i) {
        for (const auto& converter : converters) {
          auto schema = converter.schema_for(map.columns[i]);
          if (!schema) require_message(schema.error());
          auto v = converter.convert(map.columns[i], (**image)[i]);
          if (!v) {
            require_message(v.error());
            continue;
          }
          g_sink = g_sink + v->s.size() + static_cast<uint64_t>(v->i);
        }
      }
    }
  }
}

void handle(EventDecoder& decoder, BinlogEvent& event, std::map<uint64_t, TableMap>& maps,
            int depth) {
  if (auto* map = std::get_if<TableMap>(&event.body)) {
    maps[map->table_id] = *map;
  } else if (auto* rows = std::get_if<RowsEvent>(&event.body)) {
    auto it = maps.find(rows->table_id);
    if (it != maps.end()) convert_rows(*rows, it->second);
  } else if (auto* payload = std::get_if<TransactionPayloadEvent>(&event.body)) {
    if (depth > 0) std::abort();  // decode_payload refuses nested payloads
    auto inner = decoder.decode_payload(*payload, {"fuzz", 4});
    if (!inner) return require_message(inner.error());
    for (BinlogEvent& e : *inner) handle(decoder, e, maps, depth + 1);
  }
}

std::string format_event(bool mariadb) {
  std::string body;
  body += '\x04';
  body += '\x00';
  std::string version = mariadb ? "10.11.19-MariaDB-log" : "8.0.40";
  version.resize(50, '\0');
  body += version;
  body.append(4, '\0');
  body += '\x13';
  // The post-header lengths MariaDB 10.11 and MySQL 8 write (spec/binlog.md §2.3).
  std::string lengths(171, '\0');
  auto set = [&](int type, int len) { lengths[type - 1] = static_cast<char>(len); };
  set(2, 13), set(4, 8), set(15, 84), set(19, 8), set(23, 8), set(24, 8), set(25, 8);
  set(26, 2), set(30, 10), set(31, 10), set(32, 10), set(33, 42), set(34, 42), set(39, 10);
  set(161, 4), set(162, 19), set(163, 4), set(165, 13);
  for (int t = 166; t <= 168; ++t) set(t, 8);
  for (int t = 169; t <= 171; ++t) set(t, 10);
  body += lengths;
  body += '\x00';  // no checksum
  body.append(4, '\0');
  std::string e;
  auto put = [&](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) e += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  put(0, 4);
  e += static_cast<char>(kFormatDescription);
  put(1, 4);
  put(19 + body.size(), 4);
  put(0, 4);
  put(0, 2);
  return e + body;
}

void fuzz_one(std::string_view input) {
  // 1. The bytes as a binlog file (the magic added when missing).
  {
    std::string file = input.substr(0, 4) == std::string_view(
                                                 "\xfe"
                                                 "bin",
                                                 4)
                           ? std::string(input)
                           : std::string(
                                 "\xfe"
                                 "bin",
                                 4) +
                                 std::string(input);
    BinlogFileReader reader(file, "fuzz", fuzz_options());
    std::map<uint64_t, TableMap> maps;
    for (int i = 0; i < 10000; ++i) {
      auto next = reader.next();
      if (!next) {
        require_message(next.error());
        break;
      }
      if (!*next) break;
      EventDecoder decoder = reader.decoder();
      handle(decoder, **next, maps, 0);
    }
  }
  // 2. The bytes as events after a fixed MariaDB or MySQL FORMAT_DESCRIPTION, each prefixed
  //    by its own header from the input: a TABLE_MAP followed by rows reaches the row decoder.
  for (bool mariadb : {true, false}) {
    EventDecoder decoder(fuzz_options());
    if (!decoder.decode(format_event(mariadb), {"fuzz", 4})) std::abort();
    std::map<uint64_t, TableMap> maps;
    std::string_view rest = input;
    while (rest.size() >= 19) {
      uint32_t size = 0;
      for (int i = 3; i >= 0; --i) size = (size << 8) | static_cast<uint8_t>(rest[9 + i]);
      if (size < 19 || size > rest.size()) size = static_cast<uint32_t>(rest.size());
      std::string event(rest.substr(0, size));
      for (int i = 0; i < 4; ++i) event[9 + i] = static_cast<char>(size >> (8 * i));
      auto decoded = decoder.decode(event, {"fuzz", 4});
      if (decoded) {
        handle(decoder, *decoded, maps, 0);
      } else {
        require_message(decoded.error());
      }
      rest.remove_prefix(size);
    }
  }
}

}  // namespace
}  // namespace siphon::source::binlog

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  siphon::source::binlog::fuzz_one(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
