"""Shared pytest setup. Tests import the INSTALLED ``coresdk`` (the wheel or a
``maturin develop`` build), never the source tree: nothing here touches ``sys.path``."""

from __future__ import annotations

import coresdk
from coresdk import _native


def pytest_report_header() -> list[str]:
    """Shows which build is under test, so a stale install is obvious."""
    return [f"coresdk {coresdk.__version__} from {coresdk.__file__} ({_native.__file__})"]
