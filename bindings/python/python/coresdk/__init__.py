"""CoreSDK: an in-process policy and privacy engine.

- :class:`PolicyEngine` evaluates Rego (Open Policy Agent) policies in-process.
- :class:`Masker` detects and masks PII and secrets in text and JSON values.
- :func:`canonicalize` / :func:`hash` give RFC 8785 canonical JSON and its SHA-256.

One Rust core does the work (``coresdk._native``); every failure is a
:class:`CoreSdkError` with a stable :attr:`~CoreSdkError.code` shared with the Node and
Rust APIs.
"""

from __future__ import annotations

from ._native import __version__
from .audit import AuditLog, AuditReport, KeyProvider, verify_audit_log
from .bundle import BundlePoller, BundleVerification, DirectoryWatch
from .canonical import canonicalize, canonicalize_json, hash, hash_json
from .errors import (
    ERROR_CODES,
    CoreSdkError,
    EvaluationError,
    InternalError,
    InvalidInputError,
    Location,
    PolicyError,
    TrustError,
)
from .logging import MaskingFilter
from .mask import Finding, Masker, Strategy
from .policy import Decision, DecisionCache, PolicyEngine, QueryResult, RegoVersion
from .stream import StreamMasker, mask_stream, mask_stream_async
from .token import TokenKey, TokenVerifier

__all__ = [
    "ERROR_CODES",
    "AuditLog",
    "AuditReport",
    "BundlePoller",
    "BundleVerification",
    "CoreSdkError",
    "Decision",
    "DecisionCache",
    "DirectoryWatch",
    "EvaluationError",
    "Finding",
    "InternalError",
    "InvalidInputError",
    "KeyProvider",
    "Location",
    "Masker",
    "StreamMasker",
    "mask_stream",
    "mask_stream_async",
    "MaskingFilter",
    "PolicyEngine",
    "RegoVersion",
    "PolicyError",
    "QueryResult",
    "Strategy",
    "TokenKey",
    "TokenVerifier",
    "TrustError",
    "__version__",
    "canonicalize",
    "canonicalize_json",
    "hash",
    "hash_json",
    "verify_audit_log",
]
