"""A one-file Django service guarded by CoreSDK: ``python app.py [port]`` (0 picks a free
one). GET /accounts/<id> needs a bearer token the policy allows; GET /health needs none."""

from __future__ import annotations

import sys
from pathlib import Path

import django
from coresdk import PolicyEngine, TokenKey, TokenVerifier
from django.conf import settings
from django.http import JsonResponse
from django.urls import path

# A demo HS256 secret so the example runs alone; production services verify with the
# identity provider's keys (TokenVerifier(jwks_url=...)).
DEMO_SECRET = "coresdk-example-secret"

settings.configure(
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    SECRET_KEY="example-only",
    MIDDLEWARE=["coresdk.django.AuthorizationMiddleware"],
    # /health is public (no token needed); the policy decides everything else.
    CORESDK_AUTHORIZATION={
        "engine": PolicyEngine(paths=[Path(__file__).parent.parent / "policy" / "http.rego"]),
        "verifier": TokenVerifier(keys=[TokenKey(algorithm="HS256", secret=DEMO_SECRET)]),
        "rule": "data.http.allow",
        "token_optional": True,
    },
)
django.setup()


def health(request: object) -> JsonResponse:
    return JsonResponse({"ok": True})


def account(request: object, account: str) -> JsonResponse:
    auth = request.coresdk  # type: ignore[attr-defined]
    return JsonResponse(
        {"account": account, "viewer": auth.claims["sub"], "decisionId": auth.decision.decision_id}
    )


urlpatterns = [path("health", health), path("accounts/<str:account>", account)]

if __name__ == "__main__":
    from django.core.wsgi import get_wsgi_application
    from werkzeug.serving import make_server

    server = make_server(
        "127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8000, get_wsgi_application()
    )
    print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
