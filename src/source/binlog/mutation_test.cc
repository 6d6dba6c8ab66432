// Mutation sweep over every event of the golden files (like pgoutput_decoder_test): every
// truncation and every flipped byte must end in a decoded event or an error that names the
// place and an offset, never a crash or a read outside the event (the dev preset runs this
// under AddressSanitizer and UndefinedBehaviorSanitizer).
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <variant>

#include <gtest/gtest.h>

#include "source/binlog/event_decoder.h"
#include "source/binlog/row_decoder.h"
#include "source/binlog/value_converter.h"

namespace siphon::source::binlog {
namespace {

namespace fs = std::filesystem;

struct Event {
  std::string bytes;
  bool crc = false;
};

struct GoldenFile {
  std::string name;
  std::string format_event;  // the file's FORMAT_DESCRIPTION
  std::vector<Event> events;
};

std::vector<GoldenFile> golden_files() {
  std::vector<GoldenFile> out;
  for (const char* path :
       {"mariadb/binlog.000002", "mariadb/binlog.000003", "mysql8/mysql-bin.compressed",
        "mysql8/mdev35643_mysql_80_binlog.000001", "mysql8/mysql-bin.checksum-crc32"}) {
    std::ifstream in(fs::path(SIPHON_GOLDEN_DIR) / path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string bytes = ss.str();
    GoldenFile f;
    f.name = path;
    BinlogFileReader reader(bytes, path);
    for (;;) {
      uint64_t pos = reader.position();
      auto e = reader.next();
      EXPECT_TRUE(e) << e.error().message;
      if (!e || !*e) break;
      std::string raw = bytes.substr(pos, (*e)->header.event_size);
      if ((*e)->header.type == kFormatDescription) {
        f.format_event = raw;
      } else {
        f.events.push_back({raw, reader.decoder().checksum_enabled()});
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

void set_size_and_crc(std::string& e, bool crc) {
  uint32_t size = static_cast<uint32_t>(e.size());
  for (int i = 0; i < 4; ++i) e[9 + i] = static_cast<char>(size >> (8 * i));
  if (crc && e.size() >= 23) {
    uint32_t c = static_cast<uint32_t>(
        ::crc32(0, reinterpret_cast<const Bytef*>(e.data()), static_cast<uInt>(e.size() - 4)));
    for (int i = 0; i < 4; ++i) e[e.size() - 4 + i] = static_cast<char>(c >> (8 * i));
  }
}

// Decodes the event and, for row events, its rows against the table map last seen; converts
// every value. Any error must name the place and an offset.
void decode_everything(EventDecoder& d, const std::string& bytes,
                       std::map<uint64_t, TableMap>& maps, const std::string& what) {
  auto check = [&](const Error& e) {
    EXPECT_NE(e.message.find("offset"), std::string::npos) << what << ": " << e.message;
    EXPECT_NE(e.message.find("f.bin:1234"), std::string::npos) << what << ": " << e.message;
  };
  auto event = d.decode(bytes, {"f.bin", 1234});
  if (!event) return check(event.error());
  std::vector<BinlogEvent> events;
  if (auto* p = std::get_if<TransactionPayloadEvent>(&event->body)) {
    auto inner = d.decode_payload(*p, {"f.bin", 1234});
    if (!inner) {
      EXPECT_NE(inner.error().message.find("f.bin"), std::string::npos) << inner.error().message;
      return;
    }
    events = std::move(*inner);
  } else {
    events.push_back(std::move(*event));
  }
  BinlogValueConverter converter;
  for (const BinlogEvent& e : events) {
    if (auto* m = std::get_if<TableMap>(&e.body)) maps[m->table_id] = *m;
    auto* rows = std::get_if<RowsEvent>(&e.body);
    if (rows == nullptr) continue;
    auto it = maps.find(rows->table_id);
    if (it == maps.end()) continue;
    auto decoded = decode_rows(*rows, it->second, {"f.bin", 1234});
    if (!decoded) {
      check(decoded.error());
      continue;
    }
    for (const RowChange& ch : *decoded) {
      for (const auto* image : {&ch.before, &ch.after}) {
        if (!*image) continue;
        for (size_t i = 0; i < (*image)->size(); ++i) {
          auto v = converter.convert(it->second.columns[i], (**image)[i]);
          if (!v) {
            EXPECT_FALSE(v.error().message.empty());
          }
        }
      }
    }
  }
}

TEST(BinlogMutation, EveryTruncationIsAnErrorWithAnOffsetOrAValidShorterEvent) {
  size_t events = 0, errors = 0;
  for (const GoldenFile& f : golden_files()) {
    std::map<uint64_t, TableMap> maps;
    EventDecoder d;
    ASSERT_TRUE(d.decode(f.format_event, {"f.bin", 1234}));
    for (const Event& e : f.events) {
      ++events;
      decode_everything(d, e.bytes, maps, f.name);  // the intact event first (its table map)
      size_t body_end = e.bytes.size() - (e.crc ? 4 : 0);
      for (size_t cut = 0; cut < body_end; ++cut) {
        // The header's size and the CRC are fixed up, so the body parser sees the cut.
        std::string t = e.bytes.substr(0, cut);
        if (e.crc && cut >= 19) t += std::string(4, '\0');
        if (t.size() >= 13) set_size_and_crc(t, e.crc);
        auto before = maps;
        EventDecoder copy = d;
        auto r = copy.decode(t, {"f.bin", 1234});
        if (!r) {
          ++errors;
          EXPECT_NE(r.error().message.find("offset"), std::string::npos)
              << f.name << ": " << r.error().message;
        }
        decode_everything(copy, t, before, f.name);
      }
    }
  }
  EXPECT_GT(events, 150u);
  EXPECT_GT(errors, events);
}

TEST(BinlogMutation, EveryFlippedByteFailsTheCrcOrDecodesSafely) {
  for (const GoldenFile& f : golden_files()) {
    std::map<uint64_t, TableMap> maps;
    EventDecoder d;
    ASSERT_TRUE(d.decode(f.format_event, {"f.bin", 1234}));
    for (const Event& e : f.events) {
      decode_everything(d, e.bytes, maps, f.name);
      for (size_t i = 0; i < e.bytes.size(); ++i) {
        std::string m = e.bytes;
        m[i] = static_cast<char>(m[i] ^ 0x5a);
        EventDecoder copy = d;
        auto r = copy.decode(m, {"f.bin", 1234});
        if (e.crc) {
          ASSERT_FALSE(r) << f.name << " byte " << i << " of a checksummed event";
          EXPECT_NE(r.error().message.find("offset"), std::string::npos) << r.error().message;
        }
        // With the CRC fixed up the corrupt body reaches the parsers.
        set_size_and_crc(m, e.crc);
        if (m.size() == e.bytes.size()) {
          auto before = maps;
          decode_everything(copy, m, before, f.name);
        }
      }
    }
  }
}

}  // namespace
}  // namespace siphon::source::binlog
