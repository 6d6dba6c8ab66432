#pragma once
// pgoutput protocol messages (protocol version 1, as PostgreSQL 15 sends them; spec/pgoutput.md
// §3) and the replication frames that carry them (§2). Views point into the frame buffer: copy
// what must outlive it.
#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "core/lsn.h"

namespace siphon::source::postgres {

struct TupleColumn {
  enum class Kind : char { kNull = 'n', kUnchanged = 'u', kText = 't', kBinary = 'b' };
  Kind kind = Kind::kNull;
  std::string_view data;  // for kText / kBinary
};
using TupleData = std::vector<TupleColumn>;

struct BeginMessage {
  Lsn final_lsn;             // LSN of the commit record
  int64_t commit_ts_us = 0;  // microseconds since 2000-01-01
  uint32_t xid = 0;
};

struct CommitMessage {
  uint8_t flags = 0;
  Lsn commit_lsn;
  Lsn end_lsn;  // what the slot is acknowledged with
  int64_t commit_ts_us = 0;
};

struct OriginMessage {
  Lsn origin_lsn;
  std::string_view name;
};

struct RelationColumn {
  bool key = false;  // part of the replica identity
  std::string_view name;
  uint32_t type_oid = 0;
  int32_t type_modifier = -1;
};

struct RelationMessage {
  uint32_t relation_id = 0;
  std::string_view namespace_name;  // "" means pg_catalog
  std::string_view relation_name;
  char replica_identity = 'd';  // d, n, f, i
  std::vector<RelationColumn> columns;
};

struct TypeMessage {
  uint32_t type_oid = 0;
  std::string_view namespace_name;
  std::string_view type_name;
};

struct InsertMessage {
  uint32_t relation_id = 0;
  TupleData new_tuple;
};

// old_kind: 0 = no old tuple, 'K' = replica identity key only, 'O' = the whole old row.
struct UpdateMessage {
  uint32_t relation_id = 0;
  char old_kind = 0;
  TupleData old_tuple;
  TupleData new_tuple;
};

struct DeleteMessage {
  uint32_t relation_id = 0;
  char old_kind = 'K';
  TupleData old_tuple;
};

struct TruncateMessage {
  uint8_t options = 0;  // 1 = CASCADE, 2 = RESTART IDENTITY
  std::vector<uint32_t> relation_ids;
};

struct LogicalMessage {
  bool transactional = false;
  Lsn lsn;
  std::string_view prefix;
  std::string_view content;
};

using PgOutputMessage =
    std::variant<BeginMessage, CommitMessage, OriginMessage, RelationMessage, TypeMessage,
                 InsertMessage, UpdateMessage, DeleteMessage, TruncateMessage, LogicalMessage>;

// Frames of the CopyBoth stream.
struct XLogDataFrame {
  Lsn data_start;
  Lsn wal_end;
  int64_t send_time_us = 0;
  std::string_view payload;  // exactly one pgoutput message
};

struct KeepaliveFrame {
  Lsn wal_end;
  int64_t send_time_us = 0;
  bool reply_requested = false;
};

using ReplicationFrame = std::variant<XLogDataFrame, KeepaliveFrame>;

}  // namespace siphon::source::postgres
