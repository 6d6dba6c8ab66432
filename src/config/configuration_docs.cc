#include "config/configuration_docs.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "config/option_table.h"

namespace siphon::config {
namespace {

constexpr std::string_view kIntro = R"(# Configuration

<!-- Generated from src/config/option_table.cc by `siphon config-docs`; do not edit by hand.
     Regenerate with: build/siphon config-docs > docs/configuration.md -->

Siphon runs as `siphon run FILE`, where `FILE` is a Debezium Server `application.properties`
file. A minimal one for PostgreSQL:

```properties
debezium.source.connector.class=io.debezium.connector.postgresql.PostgresConnector
debezium.source.database.hostname=${PGHOST:localhost}
debezium.source.database.user=siphon
debezium.source.database.dbname=inventory
debezium.source.topic.prefix=inventory
debezium.source.offset.storage.file.filename=data/offsets.dat
debezium.sink.type=file
debezium.sink.file.dir=data/out
```

with the password in the environment: `DEBEZIUM_SOURCE_DATABASE_PASSWORD=...`.

## How the file is read

- **Syntax.** Java `.properties`: `key=value`, `key: value` or `key value`; lines starting
  with `#` or `!` are comments; a line ending in a backslash continues on the next line;
  escapes such as `\t`, `\\`, `\=` and `\uXXXX` work as in Java. When a key appears more than
  once, the last occurrence wins.
- **Values.** Surrounding whitespace is trimmed from every value except passwords. An empty
  value counts as not set, as in Debezium Server: the default applies, and a required key is
  still missing. Enum and boolean values are case-insensitive.
- **Environment overrides.** As in Debezium Server (MicroProfile Config), every key in the
  tables below can be set, or overridden, by an environment variable whose name is the key in
  upper case with every character other than a letter or digit replaced by `_`:
  `DEBEZIUM_SOURCE_DATABASE_PASSWORD` sets `debezium.source.database.password`. The
  environment wins over the file. Values from the environment are used verbatim.
- **Variables.** In values from the file, `${NAME}` is replaced by the environment variable
  `NAME` (also tried in its environment form, so `${db.host}` finds `DB_HOST`) or else by the
  file's property `NAME`; `${NAME:default}` uses `default` when `NAME` is not defined; `$$` is
  a literal `$`. An undefined variable without a default is an error.
- **Quarkus keys.** `quarkus.*` keys are ignored, with one informational message listing them:
  Siphon is not a Quarkus application.
- **Unsupported Debezium keys.** The keys listed in
  [Debezium keys Siphon does not support yet](#debezium-keys-siphon-does-not-support-yet) are
  ignored with a warning (one per row of that table).
- **Anything else is an error:** an unknown `debezium.*` or `siphon.*` key (a likely typo is
  answered with the closest known key), a key with another prefix, an invalid value, or a
  missing required key.
- **Errors.** Siphon reports every configuration error it finds and exits with code 2.
  Passwords never appear in error messages or in the configuration summary logged at startup.
)";

constexpr std::string_view kDifferences = R"(## Deliberate differences from Debezium

- `debezium.source.max.queue.size.in.bytes` bounds memory by default (16 MiB). Debezium's
  default `0` means unbounded; in Siphon `0` means the default.
- `debezium.source.plugin.name` accepts only `pgoutput`, which is therefore the default;
  Debezium's default is `decoderbufs`.
- `debezium.sink.type=file` is Siphon's own durable file sink; Debezium Server has no such
  sink.
- Unknown `debezium.*` keys are errors rather than being passed to the connector unchecked,
  and known but unsupported ones are warnings, so a typo cannot silently change behaviour.
- Regular expressions in the include/exclude lists use ECMAScript syntax (C++ `std::regex`),
  not Java's: no inline flags such as `(?i)`, no possessive quantifiers, no lookbehind.
- Values from environment variables are not searched for `${...}` variables, so a password
  containing `$` needs no escaping there.
- The MariaDB and MySQL connectors require the server to write `binlog_row_metadata=FULL`
  (besides `binlog_format=ROW` and `binlog_row_image=FULL`, which Debezium requires too):
  the table map then names each column and gives its signedness, charset and ENUM/SET labels
  as they were when the event was written. Debezium works without it; Siphon refuses to start
  and its error says what to set.
)";

std::string_view type_name(OptionType type) {
  switch (type) {
    case OptionType::kString:
      return "string";
    case OptionType::kInt:
      return "int";
    case OptionType::kLong:
      return "long";
    case OptionType::kBool:
      return "bool";
    case OptionType::kList:
      return "list";
    case OptionType::kEnum:
      return "enum";
    case OptionType::kPassword:
      return "password";
    case OptionType::kRegexList:
      return "regex list";
    case OptionType::kPassThrough:
      return "family";
  }
  return "?";
}

// Table cells cannot contain a bare '|'.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string code_list(const std::vector<std::string_view>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(fmt::format("`{}`", values[i]));
  }
  return out;
}

std::string default_cell(const OptionSpec& spec) {
  if (spec.required) return spec.applies_when.empty() ? "*required*" : "*conditionally required*";
  if (spec.default_value.empty()) return "(empty)";
  return fmt::format("`{}`", spec.default_value);
}

std::string meaning_cell(const OptionSpec& spec) {
  std::string out(spec.meaning);
  if (spec.type == OptionType::kEnum) {
    out.append(fmt::format(" Allowed: {}.", code_list(spec.allowed)));
  } else if (spec.type == OptionType::kList && !spec.allowed.empty()) {
    out.append(fmt::format(" Items: {}.", code_list(spec.allowed)));
  }
  bool has_min = spec.min != std::numeric_limits<int64_t>::min();
  bool has_max = spec.max != std::numeric_limits<int64_t>::max();
  if (has_min && has_max) {
    out.append(fmt::format(" Range: {} to {}.", spec.min, spec.max));
  } else if (has_min) {
    out.append(fmt::format(" Minimum: {}.", spec.min));
  } else if (has_max) {
    out.append(fmt::format(" Maximum: {}.", spec.max));
  }
  if (!spec.applies_when.empty()) {
    if (spec.required) {
      out.append(fmt::format(" Required when `{}`; ignored otherwise.", spec.applies_when));
    } else {
      out.append(fmt::format(" Used only when `{}`.", spec.applies_when));
    }
  }
  return cell(out);
}

void render_options(std::string& out) {
  std::vector<std::string_view> sections;  // in order of first appearance in the table
  for (const OptionSpec& spec : option_table()) {
    if (std::find(sections.begin(), sections.end(), spec.section) == sections.end()) {
      sections.push_back(spec.section);
    }
  }
  for (std::string_view section : sections) {
    out.append(fmt::format("\n## {}\n\n", section));
    out.append("| key | type | default | meaning |\n");
    out.append("|---|---|---|---|\n");
    for (const OptionSpec& spec : option_table()) {
      if (spec.section != section) continue;
      // A family is shown as "prefix.*": any key under it.
      std::string key(spec.key);
      if (spec.type == OptionType::kPassThrough) key.push_back('*');
      out.append(fmt::format("| `{}` | {} | {} | {} |\n", key, type_name(spec.type),
                             cell(default_cell(spec)), meaning_cell(spec)));
    }
  }
}

void render_unsupported(std::string& out) {
  out.append("\n## Debezium keys Siphon does not support yet\n\n");
  out.append(
      "Setting one of these is not an error: Siphon logs one warning per entry naming the keys "
      "found and\nignores them. `*` stands for any continuation of the key.\n\n");
  out.append("| key | note |\n");
  out.append("|---|---|\n");
  for (const UnsupportedKey& entry : unsupported_debezium_keys()) {
    std::string key(entry.key_or_prefix);
    if (key.back() == '.') key.push_back('*');
    out.append(fmt::format("| `{}` | {} |\n", key, cell(entry.note)));
  }
}

}  // namespace

std::string render_configuration_markdown() {
  std::string out(kIntro);
  render_options(out);
  out.append("\n");
  out.append(kDifferences);
  render_unsupported(out);
  return out;
}

}  // namespace siphon::config
