#include "source/postgres/pgoutput_decoder.h"

#include <optional>

#include "io/byte_reader.h"

namespace siphon::source::postgres {
namespace {

using io::ByteReader;

// Decoding context: remembers which message is decoded so every failure says where it was.
// Offsets count from the message's first byte, its type.
class Parser {
 public:
  explicit Parser(std::string_view message) : r_(message), type_(message.at(0)) { (void)r_.u8(); }

  ByteReader& reader() { return r_; }

  tl::unexpected<Error> fail(std::string_view what) const { return fail_at(r_.offset(), what); }
  // For a byte already read and found wrong: `offset` is where it starts.
  tl::unexpected<Error> fail_at(size_t offset, std::string_view what) const {
    return make_error(ErrorKind::kFatal,
                      "malformed pgoutput message '{}' ({} bytes): {} at byte offset {}",
                      printable(type_), r_.offset() + r_.remaining(), what, offset);
  }

  static std::string printable(char c) {
    if (c >= 0x20 && c < 0x7f) return std::string(1, c);
    return fmt::format("0x{:02x}", static_cast<unsigned char>(c));
  }

 private:
  ByteReader r_;
  char type_;
};

#define SIPHON_READ(var, expr, what)   \
  auto var##_opt = (expr);             \
  if (!var##_opt) return p.fail(what); \
  auto var = *var##_opt

Result<TupleData> read_tuple(Parser& p) {
  auto& r = p.reader();
  SIPHON_READ(ncols, r.u16_be(), "truncated tuple column count");
  TupleData tuple;
  tuple.reserve(ncols);
  for (uint16_t i = 0; i < ncols; ++i) {
    const size_t kind_offset = r.offset();
    SIPHON_READ(kind, r.u8(), "truncated tuple column kind");
    TupleColumn col;
    switch (kind) {
      case 'n':
        col.kind = TupleColumn::Kind::kNull;
        break;
      case 'u':
        col.kind = TupleColumn::Kind::kUnchanged;
        break;
      case 't':
      case 'b': {
        col.kind = kind == 't' ? TupleColumn::Kind::kText : TupleColumn::Kind::kBinary;
        SIPHON_READ(len, r.i32_be(), "truncated tuple value length");
        if (len < 0) return p.fail("negative tuple value length");
        SIPHON_READ(data, r.bytes(static_cast<size_t>(len)), "tuple value runs past the message");
        col.data = data;
        break;
      }
      default:
        return p.fail_at(kind_offset,
                         fmt::format("unknown tuple column kind '{}'", Parser::printable(kind)));
    }
    tuple.push_back(col);
  }
  return tuple;
}

Result<PgOutputMessage> decode_relation(Parser& p) {
  auto& r = p.reader();
  RelationMessage m;
  SIPHON_READ(relid, r.u32_be(), "truncated relation id");
  SIPHON_READ(nsp, r.cstring(), "unterminated namespace name");
  SIPHON_READ(name, r.cstring(), "unterminated relation name");
  SIPHON_READ(ident, r.u8(), "truncated replica identity");
  SIPHON_READ(ncols, r.u16_be(), "truncated column count");
  if (ident != 'd' && ident != 'n' && ident != 'f' && ident != 'i') {
    return p.fail(fmt::format("unknown replica identity '{}'", Parser::printable(ident)));
  }
  m.relation_id = relid;
  m.namespace_name = nsp;
  m.relation_name = name;
  m.replica_identity = static_cast<char>(ident);
  m.columns.reserve(ncols);
  for (uint16_t i = 0; i < ncols; ++i) {
    RelationColumn c;
    SIPHON_READ(flags, r.u8(), "truncated column flags");
    SIPHON_READ(colname, r.cstring(), "unterminated column name");
    SIPHON_READ(oid, r.u32_be(), "truncated column type");
    SIPHON_READ(typmod, r.i32_be(), "truncated column type modifier");
    c.key = (flags & 1) != 0;
    c.name = colname;
    c.type_oid = oid;
    c.type_modifier = typmod;
    m.columns.push_back(c);
  }
  return m;
}

Result<PgOutputMessage> decode_update(Parser& p) {
  auto& r = p.reader();
  UpdateMessage m;
  SIPHON_READ(relid, r.u32_be(), "truncated relation id");
  m.relation_id = relid;
  SIPHON_READ(marker, r.u8(), "truncated tuple marker");
  if (marker == 'K' || marker == 'O') {
    m.old_kind = static_cast<char>(marker);
    auto old = read_tuple(p);
    if (!old) return tl::unexpected(old.error());
    m.old_tuple = std::move(*old);
    auto next = r.u8();
    if (!next) return p.fail("truncated new tuple marker");
    marker = *next;
  }
  if (marker != 'N') {
    return p.fail(
        fmt::format("expected new tuple marker 'N', got '{}'", Parser::printable(marker)));
  }
  auto tuple = read_tuple(p);
  if (!tuple) return tl::unexpected(tuple.error());
  m.new_tuple = std::move(*tuple);
  return m;
}

}  // namespace

Result<ReplicationFrame> decode_replication_frame(std::string_view frame) {
  if (frame.empty()) {
    return make_error(ErrorKind::kFatal, "empty replication frame");
  }
  Parser p(frame);
  auto& r = p.reader();
  switch (frame[0]) {
    case 'w': {
      XLogDataFrame f;
      SIPHON_READ(start, r.u64_be(), "truncated XLogData start");
      SIPHON_READ(end, r.u64_be(), "truncated XLogData end");
      SIPHON_READ(t, r.i64_be(), "truncated XLogData clock");
      f.data_start = Lsn(start);
      f.wal_end = Lsn(end);
      f.send_time_us = t;
      f.payload = frame.substr(25);
      return f;
    }
    case 'k': {
      KeepaliveFrame f;
      SIPHON_READ(end, r.u64_be(), "truncated keepalive position");
      SIPHON_READ(t, r.i64_be(), "truncated keepalive clock");
      SIPHON_READ(reply, r.u8(), "truncated keepalive reply flag");
      if (!r.at_end()) return p.fail(fmt::format("{} unexpected trailing bytes", r.remaining()));
      f.wal_end = Lsn(end);
      f.send_time_us = t;
      f.reply_requested = reply != 0;
      return f;
    }
    default:
      return make_error(ErrorKind::kFatal, "unknown replication frame type '{}' ({} bytes)",
                        Parser::printable(frame[0]), frame.size());
  }
}

Result<PgOutputMessage> decode_pgoutput_message(std::string_view payload) {
  if (payload.empty()) {
    return make_error(ErrorKind::kFatal, "empty pgoutput message");
  }
  const char type = payload[0];
  Parser p(payload);
  auto& r = p.reader();
  Result<PgOutputMessage> result = p.fail("unknown message type");
  switch (type) {
    case 'B': {
      SIPHON_READ(lsn, r.u64_be(), "truncated final LSN");
      SIPHON_READ(ts, r.i64_be(), "truncated commit timestamp");
      SIPHON_READ(xid, r.u32_be(), "truncated xid");
      result = BeginMessage{Lsn(lsn), ts, xid};
      break;
    }
    case 'C': {
      SIPHON_READ(flags, r.u8(), "truncated flags");
      SIPHON_READ(commit, r.u64_be(), "truncated commit LSN");
      SIPHON_READ(end, r.u64_be(), "truncated end LSN");
      SIPHON_READ(ts, r.i64_be(), "truncated commit timestamp");
      result = CommitMessage{flags, Lsn(commit), Lsn(end), ts};
      break;
    }
    case 'O': {
      SIPHON_READ(lsn, r.u64_be(), "truncated origin LSN");
      SIPHON_READ(name, r.cstring(), "unterminated origin name");
      result = OriginMessage{Lsn(lsn), name};
      break;
    }
    case 'R':
      result = decode_relation(p);
      break;
    case 'Y': {
      SIPHON_READ(oid, r.u32_be(), "truncated type id");
      SIPHON_READ(nsp, r.cstring(), "unterminated namespace name");
      SIPHON_READ(name, r.cstring(), "unterminated type name");
      result = TypeMessage{oid, nsp, name};
      break;
    }
    case 'I': {
      SIPHON_READ(relid, r.u32_be(), "truncated relation id");
      SIPHON_READ(marker, r.u8(), "truncated tuple marker");
      if (marker != 'N') return p.fail("expected new tuple marker 'N'");
      auto tuple = read_tuple(p);
      if (!tuple) return tl::unexpected(tuple.error());
      result = InsertMessage{relid, std::move(*tuple)};
      break;
    }
    case 'U':
      result = decode_update(p);
      break;
    case 'D': {
      SIPHON_READ(relid, r.u32_be(), "truncated relation id");
      SIPHON_READ(marker, r.u8(), "truncated tuple marker");
      if (marker != 'K' && marker != 'O') return p.fail("expected old tuple marker 'K' or 'O'");
      auto tuple = read_tuple(p);
      if (!tuple) return tl::unexpected(tuple.error());
      result = DeleteMessage{relid, static_cast<char>(marker), std::move(*tuple)};
      break;
    }
    case 'T': {
      SIPHON_READ(nrels, r.u32_be(), "truncated relation count");
      SIPHON_READ(options, r.u8(), "truncated options");
      // Each id takes 4 bytes: refuse a count the message cannot hold before reserving for it.
      if (nrels > r.remaining() / 4) return p.fail("relation count exceeds the message");
      TruncateMessage m;
      m.options = options;
      m.relation_ids.reserve(nrels);
      for (uint32_t i = 0; i < nrels; ++i) {
        SIPHON_READ(relid, r.u32_be(), "truncated relation id");
        m.relation_ids.push_back(relid);
      }
      result = std::move(m);
      break;
    }
    case 'M': {
      SIPHON_READ(flags, r.u8(), "truncated flags");
      SIPHON_READ(lsn, r.u64_be(), "truncated message LSN");
      SIPHON_READ(prefix, r.cstring(), "unterminated prefix");
      SIPHON_READ(len, r.u32_be(), "truncated content length");
      SIPHON_READ(content, r.bytes(len), "content runs past the message");
      result = LogicalMessage{(flags & 1) != 0, Lsn(lsn), prefix, content};
      break;
    }
    default:
      return p.fail("unknown message type");
  }
  if (!result) return result;
  if (!r.at_end()) return p.fail(fmt::format("{} unexpected trailing bytes", r.remaining()));
  return result;
}

}  // namespace siphon::source::postgres
