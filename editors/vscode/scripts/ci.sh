#!/usr/bin/env bash
# CI for the VS Code extension: locked install, lint, unit tests, bundle, the platform .vsix, and the
# test in real VS Code (code-server + Chromium + Playwright, tests/editors/vscode.sh).
#
#   SCITAG_VSCODE_E2E=quick (default)  colours, hovers, status and Problems in .md and .tex
#   SCITAG_VSCODE_E2E=full             also the toggle and restart commands and the light theme
#   SCITAG_VSCODE_E2E=off              no real-editor test (lint, unit tests and packaging only)
#
# Needs target/release/scitag and .ort/lib (scripts/setup-ort.sh); Node >= 20 and npm for the build.
# The real-editor test installs Node 24, code-server and Chromium on first use (about 4 minutes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

npm ci --no-audit --no-fund
npm run lint
npm test
npm run build
vsix=$(bash scripts/package.sh)
echo "ci.sh: packaged $vsix ($(du -h "$vsix" | cut -f1))" >&2

case ${SCITAG_VSCODE_E2E:-quick} in
  off) echo "ci.sh: SCITAG_VSCODE_E2E=off: skipping the test in real VS Code" >&2 ;;
  quick) E2E_QUICK=1 ../../tests/editors/vscode.sh "$vsix" ;;
  full) ../../tests/editors/vscode.sh "$vsix" ;;
  *) echo "ci.sh: SCITAG_VSCODE_E2E must be quick, full or off" >&2; exit 2 ;;
esac
