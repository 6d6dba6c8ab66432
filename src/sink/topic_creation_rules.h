#pragma once
// Kafka Connect's topic creation settings (KIP-158) as Debezium documents them, read from
// `debezium.source.topic.creation.*`:
//   topic.creation.default.replication.factor / .partitions   required to turn creation on
//   topic.creation.default.<topic config>                      e.g. cleanup.policy=compact
//   topic.creation.groups=g1,g2                                custom groups, matched in order
//   topic.creation.<g>.include / .exclude                      comma-separated regexes matched
//                                                              against the whole topic name
//   topic.creation.<g>.replication.factor / .partitions / .<topic config>
// A topic takes the first group whose include matches and whose exclude does not; otherwise the
// default group. Custom groups inherit the default group's replication factor and partitions,
// not its topic configs.
// `topic.creation.enable=false` (a worker setting in Kafka Connect) turns creation off.
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "sink/kafka_topic_admin.h"

namespace siphon::sink {

// Prefix of the keys in application.properties; errors name full keys.
inline constexpr std::string_view kTopicCreationPrefix = "debezium.source.topic.creation.";

class TopicCreationRules {
 public:
  // `settings` maps keys without kTopicCreationPrefix to values. nullopt: creation is off (no
  // default group, or disabled). Errors are ErrorKind::kConfig naming the full key.
  static Result<std::optional<TopicCreationRules>> parse(
      const std::map<std::string, std::string>& settings);

  // What CreateTopics asks for `topic`.
  NewTopicSpec spec_for(const std::string& topic) const;
  // The group that applies to `topic` ("default" or a custom group's name).
  const std::string& group_for(const std::string& topic) const;

 private:
  struct Group {
    std::string name;
    std::vector<std::regex> include;
    std::vector<std::regex> exclude;
    std::optional<int> replication_factor;
    std::optional<int> partitions;
    std::map<std::string, std::string> configs;
  };
  const Group& match(const std::string& topic) const;

  Group default_;
  std::vector<Group> groups_;
};

}  // namespace siphon::sink
