#!/usr/bin/env bash
# The real consumers the export and check tests hand scitag's output to, fetched from the package
# registries into a cache outside the tree (the machine has no other internet):
#   - Microsoft's SARIF Multitool (npm `@microsoft/sarif-multitool-linux`), whose `validate` checks a
#     SARIF log against the SARIF 2.1.0 schema and its rules;
#   - the PyPI `bioc` package (BioC XML and JSON, PubTator and brat readers and validators), in a venv.
# Usage: scripts/setup-consumers.sh [DEST]  (default ~/.cache/scitag/consumers); prints `export` lines
# for the test environment: eval "$(scripts/setup-consumers.sh)".
set -euo pipefail
SARIF_MULTITOOL_VERSION="${SARIF_MULTITOOL_VERSION:-5.7.0}"
BIOC_VERSION="${BIOC_VERSION:-2.1}"
DEST="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/scitag/consumers}"
mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)"

tool="$DEST/sarif-multitool-$SARIF_MULTITOOL_VERSION/package/Sarif.Multitool"
if [ ! -x "$tool" ]; then
  work="$(mktemp -d "$DEST/.sarif.XXXXXX")"
  (cd "$work" && npm pack --silent "@microsoft/sarif-multitool-linux@$SARIF_MULTITOOL_VERSION" >/dev/null)
  tar xzf "$work"/microsoft-sarif-multitool-linux-*.tgz -C "$work"
  chmod +x "$work/package/Sarif.Multitool"
  rm -f "$work"/*.tgz
  rm -rf "$DEST/sarif-multitool-$SARIF_MULTITOOL_VERSION"
  mv "$work" "$DEST/sarif-multitool-$SARIF_MULTITOOL_VERSION"   # atomic: a half download is never used
fi
echo "SARIF Multitool $SARIF_MULTITOOL_VERSION: $tool" >&2

venv="$DEST/venv-bioc-$BIOC_VERSION"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import bioc" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "bioc==$BIOC_VERSION" >&2
fi
echo "bioc $BIOC_VERSION: $venv/bin/python" >&2
echo "export SCITAG_CONSUMERS_PYTHON='$venv/bin/python'"
echo "export SCITAG_SARIF_MULTITOOL='$tool'"
# .NET without ICU on minimal machines
echo "export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1"
