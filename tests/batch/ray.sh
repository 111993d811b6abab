#!/usr/bin/env bash
# Batch tagging at corpus scale, as a map step of Ray Data: examples/batch/ray_tag.py pipes each batch of
# documents through `scitag tag --input-format jsonl --format jsonl -` on a local Ray cluster, and the
# result must equal one direct `scitag tag` run over the same JSON lines (same ids, same entities, every
# entity's text at its character offsets).
#   tests/batch/ray.sh
# Documents: the 404 abstracts of the JNLPBA test set (../shared/data/jnlpba), else the corpus paragraphs.
# Ray (PyPI `ray[data]`, about 600 MB with pyarrow and pandas) goes into a venv in
# ${SCITAG_CONSUMERS:-~/.cache/scitag/consumers}, reused by later runs.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
ray_version=${RAY_VERSION:-2.60.0}
cache=${SCITAG_CONSUMERS:-${XDG_CACHE_HOME:-$HOME/.cache}/scitag/consumers}
venv=$cache/venv-ray-$ray_version
bin=${SCITAG_BIN:-$repo/target/release/scitag}
[[ -x $bin ]] || { echo "ray.sh: no binary at $bin; cargo build --release" >&2; exit 1; }
if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c "import ray, ray.data" 2>/dev/null; then
  echo "ray.sh: installing ray[data]==$ray_version into $venv" >&2
  rm -rf "$venv"
  mkdir -p "$cache"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "ray[data]==$ray_version" >&2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" - "$repo" "$work/docs.jsonl" <<'PY'
import json, pathlib, sys
repo, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
data = repo.parent / "shared/data/jnlpba"
docs = []
if (data / "test.tsv").exists() and (data / "test.docs.tsv").exists():
    sentences, words = [], []
    for line in (data / "test.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if words:
                sentences.append(" ".join(words))
            words = []
        else:
            words.append(line.split("\t")[0])
    if words:
        sentences.append(" ".join(words))
    for line in (data / "test.docs.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit():
            first, count = int(parts[1]), int(parts[2])
            # MEDLINE ids repeat in the file (two abstracts share one); the line number keeps ids unique.
            docs.append({"id": f"{parts[0]}#{len(docs) + 1}", "text": " ".join(sentences[first:first + count])})
else:
    for path in sorted((repo.parent / "shared/corpus/markdown").glob("*.md")):
        for index, paragraph in enumerate(path.read_text(encoding="utf-8").split("\n\n")):
            if len(paragraph.split()) > 20:
                docs.append({"id": f"{path.stem}:{index}", "text": paragraph})
with out.open("w", encoding="utf-8") as fp:
    for doc in docs:
        fp.write(json.dumps(doc, ensure_ascii=False) + "\n")
print(f"ray.sh: {len(docs)} documents", file=sys.stderr)
PY
start=$(date +%s.%N)
"$bin" tag --input-format jsonl --format jsonl - < "$work/docs.jsonl" > "$work/direct.jsonl"
direct_s=$(echo "$(date +%s.%N) - $start" | bc)
start=$(date +%s.%N)
RAY_DISABLE_USAGE_STATS=1 "$venv/bin/python" examples/batch/ray_tag.py --input "$work/docs.jsonl" \
  --output "$work/ray.jsonl" --scitag "$bin" --batch-size 64 --cpus-per-task 2
ray_s=$(echo "$(date +%s.%N) - $start" | bc)
"$venv/bin/python" - "$work" "$direct_s" "$ray_s" <<'PY'
import json, pathlib, sys
work = pathlib.Path(sys.argv[1])
load = lambda name: [json.loads(line) for line in (work / name).read_text(encoding="utf-8").splitlines() if line.strip()]
docs = {doc["id"]: doc["text"] for doc in load("docs.jsonl")}
direct = {row["id"]: row["entities"] for row in load("direct.jsonl")}
ray = {row["id"]: row["entities"] for row in load("ray.jsonl")}
assert set(direct) == set(docs), f"direct run: {len(direct)} of {len(docs)} documents"
assert set(ray) == set(docs), f"Ray run: {len(ray)} of {len(docs)} documents"
entities = 0
for doc_id, text in docs.items():
    assert ray[doc_id] == direct[doc_id], f"{doc_id}: Ray and the direct run differ"
    for entity in ray[doc_id]:
        assert text[entity["char_start"]:entity["char_end"]] == entity["text"], (doc_id, entity)
        entities += 1
assert entities > 100, entities
print(f"ray.sh: {len(docs)} documents, {entities} entities; Ray equals the direct run "
      f"(direct {float(sys.argv[2]):.1f} s, Ray with start-up {float(sys.argv[3]):.1f} s)")
PY
