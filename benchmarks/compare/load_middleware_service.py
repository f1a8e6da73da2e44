"""The ASGI service of the middleware load benchmark (load_middleware.py), the counterpart of
load_middleware_service.mjs: every `/accounts/<id>` request goes through
`coresdk.asgi.AuthorizationMiddleware` (HS256 bearer tokens, the examples' policy
`data.http.allow`), and the app answers 200 with the decision id (refusals carry it in the
problem body). `--mode off`: no decision logging, no shadow. `--mode on`: a
`DecisionLogger` POSTing to `--receiver` every `--min-delay-ms` and a `Shadow` asking the
OPA server at `--opa` about every decision (sample rate 1). `GET /__stats`: the logger's
and the shadow's metrics (JSON, null when off). `POST /__close`: waits for the shadow's
queue, closes (flushes) the logger, answers the final metrics. (`--mode log` / `--mode
shadow`: only one of the two, to tell their costs apart.) A plain ASGI app (no
framework, so it runs in target/bench/venv, which has uvicorn but not Starlette), served by
uvicorn:

    target/bench/venv/bin/python benchmarks/compare/load_middleware_service.py --port 18090 --mode off
    target/bench/venv/bin/python benchmarks/compare/load_middleware_service.py --port 18091 \\
        --mode on --receiver http://127.0.0.1:18181 --opa http://127.0.0.1:8181
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, Callable

import uvicorn
from coresdk import DecisionLogger, PolicyEngine, Shadow, TokenKey, TokenVerifier
from coresdk.asgi import AuthorizationMiddleware

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

ROOT = Path(__file__).resolve().parents[2]
# The examples' demo secret (examples/fastapi/app.py); the driver signs tokens with it.
DEMO_SECRET = "coresdk-example-secret"


async def send_json(send: Send, value: object, status: int = 200) -> None:
    body = json.dumps(value).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def accounts(scope: Scope, receive: Receive, send: Send) -> None:
    """The guarded app: only reached when the policy allowed the request."""
    auth = scope["state"]["coresdk"]
    await send_json(
        send,
        {
            "account": scope["path"].split("/")[2],
            "viewer": auth.claims["sub"],
            "decisionId": auth.decision.decision_id,
        },
    )


def build_app(args: argparse.Namespace) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    engine = PolicyEngine(paths=[ROOT / "examples/policy/http.rego"])
    verifier = TokenVerifier(keys=[TokenKey(algorithm="HS256", secret=DEMO_SECRET)])
    logger: DecisionLogger | None = None
    shadow: Shadow | None = None
    if args.mode in ("on", "log"):
        logger = DecisionLogger(
            service_url=args.receiver,
            min_delay_ms=args.min_delay_ms,
            max_delay_ms=args.max_delay_ms,
            buffer_size=args.buffer_size,
        )
        engine.set_decision_logger(logger)
    if args.mode in ("on", "shadow"):
        shadow = Shadow(args.opa, sample_rate=1)
        engine.set_shadow(shadow)
    guarded = AuthorizationMiddleware(
        accounts, engine=engine, verifier=verifier, rule="data.http.allow"
    )

    def stats() -> dict[str, Any]:
        s = None if shadow is None else shadow.metrics
        if s is not None:  # the last 100 disagreements: a few are enough in the result
            s["disagreements"] = s["disagreements"][:3]
        return {
            "mode": args.mode,
            "logger": None if logger is None else logger.metrics,
            "shadow": s,
        }

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path == "/__stats":
            await send_json(send, stats())
        elif path == "/__close" and scope["method"] == "POST":
            idle = True if shadow is None else await shadow.wait_idle_async(60_000)
            close_error = None
            if logger is not None:
                try:
                    await logger.close_async()
                except Exception as e:  # reported to the driver
                    close_error = str(e)
            await send_json(send, {**stats(), "shadowIdle": idle, "closeError": close_error})
        else:
            await guarded(scope, receive, send)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=("off", "on", "log", "shadow"), default="off")
    parser.add_argument("--receiver")
    parser.add_argument("--opa")
    parser.add_argument("--min-delay-ms", type=int, default=200)
    parser.add_argument("--max-delay-ms", type=int, default=2000)
    parser.add_argument("--buffer-size", type=int, default=10_000)
    args = parser.parse_args()
    config = uvicorn.Config(
        build_app(args),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    print(f"ready on {args.port} ({args.mode})", flush=True)
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
