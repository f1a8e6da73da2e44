"""PolicyEngine.authorize_request itself: bad arguments get INVALID_ARGUMENT, the async
variant gives the same answer, prints reach on_print, and the answer's fields are typed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from coresdk import CoreSdkError, HttpRequest, PolicyEngine, RequestAuthorization
from http_service import service, token


def bob() -> HttpRequest:
    return HttpRequest(
        "GET", "/accounts/bob", [("Authorization", f"Bearer {token('bob', 'viewer')}")]
    )


def test_the_answer_is_typed_and_the_async_variant_agrees() -> None:
    engine, verifier = service()
    answer = engine.authorize_request(verifier, "data.http.allow", bob())
    assert isinstance(answer, RequestAuthorization)
    assert (answer.status, answer.allowed, answer.problem, answer.www_authenticate) == (
        200,
        True,
        None,
        None,
    )
    assert answer.claims is not None and answer.claims["sub"] == "bob"
    assert answer.decision is not None and answer.decision.result is True
    assert answer.input["parsed_path"] == ["accounts", "bob"]
    again = asyncio.run(engine.authorize_request_async(verifier, "data.http.allow", bob()))
    assert (again.status, again.input) == (answer.status, answer.input)
    assert "status=200" in repr(answer)


def test_errors_are_core_sdk_errors_that_never_hold_the_token() -> None:
    engine, verifier = service()
    forged = token("bob", "admin", secret="another")
    request = HttpRequest("GET", "/", [("Authorization", f"Bearer {forged}")])
    answer = engine.authorize_request(verifier, "data.http.allow", request)
    assert isinstance(answer.error, CoreSdkError) and answer.error.code == "TOKEN_INVALID"
    assert forged.split(".")[1] not in str(answer.error)
    assert answer.problem == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "the bearer token is not valid",
        "code": "TOKEN_INVALID",
    }


def test_prints_reach_on_print() -> None:
    lines: list[str] = []
    engine = PolicyEngine(
        modules={"p.rego": 'package p\n\nallow if {\n\tprint("hi", input.method)\n\ttrue\n}\n'},
        on_print=lambda line, _decision: lines.append(line),
    )
    _, verifier = service()
    assert engine.authorize_request(verifier, "data.p.allow", bob()).allowed
    assert len(lines) == 1 and lines[0].endswith("hi GET"), lines


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("data.http.allow", "not a request"), {}),
        (("data.http.allow", HttpRequest("GET", "/", [("a",)])), {}),  # type: ignore[list-item]
        (("data.http.allow", HttpRequest("GET", "/", [("a", 1)])), {}),  # type: ignore[list-item]
        (("data.http.allow", HttpRequest(7, "/")), {}),  # type: ignore[arg-type]
        (("data.http.allow", HttpRequest("GET", "/", client_address=5)), {}),  # type: ignore[arg-type]
        (("data.http.allow", HttpRequest("GET", "\ud800")), {}),
        (("data.http.allow", bob()), {"include_headers": "x-id"}),
        (("data.http.allow", bob()), {"token_optional": "yes"}),
        ((7, bob()), {}),
    ],
)
def test_bad_arguments_are_invalid_argument(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    engine, verifier = service()
    with pytest.raises(CoreSdkError) as caught:
        engine.authorize_request(verifier, *args, **kwargs)
    assert caught.value.code == "INVALID_ARGUMENT"
    with pytest.raises(CoreSdkError):
        engine.authorize_request("not a verifier", "data.http.allow", bob())  # type: ignore[arg-type]
