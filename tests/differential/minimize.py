"""Shrinks a finding (a disagreement, a typed error, an error-kind difference) to a small
repro: drops modules, then rule clauses (blocks separated by blank lines), one at a time,
keeping each removal after which the verdict, both outcome kinds and CoreSDK's error code
stay the same.

    python tests/differential/minimize.py 'packages/s1/f3/o1/i1/data.a' [--report FILE]

Prints the smallest case found as JSON (modules in load order, data, input, question).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case import Case
from opa import OpaServer
from outcome import Outcome, Verdict, verdict
from run import OUT, opa_binary
from sdk import CoreSdk


def _case(finding: dict[str, object]) -> Case:
    modules = finding["modules"]
    assert isinstance(modules, dict)
    order = finding["module_order"]
    assert isinstance(order, list)
    return Case(
        id=str(finding["id"]),
        source=str(finding["id"]).split("/", 1)[0],
        modules=tuple((name, modules[name]) for name in order),
        data=finding.get("data") or {},  # type: ignore[arg-type]
        input=finding.get("input"),
        query=str(finding.get("query", "")),
        path=str(finding.get("path", "")),
        rego_version=int(finding.get("rego_version", 1)),  # type: ignore[call-overload]
    )


def _clauses(text: str) -> list[str]:
    return [block for block in text.split("\n\n") if block.strip()]


def minimize(case: Case, opa: OpaServer, sdk: CoreSdk) -> Case:
    def signature(c: Case) -> tuple[str, str, str, str] | None:
        a, b = opa.ask(c), sdk.ask(c)
        v = verdict(a, b)
        return None if v is Verdict.AGREE else (v.value, a.kind.value, b.kind.value, b.code)

    target = signature(case)
    if target is None:
        return case
    changed = True
    while changed:
        changed = False
        for i in range(len(case.modules)):
            smaller = replace(case, modules=case.modules[:i] + case.modules[i + 1 :])
            if i < len(case.modules) and smaller.modules and signature(smaller) == target:
                case, changed = smaller, True
                break
        for i, (name, text) in enumerate(case.modules):
            blocks = _clauses(text)
            for j in range(1, len(blocks)):  # block 0 is the package line
                shorter = "\n\n".join(blocks[:j] + blocks[j + 1 :]) + "\n"
                smaller = replace(case, modules=(*case.modules[:i], (name, shorter), *case.modules[i + 1 :]))
                if signature(smaller) == target:
                    case, changed = smaller, True
                    break
            if changed:
                break
    return case


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case_id")
    parser.add_argument("--report", type=Path, default=OUT)
    args = parser.parse_args()
    report = json.loads(args.report.read_text(encoding="utf-8"))
    findings = report["disagreements"] + report["typed_errors"] + report["error_kind"]
    found = [f for f in findings if f["id"] == args.case_id]
    if not found:
        print(f"{args.case_id} is not a finding in {args.report}", file=sys.stderr)
        return 2
    case = _case(found[0])
    sdk = CoreSdk()
    with OpaServer(opa_binary(), case.rego_version) as opa:
        small = minimize(case, opa, sdk)
        answers: tuple[Outcome, Outcome] = (opa.ask(small), sdk.ask(small))
    print(json.dumps({**small.to_json(), "opa": answers[0].to_json(), "coresdk": answers[1].to_json()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
