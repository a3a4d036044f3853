# Sourced by the benchmark scripts: starts a throwaway PostgreSQL server (fast, not durable: fsync off), creates
# the database portfolio_bench, stops and removes it all on exit, and sets BENCH_CONNECTION.
PGBIN=${PORTFOLIO_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
BASE=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
AS=""
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$BASE"; AS="runuser -u postgres --"; fi
$AS "$PGBIN/initdb" -D "$BASE/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null
# autovacuum off: the benchmark vacuums once after loading, as autovacuum would in service; an autovacuum ANALYZE
# running at that moment holds back the horizon, so the visibility map is left unset and index-only scans read the heap.
$AS "$PGBIN/pg_ctl" -D "$BASE/data" -l "$BASE/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $BASE -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB -c autovacuum=off" start >/dev/null
trap '$AS "$PGBIN/pg_ctl" -D "$BASE/data" -m fast -w stop >/dev/null; rm -rf "$BASE"' EXIT
psql -h 127.0.0.1 -p "$PORT" -U postgres -tAc "create database portfolio_bench" >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}')"
BENCH_CONNECTION="Host=127.0.0.1;Port=$PORT;Username=postgres;Database=portfolio_bench"
