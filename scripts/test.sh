#!/usr/bin/env bash
# The whole scitag test suite, from a clean clone on a fresh machine (Rust, Python 3.11 + pip, Node 20).
# Reads the NER corpora from ../shared/data when present (as in CI); tests that need them say so and skip
# with a message otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*" >&2; }

step "ONNX Runtime (PyPI wheel -> .ort/lib)"
scripts/setup-ort.sh

step "format and lints"
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings

step "build (release)"
cargo build --locked --release

step "consumers of scitag's output (SARIF Multitool, from npm)"
eval "$(scripts/setup-consumers.sh)"

step "Rust tests (unit, golden parity, prose properties, language server end to end, CLI with real consumers)"
cargo test --locked --release

step "Neovim 0.11 headless end-to-end test"
tests/editors/nvim.sh

step "Emacs 28 + eglot 1.9 end-to-end test (a glossary code action)"
tests/editors/emacs.sh

step "VS Code extension: install, lint, build, package"
editors/vscode/scripts/ci.sh

step "HTML export in headless Chromium (no network request; screenshot artifacts/exports/html.png)"
tests/exports/html.sh

step "Batch tagging as a Ray Data map step (examples/batch/ray_tag.py; equals one direct run)"
tests/batch/ray.sh

step "all tests passed"
