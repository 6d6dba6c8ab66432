#include "source/binlog/table_definition.h"

#include <algorithm>
#include <cctype>

#include "source/binlog/schema_table_map.h"

namespace siphon::source::binlog {
namespace {

// java.sql.Types of a MariaDB/MySQL type, as Debezium's MySQL type resolver assigns them.
int jdbc_type(const std::string& data_type) {
  static const std::map<std::string, int> types = {
      {"bit", -7},        {"tinyint", 5},   {"smallint", 5},      {"mediumint", 4},
      {"int", 4},         {"integer", 4},   {"bigint", -5},       {"float", 6},
      {"double", 8},      {"real", 8},      {"decimal", 3},       {"numeric", 3},
      {"char", 1},        {"varchar", 12},  {"tinytext", 12},     {"text", 12},
      {"mediumtext", 12}, {"longtext", 12}, {"binary", -2},       {"varbinary", -3},
      {"tinyblob", 2004}, {"blob", 2004},   {"mediumblob", 2004}, {"longblob", 2004},
      {"date", 91},       {"time", 92},     {"datetime", 93},     {"timestamp", 2014},
      {"year", 4},        {"enum", 1},      {"set", 1},           {"json", 1111},
      {"uuid", 1},        {"inet4", 1},     {"inet6", 1},         {"boolean", 16}};
  auto it = types.find(data_type);
  return it == types.end() ? 1111 : it->second;  // OTHER: geometry and the rest
}

std::optional<int64_t> number(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  try {
    return std::stoll(*text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

const char* kSystemSchemas = "('mysql', 'information_schema', 'performance_schema', 'sys')";

}  // namespace

std::string TableDefinition::id() const {
  return "\"" + database + "\".\"" + table + "\"";
}

nlohmann::json TableDefinition::to_json() const {
  auto optional_text = [](const std::optional<std::string>& s) {
    return s ? nlohmann::json(*s) : nlohmann::json(nullptr);
  };
  nlohmann::json columns_json = nlohmann::json::array();
  for (const ColumnDefinition& c : columns) {
    nlohmann::json col = {{"name", c.name},
                          {"jdbcType", c.jdbc_type},
                          {"typeName", c.type_name},
                          {"typeExpression", c.type_expression},
                          {"charsetName", optional_text(c.charset)},
                          {"position", c.position},
                          {"optional", c.optional},
                          {"autoIncremented", c.auto_incremented},
                          {"generated", c.generated},
                          {"comment", optional_text(c.comment)},
                          {"hasDefaultValue", c.default_expression.has_value()},
                          {"enumValues", c.enum_values}};
    if (c.length) col["length"] = *c.length;
    if (c.scale) col["scale"] = *c.scale;
    if (c.default_expression) col["defaultValueExpression"] = *c.default_expression;
    columns_json.push_back(std::move(col));
  }
  return {{"defaultCharsetName", optional_text(default_charset)},
          {"primaryKeyColumnNames", primary_key},
          {"columns", std::move(columns_json)},
          {"comment", optional_text(comment)}};
}

Result<TableDefinition> TableDefinition::from_json(const std::string& id,
                                                   const nlohmann::json& table) {
  TableDefinition t;
  // "\"db\".\"table\""
  const size_t dot = id.find("\".\"");
  if (id.size() < 5 || id.front() != '"' || id.back() != '"' || dot == std::string::npos) {
    return make_error(ErrorKind::kFatal, "table id '{}' is not \"db\".\"table\"", id);
  }
  t.database = id.substr(1, dot - 1);
  t.table = id.substr(dot + 3, id.size() - dot - 4);
  if (!table.is_object()) return t;  // a DROP may carry none
  auto text = [](const nlohmann::json& j, const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto integer = [](const nlohmann::json& j, const char* key) -> std::optional<int64_t> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
  };
  t.default_charset = text(table, "defaultCharsetName");
  t.comment = text(table, "comment");
  if (auto it = table.find("primaryKeyColumnNames"); it != table.end() && it->is_array()) {
    for (const auto& k : *it) {
      if (k.is_string()) t.primary_key.push_back(k.get<std::string>());
    }
  }
  if (auto it = table.find("columns"); it != table.end() && it->is_array()) {
    for (const auto& c : *it) {
      ColumnDefinition col;
      col.name = text(c, "name").value_or("");
      col.jdbc_type = static_cast<int>(integer(c, "jdbcType").value_or(0));
      col.type_name = text(c, "typeName").value_or("");
      col.type_expression = text(c, "typeExpression").value_or("");
      col.charset = text(c, "charsetName");
      col.length = integer(c, "length");
      col.scale = integer(c, "scale");
      col.position = static_cast<int>(integer(c, "position").value_or(0));
      col.optional = c.value("optional", true);
      col.auto_incremented = c.value("autoIncremented", false);
      col.generated = c.value("generated", false);
      col.comment = text(c, "comment");
      col.default_expression = text(c, "defaultValueExpression");
      if (auto e = c.find("enumValues"); e != c.end() && e->is_array()) {
        for (const auto& v : *e) {
          if (v.is_string()) col.enum_values.push_back(v.get<std::string>());
        }
      }
      t.columns.push_back(std::move(col));
    }
  }
  return t;
}

nlohmann::json TableChange::to_json() const {
  return {{"type", type}, {"id", table.id()}, {"table", table.to_json()}};
}

Result<std::map<std::string, DatabaseDefinitions>> read_table_definitions(
    MariaDbSql& sql, const std::function<bool(const std::string& database)>& wanted,
    SchemaColumnsByTable* schema_columns) {
  std::map<std::string, DatabaseDefinitions> out;
  auto tables = sql.query(
      "SELECT t.TABLE_SCHEMA, t.TABLE_NAME, t.TABLE_COMMENT, c.CHARACTER_SET_NAME "
      "FROM information_schema.TABLES t LEFT JOIN "
      "information_schema.COLLATION_CHARACTER_SET_APPLICABILITY c "
      "ON c.COLLATION_NAME = t.TABLE_COLLATION WHERE t.TABLE_TYPE = 'BASE TABLE' AND "
      "t.TABLE_SCHEMA NOT IN " +
      std::string(kSystemSchemas));
  if (!tables) return tl::unexpected(tables.error());
  for (const auto& r : *tables) {
    const std::string db = r.at(0).value_or("");
    if (!wanted(db)) continue;
    TableDefinition& t = out[db][r.at(1).value_or("")];
    t.database = db;
    t.table = r.at(1).value_or("");
    if (r.at(2) && !r.at(2)->empty()) t.comment = r.at(2);
    t.default_charset = r.at(3);
  }
  auto columns = sql.query(
      "SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, "
      "c.CHARACTER_SET_NAME, c.IS_NULLABLE, c.EXTRA, c.COLUMN_COMMENT, c.COLUMN_DEFAULT, "
      "c.ORDINAL_POSITION, c.NUMERIC_PRECISION, c.NUMERIC_SCALE, c.DATETIME_PRECISION, "
      "c.CHARACTER_OCTET_LENGTH, co.ID FROM information_schema.COLUMNS c "
      "LEFT JOIN information_schema.COLLATIONS co ON co.COLLATION_NAME = c.COLLATION_NAME "
      "WHERE c.TABLE_SCHEMA NOT IN " +
      std::string(kSystemSchemas) + " ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION");
  if (!columns) return tl::unexpected(columns.error());
  for (const auto& r : *columns) {
    auto db = out.find(r.at(0).value_or(""));
    if (db == out.end()) continue;
    auto table = db->second.find(r.at(1).value_or(""));
    if (table == db->second.end()) continue;  // a view
    ColumnDefinition c;
    c.name = r.at(2).value_or("");
    const std::string data_type = lower(r.at(3).value_or(""));
    c.type_expression = r.at(4).value_or("");
    c.jdbc_type = jdbc_type(data_type);
    for (char ch : data_type) c.type_name.push_back(static_cast<char>(std::toupper(ch)));
    if (c.type_expression.find(" unsigned") != std::string::npos) c.type_name += " UNSIGNED";
    c.charset = r.at(5);
    if (data_type == "enum" || data_type == "set") {
      c.enum_values = enum_labels(c.type_expression);
    } else {
      const size_t open = c.type_expression.find('(');
      const size_t close = c.type_expression.find(')', open);
      if (open != std::string::npos && close != std::string::npos) {
        const std::string inside = c.type_expression.substr(open + 1, close - open - 1);
        const size_t comma = inside.find(',');
        c.length = number(inside.substr(0, comma));
        if (comma != std::string::npos) c.scale = number(inside.substr(comma + 1));
      }
    }
    c.optional = r.at(6).value_or("YES") == "YES";
    const std::string extra = lower(r.at(7).value_or(""));
    c.auto_incremented = extra.find("auto_increment") != std::string::npos;
    c.generated = extra.find("generated") != std::string::npos ||
                  extra.find("virtual") != std::string::npos ||
                  extra.find("persistent") != std::string::npos;
    if (r.at(8) && !r.at(8)->empty()) c.comment = r.at(8);
    if (r.at(9) && lower(*r.at(9)) != "null") c.default_expression = r.at(9);
    c.position = static_cast<int>(number(r.at(10)).value_or(0));
    if (schema_columns) {
      SchemaColumn& s = (*schema_columns)[{db->first, table->first}].emplace_back();
      s.name = c.name;
      s.data_type = data_type;
      s.column_type = c.type_expression;
      s.nullable = c.optional;
      s.numeric_precision = number(r.at(11));
      s.numeric_scale = number(r.at(12));
      s.datetime_precision = number(r.at(13));
      s.octet_length = number(r.at(14));
      if (auto id = number(r.at(15))) s.collation_id = static_cast<uint32_t>(*id);
    }
    table->second.columns.push_back(std::move(c));
  }
  // MariaDB's JSON is LONGTEXT with a json_valid() check named after the column.
  auto checks = sql.query(
      "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM "
      "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA NOT IN " +
      std::string(kSystemSchemas));
  if (!checks) return tl::unexpected(checks.error());
  for (const auto& r : *checks) {
    auto db = out.find(r.at(0).value_or(""));
    if (db == out.end()) continue;
    auto table = db->second.find(r.at(1).value_or(""));
    if (table == db->second.end()) continue;
    const std::string name = r.at(2).value_or("");
    if (r.at(3).value_or("") != "json_valid(`" + name + "`)") continue;
    for (ColumnDefinition& c : table->second.columns) {
      if (c.name != name) continue;
      c.type_name = "JSON";
      c.jdbc_type = 1111;
    }
  }
  auto keys = sql.query(
      "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
      "WHERE INDEX_NAME = 'PRIMARY' AND TABLE_SCHEMA NOT IN " +
      std::string(kSystemSchemas) + " ORDER BY TABLE_SCHEMA, TABLE_NAME, SEQ_IN_INDEX");
  if (!keys) return tl::unexpected(keys.error());
  for (const auto& r : *keys) {
    auto db = out.find(r.at(0).value_or(""));
    if (db == out.end()) continue;
    auto table = db->second.find(r.at(1).value_or(""));
    if (table != db->second.end()) table->second.primary_key.push_back(r.at(2).value_or(""));
  }
  return out;
}

SchemaColumns schema_columns_of(const TableDefinition& table) {
  SchemaColumns out;
  for (const ColumnDefinition& c : table.columns) {
    SchemaColumnInfo& info = out[c.name];
    if (c.type_name == "UUID") info.extended = ExtendedType::kUuid;
    if (c.type_name == "INET4") info.extended = ExtendedType::kInet4;
    if (c.type_name == "INET6") info.extended = ExtendedType::kInet6;
    if (c.type_name == "JSON" && lower(c.type_expression) == "longtext") {
      info.extended = ExtendedType::kJson;  // MariaDB's JSON alias
    }
    info.default_expression = c.default_expression;
    info.type_name = c.type_name;
    info.length = c.length;
    info.scale = c.scale;
  }
  return out;
}

std::vector<TableChange> table_changes(const DatabaseDefinitions& before,
                                       const DatabaseDefinitions& after) {
  std::vector<TableChange> out;
  for (const auto& [name, table] : after) {
    auto old = before.find(name);
    if (old == before.end()) {
      out.push_back(TableChange{"CREATE", table});
    } else if (!(old->second == table)) {
      out.push_back(TableChange{"ALTER", table});
    }
  }
  for (const auto& [name, table] : before) {
    if (!after.count(name)) out.push_back(TableChange{"DROP", table});
  }
  return out;
}

}  // namespace siphon::source::binlog
