"""HTTP request authorization: :class:`HttpRequest` in, :class:`RequestAuthorization` out
(:meth:`coresdk.PolicyEngine.authorize_request`). Which headers reach the input, which
status answers and what the problem body says are decided by the core (docs/HTTP.md);
the framework middleware (:mod:`coresdk.asgi`, :mod:`coresdk.flask`,
:mod:`coresdk.django`) only read the request and write the answer.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from ._native import RequestAuthorization

if TYPE_CHECKING:
    from .policy import PolicyEngine
    from .token import TokenVerifier

__all__ = [
    "Guard",
    "HttpRequest",
    "RequestAuthorization",
    "Rule",
    "problem_parts",
    "rule_for",
    "traced",
]


@dataclass(frozen=True)
class HttpRequest:
    """An HTTP request as a server received it.

    Attributes:
        method: The method, e.g. ``"GET"``.
        target: The request target: ``/a/b?x=1`` (origin form) or an absolute URL.
        headers: ``(name, value)`` pairs in the order received; repeats allowed.
        client_address: The client's address, when known.
        trace_id: The trace id (32 hex digits) of the span serving the request, for the
            decision log's ``trace_id``; with ``span_id``. Without them (or with
            OpenTelemetry's all-zero "no span" ids) the request's W3C ``traceparent``
            header names the trace. The middleware fill them from the active
            OpenTelemetry span when ``opentelemetry-api`` is installed.
        span_id: The span id (16 hex digits) of that span, for the decision log's ``span_id``.
    """

    method: str
    target: str
    headers: Sequence[tuple[str, str]] = field(default_factory=tuple)
    client_address: str | None = None
    trace_id: str | None = None
    span_id: str | None = None


def _load_current_span() -> Callable[[], object] | None:
    try:
        from opentelemetry import trace
    except ImportError:
        return None
    return trace.get_current_span


_current_span = _load_current_span()


def traced(request: HttpRequest) -> HttpRequest:
    """``request`` with the active OpenTelemetry span's ids, when it has none and there is
    a valid active span (``opentelemetry-api`` installed); else ``request`` itself."""
    if request.trace_id is not None or _current_span is None:
        return request
    context = _current_span().get_span_context()  # type: ignore[attr-defined]
    if not context.is_valid:
        return request
    return dataclasses.replace(
        request, trace_id=format(context.trace_id, "032x"), span_id=format(context.span_id, "016x")
    )


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
        """The answer for ``request`` (in the active OpenTelemetry span, if any)."""
        return self.engine.authorize_request(
            self.verifier,
            rule_for(self.rule, request),
            traced(request),
            include_headers=self.include_headers,
            token_optional=self.token_optional,
        )

    async def authorize_async(self, request: HttpRequest) -> RequestAuthorization:
        """:meth:`authorize` off the event loop (the span is read on the loop's thread)."""
        return await self.engine.authorize_request_async(
            self.verifier,
            rule_for(self.rule, request),
            traced(request),
            include_headers=self.include_headers,
            token_optional=self.token_optional,
        )
