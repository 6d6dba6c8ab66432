#include "sink/topic_creation_rules.h"

#include <charconv>
#include <set>

namespace siphon::sink {
namespace {

std::string full_key(std::string_view key) {
  return std::string(kTopicCreationPrefix) + std::string(key);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    size_t b = item.find_first_not_of(" \t");
    size_t e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    start = comma + 1;
  }
  return out;
}

// Replication factor and partitions: a positive number, or -1 for the broker's default.
Result<int> parse_count(std::string_view key, const std::string& value) {
  int v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || (v < 1 && v != -1)) {
    return make_error(ErrorKind::kConfig,
                      "{}: '{}' is not valid; expected a positive integer, or -1 for the "
                      "broker's default",
                      full_key(key), value);
  }
  return v;
}

Result<std::vector<std::regex>> parse_patterns(std::string_view key, const std::string& value) {
  std::vector<std::regex> out;
  for (const std::string& pattern : split_list(value)) {
    try {
      out.emplace_back(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return make_error(ErrorKind::kConfig, "{}: '{}' is not a valid regular expression: {}",
                        full_key(key), pattern, e.what());
    }
  }
  return out;
}

bool matches_any(const std::vector<std::regex>& patterns, const std::string& topic) {
  for (const std::regex& re : patterns) {
    if (std::regex_match(topic, re)) return true;
  }
  return false;
}

}  // namespace

Result<std::optional<TopicCreationRules>> TopicCreationRules::parse(
    const std::map<std::string, std::string>& settings) {
  if (auto it = settings.find("enable"); it != settings.end()) {
    if (it->second != "true" && it->second != "false") {
      return make_error(ErrorKind::kConfig, "{}: '{}' is not valid; expected true or false",
                        full_key("enable"), it->second);
    }
    if (it->second == "false") return std::nullopt;
  }

  TopicCreationRules rules;
  rules.default_.name = "default";
  std::vector<std::string> group_names;
  if (auto it = settings.find("groups"); it != settings.end()) {
    group_names = split_list(it->second);
  }
  std::set<std::string> known(group_names.begin(), group_names.end());
  if (known.count("default") != 0) {
    return make_error(ErrorKind::kConfig,
                      "{}: 'default' is the built-in group and cannot be listed",
                      full_key("groups"));
  }
  std::map<std::string, Group*> by_name{{"default", &rules.default_}};
  rules.groups_.resize(group_names.size());
  for (size_t i = 0; i < group_names.size(); ++i) {
    rules.groups_[i].name = group_names[i];
    by_name[group_names[i]] = &rules.groups_[i];
  }

  for (const auto& [key, value] : settings) {
    if (key == "enable" || key == "groups") continue;
    size_t dot = key.find('.');
    std::string group_name = dot == std::string::npos ? key : key.substr(0, dot);
    auto group = by_name.find(group_name);
    if (group == by_name.end() || dot == std::string::npos) {
      return make_error(ErrorKind::kConfig,
                        "{}: unknown topic creation group '{}'; groups are 'default' and those "
                        "listed in {}",
                        full_key(key), group_name, full_key("groups"));
    }
    Group& g = *group->second;
    std::string setting = key.substr(dot + 1);
    if (setting == "replication.factor") {
      auto v = parse_count(key, value);
      if (!v) return tl::unexpected(v.error());
      g.replication_factor = *v;
    } else if (setting == "partitions") {
      auto v = parse_count(key, value);
      if (!v) return tl::unexpected(v.error());
      g.partitions = *v;
    } else if (setting == "include" || setting == "exclude") {
      if (&g == &rules.default_) {
        return make_error(ErrorKind::kConfig,
                          "{}: the default group applies to every topic no other group takes; "
                          "it has no include or exclude list",
                          full_key(key));
      }
      auto patterns = parse_patterns(key, value);
      if (!patterns) return tl::unexpected(patterns.error());
      (setting == "include" ? g.include : g.exclude) = std::move(*patterns);
    } else {
      g.configs[setting] = value;  // a topic-level config, checked by the broker
    }
  }

  // As in Kafka Connect: without both defaults, topic creation is off for the connector.
  if (!rules.default_.replication_factor && !rules.default_.partitions) {
    if (!group_names.empty()) {
      return make_error(ErrorKind::kConfig,
                        "{} lists groups, but {} and {} are not set; both are required for "
                        "topic creation",
                        full_key("groups"), full_key("default.replication.factor"),
                        full_key("default.partitions"));
    }
    return std::nullopt;
  }
  if (!rules.default_.replication_factor || !rules.default_.partitions) {
    return make_error(ErrorKind::kConfig,
                      "{} and {} must both be set for topic creation (-1 takes the broker's "
                      "default)",
                      full_key("default.replication.factor"), full_key("default.partitions"));
  }
  for (const Group& g : rules.groups_) {
    if (g.include.empty()) {
      return make_error(ErrorKind::kConfig, "{}: group '{}' needs an include list",
                        full_key(g.name + ".include"), g.name);
    }
  }
  return rules;
}

const TopicCreationRules::Group& TopicCreationRules::match(const std::string& topic) const {
  for (const Group& g : groups_) {
    if (matches_any(g.include, topic) && !matches_any(g.exclude, topic)) return g;
  }
  return default_;
}

const std::string& TopicCreationRules::group_for(const std::string& topic) const {
  return match(topic).name;
}

NewTopicSpec TopicCreationRules::spec_for(const std::string& topic) const {
  const Group& g = match(topic);
  NewTopicSpec spec;
  spec.name = topic;
  spec.replication_factor = g.replication_factor.value_or(*default_.replication_factor);
  spec.partitions = g.partitions.value_or(*default_.partitions);
  // As in Kafka Connect, topic configs are the group's own: a custom group inherits only the
  // replication factor and partition count.
  spec.configs = g.configs;
  return spec;
}

}  // namespace siphon::sink
