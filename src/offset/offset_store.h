#pragma once
// The OffsetStore seam: durable storage of a connector's offset, in Kafka Connect's shape
// (partition {"server": <prefix>}, offset = Debezium's offset map).
#include <optional>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace siphon::offset {

class OffsetStore {
 public:
  virtual ~OffsetStore() = default;
  // The stored offset map, or nullopt when nothing was stored yet.
  virtual Result<std::optional<nlohmann::json>> load() = 0;
  // Durable when it returns: a crash after it never loses the write.
  virtual Status store(const nlohmann::json& offset) = 0;
};

}  // namespace siphon::offset
