#!/usr/bin/env python3
"""Write a BERT-base token classifier with RANDOM weights and SciBERT's shapes (12 layers, hidden 768,
12 heads, intermediate 3072, 512 positions, vocab 31,116, the 11 JNLPBA labels) as two scitag model
directories, fp32 and int8 (onnxruntime.quantization.quantize_dynamic, QInt8 weights):

    OUT/fp32/{model.onnx, config.json, tokenizer.json, tokenizer_config.json}
    OUT/int8/{model_quantized.onnx, ...}

It exists to measure load time and throughput of a reference-sized model (for example
fran-martinez/scibert_scivocab_cased_ner_jnlpba exported with optimum) without downloading one.
The vocabulary is a cased WordPiece of 31,116 pieces learnt from the JNLPBA training text, so words
split into about as many pieces as with SciBERT's vocabulary. The files are large (fp32 about 435 MB):
keep OUT outside git (default /work/models-tmp/bert-base-random).

Run: /work/pyenv/bin/python scripts/make_bert_base_model.py [--out DIR] [--data train.tsv]
"""

import argparse
import os
import shutil
import tempfile

import torch
from tokenizers import BertWordPieceTokenizer
from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

LABELS = ["O", "B-DNA", "I-DNA", "B-RNA", "I-RNA", "B-cell_line", "I-cell_line",
          "B-cell_type", "I-cell_type", "B-protein", "I-protein"]
VOCAB_SIZE = 31116


class Logits(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits


def read_text(path):
    sentences, words = [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line:
                if words:
                    sentences.append(" ".join(words))
                    words = []
            else:
                words.append(line.split("\t")[0])
    return sentences


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="/work/models-tmp/bert-base-random")
    parser.add_argument("--data", default=os.path.join(repo, "..", "shared", "data", "jnlpba", "train.tsv"))
    args = parser.parse_args()
    torch.manual_seed(0)
    fp32_dir = os.path.join(args.out, "fp32")
    int8_dir = os.path.join(args.out, "int8")
    os.makedirs(fp32_dir, exist_ok=True)
    os.makedirs(int8_dir, exist_ok=True)

    trainer = BertWordPieceTokenizer(lowercase=False, strip_accents=False, clean_text=True)
    trainer.train_from_iterator(read_text(args.data), vocab_size=VOCAB_SIZE, min_frequency=1,
                                special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], show_progress=False)
    vocab = [token for token, _ in sorted(trainer.get_vocab().items(), key=lambda item: item[1])]
    index = 0
    while len(vocab) < VOCAB_SIZE:  # pad to SciBERT's exact size with made-up pieces
        vocab.append(f"##unused{index}")
        index += 1
    with tempfile.TemporaryDirectory() as scratch:
        vocab_path = os.path.join(scratch, "vocab.txt")
        with open(vocab_path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(vocab[:VOCAB_SIZE]) + "\n")
        tokenizer = BertTokenizerFast(vocab=vocab_path, do_lower_case=False, model_max_length=512)
        tokenizer.save_pretrained(fp32_dir)
    config = BertConfig(vocab_size=VOCAB_SIZE, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                        intermediate_size=3072, max_position_embeddings=512, type_vocab_size=2,
                        num_labels=len(LABELS), id2label=dict(enumerate(LABELS)),
                        label2id={label: i for i, label in enumerate(LABELS)})
    model = BertForTokenClassification(config).eval()
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
    config.save_pretrained(fp32_dir)
    wrapper = Logits(model).eval()
    sample = tokenizer(["IL-2 gene expression and NF-kappa B activation"], return_tensors="pt")
    onnx_path = os.path.join(fp32_dir, "model.onnx")
    torch.onnx.export(
        wrapper, (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]), onnx_path,
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
        dynamic_axes={name: {0: "batch", 1: "sequence"}
                      for name in ["input_ids", "attention_mask", "token_type_ids", "logits"]},
        opset_version=17, dynamo=False)
    model.eval()  # the legacy exporter leaves training mode on

    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(onnx_path, os.path.join(int8_dir, "model_quantized.onnx"), weight_type=QuantType.QInt8)
    for name in os.listdir(fp32_dir):
        if name != "model.onnx":
            shutil.copy(os.path.join(fp32_dir, name), os.path.join(int8_dir, name))
    for directory in (fp32_dir, int8_dir):
        sizes = {name: os.path.getsize(os.path.join(directory, name)) for name in sorted(os.listdir(directory))}
        print(directory, sizes)


if __name__ == "__main__":
    main()
