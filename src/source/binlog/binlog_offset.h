#pragma once
// The MySQL / MariaDB offset map with Debezium's keys (spec/debezium-compat.md §6.2), so a
// stored Debezium offset and Siphon's read each other:
//   file, pos   where to restart: the start of the transaction in progress (or the next one)
//   gtids       the GTID position completed before that transaction (MariaDB "D-S-N,...")
//   event, row  events after `pos` and rows of the current rows event already delivered
//   ts_sec, server_id   the last event's time and origin server (server_id omitted when 0)
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "source/binlog/mariadb_gtid_position.h"

namespace siphon::source::binlog {

struct BinlogOffset {
  std::string file;
  uint64_t pos = 0;
  std::optional<MariaDbGtidPosition> gtids;
  uint64_t event = 0;
  uint64_t row = 0;
  uint64_t ts_sec = 0;
  uint32_t server_id = 0;

  // Reads a stored offset map. Numbers may be JSON numbers or decimal strings (Kafka Connect
  // offsets written by other tools carry both). A map without `file` and without `gtids`, or a
  // malformed value, is a kConfig error naming the key.
  static Result<BinlogOffset> from_json(const nlohmann::json& offset);
  nlohmann::json to_json() const;

  bool operator==(const BinlogOffset&) const = default;
};

}  // namespace siphon::source::binlog
