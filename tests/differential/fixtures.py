"""Source (e): the golden policy fixtures (``fixtures/policy``, ``fixtures/errors``) asked
of OPA too, so no expectation in them is one OPA would not give.

A golden fixture states what every CoreSDK binding answers; this source checks that the
answer is OPA's. Only the cases OPA can be asked are taken: ``evaluate`` and ``query``
operations with modules, optional data and an input given as a value or as JSON text.
Cases that need CoreSDK-only options (a time limit) are left to the fixture runners.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from case import Case

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = (ROOT / "fixtures" / "policy", ROOT / "fixtures" / "errors")
#: Options OPA has an equivalent for (``strict-builtin-errors``); any other skips a case.
OPA_OPTIONS = {"strict_builtin_errors"}


def _load(path: Path) -> list[dict[str, Any]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return doc if isinstance(doc, list) else [doc]


def _case(raw: dict[str, Any]) -> Case | None:
    """The differential case of one fixture, or ``None`` when OPA cannot be asked it."""
    if raw.get("op") not in ("evaluate", "query"):
        return None
    args = raw["args"]
    options = args.get("options", {})
    if set(options) - OPA_OPTIONS:
        return None
    if "input_json" in args:
        try:
            value = json.loads(args["input_json"])
        except ValueError:
            return None  # invalid JSON is refused before any policy runs: nothing to compare
    else:
        # No input in a fixture means CoreSDK's default, `{}`: ask OPA the same.
        value = args.get("input", {})
    return Case(
        id=f"fixtures/{raw['id']}",
        source="fixtures",
        modules=tuple(args.get("modules", {}).items()),
        data=args.get("data", {}),
        input=value,
        query=args.get("query", ""),
        path=args.get("path", ""),
        strict=bool(options.get("strict_builtin_errors", False)),
        note=str(raw.get("description", "")),
    )


def cases() -> Iterator[Case]:
    """Every golden policy fixture OPA can be asked, in file order."""
    for folder in FOLDERS:
        for path in sorted(folder.glob("*.json")):
            for raw in _load(path):
                case = _case(raw)
                if case is not None:
                    yield case
