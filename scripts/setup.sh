#!/usr/bin/env bash
# Installs what Portfolio's tests need that a fresh Debian machine with the .NET 10 SDK may lack.
# Safe to run again: it installs only what is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

need=()
# A PostgreSQL server for the data tests (they start their own throwaway instance; nothing is configured here).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi

# (The PDF fonts ship inside Portfolio.Reports: nothing to install for them.)
# A real SMTP server for the email tests (run with the system Python: /usr/bin/python3 -m aiosmtpd).
if ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  need+=(python3-aiosmtpd)
fi
# A real browser for the page tests: Debian's Chromium, driven by Playwright with ExecutablePath (never
# `playwright install`, which downloads a browser this machine cannot reach).
if ! command -v chromium >/dev/null 2>&1; then
  need+=(chromium)
fi
# LibreOffice Calc (no GUI) for the test that prints the quarterly workbook to PDF, as a funder's officer might,
# and reads the text back (Portfolio.Tests/Reports/WorkbookPrintTests.cs).
if ! command -v soffice >/dev/null 2>&1; then
  need+=(libreoffice-calc-nogui)
fi
# Node.js for the OpenID Connect provider the sign-in tests start (npm's oidc-provider, installed below).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  need+=(nodejs npm)
fi
# Optional extras: scripts/render-samples.sh needs poppler-utils (pdftoppm); pass --with-samples to install it.
if [ "${1:-}" = "--with-samples" ] && ! command -v pdftoppm >/dev/null 2>&1; then
  need+=(poppler-utils)
fi

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
else
  echo "setup: nothing to install"
fi

# The test OpenID Connect provider's packages, at the versions in its package-lock.json.
if [ ! -d "$ROOT/Portfolio.Tests/Oidc/node_modules/oidc-provider" ]; then
  echo "setup: installing the test OpenID Connect provider (npm ci in Portfolio.Tests/Oidc)"
  (cd "$ROOT/Portfolio.Tests/Oidc" && npm ci --no-audit --no-fund --silent)
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK is required (https://dotnet.microsoft.com/download)" >&2
  exit 1
fi
