"""Decision logs sent to a decision-log service on loopback (http.server, gunzip'd here):
OPA's event fields, masking, authorized requests naming the client, retry after failure,
the JSON Lines file sink and bad options."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from coresdk import CoreSdkError, DecisionLogger, HttpRequest, PolicyEngine
from http_service import Collector, collector, service, token

POLICY = 'package app\n\nallow if input.user == "alice@example.com"\n'


@pytest.fixture
def log_service() -> Iterator[Collector]:
    with collector() as service:
        yield service


def uploads(service: Collector) -> list[dict[str, Any]]:
    """The uploads received: path, encoding and the gunzip'd events."""
    return [
        {
            "path": r["path"],
            "encoding": r["headers"].get("content-encoding"),
            "events": json.loads(gzip.decompress(r["body"])),
        }
        for r in service.received
    ]


def quiet(**kwargs: Any) -> DecisionLogger:
    return DecisionLogger(min_delay_ms=3_600_000, max_delay_ms=3_600_000, **kwargs)


def test_events_are_masked_and_in_opas_format(log_service: Collector) -> None:
    url = log_service.url
    logger = quiet(service_url=url, labels={"app": "billing"}, erase=["/input/password"])
    engine = PolicyEngine(modules={"app.rego": POLICY}, decision_logger=logger)
    decision = engine.evaluate(
        "data.app.allow", {"user": "alice@example.com", "password": "hunter2"}
    )
    logger.flush()
    assert [u["path"] for u in uploads(log_service)] == ["/logs"]
    assert uploads(log_service)[0]["encoding"] == "gzip"
    event = uploads(log_service)[0]["events"][0]
    assert event["decision_id"] == decision.decision_id
    assert event["path"] == "app/allow"
    assert event["result"] is True
    assert event["input"] == {"user": "[REDACTED:EMAIL]"}
    assert event["erased"] == ["/input/password"]
    assert event["masked"] == ["/input/user"]
    assert event["labels"]["app"] == "billing"
    assert "alice@example.com" not in json.dumps(uploads(log_service))
    assert "hunter2" not in json.dumps(uploads(log_service))
    assert logger.metrics["delivered"] == 1
    logger.close()


def test_authorized_requests_name_the_client(log_service: Collector) -> None:
    url = log_service.url
    engine, verifier = service()
    logger = quiet(service_url=url)
    engine.set_decision_logger(logger)
    request = HttpRequest(
        "GET",
        "/accounts/bob",
        [("Authorization", f"Bearer {token('bob', 'viewer')}")],
        "198.51.100.4",
    )
    assert engine.authorize_request(verifier, "data.http.allow", request).allowed
    logger.flush()
    event = uploads(log_service)[0]["events"][0]
    assert event["requested_by"] == "198.51.100.4"
    assert "authorization" not in event["input"]["headers"]
    logger.close()


def test_events_wait_while_the_service_fails(log_service: Collector) -> None:
    url = log_service.url
    logger = quiet(service_url=url)
    engine = PolicyEngine(modules={"app.rego": POLICY}, decision_logger=logger)
    engine.evaluate("data.app.allow", {})
    log_service.status = 503
    with pytest.raises(CoreSdkError) as failed:
        logger.flush()
    assert failed.value.code == "SOURCE_UNAVAILABLE"
    assert logger.metrics["buffered"] == 1
    log_service.status = 200
    logger.flush()
    assert len(uploads(log_service)) == 1
    logger.close()


def test_a_file_gets_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    logger = quiet(file=str(path))
    engine = PolicyEngine(modules={"app.rego": POLICY}, decision_logger=logger)
    engine.evaluate("data.app.allow", {"user": "alice@example.com"})
    logger.close()
    (line,) = path.read_text().splitlines()
    assert json.loads(line)["input"] == {"user": "[REDACTED:EMAIL]"}


def test_a_bearer_token_file_is_read_for_every_upload(
    log_service: Collector, tmp_path: Path
) -> None:
    token = tmp_path / "token"
    token.write_text("first-token\n")
    token.chmod(0o600)
    logger = quiet(service_url=log_service.url, bearer_token_file=token)
    engine = PolicyEngine(modules={"app.rego": POLICY}, decision_logger=logger)
    engine.evaluate("data.app.allow", {"user": "bob"})
    logger.flush()
    token.write_text("second-token")
    engine.evaluate("data.app.allow", {"user": "bob"})
    logger.close()
    sent = [r["headers"].get("authorization") for r in log_service.received]
    assert sent == ["Bearer first-token", "Bearer second-token"]
    for kwargs, code in (
        ({"bearer_token": "t", "bearer_token_file": token}, "INVALID_ARGUMENT"),
        ({"bearer_token_file": tmp_path / "missing"}, "KEY_UNAVAILABLE"),
    ):
        with pytest.raises(CoreSdkError) as caught:
            quiet(service_url=log_service.url, **kwargs)
        assert caught.value.code == code


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"service_url": "http://127.0.0.1:9", "file": "x.jsonl"},
        {"service_url": "ftp://x"},
        {"file": "-", "bearer_token": "t"},
        {"service_url": "http://127.0.0.1:9", "min_delay_ms": 10, "max_delay_ms": 1},
        {"service_url": "http://127.0.0.1:9", "labels": {"n": 1}},
        {"service_url": "http://127.0.0.1:9", "buffer_size": -1},
        {"service_url": "http://127.0.0.1:9", "erase": ["/claims"]},
    ],
)
def test_bad_options_are_invalid_argument(kwargs: dict[str, Any]) -> None:
    with pytest.raises(CoreSdkError) as caught:
        DecisionLogger(**kwargs)
    assert caught.value.code == "INVALID_ARGUMENT"
