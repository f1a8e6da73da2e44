"""Rego policy evaluation: :class:`PolicyEngine`, :class:`Decision`, :class:`QueryResult`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Union

from . import _json, _native
from ._aio import run_blocking
from ._native import Decision, QueryResult, RequestAuthorization
from .bundle import AwsSigning, BundlePoller, BundleVerification, DirectoryWatch, _parts
from .decision_log import DecisionLogger
from .errors import CoreSdkError, _error
from .http import HttpRequest
from .shadow import Shadow
from .status import StatusReporter
from .token import TokenVerifier

__all__ = ["DecisionCache", "Decision", "PolicyEngine", "QueryResult"]

#: Receives each ``print()`` line of a policy and the decision it belongs to.
PrintLogger = Callable[[str, "Decision | QueryResult"], None]

#: A filesystem path: ``str`` or any :class:`os.PathLike`.
StrPath = Union[str, "os.PathLike[str]"]

#: A Rego language version: 0 (Rego v0, OPA's ``--v0-compatible``) or 1 (Rego v1, OPA 1.x).
RegoVersion = Literal[0, 1]

#: Which evaluator answers rule paths: ``"compiled"`` (regorus's register VM where it
#: compiles the path, the interpreter elsewhere) or ``"interpreter"``.
Evaluator = Literal["compiled", "interpreter"]


@dataclass(frozen=True)
class DecisionCache:
    """Options of the opt-in decision cache: identical decisions on the same revision
    are answered from a bounded, TTL'd cache; any change to the engine empties it.

    Attributes:
        max_entries: Most entries kept (least recently used evicted beyond); ``None``:
            the core's default, 10,000.
        ttl_ms: Lifetime of an entry in milliseconds; ``None``: the core's default, 60 s.
    """

    max_entries: int | None = None
    ttl_ms: int | None = None

    def _native(self) -> tuple[int | None, int | None]:
        for name in ("max_entries", "ttl_ms"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise _error("INVALID_ARGUMENT", f"{name} must be a non-negative int")
        return (self.max_entries, self.ttl_ms)


def _last_known_good(
    spec: tuple[StrPath, bytes] | Mapping[str, Any] | None,
) -> tuple[str, bytes | None, str | None, str | None, object | None] | None:
    """The native form of ``start_bundle_polling(last_known_good=...)``."""
    if spec is None:
        return None
    if isinstance(spec, tuple):
        return (os.fspath(spec[0]), bytes(spec[1]), None, None, None)
    raw_key = spec.get("key")
    key_file = spec.get("key_file")
    return (
        os.fspath(spec["path"]),
        None
        if raw_key is None
        else (raw_key.encode() if isinstance(raw_key, str) else bytes(raw_key)),
        None if key_file is None else os.fspath(key_file),
        spec.get("key_id"),
        spec.get("key_provider"),
    )


class PolicyEngine:
    """An in-process Rego policy engine (Rego v1 syntax, evaluated by ``regorus``).

    Policies and data form one immutable snapshot with a revision. Every change
    (:meth:`add_module`, :meth:`add_path`, :meth:`add_data`) compiles a new snapshot off to
    the side and publishes it as the next revision only if it compiles: a broken change
    raises and the previous revision keeps serving.

    The engine is thread-safe and the GIL is released while the core works, so threads
    evaluate in parallel, each on its own clone of the prepared policy.

    Args:
        modules: Rego sources by module name (the name appears in error locations);
            added as one change.
        paths: ``.rego`` files or directories (searched recursively), each added as one
            change after ``modules``.
        data: A data document (a JSON object) merged into ``data`` after the policies.
        timeout_ms: Wall-clock limit of one evaluation; past it the evaluation raises
            ``EVAL_TIMEOUT`` and the engine keeps serving. ``None``: the core's default,
            1000 ms.
        memory_limit_bytes: Most bytes one evaluation may hold beyond what its thread held
            when it started; past it ``LIMIT_EXCEEDED`` and the engine keeps serving.
            ``None``: the core's default, 1 GiB; 0: no limit.
        strict_builtin_errors: When true, a builtin error raises ``EVAL_ERROR``; when
            false (the default, as in OPA) the expression is undefined.
        fail_open: What :meth:`is_allowed` answers when evaluation fails (default
            ``False``: fail closed).
        cache: Turns the decision cache on (off by default).
        rego_version: The Rego syntax modules are parsed as unless they (or their
            bundle's manifest) say otherwise: 1 (the default, OPA 1.x) or 0 (Rego v0,
            OPA's ``--v0-compatible``).
        on_print: Receives each line a policy writes with ``print()``
            (``<file>:<line>: <text>``) and its decision. Without it print output is
            dropped (never written to stdout); it is also on every decision's ``prints``.
        decision_logger: Sends every decision to this logger (docs/DECISION-LOGS.md);
            see :meth:`set_decision_logger`.
        evaluator: Which evaluator answers rule paths (docs/ARCHITECTURE.md):
            ``"compiled"`` (regorus's register VM for the paths it compiles, the
            interpreter for the rest) or ``"interpreter"``. ``None``: the core's default.

    Raises:
        CoreSdkError: As the ``add_*`` methods.
    """

    __slots__ = ("_native", "_on_print")

    def __init__(
        self,
        *,
        modules: Mapping[str, str] | None = None,
        paths: Iterable[StrPath] = (),
        data: Mapping[str, Any] | None = None,
        timeout_ms: int | None = None,
        strict_builtin_errors: bool = False,
        fail_open: bool = False,
        cache: DecisionCache | None = None,
        rego_version: RegoVersion = 1,
        on_print: PrintLogger | None = None,
        memory_limit_bytes: int | None = None,
        decision_logger: DecisionLogger | None = None,
        evaluator: Evaluator | None = None,
    ) -> None:
        if isinstance(paths, (str, bytes, os.PathLike)):
            # A lone path would otherwise be iterated character by character.
            raise _error("INVALID_ARGUMENT", "paths must be an iterable of paths, not one path")
        if cache is not None and not isinstance(cache, DecisionCache):
            raise _error("INVALID_ARGUMENT", "cache must be a DecisionCache")
        native_cache = None if cache is None else cache._native()
        self._native = _native.PolicyEngine(
            timeout_ms,
            strict_builtin_errors,
            fail_open,
            native_cache,
            rego_version,
            memory_limit_bytes,
            evaluator,
        )
        self._on_print = on_print
        if modules:
            self.add_modules(modules)
        for path in paths:
            self.add_path(path)
        if data is not None:
            self.add_data(data)
        if decision_logger is not None:
            self.set_decision_logger(decision_logger)

    def start_status_reporter(
        self,
        service_url: str,
        *,
        bearer_token: str | None = None,
        labels: Mapping[str, str] | None = None,
        check_interval_ms: int | None = None,
        interval_ms: int | None = None,
        timeout_ms: int | None = None,
        bearer_token_file: StrPath | None = None,
    ) -> StatusReporter:
        """Starts reporting this engine's status to an OPA-compatible status service
        (``POST <service_url>/status``, docs/STATUS.md): on each change (checked every
        ``check_interval_ms``, default 1000) and at least every ``interval_ms`` (default
        60000). ``bearer_token_file`` (``chmod 600``) holds a bearer token read for every
        report, instead of ``bearer_token``.

        Raises:
            CoreSdkError: ``INVALID_ARGUMENT`` for a URL that is not http(s), a zero
                interval, labels that are not strings, or both a token and a token file;
                ``KEY_UNAVAILABLE`` for a token file that cannot be used.
        """
        labels_json = None if labels is None else _json.dumps(dict(labels))
        native = self._native.start_status_reporter(
            service_url,
            bearer_token,
            labels_json,
            check_interval_ms,
            interval_ms,
            timeout_ms,
            None if bearer_token_file is None else os.fspath(bearer_token_file),
        )
        return StatusReporter(native)

    def set_shadow(self, shadow: Shadow | None) -> None:
        """Compares a sample of this engine's rule decisions with ``shadow``'s OPA server
        (docs/SHADOW.md), or stops (``None``)."""
        if shadow is not None and not isinstance(shadow, Shadow):
            raise _error("INVALID_ARGUMENT", "shadow must be a Shadow or None")
        self._native.set_shadow(None if shadow is None else shadow._native)

    def set_decision_logger(self, logger: DecisionLogger | None) -> None:
        """Sends this engine's decisions (rules, queries, authorized requests; failures
        too) to ``logger``, or stops (``None``)."""
        if logger is not None and not isinstance(logger, DecisionLogger):
            raise _error("INVALID_ARGUMENT", "logger must be a DecisionLogger or None")
        self._native.set_decision_logger(None if logger is None else logger._native)

    @property
    def revision(self) -> int:
        """The revision currently serving: 0 before anything is loaded, +1 per change."""
        return self._native.revision

    def add_module(self, name: str, source: str, *, rego_version: RegoVersion | None = None) -> int:
        """Adds one Rego module under ``name`` and returns the new revision.
        ``rego_version`` (0 or 1) is the syntax it is written in; ``None``: the engine's.

        Raises:
            CoreSdkError: ``POLICY_PARSE`` (with :attr:`~CoreSdkError.location`) when the
                module does not parse or compile, ``POLICY_CONFLICT``, ``LIMIT_EXCEEDED``
                past the policy size limits. The previous revision keeps serving.
        """
        return self._native.add_module(name, source, rego_version)

    def add_modules(
        self, modules: Mapping[str, str], *, rego_version: RegoVersion | None = None
    ) -> int:
        """Adds several modules (name to source) as one change: all compile and are
        published as one new revision, or none is. Returns the new revision.
        ``rego_version`` as in :meth:`add_module`.

        Raises:
            CoreSdkError: As :meth:`add_module`.
        """
        return self._native.add_modules(list(modules.items()), rego_version)

    def replace_modules(
        self, modules: Mapping[str, str], *, rego_version: RegoVersion | None = None
    ) -> int:
        """Replaces every loaded module with ``modules`` (name to source; data is kept) as
        one change: the new set is published as one revision, or rejected whole while the
        old set keeps serving. Returns the new revision.

        Raises:
            CoreSdkError: As :meth:`add_module`.
        """
        return self._native.replace_modules(list(modules.items()), rego_version)

    def reload(
        self,
        modules: Mapping[str, str],
        data: Mapping[str, Any] | None = None,
        *,
        rego_version: RegoVersion | None = None,
    ) -> int:
        """Replaces everything: every module with ``modules`` and all data with ``data``
        (empty when ``None``), as one change published as one revision, or rejected whole
        while the old snapshot keeps serving. Returns the new revision.

        Raises:
            CoreSdkError: As :meth:`add_module` and :meth:`add_data`.
        """
        data_json = None if data is None else _json.dumps(data)
        return self._native.reload(list(modules.items()), data_json, rego_version)

    def add_path(self, path: StrPath) -> int:
        """Adds a ``.rego`` file, or every ``.rego`` file below a directory, as one
        change; module names are the file paths. Returns the new revision.

        Raises:
            CoreSdkError: ``SOURCE_UNAVAILABLE`` when the path cannot be read,
                ``INVALID_ARGUMENT`` for a directory without ``.rego`` files, and as
                :meth:`add_module`.
        """
        return self._native.add_path(path)

    def add_data(self, data: Mapping[str, Any]) -> int:
        """Merges a data document (a JSON object) into ``data``; returns the new revision.

        Raises:
            CoreSdkError: ``INVALID_ARGUMENT`` when ``data`` is not an object,
                ``POLICY_CONFLICT`` when it collides with data already loaded, and the
                serialisation codes of :func:`coresdk.canonicalize`.
        """
        return self._native.add_data_json(_json.dumps(data))

    def add_data_json(self, data_json: str | bytes) -> int:
        """:meth:`add_data` with the document given as JSON text (``str`` or UTF-8 bytes),
        passed to the core as is; returns the new revision.

        Raises:
            CoreSdkError: ``INVALID_JSON`` / ``LIMIT_EXCEEDED`` for bad text, and as
                :meth:`add_data`.
        """
        return self._native.add_data_json(data_json)

    def is_allowed(self, path: str, input: Any = None) -> bool:
        """A yes/no decision: ``True`` only when the rule at ``path`` is ``true``;
        ``false`` or undefined is ``False``. Never raises for a failed evaluation (bad
        input, timeout, unknown path, a non-boolean result): the configured fail mode
        answers (``fail_open``, closed by default) and :attr:`fail_mode_count` goes up.
        """
        try:
            text = "{}" if input is None else _json.dumps(input)
        except CoreSdkError:
            # Passed on as empty text, which the core rejects as invalid JSON, so the fail
            # mode (and its count) stays the core's decision.
            text = ""
        return self._native.allowed(path, text)

    @property
    def fail_mode_count(self) -> int:
        """How many times :meth:`is_allowed` answered with the fail mode."""
        return self._native.fail_mode_count

    def evaluate(self, path: str, input: Any = None) -> Decision:
        """Evaluates a rule path such as ``"data.authz.allow"`` against ``input``.

        Args:
            path: ``data.<package>.<rule>`` (a path to a package returns the package
                document).
            input: Any JSON-serialisable value (as in OPA, it need not be an object);
                ``None`` means ``{}``. Use :meth:`evaluate_json` for a JSON ``null``
                input or for input you already hold as JSON text.

        Returns:
            The :class:`Decision`; a rule that produces no value is undefined
            (``defined=False``), not an error.

        Raises:
            CoreSdkError: ``POLICY_NOT_FOUND`` when no loaded package matches ``path``,
                ``INVALID_ARGUMENT`` for a malformed path, ``EVAL_ERROR``,
                ``EVAL_TIMEOUT``, and the host-value codes of
                :func:`coresdk.canonicalize` for ``input`` (docs/HOST-VALUES.md).
        """
        return self.evaluate_json(path, "{}" if input is None else _json.dumps(input))

    def evaluate_json(self, path: str, input_json: str | bytes) -> Decision:
        """:meth:`evaluate` with the input given as JSON text (``str`` or UTF-8 bytes),
        passed to the core as is.

        Raises:
            CoreSdkError: ``INVALID_JSON`` / ``LIMIT_EXCEEDED`` for bad text, and as
                :meth:`evaluate`.
        """
        return self._decision(self._native.evaluate(path, input_json))

    def query(self, query: str, input: Any = None) -> QueryResult:
        """Evaluates an ad-hoc Rego query (e.g. ``"x := data.authz.allow"``).

        Args:
            query: The Rego query.
            input: As for :meth:`evaluate` (``None`` means ``{}``).

        Raises:
            CoreSdkError: ``POLICY_PARSE`` for a query that does not parse, and as
                :meth:`evaluate`.
        """
        return self.query_json(query, "{}" if input is None else _json.dumps(input))

    def query_json(self, query: str, input_json: str | bytes) -> QueryResult:
        """:meth:`query` with the input given as JSON text (``str`` or UTF-8 bytes).

        Raises:
            CoreSdkError: ``INVALID_JSON`` / ``LIMIT_EXCEEDED`` for bad text, and as
                :meth:`query`.
        """
        result = self._native.query(query, input_json)
        self._emit(result)
        return result

    def _decision(self, decision: Decision) -> Decision:
        """Hands the decision's prints to ``on_print`` and returns it."""
        self._emit(decision)
        return decision

    def _emit(self, decision: Decision | QueryResult) -> None:
        """Hands print() lines to ``on_print``; a failing logger never fails the decision."""
        if self._on_print is None:
            return
        for line in decision.prints:
            try:
                self._on_print(line, decision)
            except Exception:  # noqa: BLE001 - the logger's failure is not the policy's
                pass

    def authorize(
        self, verifier: TokenVerifier, token: str, path: str, input: Mapping[str, Any] | None = None
    ) -> Decision:
        """Verifies ``token`` with ``verifier``, then evaluates ``path`` with the verified
        claims added to ``input`` (a mapping; ``None`` means ``{}``) as ``input.claims``.

        Raises:
            CoreSdkError: ``TOKEN_INVALID`` / ``TOKEN_EXPIRED`` (nothing is evaluated),
                ``INVALID_ARGUMENT`` when ``input`` is not an object or has ``claims``,
                and as :meth:`evaluate`.
        """
        if not isinstance(verifier, TokenVerifier):
            raise _error("INVALID_ARGUMENT", "verifier must be a TokenVerifier")
        text = "{}" if input is None else _json.dumps(input)
        return self._decision(self._native.authorize(verifier._native, token, path, text))

    def authorize_request(
        self,
        verifier: TokenVerifier,
        rule: str,
        request: HttpRequest,
        *,
        include_headers: Iterable[str] | None = None,
        token_optional: bool = False,
    ) -> RequestAuthorization:
        """Authorizes an HTTP request: its bearer token verified once by ``verifier``, the
        rule at ``rule`` evaluated on the request's input document (method, path and
        segments, query, headers without credentials, claims, client address:
        docs/HTTP.md), and the answer to send. A refused request is an answer, not an
        exception: a missing or bad token is 401, a deny 403, an evaluation error the
        engine's fail mode (500 when closed). Framework middleware: :mod:`coresdk.asgi`,
        :mod:`coresdk.flask`, :mod:`coresdk.django`.

        Args:
            include_headers: Only these headers go into the input (credentials never do).
            token_optional: Decide a request without a token (no ``claims``) instead of
                answering 401; a token that is sent must still verify.

        Raises:
            CoreSdkError: ``INVALID_ARGUMENT`` for a request that is not one.
        """
        if not isinstance(verifier, TokenVerifier):
            raise _error("INVALID_ARGUMENT", "verifier must be a TokenVerifier")
        if not isinstance(request, HttpRequest):
            raise _error("INVALID_ARGUMENT", "request must be a coresdk.http.HttpRequest")
        answer = self._native.authorize_request(
            verifier._native,
            rule,
            request.method,
            request.target,
            request.headers,
            request.client_address,
            include_headers,
            token_optional,
            request.trace_id,
            request.span_id,
        )
        if answer.decision is not None:
            self._decision(answer.decision)
        return answer

    # Async variants, for asyncio services (Node's evaluate / query / allowed / authorize
    # are the async ones there): the sync call on the loop's default executor, so the
    # event loop keeps running while the core works (the GIL is released meanwhile).
    # Results and errors are the sync call's; ``on_print`` runs on the worker thread.

    async def evaluate_async(self, path: str, input: Any = None) -> Decision:
        """:meth:`evaluate` without blocking the event loop (same result, same errors)."""
        return await run_blocking(self.evaluate, path, input)

    async def evaluate_json_async(self, path: str, input_json: str | bytes) -> Decision:
        """:meth:`evaluate_json` without blocking the event loop."""
        return await run_blocking(self.evaluate_json, path, input_json)

    async def query_async(self, query: str, input: Any = None) -> QueryResult:
        """:meth:`query` without blocking the event loop (same result, same errors)."""
        return await run_blocking(self.query, query, input)

    async def query_json_async(self, query: str, input_json: str | bytes) -> QueryResult:
        """:meth:`query_json` without blocking the event loop."""
        return await run_blocking(self.query_json, query, input_json)

    async def is_allowed_async(self, path: str, input: Any = None) -> bool:
        """:meth:`is_allowed` without blocking the event loop (never raises, as it)."""
        return await run_blocking(self.is_allowed, path, input)

    async def authorize_async(
        self, verifier: TokenVerifier, token: str, path: str, input: Mapping[str, Any] | None = None
    ) -> Decision:
        """:meth:`authorize` without blocking the event loop (same result, same errors)."""
        return await run_blocking(self.authorize, verifier, token, path, input)

    async def authorize_request_async(
        self,
        verifier: TokenVerifier,
        rule: str,
        request: HttpRequest,
        *,
        include_headers: Iterable[str] | None = None,
        token_optional: bool = False,
    ) -> RequestAuthorization:
        """:meth:`authorize_request` without blocking the event loop (same answer)."""
        return await run_blocking(
            lambda: self.authorize_request(
                verifier,
                rule,
                request,
                include_headers=include_headers,
                token_optional=token_optional,
            )
        )

    @property
    def bundle_revision(self) -> str | None:
        """The manifest revision of the bundle serving, or ``None``."""
        return self._native.bundle_revision

    def load_bundle(self, bundle: bytes, *, verification: BundleVerification | None = None) -> int:
        """Activates an OPA bundle (``.tar.gz`` bytes): its modules and data replace
        everything loaded before, as one change. Returns the new revision.

        Raises:
            CoreSdkError: ``BUNDLE_INVALID``, ``INTEGRITY``, ``LIMIT_EXCEEDED``,
                ``POLICY_PARSE``, ...; the revision serving stays.
        """
        return self._native.load_bundle(bundle, _parts(verification))

    def load_bundle_path(
        self, path: StrPath, *, verification: BundleVerification | None = None
    ) -> int:
        """:meth:`load_bundle` from a ``.tar.gz`` file or a bundle directory.

        Raises:
            CoreSdkError: ``SOURCE_UNAVAILABLE`` when the path cannot be read, and as
                :meth:`load_bundle`.
        """
        return self._native.load_bundle_path(path, _parts(verification))

    def start_bundle_polling(
        self,
        url: str,
        *,
        min_delay_ms: int | None = None,
        max_delay_ms: int | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
        verification: BundleVerification | None = None,
        last_known_good: tuple[StrPath, bytes] | Mapping[str, Any] | None = None,
        restore_last_known_good: bool = True,
        bearer_token_file: StrPath | None = None,
        aws_signing: AwsSigning | None = None,
    ) -> BundlePoller:
        """Polls an HTTP bundle server on a background thread and activates each new
        bundle; the first poll starts at once.

        ``last_known_good=(path, key)`` (or a mapping ``{"path", "key"}`` /
        ``{"path", "key_file", "key_id"}`` with a ``chmod 600`` key file, or
        ``{"path", "key_provider", "key_id"}`` with a :class:`coresdk.KeyProvider`) persists each
        activated bundle to ``path``,
        HMAC'd with ``key`` and written atomically; when the server is down at start the
        persisted bundle serves (unless ``restore_last_known_good`` is false), and a
        persisted bundle that fails its HMAC is never served (``INTEGRITY`` in
        ``metrics()["source"]``).

        Delays and the request time limit left ``None`` take the core's defaults: a poll
        every 60 to 120 s (jittered), requests limited to 30 s. ``bearer_token_file``
        (``chmod 600``) holds a bearer token read for every poll, so a token rotated on
        disk is used from the next poll on (OPA's ``bearer.token_path``). ``aws_signing``
        signs each request with AWS Signature Version 4 (S3, MinIO; OPA's
        ``credentials.s3_signing``).

        Raises:
            CoreSdkError: ``INVALID_ARGUMENT`` for a bad URL or delays, or both a token
                file and AWS signing; ``KEY_UNAVAILABLE`` for a token file that cannot be
                read, is empty, or is open to others, or AWS keys missing from the
                environment.
        """
        if aws_signing is not None and not isinstance(aws_signing, AwsSigning):
            raise _error("INVALID_ARGUMENT", "aws_signing must be a coresdk.AwsSigning")
        native = self._native.start_bundle_polling(
            url,
            min_delay_ms,
            max_delay_ms,
            timeout_ms,
            list((headers or {}).items()),
            _parts(verification),
            _last_known_good(last_known_good),
            restore_last_known_good,
            None if bearer_token_file is None else os.fspath(bearer_token_file),
            None if aws_signing is None else aws_signing._parts(),
        )
        return BundlePoller(native)

    def watch_directory(
        self,
        path: StrPath,
        *,
        debounce_ms: int | None = None,
        verification: BundleVerification | None = None,
    ) -> DirectoryWatch:
        """Loads a bundle directory and reloads it (debounced) whenever its files
        change; a change that fails keeps the last good revision serving. ``debounce_ms``
        ``None`` takes the core's default, 100 ms after a burst of file events.

        Raises:
            CoreSdkError: the first load's errors; nothing is watched then.
        """
        return DirectoryWatch(self._native.watch_directory(path, debounce_ms, _parts(verification)))

    def metrics(self) -> dict[str, Any]:
        """The engine's metrics as a dict: the same names as Node's and Rust's (see
        docs/METRICS.md)."""
        metrics: dict[str, Any] = _json.loads(self._native.metrics_json())
        return metrics

    def metrics_prometheus(self) -> str:
        """The same metrics in Prometheus text exposition format."""
        return self._native.metrics_prometheus()

    def __repr__(self) -> str:
        return f"PolicyEngine(revision={self.revision})"
