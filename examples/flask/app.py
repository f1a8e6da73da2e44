"""A Flask service guarded by CoreSDK: ``python app.py [port]`` (0 picks a free one).
GET /accounts/<id> needs a bearer token the policy allows; GET /health needs none."""

from __future__ import annotations

import sys
from pathlib import Path

from coresdk import PolicyEngine, TokenKey, TokenVerifier
from coresdk.flask import Authorization
from flask import Blueprint, Flask, g
from werkzeug.serving import make_server

# A demo HS256 secret so the example runs alone; production services verify with the
# identity provider's keys (TokenVerifier(jwks_url=...)).
DEMO_SECRET = "coresdk-example-secret"

engine = PolicyEngine(paths=[Path(__file__).parent.parent / "policy" / "http.rego"])
verifier = TokenVerifier(keys=[TokenKey(algorithm="HS256", secret=DEMO_SECRET)])

app = Flask(__name__)
# /accounts: a blueprint guarded by the extension (a bearer token is required).
accounts = Blueprint("accounts", __name__, url_prefix="/accounts")
Authorization(engine=engine, verifier=verifier, rule="data.http.allow").init_app(accounts)


@accounts.get("/<account>")
def account(account: str) -> dict[str, object]:
    return {
        "account": account,
        "viewer": g.coresdk.claims["sub"],
        "decisionId": g.coresdk.decision.decision_id,
    }


# /health: outside the blueprint, not guarded.
@app.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}


app.register_blueprint(accounts)


if __name__ == "__main__":
    server = make_server(
        "127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 5000, app, threaded=True
    )
    print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
