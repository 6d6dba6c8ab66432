#pragma once
// The fields every Debezium connector's `source` block starts with (version, connector, name,
// ts_ms, snapshot, db, sequence, ts_us, ts_ns: spec/debezium-compat.md §1.5-1.6), shared so the
// PostgreSQL and binlog blocks cannot drift apart. Each source appends its own fields.
#include <string>

#include "schema/connect_schema.h"

namespace siphon::event {

// A `source` struct schema named `name` (e.g. io.debezium.connector.mariadb.Source) holding the
// common fields; the caller appends the connector's own.
schema::FieldSchema common_source_schema(std::string name);

}  // namespace siphon::event
