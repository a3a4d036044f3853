#!/usr/bin/env bash
# The fast lane, for while you work: every test on SQLite that needs no browser and no PostgreSQL.
# The whole suite (scripts/test.sh) is what CI runs and what must pass before a change lands.
# Extra arguments go to dotnet test, e.g. scripts/test-fast.sh --no-build
set -uo pipefail
cd "$(dirname "$0")/.."
exec dotnet test Portfolio.Tests \
  --filter "FullyQualifiedName!~Postgres&FullyQualifiedName!~Browser&FullyQualifiedName!~DemoScreenshots" "$@"
