#!/usr/bin/env bash
# Keystroke latency, time to first tokens and peak RSS of `scitag lsp` on the 20k-word manuscript
# (scripts/bench_keystroke.py), for the default model and, when present, the SciBERT-base-shaped
# random-weight models (fp32 and int8) written by scripts/make_bert_base_model.py; then the plot.
# See docs/PERFORMANCE.md. Prints numbers; never fails on a missed goal.
#
#   scripts/bench-keystroke.sh
#   EDITS=200 BERT_BASE=/work/models-tmp/bert-base-random OUT=target/bench scripts/bench-keystroke.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x ../pyenv/bin/python ]]; then PYTHON=../pyenv/bin/python; else PYTHON=python3; fi
fi
OUT=${OUT:-target/bench}
EDITS=${EDITS:-200}
BERT_BASE=${BERT_BASE:-/work/models-tmp/bert-base-random}
PLOT=${PLOT:-$OUT/keystroke-latency.png}

[[ -e .ort/lib/libonnxruntime.so ]] || scripts/setup-ort.sh
cargo build --release --quiet
mkdir -p "$OUT"
"$PYTHON" scripts/make_manuscript.py --out "$OUT/manuscript.md"

results=()
run() { # label, output name, extra args
    local label=$1 name=$2
    shift 2
    echo "uptime before $name: $(uptime)"
    "$PYTHON" scripts/bench_keystroke.py --manuscript "$OUT/manuscript.md" --edits "$EDITS" \
        --label "$label" --out "$OUT/keystroke-$name.json" "$@"
    results+=("$OUT/keystroke-$name.json")
}

if [[ -n "${MODEL:-}" ]]; then
    run "${LABEL:-$(basename "$MODEL")}" custom --model "$MODEL"
else
    run "jnlpba-minilm int8 (default)" default
fi
if [[ -d "$BERT_BASE/int8" && -d "$BERT_BASE/fp32" ]]; then
    run "SciBERT-base shape int8 (random)" bert-base-int8 --model "$BERT_BASE/int8"
    run "SciBERT-base shape fp32 (random)" bert-base-fp32 --model "$BERT_BASE/fp32"
else
    echo "bench-keystroke: no $BERT_BASE/{fp32,int8} (scripts/make_bert_base_model.py --out $BERT_BASE); skipped" >&2
fi
"$PYTHON" scripts/bench_plot.py --out "$PLOT" "${results[@]}" || echo "bench-keystroke: plot failed (matplotlib?)" >&2
echo "uptime after: $(uptime)"
