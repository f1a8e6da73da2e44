"""Measures the masker on the labeled corpus (corpus.py): per type, recall (every byte of
a labeled value covered by findings, so nothing of it survives masking), typed recall (a
finding of the labeled type covers it), and precision (findings that overlap a labeled
value, over all findings, false positives counted on the hard negatives too).

    .venv/bin/python benchmarks/mask/evaluate.py [--seed 7] [--count 6000] [--check] [--json out.json]

`--check` fails (exit 1) unless recall is 100% on every secret type and >= 99.5% on
validated PII, in the plain forms and (counted apart) in the encoded forms (URL-encoded,
base64), and precision is >= 99% overall.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from coresdk import Masker
from corpus import ENCODED_FORMS, generate  # noqa: E402

PII = {"EMAIL", "CREDIT_CARD", "IBAN", "US_SSN", "PHONE_NUMBER", "IP_ADDRESS"}


def covered(findings: list, start: int, end: int) -> bool:
    """True when the findings cover every byte of start..end."""
    at = start
    for f in sorted(findings, key=lambda f: f.start):
        if f.start <= at < f.end:
            at = f.end
        if at >= end:
            return True
    return at >= end


def evaluate(seed: int, count: int) -> dict:
    masker = Masker()
    samples = generate(seed, count)
    stats: dict[str, dict[str, dict[str, int]]] = {
        "plain": defaultdict(lambda: defaultdict(int)),
        "encoded": defaultdict(lambda: defaultdict(int)),
    }
    found_by_type: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    false_positives: list[dict] = []
    misses: list[dict] = []
    for sample in samples:
        group = "encoded" if sample["form"] in ENCODED_FORMS else "plain"
        findings = masker.scan(sample["text"])
        for span in sample["spans"]:
            row = stats[group][span["type"]]
            row["total"] += 1
            if covered(findings, span["start"], span["end"]):
                row["masked"] += 1
            elif group == "plain" and len(misses) < 20:
                misses.append({"type": span["type"], "text": sample["text"]})
            if any(
                f.type == span["type"] and f.start <= span["start"] and f.end >= span["end"]
                for f in findings
            ):
                row["typed"] += 1
        for f in findings:
            hit = any(f.start < s["end"] and s["start"] < f.end for s in sample["spans"])
            found_by_type[f.type]["tp" if hit else "fp"] += 1
            if not hit and len(false_positives) < 20:
                false_positives.append({"type": f.type, "text": sample["text"]})
    tp = sum(r["tp"] for r in found_by_type.values())
    fp = sum(r["fp"] for r in found_by_type.values())
    return {
        "seed": seed,
        "samples": len(samples),
        "labeled": {g: sum(r["total"] for r in rows.values()) for g, rows in stats.items()},
        "negatives": sum(1 for s in samples if not s["spans"]),
        "recall": {g: {t: dict(r) for t, r in sorted(rows.items())} for g, rows in stats.items()},
        "precision": {t: dict(r) for t, r in sorted(found_by_type.items())},
        "overall_precision": tp / (tp + fp) if tp + fp else 1.0,
        "misses": misses,
        "false_positives": false_positives,
    }


def check(report: dict) -> list[str]:
    problems = []
    for group in ("plain", "encoded"):
        for kind, row in report["recall"][group].items():
            recall = row.get("masked", 0) / row["total"]
            floor = 0.995 if kind in PII else 1.0
            if recall < floor:
                problems.append(f"{group} recall of {kind} {recall:.4f} < {floor}")
    if report["overall_precision"] < 0.99:
        problems.append(f"precision {report['overall_precision']:.4f} < 0.99")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--count", type=int, default=6000)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report = evaluate(args.seed, args.count)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"{report['samples']} samples: {report['labeled']['plain']} plain and {report['labeled']['encoded']} encoded positives, {report['negatives']} hard negatives"
    )
    print(
        "| type | plain: masked / total | typed | encoded: masked / total | findings | false positives | precision |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    kinds = sorted(
        set(report["recall"]["plain"]) | set(report["recall"]["encoded"]) | set(report["precision"])
    )
    for kind in kinds:
        p = report["recall"]["plain"].get(kind, {})
        e = report["recall"]["encoded"].get(kind, {})
        f = report["precision"].get(kind, {})
        found = f.get("tp", 0) + f.get("fp", 0)
        prec = f"{f.get('tp', 0) / found:.2%}" if found else "—"
        plain = (
            f"{p.get('masked', 0)} / {p['total']} ({p.get('masked', 0) / p['total']:.2%})"
            if p
            else "—"
        )
        enc = f"{e.get('masked', 0)} / {e['total']}" if e else "—"
        print(
            f"| `{kind}` | {plain} | {p.get('typed', 0)} | {enc} | {found} | {f.get('fp', 0)} | {prec} |"
        )
    print(f"overall precision {report['overall_precision']:.4%}")
    for m in report["misses"][:10]:
        print("MISS", m["type"], m["text"][:160])
    for m in report["false_positives"][:10]:
        print("FALSE POSITIVE", m["type"], m["text"][:160])
    if args.check:
        problems = check(report)
        for p in problems:
            print("CHECK FAILED:", p)
        sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
