#!/usr/bin/env python3
"""Build the benchmark manuscript: about 20,000 words of real Markdown from ../shared/corpus/markdown.

The files are concatenated whole, in a fixed order (the one with YAML front matter first, so the front
matter stays valid), separated by a blank line, and the last file is cut at the first blank line after the
running word count (whitespace-separated words of the source, as `wc -w` counts them) reaches --words.
The result is generated at bench time and never committed (the corpus licences are in
../shared/corpus/LICENSES). Deterministic: the same corpus gives the same bytes.

    python3 scripts/make_manuscript.py --out target/bench/manuscript.md [--words 20000]
"""

import argparse
import pathlib
import sys

ORDER = [
    "gc-cytokines-introduction.md",
    "deep-review-study.md",
    "phenoplier-methods.md",
    "gc-cytokines-methods.md",
    "fcgr-binding-results.md",
    "gc-cytokines-supplement.md",
    "phenoplier-crispr.md",
    "fcgr-binding-supplement.md",
]


def build(corpus: pathlib.Path, target_words: int) -> str:
    parts = []
    words = 0
    for name in ORDER:
        text = (corpus / name).read_text(encoding="utf-8").strip("\n")
        blocks = text.split("\n\n")
        kept = []
        for block in blocks:
            kept.append(block)
            words += len(block.split())
            if words >= target_words:
                break
        parts.append("\n\n".join(kept))
        if words >= target_words:
            break
    if words < target_words:
        sys.exit(f"make_manuscript: the corpus has only {words} words, fewer than {target_words}")
    return "\n\n".join(parts) + "\n"


def main() -> None:
    here = pathlib.Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=pathlib.Path, default=here.parent.parent / "shared/corpus/markdown")
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    args = parser.parse_args()
    text = build(args.corpus, args.words)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"{args.out}: {len(text.split())} words, {len(text.encode())} bytes, {text.count(chr(10))} lines")


if __name__ == "__main__":
    main()
