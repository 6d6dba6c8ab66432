#include "source/binlog/charset.h"

#include <array>

namespace siphon::source::binlog {
namespace {

// latin1 0x80-0x9F as MySQL maps them (spec/binlog.md §8.1).
constexpr std::array<uint16_t, 32> kLatin1High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

constexpr uint32_t kReplacement = 0xFFFD;

// Length of the valid UTF-8 sequence at `s[i]`, or 0 if it is invalid (overlong, surrogate,
// above U+10FFFF, cut). `max_bytes` 3 rejects the supplementary planes (utf8mb3).
size_t utf8_sequence(std::string_view s, size_t i, size_t max_bytes) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  const uint8_t c = b(0);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t min;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (n > max_bytes || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::optional<Charset> charset_of_collation(uint32_t id) {
  // MariaDB's uca1400 collations: one block of 256 ids per charset.
  if (id >= 2048 && id < 2304) return Charset::kUtf8mb3;
  if (id >= 2304 && id < 2560) return Charset::kUtf8mb4;
  if (id >= 2560 && id < 2816) return Charset::kUcs2;
  if (id >= 2816 && id < 3072) return Charset::kUtf16;
  if (id >= 3072 && id < 3328) return Charset::kUtf32;
  // MariaDB's NO PAD variants are 1024 + the id of their PAD SPACE twin.
  if (id >= 1024 && id < 2048) id -= 1024;
  switch (id) {
    case 63:
      return Charset::kBinary;
    case 11:
    case 65:
      return Charset::kAscii;
    case 5:
    case 8:
    case 15:
    case 31:
    case 47:
    case 48:
    case 49:
    case 94:
      return Charset::kLatin1;
    case 33:
    case 76:
    case 83:
    case 223:
    case 576:
    case 577:
    case 578:
      return Charset::kUtf8mb3;
    case 45:
    case 46:
    case 608:
    case 609:
    case 610:
      return Charset::kUtf8mb4;
    case 35:
    case 90:
    case 159:
      return Charset::kUcs2;
    case 54:
    case 55:
      return Charset::kUtf16;
    case 56:
    case 62:
      return Charset::kUtf16le;
    case 60:
    case 61:
      return Charset::kUtf32;
    default:
      break;
  }
  if (id >= 192 && id <= 215) return Charset::kUtf8mb3;
  if (id >= 224 && id <= 247) return Charset::kUtf8mb4;
  if (id >= 255 && id <= 323) return Charset::kUtf8mb4;  // MySQL 8 0900 family
  if (id >= 128 && id <= 151) return Charset::kUcs2;
  if (id >= 101 && id <= 124) return Charset::kUtf16;
  if (id >= 160 && id <= 183) return Charset::kUtf32;
  return std::nullopt;
}

std::optional<Charset> charset_by_name(std::string_view name) {
  if (name == "binary") return Charset::kBinary;
  if (name == "ascii") return Charset::kAscii;
  if (name == "latin1") return Charset::kLatin1;
  if (name == "utf8mb3" || name == "utf8") return Charset::kUtf8mb3;
  if (name == "utf8mb4") return Charset::kUtf8mb4;
  if (name == "ucs2") return Charset::kUcs2;
  if (name == "utf16") return Charset::kUtf16;
  if (name == "utf16le") return Charset::kUtf16le;
  if (name == "utf32") return Charset::kUtf32;
  return std::nullopt;
}

const char* charset_name(Charset charset) {
  switch (charset) {
    case Charset::kBinary:
      return "binary";
    case Charset::kAscii:
      return "ascii";
    case Charset::kLatin1:
      return "latin1";
    case Charset::kUtf8mb3:
      return "utf8mb3";
    case Charset::kUtf8mb4:
      return "utf8mb4";
    case Charset::kUcs2:
      return "ucs2";
    case Charset::kUtf16:
      return "utf16";
    case Charset::kUtf16le:
      return "utf16le";
    case Charset::kUtf32:
      return "utf32";
  }
  return "?";
}

TextConversion to_utf8(std::string_view s, Charset charset, InvalidTextHandling handling) {
  TextConversion r;
  r.utf8.reserve(s.size());
  // Returns false when conversion must stop.
  auto invalid = [&](size_t at) {
    if (handling == InvalidTextHandling::kFail) {
      r.invalid_at = at;
      return false;
    }
    append_utf8(r.utf8, kReplacement);
    return true;
  };
  auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  switch (charset) {
    case Charset::kBinary:
    case Charset::kLatin1:
      for (size_t i = 0; i < s.size(); ++i) {
        uint8_t c = byte(i);
        append_utf8(r.utf8, c >= 0x80 && c < 0xA0 ? kLatin1High[c - 0x80] : c);
      }
      break;
    case Charset::kAscii:
      for (size_t i = 0; i < s.size(); ++i) {
        if (byte(i) >= 0x80) {
          if (!invalid(i)) return r;
        } else {
          r.utf8 += s[i];
        }
      }
      break;
    case Charset::kUtf8mb3:
    case Charset::kUtf8mb4: {
      const size_t max = charset == Charset::kUtf8mb3 ? 3 : 4;
      for (size_t i = 0; i < s.size();) {
        size_t n = utf8_sequence(s, i, max);
        if (n == 0) {
          if (!invalid(i)) return r;
          ++i;
          continue;
        }
        r.utf8.append(s.substr(i, n));
        i += n;
      }
      break;
    }
    case Charset::kUcs2:
    case Charset::kUtf16:
    case Charset::kUtf16le: {
      const bool le = charset == Charset::kUtf16le;
      auto unit = [&](size_t i) -> uint32_t {
        return le ? (byte(i + 1) << 8 | byte(i)) : (byte(i) << 8 | byte(i + 1));
      };
      for (size_t i = 0; i < s.size();) {
        if (i + 2 > s.size()) {
          if (!invalid(i)) return r;
          break;
        }
        uint32_t u = unit(i);
        if (u >= 0xD800 && u <= 0xDFFF) {
          // ucs2 has no surrogates at all; utf16 needs a high one followed by a low one.
          if (charset == Charset::kUcs2 || u >= 0xDC00 || i + 4 > s.size() ||
              unit(i + 2) < 0xDC00 || unit(i + 2) > 0xDFFF) {
            if (!invalid(i)) return r;
            i += 2;
            continue;
          }
          append_utf8(r.utf8, 0x10000 + ((u - 0xD800) << 10) + (unit(i + 2) - 0xDC00));
          i += 4;
          continue;
        }
        append_utf8(r.utf8, u);
        i += 2;
      }
      break;
    }
    case Charset::kUtf32:
      for (size_t i = 0; i < s.size();) {
        if (i + 4 > s.size()) {
          if (!invalid(i)) return r;
          break;
        }
        uint32_t cp = static_cast<uint32_t>(byte(i)) << 24 | byte(i + 1) << 16 | byte(i + 2) << 8 |
                      byte(i + 3);
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          if (!invalid(i)) return r;
        } else {
          append_utf8(r.utf8, cp);
        }
        i += 4;
      }
      break;
  }
  return r;
}

}  // namespace siphon::source::binlog
