#!/usr/bin/env bash
# Start a throwaway MariaDB 10.11 for Siphon's tests and demos, with the binlog a CDC reader
# needs: ROW format, FULL row image, binlog_row_metadata=FULL (MariaDB's default NO_LOG leaves
# out signedness, charsets and ENUM/SET labels), GTID strict mode, annotated row events.
#
# Usage: mariadb-start.sh DIR [PORT]
#
#   DIR   created if needed; holds data/ (with the binlog files binlog.NNNNNN), error.log, the
#         unix socket, the pid file and the file 'port'. Remove it all with mariadb-stop.sh DIR.
#   PORT  TCP port on 127.0.0.1. Without it the port recorded in DIR/port is reused (a restart
#         keeps the address clients know); otherwise a free one is chosen, and another is tried
#         if a different process takes it before the server binds it.
#
# Env:   MDB_EXTRA_OPTS  extra mariadbd options, whitespace-separated ("--log-bin-compress=ON")
#
# root has no password and may log in over TCP (install-db runs with
# --auth-root-authentication-method=normal). Idempotent: on a running server it only prints the
# variables again. On success stdout has only KEY=VALUE lines (MDBDIR, MDBHOST, MDBPORT, MDBUSER,
# MDBPID, MDBSOCKET), fit for `eval`. On failure it exits non-zero with the error log's tail.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || -z $1 ]]; then
  echo "usage: $0 DIR [PORT]" >&2
  exit 2
fi
REQUESTED_PORT=${2:-}
if [[ -n $REQUESTED_PORT && ! $REQUESTED_PORT =~ ^[0-9]+$ ]]; then
  echo "mariadb-start: PORT must be a number, got '$REQUESTED_PORT'" >&2
  exit 2
fi

mkdir -p "$1"
DIR=$(cd "$1" && pwd -P)
DATA=$DIR/data
LOG=$DIR/error.log
SOCKET=$DIR/mysqld.sock
PIDFILE=$DIR/mysqld.pid

# One start or stop at a time per DIR.
exec 9>>"$DIR/.lock"
flock -w 300 9

fail() {
  echo "mariadb-start: $*" >&2
  if [[ -f $LOG ]]; then
    echo "---- last lines of $LOG ----" >&2
    tail -n 40 "$LOG" >&2
  fi
  exit 1
}

# The server's pid if it is alive and serves this data directory (a stale pid file may name a
# reused pid or a zombie, whose cmdline is empty).
live_server() {
  local pid
  [[ -f $PIDFILE ]] || return 1
  pid=$(head -n 1 "$PIDFILE" 2>/dev/null)
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DATA" || return 1
  echo "$pid"
}

print_vars() {
  echo "MDBDIR=$DIR"
  echo "MDBHOST=127.0.0.1"
  echo "MDBPORT=$1"
  echo "MDBUSER=root"
  echo "MDBPID=$2"
  echo "MDBSOCKET=$SOCKET"
}

# A port on 127.0.0.1 that could be bound just now, below the ephemeral range (32768+) so that
# outgoing connections do not take it between this probe and the server's bind.
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

if pid=$(live_server); then
  [[ -f $DIR/port ]] || fail "a server runs in $DATA but $DIR/port is missing"
  print_vars "$(cat "$DIR/port")" "$pid"
  exit 0
fi

if ((${#SOCKET} >= 108)); then
  fail "DIR is too long for a unix socket path: $DIR"
fi

if [[ ! -d $DATA/mysql ]]; then
  rm -rf "$DATA"
  if ! mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$DATA" \
    --auth-root-authentication-method=normal --skip-test-db >"$DIR/install-db.log" 2>&1; then
    cat "$DIR/install-db.log" >&2
    fail "mariadb-install-db failed"
  fi
fi

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

# shellcheck disable=SC2206  # word splitting is the documented format of MDB_EXTRA_OPTS
EXTRA=(${MDB_EXTRA_OPTS:-})

for attempt in 1 2 3 4 5 6 7 8 9 10; do
  log_size=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
  rm -f "$PIDFILE"
  # --no-defaults keeps /etc/mysql out. Durability is irrelevant for a throwaway server.
  # time_zone=+00:00: TIMESTAMP text in tests and goldens is UTC on every machine.
  # 9>&- : the server must not inherit the lock, or mariadb-stop.sh would wait for it forever.
  setsid mariadbd --no-defaults --user="$(id -un)" --datadir="$DATA" \
    --port="$PORT" --bind-address=127.0.0.1 --socket="$SOCKET" \
    --pid-file="$PIDFILE" --log-error="$LOG" \
    --log-bin="$DATA/binlog" --binlog-format=ROW --binlog-row-image=FULL \
    --binlog-row-metadata=FULL --server-id=1 --gtid-strict-mode=1 --log-slave-updates=1 \
    --binlog-annotate-row-events=1 --default-time-zone=+00:00 \
    --skip-name-resolve --innodb-buffer-pool-size=64M --innodb-log-file-size=16M \
    --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 --performance-schema=0 \
    "${EXTRA[@]}" >"$DIR/stdout.log" 2>&1 9>&- </dev/null &
  PID=$!
  up=0
  for _ in $(seq 1 1200); do
    if ! kill -0 "$PID" 2>/dev/null; then break; fi
    if mariadb-admin --no-defaults --connect-timeout=2 -h 127.0.0.1 -P "$PORT" -u root ping \
      >/dev/null 2>&1; then
      up=1
      break
    fi
    sleep 0.05
  done
  if [[ $up -eq 1 ]]; then
    echo "$PORT" >"$DIR/port"
    print_vars "$PORT" "$PID"
    exit 0
  fi
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  if [[ $FIXED_PORT -eq 1 ]] ||
    ! tail -c +$((log_size + 1)) "$LOG" 2>/dev/null | grep -q "Address already in use\|Can't start server: Bind"; then
    fail "server did not start on port $PORT"
  fi
  echo "mariadb-start: port $PORT was taken (attempt $attempt), trying another" >&2
  PORT=$(pick_port)
done
fail "no port could be bound after 10 attempts"
