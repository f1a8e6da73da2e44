"""JWT verification: :class:`TokenVerifier` and the :class:`TokenKey` it is built from.

Use :meth:`TokenVerifier.authenticate` for verified claims, or
:meth:`coresdk.PolicyEngine.authorize` to verify and decide in one call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import _json, _native
from ._aio import run_blocking
from .errors import _error

__all__ = ["TokenKey", "TokenVerifier"]


@dataclass(frozen=True)
class TokenKey:
    """One verification key: a PEM public key (RS*, PS*, ES*, EdDSA) or a secret (HS*).

    Attributes:
        algorithm: The algorithm the key verifies, e.g. ``"RS256"``.
        public_key: PEM public key.
        secret: HMAC secret.
        key_id: The ``kid`` tokens name this key by.
    """

    algorithm: str
    public_key: str | None = None
    secret: str | bytes | None = None
    key_id: str | None = None


class TokenVerifier:
    """Verifies JWTs: signature (RS/PS/ES/EdDSA/HS), ``exp``/``nbf`` with leeway, issuer,
    audience and required claims. Failures raise :class:`coresdk.CoreSdkError`
    ``TOKEN_EXPIRED`` or ``TOKEN_INVALID`` with a reason that never contains the token.

    Args:
        jwks: A JWKS document (``{"keys": [...]}``) as a mapping or JSON text.
        keys: Keys given one by one.
        issuers: Accepted issuers (``iss``); empty = any.
        audiences: Accepted audiences (``aud``); empty = not checked.
        leeway_seconds: Clock skew allowed on ``exp`` / ``nbf`` (default 60).
        required_claims: Claims that must be present; ``exp`` always is.
        jwks_url: Fetch the JWKS from this URL now and every ``jwks_refresh_seconds`` in
            the background (a failed refresh keeps the last good keys; a token with an
            unknown ``kid`` triggers one refetch, at most every
            ``jwks_min_refetch_seconds``; defaults 300, 30 and a 10,000 ms request limit,
            set by the core). Instead of ``jwks`` / ``keys``; at least one source is required.

    Raises:
        CoreSdkError: ``INVALID_ARGUMENT`` / ``INVALID_JSON`` for unusable key material.
    """

    __slots__ = ("_native",)

    def __init__(
        self,
        *,
        jwks: Mapping[str, Any] | str | None = None,
        keys: Iterable[TokenKey] = (),
        issuers: Iterable[str] = (),
        audiences: Iterable[str] = (),
        leeway_seconds: int | None = None,
        required_claims: Iterable[str] = (),
        jwks_url: str | None = None,
        jwks_refresh_seconds: int | None = None,
        jwks_min_refetch_seconds: int | None = None,
        jwks_timeout_ms: int | None = None,
    ) -> None:
        keys = list(keys)
        jwks_json = jwks if jwks is None or isinstance(jwks, str) else _json.dumps(jwks)
        parts = []
        for key in keys:
            if not isinstance(key, TokenKey):
                raise _error("INVALID_ARGUMENT", "keys must be TokenKey values")
            secret = key.secret.encode("utf-8") if isinstance(key.secret, str) else key.secret
            parts.append((key.algorithm, key.public_key, secret, key.key_id))
        self._native = _native.TokenVerifier(
            jwks_json,
            parts,
            list(issuers),
            list(audiences),
            leeway_seconds,
            list(required_claims),
            jwks_url,
            jwks_refresh_seconds,
            jwks_min_refetch_seconds,
            jwks_timeout_ms,
        )

    def key_source_status(self) -> dict[str, Any] | None:
        """The remote JWKS's state (the shape of ``metrics()["source"]``, kind
        ``"jwks"``), or ``None`` for fixed keys."""
        status: dict[str, Any] | None = _json.loads(self._native.key_source_status_json())
        return status

    def authenticate(self, token: str) -> dict[str, Any]:
        """The verified claims of ``token``.

        Raises:
            CoreSdkError: ``TOKEN_EXPIRED``, ``TOKEN_INVALID``.
        """
        claims: dict[str, Any] = _json.loads(self._native.authenticate_json(token))
        return claims

    async def authenticate_async(self, token: str) -> dict[str, Any]:
        """:meth:`authenticate` without blocking the event loop (Node's
        ``authenticateAsync``): run on the loop's default executor, the GIL released while
        the core verifies (a ``jwks_url`` refetch included). Same claims, same errors."""
        return await run_blocking(self.authenticate, token)
