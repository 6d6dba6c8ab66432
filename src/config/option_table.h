#pragma once
// The single declaration of every configuration key Siphon understands. Validation, the
// environment-variable overrides, describe() and docs/configuration.md are all derived from
// this table, so a key cannot be supported without also being documented.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace siphon::config {

enum class OptionType {
  kString,
  kInt,        // 32-bit unless min/max say otherwise
  kLong,       // 64-bit
  kBool,       // true/false, case-insensitive
  kList,       // comma-separated; `allowed`, when not empty, restricts the items
  kEnum,       // one of `allowed`, case-insensitive, normalised to the spelling in `allowed`
  kPassword,   // never printed: not in errors, describe() or logs
  kRegexList,  // comma-separated regular expressions; every one must compile
  // A family of keys: `key` is a prefix ending in '.', and every key under it is handed as is
  // to the component that owns it, which validates it (the Kafka producer's keys:
  // sink/kafka_producer_config.cc). Read with Config::get_family().
  kPassThrough,
};

struct OptionSpec {
  std::string_view key{};  // full property name, e.g. "debezium.source.database.hostname"
  OptionType type = OptionType::kString;
  std::string_view default_value{};         // "" = no default
  bool required = false;                    // required (for its connector/sink; see `applies_when`)
  std::vector<std::string_view> allowed{};  // kEnum values; kList items
  int64_t min = std::numeric_limits<int64_t>::min();  // kInt/kLong
  int64_t max = std::numeric_limits<int64_t>::max();  // kInt/kLong
  std::string_view meaning{};  // one or two sentences for the docs, incl. differences from Debezium
  // "" = always; otherwise "key=value": `required` only applies when that key has that value,
  // and setting this key has no effect (and draws a warning) otherwise.
  std::string_view applies_when{};
  // Heading of the docs section the key is listed under, e.g. "Source: connection".
  std::string_view section{};
};

// All supported keys, in documentation order.
const std::vector<OptionSpec>& option_table();
// nullptr when `key` is not a supported key.
const OptionSpec* find_option(std::string_view key);
// The kPassThrough family `key` belongs to, or nullptr.
const OptionSpec* find_pass_through(std::string_view key);

// A Debezium key (or family of keys) Siphon recognises but does not implement yet. Setting one
// is a warning, never an error, so existing Debezium Server files keep working.
struct UnsupportedKey {
  // A full property name, or a family: a prefix ending in '.' ("debezium.transforms.") or '*'
  // ("debezium.format.header*").
  std::string_view key_or_prefix;
  std::string_view note;  // why it is not supported / what Siphon does instead
};

const std::vector<UnsupportedKey>& unsupported_debezium_keys();
// The entry covering `key`: an exact entry wins over a family, a longer family over a shorter.
// nullptr when the key is not a known unsupported key.
const UnsupportedKey* find_unsupported(std::string_view key);

// Name of the environment variable overriding `key`, as MicroProfile Config derives it:
// upper case, every non-alphanumeric character replaced by '_'.
std::string environment_variable_for(std::string_view key);

}  // namespace siphon::config
