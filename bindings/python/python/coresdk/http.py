"""HTTP request authorization: :class:`HttpRequest` in, :class:`RequestAuthorization` out
(:meth:`coresdk.PolicyEngine.authorize_request`). Which headers reach the input, which
status answers and what the problem body says are decided by the core (docs/HTTP.md);
the framework middleware (:mod:`coresdk.asgi`, :mod:`coresdk.flask`,
:mod:`coresdk.django`) only read the request and write the answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from ._native import RequestAuthorization

if TYPE_CHECKING:
    from .policy import PolicyEngine
    from .token import TokenVerifier

__all__ = ["Guard", "HttpRequest", "RequestAuthorization", "Rule", "problem_parts", "rule_for"]


@dataclass(frozen=True)
class HttpRequest:
    """An HTTP request as a server received it.

    Attributes:
        method: The method, e.g. ``"GET"``.
        target: The request target: ``/a/b?x=1`` (origin form) or an absolute URL.
        headers: ``(name, value)`` pairs in the order received; repeats allowed.
        client_address: The client's address, when known.
    """

    method: str
    target: str
    headers: Sequence[tuple[str, str]] = field(default_factory=tuple)
    client_address: str | None = None


#: A rule path, or a function choosing one per request (per-route rules).
Rule = Union[str, Callable[[HttpRequest], str]]


def rule_for(rule: Rule, request: HttpRequest) -> str:
    """The rule path for ``request``."""
    return rule(request) if callable(rule) else rule


def problem_parts(answer: RequestAuthorization) -> tuple[list[tuple[str, str]], bytes] | None:
    """The headers and body of a refusal (``application/problem+json``), or ``None`` when
    the request is allowed."""
    if answer.allowed or answer.problem is None:
        return None
    headers = [("content-type", "application/problem+json")]
    if answer.www_authenticate is not None:
        headers.append(("www-authenticate", answer.www_authenticate))
    return headers, json.dumps(answer.problem, separators=(",", ":")).encode()


class Guard:
    """What every framework adapter is configured with, and its one call: the engine, the
    verifier, the rule (a path, or a function of the request for per-route rules) and the
    request options of :meth:`coresdk.PolicyEngine.authorize_request`."""

    def __init__(
        self,
        *,
        engine: PolicyEngine,
        verifier: TokenVerifier,
        rule: Rule,
        include_headers: Iterable[str] | None = None,
        token_optional: bool = False,
    ) -> None:
        self.engine = engine
        self.verifier = verifier
        self.rule = rule
        self.include_headers = None if include_headers is None else list(include_headers)
        self.token_optional = token_optional

    def authorize(self, request: HttpRequest) -> RequestAuthorization:
        """The answer for ``request``."""
        return self.engine.authorize_request(
            self.verifier,
            rule_for(self.rule, request),
            request,
            include_headers=self.include_headers,
            token_optional=self.token_optional,
        )

    async def authorize_async(self, request: HttpRequest) -> RequestAuthorization:
        """:meth:`authorize` off the event loop."""
        return await self.engine.authorize_request_async(
            self.verifier,
            rule_for(self.rule, request),
            request,
            include_headers=self.include_headers,
            token_optional=self.token_optional,
        )
