#!/usr/bin/env bash
# Record the MariaDB binlog golden files in tests/golden/binlog/mariadb/.
#
# Usage: record-binlog-golden.sh [OUT_DIR]
#
#   OUT_DIR  where the files go (default: tests/golden/binlog/mariadb of this repository);
#            binlog.* and *.txt in it are replaced.
#
# Starts a throwaway MariaDB with scripts/mariadb-start.sh (ROW, FULL image, FULL metadata,
# GTID strict, UTC), runs a fixed workload that covers every column type Siphon converts at its
# limits (NULLs, negative TIME, zero and invalid dates under a relaxed sql_mode, latin1 (cp1252),
# utf8mb3, utf8mb4, ucs2 and binary text, XA PREPARE/COMMIT/ROLLBACK, two databases in one
# transaction), then rotates and runs a second workload with log_bin_compress=ON so that the
# second file holds MariaDB's compressed query and row events (165-168). Copies the two closed
# binlog files to OUT_DIR with the reference decoding of each by
#   mariadb-binlog --no-defaults -v --base64-output=DECODE-ROWS FILE
# in FILE.txt, and writes OUT_DIR/README.md (server version, date, this command). Without
# OUT_DIR the files are also copied to fuzz/corpus/binlog/ as the fuzzer's seeds.
#
# The tests (src/source/binlog/golden_binlog_test.cc) compare the decoder's rows with FILE.txt
# and assert the Debezium values of this workload; changing the workload means updating them.
set -euo pipefail

SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(dirname "$SCRIPTS")
OUT=${1:-$REPO/tests/golden/binlog/mariadb}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd -P)

WORK=$(mktemp -d /tmp/siphon-binlog-golden.XXXXXX)
cleanup() { "$SCRIPTS/mariadb-stop.sh" "$WORK" >/dev/null 2>&1 || true; }
trap cleanup EXIT

eval "$("$SCRIPTS/mariadb-start.sh" "$WORK")"
sql() { mariadb --no-defaults -h 127.0.0.1 -P "$MDBPORT" -u root --default-character-set=utf8mb4 "$@"; }

# Start from a fresh file so the golden file holds only this workload.
sql -e "FLUSH BINARY LOGS"
FIRST=$(sql -N -e "SHOW MASTER STATUS" | cut -f1)

sql <<'SQL'
SET SESSION sql_mode = 'ALLOW_INVALID_DATES';
CREATE DATABASE g1 CHARACTER SET latin1;
CREATE DATABASE g2 CHARACTER SET utf8mb4;
USE g1;

CREATE TABLE ints (id INT PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED,
  mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED);
INSERT INTO ints VALUES
  (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0),
  (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,
      9223372036854775807, 18446744073709551615),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, -1, 1, -1, 1, -1, 1, -1, 1, -1, 9223372036854775808);

CREATE TABLE decs (id INT PRIMARY KEY, d1 DECIMAL(1,0), d52 DECIMAL(5,2), d104 DECIMAL(10,4),
  d189 DECIMAL(18,9), d3010 DECIMAL(30,10), d6530 DECIMAL(65,30), d650 DECIMAL(65,0),
  d44 DECIMAL(4,4));
INSERT INTO decs VALUES
  (1, 9, 999.99, 999999.9999, 999999999.999999999, 99999999999999999999.9999999999,
      99999999999999999999999999999999999.999999999999999999999999999999,
      99999999999999999999999999999999999999999999999999999999999999999, 0.9999),
  (2, -9, -999.99, -999999.9999, -999999999.999999999, -99999999999999999999.9999999999,
      -99999999999999999999999999999999999.999999999999999999999999999999,
      -99999999999999999999999999999999999999999999999999999999999999999, -0.9999),
  (3, 0, 0, 0, 0, 0, 0, 0, 0),
  (4, NULL, -0.5, 1234.5678, 0.000000001, -12345.0000000001, 1.000000000000000000000000000001,
      123456789012345678901234567890, 0.0001),
  (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE floats (id INT PRIMARY KEY, f FLOAT, d DOUBLE);
INSERT INTO floats VALUES (1, 1.5, -2.25), (2, -3.4e38, 1.7976931348623157e308),
  (3, 1.17549435e-38, -2.2250738585072014e-308), (4, 0, 0), (5, NULL, NULL);

CREATE TABLE bits (id INT PRIMARY KEY, b1 BIT(1), b8 BIT(8), b10 BIT(10), b64 BIT(64));
INSERT INTO bits VALUES (1, b'1', b'10000001', b'1010000001',
    b'1000000000000000000000000000000000000000000000000000000000000001'),
  (2, b'0', b'0', b'0', b'0'), (3, NULL, NULL, NULL, NULL),
  (4, 1, 255, 1023, 18446744073709551615);

CREATE TABLE temporal (id INT PRIMARY KEY, y YEAR, d DATE, t0 TIME, t3 TIME(3), t6 TIME(6),
  dt0 DATETIME, dt3 DATETIME(3), dt6 DATETIME(6), ts0 TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL,
  ts6 TIMESTAMP(6) NULL, dnn DATE NOT NULL, dtnn DATETIME NOT NULL, tsnn TIMESTAMP NOT NULL);
INSERT INTO temporal VALUES
  (1, 2024, '2024-03-15', '12:34:56', '01:02:03.456', '23:59:59.999999',
      '2024-03-15 13:45:30', '2024-03-15 13:45:30.123', '2024-03-15 13:45:30.123456',
      '2024-03-15 13:45:30', '2024-03-15 13:45:30.123', '2024-03-15 13:45:30.123456',
      '1970-01-01', '1970-01-01 00:00:00', '1970-01-01 00:00:01'),
  (2, 1901, '1000-01-01', '-838:59:59', '-00:00:01.500', '-00:00:00.000001',
      '1000-01-01 00:00:00', '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999',
      '1970-01-01 00:00:01', '2038-01-19 03:14:07.999', '2038-01-19 03:14:07.999999',
      '9999-12-31', '9999-12-31 23:59:59', '2038-01-19 03:14:07'),
  (3, 2155, '9999-12-31', '838:59:59', '838:59:59.000', '-12:00:00.5',
      '1969-12-31 23:59:59', '1969-12-31 23:59:59.999', '1969-12-31 23:59:59.999999',
      NULL, NULL, NULL, '1969-12-31', '1969-12-31 23:59:59', '2000-02-29 12:00:00'),
  (4, 0, '0000-00-00', '00:00:00', '-00:00:00.001', '00:00:00',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000',
      '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000',
      '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00'),
  (5, NULL, '2021-02-31', NULL, NULL, NULL, '2021-02-31 10:00:00', '2020-00-10 00:00:00',
      '2020-05-00 00:00:00', NULL, NULL, NULL, '2021-02-31', '2021-04-31 01:02:03',
      '1970-01-01 00:00:01');

CREATE TABLE latin (id INT PRIMARY KEY, c CHAR(10), vc VARCHAR(300), tt TINYTEXT, t TEXT,
  mt MEDIUMTEXT, lt LONGTEXT) DEFAULT CHARSET latin1;
INSERT INTO latin VALUES
  (1, 'abc', '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ', 'é', 'Ünïcödé', REPEAT('x', 300), ''),
  (2, '  pad  ', REPEAT('ÿ', 300), NULL, NULL, NULL, NULL),
  (3, '', CONCAT(CHAR(0x81), CHAR(0x8D), CHAR(0x8F), CHAR(0x90), CHAR(0x9D)), 'tab	', '', '', 'z');

USE g2;
CREATE TABLE texts (id INT PRIMARY KEY, u3 VARCHAR(20) CHARACTER SET utf8mb3,
  u4 VARCHAR(20) CHARACTER SET utf8mb4, c4 CHAR(255) CHARACTER SET utf8mb4,
  uc VARCHAR(20) CHARACTER SET ucs2, ucc CHAR(5) CHARACTER SET ucs2,
  asc_ VARCHAR(10) CHARACTER SET ascii, bintxt VARCHAR(10) CHARACTER SET binary,
  t4 TEXT CHARACTER SET utf8mb4);
INSERT INTO texts VALUES
  (1, 'héllo ✓', '😀 emoji 𝄞', 'ab', 'ĀāЖ€ ucs2', 'ab', 'ascii', 'bin\0ary', 'τέξτ 😀'),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, '', '', '', '', '', '', '', '');

CREATE TABLE bins (id INT PRIMARY KEY, b BINARY(4), vb VARBINARY(10), tb TINYBLOB, bl BLOB,
  mb MEDIUMBLOB, lb LONGBLOB, b1 BINARY(1), b300 BINARY(255));
INSERT INTO bins VALUES
  (1, 0x0102, 0x00ff00, 0x00, 0xdeadbeef, '', 0x01020304, 0x00, 0xff),
  (2, 0x00000000, '', NULL, NULL, NULL, NULL, NULL, NULL),
  (3, 0xffffffff, 0x0000, 0x41, REPEAT('Z', 300), 0x7f, 0x80, 0x7f, NULL);

CREATE TABLE enums (id INT PRIMARY KEY, e ENUM('x','y','z'), s SET('p','q','r'),
  e2 ENUM('a','b') NOT NULL, sbig SET('a','b','c','d','e','f','g','h','i','j'));
INSERT IGNORE INTO enums VALUES (1, 'y', 'p,r', 'b', 'a,j'), (2, NULL, NULL, 'a', NULL),
  (3, 'x', '', 'a', ''), (4, 'z', 'p,q,r', 'b', 'a,b,c,d,e,f,g,h,i,j');

CREATE TABLE docs (id INT PRIMARY KEY, j JSON, g GEOMETRY, p POINT, ls LINESTRING);
INSERT INTO docs VALUES
  (1, '{"a": 1, "b": [true, "x", null], "c": {"d": 1.5}}', ST_GeomFromText('POINT(1 2)'),
      ST_GeomFromText('POINT(-1.5 2.25)'), ST_GeomFromText('LINESTRING(0 0, 1 1, 2 0)')),
  (2, NULL, NULL, NULL, NULL),
  (3, '[]', ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))', 4326),
      ST_GeomFromText('POINT(0 0)', 4326), NULL);

CREATE TABLE ext (id INT PRIMARY KEY, u UUID, i4 INET4, i6 INET6);
INSERT INTO ext VALUES (1, '123e4567-e89b-12d3-a456-426655440000', '192.168.1.10', '2001:db8::ff00:42:8329'),
  (2, NULL, NULL, NULL), (3, '00000000-0000-0000-0000-000000000001', '0.0.0.0', '::ffff:1.2.3.4');

-- Updates and deletes (before and after images), a multi-row statement.
UPDATE g1.ints SET ti = ti + 1, biu = 1 WHERE id IN (1, 4);
UPDATE g2.texts SET u4 = 'changed ✓', uc = NULL WHERE id = 1;
UPDATE g1.temporal SET t0 = '-01:00:00' WHERE id = 1;
DELETE FROM g2.bins WHERE id = 2;
DELETE FROM g1.floats WHERE id >= 4;

-- One transaction over both databases.
START TRANSACTION;
INSERT INTO g1.ints (id, i) VALUES (10, 10);
INSERT INTO g2.enums (id, e, e2) VALUES (10, 'z', 'b');
UPDATE g1.decs SET d52 = 1.01 WHERE id = 3;
COMMIT;

-- XA: prepare then commit, prepare then roll back.
XA START 'xa-commit';
INSERT INTO g1.ints (id, i) VALUES (20, 20);
XA END 'xa-commit';
XA PREPARE 'xa-commit';
XA COMMIT 'xa-commit';
XA START 'xa-rollback', 'bq', 7;
INSERT INTO g1.ints (id, i) VALUES (21, 21);
XA END 'xa-rollback', 'bq', 7;
XA PREPARE 'xa-rollback', 'bq', 7;
XA ROLLBACK 'xa-rollback', 'bq', 7;

-- A rolled-back transaction leaves nothing; a non-transactional table commits with a QUERY.
START TRANSACTION;
INSERT INTO g1.ints (id, i) VALUES (30, 30);
ROLLBACK;
CREATE TABLE g1.myisam (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=MyISAM;
INSERT INTO g1.myisam VALUES (1, 'mi');
SQL

# Second file: MariaDB compresses query and row events of at least log_bin_compress_min_len bytes.
sql -e "FLUSH BINARY LOGS"
SECOND=$(sql -N -e "SHOW MASTER STATUS" | cut -f1)
sql -e "SET GLOBAL log_bin_compress = ON; SET GLOBAL log_bin_compress_min_len = 10"
sql <<'SQL'
USE g2;
CREATE TABLE packed (id INT PRIMARY KEY, v VARCHAR(2000), n INT, t TEXT) DEFAULT CHARSET utf8mb4;
INSERT INTO packed VALUES (1, REPEAT('compressible ', 40), -7, 'tiny'),
  (2, REPEAT('é', 500), NULL, NULL), (3, 'short', 3, REPEAT('😀', 100));
UPDATE packed SET n = n + 100, v = CONCAT(v, '!') WHERE id IN (1, 3);
DELETE FROM packed WHERE id = 2;
INSERT INTO packed VALUES (4, 'x', 4, NULL);
SQL
sql -e "SET GLOBAL log_bin_compress = OFF; FLUSH BINARY LOGS"

VERSION=$(sql -N -e "SELECT VERSION()")
rm -f "$OUT"/binlog.* "$OUT"/*.txt
for f in "$FIRST" "$SECOND"; do
  cp "$WORK/data/$f" "$OUT/$f"
  mariadb-binlog --no-defaults -v --base64-output=DECODE-ROWS "$OUT/$f" >"$OUT/$f.txt"
done

cat >"$OUT/README.md" <<README
# MariaDB binlog golden files

Recorded by \`scripts/record-binlog-golden.sh\` on $(date -u +%Y-%m-%d) from MariaDB $VERSION
(Debian 12 package), started by \`scripts/mariadb-start.sh\` (binlog_format=ROW,
binlog_row_image=FULL, binlog_row_metadata=FULL, gtid_strict_mode=1, time_zone=+00:00, CRC32
checksums).

| file | what |
|---|---|
| \`$FIRST\` | every column type at its limits, NULLs, negative TIME, zero and invalid dates (sql_mode ALLOW_INVALID_DATES), latin1/utf8mb3/utf8mb4/ucs2/ascii/binary text, updates and deletes, one transaction over databases g1 and g2, XA PREPARE + COMMIT and PREPARE + ROLLBACK, a MyISAM insert |
| \`$SECOND\` | the same server with log_bin_compress=ON, log_bin_compress_min_len=10: QUERY_COMPRESSED and WRITE/UPDATE/DELETE_ROWS_COMPRESSED_V1 |
| \`*.txt\` | the reference decoding: \`mariadb-binlog --no-defaults -v --base64-output=DECODE-ROWS FILE\` |

The workload is in the script. A new recording has the same rows and GTIDs; event timestamps,
table ids and XIDs may differ, and the tests read those from the files.
README

if [[ $# -eq 0 ]]; then
  mkdir -p "$REPO/fuzz/corpus/binlog"
  cp "$OUT/$FIRST" "$OUT/$SECOND" "$REPO/fuzz/corpus/binlog/"
fi
echo "recorded $FIRST and $SECOND from MariaDB $VERSION into $OUT"
