#!/usr/bin/env bash
# Throughput and peak RSS of a SciBERT-base-shaped model with random weights (12 layers, 768 hidden,
# vocab 31,116; scripts/make_bert_base_model.py), int8 and fp32, against the Hugging Face pipeline on
# PyTorch with the same shapes (random weights too: speed only, F1 is meaningless). Keystroke latency
# for these models is in scripts/bench-keystroke.sh. See docs/PERFORMANCE.md.
#
#   scripts/bench-bert-base.sh                 # first 1,000 JNLPBA test sentences (whole abstracts)
#   LIMIT=0 scripts/bench-bert-base.sh         # the whole test set (slow: about 10 min of fp32)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x ../pyenv/bin/python ]]; then PYTHON=../pyenv/bin/python; else PYTHON=python3; fi
fi
OUT=${OUT:-target/bench}
BERT_BASE=${BERT_BASE:-/work/models-tmp/bert-base-random}
LIMIT=${LIMIT:-1000}
THREADS=${THREADS:-2}

if [[ ! -f "$BERT_BASE/fp32/model.onnx" || ! -f "$BERT_BASE/int8/model_quantized.onnx" ]]; then
    "$PYTHON" scripts/make_bert_base_model.py --out "$BERT_BASE"
fi
[[ -e .ort/lib/libonnxruntime.so ]] || scripts/setup-ort.sh
cargo build --release --quiet
mkdir -p "$OUT"
"$PYTHON" scripts/make_manuscript.py --out "$OUT/manuscript.md"
args=(--scitag target/release/scitag --manuscript "$OUT/manuscript.md" --out "$OUT/vs-hf-bert-base"
      --threads "$THREADS" --model "$BERT_BASE/int8" --extra-model "fp32=$BERT_BASE/fp32"
      --checkpoint "$BERT_BASE/fp32" --random-weights --skip-eval)
if [[ "$LIMIT" != 0 ]]; then args+=(--limit "$LIMIT"); fi
echo "uptime before: $(uptime)"
"$PYTHON" scripts/bench_vs_hf.py run "${args[@]}" "$@"
echo "uptime after: $(uptime)"
