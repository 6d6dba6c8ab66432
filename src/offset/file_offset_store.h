#pragma once
// Offsets in a local file, replaced atomically: write a temporary file, fsync it, rename it over
// the old one, fsync the directory. A crash leaves either the old or the new offset, never a mix.
// Content: Kafka Connect's offset records as JSON,
//   [{"key":["<connector name>",{"server":"<prefix>"}],"value":{...offset map...}}]
#include <string>

#include "offset/offset_store.h"

namespace siphon::offset {

class FileOffsetStore : public OffsetStore {
 public:
  FileOffsetStore(std::string path, std::string connector_name, std::string server_name)
      : path_(std::move(path)),
        connector_(std::move(connector_name)),
        server_(std::move(server_name)) {}

  Result<std::optional<nlohmann::json>> load() override;
  Status store(const nlohmann::json& offset) override;

 private:
  std::string path_;
  std::string connector_;
  std::string server_;
};

}  // namespace siphon::offset
