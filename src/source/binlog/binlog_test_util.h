#pragma once
// Helpers for the binlog decoder tests: hex to bytes and hand-built events.
#include <cstdint>
#include <string>
#include <string_view>

namespace siphon::source::binlog::testing {

// "01 0a ff" (spaces and '|' ignored) to bytes.
inline std::string unhex(std::string_view hex) {
  std::string out;
  int high = -1;
  for (char c : hex) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      continue;
    }
    if (high < 0) {
      high = v;
    } else {
      out += static_cast<char>(high << 4 | v);
      high = -1;
    }
  }
  return out;
}

inline void put_le(std::string& out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// A whole event without checksum: 19-byte header (timestamp 1, server id 7, log_pos 1000)
// and `body` (post-header included).
inline std::string make_event(uint8_t type, std::string_view body, uint16_t flags = 0) {
  std::string e;
  put_le(e, 1, 4);
  e += static_cast<char>(type);
  put_le(e, 7, 4);
  put_le(e, 19 + body.size(), 4);
  put_le(e, 1000, 4);
  put_le(e, flags, 2);
  e.append(body);
  return e;
}

}  // namespace siphon::source::binlog::testing
