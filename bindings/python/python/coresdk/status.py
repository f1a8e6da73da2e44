"""Status reports in OPA's status API format (docs/STATUS.md), started with
:meth:`coresdk.PolicyEngine.start_status_reporter`: the control plane that watches OPA
agents sees this engine's labels, active bundle revision, last successful activation,
errors and plugin state."""

from __future__ import annotations

import json
from typing import Any

from . import _native

__all__ = ["StatusReporter"]


class StatusReporter:
    """Reports an engine's status on a background thread until stopped."""

    def __init__(self, native: _native.StatusReporter) -> None:
        self._native = native

    def stop(self) -> None:
        """Stops reporting (waits at most one report's timeout)."""
        self._native.stop()

    @property
    def metrics(self) -> dict[str, Any]:
        """``sent``, ``failures`` and ``last_error``."""
        result: dict[str, Any] = json.loads(self._native.metrics_json())
        return result
