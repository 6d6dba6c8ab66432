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
// Kill marks: one JSON object per line, written by a crash test at each SIGKILL of Siphon:
//   {"lsn_proc":N,"partial_txid":X|null,"partial_events":K|null,"sink_lines":{"<file>":lines}}
// A duplicate at (0-based) line L of file F is judged by the last mark with sink_lines[F] <= L,
// i.e. the kill right before the line was written: it is allowed iff the first copy's
// sequence[0] (lsn_commit; null = 0) >= lsn_proc and, for the transaction named partial_txid,
// its transaction.total_order > partial_events. Without such a mark it is a violation.
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
