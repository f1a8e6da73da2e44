"""The list of disagreements known today (``known-disagreements.txt``): the CI gate fails
only on a disagreement that is not listed, and reports listed ones that now agree so the
list shrinks as fixes land (as ``tests/conformance/known-failures.txt`` does).

Format: one case id a line; ``#`` starts a comment line; a line ending in ``*`` matches
every id that starts with the text before it. Causes are headed ``# --- <cause> ---``;
the ids below a heading belong to that cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FILE = Path(__file__).resolve().parent / "known-disagreements.txt"


@dataclass(frozen=True)
class KnownDisagreements:
    ids: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def read(cls, path: Path = FILE) -> KnownDisagreements:
        if not path.exists():
            return cls(frozenset(), ())
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        entries = [line for line in lines if line and not line.startswith("#")]
        return cls(
            frozenset(e for e in entries if not e.endswith("*")),
            tuple(e[:-1] for e in entries if e.endswith("*")),
        )

    def __contains__(self, case_id: object) -> bool:
        return isinstance(case_id, str) and (case_id in self.ids or any(case_id.startswith(p) for p in self.prefixes))


def remove(ids: set[str], path: Path = FILE) -> None:
    """Drops the lines listing exactly these ids (comments and prefixes stay)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if line.strip() not in ids), encoding="utf-8")


def causes(path: Path = FILE) -> list[tuple[str, int]]:
    """``(cause heading, number of ids listed under it)`` in file order."""
    out: list[tuple[str, int]] = []
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("# ---"):
            out.append((line.strip("#- ").rstrip("-").strip(), 0))
        elif line and not line.startswith("#") and out:
            out[-1] = (out[-1][0], out[-1][1] + 1)
    return out
