#pragma once
// Decimal numbers as Kafka Connect's Decimal carries them: the unscaled integer as big-endian
// two's complement in the fewest bytes that hold its sign (Java's BigInteger.toByteArray).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace siphon {

struct ParsedDecimal {
  bool negative = false;
  std::string digits;  // unscaled magnitude, decimal digits, no leading zeros ("0" for zero)
  int32_t scale = 0;   // digits after the decimal point
};

// Parses "-123.4500" (optionally with an exponent "1.5e-3"). nullopt for anything else,
// including NaN and Infinity, which a Decimal cannot carry.
std::optional<ParsedDecimal> parse_decimal(std::string_view text);

// Changes the scale by appending zeros or dropping digits (rounding half up).
ParsedDecimal rescale(const ParsedDecimal& d, int32_t scale);

// BigInteger.toByteArray() of the signed unscaled value.
std::string unscaled_bytes(const ParsedDecimal& d);

}  // namespace siphon
