"""The tamper-evident audit log: :class:`AuditLog` and :func:`verify_audit_log`.

Each decision record (JSON Lines) holds the decision id, time, revision, query, result and
the input masked by the default :class:`coresdk.Masker` (never raw), chained to the
previous record by hash and HMAC'd; every ``checkpoint_every`` records a Merkle
checkpoint is written. The format is the same in every language (docs/AUDIT.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Protocol

from . import _json, _native
from ._aio import run_blocking
from .errors import _error

__all__ = ["AuditLog", "AuditReport", "KeyProvider", "verify_audit_log"]


class KeyProvider(Protocol):
    """Keys kept outside CoreSDK (a KMS, an HSM): the core calls ``hmac`` for the audit
    chain, from its own threads. Raising, or returning something other than ``bytes``,
    fails the operation with ``KEY_UNAVAILABLE``."""

    def hmac(self, key_id: str, data: bytes) -> bytes:
        """HMAC-SHA256 of ``data`` with key ``key_id``."""
        ...


def _key(key: str | bytes) -> bytes:
    if isinstance(key, str):
        return key.encode("utf-8")
    if isinstance(key, (bytes, bytearray)):
        return bytes(key)
    raise _error("INVALID_ARGUMENT", "key must be str or bytes")


class AuditLog:
    """An append-only audit log file; appends from many threads form one chain.

    Args:
        path: The log file (created if missing; an existing log is verified first).
        key: The HMAC key (keep it apart from the log: a secret store, not its directory).
        key_file: Instead of ``key``: a key file only its owner can read (``chmod 600``;
            docs/AUDIT.md) ...
        key_id: ... and the id of the HMAC key in it (default ``"audit"``).
        key_provider: Instead of ``key`` / ``key_file``: a :class:`KeyProvider` whose
            ``hmac(key_id, data)`` makes the record HMACs.
        checkpoint_every: Records between Merkle checkpoints.
        fsync_every_record: ``fsync`` after each append (the default), so an acknowledged
            record survives a crash; ``False`` leaves flushing to the OS.

    Raises:
        CoreSdkError: ``INTEGRITY`` when an existing log does not verify with ``key``,
            ``SOURCE_UNAVAILABLE``, ``INVALID_ARGUMENT``, ``KEY_UNAVAILABLE`` (a key file
            readable by others, or no such key).
    """

    __slots__ = ("_native",)

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        key: str | bytes | None = None,
        key_file: str | os.PathLike[str] | None = None,
        key_id: str | None = None,
        key_provider: KeyProvider | None = None,
        checkpoint_every: int = 1000,
        fsync_every_record: bool = True,
    ) -> None:
        self._native = _native.AuditLog(
            path,
            None if key is None else _key(key),
            checkpoint_every,
            fsync_every_record,
            None if key_file is None else os.fspath(key_file),
            key_id,
            key_provider,
        )

    def append(self, decision: Any, query: str, input: Any = None) -> str:
        """Appends ``decision`` (a :class:`coresdk.Decision`) made on ``query`` for
        ``input`` (masked before it is written). Returns the new head hash."""
        result = _json.dumps(decision.result) if decision.defined else None
        return self._native.append(
            decision.decision_id,
            decision.revision,
            decision.bundle_revision,
            result,
            query,
            "{}" if input is None else _json.dumps(input),
        )

    async def append_async(self, decision: Any, query: str, input: Any = None) -> str:
        """:meth:`append` without blocking the event loop (Node's ``appendAsync``): run on
        the loop's default executor, the GIL released while the record is written."""
        return await run_blocking(self.append, decision, query, input)

    @property
    def head(self) -> str:
        """The hash of the last record: keep it elsewhere to detect records cut from the end."""
        return self._native.head


@dataclass(frozen=True)
class AuditReport:
    """What :func:`verify_audit_log` found.

    Attributes:
        intact: True when every record verified (and the log ends at the expected head).
        records: Records (decisions and checkpoints) that verified.
        checkpoints: Checkpoints among them.
        head: Hash of the last verified record, or ``None``.
        line: 1-based line of the first bad record, or ``None``.
        reason: ``malformed``, ``sequence``, ``chain``, ``hash``, ``hmac``,
            ``checkpoint`` or ``truncated``; ``None`` when intact.
    """

    intact: bool
    records: int
    checkpoints: int
    head: str | None
    line: int | None
    reason: str | None


def verify_audit_log(
    log: bytes | str | os.PathLike[str],
    key: str | bytes | None = None,
    *,
    expected_head: str | None = None,
    key_file: str | os.PathLike[str] | None = None,
    key_id: str | None = None,
) -> AuditReport:
    """Verifies an audit log (its bytes, or a path to it) with ``key``; with
    ``expected_head``, also that nothing was cut from the end.

    Instead of ``key``, ``key_file`` and ``key_id`` name the key as :class:`AuditLog`
    takes them: key ``key_id`` (default ``"audit"``) of a JSON key file only its owner can
    read. Give exactly one of ``key`` and ``key_file``.

    Raises:
        CoreSdkError: ``INVALID_ARGUMENT`` for neither or both of ``key`` and
            ``key_file``; ``KEY_UNAVAILABLE`` for a key file readable by others, or
            unreadable; ``INVALID_JSON`` / ``INVALID_ARGUMENT`` for a file that is not a
            key file.
    """
    if isinstance(log, (str, os.PathLike)):
        with open(log, "rb") as f:
            data = f.read()
    else:
        data = log
    report = _json.loads(
        _native.verify_audit_log(
            data,
            None if key is None else _key(key),
            expected_head,
            None if key_file is None else os.fspath(key_file),
            key_id,
        )
    )
    return AuditReport(**report)
