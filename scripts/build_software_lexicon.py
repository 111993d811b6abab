#!/usr/bin/env python3
"""Build `src/analysis/software.txt` and `src/analysis/names.txt`, the names the guards drop.

`software.txt` — known software names:
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

`names.txt` — known names that are never entities, by kind (software, database, company,
technique, ml, virus, measure): the hand-curated seed `scripts/lexicon/known_names.txt`, lowercased,
minus every name that is a whole gold entity of the JNLPBA and BC2GM training sets (a name that is only a word of one
stays: `HIV-1` is a virus although `HIV-1 LTR` is DNA). `--names-only` rebuilds just this file (no
Debian package lists needed).

`modifiers.txt` — descriptive modifiers the guards trim from an entity's start: the seed
`scripts/lexicon/modifiers.txt`, minus every word that JNLPBA train starts gold entities with at
least as often as it stands just before one (`human`, `activated`, `primary` stay in names). Built
with `--names-only` too.

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


# The names are dropped only when the model calls them a molecule or a cell (JNLPBA's classes), so
# only the sets of those classes (and of genes) can veto one: HIV is a species in LINNAEUS, not a protein.
NAME_SETS = ["jnlpba/train.tsv", "jnlpba/dev.tsv", "bc2gm/train.tsv"]


def entity_strings(data: Path, words_too: bool = True, sets: list[str] = TRAINING_SETS) -> set[str]:
    """Every gold entity (its words joined with and without spaces) and every word of one, lowercase."""
    seen: set[str] = set()
    for rel in sets:
        path = data / rel
        if not path.exists():
            raise SystemExit(f"missing {path}")
        words: list[str] = []

        def flush() -> None:
            if words:
                seen.add(" ".join(words).lower())
                seen.add("".join(words).lower())
                if words_too:
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


def read_seed(path: Path) -> list[tuple[str, str]]:
    """`(kind, lowercase name)` pairs of the curated seed, in file order, without duplicates."""
    kind, pairs, seen = None, [], set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            kind = line[1:-1]
            continue
        if kind is None:
            raise SystemExit(f"{path}:{number}: a name before the first [kind] line")
        name = " ".join(line.lower().split())
        if name not in seen:
            seen.add(name)
            pairs.append((kind, name))
    return pairs


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def build_names(data: Path, seed: Path, out: Path) -> None:
    whole_entities = entity_strings(data, words_too=False, sets=NAME_SETS)
    pairs = read_seed(seed)
    kept = [(kind, name) for kind, name in pairs if name not in whole_entities and name.rstrip("s") not in whole_entities]
    dropped = [name for kind, name in pairs if (kind, name) not in kept]
    header = (
        "# Known names that are never entities, `kind<TAB>name`, lowercase (src/analysis/names.rs).\n"
        "# Generated by scripts/build_software_lexicon.py from scripts/lexicon/known_names.txt, minus every\n"
        "# name that is a whole gold entity in the training sets. Do not edit by hand.\n"
    )
    write_atomically(out, header + "".join(f"{kind}\t{name}\n" for kind, name in sorted(kept)))
    print(f"{len(pairs)} curated names; {len(dropped)} are entities in the training sets "
          f"({', '.join(dropped)}); wrote {len(kept)} to {out}")


def modifier_counts(path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """How often each lowercase word starts a gold entity, and stands (untagged) just before one."""
    first: dict[str, int] = {}
    before: dict[str, int] = {}
    sentence: list[tuple[str, str]] = []

    def flush() -> None:
        for index, (word, label) in enumerate(sentence):
            lower = word.lower()
            if label.startswith("B-"):
                first[lower] = first.get(lower, 0) + 1
            if label == "O" and index + 1 < len(sentence) and sentence[index + 1][1].startswith("B-"):
                before[lower] = before.get(lower, 0) + 1
        sentence.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not line.strip():
            flush()
            continue
        sentence.append((parts[0], parts[-1]))
    flush()
    return first, before


def build_modifiers(data: Path, seed: Path, out: Path) -> None:
    words = [line.strip().lower() for line in seed.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    first, before = modifier_counts(data / "jnlpba/train.tsv")
    kept, dropped = [], []
    for word in dict.fromkeys(words):
        (dropped if first.get(word, 0) >= max(1, before.get(word, 0)) else kept).append(word)
    header = (
        "# Modifiers the guards trim from an entity's start (src/analysis/guards.rs), lowercase.\n"
        "# Generated by scripts/build_software_lexicon.py from scripts/lexicon/modifiers.txt, minus every\n"
        "# word JNLPBA train starts gold entities with at least as often as it stands before one.\n"
    )
    write_atomically(out, header + "".join(f"{word}\n" for word in sorted(kept)))
    print(f"{len(words)} modifiers; {len(dropped)} start JNLPBA entities as often as not "
          f"({', '.join(f'{w} {first.get(w, 0)}/{before.get(w, 0)}' for w in dropped)}); wrote {len(kept)} to {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--out", type=Path, default=ROOT / "src/analysis/software.txt")
    ap.add_argument("--seed", type=Path, default=ROOT / "scripts/lexicon/known_names.txt")
    ap.add_argument("--names-out", type=Path, default=ROOT / "src/analysis/names.txt")
    ap.add_argument("--modifiers-seed", type=Path, default=ROOT / "scripts/lexicon/modifiers.txt")
    ap.add_argument("--modifiers-out", type=Path, default=ROOT / "src/analysis/modifiers.txt")
    ap.add_argument("--names-only", action="store_true",
                    help="only rebuild names.txt and modifiers.txt (no Debian package lists)")
    args = ap.parse_args()

    build_names(args.data, args.seed, args.names_out)
    build_modifiers(args.data, args.modifiers_seed, args.modifiers_out)
    if args.names_only:
        return

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
    write_atomically(args.out, header + "".join(f"{name}\n" for name in kept))
    print(f"{len(candidates)} names from {len(TASKS)} task lists; {len(dropped)} are entities in the training sets "
          f"({', '.join(dropped[:40])}{' …' if len(dropped) > 40 else ''}); wrote {len(kept)} to {args.out}")


if __name__ == "__main__":
    main()
