#pragma once
// Pure decoder of binlog events (spec/binlog.md §2-3): bytes of one event in, a typed event or
// an error out. It keeps the one piece of state the format has, the last FORMAT_DESCRIPTION
// (checksum algorithm, post-header lengths, flavour), so one decoder serves one stream or file.
//
// Every failure names the event type, its place in the binlog and the offset inside the event
// where decoding stopped. An event type Siphon does not know is skipped only when the server
// flagged it ignorable (0x80) or it is known to carry no rows; any other stops: never a silent
// loss of changes.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "source/binlog/binlog_event.h"

namespace siphon::source::binlog {

// Where an event starts, for error messages and positions.
struct EventLocation {
  std::string_view file;
  uint64_t position = 0;
};

class EventDecoder {
 public:
  struct Options {
    // Compressed events claim their inflated size; claims above this are refused (not
    // allocated). MariaDB's and MySQL's own limit is max_allowed_packet, at most 1 GiB.
    uint64_t max_inflated_size = uint64_t{1} << 30;
    // Before the first FORMAT_DESCRIPTION: whether events carry a CRC32 (the replication
    // stream's artificial ROTATE follows @master_binlog_checksum, spec/binlog.md §1.7).
    bool checksum_before_format = false;
    // Compare each event's CRC32 with its bytes. Off only where corrupt bytes must reach the
    // parsers (the fuzzer); the checksum bytes are still stripped.
    bool verify_checksum = true;
  };

  EventDecoder() = default;
  explicit EventDecoder(Options options) : options_(options) {}

  // Decodes one whole event (header, body and checksum if any). A FORMAT_DESCRIPTION replaces
  // the decoder's format for the events after it.
  Result<BinlogEvent> decode(std::string_view event, const EventLocation& where);

  // The events inside a TRANSACTION_PAYLOAD, in order (they carry no checksum and log_pos 0).
  // TABLE_MAP and ROWS events decode as in the file.
  Result<std::vector<BinlogEvent>> decode_payload(const TransactionPayloadEvent& payload,
                                                  const EventLocation& where);

  // The last FORMAT_DESCRIPTION seen, if any.
  const FormatDescriptionEvent* format() const { return has_format_ ? &format_ : nullptr; }
  bool checksum_enabled() const;

 private:
  Result<BinlogEvent> decode_event(std::string_view event, const EventLocation& where, bool inner);
  uint8_t post_header_length(uint8_t type) const;

  Options options_;
  FormatDescriptionEvent format_;
  bool has_format_ = false;
};

// Reads a binlog file's bytes (starting with the magic "\xfebin") into events, one by one,
// without a network: the from-file half of the reader seam, used by golden tests and tools.
class BinlogFileReader {
 public:
  BinlogFileReader(std::string_view bytes, std::string file_name,
                   EventDecoder::Options options = {});

  // The next event, nullopt-like end as an empty optional inside the result: ok(nullopt) at a
  // clean end of file. A file that ends inside an event is an error naming the position.
  Result<std::optional<BinlogEvent>> next();
  uint64_t position() const { return position_; }  // where the next event starts
  const EventDecoder& decoder() const { return decoder_; }

 private:
  std::string_view bytes_;
  std::string file_;
  uint64_t position_ = 4;
  EventDecoder decoder_;
  bool checked_magic_ = false;
};

}  // namespace siphon::source::binlog
