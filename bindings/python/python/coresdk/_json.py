"""Python values to and from the JSON text that crosses into the core.

One crossing per call (SPEC principle 9): values are serialised once with the C encoder
and parsed once by the core. This module is the one place where serialisation failures
become error codes.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import _error


def dumps(value: Any) -> str:
    """Serialises ``value`` to compact JSON text for the core.

    Python ``int``\\ s are written exactly; the core rounds those beyond 2**53 to the
    nearest IEEE double, as RFC 8785 requires. ``tuple``\\ s are arrays; non-``str`` dict
    keys that :mod:`json` accepts (``int``, ``float``, ``bool``, ``None``) become strings.

    Raises:
        CoreSdkError: ``LIMIT_EXCEEDED`` for a value nested too deeply to serialise (a
            circular structure is infinitely deep), ``INVALID_JSON`` for NaN, infinities
            and ints too large to print, ``INVALID_ARGUMENT`` for anything else JSON
            cannot hold (bytes, sets, arbitrary objects).
    """
    try:
        # check_circular=False: a cycle then fails as a RecursionError (LIMIT_EXCEEDED)
        # instead of costing an id() map lookup per container on every call.
        return json.dumps(
            value,
            ensure_ascii=False,
            allow_nan=False,
            check_circular=False,
            separators=(",", ":"),
        )
    except RecursionError as e:
        raise _error(
            "LIMIT_EXCEEDED", "value nested too deeply (or circular) to serialise as JSON"
        ) from e
    except ValueError as e:
        raise _error("INVALID_JSON", f"value is not representable as JSON: {e}") from e
    except TypeError as e:
        raise _error("INVALID_ARGUMENT", f"value is not JSON-serialisable: {e}") from e


def loads(text: str) -> Any:
    """Parses JSON text produced by the core (always valid, at most 127 levels deep)."""
    return json.loads(text)
