#!/usr/bin/env python3
"""Fits the softmax temperature of a model on JNLPBA dev (standard library only).

usage: scripts/calibrate.py [--scitag target/release/scitag] [--model DIR] [--data ../shared/data/jnlpba]
                            [--temperatures 0.8,1,1.25,1.5,1.75,2,2.5,3]

Writes dev.tsv as span-annotated JSON lines (one abstract per line, tokens joined by single spaces,
entity spans from the IOB2 labels), runs `scitag eval --data dev.jsonl --json --temperature T` for
every T, and prints exact-span F1 and the expected calibration error (10 bins, a prediction right
when it is an exact match) for each. The T with the lowest ECE is the one to write into the model's
scitag.json as "temperature". Only dev is read; test is never looked at.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile


def read_conll(path):
    sentences, words = [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip():
                if words:
                    sentences.append(words)
                    words = []
                continue
            token, label = line.split("\t")[0], line.split("\t")[-1]
            words.append((token, label))
    if words:
        sentences.append(words)
    return sentences


def read_docs(path, count):
    if not os.path.exists(path):
        return [(index, 1) for index in range(count)]
    docs = []
    with open(path, encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            _, first, n = line.split("\t")
            docs.append((int(first), int(n)))
    return docs


def to_record(sentences):
    text, entities, current = "", [], None
    for sentence in sentences:
        for token, label in sentence:
            if text:
                text += " "
            start = len(text)
            text += token
            if label == "O" or label.startswith("B-") or (current and current["label"] != label[2:]):
                if current:
                    entities.append(current)
                current = None
            if label != "O":
                if current is None:
                    current = {"start": start, "end": len(text), "label": label[2:]}
                else:
                    current["end"] = len(text)
        if current:
            entities.append(current)
            current = None
    return {"text": text, "entities": entities}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scitag", default="target/release/scitag")
    parser.add_argument("--model")
    parser.add_argument("--data", default="../shared/data/jnlpba")
    parser.add_argument("--temperatures", default="0.8,1,1.25,1.5,1.75,2,2.5,3")
    args = parser.parse_args()
    sentences = read_conll(os.path.join(args.data, "dev.tsv"))
    docs = read_docs(os.path.join(args.data, "dev.docs.tsv"), len(sentences))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as out:
        for first, n in docs:
            out.write(json.dumps(to_record(sentences[first:first + n]), ensure_ascii=False) + "\n")
        path = out.name
    results = []
    for t in args.temperatures.split(","):
        command = [args.scitag, "eval", "--data", path, "--json", "--temperature", t]
        if args.model:
            command += ["--model", args.model]
        report = json.loads(subprocess.run(command, capture_output=True, check=True, text=True).stdout)
        row = (float(t), report["all"]["exact"]["f1"], report["all"]["ece"], report["at_threshold"]["exact"]["precision"])
        results.append(row)
        print("T %.2f  exact F1 %.4f  ECE %.4f  precision at >= 0.70 %.4f" % row, flush=True)
    best = min(results, key=lambda row: row[2])
    print("lowest ECE: T = %.2f (ECE %.4f, exact F1 %.4f)" % (best[0], best[2], best[1]))
    os.unlink(path)


if __name__ == "__main__":
    sys.exit(main())
