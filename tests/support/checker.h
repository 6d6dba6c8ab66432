#pragma once
// The crash-test oracle: compares the file sink's output with the workload's logs (and,
// optionally, the source tables) and reports missing, phantom, duplicated and reordered changes.
//
// Sink directory: one file per topic, "<topic>.jsonl", one record per line
//   {"key":K,"value":V[,"headers":{...}]}
// where K and V are the Kafka record's JSON (with schemas: {"schema":..,"payload":..}; without:
// the payload), V null for a tombstone. Records whose payload has no "op" are not changes
// (transaction metadata, heartbeats). 'r' (snapshot) and 't' (truncate) events only feed the
// final state: the workload log has no such changes.
//
// MySQL/MariaDB records (source.connector "mysql" or "mariadb") name their table "db.table"
// (source.db, source.table), their transaction by source.gtid ("0-1-57", as the workload logs
// it) and their place in the binlog by (source.file, source.pos, source.row); binlog file names
// sort lexically. A binlog change without gtid, file, pos and row is malformed.
//
// Kill marks: one JSON object per line, written by a crash test at each SIGKILL of Siphon
// (kill_mark() builds them from the stored offset). PostgreSQL:
//   {"lsn_proc":N,"partial_txid":X|null,"partial_events":K|null,"sink_lines":{"<file>":lines}}
// Binlog sources (the offset's Debezium keys; events_done and partial_tx are Siphon's
// siphon.tx_events_done and siphon.tx_id, the GTID of the transaction in progress):
//   {"gtids":"0-1-57,1-2-9"|null,"file":"binlog.000002"|null,"pos":P,"event":E,"row":R,
//    "events_done":K|null,"partial_tx":"0-1-58"|null,"sink_lines":{...}}
// A duplicate at (0-based) line L of file F is judged by the last mark with sink_lines[F] <= L,
// i.e. the kill right before the line was written. Without such a mark it is a violation.
// PostgreSQL: it is allowed iff the first copy's sequence[0] (lsn_commit; null = 0) >= lsn_proc
// and, for the transaction named partial_txid, its transaction.total_order > partial_events.
// Binlog: it is a violation iff its transaction's GTID is at or before the mark's gtids in its
// domain (same domain, seq <= stored seq; with no or empty gtids, or for a MySQL GTID: its
// (file, pos) is before the mark's file/pos), or it is among the first events_done records (in
// binlog order) of the transaction in progress: partial_tx, or without it the one whose first
// record is the first at or after the mark's file/pos. A mark without any stored offset allows
// every copy. event/row are kept in the mark for people but not judged.
//
// Rolled-back transactions: a phantom is counted as "from a rolled-back transaction" when its
// transaction identity is a logged rollback's, or, for rollbacks logged without one (MariaDB),
// when its table, key, op and values (v, note) are a logged rollback change's.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/check_report.h"

namespace siphon::testing {

// One kill-mark line: what the killed Siphon had stored (its offset map, nullopt if none) and
// how many records each sink file ("<topic>.jsonl" -> count) held when it died.
nlohmann::json kill_mark(const std::optional<nlohmann::json>& stored_offset,
                         nlohmann::json sink_lines);

struct CheckInputs {
  std::filesystem::path sink_dir{};
  std::filesystem::path committed_log{};
  std::filesystem::path rolled_back_log{};  // optional
  std::filesystem::path kill_marks{};       // optional
  std::string conninfo{};                   // optional: compare the final state with the source
  std::string prefix = "pg";                // read "<prefix>.*.jsonl" ("" = every *.jsonl)
  // Checked in addition to the tables the logs name (a table with no logged change at all).
  std::vector<std::string> extra_tables{};
  // Optional, without conninfo: compare the final state with a MariaDB/MySQL source (as root,
  // no password), reading `SELECT id, v, note` of each "db.table".
  std::string mariadb_host = "127.0.0.1";
  int mariadb_port = 0;
};

class Checker {
 public:
  explicit Checker(CheckInputs inputs) : inputs_(std::move(inputs)) {}

  // Throws std::runtime_error when an input cannot be read (a missing log, an unreachable
  // source); findings in the data are reported, not thrown.
  CheckReport run() const;

 private:
  CheckInputs inputs_;
};

inline CheckReport check(const CheckInputs& inputs) {
  return Checker(inputs).run();
}

}  // namespace siphon::testing
