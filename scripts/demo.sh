#!/usr/bin/env bash
# The demo: installs what is missing, builds build/siphon, starts a throwaway PostgreSQL 15 and
# a throwaway MariaDB 10.11 on loopback, each with a small shop schema and a running write
# workload, and runs one Siphon connector per server so change events appear in
# demo-out/<topic>.jsonl. Ctrl-C stops both connectors cleanly, then the servers.
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
eval "$(scripts/mariadb-start.sh "$work/mariadb")"
cleanup() {
  [[ -n ${workload_pid:-} ]] && kill "$workload_pid" 2>/dev/null || true
  [[ -n ${mariadb_workload_pid:-} ]] && kill "$mariadb_workload_pid" 2>/dev/null || true
  scripts/pg-stop.sh "$work/pg" >/dev/null 2>&1 || true
  scripts/mariadb-stop.sh "$work/mariadb" >/dev/null 2>&1 || true
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

# The MariaDB side: two customer databases on one server, written to 10 times a second.
mariadb="mariadb -h 127.0.0.1 -P $MDBPORT -u root"
$mariadb <<'SQL'
CREATE DATABASE tenant_a; CREATE DATABASE tenant_b;
CREATE TABLE tenant_a.orders (id INT AUTO_INCREMENT PRIMARY KEY, amount DECIMAL(10,2), status ENUM('new','paid'),
                              note JSON, placed DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3));
CREATE TABLE tenant_b.orders LIKE tenant_a.orders;
SQL
(
  while true; do
    for db in tenant_a tenant_b; do
      $mariadb -e "BEGIN; INSERT INTO $db.orders (amount, status, note) VALUES (RAND() * 1000, 'new', '{\"source\": \"demo\"}');
        UPDATE $db.orders SET status = 'paid' WHERE id = CAST(LAST_INSERT_ID() AS SIGNED) - 3;
        DELETE FROM $db.orders WHERE id = CAST(LAST_INSERT_ID() AS SIGNED) - 20; COMMIT;" || sleep 1
    done
    sleep 0.2
  done
) &
mariadb_workload_pid=$!

cat >"$work/mariadb.properties" <<EOF2
debezium.source.connector.class=io.debezium.connector.mariadb.MariaDbConnector
debezium.source.database.hostname=127.0.0.1
debezium.source.database.port=$MDBPORT
debezium.source.database.user=root
debezium.source.topic.prefix=demomdb
debezium.source.database.include.list=tenant_.*
debezium.source.snapshot.mode=initial
debezium.source.offset.storage.file.filename=$work/mariadb-offsets.json
debezium.source.schema.history.internal=io.debezium.storage.file.history.FileSchemaHistory
debezium.source.schema.history.internal.file.filename=$work/mariadb-history.jsonl
debezium.sink.type=file
debezium.sink.file.dir=$out
EOF2

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

echo "Siphon is streaming into $out/: demo.public.{customers,orders}.jsonl from PostgreSQL,"
echo "demomdb.tenant_{a,b}.orders.jsonl from MariaDB."
echo "Try: tail -f $out/demo.public.orders.jsonl    Ctrl-C (or SIGTERM) to stop."
build/siphon run "$work/application.properties" &
siphon_pid=$!
build/siphon run "$work/mariadb.properties" &
siphon_mariadb_pid=$!
# Ctrl-C or SIGTERM: each connector delivers what is in flight, stores its offset and exits;
# then the servers and the workloads are stopped by the EXIT trap.
trap 'kill -TERM "$siphon_pid" "$siphon_mariadb_pid" 2>/dev/null || true' INT TERM
status=0
wait "$siphon_pid" || status=$?
if kill -0 "$siphon_pid" 2>/dev/null; then wait "$siphon_pid" || status=$?; fi
wait "$siphon_mariadb_pid" || status=$?
if kill -0 "$siphon_mariadb_pid" 2>/dev/null; then wait "$siphon_mariadb_pid" || status=$?; fi
exit "$status"
