"""Detection and masking of PII and secrets: :class:`Masker`, :class:`Finding`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from . import _json, _native
from ._native import Finding
from .errors import _error
from .stream import StreamMasker

__all__ = ["Finding", "Masker", "Strategy"]

#: How a detected value is replaced: ``"redact"`` gives ``[REDACTED:<TYPE>]``;
#: ``"pseudonymize"`` gives ``[<TYPE>:<16 hex>]``, a keyed HMAC-SHA256 pseudonym that is
#: stable and joinable across records but not reversible without the key; ``"partial"``
#: gives ``[REDACTED:<TYPE>:<last letters and digits>]``; ``"remove"`` deletes the value
#: (an entry under a sensitive JSON key is dropped).
Strategy = Literal["redact", "pseudonymize", "partial", "remove", "tokenize"]


class Masker:
    """A configured masker. Thread-safe; the GIL is released while the core scans.

    Args:
        strategy: ``"redact"`` (default), ``"pseudonymize"``, ``"partial"``, ``"remove"``
            or ``"tokenize"`` (``[EMAIL:tok:<key_id>:<hex>]``, the value encrypted with
            AES-SIV: deterministic and authenticated; :func:`unmask_text` restores it for
            a holder of the key): for every type without its own in ``strategies``.
        key: The key of ``"pseudonymize"`` and ``"tokenize"`` (required, non-empty); a
            ``str`` is used as its UTF-8 bytes. Pass key material from a secret store,
            never from plain config.
        key_id: For ``"tokenize"``: the id written in every token,
            ``[A-Za-z0-9_]{1,32}`` (default ``"default"``).
        sensitive_keys: Extra key names whose values are masked whatever they contain,
            matched like the built-in ones (``password``, ``token``, ...):
            case-insensitive, ignoring ``-``, ``_`` and ``.``; a name holding ``*`` is a
            glob (``"*_id"``, ``"x-*-key"``).
        keep: For ``"partial"``: letters and digits kept, 1 to 8 (default 4).
        strategies: Strategies by type label (``"CREDIT_CARD"``, ``"SECRET"`` for
            sensitive keys, a custom type): ``{"strategy": ..., "key": ..., "keep": ...}``;
            a ``"pseudonymize"`` without its own key uses ``key``.
        allow: Exact values never masked when a detector finds them.
        custom_detectors: Detectors to add: ``{"type": "EMPLOYEE_ID", "pattern":
            "EMP-[0-9]{6}", "validator": "luhn"}`` (``validator`` optional; Rust
            ``regex`` syntax, linear time; matches must be whole words).
        paths: Paths in pino / fast-redact syntax whose values are always masked:
            ``"user.email"``, ``"items[*].card"``, ``'headers["x-api-key"]'``,
            ``"*.password"``. ``*`` is one key or index; a path matches at its own
            depth only.

    Raises:
        CoreSdkError: ``INVALID_ARGUMENT`` for an unknown strategy, a missing or empty
            pseudonym key, ``keep`` outside 1 to 8, a bad type label, a custom
            pattern that does not compile, or a path that does not parse.
    """

    __slots__ = ("_native",)

    def __init__(
        self,
        *,
        strategy: Strategy = "redact",
        key: str | bytes | None = None,
        key_id: str | None = None,
        sensitive_keys: Iterable[str] = (),
        keep: int | None = None,
        strategies: Mapping[str, Mapping[str, Any]] | None = None,
        allow: Iterable[str] | None = None,
        custom_detectors: Iterable[Mapping[str, str]] | None = None,
        paths: Iterable[str] | None = None,
    ) -> None:
        config: dict[str, Any] = {}
        if key_id is not None:
            config["key_id"] = key_id
        if keep is not None:
            config["keep"] = keep
        if strategies is not None:
            config["strategies"] = {k: dict(v) for k, v in strategies.items()}
        if allow is not None:
            config["allow"] = list(allow)
        if custom_detectors is not None:
            config["custom_detectors"] = [dict(d) for d in custom_detectors]
        if paths is not None:
            config["paths"] = list(paths)
        config_json = _json.dumps(config) if config else None
        self._native = _native.Masker(strategy, key, sensitive_keys, config_json)

    def mask_text(self, text: str | bytes) -> str:
        """Returns ``text`` with every finding replaced per the strategy.

        Args:
            text: A ``str``, or ``bytes`` holding UTF-8 text.

        Raises:
            CoreSdkError: ``INVALID_ARGUMENT`` for bytes that are not UTF-8 or a ``str``
                with lone surrogates.
        """
        return self._native.mask_text(text)

    def mask_texts(self, texts: Iterable[str | bytes]) -> list[str]:
        """Masks a batch of texts (log lines, messages) in one call: the result is
        ``[self.mask_text(t) for t in texts]`` at a fraction of the per-call cost, with
        the GIL released while the core works.

        Raises:
            CoreSdkError: ``INVALID_ARGUMENT`` for a single ``str``/``bytes`` instead of
                a sequence, an item of another type, or an item that is not valid UTF-8
                (then nothing is masked).
        """
        return self._native.mask_texts(texts)

    def mask_value(self, value: Any) -> Any:
        """Masks a JSON-like value: every string value and key is masked as text (a key
        that masks to one already written gets ``#2``, ``#3``, ... appended), and the
        value of a sensitive key is masked whatever it holds. Returns a new value (the
        argument is not modified); tuples come back as lists.

        Raises:
            CoreSdkError: ``LIMIT_EXCEEDED`` for a value nested more than 127 levels,
                and the host-value codes of :func:`coresdk.canonicalize`
                (docs/HOST-VALUES.md).
        """
        return _json.loads(self._native.mask_json(_json.dumps(value)))

    def mask_json(self, json: str | bytes) -> str:
        """Parses a JSON document (``str`` or UTF-8 bytes), masks it as
        :meth:`mask_value` does and returns compact JSON text (key order kept).

        Raises:
            CoreSdkError: ``INVALID_JSON`` for text that does not parse,
                ``LIMIT_EXCEEDED`` for nesting deeper than 127 levels.
        """
        return self._native.mask_json(json)

    def stream(self) -> StreamMasker:
        """A masker for one stream of text chunks: the concatenated output equals
        :meth:`mask_text` of the whole stream (see :class:`~coresdk.stream.StreamMasker`)."""
        return StreamMasker(self._native.stream())

    def scan(self, text: str | bytes) -> list[Finding]:
        """Every sensitive value in ``text``, in order of position, without overlaps.

        Raises:
            CoreSdkError: As :meth:`mask_text`.
        """
        return self._native.scan(text)


def _key_lists(keys: Mapping[str, str | bytes]) -> tuple[list[str], list[bytes]]:
    if not isinstance(keys, Mapping):
        raise _error("INVALID_ARGUMENT", "keys maps key ids to keys (str or bytes)")
    ids, secrets = [], []
    for key_id, key in keys.items():
        if not isinstance(key_id, str) or not isinstance(key, (str, bytes)):
            raise _error("INVALID_ARGUMENT", "keys maps key ids (str) to keys (str or bytes)")
        ids.append(key_id)
        secrets.append(key.encode() if isinstance(key, str) else key)
    return ids, secrets


def unmask_text(text: str | bytes, keys: Mapping[str, str | bytes]) -> str:
    """``text`` with every token of the ``"tokenize"`` strategy replaced by the value it
    holds (other text, redacted values included, kept). ``keys`` maps key ids to keys (a
    ``str`` is used as its UTF-8 bytes).

    Raises:
        CoreSdkError: ``INTEGRITY`` for a token changed, moved to another type or key id,
            or made with another key; ``KEY_UNAVAILABLE`` for a token whose key id is not
            in ``keys``; ``INVALID_ARGUMENT`` for keys of the wrong types.
    """
    ids, secrets = _key_lists(keys)
    return _native.unmask_text(text, ids, secrets)


def unmask_value(value: Any, keys: Mapping[str, str | bytes]) -> Any:
    """As :func:`unmask_text`, for every string and key of a JSON-compatible value."""
    ids, secrets = _key_lists(keys)
    return _json.loads(_native.unmask_json(_json.dumps(value), ids, secrets))
