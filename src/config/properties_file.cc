#include "config/properties_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <unordered_map>

namespace siphon::config {
namespace {

// java.util.Properties treats only these as whitespace, not \v or Unicode spaces.
bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\f';
}

// Splits `text` into physical lines at \n, \r or \r\n, as Java's line reader does.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  int line_number() const { return line_number_; }

  std::string_view next() {
    size_t end = text_.find_first_of("\r\n", pos_);
    if (end == std::string_view::npos) end = text_.size();
    std::string_view line = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    if (end < text_.size() && text_[end] == '\r' && pos_ < text_.size() && text_[pos_] == '\n') {
      ++pos_;
    }
    ++line_number_;
    return line;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_number_ = 0;
};

// A logical line with its escapes still in place; the physical line of every character is kept
// so that errors in continued lines point at the right line.
struct LogicalLine {
  std::string text;
  std::vector<int> line_of;
};

std::string_view skip_blanks(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && is_blank(s[i])) ++i;
  return s.substr(i);
}

bool ends_in_continuation(std::string_view s) {
  size_t backslashes = 0;
  for (size_t i = s.size(); i > 0 && s[i - 1] == '\\'; --i) ++backslashes;
  return backslashes % 2 == 1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The UTF-16 code unit of the "\uXXXX" starting at `i` (pointing at the backslash).
std::optional<uint32_t> read_u_escape(std::string_view s, size_t i) {
  if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return std::nullopt;
  uint32_t unit = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    int h = hex_value(s[k]);
    if (h < 0) return std::nullopt;
    unit = unit * 16 + static_cast<uint32_t>(h);
  }
  return unit;
}

// Resolves escapes in line.text[begin, end).
Result<std::string> unescape(const LogicalLine& line, size_t begin, size_t end) {
  std::string_view s = std::string_view(line.text).substr(0, end);
  std::string out;
  out.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    char c = s[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= end) break;  // cannot happen: an odd trailing backslash is a continuation
    char e = s[i + 1];
    switch (e) {
      case 't':
        out.push_back('\t');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'u': {
        std::optional<uint32_t> unit = read_u_escape(s, i);
        if (!unit) {
          return make_error(ErrorKind::kConfig, "line {}: malformed \\uXXXX escape",
                            line.line_of[i]);
        }
        uint32_t cp = *unit;
        size_t consumed = 6;
        // UTF-16 surrogate pairs arrive as two escapes; UTF-8 needs the combined code point.
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::optional<uint32_t> low = read_u_escape(s, i + 6);
          if (!low || *low < 0xDC00 || *low > 0xDFFF) {
            return make_error(ErrorKind::kConfig,
                              "line {}: \\u escape of a high surrogate not followed by a low one",
                              line.line_of[i]);
          }
          cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
          consumed = 12;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return make_error(ErrorKind::kConfig,
                            "line {}: \\u escape of a low surrogate without a high one",
                            line.line_of[i]);
        }
        append_utf8(out, cp);
        i += consumed - 1;
        continue;
      }
      default:  // \\ \= \: \# \! \<space>: any other escaped character stands for itself
        out.push_back(e);
        break;
    }
    ++i;
  }
  return out;
}

// Splits a logical line into key and value the way java.util.Properties does: the key ends at
// the first unescaped '=', ':' or blank; blanks and at most one '='/':' follow before the value.
Result<std::pair<std::string, std::string>> split_line(const LogicalLine& line) {
  std::string_view s = line.text;
  size_t key_end = 0;
  bool has_separator = false;
  while (key_end < s.size()) {
    char c = s[key_end];
    if (c == '\\') {
      key_end += 2;
      continue;
    }
    if (c == '=' || c == ':') {
      has_separator = true;
      break;
    }
    if (is_blank(c)) break;
    ++key_end;
  }
  key_end = std::min(key_end, s.size());
  size_t value_begin = key_end;
  if (has_separator) ++value_begin;
  while (value_begin < s.size()) {
    char c = s[value_begin];
    if (is_blank(c)) {
      ++value_begin;
    } else if (!has_separator && (c == '=' || c == ':')) {
      has_separator = true;
      ++value_begin;
    } else {
      break;
    }
  }
  auto key = unescape(line, 0, key_end);
  if (!key) return tl::unexpected(key.error());
  auto value = unescape(line, value_begin, s.size());
  if (!value) return tl::unexpected(value.error());
  return std::pair{std::move(*key), std::move(*value)};
}

}  // namespace

Result<Properties> parse_properties(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // editors on Windows add a BOM

  Properties result;
  std::unordered_map<std::string, size_t> index;
  LineReader reader(text);
  while (!reader.done()) {
    std::string_view physical = skip_blanks(reader.next());
    // Only the first line of a logical line can be a comment or blank; continuation lines that
    // start with '#' are part of the value, as in Java.
    if (physical.empty() || physical[0] == '#' || physical[0] == '!') continue;

    LogicalLine line;
    while (true) {
      bool continued = ends_in_continuation(physical);
      if (continued) physical.remove_suffix(1);
      line.text.append(physical);
      line.line_of.insert(line.line_of.end(), physical.size(), reader.line_number());
      if (!continued || reader.done()) break;
      physical = skip_blanks(reader.next());
    }

    auto kv = split_line(line);
    if (!kv) return tl::unexpected(kv.error());
    auto [it, inserted] = index.emplace(kv->first, result.size());
    if (inserted) {
      result.push_back(std::move(*kv));
    } else {
      result[it->second].second = std::move(kv->second);  // the last occurrence wins
    }
  }
  return result;
}

Result<Properties> read_properties_file(const std::string& path) {
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    return make_error(ErrorKind::kConfig, "cannot open configuration file '{}': {}", path,
                      std::strerror(errno));
  }
  std::string content;
  char buffer[8192];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) content.append(buffer, n);
  if (std::ferror(file.get())) {
    return make_error(ErrorKind::kConfig, "cannot read configuration file '{}': {}", path,
                      std::strerror(errno));
  }
  auto props = parse_properties(content);
  if (!props) return make_error(ErrorKind::kConfig, "{}: {}", path, props.error().message);
  return props;
}

}  // namespace siphon::config
