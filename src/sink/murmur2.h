#pragma once
// Kafka's default partitioner hash. Debezium's records are partitioned by the Java producer as
// toPositive(murmur2(serialized key bytes)) % partitions, so Siphon must hash the exact same
// bytes the same way for consumers that rely on "one key, one partition" to keep working when a
// pipeline moves from Debezium to Siphon.
#include <cstdint>
#include <string_view>

namespace siphon::sink {

// Java's org.apache.kafka.common.utils.Utils.murmur2: MurmurHash2 with seed 0x9747b28c over the
// bytes in little-endian 32-bit blocks. Returns Java's (signed) int.
int32_t murmur2(std::string_view bytes);

// Utils.toPositive: clears the sign bit (not abs(), which Java's partitioner deliberately avoids
// because abs(INT_MIN) is negative).
constexpr int32_t to_positive(int32_t n) {
  return static_cast<int32_t>(static_cast<uint32_t>(n) & 0x7fffffffU);
}

// The partition Java's default partitioner (and librdkafka's murmur2_random) gives a non-null
// key. `partitions` must be positive.
int32_t partition_for_key(std::string_view key, int32_t partitions);

}  // namespace siphon::sink
