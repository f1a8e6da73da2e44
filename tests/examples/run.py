#!/usr/bin/env python3
"""Starts every example service in examples/ (Express, Fastify, FastAPI, Flask, Django) on
a free loopback port and exercises it over HTTP: a public route, a missing token, an
allowed and a denied request, a forged token. Exits 1 on the first wrong answer.

Run from the repository root after `scripts/setup.sh` (the built packages, the .venv):
`.venv/bin/python tests/examples/run.py [name ...]`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = b"coresdk-example-secret"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
EXAMPLES = {
    "express": ["node", "examples/express/server.mjs", "0"],
    "fastify": ["node", "examples/fastify/server.mjs", "0"],
    "fastapi": [PYTHON, "examples/fastapi/app.py", "0"],
    "flask": [PYTHON, "examples/flask/app.py", "0"],
    "django": [PYTHON, "examples/django/app.py", "0"],
}
# Django's middleware guards every route with tokens optional, so the policy answers an
# anonymous request (403); the others require a token on /accounts (401).
ANONYMOUS = {"django": 403}


def token(sub: str, role: str, secret: bytes = SECRET) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(b'{"alg":"HS256","typ":"JWT"}')
    body = b64(json.dumps({"sub": sub, "role": role, "exp": int(time.time()) + 600}).encode())
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


def get(url: str, tok: str | None = None) -> tuple[int, str, str]:
    headers = {} if tok is None else {"Authorization": f"Bearer {tok}"}
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers), timeout=10
        ) as res:
            return res.status, res.headers.get("content-type", ""), res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type", ""), e.read().decode()
    except OSError as e:  # refused, reset, timed out: reported as a wrong answer
        return 0, "", repr(e)


def check(name: str, base: str) -> list[str]:
    """The wrong answers of one service (empty when all are right)."""
    wrong: list[str] = []

    def expect(what: str, got: tuple[int, str, str], status: int, problem: bool) -> dict:
        code, kind, text = got
        if code != status or kind.startswith("application/problem+json") != problem:
            wrong.append(f"{what}: got {code} {kind} {text[:200]}, want {status}")
            return {}
        return json.loads(text)

    expect("GET /health without a token", get(f"{base}/health"), 200, False)
    expect(
        "GET /accounts/bob without a token",
        get(f"{base}/accounts/bob"),
        ANONYMOUS.get(name, 401),
        True,
    )
    own = expect(
        "bob reads his account", get(f"{base}/accounts/bob", token("bob", "viewer")), 200, False
    )
    if own and own.get("viewer") != "bob":
        wrong.append(f"bob reads his account: {own}")
    denied = expect(
        "bob reads alice's", get(f"{base}/accounts/alice", token("bob", "viewer")), 403, True
    )
    if denied and len(denied.get("decision_id", "")) != 36:
        wrong.append(f"a deny names its decision: {denied}")
    forged = token("bob", "admin", b"not-the-secret")
    answer = get(f"{base}/accounts/alice", forged)
    expect("a forged admin token", answer, 401, True)
    if forged.split(".")[1] in answer[2]:
        wrong.append("the refusal echoes the token")
    return wrong


def run(name: str) -> list[str]:
    process = subprocess.Popen(
        EXAMPLES[name], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("listening on "):
            process.kill()
            return [f"did not start: {line!r} {process.stderr.read() if process.stderr else ''}"]
        return check(name, line.removeprefix("listening on "))
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> int:
    names = sys.argv[1:] or list(EXAMPLES)
    failed = False
    for name in names:
        wrong = run(name)
        print(f"{name}: {'ok' if not wrong else 'FAILED'}")
        for w in wrong:
            print(f"  {w}")
        failed = failed or bool(wrong)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
