#pragma once
// The JSON line both the file and the stdout sink write for one record:
//   {"key":K,"value":V}            K and V exactly as a Kafka record would carry them
//   {"key":K,"value":V,"headers":{"name":JSON,...}}   when the record has headers
// A null key or a tombstone value is written as JSON null.
#include <string>

#include "format/serialized_record.h"

namespace siphon::sink {

void append_record_line(std::string& out, const format::SerializedRecord& record, bool with_topic);

}  // namespace siphon::sink
