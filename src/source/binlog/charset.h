#pragma once
// Character sets of MySQL/MariaDB text columns and their conversion to UTF-8 (spec/binlog.md
// §8), written out here so nothing is replaced by '?' behind our back: MySQL's latin1 is
// Windows-1252 with its five holes mapped to the C1 controls, ucs2/utf16/utf32 are big-endian,
// utf8mb3 is UTF-8 limited to the BMP.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace siphon::source::binlog {

enum class Charset : uint8_t {
  kBinary,
  kAscii,
  kLatin1,
  kUtf8mb3,
  kUtf8mb4,
  kUcs2,
  kUtf16,
  kUtf16le,
  kUtf32,
};

// The character set of a collation id (MySQL and MariaDB ids, including MariaDB's NO PAD
// (1024 + base) and uca1400 ranges); nullopt for ids Siphon cannot convert.
std::optional<Charset> charset_of_collation(uint32_t collation_id);
// By name as information_schema spells it ("latin1", "utf8mb3", "utf8"...).
std::optional<Charset> charset_by_name(std::string_view name);
const char* charset_name(Charset charset);

// What to do with bytes that are invalid in their charset.
enum class InvalidTextHandling : uint8_t {
  kFail,     // stop: the caller reports the column and the position
  kReplace,  // U+FFFD per invalid sequence
};

struct TextConversion {
  std::string utf8;
  std::optional<size_t> invalid_at;  // kFail: offset of the first invalid byte
};

// Converts `bytes` in `charset` to UTF-8. kBinary is not text: the caller handles it.
TextConversion to_utf8(std::string_view bytes, Charset charset,
                       InvalidTextHandling handling = InvalidTextHandling::kFail);

}  // namespace siphon::source::binlog
