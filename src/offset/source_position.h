#pragma once
// Where one record sits in its source, carried next to the record through the pipeline. The
// runtime treats it as opaque and only the source turns a delivered position into a stored
// offset and a server confirmation. Plain data: it rides on every record.
#include <cstdint>

namespace siphon::offset {

struct SourcePosition {
  // PostgreSQL: end LSN of the last transaction fully delivered once this record is delivered.
  uint64_t completed_lsn = 0;
  // The transaction this record belongs to (0 = none, e.g. a record between transactions).
  uint64_t tx_final_lsn = 0;  // commit record LSN (Begin.final_lsn)
  uint64_t tx_id = 0;
  uint64_t event_lsn = 0;
  int64_t commit_ts_us = 0;
  // Records of the transaction delivered once this one is (set by the dispatcher), and how many
  // of them are data change events (what Debezium's transaction.total_order counts).
  uint32_t records_done = 0;
  uint32_t events_done = 0;
  // True on the last record of a transaction: delivering it completes the transaction.
  bool tx_complete = false;
  // A record of an initial snapshot (the "transaction" is then the whole snapshot).
  bool snapshot = false;
};

}  // namespace siphon::offset
