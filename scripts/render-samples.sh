#!/usr/bin/env bash
# Regenerates docs/samples/ and docs/screenshots/ from a fresh demo portfolio, seeded as of today: the quarterly
# reports for the last quarter that ended as .xlsx and .pdf, for the lottery grant (demo-report.*) and the Home Office
# programme in four delivery areas with partner returns (demo-home-office.*), page 1 of the lottery PDF as a PNG, the
# 360Giving export of the demo (demo-360giving.json and .xlsx), and the README's screenshots, taken in Chromium as
# the demo's people (Portfolio.Tests/Web/DemoScreenshots.cs). Needs pdftoppm and chromium (scripts/setup.sh
# --with-samples installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pdftoppm >/dev/null || { echo "render-samples: pdftoppm not found; run scripts/setup.sh --with-samples" >&2; exit 1; }
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KEY=pk_samples_admin_key_0123456789abcdef
# The last quarter that ended: the demo's latest reports are for it.
PERIOD=$(python3 -c 'import datetime as d; t=d.date.today(); m=(t.month-1)//3*3+1; q=d.date(t.year,m,1); y,mm=(q.year,q.month-3) if q.month>3 else (q.year-1,q.month+9); print(d.date(y,mm,1))')
export ASPNETCORE_ENVIRONMENT=Development Portfolio__OpenData__Prefix=360G-demo-partnership Portfolio__Organisation__CharityNumber=1234567 \
  ConnectionStrings__Portfolio="Data Source=$WORK/demo.db" Portfolio__SeedDemo=true Portfolio__BootstrapAdminKey=$KEY \
  Portfolio__Email__PickupDirectory="$WORK/outbox" ASPNETCORE_URLS=http://127.0.0.1:$PORT
dotnet build -v q Portfolio.Api >/dev/null
dotnet run --no-build --no-launch-profile --project Portfolio.Api >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 90); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 1; done
mkdir -p docs/samples docs/screenshots
for ext in xlsx pdf; do
  curl -sf -H "X-Api-Key: $KEY" -o "docs/samples/demo-report.$ext" "http://127.0.0.1:$PORT/api/grants/1/reports/$PERIOD.$ext"
  curl -sf -H "X-Api-Key: $KEY" -o "docs/samples/demo-home-office.$ext" "http://127.0.0.1:$PORT/api/grants/2/reports/$PERIOD.$ext"
done
curl -sf -H "X-Api-Key: $KEY" -o docs/samples/demo-360giving.json "http://127.0.0.1:$PORT/api/exports/360giving.json"
curl -sf -H "X-Api-Key: $KEY" -o docs/samples/demo-360giving.xlsx "http://127.0.0.1:$PORT/api/exports/360giving.xlsx"
pdftoppm -png -r 80 -f 1 -l 1 -singlefile docs/samples/demo-report.pdf docs/samples/demo-report-page1
# The schedule makes the last quarter's drafts within a minute of start; the screenshots show one.
for _ in $(seq 1 90); do
  curl -sf -H "X-Api-Key: $KEY" "http://127.0.0.1:$PORT/api/report-runs?status=draft" | grep -q '"id"' && break; sleep 1
done
PORTFOLIO_DEMO_URL="http://127.0.0.1:$PORT" PORTFOLIO_SCREENSHOTS="$PWD/docs/screenshots" \
  dotnet test Portfolio.Tests --filter "FullyQualifiedName~DemoScreenshots" -v q
ls -la docs/samples docs/screenshots
