#!/usr/bin/env bash
# Record the pgoutput golden messages in tests/golden/pgoutput/.
#
# Usage: record-pgoutput-golden.sh [OUT_DIR]
#
#   OUT_DIR  where the messages go (default: tests/golden/pgoutput of this repository). Every
#            *.bin file in it is replaced.
#
# Starts a throwaway PostgreSQL with scripts/pg-start.sh, creates a publication and a pgoutput
# slot, runs a fixed workload that makes the server send every message type of pgoutput protocol
# version 1 (Begin, Commit, Origin, Relation, Type, Insert, Update, Delete, Truncate, Message),
# reads the messages back with pg_logical_slot_peek_binary_changes and writes each message's raw
# bytes to OUT_DIR/NNN_<type>.bin (NNN = position in the stream, <type> = the message type byte).
# OUT_DIR/README.md records the server version, the date and the workload. Without OUT_DIR the
# messages are also copied to fuzz/corpus/pgoutput/ (the fuzzer's seed corpus). The server is
# stopped and its directory removed on exit.
#
# The decoder tests (src/source/postgres/pgoutput_decoder_test.cc) assert the fields this
# workload makes deterministic (names, type OIDs, typmods, key flags, tuple contents, options);
# LSNs, xids, timestamps and user-type OIDs vary between recordings. Changing the workload means
# updating those tests.
#
# Env: PG_BIN as for scripts/pg-start.sh.
set -euo pipefail

SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(dirname "$SCRIPTS")
OUT=${1:-$REPO/tests/golden/pgoutput}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd -P)

PGWORK=$(mktemp -d /tmp/siphon-golden.XXXXXX)
cleanup() { "$SCRIPTS/pg-stop.sh" "$PGWORK" >/dev/null 2>&1 || true; }
trap cleanup EXIT

eval "$("$SCRIPTS/pg-start.sh" "$PGWORK")"
export PGHOST PGPORT PGUSER
export PGDATABASE=postgres
# The slot only decodes flushed WAL: with the cluster's synchronous_commit=off the last
# transactions could be missing from the stream read right after them.
export PGOPTIONS='-c client_min_messages=warning -c synchronous_commit=on'

psql_run() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
# For the setup and the workload: their query results are of no interest.
psql_quiet() { psql_run >/dev/null; }

# ---- schema: before the slot exists, so none of it is decoded ---------------------------------
psql_quiet <<'SQL'
CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
CREATE SCHEMA inventory;
CREATE DOMAIN inventory.posint AS int4 CHECK (VALUE > 0);

-- REPLICA IDENTITY DEFAULT (primary key), one column per core type.
CREATE TABLE public.all_types (
  id         int4 PRIMARY KEY,
  c_int2     int2,
  c_int8     int8,
  c_num      numeric(10,2),
  c_num_free numeric,
  c_float4   float4,
  c_float8   float8,
  c_bool     bool,
  c_text     text,
  c_varchar  varchar(10),
  c_char     char(5),
  c_bytea    bytea,
  c_date     date,
  c_time     time,
  c_time3    time(3),
  c_ts       timestamp,
  c_tstz     timestamptz,
  c_uuid     uuid,
  c_json     json,
  c_jsonb    jsonb
);

-- REPLICA IDENTITY FULL.
CREATE TABLE public.full_ident (id int4 PRIMARY KEY, name text, note text);
ALTER TABLE public.full_ident REPLICA IDENTITY FULL;

-- REPLICA IDENTITY USING INDEX (two key columns, one non-key column).
CREATE TABLE public.idx_ident (a int4 NOT NULL, b int4 NOT NULL, c text);
CREATE UNIQUE INDEX idx_ident_ab ON public.idx_ident (a, b);
ALTER TABLE public.idx_ident REPLICA IDENTITY USING INDEX idx_ident_ab;

-- REPLICA IDENTITY NOTHING (insert only: updates would fail on the publisher).
CREATE TABLE public.no_ident (v text);
ALTER TABLE public.no_ident REPLICA IDENTITY NOTHING;

-- A dropped column: Relation and TupleData skip it.
CREATE TABLE public.dropped_col (id int4 PRIMARY KEY, gone text, kept text);
ALTER TABLE public.dropped_col DROP COLUMN gone;

-- A non-public schema, an enum column and a domain column (Type messages).
CREATE TABLE inventory.items (id int8 PRIMARY KEY, mood public.mood, qty inventory.posint);

-- An out-of-line value (EXTERNAL: stored uncompressed in the TOAST table).
CREATE TABLE public.toasty (id int4 PRIMARY KEY, big text, counter int4);
ALTER TABLE public.toasty ALTER COLUMN big SET STORAGE EXTERNAL;

-- Truncated together, with CASCADE and RESTART IDENTITY.
CREATE TABLE public.trunc_parent (id serial PRIMARY KEY);
CREATE TABLE public.trunc_child (id serial PRIMARY KEY,
                                 parent_id int4 REFERENCES public.trunc_parent (id));

CREATE PUBLICATION golden_pub FOR ALL TABLES;
SELECT 'init' FROM pg_create_logical_replication_slot('golden_slot', 'pgoutput');
SELECT 'origin' FROM pg_replication_origin_create('golden_origin');
SQL

# ---- the workload: each psql statement outside BEGIN/COMMIT is its own transaction -------------
psql_quiet <<'SQL'
SET datestyle = ISO;
SET timezone = 'UTC';

-- 1. Insert with many core types: B R I C
INSERT INTO public.all_types VALUES (
  1, -32768, 9223372036854775807, 3.14159, 12345.678900, 0.1, 123456789.123456789, true,
  E'quote " backslash \\ newline\n tab\t unicode é € 😀', 'varchar', 'ab', '\x00ff10',
  '2024-02-29', '13:45:06.123456', '13:45:06.5', '2024-02-29 13:45:06.5',
  '2024-02-29 13:45:06.123456+05:30', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
  '{"b": 1,  "a": [1,2]}', '{"b": 1, "a": [1,2], "a": 3}');

-- 2. Special values and NULLs: B I C
INSERT INTO public.all_types VALUES (
  2, NULL, NULL, -0.5, 'NaN', '-Infinity', 'Infinity', false, '', NULL, NULL, '\x', '0044-03-15 BC',
  '24:00:00', NULL, 'infinity', '-infinity', NULL, NULL, NULL);

-- 3. Update without old tuple (key unchanged): B U(N) C
UPDATE public.all_types SET c_text = 'updated' WHERE id = 1;

-- 4. Update changing the primary key: B U(K,N) C
UPDATE public.all_types SET id = 3 WHERE id = 2;

-- 5. Delete under REPLICA IDENTITY DEFAULT: B D(K) C
DELETE FROM public.all_types WHERE id = 3;

-- 6-8. REPLICA IDENTITY FULL: insert, update (O), delete (O)
INSERT INTO public.full_ident VALUES (1, 'alice', 'first');
UPDATE public.full_ident SET note = 'second' WHERE id = 1;
DELETE FROM public.full_ident WHERE id = 1;

-- 9-11. REPLICA IDENTITY USING INDEX: insert, key update (K), delete (K)
INSERT INTO public.idx_ident VALUES (1, 2, 'x');
UPDATE public.idx_ident SET a = 10 WHERE a = 1 AND b = 2;
DELETE FROM public.idx_ident WHERE a = 10;

-- 12. REPLICA IDENTITY NOTHING
INSERT INTO public.no_ident VALUES ('nothing');

-- 13. A table with a dropped column
INSERT INTO public.dropped_col VALUES (1, 'kept');

-- 14. Non-public schema, enum and domain: B Y Y R I C
INSERT INTO inventory.items VALUES (42, 'happy', 7);

-- 15-16. Unchanged TOASTed value: 9 600 incompressible characters, then update another column
INSERT INTO public.toasty
  SELECT 1, string_agg(md5(i::text), '' ORDER BY i), 0 FROM generate_series(1, 300) AS i;
UPDATE public.toasty SET counter = counter + 1 WHERE id = 1;

-- 17-18. Truncate of two tables with CASCADE and RESTART IDENTITY
INSERT INTO public.trunc_parent DEFAULT VALUES;
INSERT INTO public.trunc_child (parent_id) VALUES (1);
TRUNCATE public.trunc_parent, public.trunc_child RESTART IDENTITY CASCADE;

-- 19. Transactional message alone: B M C
SELECT 'msg' FROM pg_logical_emit_message(true, 'golden', 'transactional payload');

-- 20. Non-transactional message, content with a NUL byte: M only
SELECT 'msg' FROM pg_logical_emit_message(false, 'golden.bin', '\x00ff00'::bytea);

-- 21. A multi-statement transaction
BEGIN;
INSERT INTO public.full_ident VALUES (2, 'bob', NULL);
INSERT INTO public.full_ident VALUES (3, 'carol', 'c');
UPDATE public.full_ident SET name = 'robert' WHERE id = 2;
SELECT 'msg' FROM pg_logical_emit_message(true, 'golden', 'in multi');
DELETE FROM public.full_ident WHERE id = 3;
COMMIT;
SQL

# 22. A transaction made under a replication origin: B O I C
psql_quiet <<'SQL'
SELECT 'setup' FROM pg_replication_origin_session_setup('golden_origin');
BEGIN;
SELECT 'xact' FROM pg_replication_origin_xact_setup('0/ABCDEF', '2024-01-01 00:00:00+00');
INSERT INTO public.no_ident VALUES ('from origin');
COMMIT;
SELECT 'reset' FROM pg_replication_origin_session_reset();
SQL

# ---- read the stream back -----------------------------------------------------------------------
# The output functions run in this session: pin the settings a Siphon connection pins.
HEX=$(psql_run -At <<'SQL'
SET datestyle = ISO;
SET timezone = 'UTC';
SET intervalstyle = iso_8601;
SET extra_float_digits = 3;
SET bytea_output = hex;
SELECT encode(data, 'hex')
  FROM pg_logical_slot_peek_binary_changes('golden_slot', NULL, NULL, 'proto_version', '1',
                                           'publication_names', 'golden_pub', 'messages', 'true');
SQL
)
VERSION=$(psql_run -At -c 'SELECT version()')

rm -f "$OUT"/*.bin
n=0
summary=""
while IFS= read -r hex; do
  [[ -z $hex ]] && continue
  n=$((n + 1))
  type=$(printf '%b' "\\x${hex:0:2}")
  file=$(printf '%03d_%s.bin' "$n" "$type")
  printf '%s' "$hex" | xxd -r -p >"$OUT/$file"
  summary+="\`$file\` "
done <<<"$HEX"

for type in B C O R Y I U D T M; do
  if [[ $summary != *_${type}.bin* ]]; then
    echo "record-pgoutput-golden: no '$type' message among the $n recorded" >&2
    exit 1
  fi
done

# The fuzzer's seed corpus is the same set of messages.
if [[ -z ${1:-} ]]; then
  rm -f "$REPO/fuzz/corpus/pgoutput"/*.bin
  mkdir -p "$REPO/fuzz/corpus/pgoutput"
  cp "$OUT"/*.bin "$REPO/fuzz/corpus/pgoutput/"
fi

{
  cat <<EOF
# pgoutput golden messages

Raw pgoutput messages (protocol version 1), one per file: \`NNN_<type>.bin\` holds the NNN-th
message of the stream, and \`<type>\` is its first byte (B Begin, C Commit, O Origin, R Relation,
Y Type, I Insert, U Update, D Delete, T Truncate, M Message).

Recorded by \`scripts/record-pgoutput-golden.sh\` on $(date -u +%Y-%m-%d) from

    $VERSION

with \`pg_logical_slot_peek_binary_changes('golden_slot', NULL, NULL, 'proto_version', '1',
'publication_names', 'golden_pub', 'messages', 'true')\` in a session with \`datestyle=ISO,
timezone=UTC, intervalstyle=iso_8601, extra_float_digits=3, bytea_output=hex\`. The SQL interface
returns the pgoutput messages without the replication stream's 25-byte XLogData header, so
frame-level cases are built in the tests from spec/pgoutput.md §2.2-2.3.

Deterministic: relation, schema, column and type names, built-in type OIDs, typmods, key flags,
replica identities, tuple kinds and text values, truncate options, message prefixes and contents,
the origin name and origin LSN (0/ABCDEF), and the commit time of the origin transaction (the
origin timestamp, 2024-01-01 00:00:00 UTC, in its Begin and Commit). Not deterministic: LSNs, xids, timestamps, relation
OIDs and the OIDs of user types (the tests only check that they are consistent between messages).

Workload (see the script for the exact SQL; $n messages):

1. \`public.all_types\` (REPLICA IDENTITY DEFAULT, pk id): insert of one row with int2/4/8,
   numeric(10,2), unconstrained numeric, float4, float8, bool, text with quotes, backslash,
   newline, tab and non-ASCII characters, varchar(10), char(5), bytea, date, time, time(3),
   timestamp, timestamptz, uuid, json and jsonb.
2. Insert of a second row with NULLs, numeric NaN, float ±Infinity, an empty string and bytea,
   a BC date, time 24:00:00 and timestamp(tz) ±infinity.
3. Update of a non-key column (no old tuple); 4. update of the primary key (\`K\`);
   5. delete (\`K\`: key column only, others \`n\`).
6-8. \`public.full_ident\` (REPLICA IDENTITY FULL): insert, update (\`O\`), delete (\`O\`).
9-11. \`public.idx_ident\` (REPLICA IDENTITY USING INDEX on (a, b)): insert, update of a key
   column (\`K\`), delete (\`K\`).
12. \`public.no_ident\` (REPLICA IDENTITY NOTHING): insert.
13. \`public.dropped_col\`: insert into a table with a dropped column (not in the Relation).
14. \`inventory.items\`: a table in a non-public schema with an enum column (\`public.mood\`) and
    a domain column (\`inventory.posint\` over int4): Type messages before its Relation.
15-16. \`public.toasty\`: insert of a 9 600-character incompressible text stored out of line,
    then an update of another column: the new tuple has \`u\` for the unchanged TOASTed value.
17-18. Inserts into \`public.trunc_parent\`/\`trunc_child\`, then \`TRUNCATE … RESTART IDENTITY
    CASCADE\` of both: Relations again, then one Truncate with options 3 and two relation ids.
19. A transactional logical message (prefix \`golden\`) alone in its transaction.
20. A non-transactional logical message (prefix \`golden.bin\`, content 00 ff 00): no Begin/Commit.
21. One transaction with inserts, an update, a transactional message and a delete.
22. An insert under replication origin \`golden_origin\` with origin LSN 0/ABCDEF: Begin, Origin,
    Insert, Commit.

Files:
$(printf '%s\n' "$summary" | fold -s -w 100 | sed 's/ *$//')
EOF
} >"$OUT/README.md"

echo "recorded $n messages into $OUT"
