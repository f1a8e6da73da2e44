"""RFC 8785 (JSON Canonicalization Scheme) canonical JSON and its SHA-256.

The same bytes and the same hash in every CoreSDK language, equal to other JCS
implementations: object keys sorted by UTF-16 code units, numbers written as ECMAScript
writes IEEE-754 doubles, minimal string escapes.
"""

from __future__ import annotations

from typing import Any

from . import _json, _native

__all__ = ["canonicalize", "canonicalize_json", "hash", "hash_json"]


def canonicalize(value: Any) -> str:
    """The RFC 8785 canonical JSON text of a JSON-like Python value.

    Numbers are IEEE-754 doubles in JCS, so Python ``int``\\ s beyond 2**53 are rounded to
    the nearest double (``canonicalize(2**53 + 1) == "9007199254740992"``) and ``1.0``
    is written ``1``. Tuples are arrays; dict keys must be ``str``. The outcome of every
    kind of Python value is listed in docs/HOST-VALUES.md.

    Raises:
        CoreSdkError: ``LIMIT_EXCEEDED`` for nesting deeper than 127 levels,
            ``INVALID_ARGUMENT`` for values JSON cannot hold (NaN, infinities, cycles,
            lone surrogates, non-``str`` keys, bytes, sets, datetimes, arbitrary
            objects), ``INVALID_JSON`` for an ``int`` outside the double range.
    """
    return _native.canonicalize_json(_json.dumps(value))


def canonicalize_json(json: str | bytes) -> str:
    """The RFC 8785 canonical form of a JSON document given as text (``str`` or UTF-8
    bytes).

    Raises:
        CoreSdkError: ``INVALID_JSON`` for text that does not parse (syntax, invalid
            UTF-8, numbers outside the double range), ``LIMIT_EXCEEDED`` for nesting
            deeper than 127 levels.
    """
    return _native.canonicalize_json(json)


def hash(value: Any) -> str:  # noqa: A001 - the cross-language name of this operation
    """Lowercase hex SHA-256 of :func:`canonicalize` ``(value)``.

    Raises:
        CoreSdkError: As :func:`canonicalize`.
    """
    return _native.hash_json(_json.dumps(value))


def hash_json(json: str | bytes) -> str:
    """Lowercase hex SHA-256 of :func:`canonicalize_json` ``(json)``.

    Raises:
        CoreSdkError: As :func:`canonicalize_json`.
    """
    return _native.hash_json(json)
