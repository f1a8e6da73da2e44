"""Python values to and from the JSON text that crosses into the core.

One crossing per call (SPEC principle 9): a value is written to JSON text once, by the
native ``to_json`` (``bindings/python/src/value.rs``), and parsed once by the core. The
rules are those of docs/HOST-VALUES.md, the same as the Node wrapper's.
"""

from __future__ import annotations

import json
from typing import Any

from . import _native


def dumps(value: Any) -> str:
    """Serialises ``value`` to compact JSON text for the core.

    ``None``, ``bool``, ``int`` (exact digits of any size; RFC 8785 canonicalisation
    rounds those beyond 2**53 to the nearest double, evaluation keeps them exact),
    finite ``float``, ``str``, ``list`` and ``tuple`` (arrays), ``dict`` with ``str`` keys.

    Raises:
        CoreSdkError: ``INVALID_ARGUMENT`` for NaN and infinities, a cycle, a ``str``
            (value or key) with a lone surrogate, a non-``str`` dict key and any other
            type (``bytes``, ``set``, ``datetime``, ...); ``LIMIT_EXCEEDED`` for nesting
            deeper than 127 levels.
    """
    return _native.to_json(value)


def loads(text: str) -> Any:
    """Parses JSON text produced by the core (always valid, at most 127 levels deep)."""
    return json.loads(text)
