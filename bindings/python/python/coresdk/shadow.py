"""Shadow mode (docs/SHADOW.md): sampled decisions are also asked of an OPA server, off
the hot path, and the answers compared, so a team replacing an OPA sidecar can prove on
live traffic that CoreSDK decides as OPA did. CoreSDK's answer is never delayed or
changed."""

from __future__ import annotations

import json
from typing import Any

from . import _native
from ._aio import run_blocking
from .errors import _error

__all__ = ["Shadow"]


class Shadow:
    """Compares sampled decisions with an OPA server; give it to engines with
    ``PolicyEngine.set_shadow``.

    Args:
        opa_url: The OPA server's base URL, e.g. ``http://127.0.0.1:8181``.
        sample_rate: The share of decisions compared, 0 to 1; default 1.
        queue_size: Most decisions waiting; past it new ones are dropped and counted;
            default 1000.
        timeout_ms: Time limit of one request to OPA; default 5000.

    Raises:
        CoreSdkError: ``INVALID_ARGUMENT`` for a URL that is not http(s), a rate outside
            0 to 1, an empty queue.
    """

    def __init__(
        self,
        opa_url: str,
        *,
        sample_rate: float | None = None,
        queue_size: int | None = None,
        timeout_ms: int | None = None,
    ) -> None:
        if sample_rate is not None and (
            isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, float))
        ):
            raise _error("INVALID_ARGUMENT", "sample_rate must be a number from 0 to 1")
        rate = None if sample_rate is None else float(sample_rate)
        self._native = _native.Shadow(opa_url, rate, queue_size, timeout_ms)

    def wait_idle(self, timeout_ms: int = 10_000) -> bool:
        """``True`` once every queued decision has been compared; ``False`` after
        ``timeout_ms``."""
        return self._native.wait_idle(timeout_ms)

    async def wait_idle_async(self, timeout_ms: int = 10_000) -> bool:
        """:meth:`wait_idle` without blocking the event loop."""
        return await run_blocking(self.wait_idle, timeout_ms)

    def stop(self) -> None:
        """Stops comparing; queued decisions are not compared."""
        self._native.stop()

    @property
    def metrics(self) -> dict[str, Any]:
        """``sampled``, ``agreed``, ``disagreed``, ``opa_errors``, ``dropped``, ``queued``,
        ``last_error`` and ``disagreements`` (the last 100, each with ``decision_id``,
        ``path``, ``input``, ``coresdk`` and ``opa``, masked)."""
        result: dict[str, Any] = json.loads(self._native.metrics_json())
        return result
