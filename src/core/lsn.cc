#include "core/lsn.h"

#include <charconv>

#include <fmt/format.h>

namespace siphon {

std::string Lsn::to_string() const {
  return fmt::format("{:X}/{:X}", static_cast<uint32_t>(value_ >> 32),
                     static_cast<uint32_t>(value_));
}

std::optional<Lsn> Lsn::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= text.size()) return {};
  uint32_t hi = 0, lo = 0;
  auto r1 = std::from_chars(text.data(), text.data() + slash, hi, 16);
  auto r2 = std::from_chars(text.data() + slash + 1, text.data() + text.size(), lo, 16);
  if (r1.ec != std::errc() || r1.ptr != text.data() + slash) return {};
  if (r2.ec != std::errc() || r2.ptr != text.data() + text.size()) return {};
  return Lsn((static_cast<uint64_t>(hi) << 32) | lo);
}

}  // namespace siphon
