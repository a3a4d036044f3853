#!/usr/bin/env bash
# The write path: POST /api/transactions with an Idempotency-Key (real Kestrel, keep-alive client, audit included)
# against a bare single-row insert transaction on the same engine, in the same run: on a SQLite file, then on a
# throwaway PostgreSQL server with its default (durable) settings. Results are recorded in docs/benchmarks.md.
# Usage: scripts/benchmark-writes.sh [seconds per measurement, default 10] [workers, default 1]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-10}
WORKERS=${2:-1}
dotnet build -c Release Portfolio.Benchmarks >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"
dotnet run -c Release --no-build --project Portfolio.Benchmarks -- writes sqlite "$SECONDS_EACH" "$WORKERS"

PGBIN=${PORTFOLIO_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
BASE=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
AS=""
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$BASE"; AS="runuser -u postgres --"; fi
$AS "$PGBIN/initdb" -D "$BASE/data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
$AS "$PGBIN/pg_ctl" -D "$BASE/data" -l "$BASE/server.log" -w -t 30 -o "-c listen_addresses=127.0.0.1 -p $PORT -k $BASE" start >/dev/null
trap '$AS "$PGBIN/pg_ctl" -D "$BASE/data" -m fast -w stop >/dev/null; rm -rf "$BASE"' EXIT
psql -h 127.0.0.1 -p "$PORT" -U postgres -tAc "create database portfolio_writes" >/dev/null
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), default settings (fsync and synchronous_commit on)"
dotnet run -c Release --no-build --project Portfolio.Benchmarks -- writes postgres "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=portfolio_writes" "$SECONDS_EACH" "$WORKERS"
