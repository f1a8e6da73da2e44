"""Decision logs as OpenTelemetry log records through a real LoggerProvider
(opentelemetry-sdk, in-memory exporter), from a FastAPI service behind coresdk.asgi served
by uvicorn: each event one record, masked, carrying the trace of the request (the active
OpenTelemetry span, else the caller's traceparent)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from coresdk import CoreSdkError, DecisionLogger
from coresdk.asgi import AuthorizationMiddleware
from coresdk.otel import DECISION_LOG_SCOPE, log_record, otel_log_sink
from fastapi import FastAPI
from http_service import send, service, token, uvicorn_server
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanContext

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "b7ad6b7169203331"
HOUR_MS = 3_600_000


class ServerSpans:
    """ASGI wrapper starting a real SDK span around each request whose path starts with
    /traced, as OpenTelemetry's ASGI instrumentation does; keeps the span contexts."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.tracer = TracerProvider().get_tracer("test")
        self.contexts: list[SpanContext] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/traced"):
            await self.app(scope, receive, send)
            return
        with self.tracer.start_as_current_span("GET /traced/accounts/{id}") as span:
            self.contexts.append(span.get_span_context())
            await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def setup() -> Iterator[tuple[str, DecisionLogger, InMemoryLogRecordExporter, ServerSpans]]:
    exporter = InMemoryLogRecordExporter()
    provider = LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    logger = DecisionLogger(
        sink=otel_log_sink(provider), min_delay_ms=HOUR_MS, max_delay_ms=HOUR_MS
    )
    engine, verifier = service()
    engine.set_decision_logger(logger)
    app = FastAPI()

    @app.get("/traced/accounts/{account}")
    @app.get("/accounts/{account}")
    async def account(account: str) -> dict[str, str]:
        return {"account": account}

    app.add_middleware(
        AuthorizationMiddleware, engine=engine, verifier=verifier, rule="data.http.allow"
    )
    spans = ServerSpans(app)
    with uvicorn_server(spans) as url:
        yield url, logger, exporter, spans
    logger.close()


def test_each_decision_is_one_masked_record_in_the_requests_trace(
    setup: tuple[str, DecisionLogger, InMemoryLogRecordExporter, ServerSpans],
) -> None:
    base, logger, exporter, spans = setup
    traceparent = {"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"}
    assert send(f"{base}/traced/accounts/bob", token("bob", "admin"), traceparent).status == 200
    eve = token("eve@example.com", "viewer")
    assert send(f"{base}/accounts/x", eve, traceparent).status == 403
    assert send(f"{base}/accounts/y", token("bob", "admin")).status == 200
    logger.flush()

    records = exporter.get_finished_logs()
    assert len(records) == 3
    first, second, third = (r.log_record for r in records)
    assert records[0].instrumentation_scope is not None
    assert records[0].instrumentation_scope.name == DECISION_LOG_SCOPE
    assert first.severity_text == "INFO"
    assert first.event_name == "coresdk.decision"
    body: Any = first.body
    assert body["path"] == "http/allow" and body["result"] is True
    assert first.attributes is not None
    assert first.attributes["coresdk.decision_id"] == body["decision_id"]
    assert re.fullmatch(r"[0-9a-f-]{36}", body["decision_id"])
    # The active span (the server's) wins over the caller's traceparent.
    server = spans.contexts[0]
    assert (body["trace_id"], body["span_id"]) == (
        format(server.trace_id, "032x"),
        format(server.span_id, "016x"),
    )
    assert (first.trace_id, first.span_id) == (server.trace_id, server.span_id)
    # Without one, the caller's traceparent names the trace; with neither, nothing does.
    assert (second.trace_id, second.span_id) == (int(CALLER_TRACE, 16), int(CALLER_SPAN, 16))
    third_body: Any = third.body
    assert "trace_id" not in third_body and not third.trace_id
    # The record's time is the decision's; the email never reached the provider.
    assert first.timestamp is not None
    assert abs(first.timestamp / 1e9 - time.time()) < 60
    second_body: Any = second.body
    assert second_body["input"]["claims"]["sub"] == "[REDACTED:EMAIL]"
    assert "eve@example.com" not in repr([(r.body, r.attributes) for r in (first, second, third)])


def test_record_times_keep_every_digit() -> None:
    event = {
        "decision_id": "d",
        "timestamp": "2026-12-07T16:20:00.123456789Z",
        "labels": {},
    }
    assert log_record(event).timestamp == 1_796_660_400_123_456_789
    event["timestamp"] = "2026-12-07T16:20:00Z"
    assert log_record(event).timestamp == 1_796_660_400_000_000_000


def test_a_sink_that_raises_keeps_the_events_for_the_next_send() -> None:
    calls: list[int] = []

    def flaky(events: list[dict[str, Any]]) -> None:
        calls.append(len(events))
        if len(calls) == 1:
            raise RuntimeError("exporter down")

    logger = DecisionLogger(sink=flaky, min_delay_ms=HOUR_MS, max_delay_ms=HOUR_MS)
    engine, _ = service()
    engine.set_decision_logger(logger)
    engine.evaluate("data.http.allow", {"method": "GET"})
    with pytest.raises(CoreSdkError) as raised:
        logger.flush()
    assert raised.value.code == "SOURCE_UNAVAILABLE"
    assert "exporter down" in str(raised.value)
    logger.close()
    assert calls == [1, 1]
    metrics = logger.metrics
    assert (metrics["delivered"], metrics["upload_failures"]) == (1, 1)


def test_a_sink_that_does_not_return_delays_close_by_its_time_limit_only() -> None:
    release = threading.Event()

    def stuck(events: list[dict[str, Any]]) -> None:
        del events
        release.wait(30)

    logger = DecisionLogger(sink=stuck, timeout_ms=300, min_delay_ms=HOUR_MS, max_delay_ms=HOUR_MS)
    engine, _ = service()
    engine.set_decision_logger(logger)
    engine.evaluate("data.http.allow", {"method": "GET"})
    start = time.monotonic()
    with pytest.raises(CoreSdkError) as raised:
        logger.close()
    assert time.monotonic() - start < 5
    assert raised.value.code == "SOURCE_UNAVAILABLE"
    assert "did not return within 300 ms" in str(raised.value)
    assert logger.metrics["dropped_buffer_full"] == 1
    release.set()


def test_a_logger_has_exactly_one_sink() -> None:
    def sink(events: list[dict[str, Any]]) -> None:
        del events

    for kwargs in ({"file": "-"}, {"service_url": "http://127.0.0.1:1"}):
        with pytest.raises(CoreSdkError) as raised:
            DecisionLogger(sink=sink, **kwargs)  # type: ignore[arg-type]
        assert raised.value.code == "INVALID_ARGUMENT"
    with pytest.raises(CoreSdkError) as raised:
        DecisionLogger(sink="nope")  # type: ignore[arg-type]
    assert raised.value.code == "INVALID_ARGUMENT"
