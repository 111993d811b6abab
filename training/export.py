"""Evaluate the fine-tuned checkpoint, export it to ONNX (+ dynamic int8), and write the model directory.

Steps (all decisions on dev.tsv; test.tsv is only reported):
1. transitions.json from training label bigrams;
2. PyTorch logits on dev/test for single sentences and context windows of several sizes; decode with
   argmax, Viterbi (hard IOB2 constraint) and Viterbi + learned transitions;
3. choose (context size, decode) by dev span micro F1;
4. ONNX export (opset 17, legacy exporter) and onnxruntime dynamic int8 quantization; fp32 vs int8 F1;
5. low-confidence threshold from the dev score distribution;
6. write the model directory --model-dir (the int8 model converted to ONNX Runtime's ORT format, tokenizer.json,
   config.json, transitions.json, scitag.json, eval.json, MODEL_CARD.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    LABELS,
    decode_windows,
    entities_with_scores,
    estimate_transitions,
    gold_entities,
    load_split,
    pack_windows,
    read_conll,
    report,
    span_f1,
    word_accuracy_f1,
)
from train import collate, load_tokenizer, make_batches, predict_word_logits  # noqa: E402

DECODES = ["argmax", "viterbi", "viterbi+trans"]


def ort_word_logits(session, windows, batch_size: int = 32):
    out = [None] * len(windows)
    names = {i.name for i in session.get_inputs()}
    for batch in make_batches(windows, batch_size, None):
        ids, mask, tt, _ = collate(windows, batch, False)
        feed = {"input_ids": ids.numpy(), "attention_mask": mask.numpy()}
        if "token_type_ids" in names:
            feed["token_type_ids"] = tt.numpy()
        logits = session.run(["logits"], feed)[0]
        for r, i in enumerate(batch):
            out[i] = logits[r, windows[i].first_pos]
    return out


def main() -> None:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=here.parents[1] / "shared/data/jnlpba")
    ap.add_argument("--ckpt", type=Path, default=here / "out/best")
    ap.add_argument("--work", type=Path, default=here / "out/export")
    ap.add_argument("--model-dir", type=Path, default=here / "out/model",
                    help="the single-task model directory (the shipped default is the multi-task one, export_multitask.py)")
    ap.add_argument("--contexts", default="0,128,256", help="window sizes to evaluate; 0 = single sentences")
    ap.add_argument("--limit", type=int, default=None, help="smoke test: sentences per split")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quant", choices=["dynamic", "static"], default="dynamic",
                    help="int8 quantization: dynamic (activation scales per batch: results depend on batch "
                         "neighbours, so the engine runs one window per batch) or static (scales calibrated on "
                         "dev windows and fixed: batch-independent, batches stay)")
    ap.add_argument("--calibration-windows", type=int, default=512, help="static: dev windows to calibrate on")
    ap.add_argument("--quick", default=None, metavar="CTX,DECODE",
                    help="skip all evaluation and ship with this choice, e.g. 256,argmax (provisional models)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    args.work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()

    def say(msg):
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    from transformers import BertForTokenClassification

    tok = load_tokenizer(args.ckpt)
    model = BertForTokenClassification.from_pretrained(args.ckpt, attn_implementation="eager")
    model.eval()
    assert [model.config.id2label[i] for i in range(len(LABELS))] == LABELS

    # 1. transitions from the training labels
    start, trans = estimate_transitions(read_conll(args.data / "train.tsv"))
    transitions = {"labels": LABELS, "start": [round(float(x), 4) for x in start],
                   "transitions": [[round(float(x), 4) for x in row] for row in trans]}

    splits = {} if args.quick else {s: load_split(args.data, s, tok, args.limit) for s in ("dev", "test")}
    contexts = [int(c) for c in args.contexts.split(",")]
    rows = []  # dicts: backend, context, decode, split -> f1
    cache = {}

    def run_all(backend, fn, ctxs, decodes):
        for ctx in ctxs:
            for split, (sents, docs) in splits.items():
                wins = pack_windows(sents, docs, ctx if ctx else 512, context=ctx > 0)
                t = time.time()
                wl = fn(wins)
                dt = time.time() - t
                for dec in decodes:
                    preds, probs = decode_windows(wins, wl, sents, dec, (start, trans))
                    f1 = span_f1(sents, preds)
                    cache[(backend, ctx, dec, split)] = (preds, probs)
                    rows.append({"backend": backend, "context": ctx, "decode": dec, "split": split,
                                 "f1": f1, "word_f1": word_accuracy_f1(sents, preds),
                                 "infer_s": round(dt, 1)})
                    say(f"{backend} ctx={ctx or 'single'} {dec} {split}: span F1 {f1:.4f} ({dt:.0f}s)")

    # 2. PyTorch
    if args.quick:
        ctx, dec = int(args.quick.split(",")[0]), args.quick.split(",")[1]
    else:
        run_all("pytorch", lambda w: predict_word_logits(model, w), contexts, DECODES)
        dev_rows = [r for r in rows if r["split"] == "dev"]
        best = max(dev_rows, key=lambda r: (r["f1"], r["context"]))
        ctx, dec = best["context"], best["decode"]
        say(f"chosen on dev: context {ctx} decode {dec} (dev F1 {best['f1']:.4f})")

    # 4. ONNX export + quantization
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = args.work / "model.onnx"
    int8 = args.work / "model_quantized.onnx"
    dummy = (torch.tensor([[101, 7592, 2088, 102]]), torch.ones(1, 4, dtype=torch.long),
             torch.zeros(1, 4, dtype=torch.long))
    torch.onnx.export(
        model, dummy, str(fp32), input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"], opset_version=17, dynamo=False,
        dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ("input_ids", "attention_mask", "token_type_ids", "logits")},
    )
    model.eval()  # the legacy exporter leaves the module in training mode
    onnx.checker.check_model(str(fp32))
    # per-channel weight scales, classifier kept in fp32: chosen on dev among 7 settings
    # (training/quant_variants.py; dev span F1 with viterbi: default 0.7672, per-channel 0.7733, this 0.7736)
    classifier = [n.name for n in onnx.load(str(fp32)).graph.node
                  if n.op_type in ("MatMul", "Gemm") and n.name.startswith("/classifier/")]
    if args.quant == "dynamic":
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                         nodes_to_exclude=classifier)
    else:
        quantize_static_from_dev(args, fp32, int8, classifier, say)
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    sessions = {name: ort.InferenceSession(str(p), so, providers=["CPUExecutionProvider"])
                for name, p in (("onnx-fp32", fp32), ("onnx-int8", int8))}
    # sanity: ONNX fp32 logits == PyTorch logits
    with torch.no_grad():
        ref = model(*dummy).logits.numpy()
    got = sessions["onnx-fp32"].run(["logits"], {"input_ids": dummy[0].numpy(), "attention_mask": dummy[1].numpy(),
                                                 "token_type_ids": dummy[2].numpy()})[0]
    say(f"ONNX fp32 vs PyTorch max |diff| {np.abs(ref - got).max():.2e}")
    if args.quick:
        splits = {}  # nothing to evaluate
    for name, sess in sessions.items():
        run_all(name, lambda w, s=sess: ort_word_logits(s, w), [ctx], DECODES)

    # 5. low-confidence threshold: precision of predicted dev entities by score (int8, chosen decode)
    threshold, bins, quant, test_report = None, [], {}, ""
    if not args.quick:
        threshold, bins, quant, test_report = pick_threshold_and_report(splits, cache, ctx, dec, say)
    write_model_dir(args, tok, int8, fp32, transitions, ctx, dec, rows, threshold, bins, quant, test_report, t0, say)


def quantize_static_from_dev(args, fp32: Path, int8: Path, classifier: list[str], say) -> None:
    """Static int8 (QDQ) quantization with activation ranges calibrated on dev windows: the scales are
    fixed in the graph, so a window's result never depends on what it is batched with."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    tok = load_tokenizer(args.ckpt)
    dev, dev_docs = load_split(args.data, "dev", tok, args.limit)
    windows = pack_windows(dev, dev_docs, 128, True)[: args.calibration_windows]

    class DevWindows(CalibrationDataReader):
        def __init__(self):
            self.items = iter(range(len(windows)))

        def get_next(self):
            i = next(self.items, None)
            if i is None:
                return None
            ids, mask, tt, _ = collate(windows, [i], False)
            return {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "token_type_ids": tt.numpy()}

    pre = fp32.with_name("model_preprocessed.onnx")
    quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
    quantize_static(str(pre), str(int8), DevWindows(), quant_format=QuantFormat.QDQ, per_channel=False,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                    nodes_to_exclude=classifier, op_types_to_quantize=["MatMul", "Gemm", "Gather"],
                    extra_options={"ActivationSymmetric": True, "WeightSymmetric": True})
    say(f"static int8 from {len(windows)} dev windows: {int8}")


def pick_threshold_and_report(splits, cache, ctx, dec, say):
    dev_sents = splits["dev"][0]
    preds, probs = cache[("onnx-int8", ctx, dec, "dev")]
    ents = entities_with_scores(preds, probs)
    gold = gold_entities(dev_sents)
    scored = sorted(((e[4], (e[0], e[1], e[2], e[3]) in gold) for e in ents))
    bins = []
    edges = [0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01]
    for lo, hi in zip(edges, edges[1:]):
        sel = [ok for s, ok in scored if lo <= s < hi]
        bins.append({"from": lo, "to": min(hi, 1.0), "n": len(sel),
                     "precision": (sum(sel) / len(sel)) if sel else None})
    # threshold: the highest score t such that entities scoring below t have precision < 50%
    # (cumulative from the bottom), searched on a 0.01 grid
    threshold = 0.0
    for t in np.arange(0.30, 0.96, 0.01):
        sel = [ok for s, ok in scored if s < t]
        if len(sel) >= 20 and sum(sel) / len(sel) < 0.5:
            threshold = round(float(t), 2)
    quant = ({q: round(float(np.quantile([s for s, _ in scored], q)), 4) for q in (0.01, 0.05, 0.1, 0.25)}
             if scored else {})
    say(f"threshold {threshold}; bins {bins}; quantiles {quant}")

    # per-class report for the shipped configuration on test
    test_sents = splits["test"][0]
    tpreds, _ = cache[("onnx-int8", ctx, dec, "test")]
    test_report = report(test_sents, tpreds)
    say("int8 test report:\n" + test_report)
    return threshold, bins, quant, test_report


def write_ort_format(onnx_path: Path, ort_path: Path) -> None:
    """ONNX -> ONNX Runtime's ORT format, 'Runtime' optimization style (scripts/make_fixture_model.py does
    the same for the test fixture)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        shutil.copy(onnx_path, Path(work) / "model.onnx")
        subprocess.run([sys.executable, "-m", "onnxruntime.tools.convert_onnx_models_to_ort", work,
                        "--optimization_style", "Runtime"], check=True, stdout=subprocess.DEVNULL)
        shutil.copy(Path(work) / "model.with_runtime_opt.ort", ort_path)


def swap_in(staging: Path, final: Path) -> None:
    """Replaces the model directory `final` by `staging` whole (builds embedding it never see half)."""
    old = final.with_name(final.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def write_model_dir(args, tok, int8, fp32, transitions, ctx, dec, rows, threshold, bins, quant, test_report, t0, say):
    # 6. model directory
    # written into a staging directory and swapped in at the end, so that builds embedding the model
    # (build.rs) never see a half-written directory
    final = args.model_dir
    md = final.with_name(final.name + ".staging")
    if md.exists():
        shutil.rmtree(md)
    md.mkdir(parents=True)
    if (final / "MODEL_CARD.md").exists():
        shutil.copy(final / "MODEL_CARD.md", md / "MODEL_CARD.md")
    # ORT format: scitag runs the built-in model's weights in place from the executable, shared by its
    # inference sessions, instead of copying them into each (docs/PERFORMANCE.md). 'Runtime' style keeps
    # the file portable (only basic, hardware-independent optimizations are saved).
    write_ort_format(int8, md / "model_quantized.ort")
    tok.save(str(md / "tokenizer.json"))
    cfg = json.loads((args.ckpt / "config.json").read_text())
    cfg["id2label"] = {str(i): l for i, l in enumerate(LABELS)}
    cfg["label2id"] = {l: i for i, l in enumerate(LABELS)}
    (md / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    # the engine applies transitions.json whenever it decodes with Viterbi: ship it only if it won on dev
    (args.work / "transitions.json").write_text(json.dumps(transitions) + "\n")
    if dec == "viterbi+trans":
        (md / "transitions.json").write_text(json.dumps(transitions) + "\n")
    elif (md / "transitions.json").exists():
        (md / "transitions.json").unlink()
    scitag = {"name": "jnlpba-minilm", "decode": "viterbi" if dec.startswith("viterbi") else "pipeline",
              "aggregation": "first", "context": {"max_tokens": ctx - 2}}  # engine counts content pieces, without [CLS]/[SEP]
    if ctx == 0:
        del scitag["context"]  # absent = one sentence per window
    (md / "scitag.json").write_text(json.dumps(scitag, indent=2) + "\n")
    result = {"chosen": {"context": ctx, "decode": dec}, "rows": rows, "threshold": threshold,
              "threshold_bins": bins, "score_quantiles": quant, "test_report_int8": test_report,
              "int8_bytes": int8.stat().st_size, "fp32_bytes": fp32.stat().st_size,
              "elapsed_s": round(time.time() - t0)}
    (args.work / "eval.json").write_text(json.dumps(result, indent=1) + "\n")
    swap_in(md, final)
    md = final
    say(f"model dir written to {md}; int8 {int8.stat().st_size / 1e6:.1f} MB, fp32 {fp32.stat().st_size / 1e6:.1f} MB; "
        f"{time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
