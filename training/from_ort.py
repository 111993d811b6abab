"""Rebuild a trainable PyTorch checkpoint from a shipped model directory (its int8 ORT-format graph).

The chain that trains the built-in model (training/run.sh) keeps its fp32 checkpoints in ~/.cache/scitag;
on a machine without them, retraining the JNLPBA teacher and student takes hours, and a new student
would not be the shipped one. The shipped graph holds every weight: int8 matrices with per-channel
scales (dequantized here: the value int8 × scale is exactly what the int8 graph multiplies by), the
word, position and token-type embeddings as uint8 with one scale and zero point each, and the layer
norms, biases and classifier layers in fp32. So this script writes, from `model_quantized.ort`,
`config.json` and `tokenizer.json`:

- `--out/` in training/multitask.py's `best/` format: the encoder and `jnlpba` classifier as a
  BertForTokenClassification (model.safetensors, config.json, tokenizer.json), and, for a multi-head
  model, the branch and the other heads in heads.pt + heads.json. `multitask.py --frozen-base OUT`
  trains a new branch on the shipped encoder; `export_multitask.py --ckpt OUT` exports it again.

Quantizing the dequantized weights again gives the same int8 values and scales (per-channel symmetric
for the matrices: the largest |value| of a row is 127 × its scale; asymmetric uint8 for the embeddings:
the range is the grid's own ends), so the shared layers and the `jnlpba` head survive a re-export as
they were. `--check` compares the rebuilt PyTorch model's logits with the ORT graph's on JNLPBA dev
sentences.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# ONNX TensorProto data types the shipped graph uses
DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 6: np.int32, 7: np.int64, 9: np.bool_}
# /model/<layer.K | branch.K>/<module path>/MatMul_quant -> the Linear's parameter path
MATMUL = re.compile(r"^/model/(layer|branch)\.(\d+)/(.+)/MatMul_quant$")


def read_graph(path: Path):
    """The ORT-format graph: {initializer name: ndarray} and [(op, node name, inputs)]."""
    from onnxruntime.tools.ort_format_model.ort_flatbuffers_py.fbs import InferenceSession

    buf = path.read_bytes()
    graph = InferenceSession.InferenceSession.GetRootAsInferenceSession(buf, 0).Model().Graph()
    tensors = {}
    for i in range(graph.InitializersLength()):
        t = graph.Initializers(i)
        dtype = DTYPES.get(t.DataType())
        if dtype is None:
            continue
        dims = [t.Dims(j) for j in range(t.DimsLength())]
        raw = t.RawDataAsNumpy()
        data = np.frombuffer(raw.tobytes(), dtype=dtype) if isinstance(raw, np.ndarray) else np.zeros(0, dtype)
        tensors[t.Name().decode()] = data.reshape(dims).copy()
    nodes = []
    for i in range(graph.NodesLength()):
        n = graph.Nodes(i)
        nodes.append((n.OpType().decode(), n.Name().decode(), [n.Inputs(j).decode() for j in range(n.InputsLength())]))
    return tensors, nodes


def rebuild(model_dir: Path):
    """(BertForTokenClassification, {head: Linear state}, branch state or None, head label lists)."""
    from transformers import BertConfig, BertForTokenClassification

    tensors, nodes = read_graph(model_dir / "model_quantized.ort")
    config = BertConfig.from_pretrained(model_dir)
    tagger = BertForTokenClassification(config)
    scitag = json.loads((model_dir / "scitag.json").read_text())
    heads = {h["name"]: h for h in scitag.get("heads", [])}
    state: dict[str, torch.Tensor] = {}
    branch: dict[str, torch.Tensor] = {}
    extra: dict[str, dict[str, torch.Tensor]] = {}

    def put(target: dict, key: str, value: np.ndarray) -> None:
        if key in target:
            raise SystemExit(f"{key} found twice in the graph")
        target[key] = torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32))

    # the int8 matrices: dequantized, transposed to the Linear's [out, in]
    for op, name, inputs in nodes:
        if op != "MatMulInteger":
            continue
        m = MATMUL.match(name)
        if not m:
            raise SystemExit(f"an int8 product this script does not know: {name}")
        kind, k, module = m.group(1), int(m.group(2)), m.group(3).replace("/", ".")
        weight = inputs[1]
        if not weight.endswith("_quantized"):
            raise SystemExit(f"{name}: weight {weight} is not a quantized initializer")
        prefix = weight[: -len("_quantized")]
        q, scale = tensors[weight].astype(np.float32), tensors[prefix + "_scale"]
        zero = tensors.get(prefix + "_zero_point")
        if zero is not None and np.any(zero != 0):
            raise SystemExit(f"{name}: asymmetric weights are not expected")
        w = (q * scale[None, :]).T
        if kind == "layer":
            put(state, f"bert.encoder.layer.{k}.{module}.weight", w)
        else:
            put(branch, f"{k}.{module}.weight", w)
    # the classifier layers (fp32 MatMul + Add bias)
    for op, name, inputs in nodes:
        if op != "MatMul" or not name.endswith("/MatMul") or name.count("/") != 3:
            continue
        head = name.split("/")[2]
        w = tensors.get(inputs[1])
        if w is None:
            continue
        if head == "classifier":
            put(state, "classifier.weight", w.T)
        else:
            extra.setdefault(head, {})["weight"] = torch.from_numpy(np.ascontiguousarray(w.T, dtype=np.float32))
    # fp32 initializers that keep their PyTorch names: biases, layer norms, the heads' biases
    for key, value in tensors.items():
        if key.startswith("model.tagger.") and value.dtype == np.float32 and not key.endswith("_scale"):
            put(state, key[len("model.tagger."):], value)
        elif key.startswith("model.branch."):
            put(branch, key[len("model.branch."):], value)
        elif key.startswith("model.heads.") and key.endswith(".bias"):
            extra.setdefault(key.split(".")[2], {})["bias"] = torch.from_numpy(value.astype(np.float32))
    # the embeddings: uint8, one scale and zero point each
    for table in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        base = f"model.tagger.bert.embeddings.{table}.weight"
        q, scale, zero = tensors[base + "_quantized"], tensors[base + "_scale"], tensors[base + "_zero_point"]
        put(state, f"bert.embeddings.{table}.weight", (q.astype(np.float32) - float(zero)) * float(scale))

    expected = tagger.state_dict()
    missing = [k for k in expected if k not in state and not k.endswith("position_ids")
               and not k.endswith("token_type_ids")]
    unknown = [k for k in state if k not in expected]
    if missing or unknown:
        raise SystemExit(f"the graph does not match BertForTokenClassification: missing {missing[:8]}, "
                         f"unknown {unknown[:8]}")
    for k, v in state.items():
        if tuple(expected[k].shape) != tuple(v.shape):
            raise SystemExit(f"{k}: shape {tuple(v.shape)} in the graph, {tuple(expected[k].shape)} in the model")
    tagger.load_state_dict(state, strict=False)
    labels = {h: [spec["id2label"][str(i)] for i in range(len(spec["id2label"]))]
              for h, spec in heads.items() if "id2label" in spec}
    return tagger.eval(), extra, (branch or None), labels


def check(out: Path, model_dir: Path, data: Path, limit: int) -> None:
    """Max |logit difference| between the rebuilt PyTorch model (fp32) and the int8 ORT graph."""
    import onnxruntime as ort
    from common import read_conll
    from multitask import load_multihead
    from tokenizers import Tokenizer

    if (out / "heads.json").exists():
        model = load_multihead(out)
    else:  # a single-output model: its one head
        from transformers import BertForTokenClassification

        tagger = BertForTokenClassification.from_pretrained(out).eval()
        model = lambda ids, mask, types: {"jnlpba": tagger(input_ids=ids, attention_mask=mask,  # noqa: E731
                                                           token_type_ids=types).logits}
    sess = ort.InferenceSession(str(model_dir / "model_quantized.ort"), providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    worst: dict[str, float] = {}
    agree: dict[str, list[int]] = {}
    for s in read_conll(data / "jnlpba" / "dev.tsv")[:limit]:
        enc = tok.encode(" ".join(s.words))
        ids = np.array([enc.ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        got = dict(zip(names, sess.run(None, feeds)))
        with torch.no_grad():
            t = {k: torch.from_numpy(v) for k, v in feeds.items()}
            mine = model(t["input_ids"], t["attention_mask"], t["token_type_ids"])
        for head, logits in mine.items():
            name = "logits" if head == "jnlpba" else f"logits_{head}"
            a, b = logits.numpy()[0], got[name][0]
            worst[head] = max(worst.get(head, 0.0), float(np.abs(a - b).max()))
            same = agree.setdefault(head, [0, 0])
            same[0] += int((a.argmax(-1) == b.argmax(-1)).sum())
            same[1] += a.shape[0]
    for head in worst:
        print(f"{head}: max |PyTorch fp32 - ORT int8| {worst[head]:.4f}; argmax agrees on "
              f"{agree[head][0]}/{agree[head][1]} pieces")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", type=Path, default=HERE.parent / "models/biomed-minilm")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--check", type=int, default=0, metavar="N", help="compare logits on N JNLPBA dev sentences")
    ap.add_argument("--data", type=Path, default=HERE.parents[1] / "shared/data")
    args = ap.parse_args()
    torch.set_num_threads(2)
    from multitask import HEADS

    tagger, extra, branch, labels = rebuild(args.model_dir)
    tmp = args.out.with_name(args.out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tagger.save_pretrained(tmp)
    shutil.copy(args.model_dir / "tokenizer.json", tmp / "tokenizer.json")
    if extra:
        for head, spec in extra.items():
            if head not in HEADS:
                raise SystemExit(f"head {head} is not one of multitask.py's {list(HEADS)}")
            if head in labels and labels[head] != HEADS[head][1]:
                raise SystemExit(f"head {head}: labels {labels[head]} are not multitask.py's {HEADS[head][1]}")
        saved = dict(extra)
        meta = {h: HEADS[h][1] for h in HEADS}
        if branch:
            layers = {int(k.split(".")[0]) for k in branch}
            saved["_branch"] = branch
            meta["_branch_layers"] = len(layers)
        meta["_from_ort"] = str(args.model_dir)
        torch.save(saved, tmp / "heads.pt")
        (tmp / "heads.json").write_text(json.dumps(meta, indent=1) + "\n")
    shutil.rmtree(args.out, ignore_errors=True)
    tmp.rename(args.out)
    print(f"wrote {args.out} ({sum(p.numel() for p in tagger.parameters()):,} parameters in the encoder and "
          f"classifier; heads {sorted(extra)}; branch {'yes' if branch else 'no'})")
    if args.check:
        check(args.out, args.model_dir, args.data, args.check)


if __name__ == "__main__":
    main()
