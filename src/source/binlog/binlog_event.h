#pragma once
// The binlog events Siphon decodes, as typed values (spec/binlog.md §2). Pure data: the event
// decoder fills them from bytes, the row decoder and the later source read them. Strings are
// owned because compressed events (MariaDB 165-171, MySQL TRANSACTION_PAYLOAD) are inflated into
// buffers that do not outlive the decode call.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "source/binlog/table_map.h"

namespace siphon::source::binlog {

// Event type codes (spec/binlog.md §2.2).
enum EventType : uint8_t {
  kUnknownEvent = 0,
  kStartV3 = 1,
  kQuery = 2,
  kStop = 3,
  kRotate = 4,
  kIntvar = 5,
  kLoad = 6,
  kSlave = 7,
  kCreateFile = 8,
  kAppendBlock = 9,
  kExecLoad = 10,
  kDeleteFile = 11,
  kNewLoad = 12,
  kRand = 13,
  kUserVar = 14,
  kFormatDescription = 15,
  kXid = 16,
  kBeginLoadQuery = 17,
  kExecuteLoadQuery = 18,
  kTableMap = 19,
  kWriteRowsV0 = 20,
  kUpdateRowsV0 = 21,
  kDeleteRowsV0 = 22,
  kWriteRowsV1 = 23,
  kUpdateRowsV1 = 24,
  kDeleteRowsV1 = 25,
  kIncident = 26,
  kHeartbeat = 27,
  kIgnorable = 28,
  kRowsQuery = 29,
  kWriteRowsV2 = 30,
  kUpdateRowsV2 = 31,
  kDeleteRowsV2 = 32,
  kGtidLog = 33,
  kAnonymousGtidLog = 34,
  kPreviousGtids = 35,
  kTransactionContext = 36,
  kViewChange = 37,
  kXaPrepare = 38,
  kPartialUpdateRows = 39,
  kTransactionPayload = 40,
  kHeartbeatV2 = 41,
  kGtidTaggedLog = 42,
  kAnnotateRows = 160,
  kBinlogCheckpoint = 161,
  kMariaGtid = 162,
  kMariaGtidList = 163,
  kStartEncryption = 164,
  kQueryCompressed = 165,
  kWriteRowsCompressedV1 = 166,
  kUpdateRowsCompressedV1 = 167,
  kDeleteRowsCompressedV1 = 168,
  kWriteRowsCompressedV2 = 169,
  kUpdateRowsCompressedV2 = 170,
  kDeleteRowsCompressedV2 = 171,
};

// A readable name for errors and logs ("WRITE_ROWS_V1"); "UNKNOWN_<n>" for others.
std::string event_type_name(uint8_t type);

// Header flags (spec/binlog.md §1.8).
inline constexpr uint16_t kFlagBinlogInUse = 0x0001;
inline constexpr uint16_t kFlagArtificial = 0x0020;
inline constexpr uint16_t kFlagIgnorable = 0x0080;

struct EventHeader {
  uint32_t timestamp = 0;
  uint8_t type = 0;
  uint32_t server_id = 0;
  uint32_t event_size = 0;  // header + body + checksum
  uint32_t log_pos = 0;     // file offset after the event; 0 for artificial and inner events
  uint16_t flags = 0;
};

struct FormatDescriptionEvent {
  uint16_t binlog_version = 0;
  std::string server_version;
  uint32_t created = 0;
  uint8_t header_length = 0;
  std::vector<uint8_t> post_header_lengths;  // index = type - 1
  // 0 none, 1 CRC32; nullopt for servers older than checksums (MySQL < 5.6.1, MariaDB < 5.3).
  std::optional<uint8_t> checksum_alg;
  bool mariadb = false;
};

struct RotateEvent {
  uint64_t position = 0;
  std::string next_file;
};

struct QueryEvent {
  uint32_t thread_id = 0;
  uint32_t exec_time = 0;
  uint16_t error_code = 0;
  std::string database;
  std::string query;
  bool compressed = false;  // MariaDB QUERY_COMPRESSED; `query` is inflated
  // The status variables a CDC reader needs; others are skipped (spec/binlog.md §2.5).
  std::optional<uint32_t> flags2;
  std::optional<uint64_t> sql_mode;
  std::optional<uint16_t> charset_client;
  std::optional<uint16_t> collation_connection;
  std::optional<uint16_t> collation_server;
  std::optional<std::string> time_zone;
  std::optional<uint16_t> collation_database;
};

struct XidEvent {
  uint64_t xid = 0;
};

struct XaPrepareEvent {
  bool one_phase = false;
  uint32_t format_id = 0;
  std::string gtrid;
  std::string bqual;
};

// WRITE/UPDATE/DELETE_ROWS v1, v2 and MariaDB's compressed v1/v2. The row images stay raw
// here: decoding them needs the table's TABLE_MAP (row_decoder.h).
struct RowsEvent {
  enum class Kind : uint8_t { kWrite, kUpdate, kDelete };
  Kind kind = Kind::kWrite;
  uint8_t version = 1;  // 1 or 2
  bool compressed = false;
  // MySQL PARTIAL_UPDATE_ROWS (39): each after image starts with value options, and JSON
  // columns flagged there hold a diff against the before image instead of a document.
  bool partial = false;
  uint64_t table_id = 0;
  uint16_t flags = 0;                        // 0x01 STMT_END_F
  uint32_t width = 0;                        // columns of the table
  std::vector<bool> columns_present;         // before image (or the only image)
  std::vector<bool> columns_present_update;  // UPDATE: after image
  std::string rows;                          // the images, inflated when compressed
  size_t rows_offset = 0;  // offset of `rows` within the event, for errors (pre-inflate)
};

inline constexpr uint16_t kRowsFlagStmtEnd = 0x0001;

struct MariaGtidEvent {
  uint64_t seq_no = 0;
  uint32_t domain_id = 0;
  uint32_t server_id = 0;  // from the header
  uint8_t flags2 = 0;      // 0x01 STANDALONE, 0x02 GROUP_COMMIT_ID, 0x40 PREPARED_XA ...
  std::optional<uint64_t> commit_id;
  std::optional<uint32_t> xa_format_id;
  std::string xa_gtrid;
  std::string xa_bqual;
  uint8_t flags_extra = 0;
  std::optional<uint8_t> extra_engines;
  std::optional<uint64_t> start_alter_seq_no;

  static constexpr uint8_t kStandalone = 0x01;
  static constexpr uint8_t kGroupCommitId = 0x02;
  static constexpr uint8_t kPreparedXa = 0x40;
  static constexpr uint8_t kCompletedXa = 0x80;
};

struct MariaGtid {
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t seq_no = 0;
  bool operator==(const MariaGtid&) const = default;
};

struct MariaGtidListEvent {
  uint8_t flags = 0;  // the top 4 bits of the count word
  std::vector<MariaGtid> gtids;
};

struct BinlogCheckpointEvent {
  std::string file;
};

struct AnnotateRowsEvent {
  std::string query;
};

struct StartEncryptionEvent {
  uint8_t scheme = 0;
  uint32_t key_version = 0;
};

using Sid = std::array<uint8_t, 16>;

// MySQL GTID_LOG (33) and ANONYMOUS_GTID_LOG (34); body fields after the post-header are
// optional in the format (older servers end earlier).
struct MysqlGtidEvent {
  bool anonymous = false;
  uint8_t flags = 0;
  Sid sid{};
  int64_t gno = 0;
  std::optional<int64_t> last_committed;
  std::optional<int64_t> sequence_number;
  std::optional<uint64_t> immediate_commit_ts;
  std::optional<uint64_t> original_commit_ts;
  std::optional<uint64_t> transaction_length;
  std::optional<uint32_t> immediate_server_version;
  std::optional<uint32_t> original_server_version;
};

struct GtidInterval {
  int64_t start = 0;
  int64_t end = 0;  // exclusive
  bool operator==(const GtidInterval&) const = default;
};

struct PreviousGtidsEvent {
  struct Entry {
    Sid sid{};
    std::vector<GtidInterval> intervals;
  };
  std::vector<Entry> sids;
};

struct RowsQueryEvent {
  std::string query;
};

// MySQL TRANSACTION_PAYLOAD (40): the inflated bytes are whole events without checksums;
// EventDecoder::decode_payload splits them.
struct TransactionPayloadEvent {
  uint8_t compression = 0;  // 0 ZSTD, 255 NONE
  uint64_t payload_size = 0;
  uint64_t uncompressed_size = 0;
  std::string payload;  // inflated
};

struct HeartbeatEvent {
  std::string file;
  uint64_t position = 0;
};

struct StopEvent {};

struct IncidentEvent {
  uint16_t incident = 0;  // 1 LOST_EVENTS
  std::string message;
};

// An event that carries no row data and nothing a CDC reader tracks: statement-based helpers
// (INTVAR, RAND, USER_VAR), group replication markers, IGNORABLE, and unknown events that the
// server flagged ignorable (0x80).
struct SkippedEvent {};

using EventBody =
    std::variant<FormatDescriptionEvent, RotateEvent, QueryEvent, XidEvent, XaPrepareEvent,
                 TableMap, RowsEvent, MariaGtidEvent, MariaGtidListEvent, BinlogCheckpointEvent,
                 AnnotateRowsEvent, StartEncryptionEvent, MysqlGtidEvent, PreviousGtidsEvent,
                 RowsQueryEvent, TransactionPayloadEvent, HeartbeatEvent, StopEvent, IncidentEvent,
                 SkippedEvent>;

struct BinlogEvent {
  EventHeader header;
  EventBody body;
};

}  // namespace siphon::source::binlog
