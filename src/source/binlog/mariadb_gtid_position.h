#pragma once
// A MariaDB GTID position: the last GTID applied in each replication domain, as MariaDB prints
// it in @@gtid_binlog_pos and accepts in @slave_connect_state ("0-1-19,1-2-5": domain, server
// id, sequence number). It is what the `gtids` offset key holds for MariaDB
// (spec/debezium-compat.md §6.2, §7.3): the dump resumes after it. Unlike a MySQL GTID set
// there are no intervals: a newer GTID of a domain replaces the domain's entry.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/error.h"

namespace siphon::source::binlog {

struct MariaDbGtid {
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t sequence = 0;

  bool operator==(const MariaDbGtid&) const = default;

  // "domain-server": what gtid.source.includes/excludes match, as Debezium's MariaDB connector
  // does (its GTID stream id; the sequence number is not part of it).
  std::string source() const;
};

class MariaDbGtidPosition {
 public:
  MariaDbGtidPosition() = default;

  // "D-S-N[,D-S-N...]", spaces around entries allowed, empty = no GTID yet. A domain given
  // twice, a missing part or a number out of range is a kConfig error quoting the text.
  static Result<MariaDbGtidPosition> parse(std::string_view text);

  // Records a transaction's GTID: it becomes the domain's entry.
  void advance(const MariaDbGtid& gtid) { domains_[gtid.domain_id] = gtid; }

  // Drops the domains whose entry `keep` refuses (gtid.source.includes/excludes).
  void retain(const std::function<bool(const MariaDbGtid&)>& keep);

  bool empty() const { return domains_.empty(); }
  // The domains in ascending order, so equal positions print equally.
  std::string to_string() const;
  const std::map<uint32_t, MariaDbGtid>& domains() const { return domains_; }

  bool operator==(const MariaDbGtidPosition&) const = default;

 private:
  std::map<uint32_t, MariaDbGtid> domains_;
};

}  // namespace siphon::source::binlog
