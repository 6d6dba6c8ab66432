#pragma once
// The one error type of Siphon. Expected failures are values (Result<T>); bugs are assertions.
// Only the connector supervisor decides whether an error is retried or stops the connector.
#include <string>
#include <utility>

#include <fmt/format.h>
#include <tl/expected.hpp>

namespace siphon {

enum class ErrorKind {
  kConfig,     // the configuration is wrong: exit 2, never retried
  kRetryable,  // transient (connection lost, server restarting): retried with back-off
  kFatal,      // cannot continue without an operator (bad protocol data, missing privilege)
};

struct Error {
  ErrorKind kind = ErrorKind::kFatal;
  std::string message;

  bool retryable() const { return kind == ErrorKind::kRetryable; }
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

template <typename... Args>
tl::unexpected<Error> make_error(ErrorKind kind, fmt::format_string<Args...> f, Args&&... args) {
  return tl::unexpected(Error{kind, fmt::format(f, std::forward<Args>(args)...)});
}

inline Status ok() {
  return {};
}

}  // namespace siphon
