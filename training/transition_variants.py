"""Dev-only check of scaled / prior-corrected transition scores on top of the hard IOB2 constraint,
with the shipped int8 model and single-sentence windows."""
import sys, json
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np
import onnxruntime as ort
from common import LABEL2ID, LABELS, decode_windows, estimate_transitions, hard_constraints, load_split, pack_windows, read_conll, span_f1
from train import load_tokenizer
from export import ort_word_logits

here = Path(__file__).resolve().parent
data = here.parents[1] / "shared/data/jnlpba"
split = sys.argv[1] if len(sys.argv) > 1 else "dev"
tok = load_tokenizer(here / "out/best")
sents, docs = load_split(data, split, tok)
wins = pack_windows(sents, docs, 512, context=False)
so = ort.SessionOptions(); so.intra_op_num_threads = 2
sess = ort.InferenceSession(str(here.parent / "models/biomed-minilm/model_quantized.onnx"), so)
wl = ort_word_logits(sess, wins)
train = read_conll(data / "train.tsv")
start, trans = estimate_transitions(train)
counts = np.zeros(len(LABELS))
for s in train:
    for l in s.labels:
        counts[LABEL2ID[l]] += 1
logprior = np.log(counts / counts.sum())
hs, ht = hard_constraints()
res = {}
for name, (st, tr) in {
    "hard": (hs, ht),
    **{f"bigram x{l}": (hs + l * np.maximum(start, -50) , ht + l * np.maximum(trans, -50)) for l in (0.1, 0.25, 0.5, 1.0)},
    **{f"pmi x{l}": (hs + l * np.maximum(start - logprior, -50), ht + l * np.maximum(trans - logprior[None, :], -50)) for l in (0.1, 0.25, 0.5, 1.0)},
}.items():
    preds, _ = decode_windows(wins, wl, sents, "viterbi+trans", (st, tr))
    res[name] = round(span_f1(sents, preds), 4)
    print(name, res[name], flush=True)
(here / f"out/export/transition_variants_{split}.json").write_text(json.dumps(res, indent=1))
