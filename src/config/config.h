#pragma once
// The validated configuration of one Siphon process: a Debezium Server application.properties
// file, overridden by environment variables, checked against option_table(). Once loaded, every
// supported key has a valid value (explicit or default), so readers need no error handling.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/environment.h"
#include "core/error.h"

namespace siphon::config {

class Config {
 public:
  // Reads `path` and validates it; every error is ErrorKind::kConfig.
  static Result<Config> load_file(const std::string& path, const Environment& env);
  // Validates already parsed properties (the last occurrence of a key wins). Warnings (unsupported
  // Debezium keys, keys without effect) are logged here and kept in warnings().
  static Result<Config> from_properties(
      const std::vector<std::pair<std::string, std::string>>& props, const Environment& env);

  // The value, or the table default when the key was not set. Enum and bool values are
  // normalised to the spelling in the table ("TRUE" reads as "true"). `key` must be in the
  // option table (asserted).
  const std::string& get(std::string_view key) const;
  int64_t get_int(std::string_view key) const;  // for kInt and kLong keys
  bool get_bool(std::string_view key) const;    // for kBool keys
  // Comma-separated items, trimmed, empty items dropped. For regex lists, commas inside (), []
  // and {} or escaped with a backslash do not split ("a{1,3}" is one pattern).
  std::vector<std::string> get_list(std::string_view key) const;
  // Whether the key was given explicitly (in the file or the environment) with a non-empty
  // value; an empty value counts as unset, as in MicroProfile Config.
  bool is_set(std::string_view key) const;
  // The keys given under a kPassThrough family (`prefix` is its table key, ending in '.'),
  // without the prefix, with their values expanded and overridden by the environment like any
  // other key's. `prefix` must be a kPassThrough key of the option table (asserted).
  std::map<std::string, std::string> get_family(std::string_view prefix) const;
  const std::vector<std::string>& warnings() const { return warnings_; }
  // One "key=value" line per supported key, for the startup log; passwords are "******".
  std::string describe() const;

 private:
  Config() = default;

  std::map<std::string, std::string, std::less<>> values_;  // every table key
  std::set<std::string, std::less<>> explicit_keys_;
  std::map<std::string, std::string, std::less<>> family_values_;  // full key -> value
  std::vector<std::string> warnings_;
};

}  // namespace siphon::config
