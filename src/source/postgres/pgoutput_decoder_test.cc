#include "source/postgres/pgoutput_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace siphon::source::postgres {
namespace {

// ---- helpers ------------------------------------------------------------------------------------

// "4F 00000000 00ABCDEF" -> bytes; blanks are ignored.
std::string unhex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  int high = -1;
  for (char c : hex) {
    if (c == ' ') continue;
    int v = nibble(c);
    EXPECT_GE(v, 0) << "bad hex digit '" << c << "' in " << hex;
    if (v < 0) return out;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>((high << 4) | v));
      high = -1;
    }
  }
  EXPECT_EQ(high, -1) << "odd number of hex digits in " << hex;
  return out;
}

template <typename T>
const T* get(const Result<PgOutputMessage>& r) {
  if (!r) {
    ADD_FAILURE() << "decode failed: " << r.error().message;
    return nullptr;
  }
  const T* m = std::get_if<T>(&*r);
  if (m == nullptr) ADD_FAILURE() << "decoded to another message type (index " << r->index() << ")";
  return m;
}

// The byte offset an error message names ("... at byte offset 12"), or -1.
long error_offset(const std::string& message) {
  static constexpr std::string_view kMarker = "at byte offset ";
  auto pos = message.rfind(kMarker);
  if (pos == std::string::npos) return -1;
  size_t i = pos + kMarker.size();
  if (i >= message.size() || message[i] < '0' || message[i] > '9') return -1;
  long v = 0;
  for (; i < message.size() && message[i] >= '0' && message[i] <= '9'; ++i) {
    v = v * 10 + (message[i] - '0');
  }
  return v;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Reads every byte a decoded message views, so AddressSanitizer catches a view that points
// outside the input.
struct Toucher {
  uint64_t sum = 0;

  void bytes(std::string_view s) {
    for (char c : s) sum += static_cast<unsigned char>(c);
  }
  void tuple(const TupleData& t) {
    for (const auto& c : t) {
      sum += static_cast<unsigned char>(c.kind);
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
    tuple(m.old_tuple);
    tuple(m.new_tuple);
  }
  void operator()(const DeleteMessage& m) { tuple(m.old_tuple); }
  void operator()(const TruncateMessage& m) {
    for (uint32_t id : m.relation_ids) sum += id;
  }
  void operator()(const LogicalMessage& m) {
    bytes(m.prefix);
    bytes(m.content);
  }
};

// ---- the golden messages ------------------------------------------------------------------------

struct GoldenMessage {
  std::string file;  // "003_I.bin"
  char type = 0;     // the letter of the file name
  std::string bytes;
};

const std::vector<GoldenMessage>& golden() {
  static const std::vector<GoldenMessage> messages = [] {
    std::vector<GoldenMessage> out;
    namespace fs = std::filesystem;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(SIPHON_GOLDEN_DIR, ec)) {
      if (entry.path().extension() != ".bin") continue;
      GoldenMessage m;
      m.file = entry.path().filename().string();
      m.type = m.file.size() > 4 ? m.file[4] : 0;
      std::ifstream in(entry.path(), std::ios::binary);
      m.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      out.push_back(std::move(m));
    }
    std::sort(out.begin(), out.end(),
              [](const GoldenMessage& a, const GoldenMessage& b) { return a.file < b.file; });
    return out;
  }();
  return messages;
}

// The type bytes of the recorded stream, one transaction per word (README.md of the golden
// directory describes the workload).
constexpr std::string_view kRecordedStream =
    "BRIC BIC BUC BUC BDC "  // public.all_types: insert x2, update, key update, delete
    "BRIC BUC BDC "          // public.full_ident (FULL)
    "BRIC BUC BDC "          // public.idx_ident (USING INDEX)
    "BRIC "                  // public.no_ident (NOTHING)
    "BRIC "                  // public.dropped_col
    "BYYRIC "                // inventory.items: enum and domain
    "BRIC BUC "              // public.toasty: insert, update leaving the TOASTed value
    "BRIC BRIC BRRTC "       // trunc_parent, trunc_child, TRUNCATE of both
    "BMC M "                 // transactional and non-transactional message
    "BIIUMDC "               // multi-statement transaction
    "BOIC";                  // under a replication origin

TEST(PgOutputGolden, FilesFollowTheRecordedWorkload) {
  std::string expected;
  for (char c : kRecordedStream) {
    if (c != ' ') expected.push_back(c);
  }
  std::string actual;
  const auto& messages = golden();
  for (size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    EXPECT_EQ(m.file, fmt::format("{:03}_{}.bin", i + 1, m.type))
        << "files must be numbered 001, 002, ... without gaps";
    ASSERT_FALSE(m.bytes.empty()) << m.file;
    EXPECT_EQ(m.bytes[0], m.type) << m.file << ": the letter names the message type byte";
    actual.push_back(m.type);
  }
  EXPECT_EQ(actual, expected);
}

TEST(PgOutputGolden, EveryMessageDecodesToItsType) {
  ASSERT_FALSE(golden().empty());
  const std::map<char, size_t> index = {
      {'B', 0}, {'C', 1}, {'O', 2}, {'R', 3}, {'Y', 4},
      {'I', 5}, {'U', 6}, {'D', 7}, {'T', 8}, {'M', 9},
  };
  for (const auto& m : golden()) {
    auto r = decode_pgoutput_message(m.bytes);
    ASSERT_TRUE(r) << m.file << ": " << r.error().message;
    ASSERT_TRUE(index.count(m.type)) << m.file;
    EXPECT_EQ(r->index(), index.at(m.type)) << m.file;
  }
}

// Replays the golden stream: which relation each DML message names, and the transaction frame.
class GoldenStream : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(golden().empty());
    for (const auto& m : golden()) {
      auto r = decode_pgoutput_message(m.bytes);
      ASSERT_TRUE(r) << m.file << ": " << r.error().message;
      if (const auto* rel = std::get_if<RelationMessage>(&*r)) {
        relation_names_[rel->relation_id] =
            std::string(rel->namespace_name) + "." + std::string(rel->relation_name);
        relation_ids_[relation_names_[rel->relation_id]] = rel->relation_id;
      }
      if (const auto* type = std::get_if<TypeMessage>(&*r)) {
        type_ids_[std::string(type->namespace_name) + "." + std::string(type->type_name)] =
            type->type_oid;
      }
      decoded_.emplace(m.file, std::move(*r));
    }
  }

  const PgOutputMessage& at(const std::string& file) { return decoded_.at(file); }
  std::string relation_name(uint32_t relation_id) {
    auto it = relation_names_.find(relation_id);
    return it == relation_names_.end() ? "<no Relation>" : it->second;
  }

  std::map<std::string, PgOutputMessage> decoded_;  // by file name
  std::map<uint32_t, std::string> relation_names_;
  std::map<std::string, uint32_t> relation_ids_;
  std::map<std::string, uint32_t> type_ids_;  // "nsp.name" of Type messages -> OID
};

TEST_F(GoldenStream, TransactionsAreFramedByMatchingBeginAndCommit) {
  const BeginMessage* open = nullptr;
  uint32_t last_xid = 0;
  int transactions = 0;
  for (const auto& m : golden()) {
    const PgOutputMessage& msg = at(m.file);
    if (const auto* b = std::get_if<BeginMessage>(&msg)) {
      EXPECT_EQ(open, nullptr) << m.file << ": Begin inside a transaction";
      open = b;
      EXPECT_GT(b->xid, last_xid) << m.file << ": xids grow in commit order here";
      last_xid = b->xid;
      EXPECT_FALSE(b->final_lsn.is_zero()) << m.file;
      continue;
    }
    if (const auto* c = std::get_if<CommitMessage>(&msg)) {
      ASSERT_NE(open, nullptr) << m.file << ": Commit without Begin";
      EXPECT_EQ(c->flags, 0) << m.file;
      EXPECT_EQ(c->commit_lsn, open->final_lsn) << m.file;
      EXPECT_GT(c->end_lsn, c->commit_lsn) << m.file;
      EXPECT_EQ(c->commit_ts_us, open->commit_ts_us) << m.file;
      open = nullptr;
      ++transactions;
      continue;
    }
    if (const auto* lm = std::get_if<LogicalMessage>(&msg)) {
      // Transactional messages sit inside B...C, non-transactional ones outside.
      EXPECT_EQ(lm->transactional, open != nullptr) << m.file;
      // Its LSN is the end of its WAL record: at most the commit record's start.
      if (open) {
        EXPECT_LE(lm->lsn, open->final_lsn) << m.file;
      }
      continue;
    }
    EXPECT_NE(open, nullptr) << m.file << ": outside a transaction";
  }
  EXPECT_EQ(open, nullptr) << "the stream ends inside a transaction";
  EXPECT_EQ(transactions, 22);
}

struct ColumnCase {
  bool key;
  const char* name;
  uint32_t type_oid;  // 0: a user type, checked against the Type messages
  int32_t typmod;
};

struct RelationCase {
  const char* file;
  const char* namespace_name;
  const char* relation_name;
  char replica_identity;
  std::vector<ColumnCase> columns;
};

std::vector<RelationCase> relation_cases() {
  const std::vector<ColumnCase> all_types = {
      {true, "id", 23, -1},
      {false, "c_int2", 21, -1},
      {false, "c_int8", 20, -1},
      {false, "c_num", 1700, (10 << 16 | 2) + 4},
      {false, "c_num_free", 1700, -1},
      {false, "c_float4", 700, -1},
      {false, "c_float8", 701, -1},
      {false, "c_bool", 16, -1},
      {false, "c_text", 25, -1},
      {false, "c_varchar", 1043, 14},
      {false, "c_char", 1042, 9},
      {false, "c_bytea", 17, -1},
      {false, "c_date", 1082, -1},
      {false, "c_time", 1083, -1},
      {false, "c_time3", 1083, 3},
      {false, "c_ts", 1114, -1},
      {false, "c_tstz", 1184, -1},
      {false, "c_uuid", 2950, -1},
      {false, "c_json", 114, -1},
      {false, "c_jsonb", 3802, -1},
  };
  const std::vector<ColumnCase> trunc_parent = {{true, "id", 23, -1}};
  const std::vector<ColumnCase> trunc_child = {{true, "id", 23, -1}, {false, "parent_id", 23, -1}};
  return {
      {"002_R.bin", "public", "all_types", 'd', all_types},
      {"018_R.bin",
       "public",
       "full_ident",
       'f',
       {{true, "id", 23, -1}, {true, "name", 25, -1}, {true, "note", 25, -1}}},
      {"028_R.bin",
       "public",
       "idx_ident",
       'i',
       {{true, "a", 23, -1}, {true, "b", 23, -1}, {false, "c", 25, -1}}},
      {"038_R.bin", "public", "no_ident", 'n', {{false, "v", 25, -1}}},
      {"042_R.bin", "public", "dropped_col", 'd', {{true, "id", 23, -1}, {false, "kept", 25, -1}}},
      {"048_R.bin",
       "inventory",
       "items",
       'd',
       {{true, "id", 20, -1}, {false, "mood", 0, -1}, {false, "qty", 0, -1}}},
      {"052_R.bin",
       "public",
       "toasty",
       'd',
       {{true, "id", 23, -1}, {false, "big", 25, -1}, {false, "counter", 23, -1}}},
      {"059_R.bin", "public", "trunc_parent", 'd', trunc_parent},
      {"063_R.bin", "public", "trunc_child", 'd', trunc_child},
      {"067_R.bin", "public", "trunc_parent", 'd', trunc_parent},
      {"068_R.bin", "public", "trunc_child", 'd', trunc_child},
  };
}

TEST_F(GoldenStream, RelationMessages) {
  size_t relations_in_stream = 0;
  for (const auto& m : golden()) relations_in_stream += m.type == 'R';
  const auto cases = relation_cases();
  EXPECT_EQ(cases.size(), relations_in_stream) << "every Relation message has a case";
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const auto* rel = std::get_if<RelationMessage>(&at(c.file));
    ASSERT_NE(rel, nullptr);
    EXPECT_GE(rel->relation_id, 16384u) << "a user table's OID";
    EXPECT_EQ(rel->namespace_name, c.namespace_name);
    EXPECT_EQ(rel->relation_name, c.relation_name);
    EXPECT_EQ(rel->replica_identity, c.replica_identity);
    ASSERT_EQ(rel->columns.size(), c.columns.size());
    for (size_t i = 0; i < c.columns.size(); ++i) {
      SCOPED_TRACE(c.columns[i].name);
      EXPECT_EQ(rel->columns[i].key, c.columns[i].key);
      EXPECT_EQ(rel->columns[i].name, c.columns[i].name);
      if (c.columns[i].type_oid != 0) {
        EXPECT_EQ(rel->columns[i].type_oid, c.columns[i].type_oid);
      } else {
        EXPECT_GE(rel->columns[i].type_oid, 16384u);
      }
      EXPECT_EQ(rel->columns[i].type_modifier, c.columns[i].typmod);
    }
  }
  // A table's Relation is sent again after TRUNCATE, with the same OID.
  EXPECT_EQ(std::get<RelationMessage>(at("059_R.bin")).relation_id,
            std::get<RelationMessage>(at("067_R.bin")).relation_id);
}

TEST_F(GoldenStream, TypeMessagesDescribeTheUserTypeColumns) {
  const auto* mood = std::get_if<TypeMessage>(&at("046_Y.bin"));
  const auto* posint = std::get_if<TypeMessage>(&at("047_Y.bin"));
  ASSERT_NE(mood, nullptr);
  ASSERT_NE(posint, nullptr);
  EXPECT_EQ(mood->namespace_name, "public");
  EXPECT_EQ(mood->type_name, "mood");
  // A domain's Type message carries the domain's OID but its base type's name (pg_catalog = "").
  EXPECT_EQ(posint->namespace_name, "");
  EXPECT_EQ(posint->type_name, "int4");
  EXPECT_NE(mood->type_oid, posint->type_oid);

  const auto& items = std::get<RelationMessage>(at("048_R.bin"));
  ASSERT_EQ(items.columns.size(), 3u);
  EXPECT_EQ(items.columns[1].type_oid, mood->type_oid);
  EXPECT_EQ(items.columns[2].type_oid, posint->type_oid);
}

// Expected tuple columns.
struct Col {
  TupleColumn::Kind kind;
  std::string text;
};
Col t(std::string text) {
  return Col{TupleColumn::Kind::kText, std::move(text)};
}
Col n() {
  return Col{TupleColumn::Kind::kNull, {}};
}
Col u() {
  return Col{TupleColumn::Kind::kUnchanged, {}};
}
using Tuple = std::vector<Col>;

void expect_tuple(const TupleData& actual, const Tuple& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("column " + std::to_string(i));
    EXPECT_EQ(static_cast<char>(actual[i].kind), static_cast<char>(expected[i].kind));
    EXPECT_EQ(actual[i].data, expected[i].text);
  }
}

// A key-only tuple of all_types: the key column, every other column 'n'.
Tuple all_types_key(const char* id) {
  Tuple key(20, n());
  key[0] = t(id);
  return key;
}

const Tuple& all_types_row1() {
  static const Tuple row = {
      t("1"),
      t("-32768"),
      t("9223372036854775807"),
      t("3.14"),  // 3.14159 in numeric(10,2)
      t("12345.678900"),
      t("0.1"),
      t("123456789.12345679"),
      t("t"),
      t("quote \" backslash \\ newline\n tab\t unicode \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
      t("varchar"),
      t("ab   "),  // char(5) is blank-padded
      t("\\x00ff10"),
      t("2024-02-29"),
      t("13:45:06.123456"),
      t("13:45:06.5"),
      t("2024-02-29 13:45:06.5"),
      t("2024-02-29 08:15:06.123456+00"),         // +05:30 input, printed in UTC
      t("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),  // lower-cased
      t("{\"b\": 1,  \"a\": [1,2]}"),             // json: byte-identical to the input
      t("{\"a\": 3, \"b\": 1}"),                  // jsonb: normalized
  };
  return row;
}

Tuple all_types_row2(const char* id) {
  return {t(id),
          n(),
          n(),
          t("-0.50"),
          t("NaN"),
          t("-Infinity"),
          t("Infinity"),
          t("f"),
          t(""),
          n(),
          n(),
          t("\\x"),
          t("0044-03-15 BC"),
          t("24:00:00"),
          n(),
          t("infinity"),
          t("-infinity"),
          n(),
          n(),
          n()};
}

struct ChangeCase {
  const char* file;
  const char* relation;  // "nsp.name" of the Relation with the message's relation id
  char old_kind;         // Update/Delete: 0, 'K' or 'O'
  Tuple old_tuple;
  Tuple new_tuple;
};

std::vector<ChangeCase> change_cases() {
  Tuple row1_updated = all_types_row1();
  row1_updated[8] = t("updated");
  return {
      {"003_I.bin", "public.all_types", 0, {}, all_types_row1()},
      {"006_I.bin", "public.all_types", 0, {}, all_types_row2("2")},
      {"009_U.bin", "public.all_types", 0, {}, row1_updated},
      {"012_U.bin", "public.all_types", 'K', all_types_key("2"), all_types_row2("3")},
      {"015_D.bin", "public.all_types", 'K', all_types_key("3"), {}},
      {"019_I.bin", "public.full_ident", 0, {}, {t("1"), t("alice"), t("first")}},
      {"022_U.bin",
       "public.full_ident",
       'O',
       {t("1"), t("alice"), t("first")},
       {t("1"), t("alice"), t("second")}},
      {"025_D.bin", "public.full_ident", 'O', {t("1"), t("alice"), t("second")}, {}},
      {"029_I.bin", "public.idx_ident", 0, {}, {t("1"), t("2"), t("x")}},
      {"032_U.bin", "public.idx_ident", 'K', {t("1"), t("2"), n()}, {t("10"), t("2"), t("x")}},
      {"035_D.bin", "public.idx_ident", 'K', {t("10"), t("2"), n()}, {}},
      {"039_I.bin", "public.no_ident", 0, {}, {t("nothing")}},
      {"043_I.bin", "public.dropped_col", 0, {}, {t("1"), t("kept")}},
      {"049_I.bin", "inventory.items", 0, {}, {t("42"), t("happy"), t("7")}},
      // 053_I.bin (the 9 600-character value) has its own test.
      {"056_U.bin", "public.toasty", 0, {}, {t("1"), u(), t("1")}},
      {"060_I.bin", "public.trunc_parent", 0, {}, {t("1")}},
      {"064_I.bin", "public.trunc_child", 0, {}, {t("1"), t("1")}},
      {"076_I.bin", "public.full_ident", 0, {}, {t("2"), t("bob"), n()}},
      {"077_I.bin", "public.full_ident", 0, {}, {t("3"), t("carol"), t("c")}},
      {"078_U.bin", "public.full_ident", 'O', {t("2"), t("bob"), n()}, {t("2"), t("robert"), n()}},
      {"080_D.bin", "public.full_ident", 'O', {t("3"), t("carol"), t("c")}, {}},
      {"084_I.bin", "public.no_ident", 0, {}, {t("from origin")}},
  };
}

TEST_F(GoldenStream, InsertUpdateDeleteMessages) {
  size_t dml_in_stream = 0;
  for (const auto& m : golden()) dml_in_stream += m.type == 'I' || m.type == 'U' || m.type == 'D';
  const auto cases = change_cases();
  EXPECT_EQ(cases.size() + 1, dml_in_stream) << "every I/U/D message has a case";
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const PgOutputMessage& msg = at(c.file);
    if (const auto* ins = std::get_if<InsertMessage>(&msg)) {
      EXPECT_EQ(relation_name(ins->relation_id), c.relation);
      EXPECT_EQ(c.old_kind, 0);
      expect_tuple(ins->new_tuple, c.new_tuple);
    } else if (const auto* upd = std::get_if<UpdateMessage>(&msg)) {
      EXPECT_EQ(relation_name(upd->relation_id), c.relation);
      EXPECT_EQ(upd->old_kind, c.old_kind);
      expect_tuple(upd->old_tuple, c.old_tuple);
      expect_tuple(upd->new_tuple, c.new_tuple);
    } else if (const auto* del = std::get_if<DeleteMessage>(&msg)) {
      EXPECT_EQ(relation_name(del->relation_id), c.relation);
      EXPECT_EQ(del->old_kind, c.old_kind);
      expect_tuple(del->old_tuple, c.old_tuple);
      EXPECT_TRUE(c.new_tuple.empty());
    } else {
      ADD_FAILURE() << "not an Insert, Update or Delete";
    }
  }
}

TEST_F(GoldenStream, InsertOfAnOutOfLineValue) {
  const auto* ins = std::get_if<InsertMessage>(&at("053_I.bin"));
  ASSERT_NE(ins, nullptr);
  EXPECT_EQ(relation_name(ins->relation_id), "public.toasty");
  ASSERT_EQ(ins->new_tuple.size(), 3u);
  EXPECT_EQ(ins->new_tuple[0].data, "1");
  const TupleColumn& big = ins->new_tuple[1];
  EXPECT_EQ(big.kind, TupleColumn::Kind::kText);
  ASSERT_EQ(big.data.size(), 9600u);                                          // 300 md5 hex digests
  EXPECT_EQ(big.data.substr(0, 32), "c4ca4238a0b923820dcc509a6f75849b");      // md5('1')
  EXPECT_EQ(big.data.substr(9600 - 32), "94f6d7e04a4d452035300f18b984988c");  // md5('300')
  EXPECT_EQ(big.data.find_first_not_of("0123456789abcdef"), std::string_view::npos);
  EXPECT_EQ(ins->new_tuple[2].data, "0");
}

TEST_F(GoldenStream, TruncateOfTwoTablesWithCascadeAndRestartIdentity) {
  const auto* tr = std::get_if<TruncateMessage>(&at("069_T.bin"));
  ASSERT_NE(tr, nullptr);
  EXPECT_EQ(tr->options, 3);  // 1 CASCADE | 2 RESTART IDENTITY
  ASSERT_EQ(tr->relation_ids.size(), 2u);
  EXPECT_EQ(relation_name(tr->relation_ids[0]), "public.trunc_parent");
  EXPECT_EQ(relation_name(tr->relation_ids[1]), "public.trunc_child");
}

TEST_F(GoldenStream, LogicalMessages) {
  const auto* tx = std::get_if<LogicalMessage>(&at("072_M.bin"));
  ASSERT_NE(tx, nullptr);
  EXPECT_TRUE(tx->transactional);
  EXPECT_FALSE(tx->lsn.is_zero());
  EXPECT_EQ(tx->prefix, "golden");
  EXPECT_EQ(tx->content, "transactional payload");

  const auto* plain = std::get_if<LogicalMessage>(&at("074_M.bin"));
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(plain->transactional);
  EXPECT_GT(plain->lsn, tx->lsn);
  EXPECT_EQ(plain->prefix, "golden.bin");
  EXPECT_EQ(plain->content, std::string_view("\x00\xff\x00", 3));

  const auto* in_multi = std::get_if<LogicalMessage>(&at("079_M.bin"));
  ASSERT_NE(in_multi, nullptr);
  EXPECT_TRUE(in_multi->transactional);
  EXPECT_EQ(in_multi->prefix, "golden");
  EXPECT_EQ(in_multi->content, "in multi");
}

TEST_F(GoldenStream, OriginMessageFollowsBegin) {
  const auto* origin = std::get_if<OriginMessage>(&at("083_O.bin"));
  ASSERT_NE(origin, nullptr);
  EXPECT_EQ(origin->name, "golden_origin");
  EXPECT_EQ(origin->origin_lsn, Lsn(0xABCDEF));  // pg_replication_origin_xact_setup('0/ABCDEF')
  // The transaction's commit time is the origin timestamp 2024-01-01 00:00:00 UTC.
  constexpr int64_t k2024 = (8766LL * 86400) * 1'000'000;  // days 2000-01-01 .. 2024-01-01
  EXPECT_EQ(std::get<BeginMessage>(at("082_B.bin")).commit_ts_us, k2024);
  EXPECT_EQ(std::get<CommitMessage>(at("085_C.bin")).commit_ts_us, k2024);
}

// ---- the spec's examples (spec/pgoutput.md §2-3, observed on PostgreSQL 15.20) -----------------

TEST(PgOutputSpecExamples, XLogDataFrameCarryingBegin) {
  const std::string frame = unhex(
      "77 00000000 0155F1B8 00000000 0155F1B8 000303D2 B43D2414"
      " 42 00000000 0155F488 000303D2 B42EA792 000002E3");
  ASSERT_EQ(frame.size(), 46u);
  auto f = decode_replication_frame(frame);
  ASSERT_TRUE(f) << f.error().message;
  const auto* x = std::get_if<XLogDataFrame>(&*f);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->data_start, Lsn(0x155F1B8));
  EXPECT_EQ(x->wal_end, Lsn(0x155F1B8));
  EXPECT_EQ(x->send_time_us, 0x000303D2B43D2414);
  ASSERT_EQ(x->payload.size(), 21u);
  EXPECT_EQ(x->payload.data(), frame.data() + 25) << "the payload views the frame";

  auto m = decode_pgoutput_message(x->payload);
  const auto* b = get<BeginMessage>(m);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->final_lsn, Lsn(0x155F488));
  EXPECT_EQ(b->commit_ts_us, 848628431103890);  // 2026-11-22 02:07:11.10389 UTC
  EXPECT_EQ(b->xid, 739u);
}

TEST(PgOutputSpecExamples, Keepalive) {
  auto f = decode_replication_frame(unhex("6b 00000000 015A3680 000303D2 B7C9EF8F 00"));
  ASSERT_TRUE(f) << f.error().message;
  const auto* k = std::get_if<KeepaliveFrame>(&*f);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->wal_end, Lsn(0x15A3680));
  EXPECT_EQ(k->send_time_us, 0x000303D2B7C9EF8F);
  EXPECT_FALSE(k->reply_requested);

  auto ping = decode_replication_frame(unhex("6b 00000000 015A3680 000303D2 B7C9EF8F 01"));
  ASSERT_TRUE(ping) << ping.error().message;
  EXPECT_TRUE(std::get<KeepaliveFrame>(*ping).reply_requested);
}

TEST(PgOutputSpecExamples, Commit) {
  const std::string bytes = unhex("43 00 00000000 0155F488 00000000 0155F4B8 000303D2 B42EA792");
  EXPECT_EQ(bytes.size(), 26u);
  auto m = decode_pgoutput_message(bytes);
  const auto* c = get<CommitMessage>(m);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->flags, 0);
  EXPECT_EQ(c->commit_lsn, Lsn(0x155F488));
  EXPECT_EQ(c->end_lsn, Lsn(0x155F4B8));
  EXPECT_EQ(c->commit_ts_us, 848628431103890);
}

TEST(PgOutputSpecExamples, Message) {
  const std::string bytes = unhex("4D 01 00000000 015A77C8 70667800 00000006 74782D6D7367");
  auto m = decode_pgoutput_message(bytes);
  const auto* lm = get<LogicalMessage>(m);
  ASSERT_NE(lm, nullptr);
  EXPECT_TRUE(lm->transactional);
  EXPECT_EQ(lm->lsn, Lsn(0x15A77C8));
  EXPECT_EQ(lm->prefix, "pfx");
  EXPECT_EQ(lm->content, "tx-msg");
}

TEST(PgOutputSpecExamples, Origin) {
  const std::string bytes = unhex("4F 00000000 00ABCDEF 73726331 00");
  auto m = decode_pgoutput_message(bytes);
  const auto* o = get<OriginMessage>(m);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->origin_lsn, Lsn(0xABCDEF));
  EXPECT_EQ(o->name, "src1");
}

TEST(PgOutputSpecExamples, RelationTp) {
  const std::string bytes =
      unhex("52 0000404F 7075626C696300 747000 64 0001 01 6100 00000017 FFFFFFFF");
  auto m = decode_pgoutput_message(bytes);
  const auto* r = get<RelationMessage>(m);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->relation_id, 16463u);
  EXPECT_EQ(r->namespace_name, "public");
  EXPECT_EQ(r->relation_name, "tp");
  EXPECT_EQ(r->replica_identity, 'd');
  ASSERT_EQ(r->columns.size(), 1u);
  EXPECT_TRUE(r->columns[0].key);
  EXPECT_EQ(r->columns[0].name, "a");
  EXPECT_EQ(r->columns[0].type_oid, 23u);
  EXPECT_EQ(r->columns[0].type_modifier, -1);
}

TEST(PgOutputSpecExamples, Insert) {
  const std::string bytes = unhex("49 0000404F 4E 0001 74 00000003 333031");
  auto m = decode_pgoutput_message(bytes);
  const auto* i = get<InsertMessage>(m);
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->relation_id, 16463u);
  ASSERT_EQ(i->new_tuple.size(), 1u);
  EXPECT_EQ(i->new_tuple[0].kind, TupleColumn::Kind::kText);
  EXPECT_EQ(i->new_tuple[0].data, "301");
}

TEST(PgOutputSpecExamples, Truncate) {
  const std::string bytes = unhex("54 00000002 03 00004019 00004020");
  auto m = decode_pgoutput_message(bytes);
  const auto* tr = get<TruncateMessage>(m);
  ASSERT_NE(tr, nullptr);
  EXPECT_EQ(tr->options, 3);
  EXPECT_EQ(tr->relation_ids, (std::vector<uint32_t>{0x4019, 0x4020}));
}

// ---- other valid inputs ------------------------------------------------------------------------

TEST(PgOutputDecoder, RelationFlagsOtherThanBitZeroAreNotKey) {
  const std::string bytes =
      unhex("52 00000001 00 7400 66 0002 00 6100 00000019 FFFFFFFF 03 6200 00000017 0000000E");
  auto m = decode_pgoutput_message(bytes);
  const auto* r = get<RelationMessage>(m);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->namespace_name, "") << "pg_catalog is sent as an empty name";
  EXPECT_EQ(r->replica_identity, 'f');
  ASSERT_EQ(r->columns.size(), 2u);
  EXPECT_FALSE(r->columns[0].key);
  EXPECT_TRUE(r->columns[1].key);
  EXPECT_EQ(r->columns[1].type_modifier, 14);
}

TEST(PgOutputDecoder, RelationWithoutColumns) {
  const std::string bytes = unhex("52 00000001 7300 7400 6E 0000");
  auto m = decode_pgoutput_message(bytes);
  const auto* r = get<RelationMessage>(m);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->replica_identity, 'n');
  EXPECT_TRUE(r->columns.empty());
}

TEST(PgOutputDecoder, BinaryAndEmptyTupleColumns) {
  const std::string bytes = unhex("49 00000001 4E 0004 62 00000004 0000002A 74 00000000 6E 75");
  auto m = decode_pgoutput_message(bytes);
  const auto* i = get<InsertMessage>(m);
  ASSERT_NE(i, nullptr);
  ASSERT_EQ(i->new_tuple.size(), 4u);
  EXPECT_EQ(i->new_tuple[0].kind, TupleColumn::Kind::kBinary);
  EXPECT_EQ(i->new_tuple[0].data, std::string_view("\0\0\0\x2a", 4));
  EXPECT_EQ(i->new_tuple[1].kind, TupleColumn::Kind::kText);
  EXPECT_EQ(i->new_tuple[1].data, "");
  EXPECT_EQ(i->new_tuple[2].kind, TupleColumn::Kind::kNull);
  EXPECT_EQ(i->new_tuple[3].kind, TupleColumn::Kind::kUnchanged);
}

TEST(PgOutputDecoder, TupleWithoutColumnsAndTruncateWithoutRelations) {
  const std::string ins_bytes = unhex("49 00000001 4E 0000");
  auto ins = decode_pgoutput_message(ins_bytes);
  ASSERT_NE(get<InsertMessage>(ins), nullptr);
  EXPECT_TRUE(std::get<InsertMessage>(*ins).new_tuple.empty());
  const std::string tr_bytes = unhex("54 00000000 00");
  auto tr = decode_pgoutput_message(tr_bytes);
  ASSERT_NE(get<TruncateMessage>(tr), nullptr);
  EXPECT_TRUE(std::get<TruncateMessage>(*tr).relation_ids.empty());
}

TEST(PgOutputDecoder, NonTransactionalMessageWithEmptyPrefixAndContent) {
  const std::string bytes = unhex("4D 00 00000000 00000010 00 00000000");
  auto m = decode_pgoutput_message(bytes);
  const auto* lm = get<LogicalMessage>(m);
  ASSERT_NE(lm, nullptr);
  EXPECT_FALSE(lm->transactional);
  EXPECT_EQ(lm->prefix, "");
  EXPECT_EQ(lm->content, "");
}

TEST(PgOutputDecoder, XLogDataWithOnlyAHeaderHasAnEmptyPayload) {
  std::string frame = unhex("77 00000000 00000010 00000000 00000020 00000000 00000001");
  auto f = decode_replication_frame(frame);
  ASSERT_TRUE(f) << f.error().message;
  const auto& x = std::get<XLogDataFrame>(*f);
  EXPECT_EQ(x.data_start, Lsn(0x10));
  EXPECT_EQ(x.wal_end, Lsn(0x20));
  EXPECT_TRUE(x.payload.empty());
  auto m = decode_pgoutput_message(x.payload);
  ASSERT_FALSE(m);
  EXPECT_TRUE(contains(m.error().message, "empty"));
}

// ---- malformed input ---------------------------------------------------------------------------

TEST(PgOutputMalformed, EveryTruncationOfEveryGoldenMessageIsAnError) {
  ASSERT_FALSE(golden().empty());
  size_t checked = 0;
  for (const auto& m : golden()) {
    const std::string quoted_type = std::string("'") + m.type + "'";
    for (size_t len = 0; len < m.bytes.size(); ++len) {
      auto r = decode_pgoutput_message(std::string_view(m.bytes).substr(0, len));
      ASSERT_FALSE(r) << m.file << " cut to " << len << " bytes decoded";
      const std::string& msg = r.error().message;
      EXPECT_EQ(r.error().kind, ErrorKind::kFatal);
      if (len == 0) {
        EXPECT_TRUE(contains(msg, "empty")) << msg;
        continue;
      }
      ASSERT_TRUE(contains(msg, quoted_type)) << m.file << " cut to " << len << ": " << msg;
      long offset = error_offset(msg);
      ASSERT_GE(offset, 0) << m.file << " cut to " << len << ": no byte offset in: " << msg;
      EXPECT_LE(static_cast<size_t>(offset), len) << m.file << ": " << msg;
      ++checked;
    }
  }
  EXPECT_GT(checked, 10000u);
}

TEST(PgOutputMalformed, TruncationErrorsSayWhatIsMissing) {
  const std::string begin = unhex("42 00000000 0155F488 000303D2 B42EA792 000002E3");
  auto r = decode_pgoutput_message(std::string_view(begin).substr(0, 9));
  ASSERT_FALSE(r);
  EXPECT_TRUE(contains(r.error().message, "truncated commit timestamp")) << r.error().message;

  auto ins = decode_pgoutput_message(unhex("49 0000404F 4E 0001 74 00000003 3330"));
  ASSERT_FALSE(ins);
  EXPECT_TRUE(contains(ins.error().message, "tuple value runs past the message"))
      << ins.error().message;

  auto rel = decode_pgoutput_message(unhex("52 0000404F 7075626C6963"));
  ASSERT_FALSE(rel);
  EXPECT_TRUE(contains(rel.error().message, "unterminated namespace name")) << rel.error().message;
}

TEST(PgOutputMalformed, TrailingBytesAfterEveryGoldenMessageAreAnError) {
  for (const auto& m : golden()) {
    for (std::string_view extra : {std::string_view("\0", 1), std::string_view("xyz")}) {
      std::string bytes = m.bytes + std::string(extra);
      auto r = decode_pgoutput_message(bytes);
      ASSERT_FALSE(r) << m.file << " with " << extra.size() << " extra bytes decoded";
      EXPECT_TRUE(contains(r.error().message, "trailing")) << m.file << ": " << r.error().message;
      EXPECT_TRUE(contains(r.error().message, std::string("'") + m.type + "'"))
          << r.error().message;
    }
  }
}

TEST(PgOutputMalformed, UnknownMessageTypes) {
  // S/E/c/A need streaming (proto 2), b/P/K/r/p two-phase (proto 3): not protocol version 1.
  for (char type : std::string("SEcAbPKrpXkw\x01\xff", 14)) {
    std::string bytes(1, type);
    bytes += unhex("00000000 00000001 00000000 00000002");
    auto r = decode_pgoutput_message(bytes);
    ASSERT_FALSE(r) << "type 0x" << std::hex << (static_cast<int>(type) & 0xff);
    EXPECT_TRUE(contains(r.error().message, "unknown message type")) << r.error().message;
  }
  auto nonprintable = decode_pgoutput_message(std::string("\x01", 1));
  ASSERT_FALSE(nonprintable);
  EXPECT_TRUE(contains(nonprintable.error().message, "0x01")) << nonprintable.error().message;

  auto empty = decode_pgoutput_message("");
  ASSERT_FALSE(empty);
  EXPECT_TRUE(contains(empty.error().message, "empty")) << empty.error().message;
}

TEST(PgOutputMalformed, UnknownTupleColumnKinds) {
  for (char kind : std::string("xNKO\x00\x80", 6)) {
    std::string bytes = unhex("49 00000001 4E 0002 6E");
    bytes.push_back(kind);
    bytes += unhex("00000001 41");
    auto r = decode_pgoutput_message(bytes);
    ASSERT_FALSE(r) << "kind 0x" << std::hex << (static_cast<int>(kind) & 0xff);
    EXPECT_TRUE(contains(r.error().message, "unknown tuple column kind")) << r.error().message;
    // Offset 9 from the message start: type 1, relid 4, 'N' 1, ncols 2, the first column 1.
    EXPECT_EQ(error_offset(r.error().message), 9) << r.error().message;
  }
  // Likewise in the old tuple of an Update and of a Delete.
  auto upd = decode_pgoutput_message(unhex("55 00000001 4B 0001 7A 4E 0001 6E"));
  ASSERT_FALSE(upd);
  EXPECT_TRUE(contains(upd.error().message, "unknown tuple column kind 'z'"))
      << upd.error().message;
  auto del = decode_pgoutput_message(unhex("44 00000001 4F 0001 3F"));
  ASSERT_FALSE(del);
  EXPECT_TRUE(contains(del.error().message, "unknown tuple column kind '?'"))
      << del.error().message;
}

TEST(PgOutputMalformed, NegativeAndOversizedLengths) {
  for (const char* len : {"FFFFFFFF", "80000000", "FFFFFF00"}) {
    auto r = decode_pgoutput_message(unhex(std::string("49 00000001 4E 0001 74 ") + len + " 41"));
    ASSERT_FALSE(r) << len;
    EXPECT_TRUE(contains(r.error().message, "negative tuple value length")) << r.error().message;
    auto b = decode_pgoutput_message(unhex(std::string("49 00000001 4E 0001 62 ") + len));
    ASSERT_FALSE(b) << len;
    EXPECT_TRUE(contains(b.error().message, "negative tuple value length")) << b.error().message;
  }
  auto too_long = decode_pgoutput_message(unhex("49 00000001 4E 0001 74 7FFFFFFF 41"));
  ASSERT_FALSE(too_long);
  EXPECT_TRUE(contains(too_long.error().message, "runs past")) << too_long.error().message;

  // Message content length is unsigned: 0xFFFFFFFF is 4 GiB, not -1.
  auto content = decode_pgoutput_message(unhex("4D 01 00000000 00000001 7000 FFFFFFFF 41"));
  ASSERT_FALSE(content);
  EXPECT_TRUE(contains(content.error().message, "content runs past the message"))
      << content.error().message;

  // A relation count the message cannot hold is refused before anything is reserved for it.
  auto truncate = decode_pgoutput_message(unhex("54 FFFFFFFF 00 00000001"));
  ASSERT_FALSE(truncate);
  EXPECT_TRUE(contains(truncate.error().message, "relation count exceeds the message"))
      << truncate.error().message;

  // More columns announced than present.
  auto columns = decode_pgoutput_message(unhex("49 00000001 4E FFFF 6E 6E"));
  ASSERT_FALSE(columns);
  EXPECT_TRUE(contains(columns.error().message, "truncated tuple column kind"))
      << columns.error().message;
  auto rel_columns = decode_pgoutput_message(unhex("52 00000001 7300 7400 64 FFFF"));
  ASSERT_FALSE(rel_columns);
  EXPECT_TRUE(contains(rel_columns.error().message, "truncated column flags"))
      << rel_columns.error().message;
}

TEST(PgOutputMalformed, WrongTupleMarkers) {
  auto insert_k = decode_pgoutput_message(unhex("49 00000001 4B 0001 6E"));
  ASSERT_FALSE(insert_k);
  EXPECT_TRUE(contains(insert_k.error().message, "'N'")) << insert_k.error().message;

  auto update_x = decode_pgoutput_message(unhex("55 00000001 58 0001 6E"));
  ASSERT_FALSE(update_x);
  EXPECT_TRUE(contains(update_x.error().message, "expected new tuple marker 'N', got 'X'"))
      << update_x.error().message;

  // After an old tuple, only 'N' may follow (not a second old tuple).
  auto update_kk = decode_pgoutput_message(unhex("55 00000001 4B 0001 6E 4B 0001 6E"));
  ASSERT_FALSE(update_kk);
  EXPECT_TRUE(contains(update_kk.error().message, "got 'K'")) << update_kk.error().message;

  auto update_no_new = decode_pgoutput_message(unhex("55 00000001 4F 0001 6E"));
  ASSERT_FALSE(update_no_new);
  EXPECT_TRUE(contains(update_no_new.error().message, "truncated new tuple marker"))
      << update_no_new.error().message;

  auto delete_n = decode_pgoutput_message(unhex("44 00000001 4E 0001 6E"));
  ASSERT_FALSE(delete_n);
  EXPECT_TRUE(contains(delete_n.error().message, "'K' or 'O'")) << delete_n.error().message;
}

TEST(PgOutputMalformed, UnknownReplicaIdentity) {
  auto r = decode_pgoutput_message(unhex("52 00000001 7300 7400 78 0000"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(contains(r.error().message, "unknown replica identity 'x'")) << r.error().message;
}

TEST(PgOutputMalformed, FramesTruncatedOrOfUnknownType) {
  const std::string xlog = unhex(
      "77 00000000 0155F1B8 00000000 0155F1B8 000303D2 B43D2414"
      " 42 00000000 0155F488 000303D2 B42EA792 000002E3");
  for (size_t len = 0; len < 25; ++len) {
    auto r = decode_replication_frame(std::string_view(xlog).substr(0, len));
    ASSERT_FALSE(r) << "XLogData cut to " << len;
    if (len > 0) {
      EXPECT_TRUE(contains(r.error().message, "'w'")) << r.error().message;
      EXPECT_GE(error_offset(r.error().message), 0) << r.error().message;
    }
  }
  const std::string keepalive = unhex("6b 00000000 015A3680 000303D2 B7C9EF8F 01");
  for (size_t len = 0; len < keepalive.size(); ++len) {
    auto r = decode_replication_frame(std::string_view(keepalive).substr(0, len));
    ASSERT_FALSE(r) << "keepalive cut to " << len;
    if (len > 0) {
      EXPECT_TRUE(contains(r.error().message, "'k'")) << r.error().message;
      EXPECT_GE(error_offset(r.error().message), 0) << r.error().message;
    }
  }
  for (std::string_view frame :
       {std::string_view("r"), std::string_view("d123"), std::string_view("\x00\x01", 2)}) {
    auto r = decode_replication_frame(frame);
    ASSERT_FALSE(r);
    EXPECT_TRUE(contains(r.error().message, "unknown replication frame type")) << r.error().message;
  }
}

// ---- deterministic mutation test (the libFuzzer target does this at scale, clang only) --------

std::string mutate(const std::string& input, std::mt19937& rng) {
  std::string out = input;
  auto pick = [&rng](size_t n) { return std::uniform_int_distribution<size_t>(0, n)(rng); };
  int operations = 1 + static_cast<int>(pick(3));
  for (int op = 0; op < operations; ++op) {
    switch (pick(6)) {
      case 0:  // flip bits of one byte
        if (!out.empty()) out[pick(out.size() - 1)] ^= static_cast<char>(1 + pick(254));
        break;
      case 1:  // an interesting value at one position
        if (!out.empty()) {
          static constexpr char kInteresting[] = {0,   1,   0x7f, '\x80', '\xff', 'n',
                                                  't', 'u', 'b',  'N',    'K',    'O'};
          out[pick(out.size() - 1)] = kInteresting[pick(sizeof kInteresting - 1)];
        }
        break;
      case 2:  // truncate
        out.resize(pick(out.size()));
        break;
      case 3: {  // insert random bytes
        size_t at = pick(out.size());
        std::string bytes(1 + pick(7), '\0');
        for (char& c : bytes) c = static_cast<char>(pick(255));
        out.insert(at, bytes);
        break;
      }
      case 4:  // erase a range
        if (!out.empty()) {
          size_t at = pick(out.size() - 1);
          out.erase(at, 1 + pick(std::min<size_t>(15, out.size() - at - 1)));
        }
        break;
      case 5:  // big-endian length field made huge or negative
        if (out.size() >= 4) {
          size_t at = pick(out.size() - 4);
          out[at] = pick(1) ? '\xff' : '\x7f';
        }
        break;
      default:  // duplicate a chunk
        if (!out.empty()) {
          size_t at = pick(out.size() - 1);
          out.insert(at, out.substr(at, 1 + pick(15)));
        }
        break;
    }
  }
  return out;
}

TEST(PgOutputMutation, MutatedGoldenMessagesDecodeOrFailCleanly) {
  ASSERT_FALSE(golden().empty());
  std::mt19937 rng(20240229);
  const std::string header = unhex("77 00000000 00000001 00000000 00000001 00000000 00000001");
  size_t decoded = 0, rejected = 0;
  Toucher touch;
  for (const auto& m : golden()) {
    for (int i = 0; i < 2000; ++i) {
      const std::string input = mutate(m.bytes, rng);
      auto msg = decode_pgoutput_message(input);
      if (msg) {
        ++decoded;
        std::visit(touch, *msg);
      } else {
        ++rejected;
        ASSERT_FALSE(msg.error().message.empty()) << m.file << " mutation " << i;
      }
      // The same bytes as a frame, and after a fake XLogData header.
      auto raw_frame = decode_replication_frame(input);
      if (!raw_frame) {
        ASSERT_FALSE(raw_frame.error().message.empty());
      }
      const std::string framed = header + input;
      auto frame = decode_replication_frame(framed);
      ASSERT_TRUE(frame) << frame.error().message;
      const auto& payload = std::get<XLogDataFrame>(*frame).payload;
      ASSERT_EQ(payload, input);
      auto inner = decode_pgoutput_message(payload);
      ASSERT_EQ(inner.has_value(), msg.has_value()) << m.file << " mutation " << i;
      if (inner) std::visit(touch, *inner);
    }
  }
  EXPECT_GT(decoded, 1000u) << "mutations should not all be rejected";
  EXPECT_GT(rejected, 1000u);
  RecordProperty("decoded", static_cast<int>(decoded));
  RecordProperty("rejected", static_cast<int>(rejected));
  RecordProperty("checksum", static_cast<int>(touch.sum & 0x7fffffff));
}

}  // namespace
}  // namespace siphon::source::postgres
