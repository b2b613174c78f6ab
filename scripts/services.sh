#!/usr/bin/env bash
# Starts the local services the tests use, if they are not running: PostgreSQL on 127.0.0.1:5432
# (trust auth, database `test`) for examples/postgres and destination, and installs Azurite (npm) for cache-azure,
# whose tests start it themselves. Redis (127.0.0.1:6379) is started the same way when absent.
# Idempotent; CI runs it before the tests.
set -euo pipefail

if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null; then
    version=$(ls /etc/postgresql | sort -V | tail -1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
  done
fi
if command -v pg_isready >/dev/null; then
  pg_isready -h 127.0.0.1 -p 5432 >&2 || echo "services: PostgreSQL is not reachable on 127.0.0.1:5432" >&2
fi

if command -v redis-cli >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/tributary-redis.log"
    for _ in $(seq 1 20); do
      redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
      sleep 0.5
    done
  fi
fi

"$(dirname "$0")/azurite.sh" install >&2 || echo "services: could not install Azurite (npm); cache-azure tests will try again" >&2
