"""Shared data handling, window packing, decoding and evaluation for the JNLPBA MiniLM tagger.

Everything here is word-level: the model predicts on the first word piece of every word
("first" aggregation); decoding (argmax or Viterbi) runs over the words of a window.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from seqeval.metrics import classification_report, f1_score

# Fixed JNLPBA label order (id2label). Keep in sync with MODEL_CARD.md and transitions.json.
JNLPBA_LABELS = [
    "O",
    "B-DNA",
    "I-DNA",
    "B-RNA",
    "I-RNA",
    "B-cell_line",
    "I-cell_line",
    "B-cell_type",
    "I-cell_type",
    "B-protein",
    "I-protein",
]
# The active label set: JNLPBA's unless a script calls set_labels() before it packs or decodes anything.
# Window packing, the IOB2 constraints, transitions and decoding all read these two objects; set_labels
# changes them in place, so `from common import LABELS, LABEL2ID` in a script sees the new set too.
LABELS = list(JNLPBA_LABELS)
LABEL2ID = {l: i for i, l in enumerate(LABELS)}
CLS_ID, SEP_ID, PAD_ID = 101, 102, 0


def set_labels(labels: list[str]) -> None:
    """Makes `labels` (O first, then B-/I- pairs) the active label set, in place."""
    if not labels or labels[0] != "O" or len(set(labels)) != len(labels):
        raise ValueError(f"labels must start with O and have no repeats: {labels}")
    for l in labels[1:]:
        if l[:2] not in ("B-", "I-") or len(l) < 3:
            raise ValueError(f"not an IOB2 label: {l!r}")
    LABELS[:] = labels
    LABEL2ID.clear()
    LABEL2ID.update({l: i for i, l in enumerate(LABELS)})


def labels_from_conll(path: Path) -> list[str]:
    """An IOB2 label set from a CoNLL file's labels: O, then B-X, I-X for every class X sorted by name
    (for JNLPBA's train.tsv this is JNLPBA_LABELS)."""
    classes = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            lab = line.split("\t")[1]
            if lab != "O":
                if lab[:2] not in ("B-", "I-"):
                    raise ValueError(f"{path}: not an IOB2 label: {lab!r}")
                classes.add(lab[2:])
    return ["O"] + [f"{p}-{c}" for c in sorted(classes) for p in "BI"]


@dataclass
class Sentence:
    words: list[str]
    labels: list[str]
    pieces: list[list[int]] | None = None  # word-piece ids per word
    starts: list[list[bool]] | None = None  # per piece: starts a tokenizer word (no "##" prefix)


def read_conll(path: Path) -> list[Sentence]:
    sents: list[Sentence] = []
    words: list[str] = []
    labels: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if words:
                    sents.append(Sentence(words, labels))
                    words, labels = [], []
                continue
            tok, lab = line.split("\t")
            words.append(tok)
            labels.append(lab)
    if words:
        sents.append(Sentence(words, labels))
    return sents


def read_docs(path: Path, n_sents: int, group: int = 1) -> list[tuple[int, int]]:
    """(first_sentence, n_sentences) per abstract. Without the file: pseudo-documents of `group`
    consecutive sentences (default 1: one per sentence; 8 for the corpora without an abstract index,
    whose neighbouring sentences come from the same abstracts, as distill.py and multitask.py group them)."""
    if not path.exists():
        return [(i, min(group, n_sents - i)) for i in range(0, n_sents, group)]
    docs = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            _mid, first, n = line.split("\t")
            docs.append((int(first), int(n)))
    return docs


def load_split(data_dir: Path, split: str, tokenizer, limit: int | None = None, unk_id: int = 100,
               doc_group: int = 1):
    """Sentences (tokenized) and documents of one split; `doc_group`: see read_docs."""
    sents = read_conll(data_dir / f"{split}.tsv")
    docs = read_docs(data_dir / f"{split}.docs.tsv", len(sents), doc_group)
    if limit is not None:
        # keep whole abstracts up to `limit` sentences
        kept, total = [], 0
        for first, n in docs:
            if total + n > limit and kept:
                break
            kept.append((first, n))
            total += n
        docs = kept
        sents = sents[: sum(n for _, n in docs)]
    tokenize_sentences(sents, tokenizer, unk_id)
    return sents, docs


def tokenize_sentences(sents: list[Sentence], tokenizer, unk_id: int = 100) -> None:
    """Fills each sentence's word pieces and which pieces start a tokenizer word."""
    encs = tokenizer.encode_batch([s.words for s in sents], is_pretokenized=True, add_special_tokens=False)
    for s, enc in zip(sents, encs):
        pieces: list[list[int]] = [[] for _ in s.words]
        starts: list[list[bool]] = [[] for _ in s.words]
        for tid, tstr, wid in zip(enc.ids, enc.tokens, enc.word_ids):
            if wid is not None:
                pieces[wid].append(tid)
                starts[wid].append(not tstr.startswith("##"))
        for i, p in enumerate(pieces):
            if not p:  # a word the tokenizer drops (control chars): give it [UNK]
                pieces[i] = [unk_id]
                starts[i] = [True]
        s.pieces = pieces
        s.starts = starts


@dataclass
class Window:
    """A model input: [CLS] pieces [SEP]; `words` maps (sentence index, word index) for each labelled position."""

    input_ids: list[int]
    label_ids: list[int]  # -100 on non-first pieces and specials
    first_pos: list[int]  # position of each word's first piece
    words: list[tuple[int, int]]  # (sentence idx, word idx) for each entry of first_pos


def _chunks_of_sentence(sent: Sentence, budget: int) -> list[list[int]]:
    """Split a sentence's words into consecutive chunks whose pieces fit into `budget`."""
    chunks, cur, cur_len = [], [], 0
    for wi, p in enumerate(sent.pieces):
        lp = min(len(p), budget)
        if cur and cur_len + lp > budget:
            chunks.append(cur)
            cur, cur_len = [], 0
        cur.append(wi)
        cur_len += lp
    if cur:
        chunks.append(cur)
    return chunks


def pack_windows(sents, docs, max_tokens: int, context: bool, rng: random.Random | None = None,
                 min_tokens: int | None = None, cls_id: int = CLS_ID, sep_id: int = SEP_ID) -> list[Window]:
    """Greedy packing of consecutive sentences of one abstract into windows of at most max_tokens pieces
    (including [CLS] and [SEP]). With context=False every sentence is its own window. A sentence longer
    than the budget is split at word boundaries. With `rng`, each abstract gets a random budget in
    [min_tokens, max_tokens] (training-time augmentation)."""
    windows: list[Window] = []
    for first, n in docs:
        budget = max_tokens - 2
        if rng is not None and min_tokens is not None:
            budget = rng.randint(min_tokens, max_tokens) - 2
        groups: list[list[tuple[int, int]]] = []  # list of (sent idx, word idx)
        cur: list[tuple[int, int]] = []
        cur_len = 0
        for si in range(first, first + n):
            s = sents[si]
            slen = sum(min(len(p), budget) for p in s.pieces)
            if context and cur and cur_len + slen <= budget:
                cur.extend((si, wi) for wi in range(len(s.words)))
                cur_len += slen
                continue
            if cur:
                groups.append(cur)
                cur, cur_len = [], 0
            if slen <= budget:
                cur = [(si, wi) for wi in range(len(s.words))]
                cur_len = slen
            else:
                for ch in _chunks_of_sentence(s, budget):
                    groups.append([(si, wi) for wi in ch])
        if cur:
            groups.append(cur)
        for g in groups:
            ids, labs, fpos = [cls_id], [-100], []
            for si, wi in g:
                p = sents[si].pieces[wi][:budget]
                st = sents[si].starts[wi]
                lab = sents[si].labels[wi]
                inside = lab if lab == "O" else "I-" + lab[2:]
                fpos.append(len(ids))
                ids.extend(p)
                labs.append(LABEL2ID[lab])
                # Later pieces that start a new tokenizer word (e.g. "-" and "2" in "IL-2") are words of
                # their own for the HF pipeline and the scitag engine ("first" aggregation), so they are
                # trained as the inside of the same entity; "##" continuation pieces get -100.
                labs.extend(LABEL2ID[inside] if st[k] else -100 for k in range(1, len(p)))
            ids.append(sep_id)
            labs.append(-100)
            windows.append(Window(ids, labs, fpos, g))
    return windows


# ---------------------------------------------------------------- decoding

def log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=-1, keepdims=True)
    z = x - m
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def allowed_matrix() -> np.ndarray:
    """allowed[i, j]: may label j follow label i under IOB2 (I-X only after B-X or I-X)."""
    L = len(LABELS)
    a = np.ones((L, L), dtype=bool)
    for j, lj in enumerate(LABELS):
        if lj.startswith("I-"):
            t = lj[2:]
            for i, li in enumerate(LABELS):
                a[i, j] = li in (f"B-{t}", f"I-{t}")
    return a


def allowed_start() -> np.ndarray:
    return np.array([not l.startswith("I-") for l in LABELS])


def estimate_transitions(sents: list[Sentence], alpha: float = 0.5):
    """Log p(label_0) and log p(to | from) from training label bigrams (within sentences), add-alpha
    smoothed over the transitions the IOB2 constraint allows; forbidden ones get -1e4."""
    L = len(LABELS)
    allowed, astart = allowed_matrix(), allowed_start()
    big = np.zeros((L, L))
    st = np.zeros(L)
    for s in sents:
        ids = [LABEL2ID[l] for l in s.labels]
        st[ids[0]] += 1
        for a, b in zip(ids, ids[1:]):
            big[a, b] += 1
    start = np.where(astart, np.log((st + alpha) / (st + alpha)[astart].sum()), -1e4)
    trans = np.full((L, L), -1e4)
    for i in range(L):
        row = np.where(allowed[i], big[i] + alpha, 0.0)
        trans[i] = np.where(allowed[i], np.log(np.maximum(row, 1e-30) / row.sum()), -1e4)
    return start, trans


def viterbi(logp: np.ndarray, start: np.ndarray, trans: np.ndarray) -> list[int]:
    """Best path under score = sum logp[t, y_t] + start[y_0] + sum trans[y_{t-1}, y_t]."""
    T, L = logp.shape
    score = logp[0] + start
    back = np.zeros((T, L), dtype=np.int64)
    for t in range(1, T):
        cand = score[:, None] + trans  # [from, to]
        back[t] = cand.argmax(axis=0)
        score = cand.max(axis=0) + logp[t]
    best = [int(score.argmax())]
    for t in range(T - 1, 0, -1):
        best.append(int(back[t, best[-1]]))
    return best[::-1]


def hard_constraints():
    a = allowed_matrix()
    return np.where(allowed_start(), 0.0, -1e4), np.where(a, 0.0, -1e4)


def decode_windows(windows: list[Window], word_logits: list[np.ndarray], sents, mode: str,
                   transitions=None):
    """Returns (pred label lists per sentence, per-sentence per-word prob of the chosen label).
    mode: 'argmax' | 'viterbi' (hard IOB2 constraint only) | 'viterbi+trans'."""
    preds = [["O"] * len(s.words) for s in sents]
    probs = [[1.0] * len(s.words) for s in sents]
    if mode == "viterbi":
        st, tr = hard_constraints()
    elif mode == "viterbi+trans":
        st, tr = transitions
    for w, lg in zip(windows, word_logits):
        lp = log_softmax(lg.astype(np.float64))
        if mode == "argmax":
            path = lp.argmax(axis=-1).tolist()
        else:
            # Viterbi per sentence inside the window, as the scitag engine does
            path = []
            i = 0
            while i < len(w.words):
                j = i
                while j < len(w.words) and w.words[j][0] == w.words[i][0]:
                    j += 1
                path.extend(viterbi(lp[i:j], st, tr))
                i = j
        for (si, wi), y, row in zip(w.words, path, lp):
            preds[si][wi] = LABELS[y]
            probs[si][wi] = float(math.exp(row[y]))
    return preds, probs


def span_f1(gold_sents, preds) -> float:
    return f1_score([s.labels for s in gold_sents], preds)


def report(gold_sents, preds) -> str:
    return classification_report([s.labels for s in gold_sents], preds, digits=4)


def entities_with_scores(preds, probs):
    """HF-style grouping (I-X after O or another type starts a new entity, like seqeval's default mode);
    entity score = mean of its words' chosen-label probabilities (aggregation "first")."""
    out = []  # (sent idx, start, end_exclusive, type, score)
    for si, (ps, pr) in enumerate(zip(preds, probs)):
        cur = None
        for i, (l, p) in enumerate(zip(ps, pr)):
            if l == "O":
                if cur:
                    out.append(cur)
                cur = None
                continue
            bi, t = l.split("-", 1)
            if cur is None or bi == "B" or cur[3] != t:
                if cur:
                    out.append(cur)
                cur = [si, i, i + 1, t, [p]]
            else:
                cur[2] = i + 1
                cur[4].append(p)
        if cur:
            out.append(cur)
    return [(a, b, c, d, float(np.mean(e))) for a, b, c, d, e in out]


def gold_entities(sents):
    return {(si, s, e, t) for si, s, e, t, _ in entities_with_scores(
        [x.labels for x in sents], [[1.0] * len(x.labels) for x in sents])}


def word_accuracy_f1(gold_sents, preds) -> float:
    """Word-level micro F1 over entity-class words (B-/I- prefix ignored, O excluded), as on the
    reference card's 'word level' row."""
    tp = fp = fn = 0
    for s, p in zip(gold_sents, preds):
        for g, q in zip(s.labels, p):
            gt = g[2:] if g != "O" else None
            pt = q[2:] if q != "O" else None
            if pt is not None and pt == gt:
                tp += 1
            else:
                if pt is not None:
                    fp += 1
                if gt is not None:
                    fn += 1
    pr = tp / max(tp + fp, 1)
    rc = tp / max(tp + fn, 1)
    return 2 * pr * rc / max(pr + rc, 1e-12)


# ---------------------------------------------------------------- training loop pieces (distill.py, multitask.py)

def adamw(model, lr: float, weight_decay: float = 0.01):
    """AdamW with no weight decay on biases and LayerNorm weights."""
    import torch

    no_decay = ("bias", "LayerNorm.weight")
    named = list(model.named_parameters())
    return torch.optim.AdamW([
        {"params": [p for n, p in named if not any(k in n for k in no_decay)], "weight_decay": weight_decay},
        {"params": [p for n, p in named if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ], lr=lr)


def linear_lr(base: float, step: int, warmup: int, total: int) -> float:
    """Linear warm-up over `warmup` steps, then linear decay to 0 at `total`."""
    return base * ((step + 1) / warmup if step < warmup else max(0.0, (total - step) / max(1, total - warmup)))


def save_resumable(path: Path, model, opt, state: dict) -> None:
    """Model, optimizer, loop state and torch RNG, written atomically."""
    import os

    import torch

    tmp = path.with_name(path.name + ".tmp")
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state,
                "torch_rng": torch.get_rng_state()}, tmp)
    os.replace(tmp, path)


def load_resumable(path: Path, model, opt) -> dict | None:
    """The loop state saved by save_resumable (model, optimizer and RNG restored), or None."""
    import torch

    if not path.exists():
        return None
    saved = torch.load(path, weights_only=False)
    model.load_state_dict(saved["model"])
    opt.load_state_dict(saved["opt"])
    torch.set_rng_state(saved["torch_rng"])
    return saved["state"]
