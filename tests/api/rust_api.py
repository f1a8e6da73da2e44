"""Lists the public Rust API of the CoreSDK crates by scanning their sources.

A small tokenizer (comments, strings, raw strings and char literals removed) tracks
braces, so each `{` opens a frame classified by the text before it: `impl [Trait for]
Type`, `pub trait Name`, `[pub] mod name` (`#[cfg(test)]` modules are skipped), or
anything else. Recorded items:

* free functions and constants: `pub fn` / `pub const` / `pub static` at module level,
  under each alias of their module (file stem, folder name of a `mod.rs`, crate name of
  a `lib.rs` with and without its `coresdk_` prefix, inline `pub mod` name);
* methods: `pub fn` in an inherent `impl Type`, every `fn` in `impl Trait for Type` and
  in a `pub trait Trait` (as `Trait::name` and `Type::name`);
* type names (`pub struct/enum/trait/type`) and names brought in by `pub use`.

Works on whichever layout exists (leaf crates under crates/*/src or modules of
crates/coresdk-engine/src). Stdlib only; no build, no rustdoc.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_IMPL = re.compile(
    r"^(?:unsafe\s+)?impl\b(?:\s*<.*?>)?\s+(?:(?P<trait>[\w:]+)(?:<.*>)?\s+for\s+)?"
    r"(?:&(?:'\w+\s+)?)?(?:[\w]+::)*(?P<type>\w+)",
    re.S,
)
_TRAIT = re.compile(r"^pub\s+(?:unsafe\s+)?trait\s+(?P<name>\w+)")
_MOD = re.compile(r"^(?P<pub>pub\s+)?mod\s+(?P<name>\w+)\s*$")
_FN = re.compile(
    r"^(?P<pub>pub\s+)?(?:const\s+)?(?P<async>async\s+)?(?:unsafe\s+)?(?:extern\s+\"\w+\"\s+)?fn\s+(?P<name>\w+)"
)
_CONST = re.compile(r"^pub\s+(?:const|static)\s+(?P<name>[A-Z_][A-Z0-9_]*)\s*:")
_TYPE = re.compile(r"^pub\s+(?:struct|enum|trait|type|union)\s+(?P<name>\w+)")
_PUB_USE = re.compile(r"^pub\s+use\s+(?P<body>.*)$", re.S)
_ATTR = re.compile(r"#!?\[.*?\]\s*", re.S)


@dataclass
class RustApi:
    """What the scan found. Keys are plain names; values are sets of names."""

    free: dict[str, set[str]] = field(default_factory=dict)  # module alias -> fn/const names
    methods: dict[str, set[str]] = field(default_factory=dict)  # type/trait -> method names
    inherent: dict[str, set[str]] = field(default_factory=dict)  # type -> its own `pub fn`s
    async_fns: set[str] = field(default_factory=set)  # "Owner::name" / "name" of async fns
    types: set[str] = field(default_factory=set)
    reexported: set[str] = field(default_factory=set)  # names in `pub use` lists of lib.rs
    renames: list[tuple[str, str]] = field(default_factory=list)  # `pub use a::b as c` -> (b, c)

    def has(self, name: str) -> bool:
        """True when a table name (`Type::method`, `module::fn`, `fn`, `Type`) exists."""
        parts = [p for p in name.split("::") if p and p not in ("crate", "coresdk_engine")]
        if not parts:
            return False
        if len(parts) == 1:
            (n,) = parts
            return (
                n in self.types
                or n in self.reexported
                or any(n in names for names in self.free.values())
            )
        owner, member = parts[-2], parts[-1]
        if member in self.types and not owner[:1].isupper():  # `module::Type`
            return True
        return member in self.methods.get(owner, ()) or member in self.free.get(owner, ())

    def unlisted(self, listed: set[str]) -> list[str]:
        """`Type::method` of re-exported types (own `pub fn`s) that `listed` lacks."""
        tails = {"::".join(n.split("::")[-2:]) for n in listed}
        return sorted(
            f"{owner}::{fn}"
            for owner in self.reexported & set(self.inherent)
            for fn in self.inherent[owner]
            if f"{owner}::{fn}" not in tails
        )

    def is_async(self, name: str) -> bool:
        """True when the function a table name denotes is an `async fn`."""
        parts = name.split("::")
        return "::".join(parts[-2:]) in self.async_fns or parts[-1] in self.async_fns


def _strip(text: str) -> str:
    """Source with comments and string/char literals blanked (braces inside them gone)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            out.append(" ")
        elif (m := re.compile(r'b?r(#*)"').match(text, i)) and (
            i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")
        ):
            end = text.find('"' + m.group(1), m.end())
            i = n if end < 0 else end + 1 + len(m.group(1))
            out.append('""')
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
        elif c == "'" and (m := re.compile(r"'(?:\\.[^']*|[^\\'])'").match(text, i)):
            i = m.end()
            out.append("' '")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _aliases(path: Path, src_root: Path, crate: str) -> list[str]:
    """Names a table may use for the module of `path`."""
    rel = path.relative_to(src_root)
    if rel.name == "lib.rs" and len(rel.parts) == 1:
        snake = crate.replace("-", "_")
        return [snake, snake.removeprefix("coresdk_")]
    if rel.name == "mod.rs":
        return [rel.parent.name]
    return [rel.stem]


def _scan_file(api: RustApi, path: Path, aliases: list[str], is_root: bool) -> None:
    """Adds the public items of one file to `api`."""
    text = _strip(path.read_text(encoding="utf-8"))
    # Frames: (kind, name, trait_owner). kind: module | impl | timpl | trait | skip | other
    stack: list[tuple[str, list[str] | str, str]] = [("module", aliases, "")]
    header: list[str] = []
    in_use = 0  # depth of `{...}` lists inside a `use` item (not frames)

    def record(head: str, kind: str, name, owner: str) -> None:
        head = _ATTR.sub("", head).strip()
        if kind == "module":
            if m := _FN.match(head):
                if m.group("pub") and not head.startswith("pub("):
                    for alias in name:
                        api.free.setdefault(alias, set()).add(m.group("name"))
                    if m.group("async"):
                        api.async_fns.add(m.group("name"))
            elif m := _CONST.match(head):
                for alias in name:
                    api.free.setdefault(alias, set()).add(m.group("name"))
            elif m := _TYPE.match(head):
                api.types.add(m.group("name"))
            elif is_root and (m := _PUB_USE.match(head)):
                api.reexported.update(re.findall(r"\b(\w+)\b(?!\s*::)", m.group("body")))
                api.renames.extend(re.findall(r"(\w+)\s+as\s+(\w+)", m.group("body")))
        elif kind in ("impl", "timpl", "trait"):
            if (m := _FN.match(head)) and (
                kind != "impl" or (m.group("pub") and not head.startswith("pub("))
            ):
                owners = [name] + ([owner] if owner else [])
                if kind == "impl":
                    api.inherent.setdefault(name, set()).add(m.group("name"))
                for o in owners:
                    api.methods.setdefault(o, set()).add(m.group("name"))
                    if m.group("async"):
                        api.async_fns.add(f"{o}::{m.group('name')}")

    for ch in text:
        if in_use and ch in "{}":
            in_use += 1 if ch == "{" else -1
            header.append(ch)
        elif ch == "{" and re.match(
            r"(?:pub(?:\(\w+\))?\s+)?use\b", _ATTR.sub("", "".join(header)).strip()
        ):
            in_use = 1
            header.append(ch)
        elif ch == "{":
            head = "".join(header)
            header = []
            kind, name, owner = stack[-1]
            clean = _ATTR.sub("", head).strip()
            if kind == "skip":
                stack.append(("skip", "", ""))
            elif kind == "module" and "cfg(test)" in head and _MOD.match(clean):
                stack.append(("skip", "", ""))
            elif kind == "module" and (m := _MOD.match(clean)):
                stack.append(("module", [m.group("name")], ""))
            elif kind == "module" and (m := _IMPL.match(clean)):
                trait = (m.group("trait") or "").split("::")[-1]
                stack.append(("timpl" if trait else "impl", m.group("type"), trait))
            elif kind == "module" and (m := _TRAIT.match(clean)):
                api.types.add(m.group("name"))
                stack.append(("trait", m.group("name"), ""))
            else:
                record(head, kind, name, owner)
                stack.append(("other", "", ""))
        elif ch == "}":
            header = []
            if len(stack) > 1:
                stack.pop()
        elif ch == ";":
            kind, name, owner = stack[-1]
            record("".join(header), kind, name, owner)
            header = []
        else:
            header.append(ch)


def scan(repo: Path) -> RustApi:
    """Scans every crates/*/src tree of the repository."""
    api = RustApi()
    for src_root in sorted(repo.glob("crates/*/src")):
        crate = src_root.parent.name
        for path in sorted(src_root.rglob("*.rs")):
            is_root = path.parent == src_root and path.name == "lib.rs"
            _scan_file(api, path, _aliases(path, src_root, crate), is_root)
    for target, alias in api.renames:  # e.g. `pub use coresdk_canonical as canonical;`
        api.free.setdefault(alias, set()).update(api.free.get(target, ()))
        api.methods.setdefault(alias, set()).update(api.methods.get(target, ()))
    return api


if __name__ == "__main__":  # a listing, for writing the table
    import sys

    found = scan(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[2]))
    for owner in sorted(found.methods):
        print(owner, sorted(found.methods[owner]))
    print("--- free")
    for alias in sorted(found.free):
        print(alias, sorted(found.free[alias]))
    print("--- reexported", sorted(found.reexported))
