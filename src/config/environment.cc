#include "config/environment.h"

#include <cstdlib>

namespace siphon::config {

std::optional<std::string> ProcessEnvironment::get(std::string_view name) const {
  // getenv needs a NUL-terminated name; string_view does not guarantee one.
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> MapEnvironment::get(std::string_view name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

}  // namespace siphon::config
