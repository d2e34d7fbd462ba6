#!/usr/bin/env bash
# Rebuilds the vendored NL Design System CSS in this folder from the npm registry. Not needed
# to build or run planloket (the files are committed); run it to update the versions below.
#
#   static/nlds/build.sh
#
# - components: @utrecht/*-css, the community components of the NL Design System (EUPL-1.2),
#   only those the pages use, concatenated into utrecht-components.css;
# - theme: @nl-design-system-unstable/voorbeeld-design-tokens, the NL Design System's example
#   theme (EUPL-1.2), keeping the basis, utrecht, nl and voorbeeld tokens (the others style
#   components of other libraries); no web font is vendored, the theme's Noto Sans falls back
#   to the system's sans-serif, so pages ask no other host for anything.
#
# (@utrecht/design-tokens is not used: Gemeente Utrecht's tokens are its own, not open.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
COMPONENTS="root document page page-header page-footer page-content page-body skip-link
heading-1 heading-2 heading-3 paragraph link button button-group form-field form-label
form-field-description form-field-error-message form-fieldset textbox textarea checkbox
radio-button select alert table unordered-list ordered-list status-badge data-list separator
nav-bar link-list"
cd "$work"
npm init -y >/dev/null
pkgs=""
for c in $COMPONENTS; do pkgs="$pkgs @utrecht/$c-css"; done
npm install --no-audit --no-fund $pkgs @nl-design-system-unstable/voorbeeld-design-tokens >/dev/null
{
  echo "/* NL Design System community components (@utrecht/*-css), EUPL-1.2; see README.md. */"
  for c in $COMPONENTS; do
    v=$(node -p "require('@utrecht/$c-css/package.json').version")
    echo "/* @utrecht/$c-css $v */"
    cat "node_modules/@utrecht/$c-css/dist/index.css"
    echo
  done
} > "$here/utrecht-components.css"
tokens=node_modules/@nl-design-system-unstable/voorbeeld-design-tokens
python3 - "$tokens/dist/theme.css" "$here/voorbeeld-theme.css" "$(node -p "require('./$tokens/package.json').version")" <<'PY'
import re, sys
src, dst, version = sys.argv[1:]
lines = open(src).read().splitlines()
keep = [l for l in lines
        if not l.strip().startswith('--') or re.match(r'\s*--(basis|utrecht|nl|voorbeeld)-', l)]
open(dst, 'w').write(
    f"/* @nl-design-system-unstable/voorbeeld-design-tokens {version}, EUPL-1.2; see README.md. */\n"
    + "\n".join(keep) + "\n")
PY
cp "$tokens/LICENSE.md" "$here/LICENCE-EUPL-1.2.md"
{
  echo "component packages:"
  for c in $COMPONENTS; do echo "  @utrecht/$c-css $(node -p "require('@utrecht/$c-css/package.json').version")"; done
  echo "theme: @nl-design-system-unstable/voorbeeld-design-tokens $(node -p "require('./$tokens/package.json').version")"
} > "$here/VERSIONS.txt"
echo "vendored into $here"
