#include "core/decimal.h"

#include <gtest/gtest.h>

#include <string>

namespace siphon {
namespace {

std::string hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

ParsedDecimal decimal(bool negative, std::string digits, int32_t scale) {
  ParsedDecimal d;
  d.negative = negative;
  d.digits = std::move(digits);
  d.scale = scale;
  return d;
}

void expect_decimal(const std::optional<ParsedDecimal>& d, bool negative, const std::string& digits,
                    int32_t scale) {
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->negative, negative);
  EXPECT_EQ(d->digits, digits);
  EXPECT_EQ(d->scale, scale);
}

// ---- parse_decimal -----------------------------------------------------------------------------

TEST(ParseDecimal, PlainNumbers) {
  expect_decimal(parse_decimal("123.4500"), false, "1234500", 4);
  expect_decimal(parse_decimal("-0.001"), true, "1", 3);
  expect_decimal(parse_decimal("42"), false, "42", 0);
  expect_decimal(parse_decimal("+5"), false, "5", 0);
  expect_decimal(parse_decimal("007.50"), false, "750", 2);
  expect_decimal(parse_decimal("12345.678900"), false, "12345678900", 6);
  expect_decimal(parse_decimal("0.00000000000000000000000000012"), false, "12", 29);
  expect_decimal(parse_decimal("99999999999999999999999999999999999999"), false,
                 "99999999999999999999999999999999999999", 0);
}

TEST(ParseDecimal, ZeroIsNeverNegative) {
  expect_decimal(parse_decimal("0"), false, "0", 0);
  expect_decimal(parse_decimal("-0"), false, "0", 0);
  expect_decimal(parse_decimal("-0.00"), false, "0", 2);
  expect_decimal(parse_decimal("000.000"), false, "0", 3);
}

TEST(ParseDecimal, LeadingOrTrailingPoint) {
  expect_decimal(parse_decimal(".5"), false, "5", 1);
  expect_decimal(parse_decimal("-.25"), true, "25", 2);
  expect_decimal(parse_decimal("5."), false, "5", 0);
}

TEST(ParseDecimal, Exponents) {
  expect_decimal(parse_decimal("1.5e-3"), false, "15", 4);
  expect_decimal(parse_decimal("1.5E3"), false, "1500", 0);
  expect_decimal(parse_decimal("1e+2"), false, "100", 0);
  expect_decimal(parse_decimal("-2.50e1"), true, "250", 1);
  expect_decimal(parse_decimal("0e5"), false, "0", 0);
  expect_decimal(parse_decimal("12e0"), false, "12", 0);
  expect_decimal(parse_decimal("1e-0"), false, "1", 0);
}

TEST(ParseDecimal, RejectsEverythingElse) {
  for (const char* text : {"",    "-",   "+",   ".",     "-.",  "abc",      "1.2.3",     "1e",
                           "1e+", "1e-", "1ex", "1e5.5", "NaN", "Infinity", "-Infinity", "1 ",
                           " 1",  "--1", "1-",  "0x10",  "1,5", "1e100001"}) {
    EXPECT_FALSE(parse_decimal(text).has_value()) << "'" << text << "'";
  }
}

// ---- rescale -----------------------------------------------------------------------------------

TEST(Rescale, WideningAppendsZeros) {
  auto r = rescale(decimal(false, "314", 2), 4);
  EXPECT_EQ(r.digits, "31400");
  EXPECT_EQ(r.scale, 4);
  auto zero = rescale(decimal(false, "0", 1), 3);
  EXPECT_EQ(zero.digits, "0");
  EXPECT_EQ(zero.scale, 3);
  auto same = rescale(decimal(true, "5", 1), 1);
  EXPECT_EQ(same.digits, "5");
  EXPECT_TRUE(same.negative);
}

TEST(Rescale, NarrowingRoundsHalfUp) {
  struct Case {
    const char* text;
    int32_t scale;
    bool negative;
    const char* digits;
  };
  const Case cases[] = {
      {"3.14159", 2, false, "314"}, {"2.675", 2, false, "268"},  {"2.665", 2, false, "267"},
      {"2.6749", 2, false, "267"},  {"9.995", 2, false, "1000"}, {"99.5", 0, false, "100"},
      {"0.5", 0, false, "1"},       {"0.4", 0, false, "0"},      {"0.05", 0, false, "0"},
      {"0.149", 1, false, "1"},     {"0.0149", 2, false, "1"},   {"0.0051", 2, false, "1"},
      {"0.00051", 2, false, "0"},   {"-2.5", 0, true, "3"},      {"-2.4", 0, true, "2"},
      {"-0.4", 0, false, "0"},      {"-0.05", 1, true, "1"},     {"0.000", 1, false, "0"},
  };
  for (const auto& c : cases) {
    auto d = parse_decimal(c.text);
    ASSERT_TRUE(d) << c.text;
    auto r = rescale(*d, c.scale);
    EXPECT_EQ(r.digits, c.digits) << c.text << " to scale " << c.scale;
    EXPECT_EQ(r.negative, c.negative) << c.text << " to scale " << c.scale;
    EXPECT_EQ(r.scale, c.scale);
  }
}

// ---- unscaled_bytes (BigInteger.toByteArray) ---------------------------------------------------

TEST(UnscaledBytes, MinimalTwosComplement) {
  struct Case {
    const char* text;
    const char* hex;
  };
  const Case cases[] = {
      {"0", "00"},
      {"1", "01"},
      {"-1", "FF"},
      {"127", "7F"},
      {"128", "0080"},
      {"-128", "80"},
      {"-129", "FF7F"},
      {"255", "00FF"},
      {"256", "0100"},
      {"-256", "FF00"},
      {"32767", "7FFF"},
      {"32768", "008000"},
      {"-32768", "8000"},
      {"-32769", "FF7FFF"},
      {"65535", "00FFFF"},
      {"3.14", "013A"},
      {"-3.14", "FEC6"},
      {"9223372036854775808", "008000000000000000"},
      {"-9223372036854775808", "8000000000000000"},
      {"18446744073709551615", "00FFFFFFFFFFFFFFFF"},
      {"100000000000000000000", "056BC75E2D63100000"},
      {"-100000000000000000000", "FA9438A1D29CF00000"},
      {"12345678901234567890123456789012345678", "0949B0F6F0023313C4499050DE38F34E"},
      {"-99999999999999999999999999999999999999", "B4C4B357A5793B85F675DDC000000001"},
  };
  for (const auto& c : cases) {
    auto d = parse_decimal(c.text);
    ASSERT_TRUE(d) << c.text;
    EXPECT_EQ(hex(unscaled_bytes(*d)), c.hex) << c.text;
  }
}

TEST(UnscaledBytes, ScaleDoesNotChangeTheBytes) {
  EXPECT_EQ(hex(unscaled_bytes(decimal(false, "12345", 2))), "3039");
  EXPECT_EQ(hex(unscaled_bytes(decimal(false, "12345", 0))), "3039");
}

TEST(UnscaledBytes, PowersOfTwoAroundByteBoundaries) {
  // 2^(8k-1) needs a leading zero byte; -2^(8k-1) does not; -2^(8k-1)-1 needs a 0xFF byte.
  std::string pow = "1";
  for (int bits = 1; bits <= 128; ++bits) {
    // pow *= 2 in decimal.
    int carry = 0;
    for (int i = static_cast<int>(pow.size()) - 1; i >= 0; --i) {
      int v = (pow[i] - '0') * 2 + carry;
      pow[i] = static_cast<char>('0' + v % 10);
      carry = v / 10;
    }
    if (carry) pow.insert(pow.begin(), '1');
    if (bits % 8 != 7) continue;
    const size_t bytes = static_cast<size_t>(bits + 1) / 8;
    std::string pos = unscaled_bytes(decimal(false, pow, 0));
    ASSERT_EQ(pos.size(), bytes + 1) << "2^" << bits;
    EXPECT_EQ(static_cast<unsigned char>(pos[0]), 0x00) << "2^" << bits;
    EXPECT_EQ(static_cast<unsigned char>(pos[1]), 0x80) << "2^" << bits;
    std::string neg = unscaled_bytes(decimal(true, pow, 0));
    ASSERT_EQ(neg.size(), bytes) << "-2^" << bits;
    EXPECT_EQ(static_cast<unsigned char>(neg[0]), 0x80) << "-2^" << bits;
    for (size_t i = 1; i < neg.size(); ++i) EXPECT_EQ(neg[i], '\0') << "-2^" << bits;
  }
}

TEST(UnscaledBytes, DigitsWithLeadingZeros) {
  EXPECT_EQ(hex(unscaled_bytes(decimal(false, "000128", 0))), "0080");
  EXPECT_EQ(hex(unscaled_bytes(decimal(true, "0001", 0))), "FF");
}

}  // namespace
}  // namespace siphon
