// libFuzzer target for the pgoutput decoder: any bytes, as a replication frame, as a pgoutput
// message and as the payload of an XLogData frame, must decode to a value or to an error, never
// crash, read out of bounds or overflow (AddressSanitizer and UndefinedBehaviorSanitizer check
// that). Seeds: fuzz/corpus/pgoutput, copies of tests/golden/pgoutput.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "source/postgres/pgoutput_decoder.h"

namespace siphon::source::postgres {
namespace {

// Reads every byte a decoded message views, so a view outside the input is caught.
struct Toucher {
  uint64_t sum = 0;

  void bytes(std::string_view s) {
    for (char c : s) sum += static_cast<unsigned char>(c);
  }
  void tuple(const TupleData& t) {
    for (const auto& c : t) {
      sum += static_cast<unsigned char>(c.kind);
      if (c.kind != TupleColumn::Kind::kText && c.kind != TupleColumn::Kind::kBinary &&
          !c.data.empty()) {
        std::abort();  // only 't' and 'b' columns carry data
      }
      bytes(c.data);
    }
  }
  void operator()(const BeginMessage& m) { sum += m.final_lsn.value() + m.xid; }
  void operator()(const CommitMessage& m) { sum += m.flags + m.end_lsn.value(); }
  void operator()(const OriginMessage& m) { bytes(m.name); }
  void operator()(const RelationMessage& m) {
    bytes(m.namespace_name);
    bytes(m.relation_name);
    for (const auto& c : m.columns) {
      bytes(c.name);
      sum += c.type_oid;
    }
  }
  void operator()(const TypeMessage& m) {
    bytes(m.namespace_name);
    bytes(m.type_name);
  }
  void operator()(const InsertMessage& m) { tuple(m.new_tuple); }
  void operator()(const UpdateMessage& m) {
    if (m.old_kind != 0 && m.old_kind != 'K' && m.old_kind != 'O') std::abort();
    tuple(m.old_tuple);
    tuple(m.new_tuple);
  }
  void operator()(const DeleteMessage& m) {
    if (m.old_kind != 'K' && m.old_kind != 'O') std::abort();
    tuple(m.old_tuple);
  }
  void operator()(const TruncateMessage& m) {
    for (uint32_t id : m.relation_ids) sum += id;
  }
  void operator()(const LogicalMessage& m) {
    bytes(m.prefix);
    bytes(m.content);
  }
  void operator()(const XLogDataFrame& f) { bytes(f.payload); }
  void operator()(const KeepaliveFrame& f) { sum += f.wal_end.value() + f.reply_requested; }
};

volatile uint64_t g_sink;

bool decode_message(std::string_view payload) {
  auto m = decode_pgoutput_message(payload);
  if (!m) {
    if (m.error().message.empty()) std::abort();  // every error says what went wrong
    return false;
  }
  Toucher t;
  std::visit(t, *m);
  g_sink = g_sink + t.sum;
  return true;
}

void fuzz_one(std::string_view input) {
  // The bytes as one CopyData payload of the replication stream.
  if (auto frame = decode_replication_frame(input)) {
    Toucher t;
    std::visit(t, *frame);
    g_sink = g_sink + t.sum;
    if (const auto* x = std::get_if<XLogDataFrame>(&*frame)) decode_message(x->payload);
  } else if (frame.error().message.empty()) {
    std::abort();
  }

  // The bytes as one pgoutput message, directly and behind a fake 25-byte XLogData header.
  const bool direct = decode_message(input);
  std::string framed(
      "w\0\0\0\0\x01\x55\xF1\xB8\0\0\0\0\x01\x55\xF1\xB8\0\x03\x03\xD2\xB4\x3D\x24\x14", 25);
  framed.append(input);
  auto frame = decode_replication_frame(framed);
  if (!frame) std::abort();  // a full header always decodes
  const auto* x = std::get_if<XLogDataFrame>(&*frame);
  if (x == nullptr || x->payload != input || x->data_start.value() != 0x155F1B8) std::abort();
  if (decode_message(x->payload) != direct) std::abort();  // the decoder has no hidden state
}

}  // namespace
}  // namespace siphon::source::postgres

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  siphon::source::postgres::fuzz_one(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
