"""Lists the public API of the Python package from its sources with the `ast` module.

Entries: `coresdk` (names as they are) and the submodules in `SUBMODULES` (`otel`,
`logging`, `cli` and the HTTP modules), names prefixed with the module (`otel.`, ...). A module's public names are its `__all__`, or, without one, its
top-level functions and classes not starting with `_`. Each name is followed through
`from .x import name` to its definition and described as:

* `function` (`async` for `async def`), `class` (with its public methods, static and
  class methods, properties, and annotated class-level fields as `field`), `const`;
* `type`: a Protocol or TypedDict class, or an assignment of a typing form
  (`Literal[...]`, `Union[...]`, `Callable[...]`, ...) — types only, not operations.

Nothing is imported, so the native extension need not be built.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = Path("bindings/python/python/coresdk")
SUBMODULES = ("otel", "logging", "cli", "http", "asgi", "fastapi", "flask", "django")
_TYPING_FORMS = {
    "Literal",
    "Union",
    "Optional",
    "Callable",
    "Tuple",
    "Dict",
    "List",
    "Type",
    "Mapping",
    "Sequence",
}
_TYPE_BASES = {"Protocol", "TypedDict", "NamedTuple"}


@dataclass
class Item:
    """One exported name: kind, async flag, and members for a class."""

    name: str
    kind: str
    is_async: bool = False
    members: list[Item] = field(default_factory=list)


def _module_file(pkg: Path, dotted: str) -> Path | None:
    """The source of `coresdk.<dotted>` (a .py file, a package, or a .pyi stub)."""
    base = pkg.joinpath(*dotted.split(".")) if dotted else pkg
    for candidate in (base.with_suffix(".py"), base / "__init__.py", base.with_suffix(".pyi")):
        if candidate.is_file():
            return candidate
    return None


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _all_names(tree: ast.Module) -> list[str] | None:
    """The literal `__all__` of a module, or None when it has none."""
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if (
            any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)
            and node.value is not None
        ):
            return [ast.literal_eval(e) for e in node.value.elts]  # type: ignore[attr-defined]
    return None


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Subscript):
        return _base_name(node.value)
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _decorators(fn: ast.AST) -> set[str]:
    return {
        _base_name(d.func if isinstance(d, ast.Call) else d)
        for d in getattr(fn, "decorator_list", [])
    }


def _class_item(name: str, cls: ast.ClassDef) -> Item:
    if {_base_name(b) for b in cls.bases} & _TYPE_BASES:
        return Item(name, "type")
    members: dict[str, Item] = {}
    for node in cls.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and not node.target.id.startswith("_")
        ):
            members.setdefault(node.target.id, Item(node.target.id, "field"))  # informational
            continue
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name.startswith(
            "_"
        ):
            continue
        decos = _decorators(node)
        if "property" in decos or "cached_property" in decos:
            kind = "property"
        elif decos & {"staticmethod", "classmethod"}:
            kind = "static"
        elif any(d.endswith("setter") or d == "deleter" for d in decos):
            continue
        else:
            kind = "method"
        is_async = isinstance(node, ast.AsyncFunctionDef)
        members.setdefault(node.name, Item(node.name, kind, is_async))
    return Item(name, "class", members=list(members.values()))


def _describe(
    pkg: Path, module: str, tree: ast.Module, name: str, public: str, depth: int = 0
) -> Item:
    """Finds `name` in `tree` (module `module`) and describes it as `public`."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return Item(public, "function", isinstance(node, ast.AsyncFunctionDef))
        if isinstance(node, ast.ClassDef) and node.name == name:
            return _class_item(public, node)
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                ann = getattr(node, "annotation", None)
                if (ann is not None and _base_name(ann) == "TypeAlias") or _base_name(
                    node.value or ast.Name("")
                ) in _TYPING_FORMS:
                    return Item(public, "type")
                return Item(public, "const")
        if isinstance(node, ast.ImportFrom) and node.level >= 1 and depth < 5:
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    parts = [p for p in _package_of(pkg, module).split(".") if p]
                    parts = parts[: len(parts) - (node.level - 1)] + (
                        [node.module] if node.module else []
                    )
                    target = ".".join(parts)
                    path = _module_file(pkg, target)
                    if path is None:
                        return Item(public, "unknown")
                    return _describe(pkg, target, _parse(path), alias.name, public, depth + 1)
    return Item(public, "unknown")


def _package_of(pkg: Path, module: str) -> str:
    """The package holding `module` (itself when it is a package)."""
    if not module:
        return ""
    if (pkg.joinpath(*module.split(".")) / "__init__.py").is_file():
        return module
    return module.rpartition(".")[0]


def list_api(repo: Path) -> list[Item]:
    """The public items of coresdk and its listed submodules (absent ones skipped)."""
    pkg = repo / PACKAGE
    items: list[Item] = []
    for module, prefix in [("", "")] + [(m, m + ".") for m in SUBMODULES]:
        path = _module_file(pkg, module)
        if path is None:
            continue
        tree = _parse(path)
        names = _all_names(tree)
        if names is None:
            names = [
                n.name
                for n in tree.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and not n.name.startswith("_")
            ]
        items.extend(_describe(pkg, module, tree, n, prefix + n) for n in names)
    return items


if __name__ == "__main__":  # a listing, for writing the table
    import sys

    for it in list_api(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[2])):
        print(it.name, it.kind, "async" if it.is_async else "")
        for m in it.members:
            print("   ", m.name, m.kind, "async" if m.is_async else "")
