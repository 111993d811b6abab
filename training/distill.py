"""Distil the teacher (training/teacher.py, MPNet base) into the default model's size (MiniLM-L6).

Two steps, each resumable, everything derived kept outside the work tree (--work, default
~/.cache/scitag/distill):

1. `soft`: the teacher labels a pool of biomedical sentences word by word (the probabilities of its
   first piece per word, temperature 1): JNLPBA train (+ dev with --with-dev, for the final model), the
   train splits of BC2GM, BC5CDR, NCBI-disease and LINNAEUS (their own labels are other entity types and
   are not used), and the prose of the manuscripts in ../shared/corpus (`scitag prose`, split into words
   like JNLPBA's tokens). Written to --work/soft-<pool>.npz (float16) with the pool's words.
   `--teacher DIR` takes another teacher (e.g. ~/.cache/scitag/teacher-bc5cdr/best): its labels are its
   config.json id2label; a label set other than JNLPBA's is stored in the file as `label_names`. A
   multi-head teacher (a multitask.py checkpoint, or training/from_ort.py's copy of the shipped model)
   gives the labels of some of its heads in one pass, `--head jnlpba,bc5cdr --out soft-{head}.npz`. `--out`
   names the file (relative: under --work) and `--pool-from NPZ` takes the pool (sentences, order, groups,
   JNLPBA gold) from an earlier soft file instead of rebuilding it, so a second teacher labels exactly the
   sentences of the first (multitask.py --head-soft needs that).
2. `train`: the student learns from the teacher's soft labels on every word (KL divergence at
   temperature --kd-temperature, scaled by its square) and from the gold labels where there are some
   (JNLPBA: cross-entropy, weight --gold-weight), on windows of neighbouring sentences as train.py packs
   them. Checkpoints every --ckpt-every-min minutes; the best epoch by dev span F1 (argmax, context
   windows) goes to --work/best (safetensors + config.json + tokenizer.json), which training/export.py
   turns into the model directory. Choose settings with JNLPBA train as gold and dev held out; train the
   shipped model with --with-dev (then the epoch count chosen before is used and dev is not scored).

The realms dev set (modern manuscript sentences) is never read here: it is for `scitag eval` only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import (  # noqa: E402
    JNLPBA_LABELS, LABEL2ID, LABELS, Sentence, adamw, decode_windows, linear_lr, load_resumable, pack_windows,
    read_conll, read_docs, save_resumable, span_f1, tokenize_sentences,
)

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "scitag"
OTHER_SETS = ["bc2gm", "bc5cdr", "ncbi-disease", "linnaeus"]
WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def say(log, msg: str) -> None:
    line = f"[{time.strftime('%H:%M:%S')}] {msg}"
    print(line, flush=True)
    if log:
        log.write(line + "\n")
        log.flush()


# ------------------------------------------------------------------ the pool of sentences

def corpus_sentences(corpus: Path, scitag: Path, limit: int | None) -> list[list[str]]:
    """Prose of the corpus manuscripts (as scitag sees it), one word list per sentence."""
    sentences: list[list[str]] = []
    for path in sorted(list(corpus.glob("markdown/*.md")) + list(corpus.glob("latex/*.tex"))):
        out = subprocess.run([str(scitag), "prose", str(path), "--json"], capture_output=True, text=True)
        if out.returncode != 0:
            continue
        try:
            document = json.loads(out.stdout)
        except json.JSONDecodeError:
            continue
        for paragraph in document.get("paragraphs", []):
            prose = paragraph.get("prose", "")
            for start, end in paragraph.get("sentences", [[0, len(prose.encode())]]):
                text = prose.encode()[start:end].decode(errors="ignore")
                words = WORD.findall(text)
                if 3 <= len(words) <= 120:
                    sentences.append(words)
    return sentences[:limit] if limit else sentences


def build_pool(args, log) -> tuple[list[Sentence], list[tuple[int, int]], list[bool]]:
    """Sentences, pseudo-documents (first, count) and whether each sentence has JNLPBA gold labels."""
    sents: list[Sentence] = []
    docs: list[tuple[int, int]] = []
    gold: list[bool] = []

    def add(new: list[Sentence], new_docs: list[tuple[int, int]], has_gold: bool) -> None:
        base = len(sents)
        sents.extend(new)
        docs.extend((base + first, n) for first, n in new_docs)
        gold.extend([has_gold] * len(new))

    jnlpba = args.data / "jnlpba"
    splits = ["train", "dev"] if args.with_dev else ["train"]
    for split in splits:
        s = read_conll(jnlpba / f"{split}.tsv")
        d = read_docs(jnlpba / f"{split}.docs.tsv", len(s))
        if args.limit:
            s, d = s[: args.limit], [(f, n) for f, n in d if f + n <= args.limit]
        add(s, d, True)
    for name in OTHER_SETS:
        path = args.data / name / "train.tsv"
        if not path.exists():
            continue
        s = [Sentence(x.words, ["O"] * len(x.words)) for x in read_conll(path)]
        if args.limit:
            s = s[: args.limit]
        # neighbouring sentences of these files come from the same abstracts: groups of 8
        add(s, [(i, min(8, len(s) - i)) for i in range(0, len(s), 8)], False)
    if args.corpus.exists() and args.scitag.exists():
        words = corpus_sentences(args.corpus, args.scitag, args.limit)
        s = [Sentence(w, ["O"] * len(w)) for w in words]
        add(s, [(i, min(8, len(s) - i)) for i in range(0, len(s), 8)], False)
    say(log, f"pool: {len(sents)} sentences ({sum(gold)} with JNLPBA gold), {len(docs)} groups")
    return sents, docs, gold


# ------------------------------------------------------------------ step 1: soft labels

def soft_path(args) -> Path:
    """The soft-label file: --out (relative: under --work), else --work/soft-train[-dev].npz."""
    if args.out:
        return args.out if args.out.is_absolute() else args.work / args.out
    return args.work / f"soft-{'train-dev' if args.with_dev else 'train'}.npz"


class Heads(torch.nn.Module):
    """Some heads of a multi-head model, called as one token classifier: their logits side by side."""

    def __init__(self, model, heads: list[str]):
        super().__init__()
        self.model, self.heads = model, heads

    def forward(self, input_ids, attention_mask):
        from types import SimpleNamespace

        out = self.model(input_ids, attention_mask, torch.zeros_like(input_ids))
        return SimpleNamespace(logits=torch.cat([out[h] for h in self.heads], dim=-1))


def soft(args, log) -> None:
    from teacher import load_tokenizer as teacher_tokenizer, predict_word_logits, special_ids
    from transformers import MPNetForTokenClassification

    torch.set_num_threads(args.threads)
    multihead = (args.teacher / "heads.json").exists()
    if multihead:  # a multitask.py checkpoint (or training/from_ort.py's copy of a shipped model)
        from multitask import HEADS, load_multihead
        heads = (args.head or "").split(",")
        if not heads or any(h not in HEADS for h in heads):
            raise SystemExit(f"distill: {args.teacher} is a multi-head model: --head must name some of "
                             f"{', '.join(HEADS)} (comma-separated)")
        if len(heads) > 1 and "{head}" not in str(args.out or ""):
            raise SystemExit("distill: several --head need an --out with {head} in it, e.g. soft-{head}.npz")
        label_sets = [list(HEADS[h][1]) for h in heads]
    else:
        if args.head:
            raise SystemExit(f"distill: --head {args.head}: {args.teacher} has one output (no heads.json)")
        heads = [None]
        id2label = json.loads((args.teacher / "config.json").read_text())["id2label"]
        label_sets = [[id2label[str(i)] for i in range(len(id2label))]]
    for labels in label_sets:
        if len(labels) < 2 or labels[0] != "O":
            raise SystemExit(f"distill: {args.teacher}: labels must start with O: {labels}")
        if labels != JNLPBA_LABELS:
            say(log, f"teacher {args.teacher}: labels {', '.join(labels)}")
    if args.pool_from:
        pool = np.load(args.pool_from, allow_pickle=True)
        sents = [Sentence(list(w), list(l)) for w, l in zip(pool["words"], pool["labels"])]
        gold = [bool(g) for g in pool["gold"]]
        docs = [tuple(int(x) for x in d) for d in pool["docs"]]
        say(log, f"pool from {args.pool_from}: {len(sents)} sentences ({sum(gold)} with JNLPBA gold), "
                 f"{len(docs)} groups")
    else:
        sents, docs, gold = build_pool(args, log)
    tok = teacher_tokenizer(args.teacher / "tokenizer.json")
    cls_id, sep_id, pad_id, unk_id = special_ids(tok)
    tokenize_sentences(sents, tok, unk_id)
    if multihead:
        model = Heads(load_multihead(args.teacher), heads)
        say(log, f"teacher {args.teacher}: heads {', '.join(heads)} in one pass")
    else:
        model = MPNetForTokenClassification.from_pretrained(args.teacher)
        if model.config.num_labels != len(label_sets[0]):
            raise SystemExit(f"distill: {args.teacher} has {model.config.num_labels} outputs, id2label "
                             f"{len(label_sets[0])}")
    # the pool's labels are JNLPBA's; packing reads them only for label ids the teacher does not use, so a
    # teacher with other labels packs the same windows from "O"-labelled copies
    packed = sents if label_sets == [LABELS] else [Sentence(s.words, ["O"] * len(s.words), s.pieces, s.starts)
                                                    for s in sents]
    windows = pack_windows(packed, docs, args.max_tokens, True, cls_id=cls_id, sep_id=sep_id)
    started = time.time()
    widths = [len(labels) for labels in label_sets]
    cuts = np.cumsum([0] + widths)
    probs = [[np.zeros((len(s.words), n), dtype=np.float16) for s in sents] for n in widths]
    chunk = 2048
    for c in range(0, len(windows), chunk):
        part = windows[c : c + chunk]
        for w, logits in zip(part, predict_word_logits(model, part, pad_id)):
            for k in range(len(widths)):
                z = logits[:, cuts[k]:cuts[k + 1]].astype(np.float64)
                p = np.exp(z - z.max(axis=-1, keepdims=True))
                p /= p.sum(axis=-1, keepdims=True)
                for (si, wi), row in zip(w.words, p):
                    probs[k][si][wi] = row
        say(log, f"soft labels: {min(c + chunk, len(windows))}/{len(windows)} windows, {time.time() - started:.0f}s")
    for head, labels, head_probs in zip(heads, label_sets, probs):
        out = soft_path(args)
        if head is not None:
            out = out.with_name(out.name.replace("{head}", head))
        tmp = out.with_name(out.name + ".tmp.npz")
        extra = {} if labels == JNLPBA_LABELS else {"label_names": np.array(labels)}
        np.savez_compressed(tmp, probs=np.array(head_probs, dtype=object),
                            words=np.array([s.words for s in sents], dtype=object),
                            labels=np.array([s.labels for s in sents], dtype=object), gold=np.array(gold),
                            docs=np.array(docs), **extra)
        os.replace(tmp, out)
        say(log, f"wrote {out} in {time.time() - started:.0f}s")


# ------------------------------------------------------------------ step 2: the student

def train(args, log) -> None:
    from train import base_model_dir, collate, load_tokenizer, make_batches
    from transformers import BertConfig, BertForTokenClassification

    torch.set_num_threads(args.threads)
    data = np.load(soft_path(args), allow_pickle=True)
    if "label_names" in data.files and list(data["label_names"]) != LABELS:
        raise SystemExit(f"distill: {soft_path(args)} holds labels {list(data['label_names'])}; the student is "
                         f"JNLPBA's ({', '.join(LABELS)})")
    sents = [Sentence(list(w), list(l)) for w, l in zip(data["words"], data["labels"])]
    gold = [bool(g) for g in data["gold"]]
    soft_probs = list(data["probs"])
    docs = [tuple(int(x) for x in d) for d in data["docs"]]
    base = base_model_dir()
    tok = load_tokenizer(base)
    tokenize_sentences(sents, tok, 100)
    dev = read_conll(args.data / "jnlpba/dev.tsv")
    dev_docs = read_docs(args.data / "jnlpba/dev.docs.tsv", len(dev))
    if args.limit:
        dev, dev_docs = dev[: args.limit], [(f, n) for f, n in dev_docs if f + n <= args.limit]
    tokenize_sentences(dev, tok, 100)
    say(log, f"student on {len(sents)} sentences; dev {len(dev)}")

    config = BertConfig.from_pretrained(base)
    config.num_labels = len(LABELS)
    config.id2label = dict(enumerate(LABELS))
    config.label2id = dict(LABEL2ID)
    config.architectures = ["BertForTokenClassification"]
    model = BertForTokenClassification.from_pretrained(base, config=config)

    def epoch_windows(rng):
        return pack_windows(sents, docs, args.max_tokens, True, rng=rng, min_tokens=args.min_tokens)

    steps_per_epoch = math.ceil(len(epoch_windows(random.Random(0))) / args.batch_size)
    total = int(steps_per_epoch * args.epochs)
    if args.max_steps:
        total = min(total, args.max_steps)
    warmup = max(1, int(0.06 * total))
    opt = adamw(model, args.lr)
    state = {"step": 0, "epoch": 0, "pos": 0, "best": -1.0, "history": [], "epoch_rng": None, "done": False}
    ckpt = args.work / "student-ckpt.pt"
    if (saved := load_resumable(ckpt, model, opt)) is not None:
        state = saved
        say(log, f"resumed: step {state['step']} epoch {state['epoch']}")
    else:
        torch.manual_seed(args.seed)

    def lr_now():
        return linear_lr(args.lr, state["step"], warmup, total)

    def save_ckpt():
        save_resumable(ckpt, model, opt, state)

    def dev_f1():
        from train import predict_word_logits as student_logits
        wins = pack_windows(dev, dev_docs, args.max_tokens, True)
        preds, _ = decode_windows(wins, student_logits(model, wins), dev, "argmax")
        model.train()
        return span_f1(dev, preds)

    t_kd = args.kd_temperature
    last = time.time()
    model.train()
    while not state["done"] and state["step"] < total:
        if state["epoch_rng"] is None:
            state["epoch"] += 1
            state["pos"] = 0
            state["epoch_rng"] = random.Random(args.seed * 1000 + state["epoch"]).getstate()
        rng = random.Random()
        rng.setstate(state["epoch_rng"])
        windows = epoch_windows(rng)
        batches = make_batches(windows, args.batch_size, rng)
        run, n, t_log = 0.0, 0, time.time()
        while state["pos"] < len(batches) and state["step"] < total:
            batch = batches[state["pos"]]
            ids, mask, tt, labels = collate(windows, batch, True)
            # gold only where the sentence has JNLPBA labels
            for r, i in enumerate(batch):
                if not gold[windows[i].words[0][0]]:
                    labels[r] = -100
            rows, cols, targets = [], [], []
            for r, i in enumerate(batch):
                w = windows[i]
                for (si, wi), pos in zip(w.words, w.first_pos):
                    rows.append(r)
                    cols.append(pos)
                    targets.append(soft_probs[si][wi].astype(np.float32))
            for g in opt.param_groups:
                g["lr"] = lr_now()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=not args.no_bf16):
                logits = model(input_ids=ids, attention_mask=mask, token_type_ids=tt).logits.float()
            picked = logits[torch.tensor(rows), torch.tensor(cols)]
            teacher = torch.tensor(np.stack(targets)).clamp_min(1e-6)
            teacher = torch.softmax(torch.log(teacher) / t_kd, dim=-1)
            kd = torch.nn.functional.kl_div(torch.log_softmax(picked / t_kd, dim=-1), teacher,
                                            reduction="batchmean") * t_kd * t_kd
            loss = kd
            if (labels != -100).any():
                ce = torch.nn.functional.cross_entropy(logits.view(-1, len(LABELS)), labels.view(-1), ignore_index=-100)
                loss = kd + args.gold_weight * ce
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            state["step"] += 1
            state["pos"] += 1
            run += loss.item()
            n += 1
            if state["step"] % args.log_every == 0:
                say(log, f"epoch {state['epoch']} step {state['step']}/{total} loss {run / n:.4f} "
                         f"{(time.time() - t_log) / n:.2f} s/step lr {lr_now():.2e}")
                run, n, t_log = 0.0, 0, time.time()
            if time.time() - last > 60 * args.ckpt_every_min:
                save_ckpt()
                last = time.time()
        f1 = dev_f1() if not args.with_dev else float("nan")
        state["history"].append({"epoch": state["epoch"], "step": state["step"], "dev_f1_context_argmax": f1})
        say(log, f"== epoch {state['epoch']} dev span F1 {f1:.4f}")
        if args.with_dev or f1 > state["best"]:
            state["best"] = f1
            tmp = args.work / "best.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            model.save_pretrained(tmp)
            tok.save(str(tmp / "tokenizer.json"))
            shutil.rmtree(args.work / "best", ignore_errors=True)
            tmp.rename(args.work / "best")
            say(log, f"saved {args.work / 'best'}")
        state["epoch_rng"] = None
        state["done"] = state["step"] >= total
        save_ckpt()
        last = time.time()
    (args.work / "student-history.json").write_text(json.dumps(state["history"], indent=1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["soft", "train"])
    ap.add_argument("--data", type=Path, default=HERE.parents[1] / "shared/data")
    ap.add_argument("--corpus", type=Path, default=HERE.parents[1] / "shared/corpus")
    ap.add_argument("--scitag", type=Path, default=HERE.parent / "target/release/scitag")
    ap.add_argument("--teacher", type=Path, default=CACHE / "teacher/best",
                    help="soft: the teacher (labels from its config.json id2label)")
    ap.add_argument("--out", type=Path, default=None,
                    help="the soft-label file (relative: under --work); default soft-train[-dev].npz")
    ap.add_argument("--head", default=None,
                    help="with a multi-head --teacher (a multitask.py checkpoint, or training/from_ort.py's copy of "
                         "the shipped model): the heads whose labels to write, comma-separated, in one pass (then --out "
                         "has {head} in it)")
    ap.add_argument("--pool-from", type=Path, default=None,
                    help="soft: the pool (sentences, order, groups) of this soft file instead of rebuilding it")
    ap.add_argument("--work", type=Path, default=CACHE / "distill")
    ap.add_argument("--with-dev", action="store_true", help="JNLPBA dev joins the pool (the final model)")
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--min-tokens", type=int, default=48)
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--kd-temperature", type=float, default=2.0)
    ap.add_argument("--gold-weight", type=float, default=1.0)
    ap.add_argument("--ckpt-every-min", type=float, default=10)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-bf16", action="store_true")
    ap.add_argument("--limit", type=int, default=None, help="smoke test: sentences per source")
    ap.add_argument("--max-steps", type=int, default=None, help="smoke test")
    ap.add_argument("--log-every", type=int, default=20)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    # the default soft run logs to --work/soft.log as before; another --out gets its own log beside it
    log_path = args.work / f"{args.step}.log"
    if args.step == "soft" and args.out:
        log_path = soft_path(args).with_name(soft_path(args).name.replace("{head}", "heads")).with_suffix(".log")
    log = open(log_path, "a", encoding="utf-8")
    say(log, f"args: {vars(args)}")
    (soft if args.step == "soft" else train)(args, log)


if __name__ == "__main__":
    main()
