"""Asserting error codes (never message text): ``with raises("POLICY_PARSE"): ...``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from coresdk import CoreSdkError


@contextmanager
def raises(code: str) -> Iterator[pytest.ExceptionInfo[CoreSdkError]]:
    """Expects a :class:`CoreSdkError` with ``code`` from the block."""
    with pytest.raises(CoreSdkError) as info:
        yield info
    assert info.value.code == code, f"expected {code}, got {info.value!r}"
