"""The Python ASGI service of the load benchmark: every request is authorized by a CoreSDK
decision (`PolicyEngine.evaluate` on OPA's RBAC example) made in the request handler.
`GET /pets/<type>` reads, `PUT` updates; the user is the `x-user` header. Answers 200 with
`{"allow": <decision>}`; `GET /__stats` returns the decision latencies (µs) seen so far and
resets them. Served by uvicorn:

    target/bench/venv/bin/python -m uvicorn --app-dir benchmarks/compare load_service:app --port 18090
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, Callable

from coresdk import PolicyEngine

EXAMPLE = Path(__file__).resolve().parents[2] / "packages/coresdk/examples/rbac"
ENGINE = PolicyEngine(
    paths=[EXAMPLE / "policy.rego"], data=json.loads((EXAMPLE / "data.json").read_text())
)
LATENCIES: list[float] = []


async def app(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    if scope["path"] == "/__stats":
        body = json.dumps(LATENCIES).encode()
        LATENCIES.clear()
    else:
        headers = dict(scope["headers"])
        user = headers.get(b"x-user", b"").decode()
        action = "read" if scope["method"] == "GET" else "update"
        kind = scope["path"].split("/")[2]
        t0 = time.perf_counter_ns()
        allow = ENGINE.evaluate(
            "data.rbac.allow", {"user": user, "action": action, "type": kind}
        ).result
        LATENCIES.append((time.perf_counter_ns() - t0) / 1000)
        body = json.dumps({"allow": allow}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
