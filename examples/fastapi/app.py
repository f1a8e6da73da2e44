"""A FastAPI service guarded by CoreSDK: ``python app.py [port]`` (0 picks a free one).
GET /accounts/{id} needs a bearer token the policy allows; GET /health needs none."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Annotated

import uvicorn
from coresdk import PolicyEngine, RequestAuthorization, TokenKey, TokenVerifier
from coresdk.asgi import AuthorizationMiddleware
from coresdk.fastapi import authorization, install_problem_handler
from fastapi import Depends, FastAPI, Request

# A demo HS256 secret so the example runs alone; production services verify with the
# identity provider's keys (TokenVerifier(jwks_url=...)).
DEMO_SECRET = "coresdk-example-secret"

engine = PolicyEngine(paths=[Path(__file__).parent.parent / "policy" / "http.rego"])
verifier = TokenVerifier(keys=[TokenKey(algorithm="HS256", secret=DEMO_SECRET)])

# /accounts: a sub-application behind the ASGI middleware (a bearer token is required).
accounts = FastAPI()
accounts.add_middleware(
    AuthorizationMiddleware, engine=engine, verifier=verifier, rule="data.http.allow"
)


@accounts.get("/{account}")
async def account(account: str, request: Request) -> dict[str, object]:
    auth: RequestAuthorization = request.state.coresdk
    assert auth.claims is not None and auth.decision is not None
    return {
        "account": account,
        "viewer": auth.claims["sub"],
        "decisionId": auth.decision.decision_id,
    }


# /health: one route with the dependency instead, tokens optional (the policy makes it public).
app = FastAPI()
install_problem_handler(app)
public = authorization(
    engine=engine, verifier=verifier, rule="data.http.allow", token_optional=True
)


@app.get("/health")
async def health(auth: Annotated[RequestAuthorization, Depends(public)]) -> dict[str, bool]:
    return {"ok": auth.allowed}


app.mount("/accounts", accounts)


if __name__ == "__main__":
    sock = socket.socket()
    sock.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8000))
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
