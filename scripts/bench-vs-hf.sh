#!/usr/bin/env bash
# scitag vs the Hugging Face token-classification pipeline, in one run on this machine: words/s, peak RSS
# and span micro F1 on the JNLPBA test set, and words/s on a 20k-word Markdown manuscript. See
# docs/PERFORMANCE.md. Prints numbers; never fails on a missed goal.
#
#   scripts/bench-vs-hf.sh                       # default model (embedded) vs training/out/best
#   CHECKPOINT=DIR MODEL=DIR scripts/bench-vs-hf.sh [extra bench_vs_hf.py run options, e.g. --limit 500]
#
# Environment: PYTHON (a Python with torch, transformers, seqeval, onnxruntime, tokenizers; default ../pyenv/bin/python if present,
# else python3), CHECKPOINT (fine-tuned PyTorch checkpoint; default training/out/best, see training/README.md),
# MODEL (scitag model directory; default: the model built into the binary), OUT (default target/bench),
# THREADS (default 2: ONNX Runtime intra-op threads and torch threads).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x ../pyenv/bin/python ]]; then PYTHON=../pyenv/bin/python; else PYTHON=python3; fi
fi
CHECKPOINT=${CHECKPOINT:-training/out/best}
OUT=${OUT:-target/bench}
THREADS=${THREADS:-2}

[[ -e .ort/lib/libonnxruntime.so ]] || scripts/setup-ort.sh
cargo build --release --quiet
mkdir -p "$OUT"
"$PYTHON" scripts/make_manuscript.py --out "$OUT/manuscript.md"

args=(--scitag target/release/scitag --manuscript "$OUT/manuscript.md" --out "$OUT/vs-hf" --threads "$THREADS")
if [[ -n "${MODEL:-}" ]]; then args+=(--model "$MODEL"); fi
# The Python onnxruntime peer runs the very model file scitag runs.
peer_model=${MODEL:-models/biomed-minilm}
for file in "$peer_model"/model_quantized.ort "$peer_model"/model_quantized.onnx "$peer_model"/model.onnx; do
    if [[ -f "$file" ]]; then args+=(--onnx "$file"); break; fi
done
if [[ -d "$CHECKPOINT" ]]; then
    args+=(--checkpoint "$CHECKPOINT")
else
    echo "bench-vs-hf: no checkpoint at $CHECKPOINT (run training/run.sh or set CHECKPOINT); HF side skipped" >&2
fi
# The fp32 ONNX export of the same checkpoint, when training/ left it: a like-for-like row without int8.
if [[ -z "${MODEL:-}" && -f training/out/export/model.onnx && -f models/biomed-minilm/config.json ]]; then
    fp32="$OUT/jnlpba-minilm-fp32"
    mkdir -p "$fp32"
    for file in models/biomed-minilm/*; do
        case "$(basename "$file")" in *.onnx | *.ort | *.md) ;; *) ln -sf "$PWD/$file" "$fp32/" ;; esac
    done
    ln -sf "$PWD/training/out/export/model.onnx" "$fp32/model.onnx"
    args+=(--extra-model "fp32=$fp32")
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
echo "uptime before: $(uptime)"
"$PYTHON" scripts/bench_vs_hf.py run "${args[@]}" "$@"
echo "uptime after: $(uptime)"
