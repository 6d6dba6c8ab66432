#pragma once
// What the checker found when it compared Siphon's sink output with the workload's log.
#include <cstdint>
#include <string>
#include <vector>

namespace siphon::testing {

struct CheckReport {
  // What was read.
  int64_t committed_transactions = 0;
  int64_t committed_changes = 0;
  int64_t rolled_back_transactions = 0;
  int64_t kill_marks = 0;
  int64_t sink_records = 0;
  int64_t change_events = 0;  // c/u/d events of the checked tables
  int64_t tombstones = 0;
  int64_t non_change_records = 0;  // no "op": transaction metadata, heartbeats, messages
  int64_t snapshot_events = 0;     // 'r' and 't': only used for the final state
  int64_t other_table_events = 0;  // c/u/d of tables named in neither log
  int64_t malformed = 0;           // lines that are not a sink record (always a failure)

  // Faults. A change is identified by (txId, table, key, op, occurrence in its transaction).
  int64_t missing = 0;               // committed changes never seen
  int64_t phantom = 0;               // seen, but not a committed change
  int64_t phantom_rolled_back = 0;   // ... of which from a known rolled-back transaction
  int64_t duplicates_allowed = 0;    // re-delivered at or after the offset stored at a kill
  int64_t duplicates_violation = 0;  // re-delivered although the stored offset was past it
  int64_t reordered_keys = 0;        // keys whose changes arrived out of commit order
  int64_t reordered_changes = 0;     // changes that arrived after a later change of their key

  // Final state (only with a source connection).
  bool state_checked = false;
  int64_t state_rows = 0;       // rows in the source tables
  int64_t state_missing = 0;    // in the source, absent from the state rebuilt from the sink
  int64_t state_extra = 0;      // in the rebuilt state only
  int64_t state_different = 0;  // in both, with different values

  // One human-readable line per finding (capped per kind).
  std::vector<std::string> details{};

  int64_t duplicates() const { return duplicates_allowed + duplicates_violation; }
  int64_t state_mismatches() const { return state_missing + state_extra + state_different; }
  // Clean: nothing missing, phantom, reordered, malformed or different, and no duplicate that
  // breaks the offsets' promise. Allowed duplicates (at-least-once after a crash) pass only when
  // `allow_duplicates_after_offsets`.
  bool ok(bool allow_duplicates_after_offsets) const;
  std::string summary() const;    // the counts, a few lines
  std::string to_string() const;  // summary and details
};

}  // namespace siphon::testing
