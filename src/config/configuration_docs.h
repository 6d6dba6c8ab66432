#pragma once
// docs/configuration.md is generated from the option tables so the documentation cannot drift
// from what the code accepts; a unit test fails when the committed file is stale.
#include <string>

namespace siphon::config {

// The complete text of docs/configuration.md.
std::string render_configuration_markdown();

}  // namespace siphon::config
