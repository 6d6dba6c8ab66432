#pragma once
// Appends JSON text to a string the way Kafka Connect's JsonConverter (Jackson) prints it:
// compact, UTF-8 passed through, control characters escaped, floats as Java's
// Float/Double.toString, bytes as padded standard base64. Written by hand because it is the hot
// path of every event and must match Jackson byte for byte.
#include <cstdint>
#include <string>
#include <string_view>

namespace siphon::format {

void append_json_string(std::string& out, std::string_view text);
void append_base64(std::string& out, std::string_view bytes, bool url_safe = false,
                   bool pad = true);
void append_int(std::string& out, int64_t v);
// Java's Double.toString / Float.toString (shortest round-trip digits), quoted for NaN/Infinity
// as Jackson does with QUOTE_NON_NUMERIC_NUMBERS.
void append_java_double(std::string& out, double v);
void append_java_float(std::string& out, float v);

std::string java_double_string(double v);
std::string java_float_string(float v);

}  // namespace siphon::format
