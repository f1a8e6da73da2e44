"""Leak tests for coresdk.logging: every ``mask_text`` golden case pushed through every
path of the standard library's logging (``MaskingFilter``) and of structlog
(``MaskingProcessor``), written by real formatters and renderers to a string.

For each case (``fixtures/mask/*.json``, ``op`` ``mask_text``, no ``options``, expected
text different from the input) the substrings the expected output replaced by a token
are derived; none of them may reach the written text, in any escaping a formatter may
apply (JSON, ``repr``). The written text must also keep what makes a log line useful:
the level, the timestamp, the message words around the finding, the exception type,
the ``Traceback`` header and its ``File "...", line N, in f`` frames.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import structlog
from coresdk import Masker, MaskingFilter
from coresdk.logging import MaskingProcessor

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "mask"
HERE = re.escape(Path(__file__).name)
# A traceback or stack frame of this file, as written or JSON-escaped; group 1 is the
# function.
FRAME = re.compile(rf'File \\?"[^"\n]*{HERE}\\?", line \d+, in (\S+)')
EMAIL = "bob@example.com"
CARD = "4111 1111 1111 1111"
TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"
# A replacement token: [REDACTED:TYPE], [REDACTED:TYPE:kept], or a pseudonym [TYPE:hex].
TOKEN_RE = re.compile(
    r"\[REDACTED:[A-Z][A-Z0-9_]*(?::[^\]\s]*)?\]|\[[A-Z][A-Z0-9_]*:[0-9a-f]{16}\]"
)
STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


def removed_parts(text: str, expected: str) -> list[str]:
    """The substrings of ``text`` that ``expected`` replaced by tokens (input and expected
    output are aligned on the text between the tokens)."""
    pattern = "(.*?)".join(re.escape(part) for part in TOKEN_RE.split(expected))
    match = re.fullmatch(pattern, text, re.DOTALL)
    assert match, f"cannot align {text!r} with {expected!r}"
    return list(match.groups())


def load_cases() -> list[tuple[str, str, list[str]]]:
    """(id, text, secrets): each secret is a removed substring of 4+ characters that the
    expected output does not keep elsewhere. A case the masker itself gets wrong is left
    out: that is test_fixtures.py's failure, and this file tests what the integrations
    route to the masker."""
    masker = Masker()
    cases = []
    for path in sorted(FIXTURES.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for case in doc if isinstance(doc, list) else [doc]:
            args, expect = case["args"], case["expect"]
            if case["op"] != "mask_text" or "options" in args or expect["text"] == args["text"]:
                continue
            if masker.mask_text(args["text"]) != expect["text"]:
                continue
            secrets = [
                part
                for part in removed_parts(args["text"], expect["text"])
                if len(part) >= 4 and part not in expect["text"]
            ]
            if secrets:
                cases.append((case["id"], args["text"], secrets))
    return cases


CASES = load_cases()
# A case whose secret sits in JSON escaped inside a string (`\\"api_key\\":...`): text
# that other code repr()s before the filter or the processor sees it (an object's
# __repr__ of its fields, KeyError's message, the locals of dict_tracebacks) arrives
# escaped once more, and must be masked all the same
# (test_text_escaped_by_a_repr_outside_the_filter).
REPR_GAP = "mask/secret-in-context-json-in-string"


def test_the_fixture_cases_are_loaded() -> None:
    # 105 cases replace something; mask/mac-cisco-dotted keeps its only removed value
    # elsewhere in the line, so it has nothing to look for.
    assert len(CASES) >= 100
    ids = {case_id for case_id, _, _ in CASES}
    assert {"mask/email-in-log-line", "mask/card-visa", "mask/private-key-rsa"} <= ids
    assert dict((i, s) for i, _, s in CASES)["mask/email-in-log-line"] == ["bob@example.com"]


def spellings(secret: str) -> set[str]:
    """``secret`` as formatters may write it: as is, JSON-escaped, repr-escaped."""
    return {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        secret.encode("unicode_escape").decode("ascii"),
        repr(secret.encode("utf-8"))[2:-1],
    }


def leaks(written: str, secrets: list[str]) -> list[str]:
    return [s for secret in secrets for s in spellings(secret) if s in written]


class Shown:
    """An object whose ``str`` and ``repr`` hold the text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return f"shown {self.text}"

    def __repr__(self) -> str:
        return f"Shown({self.text})"


def raise_it(text: str) -> None:
    raise ValueError(f"failed {text}")


def raise_chained(text: str) -> None:
    try:
        raise RuntimeError(f"cause {text}")
    except RuntimeError as cause:
        raise ValueError("outer") from cause


def raise_in_handler(text: str) -> None:
    try:
        raise RuntimeError(f"context {text}")
    except RuntimeError:
        raise ValueError("outer")  # noqa: B904 - the implicit context is the point


def raise_with_note(text: str) -> None:
    error = ValueError("outer")
    error.add_note(f"note {text}")
    raise error


RAISERS: dict[str, Callable[[str], None]] = {
    "message": raise_it,
    "cause": raise_chained,
    "context": raise_in_handler,
}
if sys.version_info >= (3, 11):
    RAISERS["note"] = raise_with_note

# --- standard library logging ---------------------------------------------------------


class TextFormatter(logging.Formatter):
    """A plain formatter that also writes every ``extra`` field as ``name=str(value)``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        fields = {k: v for k, v in vars(record).items() if k not in STANDARD}
        return super().formatMessage(record) + "".join(f" {k}={v}" for k, v in fields.items())


class JsonFormatter(logging.Formatter):
    """A JSON-lines formatter in the style of python-json-logger: the formatted message,
    time, level, the exception (``exc_info``, else ``exc_text``), the stack and every
    ``extra`` field (non-JSON values as their ``repr``)."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        doc: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "message": record.message,
        }
        if record.exc_info:
            doc["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            doc["exc_info"] = record.exc_text
        if record.stack_info:
            doc["stack_info"] = self.formatStack(record.stack_info)
        doc.update((k, v) for k, v in vars(record).items() if k not in STANDARD)
        return json.dumps(doc, default=repr)


FORMATTERS: dict[str, Callable[[], logging.Formatter]] = {
    "text": TextFormatter,
    "json": JsonFormatter,
}


def write(formatter: logging.Formatter, call: Callable[..., None], *args: Any) -> str:
    """What a handler with a ``MaskingFilter`` and ``formatter`` writes for
    ``call(logger, *args)``."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(MaskingFilter())
    # A logger of its own, outside logging's tree: only this handler sees its records
    # (pytest attaches its capture handlers to registered loggers that do not propagate).
    log = logging.Logger("coresdk-test-logging", logging.DEBUG)
    log.addHandler(handler)
    call(log, *args)
    return stream.getvalue()


def logged_exception(log: logging.Logger, raiser: Callable[[str], None], text: str) -> None:
    try:
        raiser(text)
    except Exception:
        log.exception("request failed")


STDLIB_PATHS: dict[str, Callable[[logging.Logger, str], None]] = {
    "message": lambda log, t: log.warning(f"event {t} done"),
    "arg %s": lambda log, t: log.warning("event %s done", t),
    "arg %r": lambda log, t: log.warning("event %r done", t),
    "arg %s object": lambda log, t: log.warning("event %s done", Shown(t)),
    "arg %r object": lambda log, t: log.warning("event %r done", Shown(t)),
    "arg %s bytes": lambda log, t: log.warning("event %s done", t.encode()),
    "arg %s nested": lambda log, t: log.warning("event %s done", [("x", {"detail": t})]),
    "arg mapping": lambda log, t: log.warning("event %(detail)s done", {"detail": t}),
    "arg dict as %s": lambda log, t: log.warning("event %s done", {"detail": t}),
    "extra str": lambda log, t: log.warning("event done", extra={"ctx": f"ctx {t}"}),
    "extra dict": lambda log, t: log.warning("event done", extra={"ctx": {"detail": t}}),
    "extra list": lambda log, t: log.warning("event done", extra={"ctx": ["a", t]}),
    "extra tuple": lambda log, t: log.warning("event done", extra={"ctx": ("a", t)}),
    "extra set": lambda log, t: log.warning("event done", extra={"ctx": {t}}),
    "extra nested": lambda log, t: log.warning(
        "event done", extra={"ctx": {"outer": [{"inner": (t, frozenset({t}))}]}}
    ),
    "extra object": lambda log, t: log.warning("event done", extra={"ctx": Shown(t)}),
    "extra objects nested": lambda log, t: log.warning(
        "event done", extra={"ctx": [Shown(t), {"o": Shown(t)}]}
    ),
    "extra bytes": lambda log, t: log.warning("event done", extra={"ctx": t.encode()}),
    "extra keys": lambda log, t: log.warning("event done", extra={"ctx": {t: 1, (1, t): 2, 3: t}}),
    "stack_info": lambda log, t: log.warning(f"event {t} done", stack_info=True),
    **{
        f"exception {name}": (lambda r: lambda log, t: logged_exception(log, r, t))(raiser)
        for name, raiser in RAISERS.items()
    },
}


def check_stdlib_useful(path: str, kind: str, written: str) -> None:
    """What must survive masking: level, time, message words, exception and stack."""
    if kind == "json":
        doc = json.loads(written)
        assert doc["level"] in {"WARNING", "ERROR"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", doc["time"])
        message = doc["message"]
    else:
        assert re.match(
            r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (WARNING|ERROR) coresdk-test-logging ",
            written,
        ), written
        message = written
    if path.startswith("exception"):
        assert "request failed" in message
        assert "Traceback (most recent call last):" in written
        assert any(f.startswith("raise_") for f in FRAME.findall(written)), written
        assert "ValueError: " in written
    else:
        assert "event " in message and "done" in message
    if path == "stack_info":
        assert "Stack (most recent call last):" in written
        assert FRAME.search(written), written


@pytest.mark.parametrize("kind", FORMATTERS)
@pytest.mark.parametrize("path", STDLIB_PATHS)
def test_no_fixture_secret_reaches_a_stdlib_log_line(path: str, kind: str) -> None:
    found = []
    for case_id, text, secrets in CASES:
        written = write(FORMATTERS[kind](), STDLIB_PATHS[path], text)
        check_stdlib_useful(path, kind, written)
        found += [f"{case_id}: {leak!r}" for leak in leaks(written, secrets)]
    assert not found, f"{path} ({kind}) wrote {len(found)} secret(s):\n" + "\n".join(found)


def test_the_message_is_masked_as_the_fixture_says() -> None:
    for case_id, text, _ in CASES:
        expected = Masker().mask_text(text)
        written = write(TextFormatter(), STDLIB_PATHS["message"], text)
        assert f" event {expected} done" in written, case_id


def log_number(log: logging.Logger, n: int) -> None:
    log.warning("event %d / %s", n, n, extra={"ctx": n, "deep": [n]})


def test_card_numbers_given_as_numbers_are_masked() -> None:
    numbers = [int(s) for i, _, secrets in CASES if "card" in i for s in secrets if s.isdigit()]
    assert 4111111111111111 in numbers and len(numbers) >= 4
    for n in numbers:
        for kind, formatter in FORMATTERS.items():
            written = write(formatter(), log_number, n)
            assert str(n) not in written, (kind, n, written)
            assert written.count("[REDACTED:CREDIT_CARD]") == 4, written
    written = write(TextFormatter(), log_number, 42)
    assert written.endswith(" WARNING coresdk-test-logging event 42 / 42 ctx=42 deep=[42]\n")


def test_logging_filter_masks_message_arguments_and_extra() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s %(ctx)s"))
    handler.addFilter(MaskingFilter())
    log = logging.getLogger("coresdk-test-filter")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning(
            "login by %s with %s",
            EMAIL,
            TOKEN,
            extra={"ctx": {"password": "hunter2", "card": CARD}},
        )
        log.warning("plain %s", "text", extra={"ctx": f"mail {EMAIL}"})
    finally:
        log.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("WARNING login by [REDACTED:EMAIL] with [REDACTED:GITHUB_TOKEN] ")
    assert json.loads(lines[0].split(" ", 6)[-1].replace("'", '"')) == {
        "password": "[REDACTED:SECRET]",
        "card": "[REDACTED:CREDIT_CARD]",
    }
    assert lines[1] == "WARNING plain text mail [REDACTED:EMAIL]"
    assert "example.com" not in stream.getvalue() and "hunter2" not in stream.getvalue()


def make_record(msg: Any, args: Any = None, **fields: Any) -> Any:
    """A LogRecord with `fields` as extra attributes (typed Any: they are dynamic)."""
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, msg, args, None)
    for name, value in fields.items():
        setattr(record, name, value)
    return record


def test_the_record_keeps_its_shape() -> None:
    record = make_record(
        "a %s",
        (EMAIL,),
        tup=(EMAIL, 1),
        st={EMAIL},
        fs=frozenset({"x"}),
        n=42,
        f=1.5,
        none=None,
        flag=True,
        raw=f"to {EMAIL}".encode(),
        big=10**30,
        nan=float("nan"),
        password=1234,
    )
    assert MaskingFilter().filter(record) is True
    assert (record.msg, record.args) == ("a [REDACTED:EMAIL]", None)
    assert record.tup == ("[REDACTED:EMAIL]", 1)
    assert record.st == {"[REDACTED:EMAIL]"} and record.fs == frozenset({"x"})
    assert (record.n, record.f, record.none, record.flag) == (42, 1.5, None, True)
    # JSON has no bytes: a field holding bytes comes back as its masked text.
    assert record.raw == "to [REDACTED:EMAIL]"
    assert (record.big, record.nan) == (str(10**30), "nan")
    assert record.password == "[REDACTED:SECRET]"  # a sensitive field name


def test_arguments_keep_their_types_and_formats() -> None:
    record = make_record(
        "%05.1f|%x|%s|%r|%s", (3.14159, 255, b"mail " + EMAIL.encode(), (EMAIL,), None)
    )
    MaskingFilter().filter(record)
    assert record.getMessage() == "003.1|ff|b'mail [REDACTED:EMAIL]'|('[REDACTED:EMAIL]',)|None"
    record = make_record(
        "%(user)s logs in with %(password)s, %(n)d tries",
        {"user": EMAIL, "password": "hunter2", "n": 3},
    )
    MaskingFilter().filter(record)
    assert record.getMessage() == "[REDACTED:EMAIL] logs in with [REDACTED:SECRET], 3 tries"


def test_the_remove_strategy_keeps_formats_working() -> None:
    masker = Masker(strategy="remove")
    record = make_record(
        "pw=%(password)s user=%(user)s",
        {"password": "hunter2", "user": "bob"},
        password="x",
        ctx=f"m {EMAIL}",
    )
    MaskingFilter(masker).filter(record)
    assert record.getMessage() == "pw= user=bob"
    assert (record.password, record.ctx) == ("", "m ")


def test_a_record_that_cannot_be_masked_is_replaced_never_written() -> None:
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError(EMAIL)

    cycle: list[Any] = [EMAIL]
    cycle.append(cycle)
    deep: Any = EMAIL
    for _ in range(200):
        deep = [deep]
    record = make_record(
        f"{EMAIL} \ud800", None, ctx=cycle, deep=deep, ok=f"m {EMAIL}", bad=Broken()
    )
    MaskingFilter().filter(record)
    assert record.msg == "[masking failed: INVALID_ARGUMENT]"
    assert record.ctx == "[masking failed: INVALID_ARGUMENT]"
    assert record.deep == "[masking failed: LIMIT_EXCEEDED]"
    assert record.bad == "[masking failed: RuntimeError]"
    assert record.ok == "m [REDACTED:EMAIL]"
    record = make_record("user %s", (Broken(),))
    MaskingFilter().filter(record)
    assert record.msg == "[masking failed: RuntimeError]"
    written = write(
        TextFormatter(), lambda log: log.warning(f"{EMAIL} \ud800", extra={"ctx": cycle})
    )
    assert written.endswith(
        " [masking failed: INVALID_ARGUMENT] ctx=[masking failed: INVALID_ARGUMENT]\n"
    )


def test_arguments_that_do_not_fit_the_format_do_not_raise() -> None:
    written = write(TextFormatter(), lambda log: log.warning("user %d of %s", EMAIL))
    assert written.endswith(" user %d of %s [log arguments did not format: TypeError]\n")
    assert EMAIL not in written


def test_an_exc_text_cached_by_an_earlier_formatter_is_masked() -> None:
    try:
        raise_it(EMAIL)
    except ValueError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    logging.Formatter().format(record)  # an earlier handler without the filter
    assert record.exc_text and EMAIL in record.exc_text
    MaskingFilter().filter(record)
    assert record.exc_info is None
    written = logging.Formatter().format(record)
    assert EMAIL not in written
    assert "ValueError: failed [REDACTED:EMAIL]" in written
    assert re.search(rf'File ".*{HERE}", line \d+, in raise_it', written)


def test_exc_info_outside_an_except_block() -> None:
    error = ValueError(f"failed {EMAIL}")
    written = write(TextFormatter(), lambda log: log.error("boom", exc_info=error))
    assert written.endswith("boom\nValueError: failed [REDACTED:EMAIL]\n")


def test_a_second_filter_changes_nothing() -> None:
    try:
        raise_chained(EMAIL)
    except ValueError:
        record = make_record("m %s", (EMAIL,), ctx={"k": (EMAIL,)})
        record.exc_info = sys.exc_info()
    MaskingFilter().filter(record)
    once = dict(vars(record))
    MaskingFilter().filter(record)
    assert vars(record) == once


def test_a_field_name_holding_pii_is_replaced() -> None:
    record = make_record("m", None, **{f"k {EMAIL}": 1})
    MaskingFilter().filter(record)
    assert "k [REDACTED:EMAIL]" in vars(record) and f"k {EMAIL}" not in vars(record)


def test_keys_that_mask_alike_are_all_kept() -> None:
    other = "carol@example.net"
    record = make_record(
        "m", None, **{EMAIL: 1, other: 2, "seen": {EMAIL: (3,), other: {4}, 7: "x"}}
    )
    MaskingFilter().filter(record)
    fields = vars(record)
    assert EMAIL not in fields and other not in fields
    assert (fields["[REDACTED:EMAIL]"], fields["[REDACTED:EMAIL]#2"]) == (1, 2)
    # Inside a container: both entries, their tuple and set back, a non-str key as text.
    assert fields["seen"] == {"[REDACTED:EMAIL]": (3,), "[REDACTED:EMAIL]#2": {4}, "7": "x"}


def test_the_masker_given_is_used() -> None:
    record = make_record("mail %s", (EMAIL,), ctx=[EMAIL])
    MaskingFilter(Masker(strategy="pseudonymize", key=b"k")).filter(record)
    assert re.fullmatch(r"mail \[EMAIL:[0-9a-f]{16}\]", record.msg)
    assert record.ctx[0] == record.msg[len("mail ") :]


# --- structlog ------------------------------------------------------------------------

RENDERERS: dict[str, Callable[[], Any]] = {
    "json": structlog.processors.JSONRenderer,
    "console": lambda: structlog.dev.ConsoleRenderer(colors=False),
    "keyvalue": structlog.processors.KeyValueRenderer,
}
# What runs before the masking processor for the exception: nothing (it renders
# exc_info itself), format_exc_info, or dict_tracebacks (JSON frames).
EXCEPTION_STEPS: dict[str, list[Any]] = {
    "": [],
    "format_exc_info": [structlog.processors.format_exc_info],
    "dict_tracebacks": [structlog.processors.dict_tracebacks],
}


def structlogger(renderer: Any, before: Sequence[Any] = (), after: Sequence[Any] = ()) -> Any:
    """A structlog logger that returns the rendered line."""
    return structlog.wrap_logger(
        structlog.ReturnLogger(),
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            *before,
            MaskingProcessor(),
            *after,
            renderer,
        ],
    )


def structlog_exception(log: Any, raiser: Callable[[str], None], text: str) -> str:
    try:
        raiser(text)
    except ValueError:
        return str(log.exception("request failed"))
    raise AssertionError("not raised")


STRUCTLOG_PATHS: dict[str, Callable[[Any, str], str]] = {
    "event": lambda log, t: log.warning(f"event {t} done"),
    "kwarg": lambda log, t: log.warning("event done", detail=f"d {t}"),
    "kwarg nested": lambda log, t: log.warning(
        "event done", detail={"outer": [{"inner": (t, {t}, frozenset({t}))}], "list": [t]}
    ),
    "kwarg object": lambda log, t: log.warning("event done", detail=Shown(t), more=[Shown(t)]),
    "kwarg bytes": lambda log, t: log.warning("event done", detail=t.encode()),
    "kwarg keys": lambda log, t: log.warning("event done", detail={t: 1, 2: t}, **{f"k {t}": 1}),
    "stack_info": lambda log, t: log.warning(f"event {t} done", stack_info=True),
    "exc_info=error": lambda log, t: log.error(
        "request failed", exc_info=ValueError(f"failed {t}")
    ),
    **{
        f"exception {name}": (lambda r: lambda log, t: structlog_exception(log, r, t))(raiser)
        for name, raiser in RAISERS.items()
    },
}


def check_structlog_useful(path: str, steps: str, written: str) -> None:
    """What must survive masking: time, level, event words, exception and stack."""
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", written), written
    assert "warning" in written or "error" in written
    if path.startswith("exc"):
        assert "request failed" in written and "ValueError" in written
    else:
        assert "event " in written and "done" in written
    if path.startswith("exception") and steps == "dict_tracebacks":
        assert re.search(r'"name": "raise_\w+"', written), written
    elif path.startswith("exception"):
        assert "Traceback (most recent call last):" in written
        assert any(f.startswith("raise_") for f in FRAME.findall(written)), written
    if path == "stack_info":
        assert "Stack (most recent call last):" in written
        assert FRAME.search(written), written


# Every path with every renderer; the exception paths also after format_exc_info, and
# after dict_tracebacks with the JSON renderer (the one it is for).
STRUCTLOG_RUNS = [
    (path, renderer, steps)
    for path in STRUCTLOG_PATHS
    for renderer in RENDERERS
    for steps in EXCEPTION_STEPS
    if not steps or (path.startswith("exc") and (steps != "dict_tracebacks" or renderer == "json"))
]


@pytest.mark.parametrize(("path", "renderer", "steps"), STRUCTLOG_RUNS)
def test_no_fixture_secret_reaches_a_structlog_line(path: str, renderer: str, steps: str) -> None:
    log = structlogger(RENDERERS[renderer](), EXCEPTION_STEPS[steps])
    found = []
    for case_id, text, secrets in CASES:
        written = STRUCTLOG_PATHS[path](log, text)
        assert isinstance(written, str)
        check_structlog_useful(path, steps, written)
        found += [f"{case_id}: {leak!r}" for leak in leaks(written, secrets)]
    assert not found, f"{path} ({renderer}) wrote {len(found)} secret(s):\n" + "\n".join(found)


def test_structlog_keeps_the_traceback_frames() -> None:
    log = structlogger(structlog.processors.JSONRenderer())
    doc = json.loads(structlog_exception(log, raise_chained, EMAIL))
    assert doc["event"] == "request failed" and doc["level"] == "error"
    exception = doc["exception"]
    assert exception.startswith("Traceback (most recent call last):\n")
    assert re.search(rf'File ".*{HERE}", line \d+, in raise_chained', exception)
    assert "RuntimeError: cause [REDACTED:EMAIL]" in exception
    assert "The above exception was the direct cause of the following exception:" in exception
    assert exception.endswith("ValueError: outer")
    doc = json.loads(structlogger(structlog.processors.JSONRenderer()).info("x", stack_info=True))
    assert doc["stack"].startswith("Stack (most recent call last):\n")
    # The last frame is the caller's, not structlog's or the processor's.
    assert FRAME.findall(doc["stack"])[-1] == "test_structlog_keeps_the_traceback_frames"


def test_structlog_dict_tracebacks_are_masked_as_json() -> None:
    log = structlogger(structlog.processors.JSONRenderer(), [structlog.processors.dict_tracebacks])
    doc = json.loads(structlog_exception(log, raise_it, EMAIL))
    (stack,) = doc["exception"]
    assert stack["exc_type"] == "ValueError"
    assert stack["exc_value"] == "failed [REDACTED:EMAIL]"
    assert any(frame["name"] == "raise_it" and frame["lineno"] > 0 for frame in stack["frames"])


def test_structlog_sensitive_keys_and_values() -> None:
    log = structlogger(structlog.processors.JSONRenderer())
    doc = json.loads(
        log.info(
            f"login {EMAIL}",
            password="hunter2",
            card=4111111111111111,
            count=3,
            tags=(EMAIL, 1),
            headers={"Authorization": "Bearer abc123XYZtoken"},
            who=Shown(EMAIL),
        )
    )
    assert doc["event"] == "login [REDACTED:EMAIL]"
    assert doc["password"] == "[REDACTED:SECRET]"
    assert doc["card"] == "[REDACTED:CREDIT_CARD]"
    assert doc["count"] == 3
    assert doc["tags"] == ["[REDACTED:EMAIL]", 1]
    assert doc["headers"]["Authorization"].startswith("[REDACTED:")
    assert doc["who"] == "Shown([REDACTED:EMAIL])"  # the repr, as the renderers show it


def test_structlog_keys_that_mask_alike_are_all_kept() -> None:
    log = structlogger(structlog.processors.JSONRenderer())
    doc = json.loads(log.info("m", **{EMAIL: 1, "carol@example.net": 2}))
    assert (doc["[REDACTED:EMAIL]"], doc["[REDACTED:EMAIL]#2"]) == (1, 2)
    assert EMAIL not in json.dumps(doc)


def test_structlog_positional_arguments_stay_a_tuple() -> None:
    # structlog.stdlib.BoundLogger keeps positional arguments apart (the native loggers
    # apply them before any processor), so they are masked before they are applied.
    log = structlog.wrap_logger(
        structlog.ReturnLogger(),
        wrapper_class=structlog.stdlib.BoundLogger,
        processors=[
            MaskingProcessor(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.KeyValueRenderer(),
        ],
    )
    written = log.info("user %s / %r", EMAIL, f"x {EMAIL}")
    assert "event=\"user [REDACTED:EMAIL] / 'x [REDACTED:EMAIL]'\"" in written
    assert EMAIL not in written


def test_structlog_processor_formatter_with_stdlib_records() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                MaskingProcessor(),
                structlog.processors.JSONRenderer(),
            ],
            foreign_pre_chain=[structlog.processors.add_log_level],
        )
    )
    log = logging.getLogger("coresdk-test-processor-formatter")
    log.propagate = False
    log.addHandler(handler)
    try:
        try:
            raise_it(EMAIL)
        except ValueError:
            log.exception("user %s", EMAIL)
        log.warning("mail %s", EMAIL, stack_info=True)
    finally:
        log.removeHandler(handler)
    first, second = map(json.loads, stream.getvalue().splitlines())
    assert (first["event"], first["level"]) == ("user [REDACTED:EMAIL]", "error")
    assert first["exception"].startswith("Traceback (most recent call last):\n")
    assert first["exception"].endswith("ValueError: failed [REDACTED:EMAIL]")
    assert FRAME.findall(first["exception"])[-1] == "raise_it"
    assert second["event"] == "mail [REDACTED:EMAIL]"
    # The record's own stack, ending at the logging call.
    assert (
        FRAME.findall(second["stack"])[-1]
        == "test_structlog_processor_formatter_with_stdlib_records"
    )
    assert EMAIL not in stream.getvalue()


def test_structlog_log_record_under_record_is_masked() -> None:
    record = make_record("user %s", (EMAIL,))
    out = MaskingProcessor()(None, "info", {"event": "x", "_record": record})
    assert out["_record"] is record and record.msg == "user [REDACTED:EMAIL]"


def test_structlog_is_optional() -> None:
    code = (
        "import sys; sys.modules['structlog'] = None\n"
        "import coresdk, coresdk.logging\n"
        "out = coresdk.logging.MaskingProcessor()(None, 'info', {'event': 'bob@example.com'})\n"
        "assert out == {'event': '[REDACTED:EMAIL]'}, out\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@dataclasses.dataclass
class Holder:
    text: str


def raise_key_error(text: str) -> None:
    raise KeyError(text)  # str(KeyError) is the repr of its argument


def log_repr_gap(how: str, text: str) -> str:
    if how == "dataclass %r":
        return write(TextFormatter(), lambda log: log.warning("held %r", Holder(text)))
    if how == "KeyError":
        return write(TextFormatter(), logged_exception, raise_key_error, text)
    log = structlogger(structlog.processors.JSONRenderer(), [structlog.processors.dict_tracebacks])
    return structlog_exception(log, raise_it, text)


@pytest.mark.parametrize("how", ["dataclass %r", "KeyError", "dict_tracebacks locals"])
def test_text_escaped_by_a_repr_outside_the_filter(how: str) -> None:
    ((_, text, secrets),) = [case for case in CASES if case[0] == REPR_GAP]
    assert not leaks(log_repr_gap(how, text), secrets)
