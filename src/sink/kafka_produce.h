#pragma once
// One record handed to librdkafka with copies of its bytes, for Kafka clients that write a
// record at a time (the offset store, tests). Built on rd_kafka_produceva: the variadic
// rd_kafka_producev macros use GNU statement expressions, which -Wpedantic rejects.
#include <optional>
#include <string>

struct rd_kafka_s;

namespace siphon::sink {

// Returns librdkafka's rd_kafka_resp_err_t (0 = queued). nullopt key/value = null.
int produce_copy(rd_kafka_s* rk, const std::string& topic, const std::optional<std::string>& key,
                 const std::optional<std::string>& value, void* opaque = nullptr);

}  // namespace siphon::sink
