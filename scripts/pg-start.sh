#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 for Siphon's tests and demos.
#
# Usage: pg-start.sh DIR [PORT]
#
#   DIR   created if needed (owned by postgres, mode 700); holds data/, server.log, the unix
#         socket and the file 'port'. Remove it all with scripts/pg-stop.sh DIR.
#   PORT  TCP port on 127.0.0.1. Without it the port recorded in DIR/port is reused (so a
#         restart keeps the address clients know); otherwise a free one is chosen, and a new one
#         is tried if another process takes it before the server binds it.
#
# Env:   PG_EXTRA_CONF  lines appended to postgresql.conf when the cluster is created
#        PG_BIN         PostgreSQL binaries (default /usr/lib/postgresql/15/bin)
#
# Idempotent: on a running cluster it only prints the variables again. On success stdout has
# only KEY=VALUE lines (PGDIR, PGDATA, PGHOST, PGPORT, PGUSER, PGPID), fit for `eval`.
# On failure it exits non-zero and prints the server log's tail on stderr.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || -z $1 ]]; then
  echo "usage: $0 DIR [PORT]" >&2
  exit 2
fi
REQUESTED_PORT=${2:-}
if [[ -n $REQUESTED_PORT && ! $REQUESTED_PORT =~ ^[0-9]+$ ]]; then
  echo "pg-start: PORT must be a number, got '$REQUESTED_PORT'" >&2
  exit 2
fi
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

mkdir -p "$1"
# Absolute, because postgresql.conf's unix_socket_directories and pg_ctl -D need it.
DIR=$(cd "$1" && pwd -P)
DATA=$DIR/data
LOG=$DIR/server.log

# initdb and pg_ctl refuse to run as root.
if [[ $(id -u) -eq 0 ]]; then
  as_pg() { runuser -u postgres -- "$@"; }
  chown postgres:postgres "$DIR"
else
  as_pg() { "$@"; }
fi
chmod 700 "$DIR"

# One start or stop at a time per DIR (a harness and a demo may share one).
exec 9>>"$DIR/.lock"
flock -w 300 9

fail() {
  echo "pg-start: $*" >&2
  if [[ -f $LOG ]]; then
    echo "---- last lines of $LOG ----" >&2
    tail -n 40 "$LOG" >&2
  fi
  exit 1
}

print_vars() {
  local pid
  pid=$(head -n 1 "$DATA/postmaster.pid")
  echo "PGDIR=$DIR"
  echo "PGDATA=$DATA"
  echo "PGHOST=127.0.0.1"
  echo "PGPORT=$1"
  echo "PGUSER=postgres"
  echo "PGPID=$pid"
}

# The postmaster's pid if it is alive and serves this data directory. Not 'pg_ctl status': it
# takes an unreaped zombie (a postmaster killed with SIGKILL) for a running server.
live_postmaster() {
  local pid
  [[ -f $DATA/postmaster.pid ]] || return 1
  pid=$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null)
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DATA" || return 1
  echo "$pid"
}

# Live PostgreSQL processes of this cluster, found by their working directory (every one runs
# in its data directory), including backends orphaned by a killed postmaster.
cluster_pids() {
  local link pid comm
  while IFS= read -r link; do
    pid=${link#/proc/}
    pid=${pid%/cwd}
    comm=
    read -r comm <"/proc/$pid/comm" 2>/dev/null || true
    [[ $comm == postgres ]] && echo "$pid"
  done < <(find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$DATA" 2>/dev/null)
  return 0
}

is_running() {
  live_postmaster >/dev/null
}

# Prints a port on 127.0.0.1 that could be bound just now. Taken below the usual ephemeral range
# (32768+) so outgoing connections do not grab it between this probe and the server's bind.
pick_port() {
  perl -MIO::Socket::INET -e '
    for (1 .. 200) {
      my $p = 20000 + int(rand(12000));
      my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $p, Proto => "tcp",
                                    Listen => 1, ReuseAddr => 0);
      if ($s) { close($s); print "$p\n"; exit 0; }
    }
    exit 1;' || fail "no free TCP port found"
}

if is_running; then
  [[ -f $DIR/port ]] || fail "a server runs in $DATA but $DIR/port is missing"
  print_vars "$(cat "$DIR/port")"
  exit 0
fi

# A unix socket path is limited to 107 bytes.
SOCKET_SUFFIX="/.s.PGSQL.65535.lock"
if ((${#DIR} + ${#SOCKET_SUFFIX} >= 108)); then
  fail "DIR is too long for a unix socket path: $DIR"
fi

if [[ ! -f $DATA/PG_VERSION ]]; then
  rm -rf "$DATA"
  # -N: no fsync, about twice as fast; trust auth: loopback-only throwaway cluster.
  if ! as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 -N \
    >"$DIR/initdb.log" 2>&1; then
    cat "$DIR/initdb.log" >&2
    fail "initdb failed"
  fi
  {
    echo ""
    echo "# ---- added by scripts/pg-start.sh ----"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$DIR'"
    echo "wal_level = logical"
    echo "max_replication_slots = 20"
    echo "max_wal_senders = 20"
    echo "max_connections = 100"
    echo "max_prepared_transactions = 10"
    # The minimum: big transactions spill (or stream) early, which tests want to exercise.
    echo "logical_decoding_work_mem = 64kB"
    # Durability is irrelevant for a throwaway cluster; a session that needs its commits to
    # survive an immediate restart sets synchronous_commit = on itself.
    echo "fsync = off"
    echo "synchronous_commit = off"
    echo "full_page_writes = off"
    echo "shared_buffers = 64MB"
    # Same timestamps in tests on every machine.
    echo "timezone = 'UTC'"
    echo "log_timezone = 'UTC'"
    # PG 15.19+ only lets whitelisted output plugins be used, even by a superuser; earlier
    # minor releases (15.18 is Debian's non-security package) do not know the setting and refuse
    # to start with it, so it is written only where the server describes it.
    if as_pg "$PG_BIN/postgres" --describe-config 2>/dev/null | grep -q '^output_plugin_libraries[[:space:]]'; then
      echo "output_plugin_libraries = 'pgoutput, test_decoding, wal2json'"
    fi
    if [[ -n ${PG_EXTRA_CONF:-} ]]; then
      echo "# PG_EXTRA_CONF"
      printf '%s\n' "$PG_EXTRA_CONF"
    fi
    # Last, so a retry with another port only rewrites this small file.
    echo "include_if_exists = 'siphon_port.conf'"
  } >>"$DATA/postgresql.conf"
fi

# After a postmaster was killed (SIGKILL), its backends exit on their own within moments; a new
# postmaster must not start while they still use the old shared memory. Then the lock files that
# name the dead pid are stale: removed, since an unreaped zombie with that pid would make the new
# postmaster refuse to start.
for _ in $(seq 100); do
  [[ -z $(cluster_pids) ]] && break
  sleep 0.1
done
[[ -z $(cluster_pids) ]] || fail "processes of an earlier server still run in $DATA: $(cluster_pids | tr '\n' ' ')"
rm -f "$DATA/postmaster.pid" "$DIR"/.s.PGSQL.*.lock

if [[ -n $REQUESTED_PORT ]]; then
  PORT=$REQUESTED_PORT
  FIXED_PORT=1
elif [[ -s $DIR/port ]]; then
  PORT=$(cat "$DIR/port")
  FIXED_PORT=1
else
  PORT=$(pick_port)
  FIXED_PORT=0
fi

for attempt in 1 2 3 4 5 6 7 8 9 10; do
  echo "port = $PORT" >"$DATA/siphon_port.conf"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$DATA/siphon_port.conf"
  log_size=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
  # 9>&- : the postmaster must not inherit the lock, or pg-stop.sh would wait for it forever.
  if as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null 2>"$DIR/pg_ctl.err" 9>&-; then
    echo "$PORT" >"$DIR/port"
    print_vars "$PORT"
    exit 0
  fi
  cat "$DIR/pg_ctl.err" >&2
  if [[ $FIXED_PORT -eq 1 ]] ||
    ! tail -c +$((log_size + 1)) "$LOG" 2>/dev/null | grep -q "could not bind\|Address already in use"; then
    fail "server did not start on port $PORT"
  fi
  echo "pg-start: port $PORT was taken (attempt $attempt), trying another" >&2
  PORT=$(pick_port)
done
fail "no port could be bound after 10 attempts"
