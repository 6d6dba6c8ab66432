#include "source/binlog/mariadb_gtid_position.h"

#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace siphon::source::binlog {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

// A whole decimal number no larger than `max`.
bool parse_number(std::string_view text, uint64_t max, uint64_t& out) {
  if (text.empty()) {
    return false;
  }
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && out <= max;
}

}  // namespace

Result<MariaDbGtidPosition> MariaDbGtidPosition::parse(std::string_view text) {
  MariaDbGtidPosition position;
  std::string_view rest = text;
  while (!trim(rest).empty()) {
    const size_t comma = rest.find(',');
    const std::string_view entry = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t first = entry.find('-');
    const size_t second = first == std::string_view::npos ? first : entry.find('-', first + 1);
    uint64_t domain = 0;
    uint64_t server = 0;
    uint64_t sequence = 0;
    constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
    if (second == std::string_view::npos || !parse_number(entry.substr(0, first), kMax32, domain) ||
        !parse_number(entry.substr(first + 1, second - first - 1), kMax32, server) ||
        !parse_number(entry.substr(second + 1), std::numeric_limits<uint64_t>::max(), sequence)) {
      return make_error(ErrorKind::kConfig,
                        "'{}' is not a MariaDB GTID position: '{}' is not domain-server-sequence",
                        text, entry);
    }
    const auto [it, inserted] = position.domains_.emplace(
        static_cast<uint32_t>(domain),
        MariaDbGtid{static_cast<uint32_t>(domain), static_cast<uint32_t>(server), sequence});
    if (!inserted) {
      return make_error(ErrorKind::kConfig,
                        "'{}' is not a MariaDB GTID position: domain {} appears twice", text,
                        domain);
    }
    if (comma != std::string_view::npos && trim(rest).empty()) {
      return make_error(ErrorKind::kConfig,
                        "'{}' is not a MariaDB GTID position: it ends with a comma", text);
    }
  }
  return position;
}

std::string MariaDbGtid::source() const {
  return fmt::format("{}-{}", domain_id, server_id);
}

void MariaDbGtidPosition::retain(const std::function<bool(const MariaDbGtid&)>& keep) {
  std::erase_if(domains_, [&](const auto& entry) { return !keep(entry.second); });
}

std::string MariaDbGtidPosition::to_string() const {
  std::string out;
  for (const auto& [domain, gtid] : domains_) {
    if (!out.empty()) {
      out += ',';
    }
    out += fmt::format("{}-{}-{}", gtid.domain_id, gtid.server_id, gtid.sequence);
  }
  return out;
}

}  // namespace siphon::source::binlog
