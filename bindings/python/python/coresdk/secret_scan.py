"""Scanning files and directories for PII and secrets, as a CI gate does:
:func:`scan_paths`, :class:`ScanResult` (docs/MASKING.md, "Scanning files")."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from . import _json, _native
from ._native import ScanResult
from .errors import _error

__all__ = ["ScanFormat", "ScanResult", "scan_paths"]

#: An output format of :func:`scan_paths`: NDJSON (one finding per line) or SARIF 2.1.0.
ScanFormat = Literal["ndjson", "sarif"]


def scan_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    format: ScanFormat | None = None,
    baseline: str | os.PathLike[str] | None = None,
    max_file_bytes: int | None = None,
    allow: Iterable[str] | None = None,
    custom_detectors: Iterable[Mapping[str, str]] | None = None,
) -> ScanResult:
    """Scans files and directories (recursively) for PII and secrets. Findings name their
    type, file, lines, columns (Unicode code points) and a fingerprint, never the value.
    The GIL is released while the core scans.

    Args:
        paths: Files and directories to scan; each is a root (docs/MASKING.md).
        format: ``"ndjson"`` (default) or ``"sarif"``.
        baseline: A baseline file: the NDJSON output of an earlier scan. Findings whose
            fingerprint it holds are not reported (counted in ``suppressed``).
        max_file_bytes: Files larger than this are skipped and counted (default 10 MiB).
        allow: Exact values never reported (as :class:`Masker`'s ``allow``).
        custom_detectors: Detectors to add (as :class:`Masker`'s ``custom_detectors``).

    Raises:
        CoreSdkError: ``INVALID_ARGUMENT`` for no path, a path or baseline that does not
            exist, a malformed baseline or a bad option; ``SOURCE_UNAVAILABLE`` for a file
            or directory that cannot be read.
    """
    if isinstance(paths, (str, bytes, os.PathLike)):
        raise _error("INVALID_ARGUMENT", "paths is a list of paths, not one path")
    config: dict[str, Any] = {}
    if format is not None:
        config["format"] = format
    if baseline is not None:
        config["baseline"] = os.fspath(baseline)
    if max_file_bytes is not None:
        config["max_file_bytes"] = max_file_bytes
    if allow is not None:
        config["allow"] = list(allow)
    if custom_detectors is not None:
        config["custom_detectors"] = [dict(d) for d in custom_detectors]
    checked = [os.fspath(p) if isinstance(p, os.PathLike) else p for p in paths]
    return _native.scan_paths(checked, _json.dumps(config))
