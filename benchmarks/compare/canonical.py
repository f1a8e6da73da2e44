"""Canonical hashing from Python side by side (issue 6): CoreSDK `hash` (a Python value) and
`hash_json` (JSON text) against `rfc8785` (PyPI) + `hashlib` SHA-256, on the documents that
`benchmarks/compare/canonical.mjs` writes to target/bench/canonical/ (run that first), so
both languages hash the same bytes. Every tool must give the same hash of every document
before timing.

    target/bench/venv/bin/python benchmarks/compare/canonical.py --out target/bench/results/canonical-python.json [--size smoke|full]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable

import coresdk
import rfc8785
from stats import format_us, percentile, ratio_label, write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "target/bench/canonical"
SIZES = {"smoke": ("1 KB", "100 KB"), "full": ("1 KB", "100 KB", "10 MB")}


def anchor(value: Any) -> str:
    return hashlib.sha256(rfc8785.dumps(value)).hexdigest()


def measure(run: Callable[[Any], str], arg: Any, seconds: float) -> tuple[float, list[float]]:
    lat: list[float] = []
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        t0 = time.perf_counter_ns()
        run(arg)
        lat.append((time.perf_counter_ns() - t0) / 1000)
        if time.perf_counter() >= deadline:
            break
    return len(lat) / (time.perf_counter() - start), lat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--out", default=str(ROOT / "target/bench/results/canonical-python.json"))
    args = parser.parse_args()
    seconds, rounds = (0.2, 1) if args.size == "smoke" else (2.0, 5)
    rows, raw = [], {}
    for label in SIZES[args.size]:
        text = (DOCS / f"{label.replace(' ', '')}.json").read_text()
        value = json.loads(text)
        size = len(text.encode())
        tools: list[tuple[str, Callable[[Any], str], Any]] = [
            ("CoreSDK `hash(value)`", coresdk.hash, value),
            ("CoreSDK `hash_json(text)`", coresdk.hash_json, text),
            ("`rfc8785.dumps` + hashlib SHA-256 (value)", anchor, value),
            (
                "`json.loads` + `rfc8785.dumps` + SHA-256 (text)",
                lambda t: anchor(json.loads(t)),
                text,
            ),
        ]
        want = anchor(value)
        for name, run, arg in tools:
            got = run(arg)
            if got != want:
                raise SystemExit(f"{label}: {name} gave {got}, rfc8785 gave {want}")
        rates: list[list[float]] = [[] for _ in tools]
        lats: list[list[float]] = [[] for _ in tools]
        for _, run, arg in tools:
            measure(run, arg, seconds)  # warm-up
        for _ in range(rounds):
            for i, (_, run, arg) in enumerate(tools):
                rate, lat = measure(run, arg, seconds)
                rates[i].append(rate)
                lats[i] += lat
        for i, (name, _, _) in enumerate(tools):
            rate = statistics.median(rates[i])
            base = statistics.median(rates[i % 2])  # value against value, text against text
            noise = round((max(rates[i]) - min(rates[i])) / rate * 100)
            rows.append(
                [
                    f"{label} ({size / 1000:.1f} kB)",
                    name,
                    f"{rate * size / 1e6:.1f}",
                    f"{rate:,.0f}",
                    format_us(percentile(lats[i], 50)),
                    format_us(percentile(lats[i], 99)),
                    f"{noise}%",
                    "baseline" if i < 2 else ratio_label(base, rate),
                ]
            )
        raw[label] = {
            "bytes": size,
            "hash": want,
            **{
                name: {
                    "rate": rates[i],
                    "p50": percentile(lats[i], 50),
                    "p99": percentile(lats[i], 99),
                }
                for i, (name, _, _) in enumerate(tools)
            },
        }
        print(f"canonical-python {label}: done")
    write_result(
        args.out,
        {
            "suite": "canonical-python",
            "command": f"target/bench/venv/bin/python benchmarks/compare/canonical.py --size {args.size}",
            "tables": [
                {
                    "title": "Canonical hashing (RFC 8785 + SHA-256) from Python",
                    "columns": [
                        "document",
                        "tool",
                        "MB/s",
                        "hashes/s",
                        "p50",
                        "p99",
                        "spread",
                        "vs CoreSDK",
                    ],
                    "rows": rows,
                    "notes": [
                        "The same documents as the Node table; every tool gave the same SHA-256 for every document before timing.",
                        "Value rows compare with CoreSDK `hash(value)` (which serialises the value with `json` first), text rows with `hash_json(text)`.",
                        f"Medians of {rounds} rounds of {seconds} s per tool, interleaved, after a warm-up; rfc8785 {version('rfc8785')}.",
                    ],
                }
            ],
            "raw": {"seconds": seconds, "rounds": rounds, **raw},
        },
    )


if __name__ == "__main__":
    main()
