// Vectors computed from the definition of Kafka's Utils.murmur2 (an independent transcription in
// Python with explicit 32-bit wrap-around). They agree with the Java results Kafka's own UtilsTest
// and librdkafka's rdmurmur2 unit test publish for the keys the three share ("21", "foobar",
// "kafka", "1234", ...). kafka_partitioner_test.cc cross-checks the partition against librdkafka.
#include "sink/murmur2.h"

#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace siphon::sink {
namespace {

std::string bytes(std::initializer_list<unsigned char> b) {
  return std::string(b.begin(), b.end());
}

struct Vector {
  std::string key;
  int32_t hash;
  int32_t partition_of_7;
  int32_t partition_of_12;
};

TEST(Murmur2, MatchesJavaVectors) {
  const Vector vectors[] = {
      {"", 275646681, 2, 9},
      {"kafka", -798503068, 3, 4},
      {"giberish123456789", -1890243828, 5, 8},
      {"1234", -1614185708, 0, 0},
      {"234", -406844982, 4, 2},
      {"34", -2026295078, 6, 6},
      {"4", 1514888353, 6, 1},
      {"PreAmbleWillBeRemoved,ThePrePartThatIs", 2017611548, 1, 8},
      {"21", -973932308, 3, 0},
      {"foobar", -790332482, 0, 6},
      {"a-little-bit-long-string", -985981536, 1, 8},
      {"a-little-bit-longer-string", -1486304829, 0, 11},
      {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971, 3, 5},
      {"abc", 479470107, 4, 3},
  };
  for (const Vector& v : vectors) {
    EXPECT_EQ(murmur2(v.key), v.hash) << "key '" << v.key << "'";
    EXPECT_EQ(partition_for_key(v.key, 7), v.partition_of_7) << "key '" << v.key << "'";
    EXPECT_EQ(partition_for_key(v.key, 12), v.partition_of_12) << "key '" << v.key << "'";
  }
}

// Bytes >= 0x80 are where a C port goes wrong (sign extension of char); every tail length too.
TEST(Murmur2, HighBytesAndEveryTailLength) {
  EXPECT_EQ(murmur2(bytes({0xff})), -311467685);
  EXPECT_EQ(murmur2(bytes({0x80, 0x81})), 1642145146);
  EXPECT_EQ(murmur2(bytes({0xff, 0xfe, 0xfd})), 998637092);
  EXPECT_EQ(murmur2(bytes({0xff, 0xfe, 0xfd, 0xfc})), 2136149935);
  EXPECT_EQ(murmur2(bytes({0xff, 0xfe, 0xfd, 0xfc, 0xfb})), 524068735);
  EXPECT_EQ(murmur2("\xc3\xa9\xe2\x82\xac"), 1912689889);  // "é€" in UTF-8
}

// Keys as Debezium writes them: the JsonConverter bytes, with and without the schema envelope.
TEST(Murmur2, DebeziumJsonKeys) {
  EXPECT_EQ(murmur2(R"({"id":1})"), -56768732);
  EXPECT_EQ(partition_for_key(R"({"id":1})", 7), 3);
  const std::string with_schema =
      R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],)"
      R"("optional":false,"name":"pg.public.orders.Key"},"payload":{"id":42}})";
  EXPECT_EQ(murmur2(with_schema), 2042451639);
  EXPECT_EQ(partition_for_key(with_schema, 12), 3);
}

TEST(Murmur2, ToPositiveClearsTheSignBitOnly) {
  EXPECT_EQ(to_positive(0), 0);
  EXPECT_EQ(to_positive(5), 5);
  EXPECT_EQ(to_positive(-1), std::numeric_limits<int32_t>::max());
  // abs() would overflow here; Java's partitioner maps INT_MIN to 0.
  EXPECT_EQ(to_positive(std::numeric_limits<int32_t>::min()), 0);
}

TEST(Murmur2, OnePartitionTakesEverything) {
  for (const char* key : {"", "a", "kafka", "{\"id\":7}"}) EXPECT_EQ(partition_for_key(key, 1), 0);
}

}  // namespace
}  // namespace siphon::sink
