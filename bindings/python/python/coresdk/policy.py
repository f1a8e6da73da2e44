"""Rego policy evaluation: :class:`PolicyEngine`, :class:`Decision`, :class:`QueryResult`."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Union

from . import _json, _native
from .errors import CoreSdkError, _error

__all__ = ["Decision", "PolicyEngine", "QueryResult"]

#: A filesystem path: ``str`` or any :class:`os.PathLike`.
StrPath = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Decision:
    """The outcome of evaluating a rule path.

    Attributes:
        result: The rule's value as a Python value; ``None`` when the rule is undefined
            (and also when it is JSON ``null``: :attr:`defined` tells them apart).
        defined: ``False`` when the rule produced no value (OPA's *undefined*), which is
            distinct from ``False`` and from ``null``.
        revision: The policy/data revision the decision was made against.
        decision_id: A unique, time-ordered id (UUIDv7).
        duration_us: Time spent evaluating, in microseconds.
    """

    result: Any
    defined: bool
    revision: int
    decision_id: str
    duration_us: int


@dataclass(frozen=True)
class QueryResult:
    """The outcome of an ad-hoc Rego query: OPA's result rows.

    Attributes:
        rows: One ``{"expressions": [...], "bindings": {...}}`` per solution; empty when
            the query is undefined (an expression that is ``false`` fails the query).
        revision: The policy/data revision the query was evaluated against.
        decision_id: A unique, time-ordered id (UUIDv7).
        duration_us: Time spent evaluating, in microseconds.
    """

    rows: list[dict[str, Any]]
    revision: int
    decision_id: str
    duration_us: int


class PolicyEngine:
    """An in-process Rego policy engine (Rego v1 syntax, evaluated by ``regorus``).

    Policies and data form one immutable snapshot with a revision. Every change
    (:meth:`add_module`, :meth:`add_path`, :meth:`add_data`) compiles a new snapshot off to
    the side and publishes it as the next revision only if it compiles: a broken change
    raises and the previous revision keeps serving.

    The engine is thread-safe and the GIL is released while the core works, so threads
    evaluate in parallel, each on its own clone of the prepared policy.

    Args:
        modules: Rego sources by module name (the name appears in error locations);
            added as one change.
        paths: ``.rego`` files or directories (searched recursively), each added as one
            change after ``modules``.
        data: A data document (a JSON object) merged into ``data`` after the policies.
        timeout_ms: Wall-clock limit of one evaluation; past it the evaluation raises
            ``EVAL_TIMEOUT`` and the engine keeps serving.
        strict_builtin_errors: When true, a builtin error raises ``EVAL_ERROR``; when
            false (the default, as in OPA) the expression is undefined.

    Raises:
        CoreSdkError: As the ``add_*`` methods.
    """

    __slots__ = ("_native",)

    def __init__(
        self,
        *,
        modules: Mapping[str, str] | None = None,
        paths: Iterable[StrPath] = (),
        data: Mapping[str, Any] | None = None,
        timeout_ms: int = 1000,
        strict_builtin_errors: bool = False,
        fail_open: bool = False,
    ) -> None:
        if isinstance(paths, (str, bytes, os.PathLike)):
            # A lone path would otherwise be iterated character by character.
            raise _error("INVALID_ARGUMENT", "paths must be an iterable of paths, not one path")
        self._native = _native.PolicyEngine(timeout_ms, strict_builtin_errors, fail_open)
        if modules:
            self.add_modules(modules)
        for path in paths:
            self.add_path(path)
        if data is not None:
            self.add_data(data)

    @property
    def revision(self) -> int:
        """The revision currently serving: 0 before anything is loaded, +1 per change."""
        return self._native.revision

    def add_module(self, name: str, source: str) -> int:
        """Adds one Rego module under ``name`` and returns the new revision.

        Raises:
            CoreSdkError: ``POLICY_PARSE`` (with :attr:`~CoreSdkError.location`) when the
                module does not parse or compile, ``POLICY_CONFLICT``, ``LIMIT_EXCEEDED``
                past the policy size limits. The previous revision keeps serving.
        """
        return self._native.add_module(name, source)

    def add_modules(self, modules: Mapping[str, str]) -> int:
        """Adds several modules (name to source) as one change: all compile and are
        published as one new revision, or none is. Returns the new revision.

        Raises:
            CoreSdkError: As :meth:`add_module`.
        """
        return self._native.add_modules(list(modules.items()))

    def replace_modules(self, modules: Mapping[str, str]) -> int:
        """Replaces every loaded module with ``modules`` (name to source; data is kept) as
        one change: the new set is published as one revision, or rejected whole while the
        old set keeps serving. Returns the new revision.

        Raises:
            CoreSdkError: As :meth:`add_module`.
        """
        return self._native.replace_modules(list(modules.items()))

    def add_path(self, path: StrPath) -> int:
        """Adds a ``.rego`` file, or every ``.rego`` file below a directory, as one
        change; module names are the file paths. Returns the new revision.

        Raises:
            CoreSdkError: ``SOURCE_UNAVAILABLE`` when the path cannot be read,
                ``INVALID_ARGUMENT`` for a directory without ``.rego`` files, and as
                :meth:`add_module`.
        """
        return self._native.add_path(path)

    def add_data(self, data: Mapping[str, Any]) -> int:
        """Merges a data document (a JSON object) into ``data``; returns the new revision.

        Raises:
            CoreSdkError: ``INVALID_ARGUMENT`` when ``data`` is not an object,
                ``POLICY_CONFLICT`` when it collides with data already loaded, and the
                serialisation codes of :func:`coresdk.canonicalize`.
        """
        return self._native.add_data_json(_json.dumps(data))

    def is_allowed(self, path: str, input: Any = None) -> bool:
        """A yes/no decision: ``True`` only when the rule at ``path`` is ``true``;
        ``false`` or undefined is ``False``. Never raises for a failed evaluation (bad
        input, timeout, unknown path, a non-boolean result): the configured fail mode
        answers (``fail_open``, closed by default) and :attr:`fail_mode_count` goes up.
        """
        try:
            text = "{}" if input is None else _json.dumps(input)
        except CoreSdkError:
            # Passed on as empty text, which the core rejects as invalid JSON, so the fail
            # mode (and its count) stays the core's decision.
            text = ""
        return self._native.allowed(path, text)

    @property
    def fail_mode_count(self) -> int:
        """How many times :meth:`is_allowed` answered with the fail mode."""
        return self._native.fail_mode_count

    def evaluate(self, path: str, input: Any = None) -> Decision:
        """Evaluates a rule path such as ``"data.authz.allow"`` against ``input``.

        Args:
            path: ``data.<package>.<rule>`` (a path to a package returns the package
                document).
            input: Any JSON-serialisable value (as in OPA, it need not be an object);
                ``None`` means ``{}``. Use :meth:`evaluate_json` for a JSON ``null``
                input or for input you already hold as JSON text.

        Returns:
            The :class:`Decision`; a rule that produces no value is undefined
            (``defined=False``), not an error.

        Raises:
            CoreSdkError: ``POLICY_NOT_FOUND`` when no loaded package matches ``path``,
                ``INVALID_ARGUMENT`` for a malformed path, ``EVAL_ERROR``,
                ``EVAL_TIMEOUT``, and the serialisation codes of
                :func:`coresdk.canonicalize` for ``input``.
        """
        return self.evaluate_json(path, "{}" if input is None else _json.dumps(input))

    def evaluate_json(self, path: str, input_json: str | bytes) -> Decision:
        """:meth:`evaluate` with the input given as JSON text (``str`` or UTF-8 bytes),
        passed to the core as is.

        Raises:
            CoreSdkError: ``INVALID_JSON`` / ``LIMIT_EXCEEDED`` for bad text, and as
                :meth:`evaluate`.
        """
        result, revision, decision_id, duration_us = self._native.evaluate(path, input_json)
        return Decision(
            result=None if result is None else _json.loads(result),
            defined=result is not None,
            revision=revision,
            decision_id=decision_id,
            duration_us=duration_us,
        )

    def query(self, query: str, input: Any = None) -> QueryResult:
        """Evaluates an ad-hoc Rego query (e.g. ``"x := data.authz.allow"``).

        Args:
            query: The Rego query.
            input: As for :meth:`evaluate` (``None`` means ``{}``).

        Raises:
            CoreSdkError: ``POLICY_PARSE`` for a query that does not parse, and as
                :meth:`evaluate`.
        """
        return self.query_json(query, "{}" if input is None else _json.dumps(input))

    def query_json(self, query: str, input_json: str | bytes) -> QueryResult:
        """:meth:`query` with the input given as JSON text (``str`` or UTF-8 bytes).

        Raises:
            CoreSdkError: ``INVALID_JSON`` / ``LIMIT_EXCEEDED`` for bad text, and as
                :meth:`query`.
        """
        rows, revision, decision_id, duration_us = self._native.query(query, input_json)
        return QueryResult(
            rows=_json.loads(rows),
            revision=revision,
            decision_id=decision_id,
            duration_us=duration_us,
        )

    def __repr__(self) -> str:
        return f"PolicyEngine(revision={self.revision})"
