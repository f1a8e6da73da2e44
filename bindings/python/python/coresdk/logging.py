"""Masking for Python logs: :class:`MaskingFilter` for the standard library's
:mod:`logging` and :class:`MaskingProcessor` for structlog.

Both only route values to a :class:`~coresdk.Masker`; every detection decision is the
masker's. The rule for a value:

- ``str``: :meth:`~coresdk.Masker.mask_text`.
- Anything else goes through :meth:`~coresdk.Masker.mask_value` as one JSON tree, so a
  sensitive key (``password``, ``token``, ...) masks its value whatever it holds and a
  card-number integer becomes its token. Before that the tree is made JSON-like: tuples
  and sets become arrays (and come back as a ``tuple`` / ``set`` afterwards), ``bytes``
  become their UTF-8 text (or their ``repr`` if they are not UTF-8), a non-``str`` dict
  key becomes ``str(key)``, NaN, infinities and integers beyond 64 bits become their
  text, and any other object becomes the text the logger would show for it: ``str()``
  for a top-level :mod:`logging` ``extra`` field (what ``%(field)s`` shows), ``repr()``
  inside a container and in structlog (what its renderers show). Dict keys and field
  names are masked as text by the core too (a key holding PII is replaced by its token;
  two that mask alike stay two, the later with ``#2`` appended).
- Exceptions and stacks are rendered to the text a formatter would write (the traceback,
  its chained causes and contexts, notes), and that text is masked.

A value that cannot be masked (a cycle, nesting deeper than 127 levels, a lone surrogate,
a ``__str__`` that raises) is replaced by ``"[masking failed: <code>]"``, with the
:class:`~coresdk.CoreSdkError` code or the name of the exception raised: it is never
written unmasked.

structlog is optional: nothing here imports it.
"""

from __future__ import annotations

import logging
import math
import sys
import traceback
from collections.abc import Mapping, MutableMapping
from typing import Any, Callable

from .errors import CoreSdkError
from .mask import Masker

__all__ = ["MaskingFilter", "MaskingProcessor"]

# The core's nesting limit (json::MAX_DEPTH); deeper values fail with LIMIT_EXCEEDED.
_MAX_DEPTH = 127
# Masked dict keys are remembered (keys repeat across records); the cache is cleared
# when it reaches this size.
_KEY_CACHE_SIZE = 4096
# Values masked as a whole: text, bytes and containers (numbers and other objects in
# logging arguments are left to the text pass over the formatted message).
_DATA = (str, bytes, bytearray, Mapping, list, tuple, set, frozenset)

Leaf = Callable[[Any], str]


class _Unmaskable(Exception):
    """A value the router refuses before the core sees it (a cycle, too deep)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _failed(error: Exception) -> str:
    """The placeholder written instead of a value that could not be masked."""
    code = error.code if isinstance(error, (CoreSdkError, _Unmaskable)) else None
    return f"[masking failed: {code or type(error).__name__}]"


class _Items(list[Any]):
    """A set or frozenset on its way through the masker as a JSON array."""

    __slots__ = ("kind",)

    def __init__(self, kind: type, items: list[Any]) -> None:
        super().__init__(items)
        self.kind = kind


def _restore(tree: Any, masked: Any) -> Any:
    """``masked`` with the tuples and sets of ``tree`` (what went to the core) back."""
    if isinstance(tree, list) and isinstance(masked, list):
        items = (
            [_restore(t, m) for t, m in zip(tree, masked)] if len(tree) == len(masked) else masked
        )
        if isinstance(tree, _Items):
            try:
                return tree.kind(items)
            except TypeError:  # an element became unhashable
                return items
        return items
    if isinstance(tree, tuple) and isinstance(masked, list):
        if len(tree) != len(masked):
            return tuple(masked)
        return tuple(_restore(t, m) for t, m in zip(tree, masked))
    if isinstance(tree, dict) and isinstance(masked, dict):
        # The core masks keys (and keeps them unique), so entries pair up by position; by
        # key only when the remove strategy dropped some.
        if len(tree) == len(masked):
            return {k: _restore(t, v) for t, (k, v) in zip(tree.values(), masked.items())}
        return {k: _restore(tree[k], v) if k in tree else v for k, v in masked.items()}
    return masked


def _format_exception(exc_info: Any) -> str:
    """The traceback text ``logging.Formatter.formatException`` (and structlog's
    ``format_exc_info``) write: frames, chained causes and contexts, notes."""
    text = "".join(traceback.format_exception(exc_info[0], exc_info[1], exc_info[2]))
    return text[:-1] if text.endswith("\n") else text


class _Router:
    """Sends host values to one masker: text to ``mask_text``, the rest to ``mask_value``."""

    __slots__ = ("_keys", "masker")

    def __init__(self, masker: Masker | None) -> None:
        self.masker = masker or Masker()
        self._keys: dict[str, str] = {}

    def text(self, text: str) -> str:
        return self.masker.mask_text(text)

    def key(self, key: object) -> str:
        """A dict key as masked text: a ``str`` key masked as text (remembered: keys
        repeat), any other key masked as a value, then ``str()`` of that."""
        if not isinstance(key, str):
            return str(self.value(key, str))
        masked = self._keys.get(key)
        if masked is None:
            masked = self.masker.mask_text(key)
            if len(self._keys) >= _KEY_CACHE_SIZE:
                self._keys.clear()
            self._keys[key] = masked
        return masked

    def value(self, value: Any, leaf: Leaf) -> Any:
        """One value, masked; ``leaf`` renders it if it is neither JSON nor a container.
        ``str`` stays ``str`` and UTF-8 ``bytes`` stay ``bytes``."""
        if isinstance(value, str):
            return self.masker.mask_text(value)
        if isinstance(value, (bytes, bytearray)):
            try:
                return self.masker.mask_text(bytes(value)).encode()
            except CoreSdkError:  # not UTF-8: its repr, as text
                return self.masker.mask_text(repr(value))
        tree = self._plain(value, leaf, 0, set())
        return _restore(tree, self.masker.mask_value(tree))

    def fields(self, fields: Mapping[str, Any], leaf: Leaf, *, keys: bool = True) -> dict[str, Any]:
        """Named fields (``extra``, a structlog event dict, mapping arguments) masked as
        one JSON object, so sensitive field names count; each value is rendered with
        ``leaf`` if it is not JSON. ``keys=False`` keeps the field names as they are.
        If the whole fails, each field is masked alone and a failing one is replaced by
        the placeholder."""
        try:
            return self._fields(fields, leaf, keys)
        except Exception:  # noqa: BLE001 - one field's failure must not lose the others
            out: dict[str, Any] = {}
            for name, value in fields.items():
                try:
                    out.update(self._fields({name: value}, leaf, keys))
                except Exception as e:  # noqa: BLE001 - replaced, never written unmasked
                    out[self.key(name) if keys else name] = _failed(e)
            return out

    def _fields(self, fields: Mapping[str, Any], leaf: Leaf, keys: bool) -> dict[str, Any]:
        seen: set[int] = set()
        tree = {k: self._plain(v, leaf, 1, seen) for k, v in fields.items()}
        masked: dict[str, Any] = _restore(tree, self.masker.mask_value(tree))
        if not keys and len(masked) == len(tree):  # the names as given, by position
            return dict(zip(tree, masked.values()))
        return masked

    def _plain(self, value: Any, leaf: Leaf, depth: int, seen: set[int]) -> Any:
        """``value`` as a JSON-like tree for ``mask_value`` (keys as text; the core masks
        them)."""
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            return value if -(2**63) <= value < 2**64 else str(value)
        if isinstance(value, float):
            return value if math.isfinite(value) else repr(value)
        if isinstance(value, (bytes, bytearray)):
            try:
                return bytes(value).decode()
            except UnicodeDecodeError:
                return repr(value)
        if not isinstance(value, (Mapping, list, tuple, set, frozenset)):
            return leaf(value)
        if depth >= _MAX_DEPTH:
            raise _Unmaskable("LIMIT_EXCEEDED")
        if id(value) in seen:
            raise _Unmaskable("INVALID_ARGUMENT")  # a cycle, as for mask_value
        seen.add(id(value))
        try:
            if isinstance(value, Mapping):
                # Keys go to the core as text, which masks them and keeps them unique.
                return {
                    k if isinstance(k, str) else str(k): self._plain(v, repr, depth + 1, seen)
                    for k, v in value.items()
                }
            items = [self._plain(v, repr, depth + 1, seen) for v in value]
            if isinstance(value, tuple):
                return tuple(items)
            if isinstance(value, (set, frozenset)):
                return _Items(type(value), items)
            return items
        finally:
            seen.discard(id(value))


class MaskingFilter(logging.Filter):
    """A :class:`logging.Filter` that masks each record in place before any handler
    writes it. Attach it to every handler (``handler.addFilter(MaskingFilter())``) so
    records from every logger are covered; a handler without it writes what it gets.

    What it masks (see docs/MASKING.md, "Logs"):

    - the message: ``str`` arguments, ``bytes`` and containers (and the values of a
      mapping argument, ``%(name)s``) are masked first as values, so ``%r`` shows masked
      text, then ``msg % args`` is formatted and the whole message masked as text (which
      also covers numbers and objects as ``%s`` / ``%r`` / ``%d`` rendered them). The
      record keeps it as ``msg`` with ``args`` cleared.
    - the exception (``exc_info``, ``log.exception``): rendered as
      ``Formatter.formatException`` renders it, masked, and stored in ``exc_text`` with
      ``exc_info`` cleared, so a formatter writes the masked traceback (type, frames,
      chained exceptions and notes kept). An ``exc_text`` an earlier formatter cached is
      masked too.
    - ``stack_info`` (``stack_info=True``), as text.
    - every ``extra`` field, as one JSON object (so ``extra={"password": ...}`` is
      replaced); see the module docs for non-JSON values.

    A part that cannot be masked is replaced by ``"[masking failed: <code>]"``; a message
    whose arguments do not fit its format keeps the masked format string and says so.
    The record's own fields (logger name, path, function, thread and process names) are
    code identifiers and are left as they are.
    """

    _STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
        "message",
        "asctime",
    }

    def __init__(self, masker: Masker | None = None) -> None:
        super().__init__()
        self._router = _Router(masker)

    def filter(self, record: logging.LogRecord) -> bool:
        """Masks ``record`` in place; always keeps it (returns True)."""
        self._mask_message(record)
        self._mask_exception(record)
        self._mask_stack(record)
        self._mask_extra(record)
        return True

    def _mask_message(self, record: logging.LogRecord) -> None:
        try:
            masked = self._router.text(self._render(record))
        except Exception as e:  # noqa: BLE001 - replaced, never written unmasked
            masked = _failed(e)
        record.msg, record.args = masked, None
        if "message" in vars(record):  # set by a formatter that ran before
            record.message = masked

    def _render(self, record: logging.LogRecord) -> str:
        """``LogRecord.getMessage`` over masked arguments."""
        msg = record.msg
        template = msg if isinstance(msg, str) else str(self._router.value(msg, str))
        args = record.args
        if not args:
            return template
        if isinstance(args, Mapping):
            data = {k: v for k, v in args.items() if isinstance(v, _DATA)}
            masked = self._router.fields(data, str, keys=False) if data else {}
            # A value the "remove" strategy dropped is formatted as "".
            routed: Any = {**args, **dict.fromkeys(data, ""), **masked}
        elif isinstance(args, tuple):
            routed = tuple(self._router.value(a, str) if isinstance(a, _DATA) else a for a in args)
        else:
            routed = self._router.value(args, str) if isinstance(args, _DATA) else args
        try:
            text: str = template % routed
        except (TypeError, ValueError, KeyError) as e:
            return f"{template} [log arguments did not format: {type(e).__name__}]"
        return text

    def _mask_exception(self, record: logging.LogRecord) -> None:
        if not (record.exc_info or record.exc_text):
            return
        try:
            masked = self._router.text(record.exc_text or _format_exception(record.exc_info))
        except Exception as e:  # noqa: BLE001 - replaced, never written unmasked
            masked = _failed(e)
        record.exc_text, record.exc_info = masked, None

    def _mask_stack(self, record: logging.LogRecord) -> None:
        if not record.stack_info:
            return
        try:
            record.stack_info = self._router.text(str(record.stack_info))
        except Exception as e:  # noqa: BLE001 - replaced, never written unmasked
            record.stack_info = _failed(e)

    def _mask_extra(self, record: logging.LogRecord) -> None:
        extra = {k: v for k, v in vars(record).items() if k not in self._STANDARD}
        if not extra:
            return
        masked = self._router.fields(extra, str)
        if len(masked) == len(extra):  # entries in order; names masked and unique
            pairs = list(zip(extra, masked.items()))
        else:  # the "remove" strategy dropped some: kept as "" so formats still work
            pairs = [(n, (k, masked.get(k, ""))) for n in extra for k in [self._router.key(n)]]
        # Every renamed field is removed before any is set: a masked name may equal the
        # name of another field that is itself renamed.
        for name, (key, _value) in pairs:
            if key != name:  # a field name holding PII
                delattr(record, name)
        for _, (key, value) in pairs:
            setattr(record, key, value)


def _exc_info(value: Any) -> Any:
    """An ``exc_info`` tuple from a structlog ``exc_info`` value, or None (structlog's
    rules: an exception, a 3-tuple, or anything true for the current exception)."""
    if isinstance(value, BaseException):
        return (type(value), value, value.__traceback__)
    if (
        isinstance(value, tuple)
        and len(value) == 3
        and isinstance(value[0], type)
        and issubclass(value[0], BaseException)
        and isinstance(value[1], BaseException)
    ):
        return value
    if value:
        current = sys.exc_info()
        return None if current[0] is None else current
    return None


def _format_stack() -> str:
    """The stack from the first frame outside structlog and this module, as structlog's
    ``StackInfoRenderer`` (and ``logging``'s ``stack_info``) render it."""
    frame = sys._getframe(1)
    while frame.f_back is not None and str(frame.f_globals.get("__name__", "")).startswith(
        ("structlog", __name__)
    ):
        frame = frame.f_back
    text = "Stack (most recent call last):\n" + "".join(traceback.format_stack(frame))
    return text[:-1] if text.endswith("\n") else text


class MaskingProcessor:
    """A structlog processor that masks the whole event dict. Place it after every
    processor that adds or reshapes data and right before the renderer; anything added
    after it is not masked (``structlog.stdlib.PositionalArgumentsFormatter`` may follow
    it: it only combines values already masked)::

        structlog.configure(processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,  # optional, or dict_tracebacks
            coresdk.logging.MaskingProcessor(),
            structlog.processors.JSONRenderer(),  # or ConsoleRenderer, KeyValueRenderer
        ])

    - ``exc_info`` still in the dict (no ``format_exc_info`` before it) is rendered as
      ``format_exc_info`` renders it, into ``exception`` (so a ``ConsoleRenderer`` prints
      that masked text instead of formatting the exception itself); an ``exception``
      already rendered (a string from ``format_exc_info``, the frame dicts of
      ``dict_tracebacks``) is masked like any value.
    - ``stack_info=True`` is rendered into ``stack`` as ``StackInfoRenderer`` does (a
      ``stack_info`` string, a LogRecord's, is kept as the stack); a ``stack`` already
      rendered is masked.
    - Every other key, ``event`` included, is masked with the event dict as one JSON
      object (sensitive keys such as ``password`` replaced; non-JSON values as their
      ``repr``, what the renderers show).
    - A ``logging.LogRecord`` under ``_record`` (``structlog.stdlib.ProcessorFormatter``)
      is masked in place as :class:`MaskingFilter` does and kept. With
      ``ProcessorFormatter``, put this processor last in its ``processors`` and give that
      handler no :class:`MaskingFilter`: the filter moves the exception to ``exc_text``,
      which ``ProcessorFormatter`` drops.

    structlog's native loggers apply positional arguments (``log.info("%s", x)``) before
    any processor runs, so those reach it as formatted text; pass values as key-value
    pairs instead. Returns a new dict; structlog need not be installed to import it.
    """

    def __init__(self, masker: Masker | None = None) -> None:
        self._router = _Router(masker)
        self._filter = MaskingFilter(self._router.masker)

    def __call__(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> dict[str, Any]:
        """Masks ``event_dict`` (structlog's processor signature)."""
        event = dict(event_dict)
        exc_info = _exc_info(event.pop("exc_info", None))
        if exc_info is not None:
            event["exception"] = _format_exception(exc_info)
        stack_info = event.pop("stack_info", None)
        if stack_info:  # a stack already rendered (a LogRecord's, via ProcessorFormatter) is kept
            event["stack"] = stack_info if isinstance(stack_info, str) else _format_stack()
        record = event.get("_record")
        if isinstance(record, logging.LogRecord):
            del event["_record"]
            self._filter.filter(record)
        masked = self._router.fields(event, repr)
        if isinstance(record, logging.LogRecord):
            masked["_record"] = record
        return masked
