"""Masking throughput on one core: MB/s of `Masker.mask_text` over the labeled corpus
(benchmarks/mask/corpus.py: every detector type, hard negatives, encoded forms) joined
into ~1 MB texts, with the built-in catalog, and with 10 and 50 custom detectors added
(the cost per detector). A benchmark, not a test: medians of several runs, printed.

    .venv/bin/python benchmarks/mask/throughput.py [--runs 7] [--mb 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from coresdk import Masker
from corpus import generate  # noqa: E402


def texts(megabytes: int) -> list[str]:
    lines = [s["text"] for s in generate(11, 40_000)]
    blob = "\n".join(lines)
    while len(blob.encode()) < megabytes * 1_000_000:
        blob += "\n" + blob
    size = 1_000_000
    raw = blob.encode()[: megabytes * size]
    return [raw[i : i + size].decode(errors="ignore") for i in range(0, len(raw), size)]


def clean_texts(megabytes: int) -> list[str]:
    """Log lines with no findings (the common case in production)."""
    line = "2026-11-22T10:00:00Z INFO request handled path=/v1/items status=200 duration_ms=12 user_agent=curl/8.5\n"
    return [line * (1_000_000 // len(line))] * megabytes


def mb_per_s(masker: Masker, chunks: list[str], runs: int) -> tuple[float, float]:
    size = sum(len(c.encode()) for c in chunks) / 1e6
    masker.mask_text(chunks[0])  # warm-up: the catalog compiles on first use
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for chunk in chunks:
            masker.mask_text(chunk)
        times.append(time.perf_counter() - start)
    med = statistics.median(times)
    spread = (max(times) - min(times)) / med
    return size / med, spread


def custom(n: int) -> list[dict[str, str]]:
    return [{"type": f"CUSTOM_{i}", "pattern": f"CX{i:03d}-[0-9]{{6}}"} for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--mb", type=int, default=4)
    args = parser.parse_args()
    mixed, clean = texts(args.mb), clean_texts(args.mb)
    print(f"{args.mb} MB per run, median of {args.runs} runs, one thread")
    print("| catalog | mixed corpus MB/s | clean log lines MB/s | spread (mixed) |")
    print("| --- | --- | --- | --- |")
    base = None
    for n in (0, 10, 50):
        masker = Masker(custom_detectors=custom(n)) if n else Masker()
        m, spread = mb_per_s(masker, mixed, args.runs)
        c, _ = mb_per_s(masker, clean, args.runs)
        base = base or m
        label = "built-in" if n == 0 else f"built-in + {n} custom"
        print(f"| {label} | {m:.1f} | {c:.1f} | {spread:.0%} |")


if __name__ == "__main__":
    main()
