#!/usr/bin/env python3
"""scitag vs the Hugging Face token-classification pipeline: throughput (words/s), peak RSS and span F1.

Driven by scripts/bench-vs-hf.sh (which builds the release binary and the manuscript first); see
docs/PERFORMANCE.md. Everything runs sequentially on this machine, one process at a time:

  * HF   `transformers.pipeline("token-classification", aggregation_strategy="simple")`, PyTorch CPU,
         the fine-tuned checkpoint (--checkpoint), torch threads = --threads, in a child process of its
         own (so torch is never resident while scitag runs). Inputs: one JNLPBA test sentence per call,
         the JNLPBA abstracts whole (the pipeline's `stride` chunks those over 512 pieces), and the
         sentences of the manuscript's prose (as `scitag prose` splits them).
  * ORT  the peer a performance-minded Python user would write: the same ONNX model file as scitag
         (--onnx) through `onnxruntime` (intra-op threads = --threads), the fast tokenizer's
         `encode_batch`, length-sorted batches of about 2,048 pieces, argmax on each word's first piece,
         B-/I- grouping; on the JNLPBA sentences and the manuscript's sentences, in a child process.
  * scitag `scitag tag` (release binary) on
      - the same JNLPBA sentences, one per paragraph, with the HF decoding (`--decode pipeline
        --aggregation simple`, one JNLPBA sentence per window): the like-for-like row;
      - the JNLPBA abstracts as paragraphs with the model's defaults (how the server and `tag` run);
      - the 20k-word Markdown manuscript, with the model's defaults;
    and `scitag eval --docs` (its own per-word labelling, the number the model card reports).

Span F1 of every run that tags JNLPBA text is computed here the same way: the entity spans (character or
byte offsets) become IOB2 labels on the JNLPBA tokens (a token overlapping an entity takes its class; the
first such token of each entity is B-), scored with seqeval's default (the reference card's metric).
Benchmarks print numbers; this script exits 0 unless it cannot run at all.
"""

import argparse
import json
import os
import pathlib
import re
import resource
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------
# JNLPBA inputs


def read_conll(path: pathlib.Path):
    sentences, tokens, labels = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if tokens:
                sentences.append((tokens, labels))
                tokens, labels = [], []
            continue
        if line.startswith("-DOCSTART-"):
            continue
        token, label = line.split("\t")[:2]
        tokens.append(token)
        labels.append(label)
    if tokens:
        sentences.append((tokens, labels))
    return sentences


def read_docs(path: pathlib.Path):
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            _, first, count = line.split("\t")
            docs.append((int(first), int(count)))
    return docs


class Layout:
    """A text made of JNLPBA sentences, with the character and byte range of every token."""

    def __init__(self, groups, sentences):
        # groups: list of lists of sentence indices; one group = one paragraph (blank line between).
        self.text_parts = []
        self.char_ranges = {}  # (sentence, token) -> (start, end) in chars
        self.byte_ranges = {}
        char = 0
        byte = 0
        for g, group in enumerate(groups):
            if g:
                self.text_parts.append("\n\n")
                char += 2
                byte += 2
            for s_i, s in enumerate(group):
                if s_i:
                    self.text_parts.append(" ")
                    char += 1
                    byte += 1
                tokens = sentences[s][0]
                for t_i, token in enumerate(tokens):
                    if t_i:
                        self.text_parts.append(" ")
                        char += 1
                        byte += 1
                    length = len(token)
                    blength = len(token.encode("utf-8"))
                    self.char_ranges[(s, t_i)] = (char, char + length)
                    self.byte_ranges[(s, t_i)] = (byte, byte + blength)
                    self.text_parts.append(token)
                    char += length
                    byte += blength
        self.text = "".join(self.text_parts)


def spans_to_labels(sentences, token_ranges, spans):
    """spans: (start, end, class) in the same unit as token_ranges. Returns one IOB2 list per sentence."""
    order = sorted(token_ranges.items(), key=lambda item: item[1][0])
    starts = [r[0] for _, r in order]
    import bisect

    predicted = [["O"] * len(tokens) for tokens, _ in sentences]
    taken = set()
    for start, end, label in sorted(spans):
        first = True
        i = max(bisect.bisect_right(starts, start) - 1, 0)
        while i < len(order):
            key, (t_start, t_end) = order[i]
            if t_start >= end:
                break
            if t_end > start and key not in taken:
                s, t = key
                predicted[s][t] = ("B-" if first else "I-") + label
                taken.add(key)
                first = False
            i += 1
    return predicted


def score(sentences, predicted):
    """Span P/R/F1 over the classes the data annotates: a model with more heads (the built-in model's
    chemicals, diseases, species) is not charged for classes JNLPBA does not annotate, as `scitag eval`
    leaves them unscored."""
    from seqeval.metrics import f1_score, precision_score, recall_score

    gold = [labels for _, labels in sentences]
    annotated = {label[2:].lower() for labels in gold for label in labels if label != "O"}
    predicted = [[label if label == "O" or label[2:].lower() in annotated else "O" for label in labels]
                 for labels in predicted]
    return {
        "precision": float(precision_score(gold, predicted)),
        "recall": float(recall_score(gold, predicted)),
        "f1": float(f1_score(gold, predicted)),
    }


# ---------------------------------------------------------------------------------------------------
# Running scitag


def parse_time_v(path: pathlib.Path):
    rss_kb = None
    wall = None
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("Maximum resident set size"):
            rss_kb = int(line.rsplit(":", 1)[1])
        if line.startswith("Elapsed (wall clock) time"):
            value = line.split("):", 1)[1].strip()
            parts = [float(p) for p in value.split(":")]
            wall = sum(p * 60 ** (len(parts) - 1 - i) for i, p in enumerate(parts))
    return rss_kb, wall


TAGGED = re.compile(r"tagged (\d+) words in (\d+) sentences(?: of \d+ files?)? in ([0-9.]+) s")


def run_scitag(binary, args, out_dir, name, time_bin):
    stdout_path = out_dir / f"{name}.out"
    time_path = out_dir / f"{name}.time"
    env = dict(os.environ, SCITAG_LOG="info", NO_COLOR="1")
    command = [str(binary), *args]
    if time_bin:
        command = [time_bin, "-v", "-o", str(time_path), *command]
    before = load()
    log(f"{name}: {' '.join(command)}  (load {before})")
    started = time.perf_counter()
    with open(stdout_path, "wb") as stdout:
        done = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - started
    stderr = done.stderr.decode("utf-8", "replace")
    (out_dir / f"{name}.err").write_text(stderr)
    if done.returncode != 0:
        log(f"{name}: exit {done.returncode}: {stderr[-2000:]}")
        return None
    result = {"name": name, "command": " ".join(map(str, [binary.name if hasattr(binary, 'name') else binary, *args])),
              "wall_s": wall, "load_before": before}
    match = TAGGED.search(stderr)
    if match:
        result["tag_words"] = int(match.group(1))
        result["tag_sentences"] = int(match.group(2))
        result["tag_s"] = float(match.group(3))
    if time_bin:
        rss_kb, _ = parse_time_v(time_path)
        result["max_rss_mb"] = rss_kb / 1024 if rss_kb else None
    return result, stdout_path


def scitag_spans(stdout_path: pathlib.Path):
    spans = []
    # `--format jsonl`: one object per document, its entities inside.
    for line in stdout_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            for entity in json.loads(line)["entities"]:
                spans.append((entity["start"], entity["end"], entity["label"]))
    return spans


# ---------------------------------------------------------------------------------------------------
# Running the HF pipeline (child process)


def hf_main(args) -> None:
    import torch

    torch.set_num_threads(args.threads)
    job = json.loads(pathlib.Path(args.job).read_text(encoding="utf-8"))
    started = time.perf_counter()
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    tokenizer = AutoTokenizer.from_pretrained(args.checkpoint)
    if args.random_weights:
        from transformers import AutoConfig

        torch.manual_seed(0)
        model = AutoModelForTokenClassification.from_config(AutoConfig.from_pretrained(args.checkpoint))
    else:
        model = AutoModelForTokenClassification.from_pretrained(args.checkpoint)
    model.eval()
    # A tokenizer.json alone sets no length limit; the model's positions do (the pipeline's stride
    # chunks by it).
    tokenizer.model_max_length = min(tokenizer.model_max_length, model.config.max_position_embeddings)
    tagger = pipeline(
        "token-classification",
        model=model,
        tokenizer=tokenizer,
        aggregation_strategy="simple",
        device="cpu",
    )
    load_s = time.perf_counter() - started
    texts = job["texts"]
    call = {"batch_size": args.batch_size}
    if args.stride:
        call["stride"] = args.stride
    warm = texts[: args.warmup]
    if warm:
        tagger(warm, **call)
    started = time.perf_counter()
    outputs = tagger(texts, **call)
    infer_s = time.perf_counter() - started
    if texts and isinstance(outputs, list) and outputs and isinstance(outputs[0], dict):
        outputs = [outputs]
    entities = [[(int(e["start"]), int(e["end"]), e["entity_group"]) for e in out] for out in outputs]
    result = {
        "load_s": load_s,
        "infer_s": infer_s,
        "texts": len(texts),
        "words": job["words"],
        "threads": args.threads,
        "batch_size": args.batch_size,
        "torch": torch.__version__,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "entities": entities,
    }
    pathlib.Path(args.result).write_text(json.dumps(result), encoding="utf-8")


def ort_main(args) -> None:
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer

    job = json.loads(pathlib.Path(args.job).read_text(encoding="utf-8"))
    started = time.perf_counter()
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(args.onnx, options, providers=["CPUExecutionProvider"])
    inputs = {item.name for item in session.get_inputs()}
    model_dir = pathlib.Path(args.model_dir)
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(512)
    id2label = {int(k): v for k, v in json.loads((model_dir / "config.json").read_text())["id2label"].items()}
    load_s = time.perf_counter() - started
    texts = job["texts"]
    timings = {"tokenize": 0.0, "pad": 0.0, "run": 0.0, "decode": 0.0}

    def tag(batch_texts):
        t0 = time.perf_counter()
        encodings = tokenizer.encode_batch(batch_texts)
        t1 = time.perf_counter()
        timings["tokenize"] += t1 - t0
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        labels = [None] * len(encodings)
        batch = []
        def flush():
            if not batch:
                return
            t2 = time.perf_counter()
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            t3 = time.perf_counter()
            logits = session.run(None, feed)[0]
            t4 = time.perf_counter()
            best = logits.argmax(-1)
            for row, i in enumerate(batch):
                labels[i] = best[row, : len(encodings[i].ids)]
            timings["pad"] += t3 - t2
            timings["run"] += t4 - t3
            timings["decode"] += time.perf_counter() - t4
            batch.clear()
        for i in order:
            if batch and (len(batch) + 1) * len(encodings[i].ids) > args.batch_pieces:
                flush()
            batch.append(i)
        flush()
        t5 = time.perf_counter()
        out = []
        for encoding, best in zip(encodings, labels):
            entities, seen = [], set()
            for position, word in enumerate(encoding.word_ids):
                if word is None or word in seen:
                    continue
                seen.add(word)
                label = id2label[int(best[position])]
                start, end = encoding.offsets[position]
                # the word's whole character range: its last piece's end
                for later in range(position + 1, len(encoding.word_ids)):
                    if encoding.word_ids[later] != word:
                        break
                    end = encoding.offsets[later][1]
                if label == "O":
                    continue
                kind, _, cls = label.partition("-")
                if kind == "I" and entities and entities[-1][2] == cls and entities[-1][3] == word - 1:
                    entities[-1] = (entities[-1][0], end, cls, word)
                else:
                    entities.append((start, end, cls or label, word))
            out.append([(a, b, c) for a, b, c, _ in entities])
        timings["decode"] += time.perf_counter() - t5
        return out

    warm = texts[: args.warmup]
    if warm:
        tag(warm)
    for key in timings:
        timings[key] = 0.0
    started = time.perf_counter()
    entities = tag(texts)
    infer_s = time.perf_counter() - started
    result = {
        "load_s": load_s,
        "infer_s": infer_s,
        "texts": len(texts),
        "words": job["words"],
        "threads": args.threads,
        "batch_pieces": args.batch_pieces,
        "onnxruntime": ort.__version__,
        "timings": timings,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "entities": entities,
    }
    pathlib.Path(args.result).write_text(json.dumps(result), encoding="utf-8")


def run_child(python, mode, options, name, texts, words, out_dir, what, env=None):
    """Runs this script's `mode` child (`hf` or `ort`) on `texts` in a process of its own; returns its
    result (with wall time and the load before it) or None when it failed."""
    job = out_dir / f"{name}.job.json"
    result_path = out_dir / f"{name}.result.json"
    job.write_text(json.dumps({"texts": texts, "words": words}), encoding="utf-8")
    command = [python, str(pathlib.Path(__file__).resolve()), mode, "--job", str(job), "--result", str(result_path),
               *options]
    before = load()
    log(f"{name}: {what} on {len(texts)} texts, {words} words (load {before})")
    started = time.perf_counter()
    done = subprocess.run(command, env=env)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        log(f"{name}: {mode} child exited {done.returncode}")
        return None
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result["wall_s"] = wall
    result["load_before"] = before
    result["name"] = name
    return result


def run_ort(python, onnx, model_dir, name, texts, words, out_dir, threads, warmup, batch_pieces=2048):
    options = ["--onnx", str(onnx), "--model-dir", str(model_dir), "--threads", str(threads), "--warmup", str(warmup),
               "--batch-pieces", str(batch_pieces)]
    return run_child(python, "ort", options, name, texts, words, out_dir, "Python onnxruntime")


def run_hf(python, checkpoint, name, texts, words, out_dir, threads, batch_size, warmup, random_weights=False,
           stride=None):
    options = ["--checkpoint", str(checkpoint), "--threads", str(threads), "--batch-size", str(batch_size),
               "--warmup", str(warmup)] + (["--random-weights"] if random_weights else []) \
        + (["--stride", str(stride)] if stride else [])
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_VERBOSITY="error", HF_HUB_DISABLE_PROGRESS_BARS="1",
               TQDM_DISABLE="1")
    return run_child(python, "hf", options, name, texts, words, out_dir, "HF pipeline", env)


def document_spans(texts_entities, starts):
    """Entities given per text (character offsets in that text) as spans of the document whose texts
    start at `starts`."""
    return [(base + start, base + end, label)
            for base, entities in zip(starts, texts_entities) for start, end, label in entities]


# ---------------------------------------------------------------------------------------------------


def manuscript_sentences(binary, manuscript):
    done = subprocess.run([str(binary), "prose", "--json", str(manuscript)], capture_output=True, check=True)
    data = json.loads(done.stdout)
    sentences = []
    words = 0
    for paragraph in data["paragraphs"]:
        prose = paragraph["prose"].encode("utf-8")
        words += len(paragraph["prose"].split())
        for start, end in paragraph["sentences"]:
            sentence = prose[start:end].decode("utf-8")
            if sentence.strip():
                sentences.append(sentence)
    return sentences, words


def fmt(value, digits=1):
    return "-" if value is None else f"{value:,.{digits}f}"


def run_main(args) -> None:
    out_dir = args.out.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    binary = args.scitag.resolve()
    time_bin = "/usr/bin/time" if pathlib.Path("/usr/bin/time").exists() else None
    if not time_bin:
        log("/usr/bin/time is missing (apt-get install time): no peak RSS for scitag")
    data = args.data.resolve()
    sentences = read_conll(data / "test.tsv")
    docs = read_docs(data / "test.docs.tsv")
    if args.limit:
        keep = [d for d in docs if d[0] + d[1] <= args.limit]
        docs = keep
        sentences = sentences[: docs[-1][0] + docs[-1][1]]
    word_count = sum(len(tokens) for tokens, _ in sentences)
    per_sentence = Layout([[i] for i in range(len(sentences))], sentences)
    per_abstract = Layout([list(range(first, first + count)) for first, count in docs], sentences)
    (out_dir / "jnlpba-sentences.txt").write_text(per_sentence.text + "\n", encoding="utf-8")
    (out_dir / "jnlpba-abstracts.txt").write_text(per_abstract.text + "\n", encoding="utf-8")
    sentence_texts = [" ".join(tokens) for tokens, _ in sentences]
    sentence_starts = [per_sentence.char_ranges[(s, 0)][0] for s in range(len(sentences))]
    m_sentences, m_words = manuscript_sentences(binary, args.manuscript)
    log(f"JNLPBA test: {len(sentences)} sentences, {len(docs)} abstracts, {word_count} words; "
        f"manuscript {args.manuscript}: {len(m_sentences)} sentences, {m_words} prose words")

    model_args = ["--model", str(args.model)] if args.model else []
    thread_args = ["--threads", str(args.threads)]
    rows = []
    f1 = {}

    # -- scitag -----------------------------------------------------------------------------------
    models = [("", None)] + [tuple(extra.split("=", 1)) for extra in args.extra_model]
    scitag_runs = []
    for label, directory in models:
        suffix = f"-{label}" if label else ""
        note = f", model {label}" if label else ""
        chosen = ["--model", directory] if directory else model_args
        scitag_runs += [
            (f"scitag-sentences-simple{suffix}",
             f"JNLPBA sentences, like HF (pipeline/simple, 1 JNLPBA sentence per window, no linking){note}",
             ["tag", str(out_dir / "jnlpba-sentences.txt"), "--language", "plain", "--format", "jsonl",
              "--decode", "pipeline", "--aggregation", "simple", "--context-tokens", "512", "--no-link", *chosen],
             per_sentence, "jnlpba"),
            (f"scitag-abstracts-default{suffix}", f"JNLPBA abstracts as paragraphs, model defaults{note}",
             ["tag", str(out_dir / "jnlpba-abstracts.txt"), "--language", "plain", "--format", "jsonl", *chosen],
             per_abstract, "jnlpba"),
            (f"scitag-manuscript-default{suffix}", f"20k-word Markdown manuscript, model defaults{note}",
             ["tag", str(args.manuscript), "--format", "jsonl", *chosen], None, "manuscript"),
        ]
    for name, what, command, layout, corpus in scitag_runs:
        ran = run_scitag(binary, command + thread_args, out_dir, name, time_bin)
        if ran is None:
            continue
        result, stdout_path = ran
        result["what"] = what
        result["corpus"] = corpus
        result["words"] = word_count if corpus == "jnlpba" else m_words
        if layout is not None:
            predicted = spans_to_labels(sentences, layout.byte_ranges, scitag_spans(stdout_path))
            result["score"] = score(sentences, predicted)
            f1[name] = predicted
        rows.append(result)

    # scitag eval: its own per-word labelling (first piece of each JNLPBA token).
    eval_args = ["eval", "--data", str(data / "test.tsv"), "--docs", str(data / "test.docs.tsv"), "--json"]
    if args.limit:
        eval_args += ["--limit", str(len(sentences))]
    ran = None if args.skip_eval else run_scitag(binary, eval_args + model_args + thread_args, out_dir,
                                                 "scitag-eval-docs", time_bin)
    if ran is not None:
        result, stdout_path = ran
        report = json.loads(stdout_path.read_text())
        micro = report["span"].get("micro") or report["span"].get("micro avg") or {}
        result.update({
            "what": "scitag eval --docs (per-word labels, model defaults)",
            "corpus": "jnlpba",
            "words": report["words"],
            "tag_s": report["seconds"],
            "score": {"precision": micro.get("precision"), "recall": micro.get("recall"), "f1": micro.get("f1")},
            "model": report.get("model"),
        })
        rows.append(result)

    # -- Hugging Face -----------------------------------------------------------------------------
    if args.checkpoint:
        hf = run_hf(args.python, args.checkpoint, "hf-sentences", sentence_texts, word_count, out_dir, args.threads,
                    args.hf_batch_size, args.warmup, args.random_weights)
        if hf is not None:
            spans = document_spans(hf.pop("entities"), sentence_starts)
            predicted = spans_to_labels(sentences, per_sentence.char_ranges, spans)
            hf["score"] = score(sentences, predicted)
            hf["what"] = f"JNLPBA sentences, HF pipeline (simple), batch {args.hf_batch_size}"
            hf["corpus"] = "jnlpba"
            f1["hf-sentences"] = predicted
            rows.append(hf)
            same = f1.get("scitag-sentences-simple")
            if same is not None:
                identical = sum(a == b for a, b in zip(same, predicted))
                hf["identical_sentences_vs_scitag"] = identical
        # Whole abstracts: what a user tagging paragraphs with the pipeline gets (long ones chunked with a
        # stride of 64 pieces).
        abstract_texts = per_abstract.text.split("\n\n")
        hf = run_hf(args.python, args.checkpoint, "hf-abstracts", abstract_texts, word_count, out_dir, args.threads,
                    args.hf_batch_size, min(args.warmup, 4), args.random_weights, stride=64)
        if hf is not None:
            abstract_starts = []
            offset = 0
            for text in abstract_texts:
                abstract_starts.append(offset)
                offset += len(text) + 2
            spans = document_spans(hf.pop("entities"), abstract_starts)
            hf["score"] = score(sentences, spans_to_labels(sentences, per_abstract.char_ranges, spans))
            hf["what"] = f"JNLPBA abstracts whole, HF pipeline (simple, stride 64), batch {args.hf_batch_size}"
            hf["corpus"] = "jnlpba"
            rows.append(hf)
        hf = run_hf(args.python, args.checkpoint, "hf-manuscript", m_sentences, m_words, out_dir, args.threads,
                    args.hf_batch_size, args.warmup, args.random_weights)
        if hf is not None:
            hf.pop("entities")
            hf["what"] = f"manuscript prose sentences, HF pipeline (simple), batch {args.hf_batch_size}"
            hf["corpus"] = "manuscript"
            rows.append(hf)
    else:
        log("no --checkpoint: the Hugging Face side is skipped")

    # -- the Python onnxruntime peer ----------------------------------------------------------------
    if args.onnx:
        model_dir = args.model or (REPO / "models/biomed-minilm")
        peer = run_ort(args.python, args.onnx, model_dir, "ort-python-sentences", sentence_texts, word_count, out_dir,
                       args.threads, args.warmup)
        if peer is not None:
            spans = document_spans(peer.pop("entities"), sentence_starts)
            peer["score"] = score(sentences, spans_to_labels(sentences, per_sentence.char_ranges, spans))
            peer["what"] = "JNLPBA sentences, Python onnxruntime + tokenizers, ~2,048-piece batches, argmax"
            peer["corpus"] = "jnlpba"
            rows.append(peer)
        peer = run_ort(args.python, args.onnx, model_dir, "ort-python-manuscript", m_sentences, m_words, out_dir,
                       args.threads, args.warmup)
        if peer is not None:
            peer.pop("entities")
            peer["what"] = "manuscript prose sentences, Python onnxruntime + tokenizers, ~2,048-piece batches"
            peer["corpus"] = "manuscript"
            rows.append(peer)

    # -- report -----------------------------------------------------------------------------------
    for row in rows:
        infer = row.get("infer_s", row.get("tag_s"))
        row["words_per_s_infer"] = row["words"] / infer if infer else None
        row["words_per_s_wall"] = row["words"] / row["wall_s"] if row.get("wall_s") else None
    by_name = {row["name"]: row for row in rows}
    summary = {"machine_load_end": load(), "rows": rows, "ratios": {}, "f1_checks": {}}
    pairs = [("jnlpba, like-for-like", "scitag-sentences-simple", "hf-sentences"),
             ("jnlpba, scitag defaults", "scitag-abstracts-default", "hf-sentences"),
             ("jnlpba abstracts, both whole", "scitag-abstracts-default", "hf-abstracts"),
             ("manuscript", "scitag-manuscript-default", "hf-manuscript"),
             ("jnlpba sentences vs Python onnxruntime", "scitag-sentences-simple", "ort-python-sentences"),
             ("manuscript vs Python onnxruntime", "scitag-manuscript-default", "ort-python-manuscript")]
    for label, _ in models[1:]:
        pairs += [(f"jnlpba, like-for-like, {label}", f"scitag-sentences-simple-{label}", "hf-sentences"),
                  (f"jnlpba, scitag defaults, {label}", f"scitag-abstracts-default-{label}", "hf-sentences"),
                  (f"manuscript, {label}", f"scitag-manuscript-default-{label}", "hf-manuscript")]
    for label, ours, theirs in pairs:
        if ours in by_name and theirs in by_name:
            a, b = by_name[ours], by_name[theirs]
            if None in (a["words_per_s_infer"], b["words_per_s_infer"], a["words_per_s_wall"], b["words_per_s_wall"]):
                log(f"{label}: no timing for {ours if a['words_per_s_infer'] is None else theirs}")
                continue
            summary["ratios"][label] = {
                "infer": a["words_per_s_infer"] / b["words_per_s_infer"],
                "wall": a["words_per_s_wall"] / b["words_per_s_wall"],
            }
    if "hf-sentences" in by_name:
        hf_f1 = by_name["hf-sentences"]["score"]["f1"]
        for row in rows:
            if row["name"] != "hf-sentences" and row.get("score", {}).get("f1") is not None:
                delta = row["score"]["f1"] - hf_f1
                summary["f1_checks"][row["name"]] = {"delta": delta, "within_0.005": bool(abs(delta) <= 0.005)}
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")

    print(f"\nmachine: {os.cpu_count()} CPUs; load at end {summary['machine_load_end']}")
    print("\n| run | what | words | load (1/5/15) | infer s | words/s (infer) | wall s | words/s (wall) | peak RSS MB | span P | span R | span F1 |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        s = row.get("score", {})
        print(f"| {row['name']} | {row['what']} | {row['words']:,} | {row['load_before']} | "
              f"{fmt(row.get('infer_s', row.get('tag_s')), 2)} | {fmt(row['words_per_s_infer'], 0)} | "
              f"{fmt(row.get('wall_s'), 2)} | {fmt(row['words_per_s_wall'], 0)} | {fmt(row.get('max_rss_mb'), 0)} | "
              f"{fmt(s.get('precision'), 4)} | {fmt(s.get('recall'), 4)} | {fmt(s.get('f1'), 4)} |")
    if summary["ratios"]:
        print("\n| comparison | scitag/HF words/s (inference only) | scitag/HF words/s (whole process) |")
        print("|---|---:|---:|")
        for label, ratio in summary["ratios"].items():
            print(f"| {label} | {ratio['infer']:.2f}x | {ratio['wall']:.2f}x |")
    if summary["f1_checks"]:
        print("\nspan F1 minus HF pipeline span F1 (goal: |delta| <= 0.005):")
        for name, check in summary["f1_checks"].items():
            verdict = "ok" if check["within_0.005"] else ("higher than HF" if check["delta"] > 0 else "MISSED (lower)")
            print(f"  {name}: {check['delta']:+.4f} {verdict}")
    hf_row = by_name.get("hf-sentences")
    if hf_row and "identical_sentences_vs_scitag" in hf_row:
        print(f"\nsentences with identical IOB2 labels, HF vs scitag like-for-like: "
              f"{hf_row['identical_sentences_vs_scitag']} of {len(sentences)}")
    print(f"\nfull results: {out_dir / 'summary.json'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    run = sub.add_parser("run")
    run.add_argument("--scitag", type=pathlib.Path, default=REPO / "target/release/scitag")
    run.add_argument("--model", type=pathlib.Path, help="model directory for scitag (default: the embedded one)")
    run.add_argument("--extra-model", action="append", default=[], metavar="LABEL=DIR",
                     help="also run the like-for-like JNLPBA row with this model directory (e.g. fp32=DIR)")
    run.add_argument("--checkpoint", type=pathlib.Path, help="fine-tuned PyTorch checkpoint for the HF pipeline")
    run.add_argument("--random-weights", action="store_true",
                     help="HF side: build the model from --checkpoint's config.json with random weights (speed only)")
    run.add_argument("--skip-eval", action="store_true", help="do not run scitag eval")
    run.add_argument("--python", default=sys.executable)
    run.add_argument("--data", type=pathlib.Path, default=REPO.parent / "shared/data/jnlpba")
    run.add_argument("--manuscript", type=pathlib.Path, required=True)
    run.add_argument("--out", type=pathlib.Path, default=REPO / "target/bench/vs-hf")
    run.add_argument("--threads", type=int, default=2)
    run.add_argument("--hf-batch-size", type=int, default=1)
    run.add_argument("--warmup", type=int, default=16)
    run.add_argument("--limit", type=int, help="only the abstracts within the first N test sentences")
    run.add_argument("--onnx", type=pathlib.Path,
                     help="the ONNX (or ORT-format) model file for the Python onnxruntime peer (skipped without)")
    peer = sub.add_parser("ort")
    peer.add_argument("--onnx", required=True)
    peer.add_argument("--model-dir", required=True)
    peer.add_argument("--job", required=True)
    peer.add_argument("--result", required=True)
    peer.add_argument("--threads", type=int, default=2)
    peer.add_argument("--warmup", type=int, default=16)
    peer.add_argument("--batch-pieces", type=int, default=2048)
    hf = sub.add_parser("hf")
    hf.add_argument("--checkpoint", required=True)
    hf.add_argument("--job", required=True)
    hf.add_argument("--result", required=True)
    hf.add_argument("--threads", type=int, default=2)
    hf.add_argument("--batch-size", type=int, default=1)
    hf.add_argument("--warmup", type=int, default=16)
    hf.add_argument("--random-weights", action="store_true")
    hf.add_argument("--stride", type=int)
    args = parser.parse_args()
    if args.mode == "hf":
        hf_main(args)
    elif args.mode == "ort":
        ort_main(args)
    else:
        run_main(args)


if __name__ == "__main__":
    main()
