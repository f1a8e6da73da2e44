"""Results of a run: counts per source, the JSON report, and the docs section."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from case import Case
from outcome import Outcome, Verdict

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "COMPATIBILITY.md"
BEGIN = "<!-- differential:begin -->"
END = "<!-- differential:end -->"
SOURCES = ("conformance", "packages", "workloads", "libraries", "fixtures")


@dataclass
class Results:
    """Every verdict of a run, with the cases that were not plain agreements."""

    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    findings: list[dict[str, Any]] = field(default_factory=list)
    typed_codes: Counter[str] = field(default_factory=Counter)

    def add(self, case: Case, opa: Outcome, sdk: Outcome, verdict: Verdict, listed: bool) -> None:
        self.counts[case.source][verdict.value] += 1
        if verdict is Verdict.TYPED_ERROR:
            self.typed_codes[sdk.code] += 1
        if verdict is Verdict.AGREE:
            return
        finding = {"verdict": verdict.value, **case.to_json(), "opa": opa.to_json(), "coresdk": sdk.to_json()}
        if verdict is Verdict.DISAGREE:
            finding["known"] = listed
        self.findings.append(finding)

    def total(self, verdict: Verdict) -> int:
        return sum(c[verdict.value] for c in self.counts.values())

    def table(self) -> list[str]:
        """A Markdown table of the counts per source."""
        rows = [
            "| source | cases | agree | typed error | error kind differs | disagree |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for source in [s for s in SOURCES if s in self.counts] + sorted(set(self.counts) - set(SOURCES)):
            c = self.counts[source]
            cells = [c[v.value] for v in (Verdict.AGREE, Verdict.TYPED_ERROR, Verdict.ERROR_KIND, Verdict.DISAGREE)]
            rows.append(f"| {source} | {sum(c.values())} | " + " | ".join(str(n) for n in cells) + " |")
        return rows

    def write_json(self, path: Path, meta: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {
            **meta,
            "counts": {s: dict(c) for s, c in self.counts.items()},
            "typed_error_codes": dict(self.typed_codes),
            "disagreements": [f for f in self.findings if f["verdict"] == Verdict.DISAGREE.value],
            "typed_errors": [f for f in self.findings if f["verdict"] == Verdict.TYPED_ERROR.value],
            "error_kind": [f for f in self.findings if f["verdict"] == Verdict.ERROR_KIND.value],
        }
        path.write_text(json.dumps(body, indent=1, sort_keys=False) + "\n", encoding="utf-8")

    def write_docs(self, command: str, seconds: float, causes: list[tuple[str, int]], docs: Path = DOCS) -> None:
        """Replaces (or appends at the end) the marked section of ``docs``; ``causes`` are
        the known disagreements' causes with their counts."""
        body = "\n".join(
            [
                BEGIN,
                (
                    f"Measured with `{command}` ({seconds:.0f} s): the same modules, data, input and"
                    " question asked of OPA v1.22.2 (`opa run --server`) and of CoreSDK. *Typed error*:"
                    " OPA answered and CoreSDK raised a typed error (allowed: same answer or a typed"
                    " error); *error kind differs*: both refused, at different stages; *disagree*: a"
                    " different answer. Each disagreement is in `target/differential/report.json`; the"
                    " known ones are listed by cause in `tests/differential/known-disagreements.txt`."
                ),
                "",
                *self.table(),
                "",
                "Known disagreements by cause (case ids listed, across the quick and default runs):",
                "",
                *([f"- {cause}: {count}" for cause, count in causes] or ["- none"]),
                END,
            ]
        )
        text = docs.read_text(encoding="utf-8") if docs.exists() else ""
        if BEGIN in text and END in text:
            text = text[: text.index(BEGIN)] + body + text[text.index(END) + len(END) :]
        else:
            text = text.rstrip("\n") + "\n\n" + body + "\n"
        docs.write_text(text, encoding="utf-8")
