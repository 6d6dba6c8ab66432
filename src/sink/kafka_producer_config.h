#pragma once
// Translates the Java Kafka producer properties a Debezium Server file carries
// (`debezium.sink.kafka.producer.*`) into librdkafka properties, by one table that also generates
// the table in docs/kafka.md. Every Java producer key is listed: translated (possibly under
// another name or with a converted value), checked but not passed on, ignored with a warning (it
// cannot change what Siphon delivers), or rejected (ignoring it would change behaviour the user
// asked for). Keys outside the table are rejected too, so a typo is not silently dropped.
//
// Siphon's safety defaults (applied unless the user sets the key): enable.idempotence=true,
// acks=all, delivery.timeout.ms=0 (librdkafka message.timeout.ms, infinite: an outage of any
// length blocks the pipeline instead of failing records), retries at librdkafka's maximum,
// partitioning by Java's murmur2 of the key bytes, and max.request.size at Java's 1 MiB.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace siphon::sink {

// Prefix of the producer keys in application.properties; error messages name full keys.
inline constexpr std::string_view kProducerKeyPrefix = "debezium.sink.kafka.producer.";

enum class KeyHandling {
  kTranslated,  // passed to librdkafka (see `librdkafka`), after validation
  kChecked,     // validated, not passed on (serializers, store types, partitioner class)
  kIgnored,     // accepted with a warning: it cannot change what is delivered
  kRejected,    // a configuration error: ignoring it would change behaviour
};

// How a value is validated. kSpecial values are converted by code specific to the key.
enum class ValueKind { kText, kInt, kBool, kEnum, kSpecial };

struct ProducerKeyRule {
  // A Java producer key, or a family: a prefix ending in '.' ("sasl.kerberos."). An exact key
  // wins over a family.
  std::string_view java_key;
  KeyHandling handling = KeyHandling::kRejected;
  std::string_view librdkafka{};  // the librdkafka properties it sets ("" when none)
  std::string_view note{};        // why, and value conversions; shown in docs, warnings, errors
  ValueKind kind = ValueKind::kSpecial;
  int64_t min = 0;                          // kInt
  int64_t max = 0;                          // kInt
  std::vector<std::string_view> allowed{};  // kEnum, lower case, matched case-insensitively
  bool secret = false;                      // never printed
};

// The translation table, in documentation order.
const std::vector<ProducerKeyRule>& producer_key_table();
// The rule covering a Java key (without the prefix); nullptr for keys outside the table.
const ProducerKeyRule* find_producer_key_rule(std::string_view java_key);

struct LibrdkafkaProperty {
  std::string name;
  std::string value;
  bool secret = false;  // never printed (passwords, private keys)
};

struct ProducerSettings {
  std::vector<LibrdkafkaProperty> properties;  // for rd_kafka_conf_set, in this order
  std::vector<std::string> warnings;           // for the caller to log once at startup
  bool idempotent = true;                      // the effective enable.idempotence

  // The value of a librdkafka property, or "" when not set.
  std::string_view get(std::string_view name) const;
  // Sets or replaces a property (tests use short timeouts this way).
  void set(std::string_view name, std::string_view value, bool secret = false);
  // "name=value" lines with secrets as "******", for the startup log.
  std::string describe() const;
};

// `java` maps Java keys without kProducerKeyPrefix to their values. Pure: reads no files and
// logs nothing. Every error is ErrorKind::kConfig and names the full key; all errors found are
// reported at once. Secret values never appear in errors or warnings.
Result<ProducerSettings> translate_producer_config(const std::map<std::string, std::string>& java);

// The markdown table of producer_key_table(), as embedded in docs/kafka.md.
std::string render_producer_key_table_markdown();

}  // namespace siphon::sink
