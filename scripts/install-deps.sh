#!/usr/bin/env bash
# Installs the Debian 12 packages Siphon builds, tests and demos with (only those missing).
# Why each is there: README.md, "Dependencies".
set -euo pipefail

packages=(
  # toolchain
  g++ clang libclang-rt-14-dev cmake ninja-build pkg-config clang-format
  # libraries Siphon links
  libpq-dev libfmt-dev libexpected-dev nlohmann-json3-dev
  # the Kafka sink (librdkafka's C API; its mock cluster serves the Kafka tests), kcat to inspect
  librdkafka-dev kcat
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # the real PostgreSQL 15 the tests and the demo start, and wal2json for differential tests
  postgresql-15 postgresql-client-15 postgresql-contrib postgresql-15-wal2json
  # the real MariaDB 10.11 the binlog tests start, its client library (also the binlog transport),
  # zstd for MySQL 8 compressed transactions, and MariaDB's recorded test binlogs
  mariadb-server mariadb-client libmariadb-dev libzstd-dev zstd zlib1g-dev mariadb-test-data
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps.sh: missing packages: ${missing[*]}; run as root (or with sudo)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Packages must not start services of their own (the tests start their own servers).
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -q
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
