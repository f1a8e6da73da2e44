"""Source (d): real Rego from public libraries (Go modules fetched by ``setup.sh``).

Each library is cut into *groups* that load on their own: a folder's ``.rego`` files, plus
the library's shared ``lib`` folder when it has one (trivy-checks' checks import
``data.lib.*``). For every group both engines are asked each ``test_*`` rule (they carry
their own inputs with ``with input as``) and each package document (with input ``{}``).

Host builtins: trivy-checks calls ``result.new(msg, cause)``, a builtin trivy registers in
Go; a module ``package result`` defines a stand-in and each module that calls it imports
``data.result``, so the checks compile in both engines (the stand-in is the same for both).

Rego version: a group whose files have v0-only rule heads (``deny[msg] {``, a body with
no ``if``) is loaded as Rego v0 (OPA's ``--v0-compatible`` server, CoreSDK's v0 engine).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from case import Case

ROOT = Path(__file__).resolve().parents[2]
LISTING = ROOT / "target" / "differential" / "libraries.json"

RESULT_SHIM = (
    "result.rego",
    'package result\n\nnew(msg, cause) := {"msg": msg, "cause": cause}\n',
)

PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
TEST_RULE = re.compile(r"^(test_\w+)\b", re.MULTILINE)
# A rule head opening a body without `if` / `contains`: only Rego v0 parses it.
V0_HEAD = re.compile(r"^(?!package|import|default|else)[A-Za-z_][^#\n]*\{\s*$", re.MULTILINE)


def listing() -> list[dict[str, Any]]:
    """What ``setup.sh`` fetched; empty when it has not run."""
    if not LISTING.exists():
        return []
    entries: list[dict[str, Any]] = json.loads(LISTING.read_text(encoding="utf-8"))
    return entries


def is_v0(text: str) -> bool:
    return any(" if " not in line and " contains " not in line for line in V0_HEAD.findall(text))


def _with_shim(text: str) -> str:
    """``text`` importing the ``result.new`` stand-in when it calls it."""
    if "result.new(" not in text:
        return text
    return PACKAGE.sub(lambda m: f"{m.group(0)}\n\nimport data.result", text, count=1)


def groups(entry: dict[str, Any]) -> Iterator[tuple[str, list[Path], list[Path]]]:
    """``(name, own files, shared files)`` per folder holding ``.rego`` files."""
    base = Path(entry["dir"])
    shared = (
        sorted(p for p in (base / "lib").rglob("*.rego") if not p.name.endswith("_test.rego"))
        if "lib" in entry["folders"]
        else []
    )
    for folder in entry["folders"]:
        for directory in sorted({p.parent for p in (base / folder).rglob("*.rego")}):
            own = sorted(directory.glob("*.rego"))
            if folder == "lib":
                # The shared files are in every group; their tests form one group each.
                own = [p for p in own if p.name.endswith("_test.rego")]
            # Big folders (trivy's checks/kubernetes/security) split per check: a check
            # and its test share a stem.
            stems: dict[str, list[Path]] = {}
            for p in own:
                stems.setdefault(p.name.removesuffix("_test.rego").removesuffix(".rego"), []).append(p)
            split = len(own) > 4
            for stem, files in sorted(stems.items()) if split else [("", own)]:
                name = str(directory.relative_to(base)) + (f"/{stem}" if stem else "")
                yield name, files, [p for p in shared if p not in files]


def cases(limit_groups: int | None = None) -> Iterator[Case]:
    """Cases of every fetched library (``limit_groups`` groups per library at most)."""
    for entry in listing():
        short = entry["module"].rsplit("/", 1)[-1]
        for n, (name, own, shared) in enumerate(groups(entry)):
            if limit_groups is not None and n >= limit_groups:
                break
            texts = [(str(p.relative_to(entry["dir"])), p.read_text(encoding="utf-8")) for p in shared + own]
            modules = [(path, _with_shim(text)) for path, text in texts]
            if any("result.new(" in text for _, text in texts):
                modules.insert(0, RESULT_SHIM)
            version = 0 if any(is_v0(text) for _, text in texts) else 1
            paths: list[str] = []
            for p in own:
                text = p.read_text(encoding="utf-8")
                match = PACKAGE.search(text)
                if match is None:
                    continue
                package = f"data.{match.group(1)}"
                paths += [f"{package}.{rule}" for rule in dict.fromkeys(TEST_RULE.findall(text))]
                paths.append(package)
            for path in dict.fromkeys(paths):
                yield Case(
                    id=f"libraries/{short}/{name}/{path}",
                    source="libraries",
                    modules=tuple(modules),
                    input={},
                    path=path,
                    rego_version=version,
                    note=f"{entry['module']}@{entry['version']}",
                )
