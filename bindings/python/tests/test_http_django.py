"""coresdk.django's middleware in a real Django project (settings configured here),
served over WSGI by werkzeug on loopback and called through Django's ASGI handler."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from http_service import send, service, token, wsgi_server

django = pytest.importorskip("django")
from django.conf import settings  # noqa: E402

ENGINE, VERIFIER = service()


def account(request: object, account: str) -> object:
    from django.http import JsonResponse

    answer = request.coresdk  # type: ignore[attr-defined]
    return JsonResponse({"sub": answer.claims["sub"], "path": answer.input["parsed_path"]})


urlpatterns: list[object] = []

if not settings.configured:
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["127.0.0.1", "testserver"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["coresdk.django.AuthorizationMiddleware"],
        CORESDK_AUTHORIZATION={"engine": ENGINE, "verifier": VERIFIER, "rule": "data.http.allow"},
        SECRET_KEY="test-only",
    )
    django.setup()
    from django.urls import path

    urlpatterns.append(path("accounts/<str:account>", account))


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    from django.core.wsgi import get_wsgi_application

    with wsgi_server(get_wsgi_application()) as url:
        yield url


def test_wsgi_requests_are_authorized(base: str) -> None:
    ok = send(f"{base}/accounts/bob", token("bob", "viewer"))
    assert ok.status == 200, ok.text
    assert ok.body == {"sub": "bob", "path": ["accounts", "bob"]}
    none = send(f"{base}/accounts/bob")
    assert (none.status, none.type, none.challenge) == (401, "application/problem+json", "Bearer")
    denied = send(f"{base}/accounts/alice", token("bob", "viewer"))
    assert denied.status == 403 and denied.body["title"] == "Forbidden"


def test_asgi_requests_take_the_async_path() -> None:
    from django.core.asgi import get_asgi_application

    app = get_asgi_application()

    async def call(path: str, tok: str | None) -> tuple[int, dict[str, object]]:
        headers = [(b"host", b"testserver")]
        if tok is not None:
            headers.append((b"authorization", f"Bearer {tok}".encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
        }
        sent: list[dict[str, object]] = []
        inbox: asyncio.Queue[dict[str, object]] = asyncio.Queue()
        inbox.put_nowait({"type": "http.request", "body": b"", "more_body": False})

        async def receive() -> dict[str, object]:
            # The body once; then nothing until Django stops listening for a disconnect.
            return await inbox.get()

        async def send_(message: dict[str, object]) -> None:
            sent.append(message)

        await app(scope, receive, send_)
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")  # type: ignore[misc]
        return int(sent[0]["status"]), json.loads(body)  # type: ignore[call-overload]

    status, body = asyncio.run(call("/accounts/bob", token("bob", "viewer")))
    assert (status, body) == (200, {"sub": "bob", "path": ["accounts", "bob"]})
    status, body = asyncio.run(call("/accounts/bob", None))
    assert status == 401 and body["code"] == "TOKEN_INVALID"
