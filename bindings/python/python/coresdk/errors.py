"""The exceptions CoreSDK raises.

Every failure is a :class:`CoreSdkError` whose :attr:`~CoreSdkError.code` is one of the
stable codes shared by Rust, Node and Python (the same bad input gives the same code in
every language). Messages are for people and may change: match on ``code`` (or on the
family subclass), never on the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ERROR_CODES",
    "CoreSdkError",
    "EvaluationError",
    "InternalError",
    "InvalidInputError",
    "Location",
    "PolicyError",
    "TrustError",
]

#: Every stable error code, in the core's declaration order. Codes are never renamed or
#: reused; new ones may be added.
ERROR_CODES: tuple[str, ...] = (
    "INVALID_ARGUMENT",
    "INVALID_JSON",
    "POLICY_PARSE",
    "POLICY_CONFLICT",
    "POLICY_NOT_FOUND",
    "EVAL_ERROR",
    "EVAL_TIMEOUT",
    "BUNDLE_INVALID",
    "SOURCE_UNAVAILABLE",
    "INTEGRITY",
    "TOKEN_INVALID",
    "TOKEN_EXPIRED",
    "KEY_UNAVAILABLE",
    "LIMIT_EXCEEDED",
    "INTERNAL",
)


@dataclass(frozen=True)
class Location:
    """Where in a policy source an error was found.

    Attributes:
        file: The module name (or file path) the policy was loaded under.
        line: 1-based line.
        column: 1-based column.
    """

    file: str
    line: int
    column: int


class CoreSdkError(Exception):
    """A CoreSDK failure with a stable, machine-readable code.

    ``str(error)`` is ``"<CODE>: <message>"``, the same string as Node's
    ``error.message`` (docs/HOST-VALUES.md); :attr:`message` is the text alone.

    Attributes:
        code: The stable code, e.g. ``"POLICY_PARSE"`` (see :data:`ERROR_CODES`).
        message: The human-readable message (no stability guarantee).
        location: For policy errors, where in the source the problem is; else ``None``.
    """

    code: str
    message: str
    location: Location | None

    def __init__(
        self, message: str, *, code: str = "INTERNAL", location: Location | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, code={self.code!r}, "
            f"location={self.location!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle as cls(*args), which would drop the keyword-only code and
        # location (and multiprocessing pickles exceptions raised in workers).
        return (_rebuild, (type(self), self.message, self.code, self.location))


def _rebuild(
    cls: type[CoreSdkError], message: str, code: str, location: Location | None
) -> CoreSdkError:
    return cls(message, code=code, location=location)


class InvalidInputError(CoreSdkError, ValueError):
    """A bad argument or document: ``INVALID_ARGUMENT``, ``INVALID_JSON``,
    ``LIMIT_EXCEEDED``. Also a :class:`ValueError`."""


class PolicyError(CoreSdkError):
    """Policies or data could not be loaded or found: ``POLICY_PARSE``,
    ``POLICY_CONFLICT``, ``POLICY_NOT_FOUND``, ``BUNDLE_INVALID``,
    ``SOURCE_UNAVAILABLE``."""


class EvaluationError(CoreSdkError):
    """Evaluation failed at run time: ``EVAL_ERROR``, ``EVAL_TIMEOUT``."""


class TrustError(CoreSdkError):
    """An integrity, token or key failure: ``INTEGRITY``, ``TOKEN_INVALID``,
    ``TOKEN_EXPIRED``, ``KEY_UNAVAILABLE``."""


class InternalError(CoreSdkError):
    """A bug in CoreSDK (``INTERNAL``), such as a panic caught at the native boundary.
    The process keeps running and the objects involved stay usable."""


_FAMILIES: dict[str, type[CoreSdkError]] = {
    "INVALID_ARGUMENT": InvalidInputError,
    "INVALID_JSON": InvalidInputError,
    "LIMIT_EXCEEDED": InvalidInputError,
    "POLICY_PARSE": PolicyError,
    "POLICY_CONFLICT": PolicyError,
    "POLICY_NOT_FOUND": PolicyError,
    "BUNDLE_INVALID": PolicyError,
    "SOURCE_UNAVAILABLE": PolicyError,
    "EVAL_ERROR": EvaluationError,
    "EVAL_TIMEOUT": EvaluationError,
    "INTEGRITY": TrustError,
    "TOKEN_INVALID": TrustError,
    "TOKEN_EXPIRED": TrustError,
    "KEY_UNAVAILABLE": TrustError,
    "INTERNAL": InternalError,
}


def _error(code: str, message: str, location: Location | None = None) -> CoreSdkError:
    """The exception for ``code``: its family's class (plain :class:`CoreSdkError` for a
    code newer than this module)."""
    return _FAMILIES.get(code, CoreSdkError)(message, code=code, location=location)


def _from_native(code: str, message: str, location: tuple[str, int, int] | None) -> CoreSdkError:
    """Called by ``coresdk._native`` to build the exception for a core error."""
    return _error(code, message, Location(*location) if location is not None else None)
