#include "source/binlog/binlog_default_value.h"

#include <algorithm>
#include <cctype>

#include "source/binlog/snapshot_text_value.h"

namespace siphon::source::binlog {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// 'it''s' -> it's; nullopt when `text` is not one quoted literal.
std::optional<std::string> unquote(const std::string& text) {
  if (text.size() < 2 || text.front() != '\'' || text.back() != '\'') return std::nullopt;
  std::string out;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    char c = text[i];
    if (c == '\'') {
      if (i + 2 < text.size() && text[i + 1] == '\'') {
        out.push_back('\'');
        ++i;
        continue;
      }
      return std::nullopt;  // a quote ends the literal early: an expression
    }
    if (c == '\\' && i + 2 < text.size()) {
      char next = text[++i];
      out.push_back(next == 'n' ? '\n' : next == 't' ? '\t' : next == '0' ? '\0' : next);
      continue;
    }
    out.push_back(c);
  }
  return out;
}

bool is_temporal(const ColumnDescriptor& c) {
  switch (c.real_type) {
    case kTypeDateTime:
    case kTypeDateTime2:
    case kTypeTimestamp:
    case kTypeTimestamp2:
      return true;
    default:
      return false;
  }
}

// b'101' -> 5
std::optional<std::string> bit_literal(const std::string& text) {
  if (text.size() < 3 || (text[0] != 'b' && text[0] != 'B') || text[1] != '\'' ||
      text.back() != '\'') {
    return std::nullopt;
  }
  uint64_t bits = 0;
  for (size_t i = 2; i + 1 < text.size(); ++i) {
    if (text[i] != '0' && text[i] != '1') return std::nullopt;
    bits = bits << 1 | static_cast<uint64_t>(text[i] - '0');
  }
  return std::to_string(bits);
}

}  // namespace

std::optional<Value> binlog_default_value(const BinlogValueConverter& converter,
                                          const ColumnDescriptor& column,
                                          const std::string& expression) {
  const std::string folded = lower(expression);
  if (folded == "null") return std::nullopt;
  if (folded.starts_with("current_timestamp") || folded.starts_with("now(") ||
      folded.starts_with("localtimestamp")) {
    if (!is_temporal(column)) return std::nullopt;
    // Debezium declares the epoch for a default evaluated at insert time.
    ColumnValue epoch;
    epoch.kind = column.real_type == kTypeTimestamp || column.real_type == kTypeTimestamp2
                     ? ColumnValue::Kind::kTimestamp
                     : ColumnValue::Kind::kDateTime;
    epoch.temporal = Temporal{false, 1970, 1, 1, 0, 0, 0, 0};
    auto v = converter.convert(column, epoch);
    return v ? std::optional<Value>(*v) : std::nullopt;
  }
  std::string text;
  if (auto literal = unquote(expression)) {
    text = std::move(*literal);
  } else if (auto bits = bit_literal(expression)) {
    text = std::move(*bits);
  } else if (!expression.empty() && (std::isdigit(static_cast<unsigned char>(expression[0])) ||
                                     expression[0] == '-' || expression[0] == '.')) {
    text = expression;  // a number
  } else {
    return std::nullopt;  // a function or an expression: evaluated per row
  }
  // ENUM and SET defaults are labels; the text reader takes their index and bitmask.
  if (column.real_type == kTypeEnum) {
    // '' (not a label) is index 0.
    auto it = std::find(column.enum_values.begin(), column.enum_values.end(), text);
    if (it == column.enum_values.end() && !text.empty()) return std::nullopt;
    const auto index = it == column.enum_values.end() ? 0 : it - column.enum_values.begin() + 1;
    text = std::to_string(index);
  } else if (column.real_type == kTypeSet) {
    uint64_t mask = 0;
    size_t start = 0;
    while (!text.empty() && start <= text.size()) {
      size_t comma = text.find(',', start);
      std::string label = text.substr(start, comma == std::string::npos ? comma : comma - start);
      auto it = std::find(column.set_values.begin(), column.set_values.end(), label);
      if (it == column.set_values.end()) return std::nullopt;
      mask |= uint64_t{1} << (it - column.set_values.begin());
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    text = std::to_string(mask);
  } else if (column.real_type == kTypeBit && unquote(expression)) {
    // A quoted BIT default is the bytes of the value, big-endian.
    uint64_t bits = 0;
    for (unsigned char c : text) bits = bits << 8 | c;
    text = std::to_string(bits);
  }
  // information_schema's text is UTF-8, whatever the column's charset.
  ColumnDescriptor as_read = column;
  if (as_read.collation && *as_read.collation != 63) as_read.collation = 45;  // utf8mb4
  auto raw = column_value_from_text(as_read, text);
  if (!raw) return std::nullopt;
  auto value = converter.convert(as_read, *raw);
  if (!value || value->is_null()) return std::nullopt;
  return *value;
}

}  // namespace siphon::source::binlog
