"""OpenTelemetry integration: a span processor that masks every span before it reaches
the exporter, :func:`assert_no_pii` for test suites, and :func:`otel_log_sink`, which
sends decision logs as log records through the host's ``LoggerProvider``.

Needs ``opentelemetry-sdk`` (``pip install coresdk[otel]``); the rest of ``coresdk``
does not import this module.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import Link
from opentelemetry.trace.status import Status
from opentelemetry.util.types import Attributes

from .mask import Masker
from .otel_logs import DECISION_LOG_SCOPE, log_record, otel_log_sink

__all__ = [
    "DECISION_LOG_SCOPE",
    "MaskingSpanProcessor",
    "PiiFinding",
    "assert_no_pii",
    "find_pii",
    "log_record",
    "mask_attributes",
    "mask_span",
    "otel_log_sink",
]


def _portable(value: Any) -> bool:
    """True for a value JSON carries as it is (not NaN/inf floats, not bytes)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (str, int, bool)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_portable(v) for v in value)
    return False


def mask_attributes(attributes: Attributes, masker: Masker) -> dict[str, Any]:
    """Masks an attribute mapping in one call to the core: keys and strings are
    scanned, every value under a sensitive key (``password``, ``*.authorization``, ...) is
    replaced, and a card number written as an int becomes a token. Values JSON cannot carry
    (NaN, inf, bytes) are kept, under their masked key; a sequence partly turned into tokens becomes a tuple of
    strings (OTel sequences are homogeneous)."""
    if not attributes:
        return {}
    portable = {
        k: list(v) if isinstance(v, tuple) else v for k, v in attributes.items() if _portable(v)
    }
    masked = masker.mask_value(portable)
    out: dict[str, Any] = {
        masker.mask_text(k): v for k, v in attributes.items() if k not in portable
    }
    assert isinstance(masked, dict)
    for key, value in masked.items():
        if isinstance(value, list):
            kinds = {type(v) for v in value if v is not None}
            out[key] = tuple(str(v) for v in value) if len(kinds) > 1 else tuple(value)
        else:
            out[key] = value
    return out


def mask_span(span: ReadableSpan, masker: Masker | None = None) -> ReadableSpan:
    """A copy of ``span`` whose name, attributes, events (names and attributes), links
    (attributes) and status description are masked; context, parent, kind, times,
    resource and instrumentation scope are the span's own."""
    m = masker or Masker()
    status = span.status
    if status.description is not None:
        status = Status(status.status_code, m.mask_text(status.description))
    return ReadableSpan(
        name=m.mask_text(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=mask_attributes(span.attributes, m),
        events=[
            Event(m.mask_text(e.name), mask_attributes(e.attributes, m), e.timestamp)
            for e in span.events
        ],
        links=[Link(link.context, mask_attributes(link.attributes, m)) for link in span.links],
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class MaskingSpanProcessor(SpanProcessor):
    """Wraps the downstream processor (typically a ``BatchSpanProcessor``) and hands it
    each ended span with its name, attributes (including those set after the span
    started), events, links and status description already masked, so nothing unmasked
    is queued or exported. ``on_start`` passes the live span through unchanged.

    ::

        provider.add_span_processor(MaskingSpanProcessor(BatchSpanProcessor(exporter)))
    """

    def __init__(self, downstream: SpanProcessor, masker: Masker | None = None) -> None:
        self._downstream = downstream
        self._masker = masker or Masker()

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self._downstream.on_start(span, parent_context=parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self._downstream.on_end(mask_span(span, self._masker))

    def shutdown(self) -> None:
        self._downstream.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._downstream.force_flush(timeout_millis)


@dataclass(frozen=True)
class PiiFinding:
    """Where a detected value was (``span[1].events[0].attributes.note``) and its type;
    never the value."""

    where: str
    type: str


def find_pii(spans: Sequence[ReadableSpan], masker: Masker | None = None) -> list[PiiFinding]:
    """Every detected value in the strings of ``spans`` (names, attributes, events,
    links, status descriptions)."""
    m = masker or Masker()
    found: list[PiiFinding] = []

    def text(where: str, value: Any) -> None:
        if isinstance(value, str):
            found.extend(PiiFinding(where, f.type) for f in m.scan(value))
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                text(f"{where}[{i}]", v)
        elif isinstance(value, int) and not isinstance(value, bool) and value >= 10**12:
            found.extend(PiiFinding(where, f.type) for f in m.scan(str(value)))

    def attributes(where: str, attrs: Mapping[str, Any] | None) -> None:
        for key, value in (attrs or {}).items():
            text(f"{where}.{key}", value)

    for i, span in enumerate(spans):
        at = f"span[{i}]"
        text(f"{at}.name", span.name)
        attributes(f"{at}.attributes", span.attributes)
        for j, event in enumerate(span.events):
            text(f"{at}.events[{j}].name", event.name)
            attributes(f"{at}.events[{j}].attributes", event.attributes)
        for j, link in enumerate(span.links):
            attributes(f"{at}.links[{j}].attributes", link.attributes)
        text(f"{at}.status.description", span.status.description)
    return found


def assert_no_pii(spans: Sequence[ReadableSpan], masker: Masker | None = None) -> None:
    """Raises ``AssertionError`` naming each place in ``spans`` where a detector finds PII
    or a secret (type and location, never the value). For users' own test suites:
    ``assert_no_pii(exporter.get_finished_spans())``."""
    found = find_pii(spans, masker)
    if found:
        places = ", ".join(f"{f.where} ({f.type})" for f in found)
        raise AssertionError(f"PII or secrets in {len(found)} place(s): {places}")
