#include "source/binlog/mysql_json.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "source/binlog/row_decoder.h"

namespace siphon::source::binlog {
namespace {

constexpr int kMaxDepth = 100;  // MySQL's own JSON nesting limit

enum : uint8_t {
  kSmallObject = 0x00,
  kLargeObject = 0x01,
  kSmallArray = 0x02,
  kLargeArray = 0x03,
  kLiteral = 0x04,
  kInt16 = 0x05,
  kUint16 = 0x06,
  kInt32 = 0x07,
  kUint32 = 0x08,
  kInt64 = 0x09,
  kUint64 = 0x0a,
  kDouble = 0x0b,
  kString = 0x0c,
  kOpaque = 0x0f,
};

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

class Renderer {
 public:
  explicit Renderer(std::string_view doc) : doc_(doc) {}

  bool render(uint8_t type, size_t offset, size_t end, int depth) {
    if (depth > kMaxDepth) return fail(offset, "nesting deeper than 100");
    // Entries may point at shared or overlapping values; real documents never render to more
    // than a small multiple of their size, so a blow-up is corruption, not data.
    if (out.size() > 32 * doc_.size() + 4096) return fail(offset, "renders far beyond its size");
    switch (type) {
      case kSmallObject:
      case kLargeObject:
        return container(offset, end, type == kLargeObject, true, depth);
      case kSmallArray:
      case kLargeArray:
        return container(offset, end, type == kLargeArray, false, depth);
      case kLiteral: {
        if (offset >= end) return fail(offset, "literal is cut");
        return literal(static_cast<uint8_t>(doc_[offset]), offset);
      }
      case kInt16:
        return number(offset, end, 2, true);
      case kUint16:
        return number(offset, end, 2, false);
      case kInt32:
        return number(offset, end, 4, true);
      case kUint32:
        return number(offset, end, 4, false);
      case kInt64:
        return number(offset, end, 8, true);
      case kUint64:
        return number(offset, end, 8, false);
      case kDouble: {
        uint64_t bits;
        if (!le(offset, end, 8, bits)) return false;
        double d;
        std::memcpy(&d, &bits, sizeof d);
        append_double(d);
        return true;
      }
      case kString: {
        size_t len = 0;
        if (!varlen(offset, end, len)) return false;
        if (len > end - offset) return fail(offset, "string is cut");
        quote(doc_.substr(offset, len));
        return true;
      }
      case kOpaque:
        return opaque(offset, end);
      default:
        return fail(offset, "unknown value type " + std::to_string(type));
    }
  }

  std::string out;
  std::string error;

 private:
  bool fail(size_t offset, const std::string& what) {
    if (error.empty()) error = "binary JSON: " + what + " at offset " + std::to_string(offset);
    return false;
  }

  bool le(size_t& offset, size_t end, size_t n, uint64_t& v) {
    if (offset > end || end - offset < n) return fail(offset, "value is cut");
    v = 0;
    for (size_t i = n; i > 0; --i) v = (v << 8) | static_cast<uint8_t>(doc_[offset + i - 1]);
    offset += n;
    return true;
  }

  bool varlen(size_t& offset, size_t end, size_t& len) {
    len = 0;
    for (int i = 0; i < 5; ++i) {
      if (offset >= end) return fail(offset, "length is cut");
      uint8_t b = static_cast<uint8_t>(doc_[offset++]);
      len |= static_cast<size_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) return true;
    }
    return fail(offset, "length longer than 5 bytes");
  }

  bool literal(uint8_t v, size_t offset) {
    switch (v) {
      case 0:
        out += "null";
        return true;
      case 1:
        out += "true";
        return true;
      case 2:
        out += "false";
        return true;
      default:
        return fail(offset, "unknown literal " + std::to_string(v));
    }
  }

  bool number(size_t offset, size_t end, size_t n, bool is_signed) {
    uint64_t v;
    if (!le(offset, end, n, v)) return false;
    if (is_signed) {
      const unsigned shift = static_cast<unsigned>(64 - 8 * n);
      out += std::to_string(static_cast<int64_t>(v << shift) >> shift);
    } else {
      out += std::to_string(v);
    }
    return true;
  }

  // Shortest round-trip digits; fixed notation for decimal exponents -14..15 with ".0" on
  // integral values, otherwise 1.5e-5 / 1e16 (spec/binlog.md §6.3).
  void append_double(double d) {
    if (!std::isfinite(d)) {
      out += "null";
      return;
    }
    char sci[64];
    auto r = std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific);
    std::string s(sci, r.ptr);
    size_t e = s.find('e');
    int exponent = std::stoi(s.substr(e + 1));
    std::string mantissa = s.substr(0, e);
    bool negative = mantissa[0] == '-';
    if (negative) mantissa.erase(0, 1);
    std::string digits;
    for (char c : mantissa) {
      if (c != '.') digits += c;
    }
    if (exponent >= -14 && exponent <= 15 + (digits.size() >= 17 ? 1 : 0)) {
      char fixed[400];
      auto f = std::to_chars(fixed, fixed + sizeof fixed, d, std::chars_format::fixed);
      std::string t(fixed, f.ptr);
      if (t.find('.') == std::string::npos) t += ".0";
      out += t;
      return;
    }
    if (negative) out += '-';
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += "e" + std::to_string(exponent);
  }

  void quote(std::string_view s) {
    out += '"';
    for (char ch : s) {
      switch (ch) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (static_cast<uint8_t>(ch) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(ch));
            out += buf;
          } else {
            out += ch;
          }
      }
    }
    out += '"';
  }

  bool container(size_t offset, size_t end, bool large, bool object, int depth) {
    const size_t w = large ? 4 : 2;
    const size_t base = offset;
    uint64_t count, size;
    if (!le(offset, end, w, count) || !le(offset, end, w, size)) return false;
    if (size > end - base) return fail(base, "container size exceeds its space");
    const size_t limit = base + size;
    const size_t key_entry = w + 2;
    const size_t value_entry = 1 + w;
    if (count > size / (object ? key_entry + value_entry : value_entry)) {
      return fail(base, "container count exceeds its size");
    }
    out += object ? '{' : '[';
    for (uint64_t i = 0; i < count; ++i) {
      if (i > 0) out += ", ";
      if (object) {
        size_t k = base + 2 * w + i * key_entry;
        uint64_t key_offset, key_len;
        if (!le(k, limit, w, key_offset) || !le(k, limit, 2, key_len)) return false;
        if (key_offset > size || key_len > size - key_offset)
          return fail(k, "key is out of bounds");
        quote(doc_.substr(base + key_offset, key_len));
        out += ": ";
      }
      size_t v = base + 2 * w + (object ? count * key_entry : 0) + i * value_entry;
      if (v >= limit) return fail(v, "value entry is out of bounds");
      uint8_t type = static_cast<uint8_t>(doc_[v]);
      ++v;
      // Small scalars are inlined in the entry.
      bool inlined = type == kLiteral || type == kInt16 || type == kUint16 ||
                     (large && (type == kInt32 || type == kUint32));
      if (inlined) {
        if (!render(type, v, limit, depth + 1)) return false;
        continue;
      }
      uint64_t value_offset;
      if (!le(v, limit, w, value_offset)) return false;
      if (value_offset >= size) return fail(v, "value offset is out of bounds");
      if (!render(type, base + value_offset, limit, depth + 1)) return false;
    }
    out += object ? '}' : ']';
    return true;
  }

  bool opaque(size_t offset, size_t end) {
    if (offset >= end) return fail(offset, "opaque value is cut");
    uint8_t field_type = static_cast<uint8_t>(doc_[offset++]);
    size_t len = 0;
    if (!varlen(offset, end, len)) return false;
    if (len > end - offset) return fail(offset, "opaque value is cut");
    std::string_view data = doc_.substr(offset, len);
    char buf[64];
    switch (field_type) {
      case kTypeNewDecimal: {
        if (data.size() < 2) return fail(offset, "decimal is cut");
        int precision = static_cast<uint8_t>(data[0]), scale = static_cast<uint8_t>(data[1]);
        auto text = decode_decimal(data.substr(2), precision, scale);
        if (!text) return fail(offset, "decimal is invalid");
        out += *text;
        return true;
      }
      case kTypeDate:
      case kTypeDateTime:
      case kTypeTimestamp:
      case kTypeTime: {
        if (data.size() < 8) return fail(offset, "temporal is cut");
        uint64_t raw = 0;
        for (size_t i = 8; i > 0; --i) raw = (raw << 8) | static_cast<uint8_t>(data[i - 1]);
        int64_t packed = static_cast<int64_t>(raw);
        bool negative = packed < 0;
        uint64_t a = negative ? 0 - raw : raw;
        uint64_t micros = a & 0xffffff;
        uint64_t ip = a >> 24;
        if (field_type == kTypeTime) {
          uint64_t hms = ip;
          std::snprintf(buf, sizeof buf, "\"%s%02u:%02u:%02u.%06u\"", negative ? "-" : "",
                        static_cast<unsigned>((hms >> 12) % 1024),
                        static_cast<unsigned>((hms >> 6) & 63), static_cast<unsigned>(hms & 63),
                        static_cast<unsigned>(micros));
          out += buf;
          return true;
        }
        uint64_t ymd = ip >> 17, ym = ymd >> 5, hms = ip & 0x1ffff;
        if (field_type == kTypeDate) {
          std::snprintf(buf, sizeof buf, "\"%04u-%02u-%02u\"",
                        static_cast<unsigned>(ym / 13 % 10000), static_cast<unsigned>(ym % 13),
                        static_cast<unsigned>(ymd & 31));
        } else {
          std::snprintf(buf, sizeof buf, "\"%04u-%02u-%02u %02u:%02u:%02u.%06u\"",
                        static_cast<unsigned>(ym / 13 % 10000), static_cast<unsigned>(ym % 13),
                        static_cast<unsigned>(ymd & 31), static_cast<unsigned>(hms >> 12),
                        static_cast<unsigned>((hms >> 6) & 63), static_cast<unsigned>(hms & 63),
                        static_cast<unsigned>(micros));
        }
        out += buf;
        return true;
      }
      default: {
        out += "\"base64:type" + std::to_string(field_type) + ":";
        for (size_t i = 0; i < data.size(); i += 3) {
          uint32_t n = static_cast<uint8_t>(data[i]) << 16;
          if (i + 1 < data.size()) n |= static_cast<uint8_t>(data[i + 1]) << 8;
          if (i + 2 < data.size()) n |= static_cast<uint8_t>(data[i + 2]);
          out += kBase64[(n >> 18) & 63];
          out += kBase64[(n >> 12) & 63];
          out += i + 1 < data.size() ? kBase64[(n >> 6) & 63] : '=';
          out += i + 2 < data.size() ? kBase64[n & 63] : '=';
        }
        out += '"';
        return true;
      }
    }
  }

  std::string_view doc_;
};

}  // namespace

Result<std::string> mysql_json_to_text(std::string_view document) {
  if (document.empty()) return std::string("null");
  Renderer r(document);
  if (!r.render(static_cast<uint8_t>(document[0]), 1, document.size(), 0)) {
    return make_error(ErrorKind::kFatal, "{}", r.error);
  }
  return std::move(r.out);
}

}  // namespace siphon::source::binlog
