"""Compare dynamic-int8 quantization settings of training/out/export/model.onnx on dev (chosen there)."""
import sys, time, json
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
import onnx
import onnxruntime as ort
from onnxruntime.quantization import QuantType, quantize_dynamic
from common import decode_windows, load_split, pack_windows, span_f1
from train import load_tokenizer
from export import ort_word_logits

here = Path(__file__).resolve().parent
work = here / "out/export"
fp32 = work / "model.onnx"
tok = load_tokenizer(here / "out/best")
data = here.parents[1] / "shared/data/jnlpba"
split = sys.argv[1] if len(sys.argv) > 1 else "dev"
sents, docs = load_split(data, split, tok)
wins = pack_windows(sents, docs, 512, context=False)
m = onnx.load(str(fp32))
cls_nodes = [n.name for n in m.graph.node if n.op_type in ("MatMul", "Gemm") and "classifier" in (n.name + "".join(n.input))]
variants = {
    "default": {},
    "per_channel": {"per_channel": True},
    "matmul_only": {"op_types_to_quantize": ["MatMul"]},
    "per_channel_matmul_only": {"per_channel": True, "op_types_to_quantize": ["MatMul"]},
    "per_channel_keep_classifier": {"per_channel": True, "nodes_to_exclude": cls_nodes},
    "per_channel_keep_classifier_reduce_range": {"per_channel": True, "nodes_to_exclude": cls_nodes, "reduce_range": True},
    "preprocessed_per_channel_keep_classifier": {"per_channel": True, "nodes_to_exclude": cls_nodes, "pre": True},
}
only = sys.argv[2].split(",") if len(sys.argv) > 2 else list(variants)
so = ort.SessionOptions(); so.intra_op_num_threads = 2
res = {}
for name in only:
    out = work / f"q_{name}.onnx"
    kw = dict(variants[name])
    src = fp32
    if kw.pop("pre", False):
        from onnxruntime.quantization.shape_inference import quant_pre_process
        src = work / "model_pre.onnx"
        quant_pre_process(str(fp32), str(src), skip_symbolic_shape=True)
    quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8, **kw)
    sess = ort.InferenceSession(str(out), so, providers=["CPUExecutionProvider"])
    t = time.time()
    wl = ort_word_logits(sess, wins)
    dt = time.time() - t
    r = {}
    for dec in ("argmax", "viterbi"):
        preds, _ = decode_windows(wins, wl, sents, dec)
        r[dec] = round(span_f1(sents, preds), 4)
    res[name] = {"mb": round(out.stat().st_size / 1e6, 1), "infer_s": round(dt, 1), **r}
    print(name, res[name], flush=True)
path = work / f"quant_variants_{split}.json"
old = json.loads(path.read_text()) if path.exists() else {}
old.update(res)
path.write_text(json.dumps(old, indent=1))
