#include "support/check_report.h"

#include <fmt/format.h>

namespace siphon::testing {

bool CheckReport::ok(bool allow_duplicates_after_offsets) const {
  return malformed == 0 && missing == 0 && phantom == 0 && reordered_changes == 0 &&
         duplicates_violation == 0 && state_mismatches() == 0 &&
         (allow_duplicates_after_offsets || duplicates_allowed == 0);
}

std::string CheckReport::summary() const {
  std::string text = fmt::format(
      "log:    {} committed transactions ({} changes), {} rolled back; {} kill marks\n"
      "sink:   {} records: {} changes, {} tombstones, {} without op, {} snapshot/truncate, "
      "{} of other tables, {} malformed\n"
      "faults: missing {}, phantom {} ({} from rolled-back transactions), duplicates {} allowed "
      "+ {} violations, reordered {} changes in {} keys\n",
      committed_transactions, committed_changes, rolled_back_transactions, kill_marks, sink_records,
      change_events, tombstones, non_change_records, snapshot_events, other_table_events, malformed,
      missing, phantom, phantom_rolled_back, duplicates_allowed, duplicates_violation,
      reordered_changes, reordered_keys);
  if (state_checked) {
    text += fmt::format(
        "state:  {} source rows; {} missing from the sink, {} only in the sink, "
        "{} different\n",
        state_rows, state_missing, state_extra, state_different);
  } else {
    text += "state:  not checked (no source connection)\n";
  }
  return text;
}

std::string CheckReport::to_string() const {
  std::string text = summary();
  for (const std::string& line : details) text += "  " + line + "\n";
  return text;
}

}  // namespace siphon::testing
