#!/usr/bin/env bash
# Emacs 28 + eglot 1.9 (Debian's emacs-nox and elpa-eglot) end-to-end test: a third LSP client
# applies scitag's glossary code action with its own workspace-edit code (tests/editors/emacs_test.el).
#   tests/editors/emacs.sh            (installs emacs-nox and elpa-eglot with apt-get when missing)
# Environment: SCITAG_BIN (default target/release/scitag).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${SCITAG_BIN:-$repo/target/release/scitag}
eglot_dir=$(ls -d /usr/share/emacs/site-lisp/elpa/eglot-* 2>/dev/null | head -1 || true)
if ! command -v emacs >/dev/null || [[ -z "$eglot_dir" ]]; then
  echo "emacs.sh: installing emacs-nox and elpa-eglot" >&2
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq emacs-nox elpa-eglot >&2
  eglot_dir=$(ls -d /usr/share/emacs/site-lisp/elpa/eglot-* | head -1)
fi
load_path=()
for dir in /usr/share/emacs/site-lisp/elpa/*/; do load_path+=(-L "$dir"); done
tmp=$(mktemp -d)
# A server the editor started may still be writing its index cache under $tmp for a moment after
# the editor quit (it stops at the end of its input): retry the removal for up to 10 s.
cleanup() {
  for _ in $(seq 20); do rm -rf "$tmp" 2>/dev/null && return; sleep 0.5; done
  rm -rf "$tmp"
}
trap cleanup EXIT
cp "$repo/tests/editors/fixtures/sample.md" "$tmp/paper.md"
mkdir -p "$tmp/bin"
ln -s "$bin" "$tmp/bin/scitag"
HOME=$tmp SCITAG_TEST_DIR=$tmp PATH="$tmp/bin:$PATH" timeout 300 \
  emacs --batch -Q "${load_path[@]}" -l "$repo/editors/emacs/scitag.el" -l "$repo/tests/editors/emacs_test.el"
