#pragma once
// Pure pgoutput decoding: bytes in, messages out, no I/O. Every malformed input is an error
// naming the message type and byte offset; nothing is guessed or skipped (spec/pgoutput.md §2-3).
#include <string_view>

#include "core/error.h"
#include "source/postgres/pgoutput_message.h"

namespace siphon::source::postgres {

// One CopyData payload of the replication stream ('w' XLogData or 'k' keepalive).
Result<ReplicationFrame> decode_replication_frame(std::string_view frame);

// One pgoutput message (the payload of an XLogData frame), protocol version 1: no in-progress
// streaming, so no leading xid on any message.
Result<PgOutputMessage> decode_pgoutput_message(std::string_view payload);

}  // namespace siphon::source::postgres
