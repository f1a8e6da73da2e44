"""Django middleware over :meth:`coresdk.PolicyEngine.authorize_request`, sync and async.
Configure it in settings with the engine, verifier and rule, and add it to MIDDLEWARE:

    CORESDK_AUTHORIZATION = {"engine": engine, "verifier": verifier, "rule": "data.http.allow"}
    MIDDLEWARE = [..., "coresdk.django.AuthorizationMiddleware"]

A refused request gets an RFC 9457 body; an allowed one goes on with the answer as
``request.coresdk``. Needs Django installed; CoreSDK does not depend on it.
"""

from __future__ import annotations

import importlib
from typing import Any

from .flask import wsgi_request
from .http import Guard, HttpRequest, RequestAuthorization, problem_parts

__all__ = ["AuthorizationMiddleware", "django_request"]


def _django(module: str) -> Any:
    """A Django module, imported when used (Django ships no type information, and CoreSDK
    does not depend on it)."""
    return importlib.import_module(module)


def django_request(request: Any) -> HttpRequest:
    """The :class:`HttpRequest` of a Django request (its ``META`` is a WSGI environ, or
    Django's ASGI equivalent)."""
    http = wsgi_request(request.META)
    if "RAW_URI" in request.META or "REQUEST_URI" in request.META:
        return http
    # Django's ASGI handler fills META without the raw target: its own full path is it.
    return HttpRequest(http.method, request.get_full_path(), http.headers, http.client_address)


class AuthorizationMiddleware:
    """The middleware; settings ``CORESDK_AUTHORIZATION`` holds ``engine``, ``verifier``,
    ``rule`` and optionally ``include_headers`` and ``token_optional``."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Any) -> None:
        settings = _django("django.conf").settings
        config = dict(getattr(settings, "CORESDK_AUTHORIZATION", None) or {})
        missing = [name for name in ("engine", "verifier", "rule") if name not in config]
        unknown = sorted(
            set(config) - {"engine", "verifier", "rule", "include_headers", "token_optional"}
        )
        if missing or unknown:
            improperly_configured = _django("django.core.exceptions").ImproperlyConfigured
            raise improperly_configured(
                f"CORESDK_AUTHORIZATION: missing {missing or 'nothing'}, unknown {unknown or 'nothing'}"
            )
        self.get_response = get_response
        self.guard = Guard(**config)
        from asgiref.sync import iscoroutinefunction, markcoroutinefunction

        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: Any) -> Any:
        if self.is_async:
            return self._acall(request)
        answer = self.guard.authorize(django_request(request))
        refusal = self._refusal(answer)
        if refusal is not None:
            return refusal
        request.coresdk = answer
        return self.get_response(request)

    async def _acall(self, request: Any) -> Any:
        answer = await self.guard.authorize_async(django_request(request))
        refusal = self._refusal(answer)
        if refusal is not None:
            return refusal
        request.coresdk = answer
        return await self.get_response(request)

    @staticmethod
    def _refusal(answer: RequestAuthorization) -> Any:
        parts = problem_parts(answer)
        if parts is None:
            return None
        headers, body = parts
        return _django("django.http").HttpResponse(
            body, status=answer.status, headers=dict(headers)
        )
