#!/usr/bin/env bash
# Vendor the compiled govuk-frontend CSS, JS and assets into static/govuk/.
# Run by a developer when upgrading; the output is committed (no Node at runtime or in CI).
#
#   scripts/vendor_govuk_frontend.sh            # uses the pinned version below
#   GOVUK_FRONTEND_VERSION=6.6.0 scripts/vendor_govuk_frontend.sh
set -euo pipefail

VERSION="${GOVUK_FRONTEND_VERSION:-6.6.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/govuk"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "Fetching govuk-frontend@$VERSION"
(cd "$TMP" && npm pack --silent "govuk-frontend@$VERSION" >/dev/null)
tar -xzf "$TMP"/govuk-frontend-*.tgz -C "$TMP"
DIST="$TMP/package/dist/govuk"

rm -rf "$DEST"
mkdir -p "$DEST"
cp "$DIST/govuk-frontend.min.css" "$DEST/"
cp "$DIST/govuk-frontend.min.js" "$DEST/"
cp -R "$DIST/assets" "$DEST/assets"
# Source maps are not shipped: drop their trailing comments so browsers do not request them.
sed -i -E 's#/\*\# sourceMappingURL=[^*]*\*/##' "$DEST/govuk-frontend.min.css"
sed -i -E 's#//\# sourceMappingURL=.*$##' "$DEST/govuk-frontend.min.js"

# The compiled CSS refers to /assets/...; static files are served from /static/govuk/assets/.
sed -i -E 's#url\((["'"'"']?)/assets/#url(\1/static/govuk/assets/#g' "$DEST/govuk-frontend.min.css"
if grep -Eq "url\([\"']?/assets/" "$DEST/govuk-frontend.min.css"; then
  echo "error: unrewritten /assets/ urls remain in the CSS" >&2
  exit 1
fi

echo "$VERSION" > "$DEST/VERSION"
echo "Vendored govuk-frontend $VERSION into ${DEST#"$ROOT"/}"
