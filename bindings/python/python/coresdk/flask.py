"""A Flask extension over :meth:`coresdk.PolicyEngine.authorize_request`: a
``before_request`` hook that refuses with an RFC 9457 body or lets the request through
with the answer as ``flask.g.coresdk``. Needs Flask installed; CoreSDK does not depend on it.

    Authorization(app, engine=engine, verifier=verifier, rule="data.http.allow")
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from .http import Guard, HttpRequest, Rule, problem_parts
from .policy import PolicyEngine
from .token import TokenVerifier

__all__ = ["Authorization", "wsgi_request"]


def wsgi_request(environ: dict[str, Any]) -> HttpRequest:
    """The :class:`HttpRequest` of a WSGI environ: the target as sent when the server
    records it (``RAW_URI`` / ``REQUEST_URI``), else rebuilt from ``SCRIPT_NAME``,
    ``PATH_INFO`` and ``QUERY_STRING``."""
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not target:
        path = quote(
            environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/"), safe="/%:@!$&'()*+,;="
        )
        query = environ.get("QUERY_STRING", "")
        target = f"{path}?{query}" if query else path
    headers = [
        (key[5:].replace("_", "-").lower(), str(value))
        for key, value in environ.items()
        if key.startswith("HTTP_")
    ]
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers.append((key.replace("_", "-").lower(), str(environ[key])))
    return HttpRequest(
        method=str(environ.get("REQUEST_METHOD", "GET")),
        target=str(target),
        headers=headers,
        client_address=environ.get("REMOTE_ADDR"),
    )


class Authorization(Guard):
    """Guards every request of a Flask app, or of a blueprint (pass it to
    :meth:`init_app`). ``rule`` may be a function of the :class:`~coresdk.http.HttpRequest`
    for per-route rules."""

    def __init__(
        self,
        app: Any = None,
        *,
        engine: PolicyEngine,
        verifier: TokenVerifier,
        rule: Rule,
        include_headers: Iterable[str] | None = None,
        token_optional: bool = False,
    ) -> None:
        super().__init__(
            engine=engine,
            verifier=verifier,
            rule=rule,
            include_headers=include_headers,
            token_optional=token_optional,
        )
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Any) -> None:
        """Registers the hook on ``app`` (a ``Flask`` app or a ``Blueprint``)."""
        app.before_request(self._before_request)

    def _before_request(self) -> Any:
        from flask import Response, g, request

        answer = self.authorize(wsgi_request(request.environ))
        refusal = problem_parts(answer)
        if refusal is not None:
            headers, body = refusal
            return Response(body, status=answer.status, headers=headers)
        g.coresdk = answer
        return None
