#include "source/table_filter.h"

#include <algorithm>

namespace siphon::source {

namespace {

Status compile(const std::vector<std::string>& in, std::vector<std::regex>& out) {
  for (const auto& pattern : in) {
    try {
      out.emplace_back(pattern, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
    } catch (const std::regex_error& e) {
      return make_error(ErrorKind::kConfig, "invalid regular expression '{}': {}", pattern,
                        e.what());
    }
  }
  return ok();
}

}  // namespace

Result<TableFilter> TableFilter::create(const std::vector<std::string>& schema_include,
                                        const std::vector<std::string>& schema_exclude,
                                        const std::vector<std::string>& table_include,
                                        const std::vector<std::string>& table_exclude,
                                        const std::vector<std::string>& column_include,
                                        const std::vector<std::string>& column_exclude) {
  TableFilter f;
  if (auto s = compile(column_include, f.column_include_); !s) return tl::unexpected(s.error());
  if (auto s = compile(column_exclude, f.column_exclude_); !s) return tl::unexpected(s.error());
  if (auto s = compile(schema_include, f.schema_include_); !s) return tl::unexpected(s.error());
  if (auto s = compile(schema_exclude, f.schema_exclude_); !s) return tl::unexpected(s.error());
  if (auto s = compile(table_include, f.table_include_); !s) return tl::unexpected(s.error());
  if (auto s = compile(table_exclude, f.table_exclude_); !s) return tl::unexpected(s.error());
  return f;
}

bool TableFilter::any(const std::vector<std::regex>& patterns, const std::string& name) {
  for (const auto& re : patterns) {
    if (std::regex_match(name, re)) return true;
  }
  return false;
}

bool TableFilter::captures_schema(const std::string& schema) const {
  if (!schema_include_.empty() && !any(schema_include_, schema)) return false;
  return !any(schema_exclude_, schema);
}

bool TableFilter::captures(const std::string& schema, const std::string& table) const {
  if (!captures_schema(schema)) return false;
  std::string qualified = schema + "." + table;
  if (!table_include_.empty() && !any(table_include_, qualified)) return false;
  if (any(table_exclude_, qualified)) return false;
  return true;
}

bool TableFilter::captures_column(const std::string& schema, const std::string& table,
                                  const std::string& column) const {
  std::string qualified = schema + "." + table + "." + column;
  if (!column_include_.empty() && !any(column_include_, qualified)) return false;
  return !any(column_exclude_, qualified);
}

Result<NameFilter> NameFilter::create(const std::vector<std::string>& include,
                                      const std::vector<std::string>& exclude) {
  NameFilter f;
  if (auto s = compile(include, f.include_); !s) return tl::unexpected(s.error());
  if (f.include_.empty()) {
    if (auto s = compile(exclude, f.exclude_); !s) return tl::unexpected(s.error());
  }
  return f;
}

bool NameFilter::accepts(const std::string& name) const {
  auto any = [&](const std::vector<std::regex>& patterns) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::regex& re) { return std::regex_match(name, re); });
  };
  if (!include_.empty()) return any(include_);
  return !any(exclude_);
}

}  // namespace siphon::source
