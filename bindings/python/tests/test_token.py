"""JWT verification and authorize() from Python (the cross-language cases are in
fixtures/token/)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

from codes import raises
from coresdk import PolicyEngine, TokenKey, TokenVerifier

KEYS = Path(__file__).resolve().parents[3] / "fixtures" / "keys"
SECRET = b"coresdk-test-secret"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(claims: dict[str, Any]) -> str:
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    sig = hmac.new(SECRET, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(sig)}"


def claims(**extra: Any) -> dict[str, Any]:
    return {"sub": "alice", "role": "admin", "exp": int(time.time()) + 600, **extra}


def verifier(**options: Any) -> TokenVerifier:
    return TokenVerifier(keys=[TokenKey(algorithm="HS256", secret=SECRET)], **options)


def test_authenticate_returns_verified_claims() -> None:
    assert verifier(required_claims=["role"]).authenticate(hs256(claims()))["sub"] == "alice"
    jwks = json.loads((KEYS / "test.jwks").read_text())
    assert TokenVerifier(jwks=jwks)._native is not None


def test_failures_have_codes_and_never_echo_the_token() -> None:
    v = verifier(leeway_seconds=5)
    with raises("TOKEN_EXPIRED"):
        v.authenticate(hs256(claims(exp=int(time.time()) - 60)))
    forged = hs256(claims())[:-4] + "AAAA"
    with raises("TOKEN_INVALID") as info:
        v.authenticate(forged)
    assert forged not in str(info.value)
    with raises("TOKEN_INVALID"):
        v.authenticate("x" * 100_000)
    with raises("INVALID_ARGUMENT"):
        TokenVerifier(keys=[TokenKey(algorithm="RS256", public_key="not pem")])
    with raises("INVALID_ARGUMENT"):
        TokenVerifier(keys=[{"algorithm": "HS256"}])  # type: ignore[list-item]
    with raises("INVALID_ARGUMENT"):
        v.authenticate(b"bytes are not a token")  # type: ignore[arg-type]


def test_authorize_feeds_claims_into_the_policy() -> None:
    engine = PolicyEngine(
        modules={
            "a.rego": 'package a\nallow if {\n input.claims.role == "admin"\n input.action == "delete"\n}\n'
        }
    )
    token = hs256(claims())
    assert engine.authorize(verifier(), token, "data.a.allow", {"action": "delete"}).result is True
    assert engine.authorize(verifier(), token, "data.a.allow").defined is False
    with raises("TOKEN_EXPIRED"):
        engine.authorize(verifier(), hs256(claims(exp=1)), "data.a.allow")
    with raises("INVALID_ARGUMENT"):
        engine.authorize(verifier(), token, "data.a.allow", {"claims": {}})
    assert engine.metrics()["evaluations"] == 2


def test_jwks_url_rotation_and_outage() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    state: dict[str, Any] = {"up": True, "keys": [("k1", SECRET)]}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if not state["up"]:
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = json.dumps(
                {
                    "keys": [
                        {"kty": "oct", "kid": k, "alg": "HS256", "k": b64url(s)}
                        for k, s in state["keys"]
                    ]
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/jwks.json"
    try:
        v = TokenVerifier(jwks_url=url, jwks_min_refetch_seconds=0, jwks_refresh_seconds=3600)
        assert v.authenticate(signed(claims(), "k1", SECRET))["sub"] == "alice"
        state["keys"] = [("k2", b"rotated-secret")]
        rotated = signed(claims(), "k2", b"rotated-secret")
        assert v.authenticate(rotated)["sub"] == "alice"
        status = v.key_source_status()
        assert status is not None
        assert (status["kind"], status["state"], status["updates"]) == ("jwks", "ok", 2)
        state["up"] = False
        with raises("TOKEN_INVALID"):
            v.authenticate(signed(claims(), "k3", b"x"))
        status = v.key_source_status()
        assert status is not None and status["state"] == "failing"
        assert v.authenticate(rotated)["sub"] == "alice"
        with raises("SOURCE_UNAVAILABLE"):
            TokenVerifier(jwks_url=url)
        with raises("INVALID_ARGUMENT"):
            TokenVerifier(jwks_url=url, keys=[TokenKey(algorithm="HS256", secret=SECRET)])
    finally:
        httpd.shutdown()
        httpd.server_close()


def signed(claims: dict[str, Any], kid: str, secret: bytes) -> str:
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    body = b64url(json.dumps(claims).encode())
    sig = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(sig)}"
