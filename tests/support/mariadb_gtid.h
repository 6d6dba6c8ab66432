#pragma once
// MariaDB GTIDs as the workload and the checker read them: "domain-server-seq" ("0-1-57"), and
// GTID positions, one GTID per domain ("0-1-57,1-2-9"), as @@gtid_binlog_pos and the `gtids`
// offset key hold them. Kept apart from Siphon's own parser so the oracle does not share its
// bugs.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace siphon::testing {

struct MariaDbGtid {
  uint32_t domain = 0;
  uint32_t server = 0;
  uint64_t seq = 0;

  // nullopt unless `text` is exactly three decimal numbers joined by '-'.
  static std::optional<MariaDbGtid> parse(std::string_view text);
  std::string to_string() const;
  bool operator==(const MariaDbGtid&) const = default;
};

// A GTID position: domain -> its last GTID. "" is the empty position; nullopt when malformed
// or when a domain appears twice.
std::optional<std::map<uint32_t, MariaDbGtid>> parse_gtid_position(std::string_view text);

}  // namespace siphon::testing
