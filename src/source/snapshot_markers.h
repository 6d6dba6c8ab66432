#pragma once
// Debezium's `source.snapshot` markers on a snapshot's rows (spec/debezium-compat.md §4): the
// first row of the whole snapshot is "first", the last "last", the first and last of each table
// "first_in_data_collection" / "last_in_data_collection", the others "true" (when two apply:
// last > first > last_in_data_collection > first_in_data_collection). A row's marker depends on
// what follows it, so each row is held back until the next one is read; the sources' snapshots
// push rows through this and emit what comes out.
#include <functional>
#include <optional>
#include <utility>

#include "core/error.h"
#include "schema/table_schema.h"

namespace siphon::source {

template <typename Table>
class SnapshotMarkers {
 public:
  using Emit = std::function<Status(const Table& table, Row row, const char* marker)>;

  explicit SnapshotMarkers(Emit emit) : emit_(std::move(emit)) {}

  // The next row read; emits the one before it.
  Status push(const Table& table, Row row) {
    const bool first_in_table = !pending_ || pending_->table != &table;
    if (pending_) {
      if (auto s = release(/*last_in_table=*/first_in_table, /*last=*/false); !s) return s;
    }
    pending_ = Pending{&table, std::move(row), !any_, first_in_table};
    any_ = true;
    return ok();
  }

  // The snapshot is read: emits the row held back as "last".
  Status finish() {
    if (!pending_) return ok();
    return release(true, true);
  }

 private:
  struct Pending {
    const Table* table = nullptr;
    Row row;
    bool first = false;
    bool first_in_table = false;
  };

  Status release(bool last_in_table, bool last) {
    Pending p = std::move(*pending_);
    pending_.reset();
    const char* marker = last               ? "last"
                         : p.first          ? "first"
                         : last_in_table    ? "last_in_data_collection"
                         : p.first_in_table ? "first_in_data_collection"
                                            : "true";
    return emit_(*p.table, std::move(p.row), marker);
  }

  Emit emit_;
  std::optional<Pending> pending_;
  bool any_ = false;
};

}  // namespace siphon::source
