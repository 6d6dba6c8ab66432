#include "format/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

namespace siphon::format {
namespace {

// Jackson writes \u escapes with upper-case hex digits.
constexpr char kHex[] = "0123456789ABCDEF";

// Rewrites the shortest scientific form from std::to_chars ("d.ddde±x") the way Java prints it:
// plain decimal for 1e-3 <= |v| < 1e7, otherwise "d.dddE-x", always with a fractional digit.
template <typename T>
std::string java_style(T v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, res.ptr - buf);
  std::string out;
  if (sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  auto e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::string_view exp_text = sci.substr(e + 1);
  if (exp_text.front() == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (digits.size() == 1) {
    // Java prints at least two significant digits and, among two-digit decimals that read back
    // as the same value, the closest: Double.MIN_VALUE is "4.9E-324", not "5.0E-324".
    char two[64];
    auto r2 = std::to_chars(two, two + sizeof two, v, std::chars_format::scientific, 1);
    std::string_view t(two, r2.ptr - two);
    if (t.front() == '-') t.remove_prefix(1);
    T back{};
    std::string full(two, r2.ptr - two);
    std::from_chars(full.data(), full.data() + full.size(), back);
    if (back == v && t.size() > 3 && t[2] != '0') {
      digits = std::string{t[0], t[2]};
      std::string_view e2 = t.substr(t.find('e') + 1);
      if (e2.front() == '+') e2.remove_prefix(1);
      std::from_chars(e2.data(), e2.data() + e2.size(), exponent);
    }
  }

  if (exponent >= -3 && exponent < 7) {
    if (exponent < 0) {
      out += "0.";
      out.append(static_cast<size_t>(-exponent - 1), '0');
      out += digits;
    } else {
      size_t int_len = static_cast<size_t>(exponent) + 1;
      if (digits.size() <= int_len) {
        out += digits;
        out.append(int_len - digits.size(), '0');
        out += ".0";
      } else {
        out += digits.substr(0, int_len);
        out += '.';
        out += digits.substr(int_len);
      }
    }
  } else {
    out += digits[0];
    out += '.';
    out += digits.size() > 1 ? digits.substr(1) : "0";
    out += 'E';
    out += std::to_string(exponent);
  }
  return out;
}

template <typename T>
void append_java(std::string& out, T v) {
  std::string s = java_style(v);
  if (std::isnan(v) || std::isinf(v)) {
    out += '"';
    out += s;
    out += '"';
  } else {
    out += s;
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  size_t run_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
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
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(text.data() + run_start, text.size() - run_start);
  out += '"';
}

void append_base64(std::string& out, std::string_view bytes, bool url_safe, bool pad) {
  static constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char* alphabet = url_safe ? kUrl : kStd;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  out.reserve(out.size() + (n + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (i < n) {
    uint32_t v = p[i] << 16;
    if (i + 1 < n) v |= p[i + 1] << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (i + 1 < n) {
      out += alphabet[(v >> 6) & 63];
    } else if (pad) {
      out += '=';
    }
    if (pad) out += '=';
  }
}

void append_int(std::string& out, int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr - buf);
}

void append_java_double(std::string& out, double v) {
  append_java(out, v);
}
void append_java_float(std::string& out, float v) {
  append_java(out, v);
}
std::string java_double_string(double v) {
  return java_style(v);
}
std::string java_float_string(float v) {
  return java_style(v);
}

}  // namespace siphon::format
