"""Source (a): OPA's vendored conformance cases (``tests/conformance/opa-v1``), asked of
both engines. OPA's live answer is the reference here, not the YAML's ``want_result``,
so a case whose expectation OPA itself no longer meets does not count against CoreSDK.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import coresdk

from case import Case

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "conformance" / "opa-v1"
# A query that binds one document to `x`, the usual form of OPA's cases.
RULE_QUERY = re.compile(r"\s*(data(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*=\s*x\s*")


def _runner() -> ModuleType:
    """The conformance runner (``tests/conformance/run.py``), for its case reader."""
    spec = importlib.util.spec_from_file_location("conformance_run", ROOT / "tests" / "conformance" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cases(cases_dir: Path = CASES) -> Iterator[Case]:
    """Every case in ``cases_dir``; an ``input_term`` is evaluated once into a document."""
    runner = _runner()
    seen: Counter[str] = Counter()
    for suite, raw in runner.load(cases_dir):
        note = str(raw.get("note") or "")
        seen[note] += 1
        # A few notes repeat across files: the second is `<note> #2`.
        case_id = f"conformance/{note}" + (f" #{seen[note]}" if seen[note] > 1 else "")
        try:
            given = json.loads(runner.input_json(raw)) if ("input" in raw or "input_term" in raw) else None
        except (ValueError, coresdk.CoreSdkError) as e:
            # An input term CoreSDK cannot evaluate: no input to give OPA either.
            print(f"conformance: skipped {note!r}: input_term: {e}", file=sys.stderr)
            continue
        modules = tuple((f"test-{i}.rego", src) for i, src in enumerate(raw.get("modules") or []))
        query = str(raw["query"])
        asked = RULE_QUERY.fullmatch(query)
        if asked:
            # The document the query binds, also asked as a rule path (OPA's data API,
            # CoreSDK's evaluate): the path both evaluators answer.
            yield Case(
                id=f"conformance/{note}" + (f" #{seen[note]}" if seen[note] > 1 else "") + " (path)",
                source="conformance",
                modules=modules,
                data=raw.get("data") or {},
                input=given,
                path=asked.group(1),
                unordered=bool(raw.get("sort_bindings")),
                note=f"suite {suite}, query {query!r} as a path",
            )
        yield Case(
            id=case_id,
            source="conformance",
            modules=modules,
            data=raw.get("data") or {},
            input=given,
            query=str(raw["query"]),
            # `strict_error` is left out: OPA's /v1/query has no strict mode, so both
            # engines answer these cases with the default (non-strict) builtin errors.
            unordered=bool(raw.get("sort_bindings")),
            note=f"suite {suite}",
        )
