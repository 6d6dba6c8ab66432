#include "support/mariadb_gtid.h"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace siphon::testing {
namespace {

template <typename T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<MariaDbGtid> MariaDbGtid::parse(std::string_view text) {
  size_t first = text.find('-');
  size_t second = first == std::string_view::npos ? first : text.find('-', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  MariaDbGtid gtid;
  if (!parse_number(text.substr(0, first), gtid.domain) ||
      !parse_number(text.substr(first + 1, second - first - 1), gtid.server) ||
      !parse_number(text.substr(second + 1), gtid.seq)) {
    return std::nullopt;
  }
  return gtid;
}

std::string MariaDbGtid::to_string() const {
  return fmt::format("{}-{}-{}", domain, server, seq);
}

std::optional<std::map<uint32_t, MariaDbGtid>> parse_gtid_position(std::string_view text) {
  std::map<uint32_t, MariaDbGtid> position;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    // @@gtid_binlog_pos may put a newline after each comma.
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) {
      item.remove_prefix(1);
    }
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) {
      item.remove_suffix(1);
    }
    std::optional<MariaDbGtid> gtid = MariaDbGtid::parse(item);
    if (!gtid || !position.emplace(gtid->domain, *gtid).second) return std::nullopt;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return position;
}

}  // namespace siphon::testing
