#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server and imports a 100,000-row Xero export (issue 13): preview time, commit time
# and peak memory, beside a bare COPY of the same rows. Results are recorded in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/benchmark-postgres.sh
dotnet run -c Release --project Portfolio.Benchmarks -- imports "$BENCH_CONNECTION" "${1:-100000}"
