"""Shadow mode against a real OPA server: decisions that agree are counted as agreeing; a
policy change made in OPA only makes them disagree, and each disagreement is kept with
both answers and a masked input; CoreSDK's answers never change; bad options are refused."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from coresdk import CoreSdkError, PolicyEngine, Shadow
from opa_server import opa_server, put_policy

POLICY = """package app

default allow := false

allow if input.role == "admin"

tags contains t if some t in input.tags
"""


@pytest.fixture(scope="module")
def opa() -> Iterator[str]:
    with opa_server() as url:
        put_policy(url, "app", POLICY)
        yield url


def test_agreement_is_counted_and_a_change_in_opa_shows_as_disagreement(opa: str) -> None:
    engine = PolicyEngine(modules={"app.rego": POLICY})
    shadow = Shadow(opa)
    engine.set_shadow(shadow)
    inputs: list[dict[str, Any]] = [
        {"role": "admin"},
        {"role": "viewer", "email": "bob@example.com"},
        {"tags": ["b", "a", "b"]},
        {},
    ]
    for i in inputs:
        engine.evaluate("data.app.allow", i)
        engine.evaluate("data.app.tags", i)
    engine.evaluate("data.app.nothing", {})  # undefined in both
    assert shadow.wait_idle(20_000)
    first = shadow.metrics
    assert (first["sampled"], first["agreed"], first["disagreed"], first["opa_errors"]) == (
        9,
        9,
        0,
        0,
    )

    # OPA now allows viewers; CoreSDK still does not.
    put_policy(
        opa, "app", POLICY.replace('input.role == "admin"', 'input.role in {"admin", "viewer"}')
    )
    decision = engine.evaluate("data.app.allow", {"role": "viewer", "email": "bob@example.com"})
    assert decision.result is False
    assert shadow.wait_idle(20_000)
    after = shadow.metrics
    assert (after["agreed"], after["disagreed"]) == (9, 1)
    (kept,) = after["disagreements"]
    assert kept["decision_id"] == decision.decision_id
    assert kept["path"] == "data.app.allow"
    assert kept["coresdk"] == {"result": False}
    assert kept["opa"] == {"result": True}
    assert kept["input"] == {"role": "viewer", "email": "[REDACTED:EMAIL]"}
    shadow.stop()


def test_an_opa_that_never_answers_is_counted_and_never_delays_decisions() -> None:
    engine = PolicyEngine(modules={"app.rego": POLICY})
    # A listener that never accepts: each comparison waits out the timeout, the queue fills.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        shadow = Shadow(f"http://127.0.0.1:{silent.getsockname()[1]}", queue_size=2, timeout_ms=500)
        engine.set_shadow(shadow)
        for _ in range(50):
            assert engine.evaluate("data.app.allow", {"role": "admin"}).result is True
        metrics = shadow.metrics
        assert metrics["sampled"] == 50
        assert metrics["dropped"] >= 47  # one in flight and two queued at most
        assert shadow.wait_idle(20_000)
    metrics = shadow.metrics
    assert metrics["opa_errors"] + metrics["dropped"] == 50
    assert "/v1/data/app/allow" in metrics["last_error"]
    engine.set_shadow(None)
    shadow.stop()


def test_sampling_takes_a_share() -> None:
    engine = PolicyEngine(modules={"app.rego": POLICY})
    none = Shadow("http://127.0.0.1:9", sample_rate=0)
    engine.set_shadow(none)
    for _ in range(20):
        engine.evaluate("data.app.allow", {})
    assert none.metrics["sampled"] == 0
    none.stop()


@pytest.mark.parametrize(
    ("url", "kwargs"),
    [
        ("ftp://opa", {}),
        ("http://opa", {"sample_rate": 1.5}),
        ("http://opa", {"sample_rate": "all"}),
        ("http://opa", {"queue_size": 0}),
        ("http://opa", {"queue_size": -1}),
        (7, {}),
    ],
)
def test_bad_options_are_invalid_argument(url: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(CoreSdkError) as caught:
        Shadow(url, **kwargs)
    assert caught.value.code == "INVALID_ARGUMENT"
