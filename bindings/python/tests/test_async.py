"""The ``*_async`` methods for asyncio services: the sync call's results and errors, and
the event loop keeps running while the core works."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import pytest
from coresdk import AuditLog, CoreSdkError, PolicyEngine, TokenKey, TokenVerifier, verify_audit_log

SECRET = b"coresdk-async-secret"

POLICY = """package app

allow if input.user == "alice"

names contains n if some n in ["a", "b"]

# Slow on purpose: a comprehension over numbers.range(1, input.n).
slow := count([x | some i in numbers.range(1, input.n); x := i * 2; x % 3 != 1])
"""


def engine() -> PolicyEngine:
    # A generous timeout: the slow rule must finish, however loaded the machine is.
    return PolicyEngine(modules={"app.rego": POLICY}, timeout_ms=600_000)


def hs256(claims: dict[str, Any]) -> str:
    enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
    head = enc(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = enc(json.dumps(claims).encode())
    sig = hmac.new(SECRET, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{enc(sig)}"


def verifier() -> TokenVerifier:
    return TokenVerifier(keys=[TokenKey(algorithm="HS256", secret=SECRET)])


def same(a: Any, b: Any) -> None:
    """Decisions and query results equal but for the per-call id and duration."""
    assert {**vars_of(a), "decision_id": "", "duration_us": 0} == {
        **vars_of(b),
        "decision_id": "",
        "duration_us": 0,
    }


def vars_of(d: Any) -> dict[str, Any]:
    return {f: getattr(d, f) for f in dir(d) if not f.startswith("_")}


def test_results_equal_the_sync_calls() -> None:
    e = engine()
    token = hs256({"sub": "alice", "exp": int(time.time()) + 600})
    v = verifier()

    async def run() -> None:
        same(
            await e.evaluate_async("data.app.allow", {"user": "alice"}),
            e.evaluate("data.app.allow", {"user": "alice"}),
        )
        same(
            await e.evaluate_json_async("data.app.allow", b'{"user":"bob"}'),
            e.evaluate_json("data.app.allow", b'{"user":"bob"}'),
        )
        assert (await e.evaluate_async("data.app.allow", {"user": "alice"})).result is True
        q = await e.query_async("x := data.app.names")
        same(q, e.query("x := data.app.names"))
        assert q.rows == [{"expressions": [True], "bindings": {"x": ["a", "b"]}}]
        same(
            await e.query_json_async("y := input.n", '{"n": 3}'),
            e.query_json("y := input.n", '{"n": 3}'),
        )
        assert await e.is_allowed_async("data.app.allow", {"user": "alice"}) is True
        assert await e.is_allowed_async("data.app.allow", {"user": "bob"}) is False
        assert await v.authenticate_async(token) == v.authenticate(token)
        d = await e.authorize_async(v, token, "data.app.allow", {"user": "alice"})
        same(d, e.authorize(v, token, "data.app.allow", {"user": "alice"}))
        assert d.result is True

    asyncio.run(run())


def test_errors_are_the_sync_calls_errors() -> None:
    e = engine()
    v = verifier()
    expired = hs256({"sub": "alice", "exp": int(time.time()) - 3600})
    calls = [
        (
            "POLICY_NOT_FOUND",
            lambda: e.evaluate("data.nope.allow"),
            lambda: e.evaluate_async("data.nope.allow"),
        ),
        (
            "INVALID_JSON",
            lambda: e.evaluate_json("data.app.allow", "{"),
            lambda: e.evaluate_json_async("data.app.allow", "{"),
        ),
        ("POLICY_PARSE", lambda: e.query("x := := 1"), lambda: e.query_async("x := := 1")),
        ("TOKEN_EXPIRED", lambda: v.authenticate(expired), lambda: v.authenticate_async(expired)),
        (
            "TOKEN_INVALID",
            lambda: e.authorize(v, "x.y.z", "data.app.allow"),
            lambda: e.authorize_async(v, "x.y.z", "data.app.allow"),
        ),
    ]
    for code, sync, asynchronous in calls:
        with pytest.raises(CoreSdkError) as sync_error:
            sync()
        with pytest.raises(CoreSdkError) as async_error:
            asyncio.run(asynchronous())
        assert sync_error.value.code == async_error.value.code == code
        assert type(async_error.value) is type(sync_error.value)
        assert async_error.value.message == sync_error.value.message


async def ticks_during(work: Any) -> tuple[int, Any]:
    """Runs ``work()`` (a coroutine) beside a ticker task; returns how many ticks the
    ticker made while the work was still running, and the work's result."""
    running = True
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while running:
            await asyncio.sleep(0)
            if running:
                ticks += 1

    task = asyncio.ensure_future(ticker())
    await asyncio.sleep(0)  # the ticker is running before the work starts
    try:
        result = await work()
    finally:
        running = False
    await task
    return ticks, result


def test_the_event_loop_keeps_running_during_evaluations() -> None:
    e = engine()
    n = 100_000
    expected = e.evaluate("data.app.slow", {"n": n}).result
    assert expected == len([i for i in range(1, n + 1) if (i * 2) % 3 != 1])

    async def concurrent() -> list[Any]:
        return list(
            await asyncio.gather(*(e.evaluate_async("data.app.slow", {"n": n}) for _ in range(3)))
        )

    async def blocking() -> Any:
        return e.evaluate("data.app.slow", {"n": n})

    async def run() -> None:
        ticks, decisions = await ticks_during(concurrent)
        assert [d.result for d in decisions] == [expected] * 3
        # The loop ran the ticker while the three evaluations were in flight ...
        assert ticks > 0
        # ... which the sync call, made on the loop itself, does not allow at all.
        blocked_ticks, decision = await ticks_during(blocking)
        assert decision.result == expected
        assert blocked_ticks == 0

    asyncio.run(run())


def test_append_async_writes_the_same_chain(tmp_path: Path) -> None:
    e = engine()
    log = AuditLog(tmp_path / "audit.jsonl", key=b"k", fsync_every_record=False)

    async def run() -> str:
        for user in ("alice", "bob"):
            d = await e.evaluate_async("data.app.allow", {"user": user})
            await log.append_async(d, "data.app.allow", {"user": user})
        return log.head

    head = asyncio.run(run())
    report = verify_audit_log(tmp_path / "audit.jsonl", b"k", expected_head=head)
    assert (report.intact, report.records) == (True, 2)
