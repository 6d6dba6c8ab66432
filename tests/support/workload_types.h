#pragma once
// The values the workload deals in: a row, a change, a transaction (see workload.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/workload_log.h"

namespace siphon::testing {

struct WorkloadRow {
  int64_t v = 0;
  std::optional<std::string> note{};

  bool operator==(const WorkloadRow&) const = default;
};

struct WorkloadChange {
  std::string table{};
  int32_t id = 0;
  char op = 'c';                       // 'c', 'u' or 'd'
  std::optional<WorkloadRow> after{};  // the new row for 'c' and 'u'
};

struct WorkloadTransaction {
  // PostgreSQL: pg_current_xact_id() mod 2^32, the xid pgoutput reports. MariaDB: the GTID's seq
  // (0 for a rollback, which has no GTID).
  uint64_t txid = 0;
  uint64_t full_xid = 0;  // PostgreSQL only
  std::vector<WorkloadChange> changes{};
  std::string gtid{};  // MariaDB committed transactions: "domain-server-seq"

  // The log line: a transaction without any identity (a MariaDB rollback) logs its values too.
  LoggedTransaction to_logged() const;
};

}  // namespace siphon::testing
