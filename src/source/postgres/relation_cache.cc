#include "source/postgres/relation_cache.h"

#include <algorithm>
#include <memory>

#include "core/log.h"

namespace siphon::source::postgres {

const RelationEntry& RelationCache::update(const RelationMessage& rel) {
  OwnedRelation owned;
  owned.relation_id = rel.relation_id;
  owned.namespace_name =
      rel.namespace_name.empty() ? "pg_catalog" : std::string(rel.namespace_name);
  owned.relation_name = std::string(rel.relation_name);
  owned.replica_identity = rel.replica_identity;
  for (const auto& col : rel.columns) {
    owned.columns.push_back({col.key, std::string(col.name), col.type_oid, col.type_modifier});
  }
  return build(std::move(owned));
}

const RelationEntry* RelationCache::refresh(uint32_t relation_id) {
  auto it = entries_.find(relation_id);
  if (it == entries_.end()) return nullptr;
  OwnedRelation owned = it->second.relation;
  return &build(std::move(owned));
}

const RelationEntry& RelationCache::build(OwnedRelation rel) {
  RelationEntry entry;
  const std::string& nsp = rel.namespace_name;
  const std::string& name = rel.relation_name;
  entry.replica_identity = rel.replica_identity;
  entry.data_collection = nsp + "." + name;
  if (!filter_.captures(nsp, name)) {
    entry.column_index.assign(rel.columns.size(), -1);
    entry.relation = std::move(rel);
    return entries_[entry.relation.relation_id] = std::move(entry);
  }

  auto table = std::make_shared<schema::TableSchema>();
  table->id = schema::next_schema_id();
  table->catalog_name = nsp;
  table->table_name = name;
  table->topic = naming_.prefix + naming_.delimiter + nsp + naming_.delimiter + name;
  std::optional<CatalogTable> catalog;
  if (catalog_) catalog = catalog_(rel.relation_id, nsp, name);
  PgTypeLookup types = [&catalog](uint32_t oid) -> const PgTypeInfo* {
    if (!catalog) return nullptr;
    auto it = catalog->types.find(oid);
    return it == catalog->types.end() ? nullptr : &it->second;
  };
  auto is_key = [&](const OwnedRelation::Column& col) {
    if (!catalog || !catalog->key) {
      // Without a primary key or identity index only DEFAULT/INDEX identities flag key
      // columns; under FULL every column is flagged, which is no key.
      return rel.replica_identity != 'f' && col.key;
    }
    const auto& key = *catalog->key;
    return std::find(key.begin(), key.end(), col.name) != key.end();
  };
  for (const auto& col : rel.columns) {
    bool key = is_key(col);
    // The catalog's NOT NULL says whether the field is optional (Debezium reads it with the
    // table's metadata); without a catalog, key columns are required.
    const CatalogColumn* cc = catalog ? catalog->find(col.name) : nullptr;
    bool optional = cc ? !cc->not_null && !key : !key;
    auto converted = converter_.column(col.name, col.type_oid, col.type_modifier, optional, &types);
    if (!converted) {
      log::warn(
          "table {}: column '{}' has type OID {} which Debezium does not map; the column is "
          "left out of events (include.unknown.datatypes=true keeps it as bytes)",
          entry.data_collection, col.name, col.type_oid);
      entry.column_index.push_back(-1);
      continue;
    }
    if (cc && cc->default_expression) {
      converted->field.default_value =
          converter_.default_value(*converted, *cc->default_expression);
    }
    entry.column_index.push_back(static_cast<int>(table->columns.size()));
    schema::ColumnSchema cs;
    cs.field = converted->field;
    cs.key = key;
    cs.type_name = converted->type_name;
    // Key fields in column order, as the key schema has always been built here.
    if (cs.key) table->key_columns.push_back(table->columns.size());
    table->columns.push_back(std::move(cs));
    entry.columns.push_back(std::move(*converted));
  }
  entry.table = std::move(table);
  entry.relation = std::move(rel);
  return entries_[entry.relation.relation_id] = std::move(entry);
}

const RelationEntry* RelationCache::find(uint32_t relation_id) const {
  auto it = entries_.find(relation_id);
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace siphon::source::postgres
