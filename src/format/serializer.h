#pragma once
// The Serializer seam: events to record bytes.
#include "event/change_event.h"
#include "format/serialized_record.h"

namespace siphon::format {

class Serializer {
 public:
  virtual ~Serializer() = default;

  // A data change (c/u/d/r/t) of a table.
  virtual SerializedRecord serialize_change(const event::ChangeEvent& event) = 0;

  // The tombstone that follows a delete: same key, null value.
  virtual SerializedRecord serialize_tombstone(const event::ChangeEvent& deleted) = 0;

  // Any other record with struct key and value (transaction metadata, heartbeats, messages).
  // A null key or value schema gives a null key or value.
  virtual SerializedRecord serialize_struct(const std::string& topic,
                                            const schema::FieldSchema* key_schema, const Value* key,
                                            const schema::FieldSchema* value_schema,
                                            const Value* value) = 0;
};

}  // namespace siphon::format
