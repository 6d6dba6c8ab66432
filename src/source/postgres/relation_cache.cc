#include "source/postgres/relation_cache.h"

#include <algorithm>
#include <memory>

#include "core/log.h"

namespace siphon::source::postgres {

const RelationEntry& RelationCache::update(const RelationMessage& rel) {
  RelationEntry entry;
  std::string nsp = rel.namespace_name.empty() ? "pg_catalog" : std::string(rel.namespace_name);
  std::string name(rel.relation_name);
  entry.replica_identity = rel.replica_identity;
  entry.data_collection = nsp + "." + name;
  if (!filter_.captures(nsp, name)) {
    entry.column_index.assign(rel.columns.size(), -1);
    return entries_[rel.relation_id] = std::move(entry);
  }

  auto table = std::make_shared<schema::TableSchema>();
  table->id = schema::next_schema_id();
  table->catalog_name = nsp;
  table->table_name = name;
  table->topic = naming_.prefix + naming_.delimiter + nsp + naming_.delimiter + name;
  std::optional<std::vector<std::string>> pk;
  if (rel.replica_identity == 'f' && primary_key_) pk = primary_key_(nsp, name);
  auto is_key = [&](const RelationColumn& col) {
    if (!pk) return col.key;
    return std::find(pk->begin(), pk->end(), col.name) != pk->end();
  };
  for (const auto& col : rel.columns) {
    auto converted = converter_.column(std::string(col.name), col.type_oid, col.type_modifier,
                                       /*optional=*/!is_key(col));
    if (!converted) {
      log::warn(
          "table {}: column '{}' has type OID {} which Siphon does not map yet; the column "
          "is left out of events (as Debezium does with include.unknown.datatypes=false)",
          entry.data_collection, col.name, col.type_oid);
      entry.column_index.push_back(-1);
      continue;
    }
    entry.column_index.push_back(static_cast<int>(table->columns.size()));
    schema::ColumnSchema cs;
    cs.field = converted->field;
    cs.key = is_key(col);
    cs.type_name = converted->type_name;
    if (cs.key) table->key_columns.push_back(table->columns.size());
    table->columns.push_back(std::move(cs));
    entry.columns.push_back(std::move(*converted));
  }
  entry.table = std::move(table);
  return entries_[rel.relation_id] = std::move(entry);
}

const RelationEntry* RelationCache::find(uint32_t relation_id) const {
  auto it = entries_.find(relation_id);
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace siphon::source::postgres
