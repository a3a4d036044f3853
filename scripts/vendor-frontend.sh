#!/usr/bin/env bash
# Copies GOV.UK Frontend's built assets into Portfolio.Api/wwwroot/vendor, so neither `dotnet run` nor the tests
# need npm. The CSS is compiled from the package's Sass without the GDS Transport font and without the crown and
# logotype (which belong to GOV.UK alone): arial, sans-serif instead. Pinned versions are recorded in VERSIONS.
# Run it again only to change a version.
set -euo pipefail
cd "$(dirname "$0")/.."
GOVUK_FRONTEND=6.6.0
SASS=1.108.2
OUT=Portfolio.Api/wwwroot/vendor/govuk-frontend
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "govuk-frontend@$GOVUK_FRONTEND" "sass@$SASS" >/dev/null)
cat > "$WORK/portfolio.scss" <<'SCSS'
// GOV.UK Frontend for a service that is not on GOV.UK: no GDS Transport, no crown.
@use "pkg:govuk-frontend" with (
  $govuk-font-family: (arial, sans-serif),
  $govuk-include-default-font-face: false,
  $govuk-assets-path: "/vendor/govuk-frontend/assets/"
);
SCSS
(cd "$WORK" && npx --no-install sass --style=compressed --no-source-map --pkg-importer=node portfolio.scss portfolio.css)

rm -rf "$OUT"
mkdir -p "$OUT"
cp "$WORK/portfolio.css" "$OUT/govuk-frontend.min.css"
cp "$WORK/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js" "$OUT/govuk-frontend.min.js"
# Not the images: they are GOV.UK's crown, crest and favicons.
cp "$WORK/node_modules/govuk-frontend/package.json" "$OUT/package.json"   # MIT licence, and the exact version
{
  echo "govuk-frontend $GOVUK_FRONTEND (npm), CSS compiled with sass $SASS from scripts/vendor-frontend.sh"
  echo "font: arial, sans-serif (no GDS Transport); no crown or logotype"
} > "$OUT/VERSIONS"
echo "vendored into $OUT:"; ls -la "$OUT"
