#pragma once
// Debezium's capture filters: include/exclude lists of regular expressions matched against the
// whole name — "<schema>" for schema lists, "<schema>.<table>" for table lists (MySQL:
// database instead of schema), case-insensitively as Debezium does. An include list, when
// given, admits only what it matches.
#include <regex>
#include <string>
#include <vector>

#include "core/error.h"

namespace siphon::source {

// One include/exclude pair over plain names (message.prefix.include.list / exclude.list): the
// include list, when given, wins and the exclude list is then ignored, as in Debezium.
class NameFilter {
 public:
  static Result<NameFilter> create(const std::vector<std::string>& include,
                                   const std::vector<std::string>& exclude);

  bool accepts(const std::string& name) const;

 private:
  std::vector<std::regex> include_, exclude_;
};

class TableFilter {
 public:
  // `column_include`/`column_exclude` match "<schema>.<table>.<column>" (column.include.list,
  // column.exclude.list; set one of them).
  static Result<TableFilter> create(const std::vector<std::string>& schema_include,
                                    const std::vector<std::string>& schema_exclude,
                                    const std::vector<std::string>& table_include,
                                    const std::vector<std::string>& table_exclude,
                                    const std::vector<std::string>& column_include = {},
                                    const std::vector<std::string>& column_exclude = {});

  bool captures(const std::string& schema, const std::string& table) const;
  // Whether the schema (database) include/exclude lists admit it; tables may still be filtered.
  bool captures_schema(const std::string& schema) const;
  // Whether a column of a captured table is in its events' values.
  bool captures_column(const std::string& schema, const std::string& table,
                       const std::string& column) const;

 private:
  static bool any(const std::vector<std::regex>& patterns, const std::string& name);

  std::vector<std::regex> schema_include_, schema_exclude_, table_include_, table_exclude_;
  std::vector<std::regex> column_include_, column_exclude_;
};

}  // namespace siphon::source
