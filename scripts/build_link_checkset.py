#!/usr/bin/env python3
"""Write tests/fixtures/link/checkset.tsv: the default model's mentions in the corpus manuscripts
with the identifiers judged by hand in tests/fixtures/link/checkset_gold.py (issue 16).

    cargo build --release
    ./target/release/scitag tag --format bioc-json ../shared/corpus/markdown/*.md \\
        ../shared/corpus/latex/*.tex > /tmp/corpus.bioc.json
    python3 scripts/build_link_checkset.py /tmp/corpus.bioc.json

Every cell-type and cell-line mention of the corpus is in the set, and the gene/protein mentions
(protein, DNA, RNA) of four manuscripts (GENE_FILES). The gold of a mention is judged from its
context, never from the linker's answer; "?" (undecided) leaves a mention out. A mention whose
(file, text) has no judgement stops the script, so a new model's mentions must be judged first.
"""
import gzip
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "fixtures", "link"))
from checkset_gold import BY_CLASS, G, GENE_FILES  # noqa: E402


def main():
    bioc = json.load(open(sys.argv[1], encoding="utf-8"))
    symbols = {}
    with gzip.open(os.path.join(HERE, "..", "data", "link", "hgnc.tsv.gz"), "rt", encoding="utf-8") as table:
        for line in table:
            fields = line.rstrip("\n").split("\t")
            if fields[3] == "A":
                symbols[fields[1]] = "HGNC:" + fields[0]
    rows, missing = [], set()
    for document in bioc["documents"]:
        path = document["id"]
        name = os.path.basename(path)
        source = open(path, encoding="utf-8").read().encode("utf-8")
        for passage in document["passages"]:
            for annotation in passage["annotations"]:
                infons = annotation["infons"]
                label = infons["type"]
                start, length = int(infons["source_offset"]), int(infons["source_length"])
                text = source[start:start + length].decode("utf-8")
                if label in ("protein", "DNA", "RNA") and name not in GENE_FILES:
                    continue
                gold = BY_CLASS.get((name, text, label), G.get((name, text)))
                if gold is None:
                    missing.add((name, text))
                    continue
                if gold == "?":
                    continue
                if gold.startswith("sym:"):
                    gold = symbols[gold[4:]]
                rows.append((name, infons["line"], label, annotation["text"], gold))
    if missing:
        sys.exit(f"no judgement for {sorted(missing)}")
    out_path = os.path.join(HERE, "..", "tests", "fixtures", "link", "checkset.tsv")
    with open(out_path, "w", encoding="utf-8") as out:
        out.write("# file\tline\tclass\tmention (prose)\tgold identifier (- = no entry is right)\n")
        for row in rows:
            out.write("\t".join(str(field) for field in row) + "\n")
    print(f"{len(rows)} mentions written to {out_path}")


if __name__ == "__main__":
    main()
