#include "schema/table_schema.h"

#include <atomic>

namespace siphon::schema {

uint64_t next_schema_id() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}

}  // namespace siphon::schema
