#include "core/decimal.h"

#include <algorithm>
#include <vector>

namespace siphon {

std::optional<ParsedDecimal> parse_decimal(std::string_view text) {
  ParsedDecimal d;
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    d.negative = text[i] == '-';
    ++i;
  }
  std::string digits;
  int32_t scale = 0;
  bool seen_point = false, seen_digit = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      seen_digit = true;
      if (seen_point) ++scale;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!seen_digit) return {};
  if (i < text.size()) {
    if (text[i] != 'e' && text[i] != 'E') return {};
    ++i;
    bool neg_exp = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) neg_exp = text[i++] == '-';
    if (i == text.size()) return {};
    int64_t exp = 0;
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return {};
      exp = exp * 10 + (text[i] - '0');
      if (exp > 100000) return {};
    }
    scale += static_cast<int32_t>(neg_exp ? exp : -exp);
  }
  size_t nz = digits.find_first_not_of('0');
  d.digits = nz == std::string::npos ? "0" : digits.substr(nz);
  d.scale = scale;
  if (d.scale < 0) {  // 1.5e3: make the scale non-negative by appending zeros
    if (d.digits != "0") d.digits.append(static_cast<size_t>(-d.scale), '0');
    d.scale = 0;
  }
  if (d.digits == "0") d.negative = false;
  return d;
}

ParsedDecimal rescale(const ParsedDecimal& d, int32_t scale) {
  ParsedDecimal r = d;
  if (scale >= d.scale) {
    if (r.digits != "0") r.digits.append(static_cast<size_t>(scale - d.scale), '0');
    r.scale = scale;
    return r;
  }
  size_t drop = static_cast<size_t>(d.scale - scale);
  std::string kept = drop >= d.digits.size() ? "0" : d.digits.substr(0, d.digits.size() - drop);
  char first_dropped = drop > d.digits.size() ? '0' : d.digits[d.digits.size() - drop];
  if (first_dropped >= '5') {  // round half up: add one to the kept magnitude
    int i = static_cast<int>(kept.size()) - 1;
    for (; i >= 0; --i) {
      if (kept[i] == '9') {
        kept[i] = '0';
      } else {
        ++kept[i];
        break;
      }
    }
    if (i < 0) kept.insert(kept.begin(), '1');
  }
  size_t nz = kept.find_first_not_of('0');
  r.digits = nz == std::string::npos ? "0" : kept.substr(nz);
  r.scale = scale;
  if (r.digits == "0") r.negative = false;
  return r;
}

std::string unscaled_bytes(const ParsedDecimal& d) {
  // Magnitude in base 256, little-endian, by repeated multiply-add over the decimal digits.
  std::vector<uint8_t> mag;
  for (char c : d.digits) {
    uint32_t carry = static_cast<uint32_t>(c - '0');
    for (auto& byte : mag) {
      uint32_t v = byte * 10u + carry;
      byte = static_cast<uint8_t>(v & 0xff);
      carry = v >> 8;
    }
    while (carry) {
      mag.push_back(static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  if (mag.empty()) mag.push_back(0);
  if (d.negative) {  // two's complement: invert and add one
    uint32_t carry = 1;
    for (auto& byte : mag) {
      uint32_t v = static_cast<uint8_t>(~byte) + carry;
      byte = static_cast<uint8_t>(v & 0xff);
      carry = v >> 8;
    }
    if (!(mag.back() & 0x80)) mag.push_back(0xff);
    // Drop redundant sign bytes: 0xff followed by a byte with its top bit set.
    while (mag.size() > 1 && mag.back() == 0xff && (mag[mag.size() - 2] & 0x80)) mag.pop_back();
  } else {
    if (mag.back() & 0x80) mag.push_back(0);
    while (mag.size() > 1 && mag.back() == 0 && !(mag[mag.size() - 2] & 0x80)) mag.pop_back();
  }
  std::string out(mag.size(), '\0');
  std::reverse_copy(mag.begin(), mag.end(), out.begin());
  return out;
}

}  // namespace siphon
