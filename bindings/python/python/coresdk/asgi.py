"""ASGI middleware over :meth:`coresdk.PolicyEngine.authorize_request` (FastAPI,
Starlette, Quart, Litestar, any ASGI app). It reads the request, awaits the decision off
the event loop and writes the refusal; the core decides everything in between.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import quote

from .http import Guard, HttpRequest, Rule, problem_parts
from .policy import PolicyEngine
from .token import TokenVerifier

__all__ = ["AuthorizationMiddleware", "asgi_request"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def asgi_request(scope: Scope) -> HttpRequest:
    """The :class:`HttpRequest` of an ASGI ``http`` scope: the raw path as sent (with the
    mount prefix), the query string, the header pairs and the client's address."""
    raw = scope.get("raw_path")
    if raw:
        path = bytes(raw).decode("latin-1")
    else:
        path = quote(
            str(scope.get("root_path", "")) + str(scope.get("path", "/")), safe="/%:@!$&'()*+,;="
        )
    query = bytes(scope.get("query_string") or b"").decode("latin-1")
    if query and "?" not in path:
        path = f"{path}?{query}"
    headers = [
        (bytes(n).decode("latin-1"), bytes(v).decode("latin-1"))
        for n, v in scope.get("headers", [])
    ]
    client = scope.get("client")
    return HttpRequest(
        method=str(scope.get("method", "GET")),
        target=path,
        headers=headers,
        client_address=str(client[0]) if client else None,
    )


class AuthorizationMiddleware:
    """Refuses requests the policy does not allow, with an RFC 9457 body; lets the others
    through with the answer (claims, decision, input) in ``scope["state"]["coresdk"]``,
    which Starlette and FastAPI show as ``request.state.coresdk``. Non-HTTP scopes
    (lifespan, websocket) pass untouched. ``rule`` may be a function of the
    :class:`~coresdk.http.HttpRequest` for per-route rules.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        engine: PolicyEngine,
        verifier: TokenVerifier,
        rule: Rule,
        include_headers: Iterable[str] | None = None,
        token_optional: bool = False,
    ) -> None:
        self.app = app
        self.guard = Guard(
            engine=engine,
            verifier=verifier,
            rule=rule,
            include_headers=include_headers,
            token_optional=token_optional,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        answer = await self.guard.authorize_async(asgi_request(scope))
        refusal = problem_parts(answer)
        if refusal is not None:
            await send_refusal(send, answer.status, *refusal)
            return
        scope.setdefault("state", {})["coresdk"] = answer
        await self.app(scope, receive, send)


async def send_refusal(
    send: Send, status: int, headers: list[tuple[str, str]], body: bytes
) -> None:
    """Writes a refusal as one ASGI response."""
    raw = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in headers]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
