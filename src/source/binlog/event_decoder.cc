#include "source/binlog/event_decoder.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "source/binlog/event_parser.h"

namespace siphon::source::binlog {
namespace {

constexpr size_t kHeaderLength = 19;
constexpr size_t kChecksumLength = 4;
constexpr size_t kServerVersionLength = 50;

struct TypeName {
  uint8_t type;
  const char* name;
};
constexpr TypeName kTypeNames[] = {
    {kStartV3, "START_V3"},
    {kQuery, "QUERY"},
    {kStop, "STOP"},
    {kRotate, "ROTATE"},
    {kIntvar, "INTVAR"},
    {kLoad, "LOAD"},
    {kSlave, "SLAVE"},
    {kCreateFile, "CREATE_FILE"},
    {kAppendBlock, "APPEND_BLOCK"},
    {kExecLoad, "EXEC_LOAD"},
    {kDeleteFile, "DELETE_FILE"},
    {kNewLoad, "NEW_LOAD"},
    {kRand, "RAND"},
    {kUserVar, "USER_VAR"},
    {kFormatDescription, "FORMAT_DESCRIPTION"},
    {kXid, "XID"},
    {kBeginLoadQuery, "BEGIN_LOAD_QUERY"},
    {kExecuteLoadQuery, "EXECUTE_LOAD_QUERY"},
    {kTableMap, "TABLE_MAP"},
    {kWriteRowsV0, "WRITE_ROWS_V0"},
    {kUpdateRowsV0, "UPDATE_ROWS_V0"},
    {kDeleteRowsV0, "DELETE_ROWS_V0"},
    {kWriteRowsV1, "WRITE_ROWS_V1"},
    {kUpdateRowsV1, "UPDATE_ROWS_V1"},
    {kDeleteRowsV1, "DELETE_ROWS_V1"},
    {kIncident, "INCIDENT"},
    {kHeartbeat, "HEARTBEAT"},
    {kIgnorable, "IGNORABLE"},
    {kRowsQuery, "ROWS_QUERY"},
    {kWriteRowsV2, "WRITE_ROWS_V2"},
    {kUpdateRowsV2, "UPDATE_ROWS_V2"},
    {kDeleteRowsV2, "DELETE_ROWS_V2"},
    {kGtidLog, "GTID_LOG"},
    {kAnonymousGtidLog, "ANONYMOUS_GTID_LOG"},
    {kPreviousGtids, "PREVIOUS_GTIDS"},
    {kTransactionContext, "TRANSACTION_CONTEXT"},
    {kViewChange, "VIEW_CHANGE"},
    {kXaPrepare, "XA_PREPARE"},
    {kPartialUpdateRows, "PARTIAL_UPDATE_ROWS"},
    {kTransactionPayload, "TRANSACTION_PAYLOAD"},
    {kHeartbeatV2, "HEARTBEAT_V2"},
    {kGtidTaggedLog, "GTID_TAGGED_LOG"},
    {kAnnotateRows, "ANNOTATE_ROWS"},
    {kBinlogCheckpoint, "BINLOG_CHECKPOINT"},
    {kMariaGtid, "GTID"},
    {kMariaGtidList, "GTID_LIST"},
    {kStartEncryption, "START_ENCRYPTION"},
    {kQueryCompressed, "QUERY_COMPRESSED"},
    {kWriteRowsCompressedV1, "WRITE_ROWS_COMPRESSED_V1"},
    {kUpdateRowsCompressedV1, "UPDATE_ROWS_COMPRESSED_V1"},
    {kDeleteRowsCompressedV1, "DELETE_ROWS_COMPRESSED_V1"},
    {kWriteRowsCompressedV2, "WRITE_ROWS_COMPRESSED_V2"},
    {kUpdateRowsCompressedV2, "UPDATE_ROWS_COMPRESSED_V2"},
    {kDeleteRowsCompressedV2, "DELETE_ROWS_COMPRESSED_V2"},
};

// Post-header lengths to use when a FORMAT_DESCRIPTION does not list a type (MySQL's and
// MariaDB's own values, spec/binlog.md §2.3).
uint8_t default_post_header_length(uint8_t type) {
  switch (type) {
    case kQuery:
    case kQueryCompressed:
      return 13;
    case kRotate:
      return 8;
    case kTableMap:
    case kWriteRowsV1:
    case kUpdateRowsV1:
    case kDeleteRowsV1:
    case kWriteRowsCompressedV1:
    case kUpdateRowsCompressedV1:
    case kDeleteRowsCompressedV1:
      return 8;
    case kWriteRowsV2:
    case kUpdateRowsV2:
    case kDeleteRowsV2:
    case kPartialUpdateRows:
    case kWriteRowsCompressedV2:
    case kUpdateRowsCompressedV2:
    case kDeleteRowsCompressedV2:
      return 10;
    case kIncident:
      return 2;
    case kBinlogCheckpoint:
    case kMariaGtidList:
      return 4;
    case kMariaGtid:
      return 19;
    case kGtidLog:
    case kAnonymousGtidLog:
      return 42;
    default:
      return 0;
  }
}

// Events known to carry no row data and nothing a reader tracks: skipping them loses nothing.
bool carries_nothing(uint8_t type) {
  switch (type) {
    case kIntvar:
    case kRand:
    case kUserVar:
    case kIgnorable:
    case kTransactionContext:
    case kViewChange:
    case kSlave:
      return true;
    default:
      return false;
  }
}

struct Version {
  int major = 0, minor = 0, patch = 0;
  auto operator<=>(const Version&) const = default;
};

Version parse_version(std::string_view text) {
  Version v;
  int* parts[] = {&v.major, &v.minor, &v.patch};
  size_t i = 0;
  for (int* part : parts) {
    int n = 0;
    bool any = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      n = std::min(n * 10 + (text[i] - '0'), 100000);
      ++i;
      any = true;
    }
    if (!any) break;
    *part = n;
    if (i >= text.size() || text[i] != '.') break;
    ++i;
  }
  return v;
}

// Servers that end every FORMAT_DESCRIPTION with a checksum algorithm byte (MySQL 5.6.1,
// MariaDB 5.3).
bool format_has_checksum_alg(std::string_view server_version, bool mariadb) {
  Version v = parse_version(server_version);
  return mariadb ? v >= Version{5, 3, 0} : v >= Version{5, 6, 1};
}

uint32_t crc32_of(std::string_view bytes) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; an event is at most 4 GiB - 1 but feed it in pieces anyway.
  while (!bytes.empty()) {
    size_t n = std::min<size_t>(bytes.size(), 1u << 30);
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n));
    bytes.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

// MariaDB's compressed block (spec/binlog.md §2.7): u8 (0x80 | alg << 4 | L), L bytes BE
// inflated length, a zlib stream.
bool inflate_mariadb(std::string_view block, uint64_t max_size, std::string& out,
                     std::string& error) {
  if (block.empty()) {
    error = "empty compressed block";
    return false;
  }
  uint8_t head = static_cast<uint8_t>(block[0]);
  if ((head & 0x80) == 0) {
    error = "compressed block header lacks the 0x80 marker";
    return false;
  }
  if ((head & 0x70) != 0) {
    error = "compressed block uses algorithm " + std::to_string((head & 0x70) >> 4) +
            ", only zlib (0) exists";
    return false;
  }
  size_t len_bytes = head & 0x07;
  if (len_bytes < 1 || len_bytes > 4 || block.size() < 1 + len_bytes) {
    error = "compressed block length field is cut or has " + std::to_string(len_bytes) + " bytes";
    return false;
  }
  uint64_t size = 0;
  for (size_t i = 0; i < len_bytes; ++i) size = (size << 8) | static_cast<uint8_t>(block[1 + i]);
  if (size > max_size) {
    error = "compressed block claims " + std::to_string(size) + " bytes, above the limit of " +
            std::to_string(max_size);
    return false;
  }
  out.assign(size, '\0');
  uLongf dest_len = static_cast<uLongf>(size);
  std::string_view stream = block.substr(1 + len_bytes);
  int rc = ::uncompress(reinterpret_cast<Bytef*>(out.data()), &dest_len,
                        reinterpret_cast<const Bytef*>(stream.data()),
                        static_cast<uLong>(stream.size()));
  if (rc != Z_OK || dest_len != size) {
    error = "zlib stream does not inflate to the " + std::to_string(size) +
            " bytes it claims (zlib " + std::to_string(rc) + ")";
    return false;
  }
  return true;
}

bool inflate_zstd(std::string_view data, uint64_t size, uint64_t max_size, std::string& out,
                  std::string& error) {
  if (size > max_size) {
    error = "payload claims " + std::to_string(size) + " inflated bytes, above the limit of " +
            std::to_string(max_size);
    return false;
  }
  out.assign(size, '\0');
  size_t got = ZSTD_decompress(out.data(), out.size(), data.data(), data.size());
  if (ZSTD_isError(got)) {
    error = std::string("zstd: ") + ZSTD_getErrorName(got);
    return false;
  }
  if (got != size) {
    error = "zstd data inflates to " + std::to_string(got) + " bytes, the event claims " +
            std::to_string(size);
    return false;
  }
  return true;
}

// Counting classes of the optional metadata (spec/binlog.md §3.4).
bool is_numeric(uint8_t type) {
  switch (type) {
    case kTypeTiny:
    case kTypeShort:
    case kTypeInt24:
    case kTypeLong:
    case kTypeLongLong:
    case kTypeFloat:
    case kTypeDouble:
    case kTypeDecimal:
    case kTypeNewDecimal:
    case kTypeYear:
      return true;
    default:
      return false;
  }
}

bool is_character(const ColumnDescriptor& c, bool mariadb) {
  switch (c.real_type) {
    case kTypeString:
    case kTypeVarchar:
    case kTypeVarString:
    case kTypeBlob:
      return true;
    case kTypeGeometry:
      return mariadb;
    default:
      return false;
  }
}

bool is_enum_or_set(const ColumnDescriptor& c) {
  return c.real_type == kTypeEnum || c.real_type == kTypeSet;
}

// Reads the per-type metadata bytes and fills the derived fields (spec/binlog.md §3.2-3.3).
void read_column_meta(EventParser& p, ColumnDescriptor& c) {
  c.real_type = c.type;
  switch (c.type) {
    case kTypeFloat:
    case kTypeDouble:
      c.float_bytes = p.u8("float metadata");
      c.meta = c.float_bytes;
      break;
    case kTypeBlob:
    case kTypeGeometry:
    case kTypeJson:
    case kTypeVector:
      c.length_bytes = p.u8("length-bytes metadata");
      c.meta = c.length_bytes;
      break;
    case kTypeTimestamp2:
    case kTypeDateTime2:
    case kTypeTime2:
      c.fsp = p.u8("fsp metadata");
      c.meta = c.fsp;
      break;
    case kTypeVarchar:
    case kTypeVarString:
      c.meta = p.u16("varchar metadata");
      c.max_length = c.meta;
      break;
    case kTypeBit: {
      uint8_t b0 = p.u8("bit metadata");
      uint8_t b1 = p.u8("bit metadata");
      c.meta = static_cast<uint16_t>(b1 << 8 | b0);
      c.bits = static_cast<uint16_t>(b1 * 8 + b0);
      break;
    }
    case kTypeNewDecimal:
    case kTypeDecimal:
      c.precision = p.u8("decimal precision");
      c.scale = p.u8("decimal scale");
      c.meta = static_cast<uint16_t>(c.precision << 8 | c.scale);
      break;
    case kTypeString:
    case kTypeEnum:
    case kTypeSet: {
      uint8_t b0 = p.u8("string metadata");
      uint8_t b1 = p.u8("string metadata");
      c.meta = static_cast<uint16_t>(b0 << 8 | b1);
      // Lengths above 255 keep two high bits in b0, inverted (spec/binlog.md §3.3).
      if ((b0 & 0x30) != 0x30) {
        c.real_type = static_cast<uint8_t>(b0 | 0x30);
        c.max_length = b1 | (((b0 & 0x30) ^ 0x30) << 4);
      } else {
        c.real_type = b0;
        c.max_length = b1;
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace

std::string event_type_name(uint8_t type) {
  for (const TypeName& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "UNKNOWN_" + std::to_string(type);
}

bool EventDecoder::checksum_enabled() const {
  if (!has_format_) return options_.checksum_before_format;
  return format_.checksum_alg.value_or(0) == 1;
}

uint8_t EventDecoder::post_header_length(uint8_t type) const {
  if (has_format_ && type >= 1 && type <= format_.post_header_lengths.size()) {
    return format_.post_header_lengths[type - 1];
  }
  return default_post_header_length(type);
}

Result<BinlogEvent> EventDecoder::decode(std::string_view event, const EventLocation& where) {
  return decode_event(event, where, /*inner=*/false);
}

namespace {

// Decodes the optional metadata TLVs of a TABLE_MAP (spec/binlog.md §3.4).
void read_optional_metadata(EventParser& p, TableMap& t, bool mariadb) {
  auto& cols = t.columns;
  auto indexes_of = [&](auto pred) {
    std::vector<size_t> out;
    for (size_t i = 0; i < cols.size(); ++i) {
      if (pred(cols[i])) out.push_back(i);
    }
    return out;
  };
  while (p.ok() && !p.at_end()) {
    uint8_t kind = p.u8("metadata type");
    uint64_t len = p.lenenc("metadata length");
    std::string_view value = p.bytes(len, "metadata value");
    if (!p.ok()) return;
    size_t base = p.offset() - value.size();
    EventParser v(value, 0, value.size());
    switch (kind) {
      case 1: {  // SIGNEDNESS: MSB-first over numeric columns
        size_t bit = 0;
        for (auto& c : cols) {
          if (!is_numeric(c.real_type)) continue;
          size_t byte = bit / 8;
          if (byte >= value.size()) {
            p.fail_value("SIGNEDNESS metadata", "is shorter than the numeric columns", base);
            return;
          }
          c.is_unsigned = (static_cast<uint8_t>(value[byte]) & (0x80 >> (bit % 8))) != 0;
          ++bit;
        }
        t.has_signedness = true;
        break;
      }
      case 2:     // DEFAULT_CHARSET
      case 10: {  // ENUM_AND_SET_DEFAULT_CHARSET
        auto targets =
            kind == 2
                ? indexes_of([&](const ColumnDescriptor& c) { return is_character(c, mariadb); })
                : indexes_of(is_enum_or_set);
        uint32_t def = static_cast<uint32_t>(v.lenenc("default collation"));
        std::vector<uint32_t> collations(targets.size(), def);
        while (v.ok() && !v.at_end()) {
          uint64_t index = v.lenenc("charset column index");
          uint32_t coll = static_cast<uint32_t>(v.lenenc("charset collation"));
          if (v.ok() && index < collations.size()) collations[index] = coll;
        }
        if (!v.ok()) {
          p.fail_value("charset metadata", v.error(), base);
          return;
        }
        for (size_t i = 0; i < targets.size(); ++i) cols[targets[i]].collation = collations[i];
        t.has_charsets = true;
        break;
      }
      case 3:     // COLUMN_CHARSET
      case 11: {  // ENUM_AND_SET_COLUMN_CHARSET
        auto targets =
            kind == 3
                ? indexes_of([&](const ColumnDescriptor& c) { return is_character(c, mariadb); })
                : indexes_of(is_enum_or_set);
        for (size_t i : targets) cols[i].collation = static_cast<uint32_t>(v.lenenc("collation"));
        if (!v.ok()) {
          p.fail_value("column charset metadata", v.error(), base);
          return;
        }
        t.has_charsets = true;
        break;
      }
      case 4: {  // COLUMN_NAME
        for (auto& c : cols) {
          uint64_t n = v.lenenc("column name length");
          c.name = std::string(v.bytes(n, "column name"));
        }
        if (!v.ok()) {
          p.fail_value("column name metadata", v.error(), base);
          return;
        }
        t.has_names = true;
        break;
      }
      case 5:    // SET_STR_VALUE
      case 6: {  // ENUM_STR_VALUE
        uint8_t want = kind == 5 ? kTypeSet : kTypeEnum;
        for (auto& c : cols) {
          if (c.real_type != want) continue;
          uint64_t count = v.lenenc("label count");
          if (!v.ok() || count > v.remaining()) {
            p.fail_value("ENUM/SET metadata", v.ok() ? "has more labels than bytes" : v.error(),
                         base);
            return;
          }
          auto& labels = kind == 5 ? c.set_values : c.enum_values;
          labels.clear();
          for (uint64_t i = 0; i < count && v.ok(); ++i) {
            uint64_t n = v.lenenc("label length");
            labels.emplace_back(v.bytes(n, "label"));
          }
        }
        if (!v.ok()) {
          p.fail_value("ENUM/SET metadata", v.error(), base);
          return;
        }
        t.has_enum_set_values = true;
        break;
      }
      case 7: {  // GEOMETRY_TYPE
        for (auto& c : cols) {
          if (c.real_type == kTypeGeometry) {
            c.geometry_type = static_cast<uint32_t>(v.lenenc("geometry type"));
          }
        }
        if (!v.ok()) {
          p.fail_value("geometry metadata", v.error(), base);
          return;
        }
        break;
      }
      case 8:    // SIMPLE_PRIMARY_KEY
      case 9: {  // PRIMARY_KEY_WITH_PREFIX
        t.primary_key.clear();
        while (v.ok() && !v.at_end()) {
          uint64_t index = v.lenenc("key column");
          if (kind == 9) (void)v.lenenc("key prefix");
          if (!v.ok()) break;
          if (index >= cols.size()) {
            p.fail_value("primary key metadata", "names a column past the table's width", base);
            return;
          }
          cols[index].primary_key = true;
          t.primary_key.push_back(static_cast<uint32_t>(index));
        }
        if (!v.ok()) {
          p.fail_value("primary key metadata", v.error(), base);
          return;
        }
        break;
      }
      case 12: {  // COLUMN_VISIBILITY
        for (size_t i = 0; i < cols.size(); ++i) {
          if (i / 8 >= value.size()) break;
          cols[i].visible = (static_cast<uint8_t>(value[i / 8]) & (0x80 >> (i % 8))) != 0;
        }
        break;
      }
      default:
        break;  // a newer kind: its length lets us step over it
    }
  }
}

std::vector<bool> read_bitmap(EventParser& p, uint64_t bits, const char* field) {
  std::string_view bytes = p.bytes((bits + 7) / 8, field);
  std::vector<bool> out;
  if (!p.ok()) return out;
  out.resize(bits);
  for (uint64_t i = 0; i < bits; ++i) {
    out[i] = (static_cast<uint8_t>(bytes[i / 8]) >> (i % 8)) & 1;
  }
  return out;
}

Sid read_sid(EventParser& p) {
  Sid sid{};
  std::string_view b = p.bytes(16, "SID");
  if (p.ok()) std::copy(b.begin(), b.end(), sid.begin());
  return sid;
}

}  // namespace

Result<BinlogEvent> EventDecoder::decode_event(std::string_view event, const EventLocation& where,
                                               bool inner) {
  BinlogEvent out;
  auto fail = [&](std::string_view what) {
    return make_error(ErrorKind::kFatal, "binlog {} event at {}:{}: {}",
                      event_type_name(out.header.type), where.file, where.position, what);
  };
  if (event.size() < kHeaderLength) {
    out.header.type = event.size() > 4 ? static_cast<uint8_t>(event[4]) : 0;
    return fail("truncated: the header needs 19 bytes, " + std::to_string(event.size()) +
                " given (offset 0)");
  }
  {
    EventParser h(event, 0, kHeaderLength);
    out.header.timestamp = h.u32("timestamp");
    out.header.type = h.u8("type");
    out.header.server_id = h.u32("server_id");
    out.header.event_size = h.u32("event_size");
    out.header.log_pos = h.u32("log_pos");
    out.header.flags = h.u16("flags");
  }
  const EventHeader& hdr = out.header;
  if (hdr.event_size != event.size()) {
    return fail("the header's event size " + std::to_string(hdr.event_size) + " is not the " +
                std::to_string(event.size()) + " bytes given (offset 9)");
  }
  size_t header_len = kHeaderLength;
  if (has_format_ && format_.header_length > kHeaderLength) header_len = format_.header_length;
  size_t body_end = event.size();

  if (hdr.type == kFormatDescription) {
    // The FORMAT_DESCRIPTION says itself whether it ends in a checksum.
    EventParser p(event, kHeaderLength, event.size());
    FormatDescriptionEvent fde;
    fde.binlog_version = p.u16("binlog_version");
    std::string_view version = p.bytes(kServerVersionLength, "server_version");
    fde.server_version = std::string(version.substr(0, version.find('\0')));
    fde.created = p.u32("created");
    fde.header_length = p.u8("header_length");
    if (!p.ok()) return fail(p.error());
    if (fde.binlog_version != 4) {
      return fail("binlog version " + std::to_string(fde.binlog_version) + " is not 4 (offset 19)");
    }
    if (fde.header_length < kHeaderLength) {
      return fail("header length " + std::to_string(fde.header_length) + " is below 19 (offset " +
                  std::to_string(p.offset() - 1) + ")");
    }
    fde.mariadb = fde.server_version.find("MariaDB") != std::string::npos;
    size_t tail = 0;
    if (format_has_checksum_alg(fde.server_version, fde.mariadb)) tail = 1 + kChecksumLength;
    if (p.remaining() < tail) {
      return fail("truncated: no room for the checksum algorithm at offset " +
                  std::to_string(p.offset()));
    }
    std::string_view lengths = p.bytes(p.remaining() - tail, "post_header_lengths");
    fde.post_header_lengths.assign(lengths.begin(), lengths.end());
    if (tail != 0) {
      fde.checksum_alg = p.u8("checksum_alg");
      uint32_t stored = p.u32("checksum");
      if (*fde.checksum_alg == 1 && options_.verify_checksum) {
        // The server sets BINLOG_IN_USE in the file's FORMAT_DESCRIPTION while the file is open
        // but computed the checksum without it (MySQL's and MariaDB's event_checksum_test clear
        // it too): the live file's first event would fail otherwise.
        std::string copy(event.substr(0, event.size() - kChecksumLength));
        copy[17] = static_cast<char>(static_cast<uint8_t>(copy[17]) & ~kFlagBinlogInUse);
        uint32_t computed = crc32_of(copy);
        if (computed != stored) {
          return fail("CRC32 mismatch (stored " + std::to_string(stored) + ", computed " +
                      std::to_string(computed) + ", offset " +
                      std::to_string(event.size() - kChecksumLength) + ")");
        }
      } else if (*fde.checksum_alg != 0) {
        return fail("unknown checksum algorithm " + std::to_string(*fde.checksum_alg) +
                    " (offset " + std::to_string(event.size() - 5) + ")");
      }
    }
    if (!p.ok()) return fail(p.error());
    format_ = fde;
    has_format_ = true;
    out.body = std::move(fde);
    return out;
  }

  if (!inner && checksum_enabled()) {
    if (event.size() < header_len + kChecksumLength) {
      return fail("truncated: no room for the CRC32 (offset " + std::to_string(event.size()) + ")");
    }
    body_end -= kChecksumLength;
    EventParser c(event, body_end, event.size());
    uint32_t stored = c.u32("checksum");
    uint32_t computed = crc32_of(event.substr(0, body_end));
    if (options_.verify_checksum && computed != stored) {
      return fail("CRC32 mismatch (stored " + std::to_string(stored) + ", computed " +
                  std::to_string(computed) + ", offset " + std::to_string(body_end) + ")");
    }
  }
  if (body_end < header_len) {
    return fail("truncated: the header needs " + std::to_string(header_len) +
                " bytes before offset " + std::to_string(body_end));
  }

  EventParser p(event, header_len, body_end);
  const uint8_t type = hdr.type;
  auto finish = [&](auto&& body) -> Result<BinlogEvent> {
    if (!p.ok()) return fail(p.error());
    out.body = std::move(body);
    return out;
  };

  switch (type) {
    case kRotate: {
      RotateEvent e;
      e.position = p.u64("position");
      e.next_file = std::string(p.rest());
      return finish(std::move(e));
    }
    case kStop:
      return finish(StopEvent{});
    case kQuery:
    case kQueryCompressed: {
      QueryEvent e;
      e.compressed = type == kQueryCompressed;
      size_t post = post_header_length(type);
      e.thread_id = p.u32("thread_id");
      e.exec_time = p.u32("exec_time");
      uint8_t db_len = p.u8("db_len");
      e.error_code = p.u16("error_code");
      uint16_t status_len = post >= 13 ? p.u16("status_len") : 0;
      if (post > 13) p.skip(post - 13, "post-header");
      std::string_view status = p.bytes(status_len, "status variables");
      e.database = std::string(p.bytes(db_len, "database"));
      p.skip(1, "database terminator");
      std::string_view query = p.rest();
      if (!p.ok()) return fail(p.error());
      // Status variables: stop at the first code we do not know (its size is unknown), the
      // database and query are found through status_len anyway.
      EventParser s(status, 0, status.size());
      bool known = true;
      while (known && s.ok() && !s.at_end()) {
        uint8_t code = s.u8("status code");
        switch (code) {
          case 0:
            e.flags2 = s.u32("FLAGS2");
            break;
          case 1:
            e.sql_mode = s.u64("SQL_MODE");
            break;
          case 2: {
            uint8_t n = s.u8("CATALOG");
            s.skip(n + 1u, "CATALOG");
            break;
          }
          case 3:
            s.skip(4, "AUTO_INCREMENT");
            break;
          case 4:
            e.charset_client = s.u16("CHARSET");
            e.collation_connection = s.u16("CHARSET");
            e.collation_server = s.u16("CHARSET");
            break;
          case 5: {
            uint8_t n = s.u8("TIME_ZONE");
            e.time_zone = std::string(s.bytes(n, "TIME_ZONE"));
            break;
          }
          case 6: {
            uint8_t n = s.u8("CATALOG_NZ");
            s.skip(n, "CATALOG_NZ");
            break;
          }
          case 7:
            s.skip(2, "LC_TIME_NAMES");
            break;
          case 8:
            e.collation_database = s.u16("CHARSET_DATABASE");
            break;
          case 9:
            s.skip(8, "TABLE_MAP_FOR_UPDATE");
            break;
          case 10:
            s.skip(4, "MASTER_DATA_WRITTEN");
            break;
          case 11: {
            uint8_t n = s.u8("INVOKER user");
            s.skip(n, "INVOKER user");
            uint8_t m = s.u8("INVOKER host");
            s.skip(m, "INVOKER host");
            break;
          }
          case 12: {
            uint8_t n = s.u8("UPDATED_DB_NAMES");
            if (n == 254) break;
            for (uint8_t i = 0; i < n && s.ok(); ++i) {
              while (s.ok() && s.u8("UPDATED_DB_NAMES") != 0) {  // NUL-terminated names
              }
            }
            break;
          }
          case 13:
            s.skip(3, "MICROSECONDS");
            break;
          case 16:
            s.skip(1, "EXPLICIT_DEFAULTS_FOR_TIMESTAMP");
            break;
          case 17:
            s.skip(8, "DDL_LOGGED_WITH_XID");
            break;
          case 18:
            s.skip(2, "DEFAULT_COLLATION_FOR_UTF8MB4");
            break;
          case 19:
          case 20:
            s.skip(1, "status byte");
            break;
          case 0x80:
            s.skip(3, "HRNOW");
            break;
          case 0x81:
            s.skip(8, "XID");
            break;
          default:
            known = false;
        }
      }
      if (!s.ok()) {
        return fail("status variables at offset " +
                    std::to_string(body_end - query.size() - 1 - db_len - status.size()) + ": " +
                    s.error());
      }
      if (e.compressed) {
        std::string error;
        if (!inflate_mariadb(query, options_.max_inflated_size, e.query, error)) {
          return fail(error + " (query at offset " + std::to_string(body_end - query.size()) + ")");
        }
      } else {
        e.query = std::string(query);
      }
      return finish(std::move(e));
    }
    case kXid: {
      XidEvent e;
      e.xid = p.u64("xid");
      return finish(std::move(e));
    }
    case kXaPrepare: {
      XaPrepareEvent e;
      e.one_phase = p.u8("one_phase") != 0;
      e.format_id = p.u32("formatID");
      uint32_t gtrid_len = p.u32("gtrid_length");
      uint32_t bqual_len = p.u32("bqual_length");
      if (p.ok() && (gtrid_len > 64 || bqual_len > 64)) {
        return fail("XID lengths " + std::to_string(gtrid_len) + "/" + std::to_string(bqual_len) +
                    " exceed 64 (offset " + std::to_string(p.offset() - 8) + ")");
      }
      e.gtrid = std::string(p.bytes(gtrid_len, "gtrid"));
      e.bqual = std::string(p.bytes(bqual_len, "bqual"));
      return finish(std::move(e));
    }
    case kTableMap: {
      TableMap t;
      size_t post = post_header_length(type);
      t.table_id = post == 6 ? p.u32("table_id") : p.u48("table_id");
      t.flags = p.u16("flags");
      if (post > 8) p.skip(post - 8, "post-header");
      uint8_t db_len = p.u8("database length");
      t.database = std::string(p.bytes(db_len, "database"));
      p.skip(1, "database terminator");
      uint8_t table_len = p.u8("table length");
      t.table = std::string(p.bytes(table_len, "table"));
      p.skip(1, "table terminator");
      uint64_t ncols = p.lenenc("column count");
      if (!p.ok()) return fail(p.error());
      if (ncols > p.remaining()) {
        return fail("column count " + std::to_string(ncols) + " exceeds the event (offset " +
                    std::to_string(p.offset()) + ")");
      }
      std::string_view types = p.bytes(ncols, "column types");
      t.columns.resize(ncols);
      for (size_t i = 0; i < ncols; ++i) t.columns[i].type = static_cast<uint8_t>(types[i]);
      uint64_t meta_len = p.lenenc("metadata length");
      std::string_view meta = p.bytes(meta_len, "metadata");
      if (!p.ok()) return fail(p.error());
      size_t meta_offset = p.offset() - meta.size();
      EventParser m(meta, 0, meta.size());
      for (auto& c : t.columns) read_column_meta(m, c);
      if (!m.ok() || !m.at_end()) {
        return fail("column metadata (at offset " + std::to_string(meta_offset) +
                    ") does not match the column types: " +
                    (m.ok() ? std::to_string(m.remaining()) + " bytes left over" : m.error()));
      }
      std::vector<bool> nullable = read_bitmap(p, ncols, "null bitmap");
      if (!p.ok()) return fail(p.error());
      for (size_t i = 0; i < ncols; ++i) t.columns[i].nullable = nullable[i];
      read_optional_metadata(p, t, has_format_ && format_.mariadb);
      return finish(std::move(t));
    }
    case kWriteRowsV1:
    case kUpdateRowsV1:
    case kDeleteRowsV1:
    case kWriteRowsV2:
    case kUpdateRowsV2:
    case kDeleteRowsV2:
    case kPartialUpdateRows:
    case kWriteRowsCompressedV1:
    case kUpdateRowsCompressedV1:
    case kDeleteRowsCompressedV1:
    case kWriteRowsCompressedV2:
    case kUpdateRowsCompressedV2:
    case kDeleteRowsCompressedV2: {
      RowsEvent e;
      e.partial = type == kPartialUpdateRows;
      switch (type) {
        case kWriteRowsV1:
        case kWriteRowsV2:
        case kWriteRowsCompressedV1:
        case kWriteRowsCompressedV2:
          e.kind = RowsEvent::Kind::kWrite;
          break;
        case kUpdateRowsV1:
        case kUpdateRowsV2:
        case kPartialUpdateRows:
        case kUpdateRowsCompressedV1:
        case kUpdateRowsCompressedV2:
          e.kind = RowsEvent::Kind::kUpdate;
          break;
        default:
          e.kind = RowsEvent::Kind::kDelete;
      }
      e.version = (type >= kWriteRowsV2 && type <= kDeleteRowsV2) || type == kPartialUpdateRows ||
                          type >= kWriteRowsCompressedV2
                      ? 2
                      : 1;
      e.compressed = type >= kWriteRowsCompressedV1;
      size_t post = post_header_length(type);
      e.table_id = post == 6 ? p.u32("table_id") : p.u48("table_id");
      e.flags = p.u16("flags");
      size_t used = post == 6 ? 6 : 8;
      if (e.version == 2 && post >= 10) {
        uint16_t extra_len = p.u16("extra_data_length");
        used += 2;
        if (p.ok() && extra_len < 2) {
          return fail("extra data length " + std::to_string(extra_len) + " is below 2 (offset " +
                      std::to_string(p.offset() - 2) + ")");
        }
        p.skip(extra_len - 2u, "extra data");
      }
      if (post > used) p.skip(post - used, "post-header");
      uint64_t width = p.lenenc("column count");
      if (!p.ok()) return fail(p.error());
      if (width > uint64_t{8} * p.remaining()) {
        return fail("column count " + std::to_string(width) + " exceeds the event (offset " +
                    std::to_string(p.offset()) + ")");
      }
      e.width = static_cast<uint32_t>(width);
      e.columns_present = read_bitmap(p, width, "columns-present bitmap");
      if (e.kind == RowsEvent::Kind::kUpdate) {
        e.columns_present_update = read_bitmap(p, width, "after-image columns bitmap");
      }
      if (!p.ok()) return fail(p.error());
      e.rows_offset = p.offset();
      std::string_view rows = p.rest();
      if (e.compressed) {
        std::string error;
        if (!inflate_mariadb(rows, options_.max_inflated_size, e.rows, error)) {
          return fail(error + " (rows at offset " + std::to_string(e.rows_offset) + ")");
        }
      } else {
        e.rows = std::string(rows);
      }
      return finish(std::move(e));
    }
    case kMariaGtid: {
      MariaGtidEvent e;
      e.server_id = hdr.server_id;
      e.seq_no = p.u64("seq_no");
      e.domain_id = p.u32("domain_id");
      e.flags2 = p.u8("flags2");
      if (e.flags2 & MariaGtidEvent::kGroupCommitId) {
        e.commit_id = p.u64("commit_id");
      }
      if (e.flags2 & (MariaGtidEvent::kPreparedXa | MariaGtidEvent::kCompletedXa)) {
        e.xa_format_id = p.u32("XA formatID");
        uint8_t gtrid_len = p.u8("XA gtrid length");
        uint8_t bqual_len = p.u8("XA bqual length");
        if (p.ok() && (gtrid_len > 64 || bqual_len > 64)) {
          return fail("XID lengths exceed 64 (offset " + std::to_string(p.offset() - 2) + ")");
        }
        e.xa_gtrid = std::string(p.bytes(gtrid_len, "XA gtrid"));
        e.xa_bqual = std::string(p.bytes(bqual_len, "XA bqual"));
      }
      // Then optionally flags_extra and what it announces; the rest pads the body to 19 bytes.
      if (!p.at_end()) {
        e.flags_extra = p.u8("flags_extra");
        if (e.flags_extra & 0x01) e.extra_engines = p.u8("extra_engines");
        if (e.flags_extra & 0x0c) e.start_alter_seq_no = p.u64("start_alter_seq_no");
      }
      return finish(std::move(e));
    }
    case kMariaGtidList: {
      MariaGtidListEvent e;
      uint32_t word = p.u32("count");
      uint32_t count = word & 0x0fffffff;
      e.flags = static_cast<uint8_t>(word >> 28);
      if (p.ok() && uint64_t{count} * 16 > p.remaining()) {
        return fail("GTID count " + std::to_string(count) + " exceeds the event (offset " +
                    std::to_string(p.offset() - 4) + ")");
      }
      for (uint32_t i = 0; i < count && p.ok(); ++i) {
        MariaGtid g;
        g.domain_id = p.u32("domain_id");
        g.server_id = p.u32("server_id");
        g.seq_no = p.u64("seq_no");
        e.gtids.push_back(g);
      }
      return finish(std::move(e));
    }
    case kBinlogCheckpoint: {
      BinlogCheckpointEvent e;
      uint32_t len = p.u32("file name length");
      e.file = std::string(p.bytes(len, "file name"));
      return finish(std::move(e));
    }
    case kAnnotateRows: {
      AnnotateRowsEvent e;
      e.query = std::string(p.rest());
      return finish(std::move(e));
    }
    case kRowsQuery: {
      RowsQueryEvent e;
      p.skip(1, "length byte");  // a truncated length; the text runs to the end
      e.query = std::string(p.rest());
      return finish(std::move(e));
    }
    case kStartEncryption: {
      StartEncryptionEvent e;
      e.scheme = p.u8("scheme");
      e.key_version = p.u32("key_version");
      p.skip(12, "nonce");
      return finish(std::move(e));
    }
    case kGtidLog:
    case kAnonymousGtidLog: {
      MysqlGtidEvent e;
      e.anonymous = type == kAnonymousGtidLog;
      e.flags = p.u8("flags");
      e.sid = read_sid(p);
      e.gno = static_cast<int64_t>(p.u64("gno"));
      if (!p.at_end()) {
        uint8_t lt_type = p.u8("logical timestamp type");
        if (p.ok() && lt_type != 2) {
          return fail("logical timestamp type " + std::to_string(lt_type) + " is not 2 (offset " +
                      std::to_string(p.offset() - 1) + ")");
        }
        e.last_committed = static_cast<int64_t>(p.u64("last_committed"));
        e.sequence_number = static_cast<int64_t>(p.u64("sequence_number"));
      }
      if (p.remaining() >= 7) {
        uint64_t ts = p.uint(7, "immediate_commit_timestamp");
        constexpr uint64_t kHighBit = uint64_t{1} << 55;
        if (ts & kHighBit) {
          e.immediate_commit_ts = ts & ~kHighBit;
          e.original_commit_ts = p.uint(7, "original_commit_timestamp");
        } else {
          e.immediate_commit_ts = ts;
          e.original_commit_ts = ts;
        }
        if (!p.at_end()) e.transaction_length = p.lenenc("transaction_length");
        if (p.remaining() >= 4) {
          uint32_t v = p.u32("immediate_server_version");
          if (v & 0x80000000u) {
            e.immediate_server_version = v & 0x7fffffffu;
            e.original_server_version = p.u32("original_server_version");
          } else {
            e.immediate_server_version = v;
            e.original_server_version = v;
          }
        }
        if (p.remaining() >= 8) p.skip(8, "commit_group_ticket");
      }
      return finish(std::move(e));
    }
    case kPreviousGtids: {
      PreviousGtidsEvent e;
      uint64_t n = p.u64("sid count");
      if (p.ok() && n > p.remaining() / 24) {
        return fail("sid count " + std::to_string(n) + " exceeds the event (offset " +
                    std::to_string(p.offset() - 8) + ")");
      }
      for (uint64_t i = 0; i < n && p.ok(); ++i) {
        PreviousGtidsEvent::Entry entry;
        entry.sid = read_sid(p);
        uint64_t intervals = p.u64("interval count");
        if (p.ok() && intervals > p.remaining() / 16) {
          return fail("interval count " + std::to_string(intervals) +
                      " exceeds the event (offset " + std::to_string(p.offset() - 8) + ")");
        }
        for (uint64_t k = 0; k < intervals && p.ok(); ++k) {
          GtidInterval iv;
          iv.start = static_cast<int64_t>(p.u64("interval start"));
          iv.end = static_cast<int64_t>(p.u64("interval end"));
          entry.intervals.push_back(iv);
        }
        e.sids.push_back(std::move(entry));
      }
      return finish(std::move(e));
    }
    case kTransactionPayload: {
      TransactionPayloadEvent e;
      bool have_size = false;
      // TLV header fields, values length-encoded (spec/binlog.md §2.8), 0 ends them.
      for (;;) {
        uint64_t field = p.lenenc("payload field type");
        if (!p.ok() || field == 0) break;
        uint64_t len = p.lenenc("payload field length");
        size_t start = p.offset();
        switch (field) {
          case 1:
            e.payload_size = p.lenenc("payload_size");
            break;
          case 2:
            e.compression = static_cast<uint8_t>(p.lenenc("compression"));
            break;
          case 3:
            e.uncompressed_size = p.lenenc("uncompressed_size");
            have_size = true;
            break;
          default:
            p.skip(len, "payload field");
        }
        if (p.ok() && p.offset() - start != len) {
          return fail("payload field " + std::to_string(field) + " is " + std::to_string(len) +
                      " bytes but its value used " + std::to_string(p.offset() - start) +
                      " (offset " + std::to_string(start) + ")");
        }
      }
      if (!p.ok()) return fail(p.error());
      size_t data_offset = p.offset();
      std::string_view data = p.rest();
      if (e.payload_size != data.size()) {
        return fail("payload_size " + std::to_string(e.payload_size) + " is not the " +
                    std::to_string(data.size()) + " bytes that follow (offset " +
                    std::to_string(data_offset) + ")");
      }
      if (e.compression == 255) {
        e.payload = std::string(data);
      } else if (e.compression == 0) {
        if (!have_size) {
          return fail("zstd payload without uncompressed_size (fields end before offset " +
                      std::to_string(data_offset) + ")");
        }
        std::string error;
        if (!inflate_zstd(data, e.uncompressed_size, options_.max_inflated_size, e.payload,
                          error)) {
          return fail(error + " (data at offset " + std::to_string(data_offset) + ")");
        }
      } else {
        return fail("unknown payload compression " + std::to_string(e.compression) +
                    " (fields end before offset " + std::to_string(data_offset) + ")");
      }
      return finish(std::move(e));
    }
    case kHeartbeat: {
      HeartbeatEvent e;
      e.position = hdr.log_pos;
      e.file = std::string(p.rest());
      return finish(std::move(e));
    }
    case kHeartbeatV2: {
      HeartbeatEvent e;
      for (;;) {
        uint64_t field = p.lenenc("heartbeat field");
        if (!p.ok() || field == 0) break;
        uint64_t len = p.lenenc("heartbeat field length");
        std::string_view value = p.bytes(len, "heartbeat field value");
        if (field == 1) e.file = std::string(value);
        if (field == 2) {
          EventParser v(value, 0, value.size());
          e.position = v.lenenc("heartbeat position");
          if (!v.ok()) return fail("heartbeat position: " + v.error());
        }
      }
      return finish(std::move(e));
    }
    case kIncident: {
      IncidentEvent e;
      e.incident = p.u16("incident");
      uint8_t n = p.u8("message length");
      e.message = std::string(p.bytes(n, "message"));
      return finish(std::move(e));
    }
    default:
      break;
  }
  if (carries_nothing(type) || (hdr.flags & kFlagIgnorable) != 0) {
    return finish(SkippedEvent{});
  }
  return fail(
      "Siphon cannot decode this event type (" + std::to_string(type) +
      ") and it is not flagged ignorable (type byte at offset 4); stopping rather than losing "
      "changes");
}

Result<std::vector<BinlogEvent>> EventDecoder::decode_payload(
    const TransactionPayloadEvent& payload, const EventLocation& where) {
  std::vector<BinlogEvent> events;
  std::string_view rest = payload.payload;
  size_t offset = 0;
  while (!rest.empty()) {
    if (rest.size() < kHeaderLength) {
      return make_error(ErrorKind::kFatal,
                        "binlog TRANSACTION_PAYLOAD event at {}:{}: truncated inner event header "
                        "at payload offset {}",
                        where.file, where.position, offset);
    }
    uint32_t size = 0;
    for (int i = 3; i >= 0; --i) size = (size << 8) | static_cast<uint8_t>(rest[9 + i]);
    if (size < kHeaderLength || size > rest.size()) {
      return make_error(ErrorKind::kFatal,
                        "binlog TRANSACTION_PAYLOAD event at {}:{}: inner event at payload "
                        "offset {} claims {} bytes, {} left",
                        where.file, where.position, offset, size, rest.size());
    }
    std::string inner_file = std::string(where.file) + " payload@" + std::to_string(offset);
    auto event = decode_event(rest.substr(0, size), {inner_file, where.position}, true);
    if (!event) return tl::unexpected(event.error());
    if (event->header.type == kFormatDescription || event->header.type == kTransactionPayload) {
      return make_error(ErrorKind::kFatal,
                        "binlog TRANSACTION_PAYLOAD event at {}:{}: holds a {} event at payload "
                        "offset {}",
                        where.file, where.position, event_type_name(event->header.type), offset);
    }
    events.push_back(std::move(*event));
    rest.remove_prefix(size);
    offset += size;
  }
  return events;
}

BinlogFileReader::BinlogFileReader(std::string_view bytes, std::string file_name,
                                   EventDecoder::Options options)
    : bytes_(bytes), file_(std::move(file_name)), decoder_(options) {}

Result<std::optional<BinlogEvent>> BinlogFileReader::next() {
  if (!checked_magic_) {
    if (bytes_.size() < 4 || bytes_.substr(0, 4) != std::string_view("\xfe"
                                                                     "bin",
                                                                     4)) {
      return make_error(ErrorKind::kFatal, "{} is not a binlog file (no \\xfebin magic)", file_);
    }
    checked_magic_ = true;
  }
  if (position_ == bytes_.size()) return std::optional<BinlogEvent>();
  if (bytes_.size() - position_ < kHeaderLength) {
    return make_error(ErrorKind::kFatal, "{}:{}: the file ends inside an event header", file_,
                      position_);
  }
  uint32_t size = 0;
  for (int i = 3; i >= 0; --i) {
    size = (size << 8) | static_cast<uint8_t>(bytes_[position_ + 9 + i]);
  }
  if (size < kHeaderLength || size > bytes_.size() - position_) {
    return make_error(ErrorKind::kFatal, "{}:{}: event claims {} bytes, the file has {} left",
                      file_, position_, size, bytes_.size() - position_);
  }
  auto event = decoder_.decode(bytes_.substr(position_, size), {file_, position_});
  if (!event) return tl::unexpected(event.error());
  position_ += size;
  return std::optional<BinlogEvent>(std::move(*event));
}

}  // namespace siphon::source::binlog
