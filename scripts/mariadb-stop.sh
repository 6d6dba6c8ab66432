#!/usr/bin/env bash
# Stop a server started by scripts/mariadb-start.sh and remove its directory.
#
# Usage: mariadb-stop.sh DIR [--keep] [--immediate]
#
#   --keep       stop only; keep DIR so that mariadb-start.sh DIR restarts the same server on
#                the same port
#   --immediate  stop like a crash (SIGKILL; the next start runs crash recovery) instead of a
#                clean shutdown (SIGTERM)
#
# Idempotent: a missing DIR or a stopped server is success.
set -uo pipefail

if [[ $# -lt 1 || -z $1 ]]; then
  echo "usage: $0 DIR [--keep] [--immediate]" >&2
  exit 2
fi
ARG_DIR=$1
shift
KEEP=0
SIGNAL=TERM
for arg in "$@"; do
  case $arg in
  --keep) KEEP=1 ;;
  --immediate) SIGNAL=KILL ;;
  *)
    echo "mariadb-stop: unknown option $arg" >&2
    exit 2
    ;;
  esac
done
STOP_TIMEOUT=${MDB_STOP_TIMEOUT:-30}

[[ -d $ARG_DIR ]] || exit 0
DIR=$(cd "$ARG_DIR" && pwd -P)
DATA=$DIR/data
PIDFILE=$DIR/mysqld.pid

# Refuse to delete a directory mariadb-start.sh did not make: a wrong argument must not cost data.
if [[ $DIR == / ]] || { [[ -n $(ls -A "$DIR") ]] && [[ ! -e $DATA && ! -e $DIR/port &&
  ! -e $DIR/error.log && ! -e $DIR/install-db.log && ! -e $DIR/.lock ]]; }; then
  echo "mariadb-stop: $DIR does not look like a mariadb-start.sh directory; not touching it" >&2
  exit 1
fi

exec 9>>"$DIR/.lock"
flock -w 300 9

live_server() {
  local pid
  [[ -f $PIDFILE ]] || return 1
  pid=$(head -n 1 "$PIDFILE" 2>/dev/null)
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DATA" || return 1
  echo "$pid"
}

status=0
if pid=$(live_server); then
  kill -"$SIGNAL" "$pid" 2>/dev/null
  for _ in $(seq $((STOP_TIMEOUT * 20))); do
    live_server >/dev/null || break
    sleep 0.05
  done
  if live_server >/dev/null; then
    echo "mariadb-stop: server $pid did not stop in ${STOP_TIMEOUT}s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null
    for _ in $(seq 100); do
      live_server >/dev/null || break
      sleep 0.05
    done
    if live_server >/dev/null; then
      echo "mariadb-stop: server $pid survived SIGKILL" >&2
      status=1
    fi
  fi
  rm -f "$PIDFILE"
fi

if [[ $KEEP -eq 0 && $status -eq 0 ]]; then
  rm -rf "$DIR"
fi
exit $status
