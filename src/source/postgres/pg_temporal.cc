#include "source/postgres/pg_temporal.h"

#include "core/civil_time.h"

namespace siphon::source::postgres {
namespace {

class Cursor {
 public:
  explicit Cursor(std::string_view t) : t_(t) {}
  bool done() const { return i_ >= t_.size(); }
  char peek() const { return done() ? '\0' : t_[i_]; }
  bool take(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  // Reads at least `min` and at most `max` digits.
  std::optional<int64_t> number(size_t min, size_t max) {
    size_t start = i_;
    int64_t v = 0;
    while (!done() && i_ - start < max && t_[i_] >= '0' && t_[i_] <= '9')
      v = v * 10 + (t_[i_++] - '0');
    if (i_ - start < min) return {};
    return v;
  }
  // Fractional seconds ".123" as microseconds.
  int64_t fraction_micros() {
    if (!take('.')) return 0;
    int64_t v = 0;
    int digits = 0;
    while (!done() && t_[i_] >= '0' && t_[i_] <= '9') {
      if (digits < 6) {
        v = v * 10 + (t_[i_] - '0');
        ++digits;
      }
      ++i_;
    }
    while (digits++ < 6) v *= 10;
    return v;
  }
  bool rest_is(std::string_view s) const { return t_.substr(i_) == s; }
  void skip(size_t n) { i_ += n; }

 private:
  std::string_view t_;
  size_t i_ = 0;
};

std::optional<CivilDate> date_part(Cursor& c) {
  auto y = c.number(4, 9);
  if (!y || !c.take('-')) return {};
  auto m = c.number(2, 2);
  if (!m || !c.take('-')) return {};
  auto d = c.number(2, 2);
  if (!d || *m < 1 || *m > 12 || *d < 1 || *d > 31) return {};
  return CivilDate{*y, static_cast<unsigned>(*m), static_cast<unsigned>(*d)};
}

// Days since 1970-01-01; years BC are printed as their positive number with " BC", and
// 1 BC is year 0 of the proleptic calendar.
int64_t to_days(const CivilDate& d, bool bc) {
  return days_from_civil(bc ? 1 - d.year : d.year, d.month, d.day);
}

std::optional<int64_t> time_part(Cursor& c) {
  auto h = c.number(2, 2);
  if (!h || !c.take(':')) return {};
  auto m = c.number(2, 2);
  if (!m || !c.take(':')) return {};
  auto s = c.number(2, 2);
  if (!s || *h > 24 || *m > 59 || *s > 60) return {};
  return ((*h * 60 + *m) * 60 + *s) * 1'000'000 + c.fraction_micros();
}

}  // namespace

std::optional<PgDate> parse_pg_date(std::string_view text) {
  if (text == "infinity") return PgDate{0, 1};
  if (text == "-infinity") return PgDate{0, -1};
  Cursor c(text);
  auto date = date_part(c);
  if (!date) return {};
  bool bc = c.rest_is(" BC");
  if (!bc && !c.done()) return {};
  return PgDate{to_days(*date, bc), 0};
}

std::optional<int64_t> parse_pg_time(std::string_view text) {
  Cursor c(text);
  auto t = time_part(c);
  if (!t || !c.done()) return {};
  return t;
}

std::optional<PgTimestamp> parse_pg_timestamp(std::string_view text, bool with_zone) {
  if (text == "infinity") return PgTimestamp{0, 1};
  if (text == "-infinity") return PgTimestamp{0, -1};
  Cursor c(text);
  auto date = date_part(c);
  if (!date || !c.take(' ')) return {};
  auto t = time_part(c);
  if (!t) return {};
  int64_t offset_seconds = 0;
  if (with_zone && (c.peek() == '+' || c.peek() == '-')) {
    bool negative = c.peek() == '-';
    c.skip(1);
    auto oh = c.number(2, 2);
    if (!oh) return {};
    int64_t om = 0, os = 0;
    if (c.take(':')) {
      auto m = c.number(2, 2);
      if (!m) return {};
      om = *m;
      if (c.take(':')) {
        auto s = c.number(2, 2);
        if (!s) return {};
        os = *s;
      }
    }
    offset_seconds = (*oh * 3600 + om * 60 + os) * (negative ? -1 : 1);
  }
  bool bc = c.rest_is(" BC");
  if (bc) c.skip(3);
  if (!c.done()) return {};
  // PostgreSQL's range reaches year 294276, whose microseconds since 1970 exceed int64: such
  // values cannot be represented and are reported instead of wrapping around.
  int64_t micros = 0;
  if (__builtin_mul_overflow(to_days(*date, bc), 86'400'000'000LL, &micros) ||
      __builtin_add_overflow(micros, *t - offset_seconds * 1'000'000, &micros)) {
    return {};
  }
  return PgTimestamp{micros, 0};
}

}  // namespace siphon::source::postgres
