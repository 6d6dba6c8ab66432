#!/usr/bin/env bash
# PostgreSQL streaming throughput, side by side on the same WAL:
#   pg_recvlogical (pgoutput, proto 1) to /dev/null  vs  Siphon producing full Debezium JSON
#   (schemas on and off) into the null sink, the file sink on disk (fsync) and on tmpfs;
# over TCP and over the Unix socket. Each reader gets its own slot created at the same LSN, so
# all of them decode exactly the same transactions.
#
# Usage: bench/pg_streaming.sh [ROWS_BIG_TX] [ONE_ROW_TXS]   (defaults 1000000 and 100000)
# Writes the tables to docs/benchmarks.md (section "PostgreSQL streaming").
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
big=${1:-1000000}
small=${2:-100000}
siphon=$root/build/siphon
[[ -x $siphon ]] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }

work=$(mktemp -d /tmp/siphon-bench.XXXXXX)
chmod 755 "$work"  # the server runs as postgres and must reach its directory inside
PG_EXTRA_CONF="logical_decoding_work_mem = 256MB
max_wal_size = 8GB
synchronous_commit = on" eval "$(scripts/pg-start.sh "$work/pg")"
trap 'scripts/pg-stop.sh "$work/pg" >/dev/null 2>&1; rm -rf "$work"' EXIT
psql="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PGPORT -U postgres -d postgres"
$psql -c "CREATE TABLE narrow (id bigint PRIMARY KEY, a int, b text)" \
      -c "CREATE PUBLICATION bench_pub FOR ALL TABLES"

readers=(recv_tcp recv_unix s_null_tcp s_null_unix s_null_noschema s_file_disk s_file_tmpfs)
for r in "${readers[@]}"; do
  $psql -c "SELECT pg_create_logical_replication_slot('$r', 'pgoutput')" >/dev/null
done

# The workload: one big transaction, then many one-row transactions.
$psql -c "INSERT INTO narrow SELECT g, g % 1000, 'row ' || g FROM generate_series(1, $big) g"
cat >"$work/one_row.sql" <<SQL
\set id random(1, 1000000000)
INSERT INTO narrow VALUES (:id + $big, 1, 'one-row transaction') ON CONFLICT DO NOTHING;
SQL
/usr/lib/postgresql/15/bin/pgbench -n -h 127.0.0.1 -p "$PGPORT" -U postgres -f "$work/one_row.sql" \
  -t "$small" -c 2 -j 2 postgres >"$work/pgbench.log" 2>&1
end=$($psql -tA -c "SELECT pg_current_wal_insert_lsn()")
messages=$((big + 2 + small * 3))   # approximate pgoutput messages (B, I, C per one-row txn)
events=$((big + small))
sleep 1

now() { date +%s.%N; }
lsn_num() { local h=${1%/*} l=${1#*/}; echo $(( (16#$h << 32) | 16#$l )); }
end_num=$(lsn_num "$end")

run_recv() {  # $1 slot, $2 host
  local t0 t1
  t0=$(now)
  pg_recvlogical -h "$2" -p "$PGPORT" -U postgres -d postgres -S "$1" --start --endpos="$end" \
    --no-loop -o proto_version=1 -o publication_names=bench_pub -f /dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}

run_siphon() {  # $1 slot, $2 host, $3 sink type, $4 dir or "", $5 schemas true/false
  local dir=$work/$1 t0 t1 confirmed=0
  mkdir -p "$dir"
  cat >"$dir/app.properties" <<P
debezium.source.connector.class=io.debezium.connector.postgresql.PostgresConnector
debezium.source.database.hostname=$2
debezium.source.database.port=$PGPORT
debezium.source.database.user=postgres
debezium.source.database.dbname=postgres
debezium.source.topic.prefix=bench
debezium.source.slot.name=$1
debezium.source.publication.name=bench_pub
debezium.source.publication.autocreate.mode=disabled
debezium.source.offset.storage.file.filename=$dir/offsets.json
debezium.source.status.update.interval.ms=200
debezium.format.key.schemas.enable=$5
debezium.format.value.schemas.enable=$5
debezium.sink.type=$3
P
  [[ -n $4 ]] && echo "debezium.sink.file.dir=$4" >>"$dir/app.properties"
  t0=$(now)
  "$siphon" run "$dir/app.properties" >"$dir/log" 2>&1 &
  local pid=$!
  while ((confirmed < end_num)); do
    sleep 0.05
    confirmed=$(lsn_num "$($psql -tA -c "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '$1'")")
  done
  t1=$(now)
  kill -TERM $pid; wait $pid || true
  echo "$t1 - $t0" | bc -l
}

declare -A secs
secs[recv_tcp]=$(run_recv recv_tcp 127.0.0.1)
secs[recv_unix]=$(run_recv recv_unix "$PGHOST")
secs[s_null_tcp]=$(run_siphon s_null_tcp 127.0.0.1 null "" true)
secs[s_null_unix]=$(run_siphon s_null_unix "$PGHOST" null "" true)
secs[s_null_noschema]=$(run_siphon s_null_noschema 127.0.0.1 null "" false)
secs[s_file_disk]=$(run_siphon s_file_disk 127.0.0.1 file "$work/out-disk" true)
mkdir -p /dev/shm/siphon-bench-$$
secs[s_file_tmpfs]=$(run_siphon s_file_tmpfs 127.0.0.1 file "/dev/shm/siphon-bench-$$" true)
out_bytes=$(du -sb "$work/out-disk" | cut -f1)
rm -rf /dev/shm/siphon-bench-$$

row() {  # label, key
  local s=${secs[$2]}
  printf '| %s | %.2f | %.0f | %.2fx |\n' "$1" "$s" "$(echo "$events / $s" | bc -l)" \
    "$(echo "${secs[recv_tcp]} / $s" | bc -l)"
}
table=$(
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); PostgreSQL $($psql -tA -c 'SHOW server_version'); $(date -u +%Y-%m-%d)."
  echo "Workload: one transaction of $big rows, then $small one-row transactions (pgbench, 2 clients); table (bigint pk, int, text)."
  echo
  echo "| reader | seconds | rows/s | vs pg_recvlogical TCP |"
  echo "|---|---|---|---|"
  row "pg_recvlogical to /dev/null, TCP" recv_tcp
  row "pg_recvlogical to /dev/null, Unix socket" recv_unix
  row "Siphon, null sink, schemas on, TCP" s_null_tcp
  row "Siphon, null sink, schemas on, Unix socket" s_null_unix
  row "Siphon, null sink, schemas off, TCP" s_null_noschema
  row "Siphon, file sink on disk (fsync), schemas on" s_file_disk
  row "Siphon, file sink on tmpfs (fsync), schemas on" s_file_tmpfs
  echo
  echo "File sink output: $((out_bytes / 1024 / 1024)) MiB for $events events ($((out_bytes / events)) bytes per event with schemas)."
)
echo "$table"
doc=docs/benchmarks.md
[[ -f $doc ]] || printf '# Benchmarks\n\nProduced by the scripts in bench/; numbers are from the machine and date each table names.\n' >"$doc"
python3 - "$doc" "$table" <<'PY'
import sys, re
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
section = "## PostgreSQL streaming (bench/pg_streaming.sh)\n\n" + table + "\n"
if "## PostgreSQL streaming" in text:
    text = re.sub(r"## PostgreSQL streaming.*?(?=\n## |\Z)", section, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n" + section
open(path, "w").write(text)
PY
