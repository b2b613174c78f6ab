#!/usr/bin/env bash
# Starts the local services the tests use, if they are not running: PostgreSQL on 127.0.0.1:5432
# (trust auth, database `test`) for examples/postgres. Idempotent; CI runs it before the tests.
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
