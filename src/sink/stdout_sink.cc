#include "sink/stdout_sink.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "sink/record_line.h"

namespace siphon::sink {

Status StdoutSink::write(std::vector<SinkRecord>& batch, const AckFn& ack) {
  std::string out;
  for (const auto& rec : batch) append_record_line(out, rec.record, true);
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
    return make_error(ErrorKind::kFatal, "cannot write to standard output: {}",
                      std::strerror(errno));
  }
  for (const auto& rec : batch) ack(rec.sequence);
  return ok();
}

}  // namespace siphon::sink
