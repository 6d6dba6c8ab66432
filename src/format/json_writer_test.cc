#include "format/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

namespace siphon::format {
namespace {

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::string base64(std::string_view bytes, bool url_safe = false, bool pad = true) {
  std::string out;
  append_base64(out, bytes, url_safe, pad);
  return out;
}

// ---- Java's Double.toString / Float.toString ---------------------------------------------------

TEST(JavaDoubleString, PlainBetweenOneThousandthAndTenMillion) {
  EXPECT_EQ(java_double_string(0.1), "0.1");
  EXPECT_EQ(java_double_string(1.0), "1.0");
  EXPECT_EQ(java_double_string(100.0), "100.0");
  EXPECT_EQ(java_double_string(0.001), "0.001");
  EXPECT_EQ(java_double_string(0.00123), "0.00123");
  EXPECT_EQ(java_double_string(123456.789), "123456.789");
  EXPECT_EQ(java_double_string(1234567.0), "1234567.0");
  EXPECT_EQ(java_double_string(9999999.0), "9999999.0");
  EXPECT_EQ(java_double_string(9999999.999), "9999999.999");
  EXPECT_EQ(java_double_string(0.5), "0.5");
  EXPECT_EQ(java_double_string(-1.5), "-1.5");
  EXPECT_EQ(java_double_string(3.14), "3.14");
}

TEST(JavaDoubleString, ComputerizedScientificNotationOutside) {
  EXPECT_EQ(java_double_string(1.0E7), "1.0E7");
  EXPECT_EQ(java_double_string(1.2345678E7), "1.2345678E7");
  EXPECT_EQ(java_double_string(123456789.12345679), "1.2345678912345679E8");
  EXPECT_EQ(java_double_string(1.0E10), "1.0E10");
  EXPECT_EQ(java_double_string(1.0E21), "1.0E21");
  EXPECT_EQ(java_double_string(1.0E23), "1.0E23");
  EXPECT_EQ(java_double_string(9.223372036854776E18), "9.223372036854776E18");
  EXPECT_EQ(java_double_string(1.0E-4), "1.0E-4");
  EXPECT_EQ(java_double_string(9.99E-4), "9.99E-4");
  EXPECT_EQ(java_double_string(-2.5E-5), "-2.5E-5");
  EXPECT_EQ(java_double_string(1.0E-300), "1.0E-300");
  EXPECT_EQ(java_double_string(std::numeric_limits<double>::max()), "1.7976931348623157E308");
  EXPECT_EQ(java_double_string(std::numeric_limits<double>::min()), "2.2250738585072014E-308");
}

TEST(JavaDoubleString, Zeros) {
  EXPECT_EQ(java_double_string(0.0), "0.0");
  EXPECT_EQ(java_double_string(-0.0), "-0.0");
}

// Java prints at least two significant digits (d.dE-x) and picks, among those, the decimal closest
// to the value: Double.MIN_VALUE (4.94...E-324) is "4.9E-324", where the shortest round-trip
// digit string alone would give "5.0E-324".
TEST(JavaDoubleString, SmallestSubnormal) {
  EXPECT_EQ(java_double_string(std::numeric_limits<double>::denorm_min()), "4.9E-324");
}

TEST(JavaDoubleString, NonFiniteAreQuotedInJson) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(java_double_string(nan), "NaN");
  EXPECT_EQ(java_double_string(inf), "Infinity");
  EXPECT_EQ(java_double_string(-inf), "-Infinity");
  std::string out;
  append_java_double(out, nan);
  out += ',';
  append_java_double(out, inf);
  out += ',';
  append_java_double(out, -inf);
  out += ',';
  append_java_double(out, 2.5);
  EXPECT_EQ(out, "\"NaN\",\"Infinity\",\"-Infinity\",2.5");
}

TEST(JavaFloatString, ShortestDigitsOfTheFloat) {
  EXPECT_EQ(java_float_string(0.1f), "0.1");  // not 0.10000000149011612
  EXPECT_EQ(java_float_string(1.0f), "1.0");
  EXPECT_EQ(java_float_string(3.14f), "3.14");
  EXPECT_EQ(java_float_string(100.0f), "100.0");
  EXPECT_EQ(java_float_string(0.001f), "0.001");
  EXPECT_EQ(java_float_string(1.0E-4f), "1.0E-4");
  EXPECT_EQ(java_float_string(1.0E7f), "1.0E7");
  EXPECT_EQ(java_float_string(1.0E10f), "1.0E10");
  EXPECT_EQ(java_float_string(16777216.0f), "1.6777216E7");
  EXPECT_EQ(java_float_string(std::numeric_limits<float>::max()), "3.4028235E38");
  EXPECT_EQ(java_float_string(-0.0f), "-0.0");
}

TEST(JavaFloatString, SmallestSubnormal) {
  EXPECT_EQ(java_float_string(std::numeric_limits<float>::denorm_min()), "1.4E-45");
}

TEST(JavaFloatString, NonFiniteAreQuotedInJson) {
  std::string out;
  append_java_float(out, std::numeric_limits<float>::quiet_NaN());
  out += ',';
  append_java_float(out, -std::numeric_limits<float>::infinity());
  out += ',';
  append_java_float(out, 0.1f);
  EXPECT_EQ(out, "\"NaN\",\"-Infinity\",0.1");
}

TEST(JavaDoubleString, RoundTripsThroughAJsonParser) {
  for (double v : {0.1, 1.0 / 3, 2.0 / 3 * 1e-5, 6.02214076e23, 1e-7, 12345.678, 1e7, 9.999e6}) {
    std::string out;
    append_java_double(out, v);
    EXPECT_EQ(nlohmann::json::parse(out).get<double>(), v) << out;
  }
}

// ---- integers ----------------------------------------------------------------------------------

TEST(JsonWriter, Integers) {
  std::string out;
  append_int(out, 0);
  out += ',';
  append_int(out, -42);
  out += ',';
  append_int(out, std::numeric_limits<int64_t>::max());
  out += ',';
  append_int(out, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(out, "0,-42,9223372036854775807,-9223372036854775808");
}

// ---- strings -----------------------------------------------------------------------------------

TEST(JsonString, QuotesAndBackslash) {
  EXPECT_EQ(json_string(""), "\"\"");
  EXPECT_EQ(json_string("plain"), "\"plain\"");
  EXPECT_EQ(json_string("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(json_string("C:\\dir\\"), "\"C:\\\\dir\\\\\"");
  EXPECT_EQ(json_string("a/b"), "\"a/b\"") << "the slash is not escaped";
}

TEST(JsonString, ShortEscapes) {
  EXPECT_EQ(json_string("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
  EXPECT_EQ(json_string("line1\nline2"), "\"line1\\nline2\"");
}

TEST(JsonString, OtherControlCharactersAsUnicodeEscapes) {
  EXPECT_EQ(json_string(std::string("\0", 1)), "\"\\u0000\"");
  EXPECT_EQ(json_string("\x01"), "\"\\u0001\"");
  EXPECT_EQ(json_string("a\x07z"), "\"a\\u0007z\"");
  EXPECT_EQ(json_string("\x10"), "\"\\u0010\"");
  EXPECT_EQ(json_string("\x7f"), "\"\x7f\"") << "DEL is not a control character for JSON";
}

// Jackson writes the hex digits of \u escapes in upper case (CharTypes.HC = "0123456789ABCDEF",
// JsonWriteFeature.WRITE_HEX_UPPER_CASE enabled by default), so vertical tab is \u000B.
TEST(JsonString, UnicodeEscapesUseUpperCaseHexLikeJackson) {
  EXPECT_EQ(json_string("\x0b"), "\"\\u000B\"");
  EXPECT_EQ(json_string("\x1f"), "\"\\u001F\"");
  EXPECT_EQ(json_string("\x1a\x1b"), "\"\\u001A\\u001B\"");
}

TEST(JsonString, Utf8PassesThroughUntouched) {
  const std::string text = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xa8";
  EXPECT_EQ(json_string(text), "\"" + text + "\"");
}

TEST(JsonString, AppendsToWhatIsThere) {
  std::string out = "{\"k\":";
  append_json_string(out, "v\"");
  out += '}';
  EXPECT_EQ(out, "{\"k\":\"v\\\"\"}");
  EXPECT_EQ(nlohmann::json::parse(out)["k"], "v\"");
}

TEST(JsonString, EveryByteBelow128RoundTripsThroughAJsonParser) {
  std::string all;
  for (int c = 0; c < 128; ++c) all.push_back(static_cast<char>(c));
  std::string out = json_string(all);
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), all);
}

// ---- base64 ------------------------------------------------------------------------------------

TEST(Base64, StandardAlphabetPadded) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64(std::string("\x30\x39")), "MDk=");  // 12345, the Decimal of spec §2.5
  EXPECT_EQ(base64(std::string("\xfb\xff\xbf")), "+/+/");
  EXPECT_EQ(base64(std::string("\x00\x00\x00", 3)), "AAAA");
  EXPECT_EQ(base64(std::string("\xff\xff\xff\xff")), "/////w==");
}

TEST(Base64, WithoutPadding) {
  EXPECT_EQ(base64("f", false, false), "Zg");
  EXPECT_EQ(base64("fo", false, false), "Zm8");
  EXPECT_EQ(base64("foo", false, false), "Zm9v");
  EXPECT_EQ(base64("", false, false), "");
}

TEST(Base64, UrlSafeAlphabet) {
  EXPECT_EQ(base64(std::string("\xfb\xff\xbf"), true), "-_-_");
  EXPECT_EQ(base64(std::string("\xfb\xff"), true), "-_8=");
  EXPECT_EQ(base64(std::string("\xfb\xff"), true, false), "-_8");
  EXPECT_EQ(base64("foobar", true), "Zm9vYmFy");
}

TEST(Base64, AppendsToWhatIsThere) {
  std::string out = "\"";
  append_base64(out, "foo");
  out += '"';
  EXPECT_EQ(out, "\"Zm9v\"");
}

TEST(Base64, AllByteValues) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string enc = base64(all);
  EXPECT_EQ(enc.size(), 344u);
  EXPECT_EQ(enc.substr(0, 12), "AAECAwQFBgcI");
  EXPECT_EQ(enc.substr(enc.size() - 8), "/P3+/w==");
}

}  // namespace
}  // namespace siphon::format
