#include "config/config.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <limits>
#include <optional>
#include <regex>
#include <unordered_map>

#include <fmt/format.h>

#include "config/option_table.h"
#include "config/properties_file.h"
#include "core/log.h"

namespace siphon::config {
namespace {

constexpr std::string_view kMasked = "******";
constexpr std::string_view kDocsHint = "see docs/configuration.md";
constexpr size_t kMaxSuggestionDistance = 3;

constexpr std::string_view kTopicPrefix = "debezium.source.topic.prefix";
constexpr std::string_view kSlotName = "debezium.source.slot.name";
constexpr std::string_view kMaxBatchSize = "debezium.source.max.batch.size";
constexpr std::string_view kMaxQueueSize = "debezium.source.max.queue.size";
constexpr std::string_view kMaxQueueBytes = "debezium.source.max.queue.size.in.bytes";
constexpr size_t kMaxSlotNameLength = 63;  // PostgreSQL's NAMEDATALEN - 1

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitution});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string suggestion_for(std::string_view key) {
  const OptionSpec* best = nullptr;
  size_t best_distance = kMaxSuggestionDistance + 1;
  for (const OptionSpec& spec : option_table()) {
    size_t d = edit_distance(key, spec.key);
    if (d < best_distance) {
      best = &spec;
      best_distance = d;
    }
  }
  return best == nullptr ? "" : fmt::format(" (did you mean '{}'?)", best->key);
}

std::string join(const std::vector<std::string_view>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.append(separator);
    out.append(items[i]);
  }
  return out;
}

// Splits a comma-separated value into trimmed, non-empty items. Regex lists keep commas that
// are escaped or inside (), [] or {} so that "a{1,3}" stays one pattern.
std::vector<std::string> split_list(std::string_view value, bool regex) {
  std::vector<std::string> items;
  std::string current;
  int depth = 0;
  auto flush = [&] {
    std::string_view item = trim(current);
    if (!item.empty()) items.emplace_back(item);
    current.clear();
  };
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (regex && c == '\\' && i + 1 < value.size()) {
      current.push_back(c);
      current.push_back(value[++i]);
      continue;
    }
    if (regex && (c == '(' || c == '[' || c == '{')) ++depth;
    if (regex && (c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    if (c == ',' && depth == 0) {
      flush();
    } else {
      current.push_back(c);
    }
  }
  flush();
  return items;
}

// What a value looks like in messages: passwords never appear anywhere.
std::string_view shown(const OptionSpec& spec, std::string_view value) {
  return spec.type == OptionType::kPassword ? kMasked : value;
}

std::pair<int64_t, int64_t> integer_range(const OptionSpec& spec) {
  int64_t lo = spec.min;
  int64_t hi = spec.max;
  if (spec.type == OptionType::kInt) {
    lo = std::max<int64_t>(lo, std::numeric_limits<int32_t>::min());
    hi = std::min<int64_t>(hi, std::numeric_limits<int32_t>::max());
  }
  return {lo, hi};
}

std::optional<int64_t> parse_integer(std::string_view s) {
  if (s.starts_with('+')) s.remove_prefix(1);  // Java's Integer.parseInt accepts a plus sign
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Checks `value` against the spec; returns the normalised value or an error message.
tl::expected<std::string, std::string> check_value(const OptionSpec& spec, std::string value) {
  switch (spec.type) {
    case OptionType::kString:
    case OptionType::kPassword:
      return value;
    case OptionType::kInt:
    case OptionType::kLong: {
      auto [lo, hi] = integer_range(spec);
      std::optional<int64_t> v = parse_integer(value);
      if (v && *v >= lo && *v <= hi) return std::to_string(*v);
      if (hi == std::numeric_limits<int64_t>::max()) {
        return tl::unexpected(fmt::format("{}: expected an integer >= {}, got '{}'", spec.key, lo,
                                          shown(spec, value)));
      }
      return tl::unexpected(fmt::format("{}: expected an integer between {} and {}, got '{}'",
                                        spec.key, lo, hi, shown(spec, value)));
    }
    case OptionType::kBool:
      if (iequals(value, "true")) return std::string("true");
      if (iequals(value, "false")) return std::string("false");
      return tl::unexpected(
          fmt::format("{}: expected true or false, got '{}'", spec.key, shown(spec, value)));
    case OptionType::kEnum:
      for (std::string_view allowed : spec.allowed) {
        if (iequals(value, allowed)) return std::string(allowed);
      }
      return tl::unexpected(fmt::format("{}: expected one of {}, got '{}'", spec.key,
                                        join(spec.allowed, ", "), shown(spec, value)));
    case OptionType::kList: {
      if (spec.allowed.empty()) return value;
      std::vector<std::string> items = split_list(value, /*regex=*/false);
      std::string normalised;
      for (const std::string& item : items) {
        auto it = std::find_if(spec.allowed.begin(), spec.allowed.end(),
                               [&](std::string_view a) { return iequals(a, item); });
        if (it == spec.allowed.end()) {
          return tl::unexpected(fmt::format("{}: '{}' is not one of {} (in '{}')", spec.key, item,
                                            join(spec.allowed, ", "), value));
        }
        if (!normalised.empty()) normalised.push_back(',');
        normalised.append(*it);
      }
      return normalised;
    }
    case OptionType::kPassThrough:
      return value;  // validated by the family's owner
    case OptionType::kRegexList:
      for (const std::string& pattern : split_list(value, /*regex=*/true)) {
        try {
          std::regex re(pattern, std::regex::ECMAScript | std::regex::icase);
        } catch (const std::regex_error& e) {
          return tl::unexpected(
              fmt::format("{}: invalid regular expression '{}': {}", spec.key, pattern, e.what()));
        }
      }
      return value;
  }
  return value;
}

// Expands ${NAME} and ${NAME:default} in file values, and $$ to $. NAME is looked up, as
// MicroProfile Config does, in the environment (as given, then in its environment-variable
// form) and then among the file's properties. Values that come from the environment are used
// verbatim: a password containing '$' needs no escaping there.
class Expander {
 public:
  Expander(const std::unordered_map<std::string, std::string>& file, const Environment& env)
      : file_(file), env_(env) {}

  // Expands the file value of `key`.
  tl::expected<std::string, std::string> expand_property(const std::string& key) {
    if (auto it = done_.find(key); it != done_.end()) return it->second;
    if (std::find(in_progress_.begin(), in_progress_.end(), key) != in_progress_.end()) {
      return tl::unexpected(fmt::format("{}: its value refers to itself through ${{...}}", key));
    }
    in_progress_.push_back(key);
    std::string_view text = file_.at(key);
    size_t pos = 0;
    auto result = expand(key, text, pos, /*nested=*/false, /*evaluate=*/true);
    in_progress_.pop_back();
    if (result) done_.emplace(key, *result);
    return result;
  }

 private:
  // Expands text[pos...] up to its end, or for a default value (nested) up to the '}' that
  // closes it. With evaluate=false it only finds the end (a default that is not needed must not
  // fail for an undefined variable of its own).
  tl::expected<std::string, std::string> expand(const std::string& key, std::string_view text,
                                                size_t& pos, bool nested, bool evaluate) {
    std::string out;
    while (pos < text.size()) {
      char c = text[pos];
      if (nested && c == '}') return out;
      if (c != '$' || pos + 1 >= text.size() || (text[pos + 1] != '$' && text[pos + 1] != '{')) {
        out.push_back(c);
        ++pos;
        continue;
      }
      if (text[pos + 1] == '$') {
        out.push_back('$');
        pos += 2;
        continue;
      }
      pos += 2;  // "${"
      size_t name_begin = pos;
      while (pos < text.size() && text[pos] != '}' && text[pos] != ':') ++pos;
      if (pos >= text.size()) return tl::unexpected(unterminated(key));
      std::string name(text.substr(name_begin, pos - name_begin));
      if (name.empty() || name.find_first_of("${ ") != std::string::npos) {
        return tl::unexpected(fmt::format("{}: invalid variable name '{}' in ${{...}}", key, name));
      }
      std::optional<std::string> value;
      if (evaluate) {
        auto looked_up = lookup(name);
        if (!looked_up) return tl::unexpected(looked_up.error());
        value = std::move(*looked_up);
      }
      if (text[pos] == ':') {
        ++pos;
        auto fallback = expand(key, text, pos, /*nested=*/true, evaluate && !value);
        if (!fallback) return fallback;
        if (pos >= text.size()) return tl::unexpected(unterminated(key));
        if (evaluate && !value) value = std::move(*fallback);
      } else if (evaluate && !value) {
        return tl::unexpected(
            fmt::format("{}: undefined variable '{}' (set it in the environment or give a default: "
                        "${{{}:default}})",
                        key, name, name));
      }
      ++pos;  // '}'
      if (evaluate) out.append(*value);
    }
    if (nested) return tl::unexpected(unterminated(key));
    return out;
  }

  // nullopt when the name is not defined (empty counts as undefined, as in MicroProfile).
  tl::expected<std::optional<std::string>, std::string> lookup(const std::string& name) {
    if (auto v = env_.get(name); v && !v->empty()) return v;
    std::string env_name = environment_variable_for(name);
    if (env_name != name) {
      if (auto v = env_.get(env_name); v && !v->empty()) return v;
    }
    if (auto it = file_.find(name); it != file_.end() && !it->second.empty()) {
      auto v = expand_property(name);
      if (!v) return tl::unexpected(v.error());
      if (!v->empty()) return std::optional<std::string>(std::move(*v));
    }
    return std::optional<std::string>();
  }

  static std::string unterminated(std::string_view key) {
    return fmt::format("{}: unterminated ${{ in value (write $$ for a literal $)", key);
  }

  const std::unordered_map<std::string, std::string>& file_;
  const Environment& env_;
  std::unordered_map<std::string, std::string> done_;
  std::vector<std::string> in_progress_;
};

// applies_when is "key=value" or "key=value1|value2|..."; true when that key currently has
// one of those values.
bool applies(const OptionSpec& spec,
             const std::map<std::string, std::string, std::less<>>& values) {
  if (spec.applies_when.empty()) return true;
  size_t eq = spec.applies_when.find('=');
  assert(eq != std::string_view::npos && "applies_when must be key=value");
  auto it = values.find(spec.applies_when.substr(0, eq));
  assert(it != values.end() && "applies_when must name a key of the option table");
  if (it == values.end()) return false;
  std::string_view alternatives = spec.applies_when.substr(eq + 1);
  while (true) {
    size_t bar = alternatives.find('|');
    if (it->second == alternatives.substr(0, bar)) return true;
    if (bar == std::string_view::npos) return false;
    alternatives.remove_prefix(bar + 1);
  }
}

// A key given in the file that Siphon ignores with a warning.
struct IgnoredGroup {
  const UnsupportedKey* entry;
  std::vector<std::string_view> keys;
};

}  // namespace

Result<Config> Config::load_file(const std::string& path, const Environment& env) {
  auto props = read_properties_file(path);
  if (!props) return tl::unexpected(props.error());
  return from_properties(*props, env);
}

Result<Config> Config::from_properties(
    const std::vector<std::pair<std::string, std::string>>& props, const Environment& env) {
  std::vector<std::string> errors;

  // The last occurrence of a key wins, as in java.util.Properties.
  std::unordered_map<std::string, std::string> file;
  std::vector<std::string_view> order;  // keys in order of first appearance
  for (const auto& [key, value] : props) {
    auto [it, inserted] = file.insert_or_assign(key, value);
    if (inserted) order.push_back(it->first);
  }

  // Classify the file's keys before looking at any value.
  std::vector<std::string_view> quarkus_keys;
  std::vector<IgnoredGroup> ignored;
  for (std::string_view key : order) {
    if (find_option(key) != nullptr || find_pass_through(key) != nullptr) continue;
    if (key.starts_with("quarkus.")) {
      quarkus_keys.push_back(key);
      continue;
    }
    if (const UnsupportedKey* entry = find_unsupported(key)) {
      auto group = std::find_if(ignored.begin(), ignored.end(),
                                [&](const IgnoredGroup& g) { return g.entry == entry; });
      if (group == ignored.end()) {
        ignored.push_back({entry, {key}});
      } else {
        group->keys.push_back(key);
      }
      continue;
    }
    bool ours = key.starts_with("debezium.") || key.starts_with("siphon.");
    errors.push_back(fmt::format(
        "unknown configuration key '{}'{}{}; {}", key, suggestion_for(key),
        ours ? "" : " (Siphon reads debezium.*, siphon.* and quarkus.* keys)", kDocsHint));
  }

  // Resolve every supported key: environment first, then the file (expanded), then the default.
  Config config;
  Expander expander(file, env);
  std::set<std::string_view> invalid;  // keys whose value was rejected: no "missing" error too
  for (const OptionSpec& spec : option_table()) {
    if (spec.type == OptionType::kPassThrough) {
      // The family's keys are whatever the file gives; their owner validates them.
      for (std::string_view file_key : order) {
        if (!file_key.starts_with(spec.key) || file_key.size() == spec.key.size()) continue;
        std::string key(file_key);
        std::optional<std::string> given;
        if (auto v = env.get(environment_variable_for(key)); v && !v->empty()) {
          given = std::move(v);
        } else {
          auto expanded = expander.expand_property(key);
          if (!expanded) {
            errors.push_back(expanded.error());
            continue;
          }
          given = std::move(*expanded);
        }
        // As for every key, an empty value counts as unset. Values are not trimmed here: the
        // owner knows which of them are secrets that keep their whitespace.
        if (!given->empty()) config.family_values_[key] = std::move(*given);
      }
      continue;
    }
    std::string key(spec.key);
    std::optional<std::string> given;
    if (auto v = env.get(environment_variable_for(key)); v && !v->empty()) {
      given = std::move(v);
    } else if (auto it = file.find(key); it != file.end()) {
      auto expanded = expander.expand_property(key);
      if (!expanded) {
        errors.push_back(expanded.error());
        invalid.insert(spec.key);
        config.values_[key] = std::string(spec.default_value);
        continue;
      }
      given = std::move(*expanded);
    }
    if (given && spec.type != OptionType::kPassword) given = std::string(trim(*given));
    if (!given || given->empty()) {
      config.values_[key] = std::string(spec.default_value);
      continue;
    }
    auto checked = check_value(spec, std::move(*given));
    if (!checked) {
      errors.push_back(checked.error());
      invalid.insert(spec.key);
      config.values_[key] = std::string(spec.default_value);
      continue;
    }
    config.values_[key] = std::move(*checked);
    config.explicit_keys_.insert(key);
  }

  // Rules that involve a particular key or several keys.
  auto value_of = [&](std::string_view key) -> const std::string& {
    return config.values_.find(key)->second;
  };
  if (config.is_set(kTopicPrefix)) {
    const std::string& prefix = value_of(kTopicPrefix);
    bool valid = std::all_of(prefix.begin(), prefix.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '.' || c == '-';
    });
    if (!valid) {
      errors.push_back(
          fmt::format("{}: only letters, digits, '_', '.' and '-' are allowed, got '{}'",
                      kTopicPrefix, prefix));
    }
  }
  if (config.is_set(kSlotName)) {
    const std::string& slot = value_of(kSlotName);
    bool valid =
        slot.size() <= kMaxSlotNameLength && std::all_of(slot.begin(), slot.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        });
    if (!valid) {
      errors.push_back(fmt::format(
          "{}: expected lower-case letters, digits and '_' (at most {} characters), got '{}'",
          kSlotName, kMaxSlotNameLength, slot));
    }
  }
  for (std::string_view kind : {"schema", "table", "message.prefix", "database", "column"}) {
    std::string include = fmt::format("debezium.source.{}.include.list", kind);
    std::string exclude = fmt::format("debezium.source.{}.exclude.list", kind);
    if (config.is_set(include) && config.is_set(exclude)) {
      errors.push_back(
          fmt::format("{} and {} cannot both be set; use one of them", include, exclude));
    }
  }
  if (config.get_int(kMaxQueueSize) <= config.get_int(kMaxBatchSize)) {
    errors.push_back(fmt::format("{} ({}) must be larger than {} ({})", kMaxQueueSize,
                                 value_of(kMaxQueueSize), kMaxBatchSize, value_of(kMaxBatchSize)));
  }
  if (config.get_int(kMaxQueueBytes) == 0) {
    // Debezium's 0 means unbounded; Siphon always bounds its memory.
    config.values_[std::string(kMaxQueueBytes)] =
        std::string(find_option(kMaxQueueBytes)->default_value);
  }

  std::vector<std::string> no_effect;
  for (const OptionSpec& spec : option_table()) {
    bool applicable = applies(spec, config.values_);
    if (spec.required && applicable && !config.is_set(spec.key) && !invalid.contains(spec.key)) {
      std::string condition =
          spec.applies_when.empty() ? "" : fmt::format("required when {}; ", spec.applies_when);
      errors.push_back(fmt::format(
          "missing required key '{}' ({}set it in the file or with the environment variable {})",
          spec.key, condition, environment_variable_for(spec.key)));
    }
    if (spec.type == OptionType::kPassThrough && !applicable &&
        !config.get_family(spec.key).empty()) {
      no_effect.push_back(
          fmt::format("{}* keys have no effect unless {}", spec.key, spec.applies_when));
    }
    if (!applicable && config.is_set(spec.key)) {
      no_effect.push_back(fmt::format("{} has no effect unless {}", spec.key, spec.applies_when));
    }
  }

  // A bad value referenced through ${...} by other keys is reported once, not once per use.
  std::vector<std::string> unique_errors;
  for (std::string& e : errors) {
    if (std::find(unique_errors.begin(), unique_errors.end(), e) == unique_errors.end()) {
      unique_errors.push_back(std::move(e));
    }
  }
  errors = std::move(unique_errors);
  if (!errors.empty()) {
    if (errors.size() == 1) return make_error(ErrorKind::kConfig, "{}", errors.front());
    std::string message = fmt::format("{} configuration errors:", errors.size());
    for (const std::string& e : errors) message.append("\n  ").append(e);
    return make_error(ErrorKind::kConfig, "{}", message);
  }

  // One warning per unsupported entry, however many of its keys the file sets.
  std::vector<std::string> warnings;
  for (const IgnoredGroup& group : ignored) {
    warnings.push_back(fmt::format("ignoring {}: not supported by Siphon yet ({})",
                                   join(group.keys, ", "), group.entry->note));
  }
  warnings.insert(warnings.end(), no_effect.begin(), no_effect.end());
  if (!quarkus_keys.empty()) {
    log::info("ignoring Quarkus keys (Siphon is not a Quarkus application): {}",
              join(quarkus_keys, ", "));
  }
  for (const std::string& w : warnings) log::warn("{}", w);
  config.warnings_ = std::move(warnings);
  return config;
}

const std::string& Config::get(std::string_view key) const {
  assert(find_option(key) != nullptr && "Config::get: key is not in the option table");
  auto it = values_.find(key);
  if (it == values_.end()) {
    static const std::string empty;
    return empty;
  }
  return it->second;
}

int64_t Config::get_int(std::string_view key) const {
  std::optional<int64_t> v = parse_integer(get(key));
  assert(v && "Config::get_int: not an integer key");
  return v.value_or(0);
}

bool Config::get_bool(std::string_view key) const {
  const std::string& v = get(key);
  assert((v == "true" || v == "false") && "Config::get_bool: not a boolean key");
  return v == "true";
}

std::vector<std::string> Config::get_list(std::string_view key) const {
  const OptionSpec* spec = find_option(key);
  return split_list(get(key), spec != nullptr && spec->type == OptionType::kRegexList);
}

bool Config::is_set(std::string_view key) const {
  return explicit_keys_.contains(key);
}

std::map<std::string, std::string> Config::get_family(std::string_view prefix) const {
  assert(find_option(prefix) != nullptr && find_option(prefix)->type == OptionType::kPassThrough &&
         "Config::get_family: not a pass-through family");
  std::map<std::string, std::string> out;
  for (auto it = family_values_.lower_bound(prefix);
       it != family_values_.end() && std::string_view(it->first).starts_with(prefix); ++it) {
    out.emplace(it->first.substr(prefix.size()), it->second);
  }
  return out;
}

std::string Config::describe() const {
  std::string out;
  for (const OptionSpec& spec : option_table()) {
    // A family's values may hold secrets only its owner can tell apart; the owner logs them.
    if (spec.type == OptionType::kPassThrough) continue;
    out.append(spec.key).append("=").append(shown(spec, get(spec.key))).append("\n");
  }
  return out;
}

}  // namespace siphon::config
