#pragma once
// Parsers for the text forms PostgreSQL's output functions print under DateStyle=ISO and
// TimeZone=UTC (the session settings Siphon fixes on every connection; spec/pgoutput.md §4).
#include <cstdint>
#include <optional>
#include <string_view>

namespace siphon::source::postgres {

// "2024-02-29", "0044-03-15 BC" -> days since 1970-01-01. Infinity is reported separately.
struct PgDate {
  int64_t days = 0;
  int infinity = 0;  // +1 / -1 for 'infinity' / '-infinity'
};
std::optional<PgDate> parse_pg_date(std::string_view text);

// "13:45:06.123456" -> microseconds since midnight (24:00:00 allowed).
std::optional<int64_t> parse_pg_time(std::string_view text);

// "2024-02-29 13:45:06.5" (timestamp) or "2024-02-29 13:45:06.5+05:30" (timestamptz) ->
// microseconds since 1970-01-01 UTC; a zone offset, when present, is applied.
struct PgTimestamp {
  int64_t micros = 0;
  int infinity = 0;
};
std::optional<PgTimestamp> parse_pg_timestamp(std::string_view text, bool with_zone);

}  // namespace siphon::source::postgres
