#pragma once
// Writes each topic to DIR/<topic>.jsonl, one record per line (sink/record_line.h).
//
// Durability: a batch is written with one write() per file, then every file it touched is
// fsync()ed, and only then are its records acknowledged. With fsync=false records are
// acknowledged once in the page cache (benchmarks on tmpfs only). On open, a torn last line
// (the process died mid-write) is cut off: it was never acknowledged, so it will come again.
#include <string>
#include <unordered_map>

#include "sink/sink.h"

namespace siphon::sink {

class FileSink : public Sink {
 public:
  FileSink(std::string dir, bool fsync) : dir_(std::move(dir)), fsync_(fsync) {}
  ~FileSink() override { close(); }

  Status open() override;
  Status write(std::vector<SinkRecord>& batch, const AckFn& ack) override;
  void close() override;

 private:
  Result<int> file_for(const std::string& topic);

  std::string dir_;
  bool fsync_;
  std::unordered_map<std::string, int> files_;
  std::unordered_map<int, std::string> pending_;  // fd -> bytes of this batch
};

}  // namespace siphon::sink
