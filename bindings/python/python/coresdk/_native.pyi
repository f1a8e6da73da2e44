"""Native core of CoreSDK (private: use the ``coresdk`` package).

Stubs for the pyo3 extension module built from ``bindings/python/src``; checked against
the built module by ``python -m mypy.stubtest coresdk._native``. Documents cross as JSON
text; every failure raises :class:`coresdk.errors.CoreSdkError`.
"""

import os
from collections.abc import Callable, Iterable
from typing import Any, final

from .errors import CoreSdkError

__all__ = [
    "_panic_probe",
    "AuditLog",
    "verify_audit_log",
    "canonicalize_json",
    "hash_json",
    "BundlePoller",
    "DirectoryWatch",
    "Masker",
    "StreamMasker",
    "unmask_text",
    "unmask_json",
    "PolicyEngine",
    "Decision",
    "QueryResult",
    "Finding",
    "ScanResult",
    "scan_paths",
    "DecisionLogger",
    "RequestAuthorization",
    "Shadow",
    "StatusReporter",
    "TokenVerifier",
    "to_json",
    "__version__",
    "ERROR_CODES",
]

__version__: str
ERROR_CODES: tuple[str, ...]

@final
class Decision:
    """The outcome of evaluating a rule path.

    Attributes:
        result: The rule's value as a Python value; ``None`` when the rule is undefined
            (and also when it is JSON ``null``: ``defined`` tells them apart).
        defined: ``False`` when the rule produced no value (OPA's *undefined*), which is
            distinct from ``False`` and from ``null``.
        revision: The policy/data revision the decision was made against.
        decision_id: A unique, time-ordered id (UUIDv7).
        duration_us: Time spent evaluating, in microseconds.
        bundle_revision: The manifest revision of the bundle serving, or ``None``.
        cached: ``True`` when the answer came from the decision cache.
        prints: Lines the policy wrote with ``print()`` (empty when cached).
    """

    result: Any
    defined: bool
    revision: int
    decision_id: str
    duration_us: int
    bundle_revision: str | None
    cached: bool
    prints: list[str]

@final
class DecisionLogger:
    """Sends decision logs in OPA's event format from a background thread."""

    def __new__(
        cls,
        service_url: str | None = None,
        bearer_token: str | None = None,
        file: str | None = None,
        labels_json: str | None = None,
        erase: Iterable[str] | None = None,
        min_delay_ms: int | None = None,
        max_delay_ms: int | None = None,
        upload_size_limit_bytes: int | None = None,
        buffer_size: int | None = None,
        timeout_ms: int | None = None,
        sink: Callable[[str], object] | None = None,
        bearer_token_file: str | None = None,
    ) -> DecisionLogger: ...
    def flush(self) -> None:
        """Sends everything recorded so far."""

    def close(self) -> None:
        """Sends the rest and stops."""

    def metrics_json(self) -> str:
        """The counters as JSON text."""

@final
class Shadow:
    """Compares sampled decisions with an OPA server on a background thread."""

    def __new__(
        cls,
        opa_url: str,
        sample_rate: float | None = None,
        queue_size: int | None = None,
        timeout_ms: int | None = None,
    ) -> Shadow: ...
    def wait_idle(self, timeout_ms: int) -> bool:
        """True once every queued decision is compared; false after ``timeout_ms``."""

    def stop(self) -> None:
        """Stops comparing."""

    def metrics_json(self) -> str:
        """The counters and the last disagreements as JSON text."""

@final
class StatusReporter:
    """Reports an engine's status on a background thread."""

    def stop(self) -> None:
        """Stops reporting."""

    def metrics_json(self) -> str:
        """``sent``, ``failures``, ``last_error`` as JSON text."""

@final
class RequestAuthorization:
    """What to answer an HTTP request, and why (see ``PolicyEngine.authorize_request``).

    Attributes:
        status: 200 to go on to the handler; else 400, 401, 403 or 500.
        allowed: ``True`` when the handler should run.
        input: The input document evaluated (or that would have been).
        claims: The verified claims, or ``None``.
        decision: The :class:`Decision`, when the rule was evaluated.
        error: What went wrong (a ``CoreSdkError``), or ``None``; never holds the token.
        problem: The RFC 9457 body when ``status`` is not 200, else ``None``.
        www_authenticate: The ``WWW-Authenticate`` value for a 400 or 401, else ``None``.
    """

    status: int
    allowed: bool
    input: dict[str, Any]
    claims: dict[str, Any] | None
    decision: Decision | None
    error: CoreSdkError | None
    problem: dict[str, Any] | None
    www_authenticate: str | None

@final
class QueryResult:
    """The outcome of an ad-hoc Rego query: OPA's result rows.

    Attributes:
        rows: One ``{"expressions": [...], "bindings": {...}}`` per solution; empty when
            the query is undefined. A query of one expression reports its value, ``False``
        included; in any other a ``false`` expression fails the query (OPA's rule).
        revision: The policy/data revision the query was evaluated against.
        decision_id: A unique, time-ordered id (UUIDv7).
        duration_us: Time spent evaluating, in microseconds.
        bundle_revision: The manifest revision of the bundle serving, or ``None``.
        cached: ``True`` when the rows came from the decision cache.
        prints: Lines the policy wrote with ``print()`` (empty when cached).
    """

    rows: list[dict[str, Any]]
    revision: int
    decision_id: str
    duration_us: int
    bundle_revision: str | None
    cached: bool
    prints: list[str]

@final
class Finding:
    """One detected value: its type and position, never the value itself.

    Offsets are those of the core, shared by every language: UTF-8 byte offsets
    (``start``, ``end``) and UTF-16 code unit offsets (``start_utf16``, ``end_utf16``,
    JavaScript string indices). For a Python ``str`` with non-ASCII text, slice its UTF-8
    encoding: ``text.encode()[f.start:f.end]``.

    Attributes:
        type: The detector type, e.g. ``"EMAIL"``.
        start: UTF-8 byte offset of the first byte.
        end: UTF-8 byte offset one past the last byte.
        start_utf16: UTF-16 offset of the start.
        end_utf16: UTF-16 offset of the end.
    """

    type: str
    start: int
    end: int
    start_utf16: int
    end_utf16: int
    def __new__(
        cls, type: str, start: int, end: int, start_utf16: int, end_utf16: int
    ) -> Finding: ...

@final
class ScanResult:
    """The outcome of a scan of files and directories: the rendered output and the counts.

    Attributes:
        output: The findings in the format asked (NDJSON: empty when there are none).
        summary: One line of counts for a log (``findings=2 suppressed=0 files=3 ...``).
        findings: Findings reported (not in the baseline).
        suppressed: Findings left out because the baseline holds their fingerprint.
        files_scanned: Files read and scanned.
        files_lossy: Of those, files that were not valid UTF-8 (read lossily).
        skipped_binary: Files skipped as binary (a NUL byte in the first 8 KiB).
        skipped_too_large: Files skipped as larger than the size limit.
        skipped_links: Symbolic links met while walking (never followed).
        skipped_duplicates: Files already scanned under another root.
        skipped_special: Entries that are neither files nor directories.
        skipped_dirs: Directories not entered (``.git``, ``node_modules``, ``target``).
    """

    output: str
    summary: str
    findings: int
    suppressed: int
    files_scanned: int
    files_lossy: int
    skipped_binary: int
    skipped_too_large: int
    skipped_links: int
    skipped_duplicates: int
    skipped_special: int
    skipped_dirs: int

def scan_paths(paths: Iterable[str], options_json: str | None = None) -> ScanResult:
    """Scans files and directories; ``options_json`` is the core's scan options as JSON
    text (``format``, ``baseline``, ``max_file_bytes``, ``allow``, ``custom_detectors``)."""

def to_json(value: object) -> str:
    """Compact JSON text of a JSON-like value (the rules of docs/HOST-VALUES.md)."""
@final
class PolicyEngine:
    """An in-process Rego policy engine (the core's ``PolicyEngine``)."""

    def __new__(
        cls,
        timeout_ms: int | None = None,
        strict_builtin_errors: bool = False,
        fail_open: bool = False,
        cache: tuple[int | None, int | None] | None = None,
        rego_version: int = 1,
        memory_limit_bytes: int | None = None,
        evaluator: str | None = None,
    ) -> PolicyEngine:
        """An engine with no policies and empty data (revision 0).
        `cache` is `(max_entries, ttl_ms)` to turn the decision cache on."""

    @property
    def fail_mode_count(self) -> int:
        """How many times ``allowed`` answered with the fail mode."""

    def allowed(self, path: str, input_json: str | bytes) -> bool:
        """A yes/no decision with the configured fail mode (``input_json``: JSON text)."""

    @property
    def revision(self) -> int:
        """The revision currently serving (0 before anything is loaded; +1 per change)."""

    def add_module(self, name: str, source: str, rego_version: int | None = None) -> int:
        """Adds one Rego module under ``name``; returns the new revision."""

    def add_modules(self, modules: list[tuple[str, str]], rego_version: int | None = None) -> int:
        """Adds several ``(name, source)`` modules as one change."""

    def replace_modules(
        self, modules: list[tuple[str, str]], rego_version: int | None = None
    ) -> int:
        """Replaces every loaded module with ``(name, source)`` pairs (data kept), as one change."""

    def reload(
        self,
        modules: list[tuple[str, str]],
        data_json: str | bytes | None = None,
        rego_version: int | None = None,
    ) -> int:
        """Replaces every module and all data (JSON text of an object, ``None`` = empty) as
        one change."""

    def add_path(self, path: str | os.PathLike[str]) -> int:
        """Adds a ``.rego`` file, or every ``.rego`` file below a directory, as one change."""

    def add_data_json(self, data_json: str | bytes) -> int:
        """Merges a JSON data document (an object, as JSON text) into ``data``."""

    def evaluate(self, path: str, input_json: str | bytes) -> Decision:
        """Evaluates a rule path against ``input_json`` (JSON text of any value)."""

    def query(self, query: str, input_json: str | bytes) -> QueryResult:
        """Evaluates a Rego query against ``input_json``."""

    def authorize(
        self, verifier: TokenVerifier, token: str, path: str, input_json: str | bytes
    ) -> Decision:
        """Verifies ``token``, then evaluates ``path`` with the claims as ``input.claims``."""

    def start_status_reporter(
        self,
        service_url: str,
        bearer_token: str | None = None,
        labels_json: str | None = None,
        check_interval_ms: int | None = None,
        interval_ms: int | None = None,
        timeout_ms: int | None = None,
        bearer_token_file: str | None = None,
    ) -> StatusReporter:
        """Starts reporting this engine's status to an OPA-compatible status service."""

    def set_shadow(self, shadow: Shadow | None = None) -> None:
        """Compares a sample of this engine's decisions with ``shadow``'s OPA server."""

    def set_decision_logger(self, logger: DecisionLogger | None = None) -> None:
        """Sends this engine's decisions to ``logger``, or stops (``None``)."""

    def authorize_request(
        self,
        verifier: TokenVerifier,
        rule: str,
        method: str,
        target: str,
        headers: Iterable[tuple[str, str]],
        client_address: str | None = None,
        include_headers: Iterable[str] | None = None,
        token_optional: bool = False,
        trace_id: str | None = None,
        span_id: str | None = None,
    ) -> RequestAuthorization:
        """Authorizes an HTTP request: the token verified once, ``rule`` evaluated."""

    @property
    def bundle_revision(self) -> str | None:
        """The manifest revision of the bundle serving, if any."""

    def load_bundle(self, bundle: str | bytes, verification_parts: _Parts | None = None) -> int:
        """Activates a ``.tar.gz`` OPA bundle given as bytes."""

    def load_bundle_path(
        self, path: str | os.PathLike[str], verification_parts: _Parts | None = None
    ) -> int:
        """Activates a bundle from a ``.tar.gz`` file or a bundle directory."""

    def start_bundle_polling(
        self,
        url: str,
        min_delay_ms: int | None,
        max_delay_ms: int | None,
        timeout_ms: int | None,
        headers: list[tuple[str, str]],
        verification_parts: _Parts | None = None,
        last_known_good: tuple[str, bytes | None, str | None, str | None, object | None]
        | None = None,
        restore_last_known_good: bool = True,
        bearer_token_file: str | None = None,
        aws_signing: tuple[str | None, ...] | None = None,
    ) -> BundlePoller:
        """Starts polling an HTTP bundle server on a background thread."""

    def watch_directory(
        self,
        path: str | os.PathLike[str],
        debounce_ms: int | None,
        verification_parts: _Parts | None = None,
    ) -> DirectoryWatch:
        """Loads a bundle directory and reloads it when its files change."""

    def metrics_json(self) -> str:
        """The metrics snapshot as JSON text."""

    def metrics_prometheus(self) -> str:
        """The metrics in Prometheus text exposition format."""

#: ``(algorithm, public_key_pem, secret, key_id, scope)``
_Parts = tuple[str, str | None, bytes | None, str | None, str | None]

@final
class AuditLog:
    """An append-only, hash-chained, HMAC'd audit log file."""

    def __new__(
        cls,
        path: str | os.PathLike[str],
        key: str | bytes | None,
        checkpoint_every: int,
        fsync_every_record: bool,
        key_file: str | os.PathLike[str] | None = None,
        key_id: str | None = None,
        key_provider: object | None = None,
    ) -> AuditLog:
        """Opens (or creates) the log at `path`, verifying what is there with `key`."""

    def append(
        self,
        decision_id: str,
        revision: int,
        bundle_revision: str | None,
        result_json: str | None,
        query: str,
        input_json: str | bytes,
    ) -> str:
        """Appends a decision; returns the new head hash."""

    @property
    def head(self) -> str:
        """The hash of the last record."""

def verify_audit_log(
    log: str | bytes,
    key: str | bytes | None = None,
    expected_head: str | None = None,
    key_file: str | os.PathLike[str] | None = None,
    key_id: str | None = None,
) -> str:
    """Verifies a log's bytes with `key`, or key `key_id` of the key file `key_file`; the report as JSON text."""
@final
class TokenVerifier:
    """Verifies JWTs against a key set (the core's ``TokenVerifier``)."""

    def __new__(
        cls,
        jwks_json: str | bytes | None,
        keys: list[tuple[str, str | None, bytes | None, str | None]],
        issuers: list[str],
        audiences: list[str],
        leeway_seconds: int | None,
        required_claims: list[str],
        jwks_url: str | None = None,
        jwks_refresh_seconds: int | None = None,
        jwks_min_refetch_seconds: int | None = None,
        jwks_timeout_ms: int | None = None,
    ) -> TokenVerifier:
        """A verifier over a JWKS document (JSON text) and/or keys given one by one, or over
        a JWKS URL. ``None`` numbers take the core's defaults; the core checks the sources."""

    def key_source_status_json(self) -> str:
        """The remote JWKS status as JSON text (``null`` for fixed keys)."""

    def authenticate_json(self, token: str) -> str:
        """The verified claims of ``token`` as JSON text."""

@final
class BundlePoller:
    """A running HTTP bundle poller (the core's ``BundlePoller``)."""

    def stop(self) -> None:
        """Stops polling (returns at once; the revision serving stays). Idempotent."""

@final
class DirectoryWatch:
    """A running watch of a bundle directory (the core's ``DirectoryWatch``)."""

    def stop(self) -> None:
        """Stops watching (the revision serving stays). Idempotent."""

@final
class Masker:
    """A configured masker (the core's ``Masker``)."""

    def __new__(
        cls,
        strategy: str,
        key: str | bytes | None,
        sensitive_keys: Iterable[str],
        config_json: str | None = None,
    ) -> Masker:
        """Builds a masker: a strategy name, the key, extra sensitive key names, and the
        other options as JSON text."""

    def mask_text(self, text: str | bytes) -> str:
        """``text`` with every finding replaced per the strategy."""

    def mask_texts(self, texts: Iterable[str | bytes]) -> list[str]:
        """``mask_text`` of each text, in order, in one call."""

    def mask_json(self, json: str | bytes) -> str:
        """Parses JSON text, masks every string in it (keys kept), returns JSON text."""

    def scan(self, text: str | bytes) -> list[Finding]:
        """Every sensitive value in ``text``, in order of position, without overlaps."""

    def stream(self) -> StreamMasker:
        """A masker for one stream of text chunks."""

@final
class StreamMasker:
    """Masks text arriving in chunks (the core's ``StreamMasker``)."""

    def push(self, chunk: str | bytes) -> str:
        """Takes the next chunk; returns the masked text now final (possibly empty)."""

    def finish(self) -> str:
        """Ends the stream and returns the masked rest; later calls return ``""``."""

    @property
    def held(self) -> int:
        """Bytes (UTF-8) received and not yet written."""

def unmask_text(text: str | bytes, key_ids: list[str], keys: list[bytes]) -> str:
    """``text`` with every tokenize-strategy token replaced by its value."""

def unmask_json(json: str | bytes, key_ids: list[str], keys: list[bytes]) -> str:
    """As ``unmask_text``, for every string of a JSON document (JSON text in and out)."""

def canonicalize_json(json: str | bytes) -> str:
    """The RFC 8785 canonical form of a JSON document given as text."""

def hash_json(json: str | bytes) -> str:
    """Lowercase hex SHA-256 of the canonical form of a JSON document given as text."""

def _panic_probe() -> None:
    """Panics inside the core on purpose (a test hook): raises ``INTERNAL``."""
