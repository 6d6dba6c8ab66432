#include "source/postgres/copy_text_row.h"

namespace siphon::source::postgres {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Status parse_copy_text_row(std::string_view line, std::vector<std::optional<std::string>>& fields) {
  fields.clear();
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  std::string field;
  bool is_null = false;
  size_t field_start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == '\t') {
      if (is_null) {
        fields.emplace_back(std::nullopt);
      } else {
        fields.emplace_back(std::move(field));
      }
      field.clear();
      is_null = false;
      field_start = i + 1;
      continue;
    }
    char c = line[i];
    if (c != '\\') {
      field.push_back(c);
      continue;
    }
    if (i + 1 >= line.size()) {
      return make_error(ErrorKind::kFatal, "COPY row ends with a lone backslash");
    }
    char e = line[++i];
    switch (e) {
      case 'N':
        // \N alone is NULL; anywhere else it is a malformed field.
        if (i - 1 != field_start || (i + 1 < line.size() && line[i + 1] != '\t')) {
          return make_error(ErrorKind::kFatal, "COPY row has \\N inside a field");
        }
        is_null = true;
        break;
      case 'b':
        field.push_back('\b');
        break;
      case 'f':
        field.push_back('\f');
        break;
      case 'n':
        field.push_back('\n');
        break;
      case 'r':
        field.push_back('\r');
        break;
      case 't':
        field.push_back('\t');
        break;
      case 'v':
        field.push_back('\v');
        break;
      case 'x': {
        int value = 0, digits = 0;
        while (digits < 2 && i + 1 < line.size() && hex_digit(line[i + 1]) >= 0) {
          value = value * 16 + hex_digit(line[++i]);
          ++digits;
        }
        if (digits == 0) {
          field.push_back('x');
        } else {
          field.push_back(static_cast<char>(value));
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int value = e - '0', digits = 1;
          while (digits < 3 && i + 1 < line.size() && line[i + 1] >= '0' && line[i + 1] <= '7') {
            value = value * 8 + (line[++i] - '0');
            ++digits;
          }
          field.push_back(static_cast<char>(value));
        } else {
          field.push_back(e);  // \\ and any other escaped character stand for themselves
        }
    }
  }
  return ok();
}

}  // namespace siphon::source::postgres
