"""coresdk.otel with the real OpenTelemetry SDK: a TracerProvider, a BatchSpanProcessor
and the in-memory exporter. (The logging filter is tested in test_logging.py.)"""

from __future__ import annotations

import math

import pytest
from coresdk import Masker
from coresdk.otel import MaskingSpanProcessor, assert_no_pii, find_pii
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, StatusCode
from opentelemetry.trace.status import Status

EMAIL = "bob@example.com"
CARD = "4111 1111 1111 1111"
TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


def exported(mask: bool, masker: Masker | None = None) -> list[ReadableSpan]:
    exporter = InMemorySpanExporter()
    batch = BatchSpanProcessor(exporter, schedule_delay_millis=10)
    provider = TracerProvider()
    provider.add_span_processor(MaskingSpanProcessor(batch, masker) if mask else batch)
    tracer = provider.get_tracer("coresdk-test")
    linked = tracer.start_span("linked")
    linked.end()
    span = tracer.start_span(
        f"GET /users/{EMAIL}",
        attributes={
            "user.email": EMAIL,
            "http.request.header.authorization": "Bearer abc",
            "http.status_code": 200,
        },
        links=[Link(linked.get_span_context(), {"peer.card": CARD})],
    )
    # Set after the span started, and on events.
    span.set_attribute("payment.card", CARD)
    span.set_attribute("payment.card_number", 4111111111111111)
    span.set_attribute("tags", ["ok", f"mail {EMAIL}"])
    span.set_attribute("ratio", math.inf)
    span.add_event(f"token {TOKEN} used", {"db.password": "hunter2", "note": f"card {CARD}"})
    span.set_status(Status(StatusCode.ERROR, f"failed for {EMAIL}"))
    span.end()
    provider.force_flush()
    spans = list(exporter.get_finished_spans())
    provider.shutdown()
    return spans


def test_the_batch_processor_gets_masked_spans() -> None:
    spans = exported(mask=True)
    assert [s.name for s in spans] == ["linked", "GET /users/[REDACTED:EMAIL]"]
    span = spans[1]
    assert dict(span.attributes or {}) == {
        "user.email": "[REDACTED:EMAIL]",
        "http.request.header.authorization": "[REDACTED:SECRET]",
        "http.status_code": 200,
        "payment.card": "[REDACTED:CREDIT_CARD]",
        "payment.card_number": "[REDACTED:CREDIT_CARD]",
        "tags": ("ok", "mail [REDACTED:EMAIL]"),
        "ratio": math.inf,
    }
    assert [(e.name, dict(e.attributes or {})) for e in span.events] == [
        (
            "token [REDACTED:GITHUB_TOKEN] used",
            {"db.password": "[REDACTED:SECRET]", "note": "card [REDACTED:CREDIT_CARD]"},
        )
    ]
    assert dict(span.links[0].attributes or {}) == {"peer.card": "[REDACTED:CREDIT_CARD]"}
    assert (span.status.status_code, span.status.description) == (
        StatusCode.ERROR,
        "failed for [REDACTED:EMAIL]",
    )
    # Everything else is the span's own.
    assert span.context is not None and span.context.trace_id != 0
    assert span.links[0].context.span_id == spans[0].context.span_id  # type: ignore[union-attr]
    assert (
        span.instrumentation_scope is not None and span.instrumentation_scope.name == "coresdk-test"
    )
    assert (
        span.end_time is not None
        and span.start_time is not None
        and span.end_time >= span.start_time
    )
    assert_no_pii(spans)


def test_assert_no_pii_names_places_never_values() -> None:
    spans = exported(mask=False)
    found = {(f.where, f.type) for f in find_pii(spans)}
    assert {
        ("span[1].name", "EMAIL"),
        ("span[1].attributes.user.email", "EMAIL"),
        ("span[1].attributes.payment.card_number", "CREDIT_CARD"),
        ("span[1].attributes.tags[1]", "EMAIL"),
        ("span[1].events[0].name", "GITHUB_TOKEN"),
        ("span[1].links[0].attributes.peer.card", "CREDIT_CARD"),
        ("span[1].status.description", "EMAIL"),
    } <= found
    with pytest.raises(AssertionError) as caught:
        assert_no_pii(spans)
    assert "span[1].name (EMAIL)" in str(caught.value)
    assert EMAIL not in str(caught.value) and "4111" not in str(caught.value)


def test_the_masker_given_is_used() -> None:
    spans = exported(mask=True, masker=Masker(strategy="pseudonymize", key=b"k"))
    assert spans[1].name.startswith("GET /users/[EMAIL:")
