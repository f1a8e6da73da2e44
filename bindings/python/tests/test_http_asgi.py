"""coresdk.asgi and coresdk.fastapi on a real FastAPI app served by uvicorn on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from coresdk import RequestAuthorization
from coresdk.asgi import AuthorizationMiddleware
from coresdk.fastapi import authorization, install_problem_handler
from fastapi import Depends, FastAPI, Request
from http_service import send, service, token, uvicorn_server

ID = r"^[0-9a-f-]{36}$"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    engine, verifier = service()
    guarded = FastAPI()

    @guarded.get("/accounts/{account}")
    async def account(account: str, request: Request) -> dict[str, object]:
        answer: RequestAuthorization = request.state.coresdk
        assert answer.claims is not None and answer.decision is not None
        return {
            "sub": answer.claims["sub"],
            "input": answer.input,
            "decision": answer.decision.decision_id,
        }

    guarded.add_middleware(
        AuthorizationMiddleware, engine=engine, verifier=verifier, rule="data.http.allow"
    )

    app = FastAPI()
    install_problem_handler(app)
    guard = authorization(
        engine=engine, verifier=verifier, rule="data.http.public", token_optional=True
    )

    # `= Depends(...)` defaults, not Annotated: with postponed annotations FastAPI cannot
    # see these local dependencies in an annotation.
    @app.get("/health/{name}")
    async def health(
        name: str,
        auth: RequestAuthorization = Depends(guard),  # noqa: B008
    ) -> dict[str, object]:
        return {"name": name, "claims": auth.claims, "status": auth.status}

    missing = authorization(engine=engine, verifier=verifier, rule="data.nothing.allow")

    @app.get("/missing")
    async def broken(auth: RequestAuthorization = Depends(missing)) -> str:  # noqa: B008
        return "never"

    app.mount("/api", guarded)
    with uvicorn_server(app) as url:
        yield url


def test_an_allowed_request_goes_on_with_claims_input_and_decision(base: str) -> None:
    headers = {"Cookie": "s=1", "X-Request-Id": "r-1"}
    r = send(f"{base}/api/accounts/bob?view=full&tag=a&tag=b", token("bob", "admin"), headers)
    assert r.status == 200, r.text
    assert r.body["sub"] == "bob"
    assert re.match(ID, r.body["decision"])
    got = r.body["input"]
    assert got["method"] == "GET"
    assert got["path"] == "/api/accounts/bob"
    assert got["parsed_path"] == ["api", "accounts", "bob"]
    assert got["parsed_query"] == {"view": ["full"], "tag": ["a", "b"]}
    assert got["headers"]["x-request-id"] == "r-1"
    assert "authorization" not in got["headers"] and "cookie" not in got["headers"]
    assert got["client_address"] == "127.0.0.1"
    assert got["claims"]["role"] == "admin"


def test_the_mount_prefix_is_in_the_path_the_policy_sees(base: str) -> None:
    # parsed_path is ["api", "accounts", "bob"], so the own-account rule (["accounts", sub]) denies.
    r = send(f"{base}/api/accounts/bob", token("bob", "viewer"))
    assert r.status == 403


def test_refusals_are_problem_documents_that_never_echo_the_token(base: str) -> None:
    none = send(f"{base}/api/accounts/bob")
    assert none.status == 401
    assert none.type == "application/problem+json"
    assert none.challenge == "Bearer"
    assert none.body == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "a bearer token is required",
        "code": "TOKEN_INVALID",
    }
    forged = token("bob", "admin", secret="another-secret")
    bad = send(f"{base}/api/accounts/bob", forged)
    assert bad.status == 401 and bad.challenge == 'Bearer error="invalid_token"'
    assert forged.split(".")[1] not in bad.text
    denied = send(f"{base}/api/accounts/alice", token("bob", "viewer"))
    assert denied.status == 403 and denied.body["title"] == "Forbidden"
    assert re.match(ID, denied.body["decision_id"])


def test_the_dependency_decides_per_route(base: str) -> None:
    open_ = send(f"{base}/health/db")
    assert open_.status == 200
    assert open_.body == {"name": "db", "claims": None, "status": 200}
    failed = send(f"{base}/missing", token("bob", "admin"))
    assert failed.status == 500
    assert failed.type == "application/problem+json"
    assert failed.body["code"] == "POLICY_NOT_FOUND"
    assert "never" not in failed.text
