"""Export the teacher (training/teacher.py's best epoch) as a scitag model directory, for `--model`.

    python training/export_teacher.py [--ckpt ~/.cache/scitag/teacher/best] [--out ~/.cache/scitag/jnlpba-mpnet]

Writes model.onnx (fp32, opset 17, legacy exporter), model_quantized.onnx (onnxruntime dynamic int8,
per-channel, classifier kept in fp32, as the default model), config.json (id2label), tokenizer.json,
tokenizer_config.json (model_max_length 512: MPNet reserves two of its 514 positions) and scitag.json
(Viterbi decoding, first-piece aggregation, context windows of 128 pieces as it was trained). scitag
picks model_quantized.onnx when both are there; move it away to run fp32. ONNX fp32 logits are
checked against PyTorch on one window.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

import numpy as np
import torch

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "scitag"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", type=Path, default=CACHE / "teacher/best")
    ap.add_argument("--out", type=Path, default=CACHE / "jnlpba-mpnet")
    ap.add_argument("--temperature", type=float, default=None, help="softmax temperature for scitag.json")
    args = ap.parse_args()
    from transformers import MPNetForTokenClassification
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    import onnxruntime as ort

    model = MPNetForTokenClassification.from_pretrained(args.ckpt).eval()
    args.out.mkdir(parents=True, exist_ok=True)
    fp32 = args.out / "model.onnx"
    int8 = args.out / "model_quantized.onnx"
    dummy = (torch.tensor([[0, 7592, 2088, 2]]), torch.ones(1, 4, dtype=torch.long))
    torch.onnx.export(
        model, dummy, str(fp32), input_names=["input_ids", "attention_mask"], output_names=["logits"],
        opset_version=17, dynamo=False,
        dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ("input_ids", "attention_mask", "logits")},
    )
    onnx.checker.check_model(str(fp32))
    classifier = [n.name for n in onnx.load(str(fp32)).graph.node
                  if n.op_type in ("MatMul", "Gemm") and n.name.startswith("/classifier/")]
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                     nodes_to_exclude=classifier)
    with torch.no_grad():
        ref = model(*dummy).logits.numpy()
    got = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"]).run(
        ["logits"], {"input_ids": dummy[0].numpy(), "attention_mask": dummy[1].numpy()})[0]
    print(f"ONNX fp32 vs PyTorch max |diff| {np.abs(ref - got).max():.2e}")
    shutil.copy(args.ckpt / "config.json", args.out / "config.json")
    shutil.copy(args.ckpt / "tokenizer.json", args.out / "tokenizer.json")
    (args.out / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 512}) + "\n")
    recommendations = {"name": "jnlpba-mpnet", "decode": "viterbi", "aggregation": "first",
                       "context": {"max_tokens": 128}}
    if args.temperature:
        recommendations["temperature"] = args.temperature
    (args.out / "scitag.json").write_text(json.dumps(recommendations, indent=2) + "\n")
    print(f"wrote {args.out}: fp32 {fp32.stat().st_size / 1e6:.0f} MB, int8 {int8.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
