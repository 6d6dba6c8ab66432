#pragma once
// The Source seam: one database connector's capture side.
#include <atomic>
#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "offset/source_position.h"
#include "source/dispatcher.h"

namespace siphon::source {

class Source {
 public:
  virtual ~Source() = default;

  // Connects, checks the server's configuration and prepares streaming (publication, slot).
  // `stored_offset` is the last durable offset map, if any.
  virtual Status start(const std::optional<nlohmann::json>& stored_offset) = 0;

  // Streams changes into `dispatcher` until `stop` becomes true (returns ok) or an error occurs.
  virtual Status stream(Dispatcher& dispatcher, const std::atomic<bool>& stop) = 0;

  // The offset map (Debezium's keys) to store once `delivered` is delivered.
  virtual nlohmann::json offset_for(const offset::SourcePosition& delivered) const = 0;

  // The offset for `delivered` is durable: the source may confirm it to the server. Thread-safe.
  virtual void confirm(const offset::SourcePosition& delivered) = 0;

  // True once the source has nothing more to do (snapshot.mode=initial_only after its snapshot).
  virtual bool finished() const { return false; }

  // Sends the final confirmation and closes connections. Safe to call more than once.
  virtual void close() = 0;

  // Installed by the runtime: true when every record the source dispatched is delivered and its
  // offset stored. Lets the source confirm positions that carry no captured change.
  std::function<bool()> pipeline_idle = [] { return false; };
};

}  // namespace siphon::source
