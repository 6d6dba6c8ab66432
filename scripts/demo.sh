#!/usr/bin/env bash
# The demo: installs what is missing, builds build/siphon, starts a throwaway PostgreSQL 15 on
# loopback with a small shop schema and a running write workload, and runs Siphon so change
# events appear in demo-out/<topic>.jsonl. Ctrl-C stops Siphon cleanly, then the server.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target siphon

work=$(mktemp -d /tmp/siphon-demo.XXXXXX)
chmod 755 "$work"  # the server runs as postgres and must reach its directory inside
out="$root/demo-out"
rm -rf "$out"
eval "$(scripts/pg-start.sh "$work/pg")"
cleanup() {
  [[ -n ${workload_pid:-} ]] && kill "$workload_pid" 2>/dev/null || true
  scripts/pg-stop.sh "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

psql="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PGPORT -U postgres -d postgres"
$psql <<'SQL'
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text, created timestamptz DEFAULT now());
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customers, amount numeric(10,2),
                     status text, placed date DEFAULT current_date, note jsonb);
INSERT INTO customers (name, email) SELECT 'customer ' || g, 'c' || g || '@example.com' FROM generate_series(1, 50) g;
SQL

# The write workload: pgbench runs this script 20 times a second until the demo ends.
cat >"$work/workload.sql" <<'SQL'
\set c random(1, 50)
\set amount random(1, 100000)
BEGIN;
INSERT INTO orders (customer_id, amount, status, note) VALUES (:c, :amount / 100.0, 'new', '{"source": "demo"}');
UPDATE orders SET status = 'paid' WHERE id = (SELECT max(id) - 3 FROM orders);
DELETE FROM orders WHERE id = (SELECT max(id) - 20 FROM orders);
UPDATE customers SET email = 'changed' || :amount || '@example.com' WHERE id = :c;
COMMIT;
SQL
/usr/lib/postgresql/15/bin/pgbench -n -h 127.0.0.1 -p "$PGPORT" -U postgres -f "$work/workload.sql" \
  -R 20 -T 86400 postgres >"$work/pgbench.log" 2>&1 &
workload_pid=$!

cat >"$work/application.properties" <<EOF2
debezium.source.connector.class=io.debezium.connector.postgresql.PostgresConnector
debezium.source.database.hostname=127.0.0.1
debezium.source.database.port=$PGPORT
debezium.source.database.user=postgres
debezium.source.database.dbname=postgres
debezium.source.topic.prefix=demo
debezium.source.plugin.name=pgoutput
debezium.source.offset.storage.file.filename=$work/offsets.json
debezium.sink.type=file
debezium.sink.file.dir=$out
EOF2

echo "Siphon is streaming into $out/ (demo.public.customers.jsonl, demo.public.orders.jsonl)."
echo "Try: tail -f $out/demo.public.orders.jsonl    Ctrl-C (or SIGTERM) to stop."
build/siphon run "$work/application.properties" &
siphon_pid=$!
# Ctrl-C or SIGTERM: Siphon delivers what is in flight, stores its offset and exits; then the
# server and the workload are stopped by the EXIT trap.
trap 'kill -TERM "$siphon_pid" 2>/dev/null || true' INT TERM
status=0
wait "$siphon_pid" || status=$?
if kill -0 "$siphon_pid" 2>/dev/null; then wait "$siphon_pid" || status=$?; fi
exit "$status"
