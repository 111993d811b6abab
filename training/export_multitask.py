"""Export the multi-task model (training/multitask.py) to one ONNX graph with one logits output per head,
quantize it to int8, evaluate every head on its corpus, and write the model directory.

Steps (choices on the dev splits; the test splits are only reported):
1. PyTorch: per head, dev and test span micro F1 (seqeval) for argmax and Viterbi (hard IOB2
   constraint), single sentences and windows of neighbouring sentences up to 128 pieces;
2. ONNX export (opset 17, legacy exporter, outputs `logits` for `jnlpba` and `logits_<head>` for the
   others), onnxruntime dynamic int8 (per-channel weights, the classifier layers in fp32), ORT format;
   fp32 and int8 F1 on the chosen configuration;
3. per head a softmax temperature fitted on dev (the lowest expected calibration error of entity scores,
   10 bins, a prediction right when it matches a gold span exactly), ECE before and after;
4. the model directory: model_quantized.ort, tokenizer.json, config.json (id2label = the `jnlpba` head),
   scitag.json with `heads` (docs/ENGINE.md), and --work/eval.json with every number.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import entities_with_scores, pack_windows, read_conll, read_docs, tokenize_sentences  # noqa: E402
from export import swap_in, write_ort_format  # noqa: E402
from multitask import CACHE, HEADS, head_label, load_multihead  # noqa: E402
from train import collate, load_tokenizer, make_batches  # noqa: E402

TEMPERATURES = [0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.5, 3.0]


def output_name(head: str) -> str:
    return "logits" if head == "jnlpba" else f"logits_{head}"


def load_split(data: Path, head: str, split: str, tok, limit: int | None):
    corpus = HEADS[head][0]
    sents = read_conll(data / corpus / f"{split}.tsv")
    docs = read_docs(data / corpus / f"{split}.docs.tsv", len(sents))
    if corpus != "jnlpba":
        docs = [(i, min(8, len(sents) - i)) for i in range(0, len(sents), 8)]
    if limit:
        sents = sents[:limit]
        docs = [(f, min(n, limit - f)) for f, n in docs if f < limit]
    gold = [[head_label(head, l) for l in s.labels] for s in sents]
    for s in sents:
        s.labels = ["O"] * len(s.words)
    tokenize_sentences(sents, tok, 100)
    return sents, docs, gold


def constraints(labels):
    n = len(labels)
    start = np.array([0.0 if not l.startswith("I-") else -1e4 for l in labels])
    trans = np.zeros((n, n))
    for j, lj in enumerate(labels):
        if lj.startswith("I-"):
            for i, li in enumerate(labels):
                if li not in ("B-" + lj[2:], lj):
                    trans[i, j] = -1e4
    return start, trans


def viterbi(lp, start, trans):
    T, _ = lp.shape
    score = lp[0] + start
    back = np.zeros(lp.shape, dtype=np.int64)
    for t in range(1, T):
        cand = score[:, None] + trans
        back[t] = cand.argmax(axis=0)
        score = cand.max(axis=0) + lp[t]
    path = [int(score.argmax())]
    for t in range(T - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def decode(windows, word_logits, n_sents, n_words, labels, mode, temperature=1.0):
    """Labels and chosen-label probabilities per sentence; Viterbi per sentence inside a window."""
    start, trans = constraints(labels)
    preds = [["O"] * n_words[i] for i in range(n_sents)]
    probs = [[1.0] * n_words[i] for i in range(n_sents)]
    for w, lg in zip(windows, word_logits):
        z = lg.astype(np.float64) / temperature
        lp = z - z.max(-1, keepdims=True)
        lp = lp - np.log(np.exp(lp).sum(-1, keepdims=True))
        if mode == "argmax":
            path = lp.argmax(-1).tolist()
        else:
            path, i = [], 0
            while i < len(w.words):
                j = i
                while j < len(w.words) and w.words[j][0] == w.words[i][0]:
                    j += 1
                path.extend(viterbi(lp[i:j], start, trans))
                i = j
        for (si, wi), y, row in zip(w.words, path, lp):
            preds[si][wi] = labels[y]
            probs[si][wi] = math.exp(row[y])
    return preds, probs


def ece(preds, probs, gold) -> float:
    g = {x[:4] for x in entities_with_scores(gold, [[1.0] * len(x) for x in gold])}
    scored = [(e[4], e[:4] in g) for e in entities_with_scores(preds, probs)]
    if not scored:
        return 0.0
    total = 0.0
    for k in range(10):
        lo, hi = k / 10, (k + 1) / 10
        sel = [(s, ok) for s, ok in scored if lo <= s < hi or (k == 9 and s == 1.0)]
        if sel:
            total += len(sel) / len(scored) * abs(np.mean([s for s, _ in sel]) - np.mean([ok for _, ok in sel]))
    return float(total)


@torch.no_grad()
def torch_logits(model, windows, head):
    model.eval()
    out = [None] * len(windows)
    for batch in make_batches(windows, 64, None):
        ids, mask, tt, _ = collate(windows, batch, False)
        logits = model(ids, mask, tt)[head].float().numpy()
        for r, i in enumerate(batch):
            out[i] = logits[r, windows[i].first_pos]
    return out


def ort_logits(session, windows, head):
    out = [None] * len(windows)
    for batch in make_batches(windows, 32, None):
        ids, mask, tt, _ = collate(windows, batch, False)
        logits = session.run([output_name(head)], {"input_ids": ids.numpy(), "attention_mask": mask.numpy(),
                                                   "token_type_ids": tt.numpy()})[0]
        for r, i in enumerate(batch):
            out[i] = logits[r, windows[i].first_pos]
    return out


class Exported(torch.nn.Module):
    """The heads as a tuple in the exported order (torch.onnx wants tuples, not dicts)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        out = self.model(input_ids, attention_mask, token_type_ids)
        return tuple(out[h] for h in HEADS)


def main() -> None:
    from seqeval.metrics import classification_report, f1_score

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=HERE.parents[1] / "shared/data")
    ap.add_argument("--ckpt", type=Path, default=CACHE / "multitask/best")
    ap.add_argument("--work", type=Path, default=CACHE / "multitask/export")
    ap.add_argument("--model-dir", type=Path, default=HERE.parent / "models/biomed-minilm")
    ap.add_argument("--name", default="biomed-minilm")
    ap.add_argument("--limit", type=int, default=None, help="smoke test: sentences per split")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--config", default=None, metavar="CONTEXT:DECODE",
                    help="use this configuration instead of the best mean dev F1 (e.g. 0:viterbi, the shipped "
                         "JNLPBA student's, when its encoder is frozen in the model)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    args.work.mkdir(parents=True, exist_ok=True)
    logf = open(args.work / "export.log", "a", encoding="utf-8")
    t0 = time.time()

    def say(msg):
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    tok = load_tokenizer(args.ckpt)
    model = load_multihead(args.ckpt)

    splits = {(h, s): load_split(args.data, h, s, tok, args.limit) for h in HEADS for s in ("dev", "test")}
    rows = []
    cache = {}

    def run(engine, logits_fn, contexts, modes):
        for (h, split), (sents, docs, gold) in splits.items():
            n_words = [len(s.words) for s in sents]
            for ctx in contexts:
                wins = pack_windows(sents, docs, ctx if ctx else 512, bool(ctx))
                lg = logits_fn(wins, h)
                for mode in modes:
                    preds, probs = decode(wins, lg, len(sents), n_words, HEADS[h][1], mode)
                    f1 = float(f1_score(gold, preds))
                    rows.append({"engine": engine, "head": h, "split": split, "context": ctx, "decode": mode,
                                 "f1": round(f1, 4)})
                    cache[(engine, h, split, ctx, mode)] = (wins, lg, preds, probs)
                    say(f"{engine} {h} {split} context {ctx} {mode}: span F1 {f1:.4f}")

    run("pytorch", lambda w, h: torch_logits(model, w, h), [0, 128], ["argmax", "viterbi"])
    # one configuration for every head (one graph, one window policy), chosen by the mean dev F1
    configs = {(r["context"], r["decode"]) for r in rows}
    mean_dev = {c: np.mean([r["f1"] for r in rows if r["split"] == "dev" and (r["context"], r["decode"]) == c])
                for c in configs}
    ctx, dec = max(mean_dev, key=lambda c: (mean_dev[c], -c[0]))
    if args.config:
        ctx, dec = int(args.config.split(":")[0]), args.config.split(":")[1]
        say(f"configuration given: context {ctx} decode {dec} (mean dev {mean_dev[(ctx, dec)]:.4f})")
    else:
        say(f"chosen on dev (mean over heads): context {ctx} decode {dec} ({mean_dev[(ctx, dec)]:.4f})")

    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = args.work / "model.onnx"
    int8 = args.work / "model_quantized.onnx"
    dummy = (torch.tensor([[101, 7592, 2088, 102]]), torch.ones(1, 4, dtype=torch.long),
             torch.zeros(1, 4, dtype=torch.long))
    outputs = [output_name(h) for h in HEADS]
    torch.onnx.export(
        Exported(model), dummy, str(fp32), input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=outputs, opset_version=17, dynamo=False,
        dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ["input_ids", "attention_mask", "token_type_ids", *outputs]},
    )
    model.eval()
    onnx.checker.check_model(str(fp32))
    # the heads are the matrix products that make the outputs (through the bias Add)
    graph = onnx.load(str(fp32)).graph
    producer = {o: n for n in graph.node for o in n.output}
    initializers = {i.name for i in graph.initializer}
    classifiers = []
    for out in graph.output:
        node = producer[out.name]
        while node.op_type in ("Add", "Identity"):
            node = producer[next(i for i in node.input if i not in initializers and i in producer)]
        if node.op_type not in ("MatMul", "Gemm"):
            raise SystemExit(f"output {out.name} is not made by a matrix product ({node.op_type})")
        classifiers.append(node.name)
    say(f"classifier nodes kept in fp32: {classifiers}")
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True, nodes_to_exclude=classifiers)
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    sessions = {name: ort.InferenceSession(str(p), so, providers=["CPUExecutionProvider"])
                for name, p in (("onnx-fp32", fp32), ("onnx-int8", int8))}
    with torch.no_grad():
        ref = model(*dummy)
    got = sessions["onnx-fp32"].run(outputs, {"input_ids": dummy[0].numpy(), "attention_mask": dummy[1].numpy(),
                                              "token_type_ids": dummy[2].numpy()})
    diff = max(float(np.abs(ref[h].numpy() - g).max()) for h, g in zip(HEADS, got))
    say(f"ONNX fp32 vs PyTorch max |diff| over heads {diff:.2e}")
    for name, sess in sessions.items():
        run(name, lambda w, h, s=sess: ort_logits(s, w, h), [ctx], [dec])

    # temperatures per head on dev (int8, the chosen configuration)
    heads_json = []
    calibration = {}
    reports = {}
    for h in HEADS:
        sents, docs, gold = splits[(h, "dev")]
        wins, lg, _, _ = cache[("onnx-int8", h, "dev", ctx, dec)]
        n_words = [len(s.words) for s in sents]
        eces = {t: ece(*decode(wins, lg, len(sents), n_words, HEADS[h][1], dec, t), gold) for t in TEMPERATURES}
        best = min(eces, key=eces.get)
        calibration[h] = {"ece_by_temperature": {str(t): round(e, 4) for t, e in eces.items()}, "temperature": best}
        say(f"{h}: dev ECE at T=1 {eces[1.0]:.4f}, at T={best} {eces[best]:.4f}")
        tsents, _, tgold = splits[(h, "test")]
        reports[h] = classification_report(tgold, cache[("onnx-int8", h, "test", ctx, dec)][2], digits=4)
        say(f"{h} int8 test report:\n{reports[h]}")
        heads_json.append({"name": h, "output": output_name(h), "labels": HEADS[h][1], "temperature": best})

    # model directory, staged and swapped in whole (build.rs embeds it)
    final = args.model_dir
    md = final.with_name(final.name + ".staging")
    shutil.rmtree(md, ignore_errors=True)
    md.mkdir(parents=True)
    if (final / "MODEL_CARD.md").exists():
        shutil.copy(final / "MODEL_CARD.md", md / "MODEL_CARD.md")
    write_ort_format(int8, md / "model_quantized.ort")
    tok.save(str(md / "tokenizer.json"))
    cfg = json.loads((args.ckpt / "config.json").read_text())
    labels = HEADS["jnlpba"][1]
    cfg["id2label"] = {str(i): l for i, l in enumerate(labels)}
    cfg["label2id"] = {l: i for i, l in enumerate(labels)}
    (md / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    # The heads' order is the overlap rule's tie-break (docs/ENGINE.md): a species beats a chemical or a
    # disease on the same words (chosen on the dev sets through the whole pipeline).
    priority = ["jnlpba", "linnaeus", "bc5cdr", "ncbi"]
    heads_json.sort(key=lambda head: priority.index(head["name"]) if head["name"] in priority else len(priority))
    scitag = {"name": args.name, "decode": "viterbi" if dec == "viterbi" else "pipeline", "aggregation": "first",
              "temperature": heads_json[0]["temperature"], "heads": heads_json}
    if ctx:
        scitag["context"] = {"max_tokens": ctx - 2}
    (md / "scitag.json").write_text(json.dumps(scitag, indent=2) + "\n")
    result = {"chosen": {"context": ctx, "decode": dec}, "rows": rows, "calibration": calibration,
              "test_reports_int8": reports, "int8_bytes": int8.stat().st_size, "fp32_bytes": fp32.stat().st_size,
              "onnx_vs_torch_max_diff": diff, "elapsed_s": round(time.time() - t0)}
    (args.work / "eval.json").write_text(json.dumps(result, indent=1) + "\n")
    swap_in(md, final)
    say(f"model dir written to {final}; int8 {int8.stat().st_size / 1e6:.1f} MB; {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
