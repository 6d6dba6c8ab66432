#pragma once
// PostgreSQL WAL position. A strong type so an LSN is never confused with a count or an xid.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace siphon {

class Lsn {
 public:
  constexpr Lsn() = default;
  constexpr explicit Lsn(uint64_t value) : value_(value) {}

  constexpr uint64_t value() const { return value_; }
  constexpr bool is_zero() const { return value_ == 0; }
  auto operator<=>(const Lsn&) const = default;

  // "16/B374D848", the form PostgreSQL prints and accepts.
  std::string to_string() const;
  static std::optional<Lsn> parse(std::string_view text);

 private:
  uint64_t value_ = 0;
};

}  // namespace siphon
