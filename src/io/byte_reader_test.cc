#include "io/byte_reader.h"

#include <gtest/gtest.h>

namespace siphon::io {

TEST(ByteReader, ReadsBigEndianIntegersAndStrings) {
  const uint8_t data[] = {0x00, 0x00, 0x01, 0x02, 0xff, 0xfe, 'a', 'b', 0, 0x7f};
  ByteReader r(data, sizeof data);
  EXPECT_EQ(r.u32_be(), 0x102u);
  EXPECT_EQ(r.i16_be(), -2);
  EXPECT_EQ(r.cstring(), "ab");
  EXPECT_EQ(r.u8(), 0x7f);
  EXPECT_TRUE(r.at_end());
}

TEST(ByteReader, RefusesToReadPastTheEnd) {
  const uint8_t data[] = {0x01, 0x02, 0x03};
  ByteReader r(data, sizeof data);
  EXPECT_EQ(r.u32_be(), std::nullopt);
  EXPECT_EQ(r.offset(), 0u);  // a failed read consumes nothing
  EXPECT_EQ(r.bytes(4), std::nullopt);
  EXPECT_EQ(r.cstring(), std::nullopt);  // no terminator
  EXPECT_EQ(r.u16_be(), 0x0102);
  EXPECT_EQ(r.u64_be(), std::nullopt);
}

}  // namespace siphon::io

TEST(ByteReader, ReadsLittleEndianIntegersOfEveryBinlogWidth) {
  const uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
  siphon::io::ByteReader r(bytes, sizeof bytes);
  EXPECT_EQ(r.u16_le(), 0x0201u);
  EXPECT_EQ(r.u24_le(), 0x050403u);
  EXPECT_EQ(r.uint_be(2), 0x0607u);
  EXPECT_TRUE(r.skip(1));
  EXPECT_EQ(r.u16_le(), std::nullopt);  // one byte left
  EXPECT_EQ(r.uint_le(1), 0x09u);
  EXPECT_FALSE(r.skip(1));
  siphon::io::ByteReader r2(bytes, sizeof bytes);
  EXPECT_EQ(r2.u48_le(), 0x060504030201u);
  EXPECT_EQ(r2.u32_le(), std::nullopt);
  siphon::io::ByteReader r3(bytes, sizeof bytes);
  EXPECT_EQ(r3.u64_le(), 0x0807060504030201u);
}
