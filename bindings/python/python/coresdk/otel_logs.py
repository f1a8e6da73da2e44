"""Decision logs as OpenTelemetry log records, through the host's own ``LoggerProvider``:
give ``otel_log_sink(provider)`` to a :class:`coresdk.DecisionLogger` as its ``sink``.
Each masked OPA event becomes one record: the event is the body, the decision id and path
are attributes, and the record carries the event's trace and span ids so backends
correlate it with the request's trace.

Needs ``opentelemetry-sdk`` 1.35 or later (``pip install coresdk[otel]``); the rest of
``coresdk`` does not import this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from opentelemetry import trace
from opentelemetry._logs import LoggerProvider, LogRecord, SeverityNumber
from opentelemetry.context import Context
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from . import __version__

__all__ = ["DECISION_LOG_SCOPE", "log_record", "otel_log_sink"]

#: The instrumentation scope of the records.
DECISION_LOG_SCOPE = "coresdk.decision_log"


def otel_log_sink(
    provider: LoggerProvider, *, event_name: str = "coresdk.decision"
) -> Callable[[list[dict[str, Any]]], None]:
    """A :class:`coresdk.DecisionLogger` sink emitting each event as a log record of
    ``provider``'s logger."""
    logger = provider.get_logger(DECISION_LOG_SCOPE, __version__)

    def sink(events: list[dict[str, Any]]) -> None:
        for event in events:
            logger.emit(log_record(event, event_name))

    return sink


def log_record(event: Mapping[str, Any], event_name: str = "coresdk.decision") -> LogRecord:
    """The log record of one event."""
    attributes = {"coresdk.decision_id": str(event["decision_id"])}
    if "path" in event:
        attributes["coresdk.path"] = str(event["path"])
    if "error" in event:
        attributes["coresdk.error_code"] = str(event["error"]["code"])
    context: Context | None = None
    if "trace_id" in event and "span_id" in event:
        span = SpanContext(
            trace_id=int(event["trace_id"], 16),
            span_id=int(event["span_id"], 16),
            is_remote=False,
            trace_flags=TraceFlags(TraceFlags.SAMPLED),
        )
        context = trace.set_span_in_context(NonRecordingSpan(span), Context())
    return LogRecord(
        timestamp=_unix_nanos(str(event["timestamp"])),
        context=context if context is not None else Context(),
        severity_number=SeverityNumber.INFO,
        severity_text="INFO",
        body=dict(event),
        attributes=attributes,
        event_name=event_name,
    )


def _unix_nanos(rfc3339: str) -> int:
    """An RFC 3339 time in nanoseconds since the epoch, keeping every digit."""
    date_time, _, rest = rfc3339.partition(".")
    digits = ""
    zone = rest
    if rest:
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits) :]
    else:
        date_time, zone = rfc3339[:19], rfc3339[19:]
    zone = "+00:00" if zone in ("Z", "z") else zone
    seconds = int(datetime.fromisoformat(date_time + zone).timestamp())
    return seconds * 1_000_000_000 + int((digits or "0").ljust(9, "0")[:9])
