#pragma once
// Reader for Java .properties files (the format of Debezium Server's application.properties),
// following java.util.Properties.load so files written for Debezium read the same here.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace siphon::config {

// Key/value pairs in the order keys first appear; each key once, with its last value.
using Properties = std::vector<std::pair<std::string, std::string>>;

// Parses .properties text: `key=value`, `key: value` or `key value`; `#`/`!` comment lines;
// a line ending in an odd number of backslashes continues on the next line (whose leading
// whitespace is dropped); escapes \t \n \r \f \\ \uXXXX (to UTF-8) and \<any> for <any>.
// Values keep trailing whitespace, as Java does. Errors are kConfig and name the line.
Result<Properties> parse_properties(std::string_view text);

// Reads and parses a file; errors name the path (and line).
Result<Properties> read_properties_file(const std::string& path);

}  // namespace siphon::config
