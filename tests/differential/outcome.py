"""What one engine answered for one case, and how two answers compare.

An :class:`Outcome` is a value, *undefined*, or an error of a kind: ``compile`` (the
modules or the query were rejected before evaluation: OPA's ``rego_parse_error`` /
``rego_compile_error`` / ``rego_type_error``, CoreSDK's ``POLICY_PARSE`` and the other
load-time codes) or ``eval`` (OPA's ``eval_*_error``, CoreSDK's ``EVAL_ERROR`` /
``POLICY_CONFLICT``). :func:`verdict` compares OPA's outcome (the reference) with
CoreSDK's under the product rule "the same answer or a typed error, never a different
answer".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Kind(str, Enum):
    """What an engine answered."""

    VALUE = "value"
    UNDEFINED = "undefined"
    COMPILE_ERROR = "compile_error"
    EVAL_ERROR = "eval_error"


@dataclass(frozen=True)
class Outcome:
    """One engine's answer: ``value`` is set for :attr:`Kind.VALUE`; ``code`` is the
    engine's own error code and ``message`` its first line, for errors."""

    kind: Kind
    value: Any = None
    code: str = ""
    message: str = ""

    @property
    def is_error(self) -> bool:
        return self.kind in (Kind.COMPILE_ERROR, Kind.EVAL_ERROR)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value}
        if self.kind is Kind.VALUE:
            out["value"] = self.value
        if self.is_error:
            out["code"] = self.code
            out["message"] = self.message
        return out


def value(v: Any) -> Outcome:
    return Outcome(Kind.VALUE, value=v)


UNDEFINED = Outcome(Kind.UNDEFINED)


class Verdict(str, Enum):
    """How CoreSDK's outcome relates to OPA's.

    ``AGREE``: equal values, both undefined, or errors of the same kind.
    ``TYPED_ERROR``: OPA answered and CoreSDK raised a typed error (allowed by the rule).
    ``ERROR_KIND``: both rejected the case, at different stages (e.g. OPA's type checker
    refuses at compile time what regorus refuses while evaluating); no answer differs.
    ``DISAGREE``: a different answer: different values, a value against undefined, or a
    value where OPA raised.
    """

    AGREE = "agree"
    TYPED_ERROR = "typed_error"
    ERROR_KIND = "error_kind"
    DISAGREE = "disagree"


def normalize(v: Any, unordered: bool = False) -> Any:
    """A hashable form of a JSON value: numbers by value (``1 == 1.0``) but never equal to
    booleans; objects by sorted items. Arrays keep their order (Rego sets arrive as arrays
    in OPA's sorted order, which CoreSDK also uses) unless ``unordered``."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return (type(v).__name__, v)
    if isinstance(v, (int, float)):
        # Integers beyond 2^53 compare exactly; others by their double value.
        return ("number", float(v) if abs(v) < 2**53 else v)
    if isinstance(v, list):
        items = [normalize(x, unordered) for x in v]
        if unordered:
            items.sort(key=repr)
        return ("array", tuple(items))
    if isinstance(v, dict):
        return ("object", tuple(sorted((k, normalize(x, unordered)) for k, x in v.items())))
    return ("other", repr(v))


def query_value(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Query results (one bindings object per row) in a canonical order, generated
    variables (``__local…``) dropped: row order is not part of the answer."""
    kept = [{k: x for k, x in row.items() if not k.startswith("__")} for row in rows]
    return sorted(kept, key=lambda row: repr(normalize(row)))


def verdict(opa: Outcome, sdk: Outcome, unordered: bool = False) -> Verdict:
    """Compares CoreSDK's ``sdk`` with OPA's ``opa``; ``unordered`` compares arrays as
    multisets (for answers whose array order OPA leaves open)."""
    if opa.is_error and sdk.is_error:
        return Verdict.AGREE if opa.kind is sdk.kind else Verdict.ERROR_KIND
    if sdk.is_error:
        return Verdict.TYPED_ERROR
    if opa.is_error or opa.kind is not sdk.kind:
        return Verdict.DISAGREE
    if opa.kind is Kind.UNDEFINED or normalize(opa.value, unordered) == normalize(sdk.value, unordered):
        return Verdict.AGREE
    return Verdict.DISAGREE
