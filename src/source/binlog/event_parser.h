#pragma once
// A cursor over one event's bytes for the decoders: little-endian reads that, instead of failing
// one by one, record the first failure (the field and its offset in the event) and return zeros
// from then on. A decoder reads a whole structure and checks ok() once; it must check ok()
// before it trusts a count it read (to size a loop or an allocation).
#include <cstdint>
#include <string>
#include <string_view>

#include "io/byte_reader.h"

namespace siphon::source::binlog {

class EventParser {
 public:
  // Reads bytes [begin, end) of `event`; offsets stay relative to the event's first byte.
  EventParser(std::string_view event, size_t begin, size_t end)
      : data_(event.substr(0, end)), reader_(data_) {
    if (begin > end) {
      fail("body", begin);
    } else {
      reader_.skip(begin);
    }
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t offset() const { return reader_.offset(); }
  size_t remaining() const { return ok() ? reader_.remaining() : 0; }
  bool at_end() const { return remaining() == 0; }

  uint64_t uint(size_t n, const char* field) {
    if (!ok()) return 0;
    auto v = reader_.uint_le(n);
    if (!v) return fail(field, n), 0;
    return *v;
  }
  uint64_t uint_be(size_t n, const char* field) {
    if (!ok()) return 0;
    auto v = reader_.uint_be(n);
    if (!v) return fail(field, n), 0;
    return *v;
  }
  uint8_t u8(const char* field) { return static_cast<uint8_t>(uint(1, field)); }
  uint16_t u16(const char* field) { return static_cast<uint16_t>(uint(2, field)); }
  uint32_t u24(const char* field) { return static_cast<uint32_t>(uint(3, field)); }
  uint32_t u32(const char* field) { return static_cast<uint32_t>(uint(4, field)); }
  uint64_t u48(const char* field) { return uint(6, field); }
  uint64_t u64(const char* field) { return uint(8, field); }

  // MySQL's length-encoded integer (spec/binlog.md conventions): 0..250, FC u16, FD u24, FE u64.
  uint64_t lenenc(const char* field) {
    uint8_t first = u8(field);
    if (!ok()) return 0;
    switch (first) {
      case 0xfc:
        return uint(2, field);
      case 0xfd:
        return uint(3, field);
      case 0xfe:
        return uint(8, field);
      case 0xfb:
      case 0xff:
        fail_value(field, "is not a length-encoded integer", offset() - 1);
        return 0;
      default:
        return first;
    }
  }

  std::string_view bytes(uint64_t n, const char* field) {
    if (!ok()) return {};
    if (n > reader_.remaining()) return fail(field, n), std::string_view();
    return *reader_.bytes(static_cast<size_t>(n));
  }
  std::string_view rest() { return bytes(remaining(), "rest"); }
  void skip(uint64_t n, const char* field) { (void)bytes(n, field); }

  // A failure that is not a truncation: a value out of its range.
  void fail_value(const char* field, std::string_view why, size_t at) {
    if (!ok()) return;
    error_ = std::string(field) + " " + std::string(why) + " at offset " + std::to_string(at);
  }

 private:
  void fail(const char* field, uint64_t need) {
    if (!ok()) return;
    error_ = "truncated: " + std::string(field) + " needs " + std::to_string(need) +
             " bytes at offset " + std::to_string(reader_.offset()) + ", " +
             std::to_string(reader_.remaining()) + " left";
  }

  std::string_view data_;
  io::ByteReader reader_;
  std::string error_;
};

}  // namespace siphon::source::binlog
