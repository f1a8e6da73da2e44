"""Masking from Python side by side (issue 6): CoreSDK `Masker` against Microsoft Presidio
(`presidio-analyzer` + `presidio-anonymizer`) and a hand-written `re` loop (the baseline a
team writes itself), on the inputs of `mask_inputs.py` (log lines, JSON API payloads, span
attribute maps). For each tool: MB/s and items/s on one core, p99 per item, and beside the
speed what it detected on the same inputs (labeled values hidden, values kept, items where
it agrees with CoreSDK). Runs are interleaved, after a warm-up.

Presidio runs its pattern recognizers only: its spaCy NLP model (`en_core_web_lg`) is
downloaded from GitHub, which this machine cannot reach, so the NLP engine is a blank
English spaCy pipeline (tokenizer, no named-entity model): no PERSON/LOCATION detection.
Its email recognizer's public-suffix lookup uses tldextract's bundled snapshot (offline).

    target/bench/venv/bin/python benchmarks/compare/mask.py --inputs target/bench/mask-inputs.json --out target/bench/results/masking-python.json [--size smoke|full]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable

from coresdk import Masker
from stats import format_us, percentile, ratio_label, write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

# The same ten patterns as the hand-written loop of mask.mjs.
HAND_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), False),
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), False),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), False),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"), False),
    (re.compile(r"\+?\d[\d ()-]{8,}\d"), False),
    (re.compile(r"\b(?:Bearer|Basic)\s+[\w.~+/-]+=*", re.I), False),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), False),
    (re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]+"), False),
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|sk-[A-Za-z0-9_-]{20,}|xox[abprs]-[\w-]+)"), False),
    (
        re.compile(
            r"((?:password|passwd|secret|token|api[_-]?key)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,]+", re.I
        ),
        True,
    ),
]
SECRET_KEY = re.compile(r"pass|secret|token|auth|api[_-]?key", re.I)


def hand_text(text: str) -> str:
    for pattern, keeps_prefix in HAND_PATTERNS:
        text = pattern.sub(r"\1[REDACTED]" if keeps_prefix else "[REDACTED]", text)
    return text


def map_strings(
    value: Any, f: Callable[[str], str], by_key: Callable[[str], bool] | None = None
) -> Any:
    if isinstance(value, str):
        return f(value)
    if isinstance(value, list):
        return [map_strings(v, f, by_key) for v in value]
    if isinstance(value, dict):
        return {
            k: "[REDACTED]" if by_key and by_key(k) else map_strings(v, f, by_key)
            for k, v in value.items()
        }
    return value


def presidio() -> Callable[[str], str]:
    import spacy
    import tldextract

    # Offline: the bundled public-suffix snapshot instead of a download from GitHub.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())  # type: ignore[assignment]
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    model = tempfile.mkdtemp(prefix="blank-en-")
    spacy.blank("en").to_disk(model)
    nlp = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": model}],
        }
    ).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    anonymizer = AnonymizerEngine()

    def run(text: str) -> str:
        return anonymizer.anonymize(text, analyzer.analyze(text, language="en")).text

    return run


Tool = tuple[str, Callable[[Any], str]]

BATCH = 100  # lines per `mask_texts` call in the batch row


class Batched:
    """A tool that masks ``BATCH`` items per call (timed per batch, the latency of an item
    being its batch's time over the batch size); called with one item, a batch of one."""

    def __init__(self, run_batch: Callable[[list[Any]], list[str]]) -> None:
        self.run_batch = run_batch

    def __call__(self, item: Any) -> str:
        return self.run_batch([item])[0]


def tools() -> tuple[list[Tool], list[Tool]]:
    masker = Masker()
    pres = presidio()
    lines: list[Tool] = [
        ("CoreSDK `mask_text`", masker.mask_text),
        (f"CoreSDK `mask_texts` (batches of {BATCH})", Batched(masker.mask_texts)),
        ("Presidio analyze + anonymize (pattern recognizers, blank spaCy)", pres),
        ("hand-written `re` loop (10 patterns)", hand_text),
    ]
    objects: list[Tool] = [
        (
            "CoreSDK `mask_value` (detectors + sensitive keys)",
            lambda v: json.dumps(masker.mask_value(v)),
        ),
        ("Presidio on every string", lambda v: json.dumps(map_strings(v, pres))),
        (
            "hand-written `re` loop on every string + key names",
            lambda v: json.dumps(
                map_strings(v, hand_text, lambda k: SECRET_KEY.search(k) is not None)
            ),
        ),
    ]
    return lines, objects


def score(output: str, item: dict[str, Any]) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
    return tuple(s not in output for s in item["secrets"]), tuple(s in output for s in item["keep"])


def pct(a: int, b: int) -> str:
    return f"{a / b * 100:.1f}%" if b else "—"


def compare(
    title: str,
    tools_: list[Tool],
    items: list[dict[str, Any]],
    seconds: float,
    rounds: int,
    notes: list[str],
) -> tuple[dict, dict]:
    verdicts = [[score(run(item["input"]), item) for item in items] for _, run in tools_]
    timings: list[dict[str, list[float]]] = [{"mbps": [], "rate": [], "lat": []} for _ in tools_]

    # Units of work: one item per call, or BATCH items per call for a `Batched` tool (the
    # latency of an item is then its batch's time over the batch size).
    single = [([item["input"]], item["bytes"]) for item in items]
    batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    batched = [([x["input"] for x in b], sum(x["bytes"] for x in b)) for b in batches]

    def measure(run: Callable[[Any], str]) -> tuple[float, float, list[float]]:
        units = batched if isinstance(run, Batched) else single
        call = run.run_batch if isinstance(run, Batched) else (lambda xs: run(xs[0]))
        lat: list[float] = []
        size = 0
        start = time.perf_counter()
        deadline = start + seconds
        n = 0
        while time.perf_counter() < deadline:
            unit, unit_bytes = units[n % len(units)]
            t0 = time.perf_counter_ns()
            call(unit)
            lat += [(time.perf_counter_ns() - t0) / 1000 / len(unit)] * len(unit)
            size += unit_bytes
            n += 1
        elapsed = time.perf_counter() - start
        return size / 1e6 / elapsed, len(lat) / elapsed, lat

    for _, run in tools_:
        measure(run)  # warm-up
    for _ in range(rounds):
        for i, (_, run) in enumerate(tools_):
            mbps, rate, lat = measure(run)
            timings[i]["mbps"].append(mbps)
            timings[i]["rate"].append(rate)
            timings[i]["lat"] += lat
    base = statistics.median(timings[0]["rate"])
    rows, raw = [], {}
    for i, (name, _) in enumerate(tools_):
        t = timings[i]
        rate = statistics.median(t["rate"])
        hidden = sum(sum(h) for h, _ in verdicts[i])
        secrets = sum(len(h) for h, _ in verdicts[i])
        kept = sum(sum(k) for _, k in verdicts[i])
        keeps = sum(len(k) for _, k in verdicts[i])
        agree = sum(a == b for a, b in zip(verdicts[i], verdicts[0]))
        noise = round((max(t["rate"]) - min(t["rate"])) / rate * 100)
        rows.append(
            [
                name,
                f"{statistics.median(t['mbps']):.2f}",
                f"{rate:,.0f}",
                format_us(percentile(t["lat"], 99)),
                f"{noise}%",
                "baseline" if i == 0 else ratio_label(base, rate),
                pct(hidden, secrets),
                pct(kept, keeps),
                "—" if i == 0 else pct(agree, len(items)),
            ]
        )
        raw[name] = {
            "mbps": t["mbps"],
            "rate": t["rate"],
            "p50": percentile(t["lat"], 50),
            "p99": percentile(t["lat"], 99),
            "hidden": hidden,
            "secrets": secrets,
            "kept": kept,
            "keeps": keeps,
            "agree": agree,
        }
    total_kb = sum(item["bytes"] for item in items) / 1000
    table = {
        "title": title,
        "columns": [
            "tool",
            "MB/s",
            "items/s",
            "p99 per item",
            "spread",
            "vs CoreSDK",
            "labeled values hidden",
            "values kept",
            "same result as CoreSDK",
        ],
        "rows": rows,
        "notes": [
            f"{len(items)} items, {total_kb:.1f} kB in all; medians of {rounds} rounds of {seconds} s per tool, interleaved, after a warm-up; one thread.",
            "Columns as in the Node tables: the share of labeled sensitive values gone from the output, of must-survive values still there, and of items where the tool hides and keeps exactly what CoreSDK does.",
            *notes,
        ],
    }
    return table, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("smoke", "full"), default="full")
    parser.add_argument("--inputs", default=str(ROOT / "target/bench/mask-inputs.json"))
    parser.add_argument("--out", default=str(ROOT / "target/bench/results/masking-python.json"))
    args = parser.parse_args()
    seconds, rounds = (0.2, 1) if args.size == "smoke" else (2.0, 5)
    inputs = json.loads(Path(args.inputs).read_text())
    line_items = [
        {
            "input": x["text"],
            "secrets": x["secrets"],
            "keep": x["keep"],
            "bytes": len(x["text"].encode()),
        }
        for x in inputs["lines"]
    ]

    def object_items(w: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "input": x["value"],
                "secrets": x["secrets"],
                "keep": x["keep"],
                "bytes": len(json.dumps(x["value"], separators=(",", ":")).encode()),
            }
            for x in w["items"]
        ]

    lines, objects = tools()
    presidio_note = "Presidio: pattern recognizers with a blank English spaCy pipeline (its `en_core_web_lg` model is downloaded from GitHub, unreachable here), so no PERSON/LOCATION entities; default score threshold; `<TYPE>` replacements."
    results = [
        compare(
            "Masking from Python: log lines", lines, line_items, seconds, rounds, [presidio_note]
        ),
        compare(
            "Masking from Python: JSON API payloads",
            objects,
            object_items(inputs["payloads"]),
            seconds,
            rounds,
            [
                "Python has no counterpart of fast-redact's compiled key paths in common use; the Node tables carry the key-path anchors."
            ],
        ),
        compare(
            "Masking from Python: span attribute maps",
            objects,
            object_items(inputs["spans"]),
            seconds,
            rounds,
            [],
        ),
    ]
    write_result(
        args.out,
        {
            "suite": "masking-python",
            "command": f"target/bench/venv/bin/python benchmarks/compare/mask.py --size {args.size}",
            "tables": [t for t, _ in results],
            "raw": {
                "seconds": seconds,
                "rounds": rounds,
                "presidio-analyzer": version("presidio-analyzer"),
                **{t["title"]: r for t, r in results},
            },
        },
    )
    for table, _ in results:
        print(f"masking-python: {table['title']}: done")


if __name__ == "__main__":
    main()
