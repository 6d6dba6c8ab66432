#pragma once
// A record as a sink receives it: the bytes a Kafka record would carry.
#include <optional>
#include <string>
#include <vector>

#include "event/change_event.h"

namespace siphon::format {

struct SerializedRecord {
  std::string topic;
  std::optional<std::string> key;    // nullopt = null key (table without primary key)
  std::optional<std::string> value;  // nullopt = tombstone
  std::vector<event::Header> headers;

  size_t byte_size() const {
    return topic.size() + (key ? key->size() : 0) + (value ? value->size() : 0) + 64;
  }
};

}  // namespace siphon::format
