#pragma once
// Bounds-checked reader over a byte buffer for the wire formats: big-endian (PostgreSQL) and
// little-endian (the MySQL/MariaDB binlog), including the binlog's 3- and 6-byte integers.
// Every read reports failure instead of reading past the end, so a decoder built on it cannot
// overrun a malformed message; the caller turns failure into an error carrying the offset.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace siphon::io {

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  explicit ByteReader(std::string_view bytes)
      : data_(reinterpret_cast<const uint8_t*>(bytes.data())), size_(bytes.size()) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  bool at_end() const { return pos_ == size_; }

  std::optional<uint8_t> u8() {
    if (remaining() < 1) return {};
    return data_[pos_++];
  }
  std::optional<uint16_t> u16_be() { return read_be<uint16_t>(); }
  std::optional<uint32_t> u32_be() { return read_be<uint32_t>(); }
  std::optional<uint64_t> u64_be() { return read_be<uint64_t>(); }
  std::optional<int16_t> i16_be() { return cast<int16_t>(u16_be()); }
  std::optional<int32_t> i32_be() { return cast<int32_t>(u32_be()); }
  std::optional<int64_t> i64_be() { return cast<int64_t>(u64_be()); }

  std::optional<uint16_t> u16_le() { return read_le<uint16_t>(2); }
  std::optional<uint32_t> u24_le() { return read_le<uint32_t>(3); }
  std::optional<uint32_t> u32_le() { return read_le<uint32_t>(4); }
  std::optional<uint64_t> u48_le() { return read_le<uint64_t>(6); }
  std::optional<uint64_t> u64_le() { return read_le<uint64_t>(8); }
  // An unsigned little-endian integer of n bytes (1..8).
  std::optional<uint64_t> uint_le(size_t n) { return read_le<uint64_t>(n); }
  // An unsigned big-endian integer of n bytes (1..8).
  std::optional<uint64_t> uint_be(size_t n) {
    if (remaining() < n || n > 8) return {};
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | data_[pos_ + i];
    pos_ += n;
    return v;
  }
  bool skip(size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }

  // n raw bytes, viewing the underlying buffer.
  std::optional<std::string_view> bytes(size_t n) {
    if (remaining() < n) return {};
    std::string_view v(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return v;
  }

  // A NUL-terminated string; the terminator is consumed but not returned.
  std::optional<std::string_view> cstring() {
    const void* nul = std::memchr(data_ + pos_, 0, remaining());
    if (nul == nullptr) return {};
    size_t len = static_cast<const uint8_t*>(nul) - (data_ + pos_);
    std::string_view v(reinterpret_cast<const char*>(data_ + pos_), len);
    pos_ += len + 1;
    return v;
  }

 private:
  template <typename T>
  std::optional<T> read_be() {
    if (remaining() < sizeof(T)) return {};
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | data_[pos_ + i]);
    pos_ += sizeof(T);
    return v;
  }
  template <typename T>
  std::optional<T> read_le(size_t n) {
    if (remaining() < n || n > sizeof(T)) return {};
    T v = 0;
    for (size_t i = n; i > 0; --i) v = static_cast<T>((v << 8) | data_[pos_ + i - 1]);
    pos_ += n;
    return v;
  }
  template <typename S, typename U>
  static std::optional<S> cast(std::optional<U> v) {
    if (!v) return {};
    return static_cast<S>(*v);
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

inline void put_u64_be(uint8_t* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
}

}  // namespace siphon::io
