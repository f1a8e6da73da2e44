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
IMPORT = re.compile(r"^import\s+data\.([\w.]+)", re.MULTILINE)
TEST_RULE = re.compile(r"^(test_\w+)\b", re.MULTILINE)
# A rule head at column 0 opening a body with no `if` (`deny[msg] {`, `f(x) = y {`): only
# Rego v0 parses it (an object literal, `x := {`, ends with an operator instead).
V0_HEAD = re.compile(r"^[A-Za-z_][^#\n]*?([^\s=:(\[,])\s*\{\s*$", re.MULTILINE)
# trivy registers these in Go; both engines get the same Rego stand-ins.
IS_MANAGED_SHIM = '\n\nisManaged(x) := object.get(object.get(x, "__defsec_metadata", {}), "managed", true)\n'


def listing() -> list[dict[str, Any]]:
    """What ``setup.sh`` fetched; empty when it has not run."""
    if not LISTING.exists():
        return []
    entries: list[dict[str, Any]] = json.loads(LISTING.read_text(encoding="utf-8"))
    return entries


def is_v0(text: str) -> bool:
    for match in V0_HEAD.finditer(text):
        line = match.group(0)
        if not re.search(r"\b(if|else|contains|every|package|import)\b", line):
            return True
    return False


def _with_shim(text: str) -> str:
    """``text`` importing the ``result.new`` stand-in when it calls it."""
    if "isManaged(" in text and not re.search(r"^isManaged\(", text, re.MULTILINE):
        text += IS_MANAGED_SHIM
    if "result.new(" not in text:
        return text
    return PACKAGE.sub(lambda m: f"{m.group(0)}\n\nimport data.result", text, count=1)


def _needed(own: list[Path], shared: list[Path]) -> list[Path]:
    """The shared files that ``own`` imports, directly or through each other."""
    packages: dict[Path, str] = {}
    for p in shared:
        match = PACKAGE.search(p.read_text(encoding="utf-8"))
        if match is not None:
            packages[p] = match.group(1)
    wanted: set[Path] = set()
    todo = list(own)
    while todo:
        for imported in IMPORT.findall(todo.pop().read_text(encoding="utf-8")):
            for p, package in packages.items():
                # `import data.lib` takes every package below it; `import data.lib.x.f` the
                # package `lib.x` that defines `f`.
                related = (
                    package == imported or package.startswith(imported + ".") or imported.startswith(package + ".")
                )
                if p not in wanted and related:
                    wanted.add(p)
                    todo.append(p)
    return [p for p in shared if p in wanted]


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
                yield name, files, _needed(files, [p for p in shared if p not in files])


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
