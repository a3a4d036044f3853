#!/usr/bin/env bash
# Copies GOV.UK Frontend's and MOJ Frontend's built assets into Portfolio.Api/wwwroot/vendor, so neither `dotnet run` nor the tests
# need npm. The CSS is compiled from the package's Sass without the GDS Transport font and without the crown and
# logotype (which belong to GOV.UK alone): arial, sans-serif instead. Of MOJ Frontend, only the components the pages
# use (sub-navigation, timeline, sortable table, badge), and the sortable table's self-contained script module.
# Pinned versions are recorded in VERSIONS.
# Run it again only to change a version.
set -euo pipefail
cd "$(dirname "$0")/.."
GOVUK_FRONTEND=6.6.0
MOJ_FRONTEND=11.1.0
SASS=1.108.2
OUT=Portfolio.Api/wwwroot/vendor/govuk-frontend
MOJ_OUT=Portfolio.Api/wwwroot/vendor/moj-frontend
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "govuk-frontend@$GOVUK_FRONTEND" "@ministryofjustice/frontend@$MOJ_FRONTEND" "sass@$SASS" >/dev/null)
cat > "$WORK/portfolio.scss" <<'SCSS'
// GOV.UK Frontend for a service that is not on GOV.UK: no GDS Transport, no crown.
@use "pkg:govuk-frontend" with (
  $govuk-font-family: (arial, sans-serif),
  $govuk-include-default-font-face: false,
  $govuk-assets-path: "/vendor/govuk-frontend/assets/"
);
SCSS
(cd "$WORK" && npx --no-install sass --style=compressed --no-source-map --pkg-importer=node portfolio.scss portfolio.css)
cat > "$WORK/moj.scss" <<'SCSS'
// MOJ Frontend's case-work components, on the same GOV.UK settings (arial; no GDS Transport).
@use "pkg:@ministryofjustice/frontend/moj/settings/all" with ($moj-font-family: (arial, sans-serif), $moj-assets-path: "/vendor/moj-frontend/assets/");
@use "pkg:@ministryofjustice/frontend/moj/components/sub-navigation/sub-navigation";
@use "pkg:@ministryofjustice/frontend/moj/components/timeline/timeline";
@use "pkg:@ministryofjustice/frontend/moj/components/sortable-table/sortable-table";
@use "pkg:@ministryofjustice/frontend/moj/components/badge/badge";
SCSS
(cd "$WORK" && npx --no-install sass --style=compressed --no-source-map --pkg-importer=node --load-path=. moj.scss moj.css)

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

MOJ_PACKAGE="$WORK/node_modules/@ministryofjustice/frontend"
rm -rf "$MOJ_OUT"
mkdir -p "$MOJ_OUT"
cp "$WORK/moj.css" "$MOJ_OUT/moj-frontend.min.css"
cp "$MOJ_PACKAGE/moj/components/sortable-table/sortable-table.bundle.mjs" "$MOJ_OUT/sortable-table.bundle.mjs"
cp "$MOJ_PACKAGE/package.json" "$MOJ_OUT/package.json"   # MIT licence, and the exact version
echo "@ministryofjustice/frontend $MOJ_FRONTEND (npm): sub-navigation, timeline, sortable table and badge CSS compiled with sass $SASS; the sortable table's bundled module" > "$MOJ_OUT/VERSIONS"
echo "vendored into $OUT and $MOJ_OUT:"; ls -la "$OUT" "$MOJ_OUT"
