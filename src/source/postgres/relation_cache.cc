#include "source/postgres/relation_cache.h"

#include <algorithm>
#include <memory>

#include "core/log.h"

namespace siphon::source::postgres {

namespace {

// What pgjdbc's TypeInfoCache says of a type's size (getPrecision, getScale, getDisplaySize),
// which Debezium reports as a column's length and scale. Types pgjdbc does not know have its
// "unknown length", Integer.MAX_VALUE, and scale 0.
constexpr int32_t kUnknownLength = 2147483647;

int32_t jdbc_display_size(uint32_t type, int32_t typmod) {
  switch (type) {
    case oid::kInt2:
      return 6;
    case oid::kInt4:
      return 11;
    case oid::kOid:
      return 10;
    case oid::kInt8:
      return 20;
    case oid::kFloat4:
      return 15;
    case oid::kFloat8:
      return 25;
    case oid::kChar:
    case oid::kBool:
      return 1;
    case oid::kDate:
      return 13;
    case oid::kTime:
    case oid::kTimetz:
    case oid::kTimestamp:
    case oid::kTimestamptz: {
      int32_t seconds = typmod == -1 ? 7 : typmod == 0 ? 0 : typmod == 1 ? 3 : typmod + 1;
      if (type == oid::kTime) return 8 + seconds;
      if (type == oid::kTimetz) return 8 + seconds + 6;
      if (type == oid::kTimestamp) return 22 + seconds;
      return 22 + seconds + 6;
    }
    case oid::kInterval:
      return 49;
    case oid::kVarchar:
    case oid::kBpchar:
      return typmod == -1 ? kUnknownLength : typmod - 4;
    case oid::kNumeric: {
      if (typmod == -1) return 131089;
      int32_t precision = ((typmod - 4) >> 16) & 0xffff;
      int32_t scale = (typmod - 4) & 0xffff;
      return 1 + precision + (scale != 0 ? 1 : 0);
    }
    case oid::kBit:
    case oid::kVarbit:
      return typmod;
    default:
      return kUnknownLength;
  }
}

int32_t jdbc_precision(uint32_t type, int32_t typmod) {
  switch (type) {
    case oid::kInt2:
      return 5;
    case oid::kOid:
    case oid::kInt4:
      return 10;
    case oid::kInt8:
      return 19;
    case oid::kFloat4:
      return 8;
    case oid::kFloat8:
      return 17;
    case oid::kNumeric:
      return typmod == -1 ? 0 : ((typmod - 4) >> 16) & 0xffff;
    case oid::kChar:
    case oid::kBool:
      return 1;
    case oid::kBpchar:
    case oid::kVarchar:
      return typmod == -1 ? kUnknownLength : typmod - 4;
    case oid::kDate:
    case oid::kTime:
    case oid::kTimetz:
    case oid::kInterval:
    case oid::kTimestamp:
    case oid::kTimestamptz:
      return jdbc_display_size(type, typmod);
    case oid::kBit:
      return typmod;
    case oid::kVarbit:
      return typmod == -1 ? kUnknownLength : typmod;
    default:
      return kUnknownLength;
  }
}

int32_t jdbc_scale(uint32_t type, int32_t typmod) {
  switch (type) {
    case oid::kFloat4:
      return 8;
    case oid::kFloat8:
      return 17;
    case oid::kNumeric:
      return typmod == -1 ? 0 : (typmod - 4) & 0xffff;
    case oid::kTime:
    case oid::kTimetz:
    case oid::kTimestamp:
    case oid::kTimestamptz:
      return typmod == -1 ? 6 : typmod;
    case oid::kInterval:
      return typmod == -1 ? 6 : typmod & 0xffff;
    default:
      return 0;
  }
}

// A column's length and scale as Debezium's pgoutput decoder derives them (ColumnMetaData,
// PostgresType.getDefaultLength/getDefaultScale): from the Relation message's type modifier when
// there is one, else the type's defaults, a domain's from its base type and own modifier.
std::pair<int32_t, int32_t> source_length_scale(uint32_t type, int32_t typmod,
                                                const PgTypeLookup& types) {
  auto jdbc_oid = [](uint32_t t) {
    uint32_t element = builtin_array_element(t);
    return element != 0 ? element : t;
  };
  if (typmod != -1) {
    return {jdbc_precision(jdbc_oid(type), typmod), jdbc_scale(jdbc_oid(type), typmod)};
  }
  const PgTypeInfo* info = types ? types(type) : nullptr;
  if (info && info->kind == 'd' && info->base != 0) {
    if (info->base_typmod == -1) return source_length_scale(info->base, -1, types);
    int32_t size = jdbc_precision(jdbc_oid(info->base), info->base_typmod);
    if (size == 0) size = jdbc_display_size(jdbc_oid(info->base), info->base_typmod);
    if (size == 0 || size == kUnknownLength) size = kUnknownLength;
    return {size, jdbc_scale(jdbc_oid(info->base), info->base_typmod)};
  }
  int32_t size = jdbc_precision(jdbc_oid(type), -1);
  if (size == 0) size = jdbc_display_size(jdbc_oid(type), -1);
  return {size, jdbc_scale(jdbc_oid(type), -1)};
}

}  // namespace

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
    // column.include/exclude.list: a key column stays, the key needs it.
    if (!key && !filter_.captures_column(nsp, name, col.name)) {
      entry.column_index.push_back(-1);
      continue;
    }
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
    if (propagate_columns_ || propagate_datatypes_) {
      // The type name pgjdbc reports (Debezium's Column.typeName): the catalog's name, and
      // serial types for integer columns that default to a sequence.
      const PgTypeInfo* info = types(col.type_oid);
      std::string type_name = info ? info->name : converted->type_name;
      if (cc && cc->default_expression &&
          cc->default_expression->find("nextval(") != std::string::npos) {
        if (type_name == "int4") type_name = "serial";
        if (type_name == "int8") type_name = "bigserial";
        if (type_name == "int2") type_name = "smallserial";
      }
      const std::string prefix = nsp + "." + name + ".";
      if ((propagate_columns_ && propagate_columns_->accepts(prefix + col.name)) ||
          (propagate_datatypes_ && propagate_datatypes_->accepts(prefix + type_name))) {
        auto [length, scale] = source_length_scale(col.type_oid, col.type_modifier, types);
        std::string upper = type_name;
        for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        schema::FieldSchema& f = converted->field;
        f.with_parameter("__debezium.source.column.type", upper);
        if (length != -1)
          f.with_parameter("__debezium.source.column.length", std::to_string(length));
        f.with_parameter("__debezium.source.column.scale", std::to_string(scale));
        f.with_parameter("__debezium.source.column.name", col.name);
      }
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
