#pragma once
// Relation (table) descriptions as pgoutput announces them, turned into table schemas for
// events. pgoutput resends a Relation message after every change to a table's definition, so
// each one replaces the cached entry (spec/pgoutput.md §3.3).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "schema/table_schema.h"
#include "source/postgres/pg_value_converter.h"
#include "source/postgres/pgoutput_message.h"
#include "source/table_filter.h"

namespace siphon::source::postgres {

struct RelationEntry {
  schema::TableSchemaPtr table;  // null when the table is not captured
  // For each column of the Relation message: its index in table->columns, or -1 if dropped
  // (a type Siphon does not map).
  std::vector<int> column_index;
  std::vector<PgValueConverter::Column> columns;  // parallel to table->columns
  char replica_identity = 'd';
  std::string data_collection;  // "<schema>.<table>"
};

struct TopicNaming {
  std::string prefix;
  std::string delimiter = ".";
};

// Primary-key column names of a table from the catalog. Relation messages flag replica-identity
// columns, which under REPLICA IDENTITY FULL are all columns; the Kafka key is the primary key.
using PrimaryKeyLookup = std::function<std::optional<std::vector<std::string>>(
    const std::string& schema, const std::string& table)>;

class RelationCache {
 public:
  RelationCache(const PgValueConverter& converter, const TableFilter& filter, TopicNaming naming,
                PrimaryKeyLookup primary_key)
      : converter_(converter),
        filter_(filter),
        naming_(std::move(naming)),
        primary_key_(std::move(primary_key)) {}

  const RelationEntry& update(const RelationMessage& relation);
  const RelationEntry* find(uint32_t relation_id) const;
  void clear() { entries_.clear(); }

 private:
  const PgValueConverter& converter_;
  const TableFilter& filter_;
  TopicNaming naming_;
  PrimaryKeyLookup primary_key_;
  std::unordered_map<uint32_t, RelationEntry> entries_;
};

}  // namespace siphon::source::postgres
