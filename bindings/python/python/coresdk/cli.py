"""The ``coresdk`` command line: evaluate a policy, mask a document, hash a document,
verify an audit log, scan files for PII and secrets.

    coresdk eval <query> [--input <file|->] [--policy <dir|file>] [--data <file>] [--bundle <file|dir>] [--v0-compatible]
    coresdk mask [<file>|-]
    coresdk hash [<file>|-] [--canonical]
    coresdk audit verify <file> --key-file <keys.json> [--key-id <id>] [--head <hash>]
    coresdk scan <path>... [--format ndjson|sarif] [--baseline <file>] [--output <file>]

The same command as Node's ``coresdk`` (``packages/coresdk/src/cli.ts``): the same
flags, the same output (JSON printed as ``JSON.stringify(value, null, 2)`` prints it) and
the same exit codes (0 ok, 1 error or findings, 2 usage); ``fixtures/cli/cases.json`` holds the cases
both are tested with. Every decision is the library's; this module only converts
arguments and prints results. Without ``--policy``, ``eval`` uses the example RBAC
policy and data shipped in the package (``coresdk/examples/rbac``).
"""

from __future__ import annotations

import dataclasses
import errno
import math
import re
import sys
from pathlib import Path
from typing import IO, Any, Callable

from . import _json
from ._native import __version__
from .audit import verify_audit_log
from .canonical import canonicalize_json, hash_json
from .errors import CoreSdkError
from .mask import Masker
from .policy import PolicyEngine
from .secret_scan import ScanFormat, scan_paths

__all__ = ["main"]

EXAMPLE_DIR = Path(__file__).resolve().parent / "examples" / "rbac"
_RULE_PATH = re.compile(r"data(\.[A-Za-z_][A-Za-z0-9_]*)+")

USAGE = f"""coresdk {__version__}: in-process policy and privacy engine

usage:
  coresdk eval <query> [--input <file|->] [--policy <dir|file>] [--data <file>]
                      [--bundle <file.tar.gz|dir>] [--v0-compatible]
      Evaluate a rule path (data.rbac.allow) or any Rego query against an input.
      --bundle loads an OPA bundle instead of --policy/--data.
      --v0-compatible parses policies as Rego v0 (as OPA's flag of that name) unless a
      bundle manifest says otherwise.
      Without --policy or --bundle, the built-in example RBAC policy and its data are used.
  coresdk mask [<file>|-]
      Mask PII and secrets. JSON is masked as a value (keys too); other text as text.
  coresdk hash [<file>|-] [--canonical]
      SHA-256 of the RFC 8785 canonical form of a JSON document.
  coresdk audit verify <file> --key-file <keys.json> [--key-id <id>] [--head <hash>]
      Verify an audit log with key <id> (default audit) of a key file, as
      AuditLog opens one (JSON, readable by its owner only: chmod 600). Prints the
      report; exit 0 when intact, 1 at the first edited, deleted, inserted,
      reordered or truncated record.
  coresdk scan <path>... [--format ndjson|sarif] [--baseline <file>] [--output <file>]
      Scan files and directories (recursively) for PII and secrets, as a CI gate.
      Prints one finding per line (NDJSON) or a SARIF 2.1.0 log, to stdout or
      --output: type, file, line, column and fingerprint, never the value; counts
      go to stderr. --baseline leaves out the findings of an earlier NDJSON output.
      Exit 0 when nothing is found, 1 when something is.
  coresdk --version | help"""

#: Flags that take no value.
_BOOLEAN_FLAGS = frozenset({"canonical", "help", "version", "v0-compatible"})


class _UsageError(Exception):
    """A command line that does not parse: exit 2 with the usage."""


@dataclasses.dataclass
class _Parsed:
    positional: list[str]
    flags: dict[str, str | bool]


def _parse(argv: list[str]) -> _Parsed:
    """Splits ``argv`` as Node's CLI does: ``--name value``, ``--name=value`` (the text
    after a second ``=`` is dropped, as JavaScript's ``split('=', 2)``) and booleans."""
    parsed = _Parsed([], {})
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--") and len(arg) > 2:
            pieces = arg[2:].split("=")
            name = pieces[0]
            if name in _BOOLEAN_FLAGS:
                parsed.flags[name] = True
            elif len(pieces) > 1:
                parsed.flags[name] = pieces[1]
            else:
                i += 1
                if i >= len(argv):
                    raise _UsageError(f"--{name} needs a value")
                parsed.flags[name] = argv[i]
        else:
            parsed.positional.append(arg)
        i += 1
    return parsed


def _flag(parsed: _Parsed, name: str) -> str | None:
    value = parsed.flags.get(name)
    return value if isinstance(value, str) else None


def _only_flags(parsed: _Parsed, allowed: tuple[str, ...]) -> None:
    for name in parsed.flags:
        if name not in allowed:
            raise _UsageError(f"unknown option --{name}")


def _read_source(path: str | None) -> bytes:
    """The bytes of ``path`` (``-`` or ``None``: stdin); ``SOURCE_UNAVAILABLE`` naming the
    errno code (``ENOENT``), as Node's CLI names it."""
    try:
        if path is None or path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        code = errno.errorcode.get(e.errno or 0, "EIO")
        shown = "stdin" if path is None else path
        raise CoreSdkError(f"cannot read {shown}: {code}", code="SOURCE_UNAVAILABLE") from e


def _js_number(x: float) -> str:
    """``x`` as JavaScript's ``Number.prototype.toString`` writes it (``JSON.stringify``
    writes NaN and the infinities as ``null``)."""
    if math.isnan(x) or math.isinf(x):
        return "null"
    if x == 0:
        return "0"
    mantissa, _, exp = repr(abs(x)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    point = len(whole) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n, sign = len(digits), point, "-" if x < 0 else ""
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{sign}{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return f"{sign}0.{'0' * -n}{digits}"
    rest = "." + digits[1:] if k > 1 else ""
    return f"{sign}{digits[0]}{rest}e{'+' if n > 0 else '-'}{abs(n - 1)}"


_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")


def _js_keys(obj: dict[str, Any]) -> list[str]:
    """Keys in JavaScript's property order: array indices ascending, then the rest."""
    index = sorted((k for k in obj if _ARRAY_INDEX.fullmatch(k) and int(k) < 2**32 - 1), key=int)
    seen = set(index)
    return index + [k for k in obj if k not in seen]


def _js_json(value: Any, indent: str = "") -> str:
    """``value`` (parsed JSON) as ``JSON.stringify(JSON.parse(text), null, 2)`` prints it."""
    if value is None or value is True or value is False:
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        if abs(value) <= 2**53:
            return str(value)
        try:
            return _js_number(float(value))
        except OverflowError:
            return "null"
    if isinstance(value, float):
        return _js_number(value)
    if isinstance(value, str):
        return _json.dumps(value)
    inner = indent + "  "
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [inner + _js_json(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    if not value:
        return "{}"
    fields = [f"{inner}{_json.dumps(k)}: {_js_json(value[k], inner)}" for k in _js_keys(value)]
    return "{\n" + ",\n".join(fields) + "\n" + indent + "}"


def _eval(parsed: _Parsed) -> str:
    if len(parsed.positional) != 1 or not parsed.positional[0]:
        raise _UsageError("eval takes exactly one query")
    query = parsed.positional[0]
    _only_flags(parsed, ("input", "policy", "data", "bundle", "v0-compatible"))
    engine = PolicyEngine(rego_version=0 if "v0-compatible" in parsed.flags else 1)
    bundle = _flag(parsed, "bundle")
    if bundle is not None:
        if "policy" in parsed.flags or "data" in parsed.flags:
            raise _UsageError("--bundle replaces --policy and --data")
        engine.load_bundle_path(bundle)
    else:
        policy = _flag(parsed, "policy")
        data = _flag(parsed, "data")
        if data is None and policy is None:
            data = str(EXAMPLE_DIR / "data.json")
        engine.add_path(policy if policy is not None else str(EXAMPLE_DIR / "policy.rego"))
        if data is not None:
            engine.add_data_json(_read_source(data))
    input_flag = _flag(parsed, "input")
    input_json = b"{}" if input_flag is None else _read_source(input_flag)
    if _RULE_PATH.fullmatch(query):
        d = engine.evaluate_json(query, input_json)
        out: dict[str, Any] = {"result": d.result} if d.defined else {}
        out.update(
            defined=d.defined,
            revision=d.revision,
            bundleRevision=d.bundle_revision,
            decisionId=d.decision_id,
        )
        return _js_json(out)
    q = engine.query_json(query, input_json)
    return _js_json({"rows": q.rows, "revision": q.revision, "decisionId": q.decision_id})


def _mask(parsed: _Parsed) -> str:
    if len(parsed.positional) > 1 or parsed.flags:
        raise _UsageError("mask takes at most one file")
    data = _read_source(parsed.positional[0] if parsed.positional else None)
    masker = Masker()
    try:
        return _js_json(_json.loads(masker.mask_json(data)))
    except CoreSdkError as e:
        if e.code == "INVALID_JSON":
            return masker.mask_text(data)
        raise


def _hash(parsed: _Parsed) -> str:
    if len(parsed.positional) > 1:
        raise _UsageError("hash takes at most one file")
    _only_flags(parsed, ("canonical",))
    data = _read_source(parsed.positional[0] if parsed.positional else None)
    digest = hash_json(data)
    return f"{digest}\n{canonicalize_json(data)}" if "canonical" in parsed.flags else digest


def _audit(parsed: _Parsed) -> tuple[str, bool]:
    """``audit verify``: the report, and whether the log is intact."""
    if len(parsed.positional) != 2 or parsed.positional[0] != "verify":
        raise _UsageError("usage: audit verify <file> --key-file <keys.json>")
    _only_flags(parsed, ("key-file", "key-id", "head"))
    key_file = _flag(parsed, "key-file")
    if key_file is None:
        raise _UsageError("audit verify needs --key-file")
    report = verify_audit_log(
        _read_source(parsed.positional[1]),
        key_file=key_file,
        key_id=_flag(parsed, "key-id"),
        expected_head=_flag(parsed, "head"),
    )
    return _js_json(dataclasses.asdict(report)), report.intact


#: ``--format`` values, typed for :func:`scan_paths`.
_SCAN_FORMATS: dict[str, ScanFormat] = {"ndjson": "ndjson", "sarif": "sarif"}


def _scan(parsed: _Parsed) -> int:
    """``scan``: writes the findings and the counts; 0 when none were found, 1 otherwise."""
    if not parsed.positional:
        raise _UsageError("scan needs at least one path")
    _only_flags(parsed, ("format", "baseline", "output"))
    fmt = _flag(parsed, "format")
    if fmt is not None and fmt not in _SCAN_FORMATS:
        raise _UsageError("--format is ndjson or sarif")
    result = scan_paths(
        parsed.positional,
        format=None if fmt is None else _SCAN_FORMATS[fmt],
        baseline=_flag(parsed, "baseline"),
    )
    output = _flag(parsed, "output")
    if output is None:
        _write(sys.stdout, result.output)
    else:
        try:
            with open(output, "wb") as f:
                f.write(result.output.encode("utf-8"))
        except OSError as e:
            code = errno.errorcode.get(e.errno or 0, "EIO")
            raise CoreSdkError(f"cannot write {output}: {code}", code="SOURCE_UNAVAILABLE") from e
    _write(sys.stderr, f"coresdk: scan: {result.summary}\n")
    return 0 if result.findings == 0 else 1


def _write(stream: IO[str], text: str) -> None:
    """Writes ``text`` as UTF-8 whatever the locale (as Node does)."""
    stream.flush()
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
    else:
        buffer.write(text.encode("utf-8", "surrogateescape"))
        buffer.flush()


_COMMANDS: dict[str, Callable[[_Parsed], str]] = {"eval": _eval, "mask": _mask, "hash": _hash}


def _run(argv: list[str]) -> int:
    try:
        command, rest = (argv[0], argv[1:]) if argv else (None, [])
        if command is None or command in ("help", "--help", "-h"):
            _write(sys.stdout, USAGE + "\n")
            return 2 if command is None else 0
        if command in ("--version", "-v"):
            _write(sys.stdout, __version__ + "\n")
            return 0
        parsed = _parse(rest)
        if command == "audit":
            out, ok = _audit(parsed)
            _write(sys.stdout, out + "\n")
            return 0 if ok else 1
        if command == "scan":
            return _scan(parsed)
        run = _COMMANDS.get(command)
        if run is None:
            raise _UsageError(f"unknown command {_json.dumps(command)}")
        _write(sys.stdout, run(parsed) + "\n")
        return 0
    except _UsageError as e:
        _write(sys.stderr, f"coresdk: {e}\n\n{USAGE}\n")
        return 2
    except CoreSdkError as e:
        loc = e.location
        where = f" ({loc.file}:{loc.line}:{loc.column})" if loc is not None else ""
        _write(sys.stderr, f"coresdk: {e.code}: {e.message.split(chr(10))[-1]}{where}\n")
        return 1


def main(argv: list[str] | None = None) -> int:
    """Runs the command line on ``argv`` (default ``sys.argv[1:]``); returns the exit code:
    0 ok, 1 error (``coresdk: CODE: message`` on stderr) or findings (``scan``), 2 usage."""
    try:
        return _run(sys.argv[1:] if argv is None else list(argv))
    except Exception as e:  # noqa: BLE001 - the CLI reports every failure as its code
        _write(sys.stderr, f"coresdk: INTERNAL: {e}\n")
        return 1
