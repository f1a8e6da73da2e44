"""The service the middleware tests put behind each framework: one policy, one HS256
verifier, tokens signed here, servers on loopback and a small HTTP client."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from coresdk import PolicyEngine, TokenKey, TokenVerifier

SECRET = "coresdk-middleware-test-secret"

POLICY = """package http

default allow := false

allow if input.claims.role == "admin"

allow if {
\tinput.method == "GET"
\tinput.parsed_path == ["accounts", input.claims.sub]
}

public if input.parsed_path[0] == "health"
"""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(sub: str, role: str, expires_in: int = 600, secret: str = SECRET) -> str:
    """An HS256 token for ``sub`` with ``role``."""
    claims = {"sub": sub, "role": role, "exp": int(time.time()) + expires_in}
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(mac)}"


def service(fail_open: bool = False) -> tuple[PolicyEngine, TokenVerifier]:
    engine = PolicyEngine(modules={"http.rego": POLICY}, fail_open=fail_open)
    verifier = TokenVerifier(keys=[TokenKey(algorithm="HS256", secret=SECRET)])
    return engine, verifier


@dataclass
class Reply:
    status: int
    type: str | None
    challenge: str | None
    text: str
    body: Any


def send(url: str, tok: str | None = None, headers: dict[str, str] | None = None) -> Reply:
    """GETs ``url`` with the bearer ``tok`` and extra headers."""
    all_headers = dict(headers or {})
    if tok is not None:
        all_headers["Authorization"] = f"Bearer {tok}"
    request = urllib.request.Request(url, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as res:
            status, head, raw = res.status, res.headers, res.read()
    except urllib.error.HTTPError as e:
        status, head, raw = e.code, e.headers, e.read()
    text = raw.decode()
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = text
    return Reply(status, head.get("content-type"), head.get("www-authenticate"), text, body)


@contextmanager
def uvicorn_server(app: Any) -> Iterator[str]:
    """Serves the ASGI ``app`` with uvicorn on a loopback port; yields the base URL."""
    import socket

    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def wsgi_server(app: Any) -> Iterator[str]:
    """Serves the WSGI ``app`` with werkzeug on a loopback port; yields the base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


@dataclass
class Collector:
    """A service that takes POSTs (decision logs, status reports) on loopback: it answers
    ``status`` and records the requests it answered 200."""

    url: str = ""
    status: int = 200
    received: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def collector() -> Iterator[Collector]:
    state = Collector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if state.status == 200:
                state.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
