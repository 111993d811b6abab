#!/usr/bin/env python3
"""Write tests/fixtures/tiny-multihead/: the tiny fixture model with two more heads, one ONNX graph.

The multi-task default model (training/multitask.py, training/export_multitask.py) is one encoder with
one classification head per label set and one logits output per head. This fixture has that shape at
test size, so the engine's multi-head path (several outputs, per-head decoding, the overlap rule) is
tested fast and exactly:

- the encoder and the `jnlpba` head are tests/fixtures/tiny-model's weights, unchanged, on the output
  `logits` (so with only that head the fixture tags exactly as tiny-model does);
- `chemdis`: random head, labels O, B-/I-chemical, B-/I-disease, output `logits_chemdis`;
- `species`: random head, labels O, B-/I-species, output `logits_species`;
- scitag.json declares the three heads (the format of docs/ENGINE.md); config.json's id2label is the
  `jnlpba` head's, so tools that only know one output still read the model.

Run after scripts/make_fixture_model.py (it reads tiny-model/model.safetensors):
    python scripts/make_multihead_fixture.py
Deterministic (fixed seed).
"""

import argparse
import json
import os
import shutil

import numpy as np
import torch
from transformers import BertForTokenClassification

HEADS = {
    "chemdis": ["O", "B-chemical", "I-chemical", "B-disease", "I-disease"],
    "species": ["O", "B-species", "I-species"],
}


class MultiHeadLogits(torch.nn.Module):
    def __init__(self, model, heads):
        super().__init__()
        self.bert = model.bert
        self.jnlpba = model.classifier
        self.heads = torch.nn.ModuleDict(heads)

    def forward(self, input_ids, attention_mask, token_type_ids):
        hidden = self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        return (self.jnlpba(hidden),) + tuple(self.heads[name](hidden) for name in HEADS)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", default=os.path.join(root, "tests/fixtures/tiny-model"))
    parser.add_argument("--out", default=os.path.join(root, "tests/fixtures/tiny-multihead"))
    args = parser.parse_args()

    torch.manual_seed(7)
    model = BertForTokenClassification.from_pretrained(args.tiny).eval()
    hidden = model.config.hidden_size
    heads = {}
    for name, labels in HEADS.items():
        layer = torch.nn.Linear(hidden, len(labels))
        with torch.no_grad():
            layer.weight.mul_(60.0)
            layer.bias.zero_()
            layer.bias[0] = 2.5  # mostly "O", so the heads' entities are sparse and sometimes overlap
        heads[name] = layer
    wrapper = MultiHeadLogits(model, heads).eval()

    os.makedirs(args.out, exist_ok=True)
    for name in ("tokenizer.json", "tokenizer_config.json", "config.json"):
        shutil.copy(os.path.join(args.tiny, name), os.path.join(args.out, name))
    outputs = ["logits"] + [f"logits_{name}" for name in HEADS]
    ids = torch.tensor([[2, 100, 200, 300, 3]])
    sample = (ids, torch.ones_like(ids), torch.zeros_like(ids))
    onnx_path = os.path.join(args.out, "model.onnx")
    dynamic = {name: {0: "batch", 1: "sequence"} for name in ["input_ids", "attention_mask", "token_type_ids"] + outputs}
    torch.onnx.export(
        wrapper,
        sample,
        onnx_path,
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=outputs,
        dynamic_axes=dynamic,
        opset_version=17,
        dynamo=False,
    )
    wrapper.eval()

    import onnxruntime

    session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    feed = dict(zip(("input_ids", "attention_mask", "token_type_ids"), (t.numpy() for t in sample)))
    got = session.run(outputs, feed)
    with torch.no_grad():
        want = [t.numpy() for t in wrapper(*sample)]
    delta = max(float(np.abs(a - b).max()) for a, b in zip(got, want))
    if delta > 1e-4:
        raise SystemExit(f"ONNX and torch disagree: max |delta| = {delta}")

    jnlpba = [model.config.id2label[i] for i in range(model.config.num_labels)]
    scitag = {
        "name": "tiny-multihead",
        "heads": [{"name": "jnlpba", "output": "logits", "labels": jnlpba}]
        + [{"name": name, "output": f"logits_{name}", "labels": labels} for name, labels in HEADS.items()],
    }
    with open(os.path.join(args.out, "scitag.json"), "w", encoding="utf-8") as handle:
        handle.write(json.dumps(scitag, indent=2) + "\n")
    with open(os.path.join(args.out, "README.md"), "w", encoding="utf-8") as handle:
        handle.write(
            "# tiny-multihead (test fixture)\n\n"
            "tests/fixtures/tiny-model's random encoder and JNLPBA head (output `logits`) with two more random\n"
            "heads in the same ONNX graph: `chemdis` (chemical, disease; output `logits_chemdis`) and `species`\n"
            "(output `logits_species`), declared in `scitag.json`. Its predictions are meaningless; it exists so\n"
            "tests can run the multi-head engine end to end. Made by `scripts/make_multihead_fixture.py`.\n"
        )
    sizes = {name: os.path.getsize(os.path.join(args.out, name)) for name in sorted(os.listdir(args.out))}
    print(json.dumps({"out": args.out, "onnx_vs_torch_max_abs": delta, "files": sizes}, indent=1))


if __name__ == "__main__":
    main()
