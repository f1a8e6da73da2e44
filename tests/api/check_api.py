#!/usr/bin/env python3
"""Checks docs/API.md against the Rust, Node and Python sources; exits 1 on drift.

Run from anywhere: `python3 tests/api/check_api.py [--api docs/API.md] [--repo ROOT]`.
Needs `node` and the repository's `pnpm install` (the Node side is listed with the
TypeScript compiler API by tests/api/list_node_api.mjs); the Python and Rust sides are
read with `ast` and a source scanner (tests/api/python_api.py, tests/api/rust_api.py).
Nothing is built.

Tables checked: every Markdown table whose header is
`| Operation | Rust | Node | Python | Note |` (or `| Type | ...` for types). A name cell
holds one name in backticks, or `—` when the language lacks it. Failures:

* an exported Node or Python function, class, constant, public method, static method,
  getter or property that no row names (interfaces, type aliases, Protocols and public
  fields are optional: listed rows are checked, missing ones are not);
* a row naming something the sources do not have;
* a row whose names differ beyond the naming conventions (see docs/API.md), or mix
  sync and async, without a note;
* a row with `—` and no note.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import python_api  # noqa: E402
import rust_api  # noqa: E402

ABSENT = "—"
LANGS = ("Rust", "Node", "Python")
HEADER = re.compile(
    r"^\|\s*(Operation|Type)\s*\|\s*Rust\s*\|\s*Node\s*\|\s*Python\s*\|\s*Note\s*\|\s*$"
)
NAME = re.compile(r"^`([A-Za-z_][\w]*(?:(?:\.|::)[A-Za-z_]\w*)*)`$")


@dataclass
class Row:
    """One table row: its line in API.md, the operation, a name per language, the note."""

    line: int
    operation: str
    names: dict[str, str | None]  # None for `—`
    note: str


@dataclass
class Inventory:
    """Names one language exports: `required` must be in the table, `known` may be."""

    required: set[str]
    known: set[str]
    is_async: dict[str, bool]
    aliases: dict[str, str]  # a submodule name -> the root name it also has


def parse_tables(text: str) -> tuple[list[Row], list[str]]:
    """The rows of every API table in `text`, and the format errors found."""
    rows: list[Row] = []
    errors: list[str] = []
    in_table = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if HEADER.match(line):
            in_table = True
            continue
        if not in_table:
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
            continue
        if len(cells) != 5:
            errors.append(f"line {lineno}: expected 5 cells, found {len(cells)}")
            continue
        names: dict[str, str | None] = {}
        for lang, cell in zip(LANGS, cells[1:4]):
            if cell == ABSENT:
                names[lang] = None
            elif m := NAME.match(cell):
                names[lang] = m.group(1)
            else:
                errors.append(
                    f"line {lineno}: {lang} cell {cell!r} is neither one `name` nor {ABSENT}"
                )
                names[lang] = None
        rows.append(Row(lineno, cells[0], names, cells[4]))
    return rows, errors


def node_inventory(repo: Path) -> Inventory:
    """Runs list_node_api.mjs and sorts its listing into required and known names."""
    script = Path(__file__).resolve().parent / "list_node_api.mjs"
    try:
        out = subprocess.run(
            ["node", str(script), str(repo)], check=True, capture_output=True, text=True
        )
    except FileNotFoundError:
        sys.exit(
            "check_api: `node` not found; install Node.js 20+ and run `pnpm install` at the repo root"
        )
    except subprocess.CalledProcessError as e:
        sys.exit(
            f"check_api: list_node_api.mjs failed (did you run `pnpm install --frozen-lockfile`?)\n{e.stderr}"
        )
    inv = Inventory(set(), set(), {}, {})
    for item in json.loads(out.stdout):
        name = item["name"]
        inv.known.add(name)
        inv.is_async[name] = bool(item.get("async"))
        if item["kind"] in ("function", "class", "const"):
            inv.required.add(name)
        for m in item.get("members", []):
            full = f"{name}.{m['name']}"
            inv.known.add(full)
            inv.is_async[full] = bool(m.get("async"))
            if m["kind"] in ("method", "static", "getter"):
                inv.required.add(full)
    return inv


def python_inventory(repo: Path) -> Inventory:
    """The Python listing sorted into required and known names."""
    inv = Inventory(set(), set(), {}, {})
    items = python_api.list_api(repo)
    roots = {it.name for it in items if "." not in it.name}
    for it in items:
        prefix, _, bare = it.name.rpartition(".")
        if prefix and bare in roots:
            inv.aliases[it.name] = bare
        entries = [(it.name, it.kind, it.is_async)] + [
            (f"{it.name}.{m.name}", m.kind, m.is_async) for m in it.members
        ]
        for full, kind, is_async in entries:
            if prefix and bare in roots:
                inv.aliases[full] = bare + full[len(it.name) :]
            inv.known.add(full)
            inv.is_async[full] = is_async or full.endswith("_async")
            if kind in ("function", "class", "const", "method", "static", "property"):
                inv.required.add(full)
    return inv


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def convention_key(lang: str, name: str) -> tuple[str, str]:
    """The (class, member) a name denotes once the naming conventions are applied.

    Module segments (lowercase, not last) are dropped; members become snake_case;
    Node's `xSync` and Python's `x_async` are `x`; Rust `X::new` is the class `X`.
    """
    parts = re.split(r"::|\.", name)
    parts = [p for p in parts[:-1] if not p[:1].islower()] + parts[-1:]
    last = parts[-1]
    owner = parts[-2] if len(parts) > 1 else ""
    if last[:1].isupper() and not last.isupper():  # a class, or a class used as constructor
        return (last, "") if not owner else (owner, last)
    if lang == "Rust" and last == "new" and owner:
        return (owner, "")
    if last.isupper() or last.startswith("__"):
        return (owner, last)
    member = _snake(last) if lang == "Node" else last
    if lang == "Node" and member.endswith("_sync"):
        member = member[: -len("_sync")]
    if lang == "Python" and member.endswith("_async"):
        member = member[: -len("_async")]
    return (owner, member)


def check(repo: Path, api_path: Path) -> tuple[list[str], list[Row]]:
    """All problems found, and the rows whose note records drift."""
    rows, problems = parse_tables(api_path.read_text(encoding="utf-8"))
    if not rows:
        return [f"{api_path}: no API table found"], []
    inv = {"Node": node_inventory(repo), "Python": python_inventory(repo)}
    rust = rust_api.scan(repo)
    listed: dict[str, set[str]] = {"Node": set(), "Python": set(), "Rust": set()}
    where = api_path.name
    for row in rows:
        at = f"{where}:{row.line} ({row.operation or '?'})"
        if not row.operation:
            problems.append(f"{at}: the Operation cell is empty")
        present = {lang: n for lang, n in row.names.items() if n}
        for lang, name in present.items():
            if lang == "Rust":
                if not rust.has(name):
                    problems.append(f"{at}: Rust `{name}` not found in crates/*/src")
                listed["Rust"].add(name)
                continue
            canonical = inv[lang].aliases.get(name, name)
            if name not in inv[lang].known:
                problems.append(f"{at}: {lang} `{name}` is not exported by the {lang} package")
            listed[lang].update({name, canonical})
        if row.note:
            continue
        absent = [lang for lang, n in row.names.items() if not n]
        if absent:
            problems.append(f"{at}: {ABSENT} for {', '.join(absent)} needs a note saying why")
        keys = {lang: convention_key(lang, n) for lang, n in present.items()}
        if len(set(keys.values())) > 1:
            shown = ", ".join(f"{lang} `{present[lang]}`" for lang in present)
            problems.append(
                f"{at}: names differ beyond the conventions ({shown}) and there is no note"
            )
        modes = {}
        for lang, name in present.items():
            if lang == "Rust":
                modes[lang] = rust.is_async(name)
            else:
                modes[lang] = inv[lang].is_async.get(name, False)
        if len(set(modes.values())) > 1:
            shown = ", ".join(f"{lang} {'async' if a else 'sync'}" for lang, a in modes.items())
            problems.append(f"{at}: row mixes sync and async ({shown}) and there is no note")
    for lang in ("Node", "Python"):
        for name in sorted(inv[lang].required):
            if name not in listed[lang] and inv[lang].aliases.get(name, name) not in listed[lang]:
                problems.append(f"{where}: {lang} `{name}` is exported but no row names it")
    drift = [r for r in rows if "drift:" in r.note.lower()]
    unlisted = rust.unlisted(listed["Rust"])
    if unlisted:
        print(
            f"note: {len(unlisted)} Rust method(s) of re-exported types have no row (not required): "
            + ", ".join(unlisted)
        )
    return problems, drift


def main(argv: list[str] | None = None) -> int:
    """Prints the result; 0 when the table matches the sources, 1 otherwise."""
    here = Path(__file__).resolve().parents[2]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--repo", type=Path, default=here, help="repository root (default: this checkout)"
    )
    ap.add_argument(
        "--api", type=Path, default=None, help="the table to check (default: REPO/docs/API.md)"
    )
    args = ap.parse_args(argv)
    api_path = args.api or args.repo / "docs" / "API.md"
    problems, drift = check(args.repo, api_path)
    if problems:
        print(f"check_api: {len(problems)} problem(s) between {api_path} and the sources:")
        for p in problems:
            print(f"  - {p}")
        return 1
    print(f"check_api: OK, {api_path} matches the Rust, Node and Python sources")
    if drift:
        print(f"{len(drift)} row(s) record drift for the lead to decide:")
        for r in drift:
            print(f"  - line {r.line}: {r.operation}: {r.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
