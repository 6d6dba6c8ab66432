#!/usr/bin/env bash
# Stop a cluster started by scripts/pg-start.sh and remove its directory.
#
# Usage: pg-stop.sh DIR [--keep] [--immediate]
#
#   --keep       stop only; keep DIR so that pg-start.sh DIR restarts the same cluster on the same port
#   --immediate  stop like a crash (SIGQUIT; the next start runs crash recovery) instead of 'fast'
#
# The server is found by the pid in DIR/data/postmaster.pid: a 'fast' stop first (or
# 'immediate'), then 'immediate', then SIGKILL of that postmaster. Idempotent: a missing DIR or a
# stopped server is success.
set -uo pipefail

if [[ $# -lt 1 || -z $1 ]]; then
  echo "usage: $0 DIR [--keep] [--immediate]" >&2
  exit 2
fi
ARG_DIR=$1
shift
KEEP=0
MODE=fast
for arg in "$@"; do
  case $arg in
  --keep) KEEP=1 ;;
  --immediate) MODE=immediate ;;
  *)
    echo "pg-stop: unknown option $arg" >&2
    exit 2
    ;;
  esac
done
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
STOP_TIMEOUT=${PG_STOP_TIMEOUT:-20}

[[ -d $ARG_DIR ]] || exit 0
DIR=$(cd "$ARG_DIR" && pwd -P)
DATA=$DIR/data

# Refuse to delete a directory pg-start.sh did not make: a wrong argument must not cost data.
if [[ $DIR == / ]] || { [[ -n $(ls -A "$DIR") ]] && [[ ! -e $DATA && ! -e $DIR/port &&
  ! -e $DIR/server.log && ! -e $DIR/initdb.log && ! -e $DIR/.lock ]]; }; then
  echo "pg-stop: $DIR does not look like a pg-start.sh directory; not touching it" >&2
  exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

exec 9>>"$DIR/.lock"
flock -w 300 9

# The postmaster's pid, if that process is alive and is the server of this data directory
# (a stale pid file may name a reused pid, or an unreaped zombie, whose cmdline is empty).
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

status=0
if pid=$(live_postmaster); then
  if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m "$MODE" -w -t "$STOP_TIMEOUT" stop >/dev/null 2>&1 &&
    ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w -t 10 stop >/dev/null 2>&1; then
    if live_postmaster >/dev/null; then
      echo "pg-stop: pg_ctl could not stop postmaster $pid; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
      # Its backends notice the postmaster's death and exit on their own.
      for _ in $(seq 100); do
        live_postmaster >/dev/null || break
        sleep 0.1
      done
      if live_postmaster >/dev/null; then
        echo "pg-stop: postmaster $pid survived SIGKILL" >&2
        status=1
      fi
    fi
  fi
fi

# Backends orphaned by a postmaster that was killed (here or by a crash test) exit on their own
# once they notice; whatever is still there after 5 s is killed.
for _ in $(seq 50); do
  [[ -z $(cluster_pids) ]] && break
  sleep 0.1
done
mapfile -t leftovers < <(cluster_pids)
if [[ ${#leftovers[@]} -gt 0 ]]; then
  echo "pg-stop: killing leftover server processes: ${leftovers[*]}" >&2
  kill -KILL "${leftovers[@]}" 2>/dev/null
  for _ in $(seq 50); do
    [[ -z $(cluster_pids) ]] && break
    sleep 0.1
  done
  if [[ -n $(cluster_pids) ]]; then
    echo "pg-stop: processes survived SIGKILL: $(cluster_pids | tr '\n' ' ')" >&2
    status=1
  fi
fi

if [[ $KEEP -eq 0 && $status -eq 0 ]]; then
  rm -rf "$DIR"
fi
exit $status
