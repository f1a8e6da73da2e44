"""One differential case: the same modules, data, input and question for both engines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    """A question to put to OPA and to CoreSDK.

    Attributes:
        id: Stable id, ``<source>/<...>``; the key of ``known-disagreements.txt``.
        source: Which input source produced it (``conformance``, ``packages``,
            ``workloads``, ``libraries``).
        modules: Rego modules in load order, as ``(name, source)`` pairs. Both engines
            load them in this order.
        data: The base data document (a JSON object).
        input: The input document; ``None`` when the case has none.
        query: A Rego query (``x := data.p``) when :attr:`path` is empty.
        path: A document path (``data.p.q``) evaluated as a whole (OPA's
            ``POST /v1/data/p/q``, CoreSDK's ``PolicyEngine.evaluate``).
        rego_version: 1, or 0 for Rego v0 modules.
        strict: Builtin errors raise instead of being undefined.
        unordered: Arrays in the answer compare as multisets (conformance
            ``sort_bindings``: OPA leaves their order open).
        note: A human description (the conformance note, the generator's recipe).
    """

    id: str
    source: str
    modules: tuple[tuple[str, str], ...]
    data: dict[str, Any] = field(default_factory=dict)
    input: Any = None
    query: str = ""
    path: str = ""
    rego_version: int = 1
    strict: bool = False
    unordered: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if bool(self.query) == bool(self.path):
            raise ValueError(f"{self.id}: exactly one of query and path must be set")

    @property
    def question(self) -> str:
        """The query or path, as shown in reports."""
        return self.query or self.path

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "modules": {name: text for name, text in self.modules},
            "module_order": [name for name, _ in self.modules],
            "data": self.data,
        }
        if self.input is not None:
            out["input"] = self.input
        out["query" if self.query else "path"] = self.question
        if self.rego_version != 1:
            out["rego_version"] = self.rego_version
        if self.strict:
            out["strict"] = True
        if self.note:
            out["note"] = self.note
        return out
