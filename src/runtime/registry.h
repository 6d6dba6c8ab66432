#pragma once
// The one place where configuration names meet implementations: connector classes, sink types,
// formats and offset stores. Everything else only knows the seams.
#include <memory>

#include "config/config.h"
#include "core/error.h"
#include "runtime/connector.h"

namespace siphon::runtime {

Result<std::unique_ptr<Connector>> build_connector(const config::Config& config);

}  // namespace siphon::runtime
