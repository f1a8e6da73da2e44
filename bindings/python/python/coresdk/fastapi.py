"""A FastAPI dependency over :meth:`coresdk.PolicyEngine.authorize_request`, for routes
that want the decision per route instead of :class:`coresdk.asgi.AuthorizationMiddleware`
on the whole app. Needs FastAPI (or Starlette) installed; CoreSDK does not depend on it.

    refused = install_problem_handler(app)
    guard = authorization(engine=engine, verifier=verifier, rule="data.http.allow")

    @app.get("/accounts/{id}")
    async def account(id: str, auth: RequestAuthorization = Depends(guard)): ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .asgi import asgi_request
from .http import Guard, RequestAuthorization, Rule, problem_parts
from .policy import PolicyEngine
from .token import TokenVerifier

__all__ = ["RequestRefused", "authorization", "install_problem_handler", "problem_response"]


class RequestRefused(Exception):  # noqa: N818 - a refusal is an answer, not an error
    """Raised by the dependency for a refused request; the handler installed by
    :func:`install_problem_handler` answers it with the problem body."""

    def __init__(self, answer: RequestAuthorization) -> None:
        super().__init__(f"request refused with {answer.status}")
        self.answer = answer


def problem_response(answer: RequestAuthorization) -> Response:
    """The refusal as a Starlette response (``application/problem+json``)."""
    parts = problem_parts(answer)
    if parts is None:
        raise ValueError("the request is allowed: there is no refusal to send")
    headers, body = parts
    return Response(body, status_code=answer.status, headers=dict(headers))


def install_problem_handler(app: Any) -> type[RequestRefused]:
    """Answers :class:`RequestRefused` with its problem body in ``app`` (FastAPI or Starlette)."""

    async def handler(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestRefused)
        return problem_response(exc.answer)

    app.add_exception_handler(RequestRefused, handler)
    return RequestRefused


def authorization(
    *,
    engine: PolicyEngine,
    verifier: TokenVerifier,
    rule: Rule,
    include_headers: Iterable[str] | None = None,
    token_optional: bool = False,
) -> Callable[[Request], Awaitable[RequestAuthorization]]:
    """A dependency that authorizes the request and returns the answer (claims, decision),
    raising :class:`RequestRefused` for a refusal."""
    guard = Guard(
        engine=engine,
        verifier=verifier,
        rule=rule,
        include_headers=include_headers,
        token_optional=token_optional,
    )

    async def dependency(request: Request) -> RequestAuthorization:
        answer = await guard.authorize_async(asgi_request(request.scope))
        if not answer.allowed:
            raise RequestRefused(answer)
        return answer

    return dependency
