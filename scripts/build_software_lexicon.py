#!/usr/bin/env python3
"""Build `src/analysis/software.txt`, the known-software names the software guard drops.

The names are the packages of Debian's science and medicine task lists (Debian Med's `med-bio`,
`med-bio-dev`, … and Debian Science's `science-biology`, `science-machine-learning`, …): aligners,
assemblers, variant callers, statistics and machine-learning libraries — the tools a methods section
names (`minimap2`, `bwa`, `ngmlr`, `samtools`, `umap-learn`). Packaging affixes are taken off
(`python3-`, `r-cran-`, `r-bioc-`, `-dev`, …) and a `-learn`/`+` form adds its short name.

A name is left out when it could be an entity: shorter than three characters, no letter, or equal
(case-insensitively) to a gold entity or to any word of a gold entity in the training sets of
JNLPBA (protein, DNA, RNA, cell type, cell line), BC2GM (genes), BC5CDR (chemicals, diseases),
NCBI-disease and LINNAEUS (species) — `StAR` is a protein, so `star` (the aligner) is not listed.

Run on a Debian machine with the package lists (`apt-get update`):

    python3 scripts/build_software_lexicon.py [--data ../shared/data] [--out src/analysis/software.txt]

The realms dev set is not read (it measures the guard; it must not shape it).
"""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TASKS = [
    "med-bio", "med-bio-dev", "med-cloud", "med-research", "med-statistics", "med-epi",
    "science-biology", "science-machine-learning", "science-statistics", "science-workflow",
    "science-numericalcomputation", "science-mathematics", "science-datamanagement",
]
PREFIXES = ("python3-", "python-", "r-cran-", "r-bioc-", "r-other-", "node-", "golang-", "ruby-", "perl-")
SUFFIXES = ("-dev", "-bin", "-cli", "-data", "-tools", "-utils", "-common", "-examples", "-java", "-perl",
            "-python", "-mpi", "-openmpi", "-mpich", "-cuda")
TRAINING_SETS = ["jnlpba/train.tsv", "jnlpba/dev.tsv", "bc2gm/train.tsv", "bc5cdr/train.tsv",
                 "ncbi-disease/train.tsv", "linnaeus/train.tsv"]


def task_packages(task: str) -> list[str]:
    out = subprocess.run(["apt-cache", "show", task], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"apt-cache show {task} failed: {out.stderr.strip()} (run apt-get update?)")
    names = []
    for line in out.stdout.splitlines():
        field, _, value = line.partition(": ")
        if field in ("Depends", "Recommends", "Suggests"):
            for item in re.split(r"[,|]", value):
                name = re.sub(r"\s*\(.*", "", item).strip()
                if name:
                    names.append(name)
    return names


def short_names(package: str) -> set[str]:
    if package.startswith("lib") or package.endswith("-doc"):
        return set()
    name = package
    for prefix in PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
    changed = True
    while changed:
        changed = False
        for suffix in SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                changed = True
    names = {name}
    for tail in ("-learn", "+"):
        if name.endswith(tail):
            names.add(name[: -len(tail)])
    return names


def entity_strings(data: Path) -> set[str]:
    """Every gold entity (its words joined with and without spaces) and every word of one, lowercase."""
    seen: set[str] = set()
    for rel in TRAINING_SETS:
        path = data / rel
        if not path.exists():
            raise SystemExit(f"missing {path}")
        words: list[str] = []

        def flush() -> None:
            if words:
                seen.add(" ".join(words).lower())
                seen.add("".join(words).lower())
                seen.update(w.lower() for w in words)
                words.clear()

        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) < 2 or not line.strip():
                flush()
                continue
            word, label = parts[0], parts[-1]
            if label.startswith("B-"):
                flush()
                words.append(word)
            elif label.startswith("I-") and words:
                words.append(word)
            else:
                flush()
        flush()
    return seen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--out", type=Path, default=ROOT / "src/analysis/software.txt")
    args = ap.parse_args()

    candidates: set[str] = set()
    for task in TASKS:
        for package in task_packages(task):
            candidates |= short_names(package)
    entities = entity_strings(args.data)
    kept = sorted(
        name for name in candidates
        if len(name) >= 3 and re.search(r"[a-z]", name) and name not in entities
    )
    dropped = sorted(name for name in candidates if name in entities)
    header = (
        "# Known software names for the software guard (src/analysis/guards.rs), one per line, lowercase.\n"
        "# Generated by scripts/build_software_lexicon.py from Debian's science and medicine task lists,\n"
        "# minus every name that is a gold entity or a word of one in the training sets. Do not edit by hand.\n"
    )
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(header + "".join(f"{name}\n" for name in kept), encoding="utf-8")
    tmp.replace(args.out)
    print(f"{len(candidates)} names from {len(TASKS)} task lists; {len(dropped)} are entities in the training sets "
          f"({', '.join(dropped[:40])}{' …' if len(dropped) > 40 else ''}); wrote {len(kept)} to {args.out}")


if __name__ == "__main__":
    main()
