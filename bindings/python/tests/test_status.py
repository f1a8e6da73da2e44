"""Status reports to a status service on loopback (http.server): OPA's status format, a
new report when a bundle activates, bad options."""

from __future__ import annotations

import io
import json
import tarfile
import time
from collections.abc import Iterator
from typing import Any

import pytest
from coresdk import CoreSdkError, PolicyEngine
from http_service import Collector, collector


@pytest.fixture
def status_service() -> Iterator[Collector]:
    with collector() as service:
        yield service


def bundle(revision: str) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, text in [
            (".manifest", json.dumps({"revision": revision})),
            ("app/p.rego", "package app\n\nx := 1\n"),
        ]:
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def wait_for(condition: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_reports_follow_the_engine(status_service: Collector) -> None:
    url = status_service.url

    def reports() -> list[dict[str, Any]]:
        return [{"path": r["path"], "body": json.loads(r["body"])} for r in status_service.received]

    engine = PolicyEngine()
    reporter = engine.start_status_reporter(
        url, labels={"region": "eu"}, check_interval_ms=20, interval_ms=3_600_000
    )
    assert wait_for(lambda: len(reports()) == 1)
    assert reports()[0]["path"] == "/status"
    assert reports()[0]["body"]["labels"]["region"] == "eu"
    assert reports()[0]["body"]["plugins"]["bundle"]["state"] == "NOT_READY"
    engine.load_bundle(bundle("r9"))
    assert wait_for(lambda: len(reports()) == 2)
    assert reports()[1]["body"]["bundles"]["bundle"]["active_revision"] == "r9"
    assert reports()[1]["body"]["plugins"]["bundle"]["state"] == "OK"
    reporter.stop()
    assert reporter.metrics == {"sent": 2, "failures": 0, "last_error": None}


@pytest.mark.parametrize(
    ("url", "kwargs"),
    [
        ("status.example", {}),
        ("http://x", {"interval_ms": 0}),
        ("http://x", {"labels": {"n": 1}}),
        (5, {}),
    ],
)
def test_bad_options_are_invalid_argument(url: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(CoreSdkError) as caught:
        PolicyEngine().start_status_reporter(url, **kwargs)
    assert caught.value.code == "INVALID_ARGUMENT"
