#pragma once
// A snapshot reads rows with SELECT over the text protocol; the stream decodes binary row images.
// For both to give the same event, each snapshot value is turned into the ColumnValue the row
// decoder would have produced for it, and the one value converter does the rest.
//
// Some columns are selected through an expression whose text carries the stored value exactly:
// ENUM and SET as their index and bitmask (`col`+0), BIT as its number, FLOAT widened to DOUBLE
// (the server prints a FLOAT with 6 digits, a DOUBLE with as many as it takes to read it back).
// The session must use time_zone '+00:00' (TIMESTAMP text is then UTC) and
// character_set_results NULL (strings arrive in their column's charset, as in the binlog).
#include <string>
#include <string_view>

#include "core/error.h"
#include "source/binlog/row_decoder.h"
#include "source/binlog/table_map.h"

namespace siphon::source::binlog {

// The select-list item for `column`, whose name is already quoted as `quoted_name`.
std::string snapshot_select_item(const ColumnDescriptor& column, const std::string& quoted_name);

// The ColumnValue of the text the server sent for snapshot_select_item(column). Errors say why
// (the caller names the table and row).
Result<ColumnValue> column_value_from_text(const ColumnDescriptor& column, std::string_view text);

}  // namespace siphon::source::binlog
