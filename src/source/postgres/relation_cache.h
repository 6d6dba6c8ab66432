#pragma once
// Relation (table) descriptions as pgoutput announces them, turned into table schemas for
// events. pgoutput resends a Relation message after every change to a table's definition, so
// each one replaces the cached entry (spec/pgoutput.md §3.3).
//
// A Relation message lacks nullability, enum labels, domain base types and, under REPLICA
// IDENTITY FULL, says every column is a key; so each one is completed from the catalog (a
// CatalogLookup) as Debezium does when it refreshes a table's schema.
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

// What pg_attribute, pg_index and pg_type say about one table.
struct CatalogColumn {
  std::string name;
  uint32_t type_oid = 0;
  int32_t type_modifier = -1;
  bool not_null = false;
  std::optional<std::string> default_expression;  // pg_get_expr of pg_attrdef.adbin
};

struct CatalogTable {
  std::vector<CatalogColumn> columns;
  // The Kafka key: the primary key's columns, else the replica identity index's, in index order.
  // nullopt: neither exists, and the Relation message's key flags are used.
  std::optional<std::vector<std::string>> key;
  std::unordered_map<uint32_t, PgTypeInfo> types;  // every non-built-in type the columns use

  const CatalogColumn* find(std::string_view name) const {
    for (const auto& c : columns) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }
};

// nullopt when the catalog cannot be read (the Relation message alone is used then).
using CatalogLookup = std::function<std::optional<CatalogTable>(
    uint32_t relation_id, const std::string& schema, const std::string& table)>;

// A Relation message with its own storage, kept so an entry can be rebuilt.
struct OwnedRelation {
  uint32_t relation_id = 0;
  std::string namespace_name;
  std::string relation_name;
  char replica_identity = 'd';
  struct Column {
    bool key = false;
    std::string name;
    uint32_t type_oid = 0;
    int32_t type_modifier = -1;
  };
  std::vector<Column> columns;
};

struct RelationEntry {
  schema::TableSchemaPtr table;  // null when the table is not captured
  // For each column of the Relation message: its index in table->columns, or -1 if dropped
  // (a type Siphon does not map).
  std::vector<int> column_index;
  std::vector<PgValueConverter::Column> columns;  // parallel to table->columns
  char replica_identity = 'd';
  std::string data_collection;  // "<schema>.<table>"
  OwnedRelation relation;
};

struct TopicNaming {
  std::string prefix;
  std::string delimiter = ".";
};

class RelationCache {
 public:
  RelationCache(const PgValueConverter& converter, const TableFilter& filter, TopicNaming naming,
                CatalogLookup catalog)
      : converter_(converter),
        filter_(filter),
        naming_(std::move(naming)),
        catalog_(std::move(catalog)) {}

  const RelationEntry& update(const RelationMessage& relation);
  // Reads the catalog again for a known relation (an enum gained a label, which sends no
  // Relation message); nullptr if the relation is unknown.
  const RelationEntry* refresh(uint32_t relation_id);
  const RelationEntry* find(uint32_t relation_id) const;
  void clear() { entries_.clear(); }

  // column.propagate.source.type / datatype.propagate.source.type: columns whose
  // "<schema>.<table>.<column>" or "<schema>.<table>.<type name>" matches get Debezium's
  // __debezium.source.column.* schema parameters. nullopt: the option is not set.
  void propagate_source_types(std::optional<NameFilter> columns,
                              std::optional<NameFilter> datatypes) {
    propagate_columns_ = std::move(columns);
    propagate_datatypes_ = std::move(datatypes);
  }

 private:
  const RelationEntry& build(OwnedRelation relation);

  const PgValueConverter& converter_;
  const TableFilter& filter_;
  TopicNaming naming_;
  CatalogLookup catalog_;
  std::optional<NameFilter> propagate_columns_, propagate_datatypes_;
  std::unordered_map<uint32_t, RelationEntry> entries_;
};

}  // namespace siphon::source::postgres
