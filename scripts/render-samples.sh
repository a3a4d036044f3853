#!/usr/bin/env bash
# Regenerates docs/samples/: the demo portfolio's quarterly reports for 2026/27 Q2 as .xlsx and .pdf, for the
# lottery grant (demo-report-…) and the Home Office programme in four delivery areas with partner returns
# (demo-home-office-…), page 1 of the lottery PDF as a PNG, and the 360Giving export of the demo (demo-360giving.json
# and .xlsx). Needs pdftoppm (scripts/setup.sh --with-samples installs poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pdftoppm >/dev/null || { echo "render-samples: pdftoppm not found; run scripts/setup.sh --with-samples" >&2; exit 1; }
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEY=pk_samples_admin_key_0123456789abcdef
export Portfolio__OpenData__Prefix=360G-demo-partnership Portfolio__Organisation__CharityNumber=1234567 ConnectionStrings__Portfolio="Data Source=$WORK/demo.db" Portfolio__SeedDemo=true Portfolio__BootstrapAdminKey=$KEY ASPNETCORE_URLS=http://127.0.0.1:$PORT
dotnet build -v q Portfolio.Api >/dev/null
dotnet run --no-build --no-launch-profile --project Portfolio.Api >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 1; done
mkdir -p docs/samples
for ext in xlsx pdf; do
  curl -sf -H "X-Api-Key: $KEY" -o "docs/samples/demo-report-2026-27-Q2.$ext" "http://127.0.0.1:$PORT/api/grants/1/reports/2026-07-01.$ext"
  curl -sf -H "X-Api-Key: $KEY" -o "docs/samples/demo-home-office-2026-27-Q2.$ext" "http://127.0.0.1:$PORT/api/grants/2/reports/2026-07-01.$ext"
done
curl -sf -H "X-Api-Key: $KEY" -o docs/samples/demo-360giving.json "http://127.0.0.1:$PORT/api/exports/360giving.json"
curl -sf -H "X-Api-Key: $KEY" -o docs/samples/demo-360giving.xlsx "http://127.0.0.1:$PORT/api/exports/360giving.xlsx"
pdftoppm -png -r 80 -f 1 -l 1 -singlefile docs/samples/demo-report-2026-27-Q2.pdf docs/samples/demo-report-2026-27-Q2-page1
ls -la docs/samples
