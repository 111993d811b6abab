#!/usr/bin/env python3
"""Write tests/golden/eval/: a synthetic CoNLL file, perturbed predictions for it, and the reports of
Python's seqeval (span level, default mode) and scikit-learn (word level) on them.

`scitag eval --data gold.tsv --predictions predicted.tsv` must print the same figures
(tests/eval_golden.rs). The words are made up (`w17`); only the labels matter, and the corpora stay
out of the repository. The predictions exercise every chunking rule: dropped, retyped, shifted and
split entities, I- after O, B- inside an entity, false positives, and type changes inside a chunk.

Run: /work/pyenv/bin/python scripts/make_goldens_eval.py
"""

import json
import os
import random

from seqeval.metrics import classification_report
from sklearn.metrics import classification_report as word_classification_report

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "tests", "golden", "eval")
CLASSES = ["protein", "DNA", "RNA", "cell_type", "cell_line"]
WEIGHTS = [0.5, 0.2, 0.05, 0.15, 0.1]


def gold_sentence(rng, index):
    length = rng.randint(3, 35)
    labels = ["O"] * length
    position = 0
    while position < length:
        if rng.random() < 0.18:
            kind = rng.choices(CLASSES, WEIGHTS)[0]
            span = min(rng.choice([1, 1, 1, 2, 2, 3, 4]), length - position)
            labels[position] = "B-" + kind
            for offset in range(1, span):
                labels[position + offset] = "I-" + kind
            position += span + 1
        else:
            position += 1
    words = [f"w{index}_{i}" for i in range(length)]
    return words, labels


def perturb(rng, labels):
    predicted = list(labels)
    for position, label in enumerate(labels):
        if label.startswith("B-"):
            roll = rng.random()
            end = position + 1
            while end < len(labels) and labels[end] == "I-" + label[2:]:
                end += 1
            if roll < 0.08:  # dropped
                for i in range(position, end):
                    predicted[i] = "O"
            elif roll < 0.16:  # retyped
                kind = rng.choice([c for c in CLASSES if c != label[2:]])
                predicted[position] = "B-" + kind
                for i in range(position + 1, end):
                    predicted[i] = "I-" + kind
            elif roll < 0.22 and end < len(labels):  # extended by a word
                predicted[end] = "I-" + label[2:]
            elif roll < 0.27 and end - position > 1:  # shortened
                predicted[end - 1] = "O"
            elif roll < 0.31:  # starts with I- (conlleval still reads a chunk)
                predicted[position] = "I-" + label[2:]
            elif roll < 0.34 and end - position > 1:  # split in two
                predicted[position + 1] = "B-" + label[2:]
            elif roll < 0.37 and end - position > 1:  # type changes inside
                kind = rng.choice([c for c in CLASSES if c != label[2:]])
                predicted[end - 1] = "I-" + kind
        elif label == "O" and rng.random() < 0.03:  # false positive, sometimes I- after O
            kind = rng.choices(CLASSES, WEIGHTS)[0]
            predicted[position] = rng.choice(["B-", "I-"]) + kind
    return predicted


def write_conll(path, sentences):
    with open(path, "w", encoding="utf-8") as handle:
        for words, labels in sentences:
            for word, label in zip(words, labels):
                handle.write(f"{word}\t{label}\n")
            handle.write("\n")


def strip(label):
    return label[2:] if label[:2] in ("B-", "I-") else label


def main():
    rng = random.Random(20041)
    gold = [gold_sentence(rng, index) for index in range(400)]
    predicted = [(words, perturb(rng, labels)) for words, labels in gold]
    os.makedirs(OUT, exist_ok=True)
    write_conll(os.path.join(OUT, "gold.tsv"), gold)
    write_conll(os.path.join(OUT, "predicted.tsv"), predicted)

    y_true = [labels for _, labels in gold]
    y_pred = [labels for _, labels in predicted]
    span_text = classification_report(y_true, y_pred, digits=4)
    span = classification_report(y_true, y_pred, digits=4, output_dict=True)
    flat_true = [strip(label) for labels in y_true for label in labels]
    flat_pred = [strip(label) for labels in y_pred for label in labels]
    classes = sorted(set(flat_true + flat_pred) - {"O"})
    word = word_classification_report(
        flat_true, flat_pred, labels=classes, digits=4, output_dict=True, zero_division=0
    )

    def rows(report):
        return {
            name: {key: float(value) for key, value in row.items()}
            for name, row in report.items()
            if isinstance(row, dict)
        }

    with open(os.path.join(OUT, "reports.json"), "w", encoding="utf-8") as handle:
        json.dump(
            {
                "generator": "scripts/make_goldens_eval.py",
                "span_text": span_text,
                "span": rows(span),
                "word": rows(word),
            },
            handle,
            indent=1,
        )
        handle.write("\n")
    print(span_text)


if __name__ == "__main__":
    main()
