#!/usr/bin/env python3
"""Build a benchmark project: --files Markdown chapters of about --words words each from
../shared/corpus/markdown, for the project index's benchmark (scripts/bench_keystroke.py --project).

The corpus is smaller than a thesis, so chapters reuse its paragraphs: chapter i takes them from a
different starting paragraph, and each paragraph is prefixed with a short sentence naming the chapter
and the paragraph ("Chapter 3, part 12."), so no two paragraphs of the project are the same prose (the
paragraph cache cannot share work between chapters, as in a real project). Deterministic; generated at
bench time, never committed.

    python3 scripts/make_project.py --out target/bench/project [--files 20] [--words 5000]
"""

import argparse
import pathlib


def paragraphs(corpus: pathlib.Path) -> list[str]:
    blocks = []
    for path in sorted(corpus.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---"):
            # Leave the YAML front matter out: it is no prose.
            end = text.find("\n---", 3)
            text = text[end + 4:] if end != -1 else text
        for block in text.split("\n\n"):
            block = block.strip("\n")
            # Prose paragraphs only: no headings, lists, tables, code or math blocks.
            if len(block.split()) >= 20 and not block.startswith(("#", "-", "*", "|", "```", "$$", "<", ">", "!", "[")):
                blocks.append(block)
    return blocks


def main() -> None:
    here = pathlib.Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=pathlib.Path, default=here.parent.parent / "shared/corpus/markdown")
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    args = parser.parse_args()
    blocks = paragraphs(args.corpus)
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for chapter in range(args.files):
        parts = [f"# Chapter {chapter + 1}"]
        words = 0
        index = chapter * 37
        part = 0
        while words < args.words:
            block = blocks[index % len(blocks)]
            part += 1
            parts.append(f"Chapter {chapter + 1}, part {part}. {block}")
            words += len(block.split()) + 4
            index += 1
        text = "\n\n".join(parts) + "\n"
        (args.out / f"chapter-{chapter + 1:02}.md").write_text(text, encoding="utf-8")
        total += words
    print(f"{args.out}: {args.files} files, about {total} words")


if __name__ == "__main__":
    main()
