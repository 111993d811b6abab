#!/usr/bin/env python3
"""Plot the keystroke latency distribution from scripts/bench_keystroke.py results (PNG).

    python scripts/bench_plot.py --out docs/keystroke-latency.png target/bench/keystroke-*.json

Left: histogram of the first result (the default model); right: the distribution of every result on a
log axis (empirical CDF), with the issue's goals (p50 <= 20 ms, p95 <= 40 ms) marked.
"""

import argparse
import json
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    args = parser.parse_args()
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in args.results]

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    first = runs[0]
    latencies = [r["latency_ms"] for r in first["records"]]
    left.hist(latencies, bins=40, color="#4c72b0")
    left.axvline(first["p50_ms"], color="black", linestyle="-", linewidth=1, label=f"p50 {first['p50_ms']:.1f} ms")
    left.axvline(first["p95_ms"], color="black", linestyle="--", linewidth=1, label=f"p95 {first['p95_ms']:.1f} ms")
    left.axvline(20, color="#c44e52", linestyle="-", linewidth=1, alpha=0.6, label="goal p50 20 ms")
    left.axvline(40, color="#c44e52", linestyle="--", linewidth=1, alpha=0.6, label="goal p95 40 ms")
    left.set_xlabel("didChange -> refreshed semantic tokens (ms)")
    left.set_ylabel("edits")
    left.set_title(f"{first['label']}: {len(latencies)} single-character edits")
    left.legend(fontsize=8)

    for run in runs:
        values = sorted(r["latency_ms"] for r in run["records"])
        if not values:
            continue
        fractions = [(i + 1) / len(values) for i in range(len(values))]
        right.step(values, fractions, where="post",
                   label=f"{run['label']} (p50 {run['p50_ms']:.0f}, p95 {run['p95_ms']:.0f} ms)")
    right.axvline(20, color="#c44e52", linestyle="-", linewidth=1, alpha=0.6)
    right.axvline(40, color="#c44e52", linestyle="--", linewidth=1, alpha=0.6)
    right.set_xscale("log")
    right.set_xlabel("latency (ms, log scale)")
    right.set_ylabel("fraction of edits")
    right.set_title("empirical CDF, 20k-word manuscript, debounce 0")
    right.legend(fontsize=8, loc="lower right")
    right.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
