"""Runs OPA's own Rego conformance cases through coresdk-engine (via the Python package).

Usage:
    python tests/conformance/run.py [--cases DIR] [--out FILE] [--check] [--write-docs]

- ``--cases``: the folder of suites (default ``tests/conformance/opa-v1``, vendored from
  OPA; point it at ``v1/test/cases/testdata/v1`` of an OPA checkout to run upstream's).
- ``--out``: where to write pass/fail per case as JSON (default
  ``target/conformance/results.json``).
- ``--check``: fail (exit 1) when a case fails that is not listed in
  ``tests/conformance/known-failures.txt`` (a regression); cases on the list that now pass
  are reported so the list can shrink.
- ``--write-docs``: regenerate the measured part of ``docs/COMPATIBILITY.md``.

Case format (see the README beside the cases): ``modules`` compiled as ``test-N.rego``,
``data``, ``input`` or ``input_term``, ``query``; ``want_result`` is a list of binding
objects compared as a set; ``want_error_code`` / ``want_error`` expect an error;
``strict_error`` turns on strict builtin errors; ``sort_bindings`` sorts array bindings;
``ignore_generated_vars`` drops ``__localq*`` bindings. Prints 'N passed, N failed'.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import coresdk
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CASES = Path(__file__).resolve().parent / "opa-v1"
KNOWN = Path(__file__).resolve().parent / "known-failures.txt"
DOCS = ROOT / "docs" / "COMPATIBILITY.md"

# OPA error codes and the CoreSDK codes that stand for them.
ERROR_FAMILIES = {
    "eval_conflict_error": {"POLICY_CONFLICT", "EVAL_ERROR"},
    "eval_type_error": {"EVAL_ERROR"},
    "eval_builtin_error": {"EVAL_ERROR"},
}


def normalize(value: Any, sort_arrays: bool = False) -> Any:
    """A hashable form for set comparison: numbers compared by value (1 == 1.0) but never
    equal to booleans, objects by sorted items."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, (int, float)):
        return ("number", float(value) if abs(value) < 2**53 else value)
    if isinstance(value, list):
        items = [normalize(v) for v in value]
        if sort_arrays:
            items.sort(key=repr)
        return ("array", tuple(items))
    if isinstance(value, dict):
        return ("object", tuple(sorted((k, normalize(v)) for k, v in value.items())))
    return ("other", repr(value))


def bindings_set(rows: list[dict[str, Any]], case: dict[str, Any]) -> Counter[Any]:
    out: Counter[Any] = Counter()
    for row in rows:
        if case.get("ignore_generated_vars"):
            row = {k: v for k, v in row.items() if not k.startswith("__localq")}
        sort_arrays = bool(case.get("sort_bindings"))
        out[tuple(sorted((k, normalize(v, sort_arrays)) for k, v in row.items()))] += 1
    return out


def input_json(case: dict[str, Any]) -> str:
    if "input_term" in case:
        # A Rego term: let the engine evaluate it.
        rows = coresdk.PolicyEngine().query(f"__term := {case['input_term']}").rows
        if not rows:
            raise ValueError("input_term is undefined")
        return json.dumps(rows[0]["bindings"]["__term"])
    if "input" in case:
        return json.dumps(case["input"])
    return "{}"


def run_case(case: dict[str, Any]) -> tuple[bool, str]:
    """(passed, reason)."""
    want_error = case.get("want_error_code") or case.get("want_error")
    try:
        engine = coresdk.PolicyEngine(
            timeout_ms=5000, strict_builtin_errors=bool(case.get("strict_error"))
        )
        modules = {f"test-{i}.rego": src for i, src in enumerate(case.get("modules") or [])}
        if modules:
            engine.add_modules(modules)
        if case.get("data") is not None:
            engine.add_data(case["data"])
        result = engine.query_json(case["query"], input_json(case))
    except coresdk.CoreSdkError as e:
        if want_error:
            family = ERROR_FAMILIES.get(str(case.get("want_error_code")), set())
            if not family or e.code in family:
                return True, f"error as expected ({e.code})"
            return False, f"wanted {case.get('want_error_code')}, got {e.code}"
        return False, f"{e.code}: {str(e).splitlines()[-1][:160] if str(e) else ''}"
    except (ValueError, KeyError) as e:
        return False, f"runner: {e}"
    if want_error:
        return False, f"wanted error {want_error}, got {len(result.rows)} rows"
    want = case.get("want_result")
    if want is None:
        return True, "no result expected"
    got = bindings_set([row["bindings"] for row in result.rows], case)
    expected = bindings_set(want, case)
    if got == expected:
        return True, "ok"
    return False, "result differs"


def load(cases_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(cases_dir.glob("*/*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for case in doc.get("cases") or []:
            out.append((path.parent.name, case))
    return out


def reason_class(reason: str) -> str:
    head = reason.split(":")[0]
    return head if head.isupper() else reason.split(" (")[0][:60]


def write_docs(results: dict[str, dict[str, str]], cases_dir: Path, seconds: float) -> None:
    suites: dict[str, list[str]] = defaultdict(list)
    for note, r in results.items():
        suites[r["suite"]].append(note)
    passed = sum(1 for r in results.values() if r["status"] == "pass")
    failing = {
        s: [n for n in notes if results[n]["status"] == "fail"] for s, notes in suites.items()
    }
    rows = []
    for suite in sorted(failing, key=lambda s: (-len(failing[s]), s)):
        if not failing[suite]:
            continue
        reasons = Counter(reason_class(results[n]["reason"]) for n in failing[suite])
        top = "; ".join(f"{r} ×{c}" for r, c in reasons.most_common(3))
        rows.append(f"| `{suite}` | {len(failing[suite])}/{len(suites[suite])} | {top} |")
    fully = sum(1 for s in suites if not failing[s])
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    marker = "<!-- conformance:begin -->"
    end = "<!-- conformance:end -->"
    body = "\n".join(
        [
            marker,
            f"Measured with `python tests/conformance/run.py --write-docs` on {len(results)} cases "
            f"in {len(suites)} suites of `{cases_dir.name}` ({seconds:.0f} s):",
            "",
            f"- **{passed} of {len(results)} cases pass ({100 * passed / len(results):.1f}%)**; "
            f"{fully} of {len(suites)} suites pass whole.",
            f"- {len(results) - passed} failing cases are listed in `tests/conformance/known-failures.txt`;"
            " CI fails when any other case fails.",
            "",
            "| suite | failing / cases | main reasons |",
            "| --- | --- | --- |",
            *rows,
            end,
        ]
    )
    if marker in text:
        text = text[: text.index(marker)] + body + text[text.index(end) + len(end) :]
    else:
        text = text + "\n" + body + "\n"
    DOCS.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "target" / "conformance" / "results.json"
    )
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if not args.cases.is_dir():
        print(f"no conformance cases at {args.cases}", file=sys.stderr)
        return 2
    started = time.monotonic()
    results: dict[str, dict[str, str]] = {}
    for suite, case in load(args.cases):
        ok, reason = run_case(case)
        results[case["note"]] = {
            "suite": suite,
            "status": "pass" if ok else "fail",
            "reason": reason,
        }
    seconds = time.monotonic() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    passed = sum(1 for r in results.values() if r["status"] == "pass")
    failed = len(results) - passed
    print(
        f"conformance: {passed}/{len(results)} cases pass ({seconds:.1f} s); results in {args.out}"
    )
    if args.write_docs:
        write_docs(results, args.cases, seconds)
    if not args.check:
        return 0
    known = {
        line.strip()
        for line in KNOWN.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    regressions = sorted(n for n, r in results.items() if r["status"] == "fail" and n not in known)
    fixed = sorted(n for n in known if results.get(n, {}).get("status") == "pass")
    for note in regressions:
        print(f"  REGRESSION {note}: {results[note]['reason']}")
    if fixed:
        print(
            f"  {len(fixed)} known failures now pass; remove them from {KNOWN.name}: {', '.join(fixed[:10])}"
        )
    # The gate's own count: cases passing, and failures that are regressions (failures on
    # the known list are not counted as either).
    print(
        f"conformance gate: {passed} passed, {len(regressions)} failed ({failed - len(regressions)} known failures)"
    )
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
