"""Markdown evaluation table from training/out/history.json and training/out/export/eval.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
out = Path(sys.argv[1]) if len(sys.argv) > 1 else here / "out"
hist = json.loads((out / "history.json").read_text())
ev = json.loads((out / "export/eval.json").read_text())

print("Training run (dev only; span micro F1, argmax, PyTorch fp32):\n")
print("| epoch | steps | dev F1 (context windows) | dev F1 (single sentences) | elapsed |")
print("|---|---|---|---|---|")
for h in hist["history"]:
    print(f"| {h['epochs_done']:.2f} | {h['step']} | {h['dev_f1_context_argmax']:.4f} | "
          f"{h['dev_f1_single_argmax']:.4f} | {h['elapsed_s'] / 60:.0f} min |")

rows = {}
for r in ev["rows"]:
    rows.setdefault((r["backend"], r["context"], r["decode"]), {})[r["split"]] = r
ch = ev["chosen"]
print("\nInference variants of the selected checkpoint (span micro F1 and word-level F1; chosen on dev):\n")
print("| backend | context at inference | decode | dev F1 | test F1 | test word-level F1 |")
print("|---|---|---|---|---|---|")
for (backend, ctx, dec), s in rows.items():
    mark = " **(shipped)**" if backend == "onnx-int8" and ctx == ch["context"] and dec == ch["decode"] else ""
    ctxs = "single sentences" if ctx == 0 else f"windows ≤ {ctx} pieces"
    print(f"| {backend}{mark} | {ctxs} | {dec} | {s['dev']['f1']:.4f} | {s['test']['f1']:.4f} | "
          f"{s['test']['word_f1']:.4f} |")
print(f"\nlow-confidence threshold: {ev['threshold']}; bins: {ev['threshold_bins']}; "
      f"quantiles: {ev['score_quantiles']}")
print(f"int8 {ev['int8_bytes'] / 1e6:.1f} MB, fp32 {ev['fp32_bytes'] / 1e6:.1f} MB")
