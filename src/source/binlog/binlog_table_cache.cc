#include "source/binlog/binlog_table_cache.h"

#include <memory>

#include "source/binlog/binlog_default_value.h"

namespace siphon::source::binlog {
namespace {

bool same_columns(const TableMap& a, const TableMap& b) {
  if (a.database != b.database || a.table != b.table || a.columns.size() != b.columns.size()) {
    return false;
  }
  for (size_t i = 0; i < a.columns.size(); ++i) {
    const ColumnDescriptor& x = a.columns[i];
    const ColumnDescriptor& y = b.columns[i];
    if (x.type != y.type || x.real_type != y.real_type || x.meta != y.meta ||
        x.nullable != y.nullable || x.is_unsigned != y.is_unsigned || x.collation != y.collation ||
        x.name != y.name || x.enum_values != y.enum_values || x.set_values != y.set_values ||
        x.geometry_type != y.geometry_type) {
      return false;
    }
  }
  return a.primary_key == b.primary_key;
}

}  // namespace

Result<const CapturedTable*> BinlogTableCache::on_table_map(const TableMap& map,
                                                            const EventLocation& where) {
  auto found = tables_.find(map.table_id);
  if (found != tables_.end() && same_columns(found->second.map, map)) return &found->second;

  CapturedTable entry;
  entry.map = map;
  entry.columns = map.columns;
  entry.data_collection = map.database + "." + map.table;
  if (filter_.captures(map.database, map.table)) {
    if (!map.has_names) {
      return make_error(ErrorKind::kFatal,
                        "TABLE_MAP of {} at {}:{} carries no column names: the server must run "
                        "with binlog_row_metadata=FULL",
                        entry.data_collection, where.file, where.position);
    }
    auto cached = extended_.find(entry.data_collection);
    if (cached == extended_.end()) {
      auto types = lookup_(map.database, map.table);
      if (!types) {
        return make_error(types.error().kind, "reading the schema of {} (TABLE_MAP at {}:{}): {}",
                          entry.data_collection, where.file, where.position, types.error().message);
      }
      cached = extended_.emplace(entry.data_collection, std::move(*types)).first;
    }
    auto table = std::make_shared<schema::TableSchema>();
    table->id = schema::next_schema_id();
    table->catalog_name = map.database;
    table->table_name = map.table;
    table->topic = prefix_ + delimiter_ + map.database + delimiter_ + map.table;
    std::vector<int> key_position(entry.columns.size(), -1);  // map column -> place in key
    for (size_t k = 0; k < map.primary_key.size(); ++k) {
      if (map.primary_key[k] >= entry.columns.size()) {
        return make_error(ErrorKind::kFatal,
                          "TABLE_MAP of {} at {}:{} names primary key column {} of {}",
                          entry.data_collection, where.file, where.position, map.primary_key[k],
                          entry.columns.size());
      }
      key_position[map.primary_key[k]] = static_cast<int>(k);
    }
    std::vector<size_t> key_columns(map.primary_key.size());
    for (size_t i = 0; i < entry.columns.size(); ++i) {
      ColumnDescriptor& column = entry.columns[i];
      const bool key = key_position[i] >= 0;
      // column.include/exclude.list: a key column stays, the key needs it.
      if (!key && !filter_.captures_column(map.database, map.table, column.name)) {
        entry.column_index.push_back(-1);
        continue;
      }
      auto info = cached->second.find(column.name);
      if (info != cached->second.end()) column.extended = info->second.extended;
      auto field = converter_.schema_for(column);
      if (!field) {
        return make_error(field.error().kind, "table {} (TABLE_MAP at {}:{}): {}",
                          entry.data_collection, where.file, where.position, field.error().message);
      }
      if (info != cached->second.end()) {
        const SchemaColumnInfo& s = info->second;
        if (s.default_expression) {
          field->default_value = binlog_default_value(converter_, column, *s.default_expression);
        }
        const std::string prefix = entry.data_collection + ".";
        if ((propagate_columns_ && propagate_columns_->accepts(prefix + column.name)) ||
            (propagate_datatypes_ && propagate_datatypes_->accepts(prefix + s.type_name))) {
          field->with_parameter("__debezium.source.column.type", s.type_name);
          if (s.length) {
            field->with_parameter("__debezium.source.column.length", std::to_string(*s.length));
          }
          if (s.scale) {
            field->with_parameter("__debezium.source.column.scale", std::to_string(*s.scale));
          }
          field->with_parameter("__debezium.source.column.name", column.name);
        }
      }
      schema::ColumnSchema cs;
      cs.field = std::move(*field);
      cs.field.name = column.name;
      cs.key = key;
      // Debezium's key: the primary key columns in the key's order (none without one).
      if (key) key_columns[static_cast<size_t>(key_position[i])] = table->columns.size();
      entry.column_index.push_back(static_cast<int>(table->columns.size()));
      table->columns.push_back(std::move(cs));
    }
    table->key_columns = std::move(key_columns);
    entry.schema = std::move(table);
  }
  auto& slot = tables_[map.table_id];
  slot = std::move(entry);
  return &slot;
}

const CapturedTable* BinlogTableCache::find(uint64_t table_id) const {
  auto it = tables_.find(table_id);
  return it == tables_.end() ? nullptr : &it->second;
}

}  // namespace siphon::source::binlog
