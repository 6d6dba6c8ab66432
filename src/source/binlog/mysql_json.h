#pragma once
// MySQL's binary JSON (the JSON column in a MySQL 8 row image) to the JSON text MySQL itself
// prints (spec/binlog.md §6): ", " and ": " separators, keys in stored order, doubles in
// shortest round-trip form, opaque DECIMAL/DATE/TIME/DATETIME values as MySQL renders them.
#include <string>
#include <string_view>

#include "core/error.h"

namespace siphon::source::binlog {

// An empty document is JSON null (MySQL writes a zero length for it). Errors carry the offset
// inside the document.
Result<std::string> mysql_json_to_text(std::string_view document);

}  // namespace siphon::source::binlog
