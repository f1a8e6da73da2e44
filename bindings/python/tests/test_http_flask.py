"""coresdk.flask on a real Flask app served by werkzeug on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from coresdk.flask import Authorization
from flask import Blueprint, Flask, g
from http_service import send, service, token, wsgi_server


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    engine, verifier = service()
    app = Flask(__name__)

    @app.get("/accounts/<account>")
    def account(account: str) -> dict[str, object]:
        return {"sub": g.coresdk.claims["sub"], "input": g.coresdk.input}

    Authorization(app, engine=engine, verifier=verifier, rule="data.http.allow")
    # A blueprint with its own rule, tokens optional: the app's hook runs first, so it is
    # registered on a second app here.
    public = Flask("public")
    health = Blueprint("health", __name__)

    @health.get("/health/<name>")
    def check(name: str) -> dict[str, object]:
        return {"name": name, "claims": g.coresdk.claims}

    Authorization(
        engine=engine, verifier=verifier, rule="data.http.public", token_optional=True
    ).init_app(health)
    public.register_blueprint(health)
    with wsgi_server(app) as url, wsgi_server(public) as public_url:
        yield f"{url}|{public_url}"


def test_allowed_requests_reach_the_view_with_the_answer(base: str) -> None:
    url, public_url = base.split("|")
    r = send(
        f"{url}/accounts/bob?x=%C3%A9", token("bob", "viewer"), {"X-Tenant": "t1", "Cookie": "c=1"}
    )
    assert r.status == 200, r.text
    assert r.body["sub"] == "bob"
    got = r.body["input"]
    assert got["path"] == "/accounts/bob"
    assert got["parsed_path"] == ["accounts", "bob"]
    assert got["parsed_query"] == {"x": ["é"]}
    assert got["headers"]["x-tenant"] == "t1"
    assert "cookie" not in got["headers"] and "authorization" not in got["headers"]
    assert got["client_address"] == "127.0.0.1"
    assert send(f"{public_url}/health/db").body == {"name": "db", "claims": None}


def test_refusals_are_problem_documents(base: str) -> None:
    url = base.split("|")[0]
    none = send(f"{url}/accounts/bob")
    assert (none.status, none.type, none.challenge) == (401, "application/problem+json", "Bearer")
    assert none.body["detail"] == "a bearer token is required"
    expired = send(f"{url}/accounts/bob", token("bob", "viewer", expires_in=-120))
    assert expired.status == 401 and expired.body["code"] == "TOKEN_EXPIRED"
    denied = send(f"{url}/accounts/alice", token("bob", "viewer"))
    assert denied.status == 403
    assert re.match(r"^[0-9a-f-]{36}$", denied.body["decision_id"])
