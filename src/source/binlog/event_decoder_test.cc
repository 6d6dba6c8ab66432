// Event decoder tests on hand-built events laid out as spec/binlog.md §2-4 describes (with its
// real-byte examples), for the events no golden file holds (MySQL GTID_LOG, ROWS_QUERY,
// HEARTBEAT), plus the failure paths: unknown events, checksums, truncation.
#include "source/binlog/event_decoder.h"

#include <zlib.h>

#include <variant>

#include <gtest/gtest.h>

#include "source/binlog/binlog_test_util.h"
#include "source/binlog/row_decoder.h"

namespace siphon::source::binlog {
namespace {

using testing::make_event;
using testing::put_le;
using testing::unhex;

template <typename T>
const T* decode_as(EventDecoder& d, const std::string& event) {
  static Result<BinlogEvent> last;
  last = d.decode(event, {"binlog.000001", 4});
  EXPECT_TRUE(last) << last.error().message;
  if (!last) return nullptr;
  const T* body = std::get_if<T>(&last->body);
  EXPECT_NE(body, nullptr) << "decoded as another event type";
  return body;
}

TEST(EventDecoder, FakeRotateFromTheSpec) {
  // spec/binlog.md §2.1: the replication stream's fake ROTATE, no CRC.
  std::string e = unhex("00 00 00 00 04 01 00 00 00 28 00 00 00 00 00 00 00 20 00") +
                  unhex("04 00 00 00 00 00 00 00") + "binlog.000001";
  e[9] = static_cast<char>(e.size());
  EventDecoder d;
  const auto* r = decode_as<RotateEvent>(d, e);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->position, 4u);
  EXPECT_EQ(r->next_file, "binlog.000001");
}

TEST(EventDecoder, MysqlGtidLogWithCommitTimestampsAndLength) {
  // spec/binlog.md §2.8: flags, SID, GNO, lt_type 2, last_committed, sequence_number,
  // immediate (bit 55 set) then original commit timestamp, transaction length, server versions.
  std::string body;
  body += '\x01';
  std::string sid = unhex("3e11fa47 71ca 11e1 9e33 c80aa9429562");
  body += sid;
  put_le(body, 23, 8);
  body += '\x02';
  put_le(body, 5, 8);
  put_le(body, 6, 8);
  put_le(body, 1700000000000000ULL | (uint64_t{1} << 55), 7);
  put_le(body, 1690000000000000ULL, 7);
  body += unhex("fc 2c 01");  // lenenc 300
  put_le(body, 80036u | 0x80000000u, 4);
  put_le(body, 50700, 4);
  EventDecoder d;
  const auto* g = decode_as<MysqlGtidEvent>(d, make_event(kGtidLog, body));
  ASSERT_NE(g, nullptr);
  EXPECT_FALSE(g->anonymous);
  EXPECT_EQ(g->flags, 1);
  EXPECT_EQ(std::string(g->sid.begin(), g->sid.end()), sid);
  EXPECT_EQ(g->gno, 23);
  EXPECT_EQ(g->last_committed, 5);
  EXPECT_EQ(g->sequence_number, 6);
  EXPECT_EQ(g->immediate_commit_ts, 1700000000000000ULL);
  EXPECT_EQ(g->original_commit_ts, 1690000000000000ULL);
  EXPECT_EQ(g->transaction_length, 300u);
  EXPECT_EQ(g->immediate_server_version, 80036u);
  EXPECT_EQ(g->original_server_version, 50700u);

  // An old server's event ends after the post-header: the optional fields stay empty.
  const auto* old = decode_as<MysqlGtidEvent>(d, make_event(kAnonymousGtidLog, body.substr(0, 42)));
  ASSERT_NE(old, nullptr);
  EXPECT_TRUE(old->anonymous);
  EXPECT_FALSE(old->immediate_commit_ts);
}

TEST(EventDecoder, PreviousGtidsFromTheSpecExample) {
  // spec/binlog.md §1.4: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5.
  std::string body = unhex(
      "01 00 00 00 00 00 00 00 | 3e 11 fa 47 71 ca 11 e1 9e 33 c8 0a a9 42 95 62 |"
      "01 00 00 00 00 00 00 00 | 01 00 00 00 00 00 00 00 | 06 00 00 00 00 00 00 00");
  EventDecoder d;
  const auto* p = decode_as<PreviousGtidsEvent>(d, make_event(kPreviousGtids, body));
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->sids.size(), 1u);
  ASSERT_EQ(p->sids[0].intervals.size(), 1u);
  EXPECT_EQ(p->sids[0].intervals[0], (GtidInterval{1, 6}));
  // A count larger than the event is refused before anything is allocated.
  body[0] = '\x7f';
  auto bad = d.decode(make_event(kPreviousGtids, body), {"f", 9});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("offset"), std::string::npos) << bad.error().message;
}

TEST(EventDecoder, RowsQueryAnnotateHeartbeatAndXaPrepare) {
  EventDecoder d;
  const auto* rq = decode_as<RowsQueryEvent>(d, make_event(kRowsQuery, "\x0bINSERT 1"));
  ASSERT_NE(rq, nullptr);
  EXPECT_EQ(rq->query, "INSERT 1");
  const auto* an = decode_as<AnnotateRowsEvent>(d, make_event(kAnnotateRows, "UPDATE t"));
  ASSERT_NE(an, nullptr);
  EXPECT_EQ(an->query, "UPDATE t");
  const auto* hb = decode_as<HeartbeatEvent>(d, make_event(kHeartbeat, "binlog.000009"));
  ASSERT_NE(hb, nullptr);
  EXPECT_EQ(hb->file, "binlog.000009");
  EXPECT_EQ(hb->position, 1000u);
  // v2: TLV, 1 file name, 2 position (lenenc inside), 0 end.
  const auto* hb2 = decode_as<HeartbeatEvent>(
      d, make_event(kHeartbeatV2, unhex("01 03") + "b.1" + unhex("02 04 fd 00 00 01 00")));
  ASSERT_NE(hb2, nullptr);
  EXPECT_EQ(hb2->file, "b.1");
  EXPECT_EQ(hb2->position, 0x10000u);
  std::string xa = unhex("00 01 00 00 00 02 00 00 00 01 00 00 00") + "abc";
  const auto* xp = decode_as<XaPrepareEvent>(d, make_event(kXaPrepare, xa));
  ASSERT_NE(xp, nullptr);
  EXPECT_EQ(xp->format_id, 1u);
  EXPECT_EQ(xp->gtrid, "ab");
  EXPECT_EQ(xp->bqual, "c");
}

TEST(EventDecoder, MariaDbGtidFromTheSpec) {
  // spec/binlog.md §2.6 real bytes: GTID 0-7-1, TRANSACTIONAL + ALLOW_PARALLEL, padding.
  EventDecoder d;
  const auto* g = decode_as<MariaGtidEvent>(
      d, make_event(kMariaGtid,
                    unhex("01 00 00 00 00 00 00 00 | 00 00 00 00 | 0c | 00 00 00 00 00 00"), 0x08));
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->seq_no, 1u);
  EXPECT_EQ(g->domain_id, 0u);
  EXPECT_EQ(g->server_id, 7u);
  EXPECT_EQ(g->flags2, 0x0c);
  EXPECT_FALSE(g->commit_id);
  // GTID_LIST with one entry and the UNTIL flag bits.
  std::string list = unhex("01 00 00 10 | 01 00 00 00 | 02 00 00 00 | 03 00 00 00 00 00 00 00");
  const auto* l = decode_as<MariaGtidListEvent>(d, make_event(kMariaGtidList, list));
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->flags, 1);
  ASSERT_EQ(l->gtids.size(), 1u);
  EXPECT_EQ(l->gtids[0], (MariaGtid{1, 2, 3}));
}

TEST(EventDecoder, RowsV2ExampleFromTheSpec) {
  // spec/binlog.md §4: v2 WRITE of (1,'ab') into (id INT, name VARCHAR(20) utf8mb4), then the
  // UPDATE to 'cd'.
  EventDecoder d;
  std::string map_body = unhex("6a 00 00 00 00 00 | 01 00 | 01") + "d" + std::string(1, '\0') +
                         unhex("01") + "t" + std::string(1, '\0') +
                         unhex("02 | 03 0f | 02 | 50 00 | 02");
  const auto* map = decode_as<TableMap>(d, make_event(kTableMap, map_body));
  ASSERT_NE(map, nullptr);
  TableMap table = *map;
  table.columns[1].collation = 45;
  ASSERT_EQ(table.columns.size(), 2u);
  EXPECT_EQ(table.columns[1].max_length, 80u);
  EXPECT_FALSE(table.columns[0].nullable);
  EXPECT_TRUE(table.columns[1].nullable);

  const auto* w = decode_as<RowsEvent>(
      d, make_event(kWriteRowsV2, unhex("6a 00 00 00 00 00 | 01 00 | 02 00 | 02 | 03 | 00 | "
                                        "01 00 00 00 | 02 61 62")));
  ASSERT_NE(w, nullptr);
  auto rows = decode_rows(*w, table, {"f", 4});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].after->at(0).integer, 1);
  EXPECT_EQ((*rows)[0].after->at(1).bytes, "ab");

  const auto* u = decode_as<RowsEvent>(
      d, make_event(kUpdateRowsV2, unhex("6a 00 00 00 00 00 | 01 00 | 02 00 | 02 | 03 | 03 |"
                                         "00 01 00 00 00 02 61 62 | 00 01 00 00 00 02 63 64")));
  ASSERT_NE(u, nullptr);
  rows = decode_rows(*u, table, {"f", 4});
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].before->at(1).bytes, "ab");
  EXPECT_EQ((*rows)[0].after->at(1).bytes, "cd");
}

TEST(EventDecoder, RealMariaDbTableMapWithFullMetadata) {
  // spec/binlog.md §3.5: the real MariaDB 10.11 TABLE_MAP of t.a (17 columns, FULL metadata).
  std::string body = unhex(
      "12 00 00 00 00 00 01 00 | 01 74 00 | 01 61 00 | 11"
      "03 0d 03 ff fc fe fe fc fe fe 13 12 11 f6 10 0f 0f"
      "16 | 04 04 f7 01 f8 01 02 ce fc fe 04 02 03 06 0c 02 02 01 0a 00 2c 01"
      "fe ff 01"
      "01 01 c0"
      "03 07 3f 2e 08 2d 3f 3f 08"
      "07 01 00"
      "0a 01 08"
      "05 07 03 01 70 01 71 01 72"
      "06 05 02 01 78 01 79"
      "08 01 00");
  EventDecoder d;
  // A MariaDB FORMAT_DESCRIPTION first: MariaDB counts GEOMETRY as a character column.
  std::string fde;
  put_le(fde, 4, 2);
  std::string version = "10.11.19-MariaDB-log";
  version.resize(50, '\0');
  fde += version;
  put_le(fde, 0, 4);
  fde += '\x13';
  fde += std::string(171, '\0');
  fde[2 + 50 + 4 + 1 + kTableMap - 1] = 8;
  fde += '\x00';  // checksum alg: none
  put_le(fde, 0, 4);
  ASSERT_TRUE(d.decode(make_event(kFormatDescription, fde), {"f", 4}));
  const auto* t = decode_as<TableMap>(d, make_event(kTableMap, body));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->database, "t");
  EXPECT_EQ(t->table, "a");
  ASSERT_EQ(t->columns.size(), 17u);
  const auto& c = t->columns;
  EXPECT_EQ(c[0].is_unsigned, true);    // id INT UNSIGNED
  EXPECT_EQ(c[1].is_unsigned, true);    // YEAR counts as numeric (MariaDB writes 1)
  EXPECT_EQ(c[2].is_unsigned, false);   // n INT
  EXPECT_EQ(c[13].is_unsigned, false);  // DECIMAL
  EXPECT_EQ(c[3].collation, 63u);       // GEOMETRY
  EXPECT_EQ(c[4].collation, 46u);       // JSON = LONGTEXT utf8mb4_bin
  EXPECT_EQ(c[7].collation, 8u);
  EXPECT_EQ(c[8].collation, 45u);
  EXPECT_EQ(c[8].max_length, 1020u);  // CHAR(255) utf8mb4: ce fc
  EXPECT_EQ(c[9].collation, 63u);
  EXPECT_EQ(c[9].max_length, 4u);
  EXPECT_EQ(c[5].real_type, kTypeEnum);
  EXPECT_EQ(c[5].collation, 8u);
  EXPECT_EQ(c[5].enum_values, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(c[6].real_type, kTypeSet);
  EXPECT_EQ(c[6].set_values, (std::vector<std::string>{"p", "q", "r"}));
  EXPECT_EQ(c[10].fsp, 2);
  EXPECT_EQ(c[11].fsp, 3);
  EXPECT_EQ(c[12].fsp, 6);
  EXPECT_EQ(c[13].precision, 12);
  EXPECT_EQ(c[13].scale, 2);
  EXPECT_EQ(c[14].bits, 10);
  EXPECT_EQ(c[16].max_length, 300u);
  EXPECT_EQ(c[3].geometry_type, 0u);
  EXPECT_TRUE(c[0].primary_key);
  EXPECT_FALSE(c[0].nullable);
  EXPECT_TRUE(c[1].nullable);
  EXPECT_TRUE(t->has_signedness);
  EXPECT_TRUE(t->has_charsets);
  EXPECT_FALSE(t->has_names);  // the spec's excerpt leaves COLUMN_NAME out
}

TEST(EventDecoder, RowsV2ExtraDataAndMariaDbCompressionHeader) {
  EventDecoder d;
  // v2 extra data: length 5 counts itself, then a PART record (typecode 1, partition 3).
  const auto* r = decode_as<RowsEvent>(
      d, make_event(kDeleteRowsV2, unhex("07 00 00 00 00 00 | 01 00 | 05 00 01 03 00 | 01 | 01 |"
                                         "00 2a")));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->kind, RowsEvent::Kind::kDelete);
  EXPECT_EQ(r->table_id, 7u);
  EXPECT_EQ(r->rows, unhex("00 2a"));
  auto short_extra =
      d.decode(make_event(kDeleteRowsV2, unhex("07 00 00 00 00 00 01 00 01 00")), {"f", 4});
  ASSERT_FALSE(short_extra);
  EXPECT_NE(short_extra.error().message.find("below 2"), std::string::npos);

  // A compressed row block whose header lacks the 0x80 marker, and one that lies about its size.
  auto no_marker = d.decode(
      make_event(kWriteRowsCompressedV1, unhex("07 00 00 00 00 00 01 00 01 01 01 7a 78 9c")),
      {"binlog.000003", 881});
  ASSERT_FALSE(no_marker);
  EXPECT_NE(no_marker.error().message.find("0x80"), std::string::npos);
  EXPECT_NE(no_marker.error().message.find("rows at offset 29"), std::string::npos)
      << no_marker.error().message;
  auto lies = d.decode(
      make_event(kWriteRowsCompressedV1, unhex("07 00 00 00 00 00 01 00 01 01 81 ff 78 9c 03 00")),
      {"binlog.000003", 881});
  ASSERT_FALSE(lies);
  EXPECT_NE(lies.error().message.find("zlib"), std::string::npos) << lies.error().message;
}

TEST(EventDecoder, UnknownEventStopsUnlessFlaggedIgnorable) {
  EventDecoder d;
  auto stop = d.decode(make_event(99, "xyz"), {"binlog.000004", 1234});
  ASSERT_FALSE(stop);
  EXPECT_EQ(stop.error().kind, ErrorKind::kFatal);
  const std::string& m = stop.error().message;
  EXPECT_NE(m.find("UNKNOWN_99"), std::string::npos) << m;
  EXPECT_NE(m.find("binlog.000004:1234"), std::string::npos) << m;

  auto skip = d.decode(make_event(99, "xyz", kFlagIgnorable), {"binlog.000004", 1234});
  ASSERT_TRUE(skip) << skip.error().message;
  EXPECT_TRUE(std::holds_alternative<SkippedEvent>(skip->body));
  // Known to carry nothing: INTVAR, RAND, USER_VAR.
  EXPECT_TRUE(d.decode(make_event(kIntvar, std::string(9, '\0')), {"f", 4}));
  // Known, carries rows Siphon cannot decode: never skipped silently.
  EXPECT_FALSE(d.decode(make_event(kWriteRowsV0, std::string(12, '\0')), {"f", 4}));
}

TEST(EventDecoder, ChecksumIsVerifiedOnceTheFormatSaysCrc32) {
  EventDecoder d({.checksum_before_format = true});
  std::string e = make_event(kXid, unhex("2a 00 00 00 00 00 00 00 00 00 00 00"));
  e[9] = static_cast<char>(e.size());
  uint32_t crc = static_cast<uint32_t>(
      ::crc32(0, reinterpret_cast<const Bytef*>(e.data()), static_cast<uInt>(e.size() - 4)));
  for (int i = 0; i < 4; ++i) e[e.size() - 4 + i] = static_cast<char>(crc >> (8 * i));
  const auto* x = decode_as<XidEvent>(d, e);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->xid, 42u);
  e[20] ^= 1;
  auto bad = d.decode(e, {"binlog.000002", 77});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("CRC32 mismatch"), std::string::npos);
  EXPECT_NE(bad.error().message.find("binlog.000002:77"), std::string::npos);
}

TEST(EventDecoder, SizeMismatchAndShortHeaderAreErrorsWithOffsets) {
  EventDecoder d;
  auto short_header = d.decode("\x01\x02\x03", {"f", 4});
  ASSERT_FALSE(short_header);
  EXPECT_NE(short_header.error().message.find("offset 0"), std::string::npos);
  std::string e = make_event(kXid, std::string(8, '\0'));
  auto cut = d.decode(std::string_view(e).substr(0, e.size() - 1), {"f", 4});
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message.find("offset 9"), std::string::npos) << cut.error().message;
  auto body_cut = d.decode(make_event(kXid, std::string(7, '\0')), {"f", 4});
  ASSERT_FALSE(body_cut);
  EXPECT_NE(body_cut.error().message.find("xid needs 8 bytes at offset 19"), std::string::npos)
      << body_cut.error().message;
}

}  // namespace
}  // namespace siphon::source::binlog
