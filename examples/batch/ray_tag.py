#!/usr/bin/env python3
"""Tag a corpus with scitag as the map step of a Ray Data pipeline.

Each Ray task pipes its batch of documents, as JSON lines `{"id", "text"}`, through one
`scitag tag --input-format jsonl --format jsonl -` process and reads back one JSON object per document (`id`, `entities`).
scitag runs its own two inference threads per process, so give each task that many CPUs.

    python examples/batch/ray_tag.py --input docs.jsonl --output tagged.jsonl [--scitag PATH]

`docs.jsonl` holds one `{"id": ..., "text": ...}` per line (Markdown or LaTeX with `--language`).
The output has one line per document, in input order: `{"id", "entities": [{"start", "end",
"text", "label", "score", ...}]}`, offsets in bytes of the UTF-8 text (`char_start`/`char_end` in
characters).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys


def tag_batch(batch: dict, scitag: str, language: str) -> dict:
    """A Ray `map_batches` function: the batch's documents through one scitag process."""
    lines = "".join(
        json.dumps({"id": str(doc_id), "text": text}, ensure_ascii=False) + "\n"
        for doc_id, text in zip(batch["id"], batch["text"])
    )
    done = subprocess.run(
        [scitag, "tag", "--input-format", "jsonl", "--format", "jsonl", "--language", language, "-"],
        input=lines.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"scitag failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    results = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines() if line.strip()]
    by_id = {result["id"]: result for result in results}
    ids = [str(doc_id) for doc_id in batch["id"]]
    missing = [doc_id for doc_id in ids if doc_id not in by_id]
    if missing:
        raise RuntimeError(f"scitag returned no result for {missing[:5]}")
    return {
        "id": ids,
        "entities": [json.dumps(by_id[doc_id]["entities"], ensure_ascii=False) for doc_id in ids],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="JSON lines of {id, text}")
    parser.add_argument("--output", required=True, help="JSON lines of {id, entities}")
    parser.add_argument("--scitag", default=shutil.which("scitag") or "target/release/scitag")
    parser.add_argument("--language", default="plain", choices=["plain", "markdown", "latex"])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--cpus-per-task", type=float, default=2)
    args = parser.parse_args()

    import ray  # imported here so `--help` works without Ray

    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
    scitag = os.path.abspath(args.scitag)
    dataset = ray.data.read_json(os.path.abspath(args.input), lines=True)
    tagged = dataset.map_batches(
        tag_batch,
        fn_kwargs={"scitag": scitag, "language": args.language},
        batch_size=args.batch_size,
        batch_format="numpy",
        num_cpus=args.cpus_per_task,
    )
    count = 0
    with open(args.output, "w", encoding="utf-8") as out:
        for row in tagged.iter_rows():
            out.write(json.dumps({"id": row["id"], "entities": json.loads(row["entities"])}, ensure_ascii=False) + "\n")
            count += 1
    print(f"ray_tag: {count} documents tagged", file=sys.stderr)
    ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
