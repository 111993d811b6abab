#!/usr/bin/env python3
"""Write tests/fixtures/tiny-model/: a tiny BertForTokenClassification with random weights.

The model is not trained: it exists so that tests can run the whole engine (tokenizer, ONNX Runtime,
decoding) fast and exactly, and compare it with the Hugging Face pipeline (scripts/make_goldens.py).

- Labels: the JNLPBA label set (O, B-/I- of DNA, RNA, cell_line, cell_type, protein).
- Tokenizer: an uncased BERT WordPiece vocabulary of about 2,000 pieces learnt from the JNLPBA training
  text, plus Greek letters, so typical biomedical words split into a few sub-words. `tokenizer.json`,
  `tokenizer_config.json` and `vocab.txt` are all written, so both loading paths can be tested.
- Model: 2 layers, hidden size 32, max 64 positions (so inputs longer than 62 word pieces need several
  windows), exported to ONNX opset 17 with the legacy exporter (dynamo=False).
- The classifier weights are scaled up so the random model makes confident, varied predictions
  (otherwise all probabilities sit near 1/11 and ties decide everything).

Run: /work/pyenv/bin/python scripts/make_fixture_model.py [--data ../shared/data/jnlpba/train.tsv]
Deterministic (fixed seeds); regenerating it invalidates tests/golden/ (rerun scripts/make_goldens.py).
"""

import argparse
import json
import os
import shutil
import tempfile

import numpy as np
import torch
from tokenizers import BertWordPieceTokenizer
from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

LABELS = [
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
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
# Greek letters that biomedical names use; a few are deliberately left out (e.g. ω, ψ) so that
# tests can see [UNK] handling.
GREEK = list("αβγδεζηθικλμνξπρστυφχ")
MAX_POSITIONS = 64


def read_conll_sentences(path):
    sentences, words = [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line:
                if words:
                    sentences.append(" ".join(words))
                    words = []
                continue
            words.append(line.split("\t")[0])
    if words:
        sentences.append(" ".join(words))
    return sentences


class TokenClassifierLogits(torch.nn.Module):
    """Wraps the model so the ONNX graph has exactly one output named `logits`."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).logits


def write_bad_logits_model(path):
    """A model whose `logits` are [batch, sequence, sequence]: the label dimension is not known when
    the model loads, so only the engine's run-time shape check can catch it."""
    import onnx
    from onnx import TensorProto, helper

    def constant(name, values):
        return helper.make_node(
            "Constant", [], [name], value=helper.make_tensor(name, TensorProto.INT64, [len(values)], values)
        )

    graph = helper.make_graph(
        [
            helper.make_node("Cast", ["input_ids"], ["as_float"], to=TensorProto.FLOAT),
            constant("axes", [2]),
            helper.make_node("Unsqueeze", ["as_float", "axes"], ["column"]),
            helper.make_node("Shape", ["input_ids"], ["input_shape"]),
            constant("one", [1]),
            constant("two", [2]),
            helper.make_node("Slice", ["input_shape", "one", "two"], ["sequence"]),
            helper.make_node("Concat", ["input_shape", "sequence"], ["target"], axis=0),
            helper.make_node("Expand", ["column", "target"], ["logits"]),
        ],
        "bad_logits",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "sequence", "labels"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=os.path.join(repo, "..", "shared", "data", "jnlpba", "train.tsv"))
    parser.add_argument("--out", default=os.path.join(repo, "tests", "fixtures", "tiny-model"))
    parser.add_argument("--vocab-size", type=int, default=2000)
    args = parser.parse_args()

    torch.manual_seed(0)
    np.random.seed(0)

    sentences = read_conll_sentences(args.data)
    wordpiece = BertWordPieceTokenizer(lowercase=True, strip_accents=None, clean_text=True)
    wordpiece.train_from_iterator(
        sentences,
        vocab_size=args.vocab_size,
        min_frequency=2,
        limit_alphabet=200,
        special_tokens=SPECIAL,
        show_progress=False,
    )
    vocab = wordpiece.get_vocab()
    # The trainer's id order varies from run to run (hash order of the alphabet); WordPiece does not
    # depend on ids, so sort them: special tokens, then the pieces in code-point order.
    ordered = SPECIAL + sorted(token for token in vocab if token not in SPECIAL)
    for letter in GREEK:
        if letter not in vocab:
            ordered.append(letter)
        if "##" + letter not in vocab:
            ordered.append("##" + letter)

    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        vocab_path = os.path.join(scratch, "vocab.txt")
        with open(vocab_path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(ordered) + "\n")
        # transformers 5: BertTokenizerFast is BertTokenizer and takes `vocab=` (a path or a dict).
        tokenizer = BertTokenizerFast(vocab=vocab_path, do_lower_case=True, model_max_length=MAX_POSITIONS)
        if len(tokenizer) != len(ordered):
            raise SystemExit(f"tokenizer has {len(tokenizer)} entries, vocab.txt {len(ordered)}")
        tokenizer.save_pretrained(args.out)
        shutil.copy(vocab_path, os.path.join(args.out, "vocab.txt"))

    config = BertConfig(
        vocab_size=len(ordered),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=MAX_POSITIONS,
        type_vocab_size=2,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: index for index, label in enumerate(LABELS)},
    )
    model = BertForTokenClassification(config)
    with torch.no_grad():
        model.classifier.weight.mul_(60.0)
        model.classifier.bias.zero_()
        model.classifier.bias[0] = 1.5  # "O" is the most common label, as in real data.
    model.eval()
    model.save_pretrained(args.out, safe_serialization=True)
    # The safetensors checkpoint is only needed by make_goldens.py; keep the fixture small.
    wrapper = TokenClassifierLogits(model).eval()

    sample = tokenizer(["IL-2 gene expression and NF-kappa B activation"], return_tensors="pt")
    onnx_path = os.path.join(args.out, "model.onnx")
    torch.onnx.export(
        wrapper,
        (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
        onnx_path,
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "sequence"},
            "attention_mask": {0: "batch", 1: "sequence"},
            "token_type_ids": {0: "batch", 1: "sequence"},
            "logits": {0: "batch", 1: "sequence"},
        },
        opset_version=17,
        dynamo=False,
    )
    # torch's legacy exporter leaves the module in training mode (dropout on): switch it back.
    model.eval()
    wrapper.eval()

    import onnxruntime

    session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    feed = {name: sample[name].numpy() for name in ("input_ids", "attention_mask", "token_type_ids")}
    onnx_logits = session.run(["logits"], feed)[0]
    with torch.no_grad():
        torch_logits = wrapper(**{name: sample[name] for name in feed}).numpy()
    delta = float(np.abs(onnx_logits - torch_logits).max())
    if delta > 1e-4:
        raise SystemExit(f"ONNX and torch disagree: max |delta| = {delta}")

    write_bad_logits_model(os.path.join(args.out, "bad-logits.onnx"))
    write_ort_format(onnx_path, os.path.join(args.out, "tiny.ort"))

    with open(os.path.join(args.out, "README.md"), "w", encoding="utf-8") as handle:
        handle.write(
            "# tiny-model (test fixture)\n\n"
            "A BertForTokenClassification with **random weights** (2 layers, hidden 32, 64 positions) and an\n"
            "uncased WordPiece vocabulary of "
            f"{len(ordered)} pieces, with the JNLPBA labels. Its predictions are meaningless;\n"
            "it exists so tests can run the engine end to end. Made by `scripts/make_fixture_model.py`.\n"
            "`model.safetensors` is the same model for PyTorch (used by `scripts/make_goldens.py`).\n"
            "`bad-logits.onnx` is a broken model whose `logits` have shape [batch, sequence, sequence], a\n"
            "label dimension unknown until it runs, so the engine's run-time shape check is tested.\n"
            "`tiny.ort` is `model.onnx` in ONNX Runtime's ORT format (the format of the built-in model),\n"
            "converted like `training/export.py` converts the default model.\n"
        )
    sizes = {name: os.path.getsize(os.path.join(args.out, name)) for name in sorted(os.listdir(args.out))}
    print(json.dumps({"out": args.out, "onnx_vs_torch_max_abs": delta, "files": sizes}, indent=1))


def write_ort_format(onnx_path, ort_path):
    """Converts an ONNX model to ONNX Runtime's ORT format with the portable 'Runtime' optimization style
    (basic optimizations saved; the rest applied by ONNX Runtime at load), as training/export.py does."""
    import shutil
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        shutil.copy(onnx_path, os.path.join(work, "model.onnx"))
        subprocess.run([sys.executable, "-m", "onnxruntime.tools.convert_onnx_models_to_ort", work,
                        "--optimization_style", "Runtime"], check=True, stdout=subprocess.DEVNULL)
        shutil.copy(os.path.join(work, "model.with_runtime_opt.ort"), ort_path)


if __name__ == "__main__":
    main()
