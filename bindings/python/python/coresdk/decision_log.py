"""Decision logs in OPA's event format (docs/DECISION-LOGS.md): an engine given a
:class:`DecisionLogger` records every decision; the logger's thread masks the events with
the core masker and sends them to an OPA-compatible decision-log service, a JSON Lines
file, or a function of yours (OpenTelemetry logs: :func:`coresdk.otel.otel_log_sink`)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import _native
from ._aio import run_blocking
from .errors import _error

__all__ = ["DecisionLogger"]


class DecisionLogger:
    """Sends decision logs from a background thread; give it to engines with
    ``PolicyEngine(decision_logger=...)`` or :meth:`PolicyEngine.set_decision_logger`.

    Args:
        service_url: An OPA-compatible decision-log service's base URL: events are
            POSTed, gzip'd, to ``<service_url>/logs``.
        bearer_token: A bearer token for the service.
        bearer_token_file: Or a file holding it (``chmod 600``), read for every upload.
        file: A JSON Lines file instead of a service (``"-"``: standard output).
        sink: A function given each batch of masked events (a list of OPA event dicts)
            instead of a service or a file, e.g. ``otel_log_sink(logger_provider)``. It
            runs on the logger's thread; what it raises keeps the batch for the next
            attempt (counted in ``upload_failures``).
        labels: Labels added to every event (``id`` and ``version`` are set unless given).
        erase: JSON pointers removed before events leave (e.g. ``/input/password``),
            listed in each event's ``erased``.
        min_delay_ms: Shortest delay between uploads; default 5000.
        max_delay_ms: Longest delay while the sink fails (the backoff cap); default 60000.
        upload_size_limit_bytes: Most bytes of JSON per upload; default 32768.
        buffer_size: Most events waiting, recorded or built and not yet delivered; past it
            the oldest are dropped and counted; default 10000.
        timeout_ms: Time limit of one upload, or of one call of ``sink`` (a call that has
            not returned by then counts as a failed send, and no other starts until it
            returns); default 10000.

    Raises:
        CoreSdkError: ``INVALID_ARGUMENT`` unless exactly one of ``service_url`` and
            ``file`` is given, and for options that do not make a logger.
    """

    def __init__(
        self,
        *,
        service_url: str | None = None,
        bearer_token: str | None = None,
        bearer_token_file: str | os.PathLike[str] | None = None,
        file: str | None = None,
        sink: Callable[[list[dict[str, Any]]], object] | None = None,
        labels: Mapping[str, str] | None = None,
        erase: Iterable[str] = (),
        min_delay_ms: int | None = None,
        max_delay_ms: int | None = None,
        upload_size_limit_bytes: int | None = None,
        buffer_size: int | None = None,
        timeout_ms: int | None = None,
    ) -> None:
        if sink is not None and not callable(sink):
            raise _error("INVALID_ARGUMENT", "sink must be a function")
        self._native = _native.DecisionLogger(
            service_url,
            bearer_token,
            file,
            None if labels is None else json.dumps(dict(labels)),
            list(erase),
            min_delay_ms,
            max_delay_ms,
            upload_size_limit_bytes,
            buffer_size,
            timeout_ms,
            None if sink is None else _batches_to(sink),
            None if bearer_token_file is None else os.fspath(bearer_token_file),
        )

    def flush(self) -> None:
        """Sends everything recorded so far.

        Raises:
            CoreSdkError: ``SOURCE_UNAVAILABLE`` when the sink fails (the events stay for
                the next attempt).
        """
        self._native.flush()

    async def flush_async(self) -> None:
        """:meth:`flush` without blocking the event loop."""
        await run_blocking(self.flush)

    def close(self) -> None:
        """Sends the rest and stops; later decisions are dropped (counted)."""
        self._native.close()

    async def close_async(self) -> None:
        """:meth:`close` without blocking the event loop."""
        await run_blocking(self.close)

    @property
    def metrics(self) -> dict[str, Any]:
        """The counters since start: ``recorded``, ``delivered``, ``dropped_buffer_full``,
        ``dropped_too_large``, ``upload_failures``, ``buffered``, ``last_error``."""
        result: dict[str, Any] = json.loads(self._native.metrics_json())
        return result


def _batches_to(sink: Callable[[list[dict[str, Any]]], object]) -> Callable[[str], None]:
    """The native logger's callback: a batch's JSON text parsed and handed to ``sink``."""

    def deliver(batch_json: str) -> None:
        sink(json.loads(batch_json))

    return deliver
