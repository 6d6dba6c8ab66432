#pragma once
// One row of COPY ... TO STDOUT in text format (PostgreSQL manual, "COPY", File Formats / Text
// Format): fields separated by tabs, \N for NULL, backslash escapes for the delimiter, newline
// and other control characters. The values are the types' output functions, exactly what
// pgoutput sends in text mode, so a snapshot row converts like a streamed one.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace siphon::source::postgres {

// Parses `line` (with or without its trailing newline) into `fields` (nullopt = NULL).
Status parse_copy_text_row(std::string_view line, std::vector<std::optional<std::string>>& fields);

}  // namespace siphon::source::postgres
