#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server, loads 500 grants and 1,000,000 transactions, and prints the median time
# of the burn roll-up next to a bare GROUP BY on the same data. Results are recorded in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/benchmark-postgres.sh
dotnet run -c Release --project Portfolio.Benchmarks -- burn "$BENCH_CONNECTION" "${1:-9}"
