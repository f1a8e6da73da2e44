"""CoreSDK: an in-process policy and privacy engine.

- :class:`PolicyEngine` evaluates Rego (Open Policy Agent) policies in-process.
- :class:`Masker` detects and masks PII and secrets in text and JSON values.
- :func:`canonicalize` / :func:`hash` give RFC 8785 canonical JSON and its SHA-256.
- :func:`scan_paths` scans files and directories for PII and secrets (a CI gate).

One Rust core does the work (``coresdk._native``); every failure is a
:class:`CoreSdkError` with a stable :attr:`~CoreSdkError.code` shared with the Node and
Rust APIs.
"""

from __future__ import annotations

from ._native import __version__
from .audit import AuditLog, AuditReport, KeyProvider, verify_audit_log
from .bundle import AwsSigning, BundlePoller, BundleVerification, DirectoryWatch
from .canonical import canonicalize, canonicalize_json, hash, hash_json
from .decision_log import DecisionLogger
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
from .http import HttpRequest, RequestAuthorization
from .logging import MaskingFilter
from .mask import Finding, Masker, Strategy, unmask_text, unmask_value
from .policy import Decision, DecisionCache, Evaluator, PolicyEngine, QueryResult, RegoVersion
from .secret_scan import ScanFormat, ScanResult, scan_paths
from .shadow import Shadow
from .status import StatusReporter
from .stream import StreamMasker, mask_stream, mask_stream_async
from .token import TokenKey, TokenVerifier

__all__ = [
    "ERROR_CODES",
    "AuditLog",
    "AuditReport",
    "BundlePoller",
    "AwsSigning",
    "BundleVerification",
    "CoreSdkError",
    "Decision",
    "DecisionCache",
    "DecisionLogger",
    "DirectoryWatch",
    "EvaluationError",
    "Finding",
    "HttpRequest",
    "InternalError",
    "InvalidInputError",
    "KeyProvider",
    "Location",
    "Masker",
    "StreamMasker",
    "mask_stream",
    "mask_stream_async",
    "unmask_text",
    "unmask_value",
    "MaskingFilter",
    "PolicyEngine",
    "RegoVersion",
    "Evaluator",
    "PolicyError",
    "QueryResult",
    "RequestAuthorization",
    "ScanFormat",
    "ScanResult",
    "Shadow",
    "StatusReporter",
    "Strategy",
    "TokenKey",
    "TokenVerifier",
    "TrustError",
    "__version__",
    "canonicalize",
    "canonicalize_json",
    "hash",
    "hash_json",
    "scan_paths",
    "verify_audit_log",
]
