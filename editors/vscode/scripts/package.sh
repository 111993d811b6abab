#!/usr/bin/env bash
# Builds a platform .vsix that bundles the scitag binary (with its embedded default model) and ONNX
# Runtime, so installing the .vsix is all a user does.
#
#   editors/vscode/scripts/package.sh [--target linux-x64] [--out FILE]
#
# Environment:
#   SCITAG_BIN   the server binary to bundle (default: target/release/scitag)
#   ORT_LIB_DIR  the directory holding libonnxruntime.so* (default: .ort/lib, from scripts/setup-ort.sh)
# Needs `npm ci` run in editors/vscode first. Prints the path of the .vsix.
set -euo pipefail

extension=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$(cd "$extension/../.." && pwd)

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=linux-x64 ;;
  Linux-aarch64) target=linux-arm64 ;;
  Darwin-arm64) target=darwin-arm64 ;;
  Darwin-x86_64) target=darwin-x64 ;;
  *) target="" ;;
esac
out=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --target) target=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "package.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ -z $target ]]; then
  echo "package.sh: cannot tell the platform; pass --target (linux-x64, linux-arm64, darwin-arm64, ...)" >&2
  exit 2
fi

bin=${SCITAG_BIN:-$repo/target/release/scitag}
ort_dir=${ORT_LIB_DIR:-$repo/.ort/lib}
if [[ ! -x $bin ]]; then
  echo "package.sh: no scitag binary at $bin; run 'cargo build --release' or set SCITAG_BIN" >&2
  exit 1
fi
# The names scitag's loader asks for (src/ner/runtime.rs LIBRARY_NAME), plus the shared providers
# library that ONNX Runtime may open next to itself. Symlinks are copied as files: a .vsix keeps none.
ort_names=(libonnxruntime.so.1 libonnxruntime_providers_shared.so libonnxruntime.dylib)
ort_libs=()
for name in "${ort_names[@]}"; do
  [[ -e $ort_dir/$name ]] && ort_libs+=("$ort_dir/$name")
done
if [[ ! -e $ort_dir/libonnxruntime.so.1 && ! -e $ort_dir/libonnxruntime.dylib ]]; then
  echo "package.sh: no libonnxruntime.so.1 in $ort_dir; run scripts/setup-ort.sh or set ORT_LIB_DIR" >&2
  exit 1
fi

cd "$extension"
version=$(node -p "require('./package.json').version")
out=${out:-$extension/scitag-$target-$version.vsix}

# server/ holds what the extension starts: scitag finds libonnxruntime next to its executable.
rm -rf server
mkdir -p server
cp "$bin" server/scitag
chmod 755 server/scitag
# Release builds keep line tables for backtraces (Cargo.toml); users do not need them: 56 MB -> 9 MB.
if [[ $target == linux-* ]] && command -v strip >/dev/null; then
  strip server/scitag
fi
for lib in "${ort_libs[@]}"; do
  cp -L "$lib" server/
done
chmod 755 server/*

node esbuild.mjs --production
npx --no-install vsce package \
  --target "$target" \
  --no-dependencies \
  --no-rewrite-relative-links \
  --allow-missing-repository \
  --skip-license \
  --out "$out" >&2
# What a user needs must be inside: the server, ONNX Runtime (scitag embeds the default model).
python3 - "$out" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
needed = ["extension/dist/extension.js", "extension/server/scitag", "extension/package.json"]
missing = [n for n in needed if n not in names]
if not any(n.startswith("extension/server/libonnxruntime") for n in names):
    missing.append("extension/server/libonnxruntime*")
if missing:
    sys.exit(f"package.sh: {sys.argv[1]} lacks {', '.join(missing)}")
PY
ls -l server >&2
echo "$out"
