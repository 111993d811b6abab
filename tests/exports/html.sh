#!/usr/bin/env bash
# The HTML export in headless Chromium: `scitag tag --format html` on a Markdown and a LaTeX manuscript,
# then tests/exports/html.mjs checks colours, hovers, table, findings and that the page loads nothing
# from the network; the screenshot goes to artifacts/exports/html.png.
#   tests/exports/html.sh
# Reuses the Chromium and playwright-core that tests/editors/vscode.sh installs (run it first, as
# scripts/test.sh does); SCITAG_EDITORS_CACHE and CHROMIUM as there.
set -euo pipefail
if [[ ${SCITAG_VSCODE_E2E:-full} == off ]]; then
  echo "html.sh: SCITAG_VSCODE_E2E=off (no Chromium installed by the VS Code test): skipping" >&2
  exit 0
fi
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
cache=${SCITAG_EDITORS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scitag/editors-vscode}
chromium=${CHROMIUM:-/usr/bin/chromium}
bin=${SCITAG_BIN:-$repo/target/release/scitag}
shots=${E2E_SHOTS:-$repo/artifacts/exports}
[[ -x $bin ]] || { echo "html.sh: no binary at $bin; cargo build --release" >&2; exit 1; }
[[ -x $chromium ]] || { echo "html.sh: no Chromium at $chromium (tests/editors/vscode.sh installs it)" >&2; exit 1; }
[[ -d $cache/tools/node_modules/playwright-core ]] || { echo "html.sh: no playwright-core in $cache/tools (run tests/editors/vscode.sh)" >&2; exit 1; }
mkdir -p "$shots"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
inputs=(tests/editors/fixtures/sample.md tests/editors/fixtures/sample.tex)
corpus=../shared/corpus/markdown/gc-cytokines-introduction.md
[[ -f $corpus ]] && inputs+=("$corpus")
"$bin" tag "${inputs[@]}" --format html > "$work/page.html"
cp "$work/page.html" "$shots/page.html"
TOOLS_DIR=$cache/tools CHROMIUM=$chromium node tests/exports/html.mjs "$work/page.html" "$shots/html.png"
