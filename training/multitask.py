"""Train the multi-task default model: one MiniLM encoder, one token-classification head per label set.

Heads (label sets, each trained only on its own corpus's sentences, so a corpus that does not annotate
a type never teaches another head that its mentions are "O"):

- `jnlpba`   O, B-/I- DNA, RNA, cell_line, cell_type, protein: distilled from the teacher
  (training/teacher.py) on every sentence of the pool (KL divergence to its soft labels, as distill.py) plus
  cross-entropy on the JNLPBA gold labels;
- `bc5cdr`   O, B-/I- chemical, disease: cross-entropy on BC5CDR train;
- `ncbi`     O, B-/I- disease: cross-entropy on NCBI-disease train (its own head: NCBI-disease does not
  annotate chemicals, BC5CDR's head would learn that its chemicals are "O");
- `linnaeus` O, B-/I- species: cross-entropy on LINNAEUS train.

--head-soft HEAD=NPZ (repeatable) distils another teacher into that head as well: NPZ is `distill.py soft
--teacher DIR --pool-from <the --soft file>` (the same pool sentences in the same order, the labels of that
teacher, e.g. ~/.cache/scitag/teacher-bc5cdr/best); the head then learns on every pool sentence from the
KL divergence to its soft labels (first piece of each word, temperature --kd-temperature, scaled by its
square, weight --head-kd-weight) plus its cross-entropy where the sentence has the head's gold. The
teacher's labels are matched to the head's by name without case (B-Chemical is the head's B-chemical); a
label set that does not match is refused. With --frozen-base the epoch then covers every pool window,
not only those with gold for some head. The option is recorded in best/heads.json (`_head_soft`) and in
history.json.

The pool and the teacher's soft labels are distill.py's (`distill.py soft` writes --work/soft-train.npz;
reused here as they are); the gold labels of BC5CDR, NCBI-disease and LINNAEUS are read again from their
train files and matched to the pool's sentences. Windows of neighbouring sentences (48-128 pieces, random
per abstract), batch 16, AdamW, bf16 autocast on the CPU, resumable (--work/multitask-ckpt.pt every
--ckpt-every-min). After every epoch each head is scored on its corpus's dev split (span micro F1, argmax,
context windows); the epoch with the best mean of the four goes to --work/best (encoder and `jnlpba`
head as a BertForTokenClassification, the other heads in heads.pt + heads.json), which
training/export_multitask.py turns into the model directory.

The realms dev set (modern manuscript sentences) is never read here: it is for `scitag eval` only.
Test splits are never read here either.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import (  # noqa: E402
    JNLPBA_LABELS, LABEL2ID, LABELS, Sentence, adamw, linear_lr, load_resumable, pack_windows, read_conll, read_docs,
    save_resumable, tokenize_sentences,
)

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "scitag"

# head name -> (corpus directory under --data, label list, corpus label -> head label)
HEADS = {
    "jnlpba": ("jnlpba", LABELS),
    "bc5cdr": ("bc5cdr", ["O", "B-chemical", "I-chemical", "B-disease", "I-disease"]),
    "ncbi": ("ncbi-disease", ["O", "B-disease", "I-disease"]),
    "linnaeus": ("linnaeus", ["O", "B-species", "I-species"]),
}
# the pool's sources in distill.py's order (build_pool): JNLPBA train, then these train files, then prose
POOL_ORDER = ["bc2gm", "bc5cdr", "ncbi-disease", "linnaeus"]


def say(log, msg: str) -> None:
    line = f"[{time.strftime('%H:%M:%S')}] {msg}"
    print(line, flush=True)
    if log:
        log.write(line + "\n")
        log.flush()


def head_label(head: str, label: str) -> str:
    """A corpus label in the head's spelling: BC5CDR's `B-Chemical` is the head's `B-chemical`."""
    if head == "jnlpba" or label == "O":
        return label
    return label[:2] + label[2:].lower()


def attach_gold(args, sents: list[Sentence], gold_jnlpba: list[bool], log) -> dict[str, list[list[int] | None]]:
    """Per head, per pool sentence: the gold label ids of its words, or None where the head has none."""
    out: dict[str, list[list[int] | None]] = {h: [None] * len(sents) for h in HEADS}
    ids = {h: {l: i for i, l in enumerate(labels)} for h, (_, labels) in HEADS.items()}
    for si, s in enumerate(sents):
        if gold_jnlpba[si]:
            out["jnlpba"][si] = [LABEL2ID[l] for l in s.labels]
    pos = sum(gold_jnlpba)  # JNLPBA train comes first
    for name in POOL_ORDER:
        path = args.data / name / "train.tsv"
        if not path.exists():
            continue
        corpus = read_conll(path)
        heads = [h for h, (d, _) in HEADS.items() if d == name]
        for k, c in enumerate(corpus):
            si = pos + k
            if si >= len(sents) or sents[si].words != c.words:
                raise SystemExit(f"pool sentence {si} is not {name} train sentence {k}: rebuild with distill.py soft")
            for h in heads:
                out[h][si] = [ids[h][head_label(h, l)] for l in c.labels]
        pos += len(corpus)
        say(log, f"{name}: {len(corpus)} gold sentences for heads {heads or '-'}")
    return out


def load_head_soft(spec: str, sents: list[Sentence], log) -> tuple[str, Path, list[np.ndarray], list[int]]:
    """--head-soft HEAD=NPZ: the head, the file, its soft labels per pool sentence and, per head label, the
    column of the teacher's label of the same name (case aside)."""
    head, sep, path = spec.partition("=")
    if not sep or not path:
        raise SystemExit(f"--head-soft {spec!r}: expected HEAD=PATH, e.g. bc5cdr=~/.cache/scitag/distill/"
                         f"soft-train-bc5cdr.npz")
    if head not in HEADS or head == "jnlpba":
        raise SystemExit(f"--head-soft {spec!r}: the head must be one of "
                         f"{', '.join(h for h in HEADS if h != 'jnlpba')} (jnlpba's teacher is --soft)")
    path = Path(os.path.expanduser(path))
    data = np.load(path, allow_pickle=True)
    words = data["words"]
    if len(words) != len(sents) or any(list(w) != s.words for w, s in zip(words, sents)):
        raise SystemExit(f"--head-soft {head}: {path} does not hold the pool of --soft (same sentences, same "
                         f"order): make it with distill.py soft --teacher DIR --pool-from <the --soft file>")
    teacher = [str(l) for l in data["label_names"]] if "label_names" in data.files else list(JNLPBA_LABELS)
    wanted = HEADS[head][1]
    by_name = {l.lower(): i for i, l in enumerate(teacher)}
    if len(by_name) != len(teacher) or sorted(by_name) != sorted(l.lower() for l in wanted):
        raise SystemExit(f"--head-soft {head}: the teacher's labels in {path} ({', '.join(teacher)}) are not the "
                         f"head's ({', '.join(wanted)}) up to case")
    columns = [by_name[l.lower()] for l in wanted]
    probs = list(data["probs"])
    if any(p.shape != (len(s.words), len(teacher)) for p, s in zip(probs, sents)):
        raise SystemExit(f"--head-soft {head}: {path} has soft labels of the wrong shape")
    say(log, f"head {head}: soft labels from {path}, teacher labels {', '.join(teacher)} -> "
             f"{', '.join(wanted)} (columns {columns})")
    return head, path, probs, columns


class MultiHead(torch.nn.Module):
    """A BertForTokenClassification (encoder + `jnlpba` classifier) with further heads beside it.

    With `branch_layers` = k > 0 the further heads read a branch instead of the encoder's output: copies
    of the encoder's last k layers, run on the hidden state below them. The encoder and the `jnlpba`
    head can then stay frozen (--frozen-base): the JNLPBA logits are exactly the base model's, and the
    branch costs k layers more per window."""

    def __init__(self, tagger, extra: dict[str, int], branch_layers: int = 0, frozen: bool = False):
        super().__init__()
        import copy

        self.tagger = tagger
        self.frozen = frozen
        hidden = tagger.config.hidden_size
        layers = tagger.bert.encoder.layer
        self.branch_at = len(layers) - branch_layers
        self.branch = torch.nn.ModuleList([copy.deepcopy(layers[i]) for i in range(self.branch_at, len(layers))])
        if frozen:
            for p in tagger.parameters():
                p.requires_grad_(False)
        self.heads = torch.nn.ModuleDict({h: torch.nn.Linear(hidden, n) for h, n in extra.items()})
        for lin in self.heads.values():
            lin.weight.data.normal_(0.0, tagger.config.initializer_range)
            lin.bias.data.zero_()

    def train(self, mode: bool = True):
        super().train(mode)
        if self.frozen:  # no dropout in what is not trained
            self.tagger.eval()
        return self

    def forward(self, input_ids, attention_mask, token_type_ids):
        if not len(self.branch):
            hidden = self.tagger.bert(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids).last_hidden_state
            hidden = self.tagger.dropout(hidden)
            out = {"jnlpba": self.tagger.classifier(hidden)}
            for h, lin in self.heads.items():
                out[h] = lin(hidden)
            return out
        bert = self.tagger.bert
        layers = bert.encoder.layer
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.frozen):
            below = bert.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
            mask = bert._create_attention_masks(attention_mask, None, below, None, None)[0]
            for layer in layers[: self.branch_at]:
                below = layer(below, mask)
        out = {}
        if not (self.frozen and self.training):  # training a frozen base's branch needs no JNLPBA logits
            x = below
            for layer in layers[self.branch_at:]:
                x = layer(x, mask)
            out["jnlpba"] = self.tagger.classifier(self.tagger.dropout(x))
        y = below
        for layer in self.branch:
            y = layer(y, mask)
        y = self.tagger.dropout(y)
        for h, lin in self.heads.items():
            out[h] = lin(y)
        return out


def load_multihead(ckpt: Path):
    """The model training/multitask.py saved in `ckpt` (best/): encoder, heads and branch."""
    from transformers import BertForTokenClassification

    meta = json.loads((ckpt / "heads.json").read_text())
    branch = int(meta.get("_branch_layers", 0))
    model = MultiHead(BertForTokenClassification.from_pretrained(ckpt),
                      {h: len(HEADS[h][1]) for h in HEADS if h != "jnlpba"}, branch)
    saved = torch.load(ckpt / "heads.pt")
    for h in model.heads:
        model.heads[h].load_state_dict(saved[h])
    if branch:
        model.branch.load_state_dict(saved["_branch"])
    return model.eval()


def window_positions(w) -> list[tuple[int, int, int]]:
    """(sentence, word, position) of every piece position that carries a label in the window: the first
    piece of each word, and later pieces that start a tokenizer word of their own (as pack_windows)."""
    out = []
    ends = list(w.first_pos[1:]) + [len(w.input_ids) - 1]
    for (si, wi), first, end in zip(w.words, w.first_pos, ends):
        out.append((si, wi, first))
        for p in range(first + 1, end):
            if w.label_ids[p] != -100:
                out.append((si, wi, -p))  # negative: an inside position of the word
    return out


def head_targets(windows, batch, gold_ids, head: str, n_cols: int) -> torch.Tensor:
    labels = HEADS[head][1]
    inside = {i: labels.index("I-" + l[2:]) if l != "O" else 0 for i, l in enumerate(labels)}
    t = torch.full((len(batch), n_cols), -100, dtype=torch.long)
    for r, i in enumerate(batch):
        w = windows[i]
        if gold_ids[w.words[0][0]] is None:
            continue
        for si, wi, p in window_positions(w):
            y = gold_ids[si][wi]
            if p >= 0:
                t[r, p] = y
            else:
                t[r, -p] = inside[y]
    return t


@torch.no_grad()
def dev_scores(model, dev_sets, batch_size: int = 64) -> dict[str, float]:
    from seqeval.metrics import f1_score
    from train import collate, make_batches

    model.eval()
    scores = {}
    for head, (sents, docs, gold) in dev_sets.items():
        labels = HEADS[head][1]
        wins = pack_windows(sents, docs, 128, True)
        preds = [["O"] * len(s.words) for s in sents]
        for batch in make_batches(wins, batch_size, None):
            ids, mask, tt, _ = collate(wins, batch, False)
            logits = model(ids, mask, tt)[head].float().numpy()
            for r, i in enumerate(batch):
                for (si, wi), y in zip(wins[i].words, logits[r, wins[i].first_pos].argmax(-1)):
                    preds[si][wi] = labels[int(y)]
        scores[head] = float(f1_score(gold, preds))
    model.train()
    return scores


def load_dev(args, tok):
    """Per head: its corpus's dev sentences (packed with "O" labels: pack_windows reads JNLPBA ids),
    pseudo-documents, and the gold labels in the head's spelling."""
    out = {}
    for head, (corpus, _) in HEADS.items():
        sents = read_conll(args.data / corpus / "dev.tsv")
        docs = read_docs(args.data / corpus / "dev.docs.tsv", len(sents))
        if corpus != "jnlpba":
            docs = [(i, min(8, len(sents) - i)) for i in range(0, len(sents), 8)]
        if args.limit:
            sents = sents[: args.limit]
            docs = [(f, min(n, args.limit - f)) for f, n in docs if f < args.limit]
        gold = [[head_label(head, l) for l in s.labels] for s in sents]
        if corpus != "jnlpba":
            for s in sents:
                s.labels = ["O"] * len(s.words)
        tokenize_sentences(sents, tok, 100)
        out[head] = (sents, docs, gold)
    return out


def main() -> None:
    from train import base_model_dir, collate, load_tokenizer, make_batches
    from transformers import BertConfig, BertForTokenClassification

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=HERE.parents[1] / "shared/data")
    ap.add_argument("--soft", type=Path, default=CACHE / "distill/soft-train.npz",
                    help="the teacher's soft labels over the pool (distill.py soft)")
    ap.add_argument("--work", type=Path, default=CACHE / "multitask")
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--min-tokens", type=int, default=48)
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--kd-temperature", type=float, default=2.0)
    ap.add_argument("--gold-weight", type=float, default=1.0)
    ap.add_argument("--head-weight", type=float, default=1.0, help="weight of the other heads' cross-entropy")
    ap.add_argument("--ckpt-every-min", type=float, default=10)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-bf16", action="store_true")
    ap.add_argument("--limit", type=int, default=None, help="smoke test: dev sentences per head")
    ap.add_argument("--max-steps", type=int, default=None, help="smoke test")
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--frozen-base", type=Path, default=None,
                    help="keep this BertForTokenClassification (the shipped JNLPBA student, e.g. "
                         "~/.cache/scitag/distill/best) frozen as the encoder and `jnlpba` head; train only "
                         "a branch of --branch-layers layers and the other heads")
    ap.add_argument("--branch-layers", type=int, default=2)
    ap.add_argument("--warm-start", type=Path, default=None,
                    help="with --frozen-base: the branch and heads start from this checkpoint's (a multitask.py best/, "
                         "or training/from_ort.py's copy of the shipped model) instead of copies of the base's layers")
    ap.add_argument("--head-soft", action="append", default=[], metavar="HEAD=NPZ",
                    help="distil this head from another teacher's soft labels over the same pool (distill.py soft "
                         "--teacher DIR --pool-from <the --soft file>), e.g. bc5cdr=~/.cache/scitag/distill/"
                         "soft-train-bc5cdr.npz; repeatable")
    ap.add_argument("--head-kd-weight", type=float, default=1.0, help="weight of the --head-soft KL terms")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    log = open(args.work / "train.log", "a", encoding="utf-8")
    say(log, f"args: {vars(args)}")
    torch.set_num_threads(args.threads)

    data = np.load(args.soft, allow_pickle=True)
    sents = [Sentence(list(w), list(l)) for w, l in zip(data["words"], data["labels"])]
    gold_jnlpba = [bool(g) for g in data["gold"]]
    soft_probs = list(data["probs"])
    docs = [tuple(int(x) for x in d) for d in data["docs"]]
    gold = attach_gold(args, sents, gold_jnlpba, log)
    head_soft: dict[str, tuple[list[np.ndarray], list[int]]] = {}
    head_soft_paths: dict[str, str] = {}
    for spec in args.head_soft:
        h, path, probs, columns = load_head_soft(spec, sents, log)
        if h in head_soft:
            raise SystemExit(f"--head-soft {h} given twice")
        head_soft[h] = (probs, columns)
        head_soft_paths[h] = str(path)
    soft_record = {"heads": head_soft_paths, "kd_temperature": args.kd_temperature,
                   "weight": args.head_kd_weight} if head_soft else None
    base = base_model_dir()
    tok = load_tokenizer(base)
    tokenize_sentences(sents, tok, 100)
    dev_sets = load_dev(args, tok)
    say(log, f"pool {len(sents)} sentences; gold per head: "
             + ", ".join(f"{h} {sum(g is not None for g in gold[h])}" for h in HEADS))

    config = BertConfig.from_pretrained(base)
    config.num_labels = len(LABELS)
    config.id2label = dict(enumerate(LABELS))
    config.label2id = dict(LABEL2ID)
    config.architectures = ["BertForTokenClassification"]
    extra = {h: len(HEADS[h][1]) for h in HEADS if h != "jnlpba"}
    frozen = args.frozen_base is not None
    if frozen:
        model = MultiHead(BertForTokenClassification.from_pretrained(args.frozen_base), extra, args.branch_layers,
                          frozen=True)
        say(log, f"frozen base {args.frozen_base}; branch of {args.branch_layers} layers from layer {model.branch_at}")
        if args.warm_start:
            warm = torch.load(args.warm_start / "heads.pt")
            if "_branch" not in warm:
                raise SystemExit(f"--warm-start {args.warm_start}: no branch in heads.pt")
            try:
                model.branch.load_state_dict(warm["_branch"])
                for h in model.heads:
                    model.heads[h].load_state_dict(warm[h])
            except (RuntimeError, KeyError) as e:
                raise SystemExit(f"--warm-start {args.warm_start}: not a branch of {args.branch_layers} layers with "
                                 f"the heads {', '.join(model.heads)}: {e}")
            say(log, f"branch and heads start from {args.warm_start}")
    else:
        model = MultiHead(BertForTokenClassification.from_pretrained(base, config=config), extra)

    def epoch_windows(rng):
        wins = pack_windows(sents, docs, args.max_tokens, True, rng=rng, min_tokens=args.min_tokens)
        if frozen and not head_soft:  # only the windows some trained head has gold labels for
            wins = [w for w in wins if any(gold[h][w.words[0][0]] is not None for h in extra)]
        return wins

    steps_per_epoch = math.ceil(len(epoch_windows(random.Random(0))) / args.batch_size)
    total = int(steps_per_epoch * args.epochs)
    if args.max_steps:
        total = min(total, args.max_steps)
    warmup = max(1, int(0.06 * total))
    opt = adamw(torch.nn.ModuleList([model.branch, model.heads]) if frozen else model, args.lr)
    state = {"step": 0, "epoch": 0, "pos": 0, "best": -1.0, "history": [], "epoch_rng": None, "done": False,
             "head_soft": soft_record}
    ckpt = args.work / "multitask-ckpt.pt"
    if (saved := load_resumable(ckpt, model, opt)) is not None:
        state = saved
        if state.get("head_soft") != soft_record:
            raise SystemExit(f"{ckpt} was trained with --head-soft {state.get('head_soft')}, not {soft_record}: "
                             f"use another --work")
        say(log, f"resumed: step {state['step']} epoch {state['epoch']}")
    else:
        torch.manual_seed(args.seed)

    def lr_now():
        return linear_lr(args.lr, state["step"], warmup, total)

    def save_ckpt():
        save_resumable(ckpt, model, opt, state)

    def save_best():
        tmp = args.work / "best.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        model.tagger.save_pretrained(tmp)
        tok.save(str(tmp / "tokenizer.json"))
        saved = {h: lin.state_dict() for h, lin in model.heads.items()}
        meta = {h: HEADS[h][1] for h in HEADS}
        if len(model.branch):
            saved["_branch"] = model.branch.state_dict()
            meta["_branch_layers"] = len(model.branch)
        if soft_record:
            meta["_head_soft"] = soft_record
        torch.save(saved, tmp / "heads.pt")
        (tmp / "heads.json").write_text(json.dumps(meta, indent=1) + "\n")
        shutil.rmtree(args.work / "best", ignore_errors=True)
        tmp.rename(args.work / "best")

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
            ids, mask, tt, _ = collate(windows, batch, False)
            rows, cols, targets, words_of = [], [], [], []
            for r, i in enumerate(batch):
                w = windows[i]
                for (si, wi), pos in zip(w.words, w.first_pos):
                    rows.append(r)
                    cols.append(pos)
                    words_of.append((si, wi))
                    if not frozen:
                        targets.append(soft_probs[si][wi].astype(np.float32))
            for g in opt.param_groups:
                g["lr"] = lr_now()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=not args.no_bf16):
                out = model(ids, mask, tt)
            out = {h: x.float() for h, x in out.items()}
            loss = torch.zeros(())
            if not frozen:
                picked = out["jnlpba"][torch.tensor(rows), torch.tensor(cols)]
                teacher = torch.tensor(np.stack(targets)).clamp_min(1e-6)
                teacher = torch.softmax(torch.log(teacher) / t_kd, dim=-1)
                loss = torch.nn.functional.kl_div(torch.log_softmax(picked / t_kd, dim=-1), teacher,
                                                  reduction="batchmean") * t_kd * t_kd
            for h, (probs_h, columns) in head_soft.items():
                picked = out[h][torch.tensor(rows), torch.tensor(cols)]
                teacher = torch.tensor(np.stack([probs_h[si][wi, columns] for si, wi in words_of])).float()
                teacher = torch.softmax(torch.log(teacher.clamp_min(1e-6)) / t_kd, dim=-1)
                loss = loss + args.head_kd_weight * torch.nn.functional.kl_div(
                    torch.log_softmax(picked / t_kd, dim=-1), teacher, reduction="batchmean") * t_kd * t_kd
            for h in (extra if frozen else HEADS):
                y = head_targets(windows, batch, gold[h], h, ids.shape[1])
                if (y != -100).any():
                    w = args.gold_weight if h == "jnlpba" else args.head_weight
                    loss = loss + w * torch.nn.functional.cross_entropy(
                        out[h].reshape(-1, out[h].shape[-1]), y.view(-1), ignore_index=-100)
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
        scores = dev_scores(model, dev_sets)
        mean = float(np.mean([v for h, v in scores.items() if not (frozen and h == "jnlpba")]))
        entry = {"epoch": state["epoch"], "step": state["step"], "dev_f1": scores, "mean": mean}
        if soft_record:
            entry["head_soft"] = soft_record
        state["history"].append(entry)
        say(log, f"== epoch {state['epoch']} dev span F1 {json.dumps({h: round(v, 4) for h, v in scores.items()})} "
                 f"mean {mean:.4f}")
        if mean > state["best"]:
            state["best"] = mean
            save_best()
            say(log, f"saved {args.work / 'best'}")
        state["epoch_rng"] = None
        state["done"] = state["step"] >= total
        save_ckpt()
        last = time.time()
    (args.work / "history.json").write_text(json.dumps(state["history"], indent=1) + "\n")


if __name__ == "__main__":
    main()
