#pragma once
// What a source hands its events to (Debezium's "event dispatcher"). The source decides what
// happened and where it sits; the dispatcher serializes, applies the record-level options
// (tombstones), enforces back-pressure and tracks every record for offsets.
#include <cstdint>
#include <functional>
#include <string>

#include "core/error.h"
#include "core/value.h"
#include "event/change_event.h"
#include "offset/source_position.h"
#include "schema/connect_schema.h"

namespace siphon::source {

class Dispatcher {
 public:
  virtual ~Dispatcher() = default;

  // Starts a transaction. Its first `already_delivered` records are dropped: they were delivered
  // before a restart and the source is replaying the transaction from its start.
  virtual void begin_transaction(uint32_t already_delivered) = 0;

  // A data change; a delete is followed by its tombstone when tombstones.on.delete is set.
  virtual Status dispatch_change(const event::ChangeEvent& event,
                                 const offset::SourcePosition& position) = 0;

  // A non-table record (transaction metadata, heartbeat, message).
  virtual Status dispatch_struct(const std::string& topic, const schema::FieldSchema* key_schema,
                                 const Value* key, const schema::FieldSchema* value_schema,
                                 const Value* value, const offset::SourcePosition& position) = 0;

  // The transaction is complete at `position` (tx_complete is set by the dispatcher); delivered
  // once every record before it is.
  virtual void commit_transaction(const offset::SourcePosition& position) = 0;

  // Called while a dispatch waits for room in the pipeline, so the source can keep its
  // connection alive (PostgreSQL status updates) during back-pressure.
  virtual void set_wait_hook(std::function<void()> hook) = 0;
};

}  // namespace siphon::source
