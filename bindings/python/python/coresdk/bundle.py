"""OPA bundles: signature verification settings, the HTTP bundle poller and directory
watching. Start them from :class:`coresdk.PolicyEngine`
(:meth:`~coresdk.PolicyEngine.start_bundle_polling`,
:meth:`~coresdk.PolicyEngine.watch_directory`); their state shows in
``engine.metrics()["source"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from . import _native

__all__ = ["AwsSigning", "BundlePoller", "BundleVerification", "DirectoryWatch"]

#: The native form of a :class:`BundleVerification`.
_Parts = tuple[str, Optional[str], Optional[bytes], Optional[str], Optional[str]]


@dataclass(frozen=True)
class BundleVerification:
    """How OPA bundle signatures (``.signatures.json``) are verified.

    With a verification configured, an unsigned bundle, or one whose signature or file
    hashes do not match, is rejected with ``INTEGRITY`` and the revision serving stays.

    Attributes:
        algorithm: The JWT algorithm: ``RS256``..``RS512``, ``PS256``..``PS512``,
            ``ES256``, ``ES384``, ``EdDSA`` or ``HS256``..``HS512``.
        public_key: PEM public key, for the asymmetric algorithms.
        secret: Shared secret, for HS*.
        key_id: The expected ``keyid`` claim, if any.
        scope: The expected ``scope`` claim, if any.
    """

    algorithm: str
    public_key: str | None = None
    secret: str | bytes | None = None
    key_id: str | None = None
    scope: str | None = None

    def _parts(self) -> _Parts:
        secret = self.secret.encode("utf-8") if isinstance(self.secret, str) else self.secret
        return (self.algorithm, self.public_key, secret, self.key_id, self.scope)


@dataclass(frozen=True)
class AwsSigning:
    """AWS Signature Version 4 for bundle requests: a bundle in S3 or an S3-compatible
    store such as MinIO (OPA's ``credentials.s3_signing``). With neither key given, the
    keys come from ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and
    ``AWS_SESSION_TOKEN``, read for every request (OPA's ``environment_credentials``).

    Attributes:
        region: The region; default ``AWS_REGION``, else ``AWS_DEFAULT_REGION``.
        service: The service in the signature's scope; default ``s3``.
        access_key_id: The access key id (with ``secret_access_key``).
        secret_access_key: The secret access key (with ``access_key_id``).
        session_token: A session token, for temporary credentials.
    """

    region: str | None = None
    service: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)

    def _parts(self) -> tuple[str | None, ...]:
        return (
            self.region,
            self.service,
            self.access_key_id,
            self.secret_access_key,
            self.session_token,
        )


def _parts(verification: BundleVerification | None) -> _Parts | None:
    return None if verification is None else verification._parts()


class BundlePoller:
    """A running HTTP bundle poller (OPA's bundle protocol: ``ETag`` /
    ``If-None-Match`` / ``304``, a random delay between polls, exponential backoff on
    failure). While the server is unreachable the last good revision keeps serving.
    Also a context manager that stops on exit.
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.BundlePoller) -> None:
        self._native = native

    def stop(self) -> None:
        """Stops polling (returns at once; the revision serving stays). Idempotent."""
        self._native.stop()

    def __enter__(self) -> BundlePoller:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class DirectoryWatch:
    """A running watch of a bundle directory; reloads (debounced) when its files change.
    Also a context manager that stops on exit.
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.DirectoryWatch) -> None:
        self._native = native

    def stop(self) -> None:
        """Stops watching (the revision serving stays). Idempotent."""
        self._native.stop()

    def __enter__(self) -> DirectoryWatch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
