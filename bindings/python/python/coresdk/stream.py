"""Masking text that arrives in chunks (LLM token streams, HTTP bodies, log streams):
:class:`StreamMasker`, and the wrappers :func:`mask_stream` (an iterable of chunks) and
:func:`mask_stream_async` (an async iterable).

The concatenated output equals :meth:`Masker.mask_text` of the whole stream, however it is
cut into chunks; a value is never written in part across a chunk boundary. Only a bounded
tail is held back (the core's rules: docs/MASKING.md, "Streams").
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING

from . import _native
from .errors import _error

if TYPE_CHECKING:
    from .mask import Masker

__all__ = ["StreamMasker", "mask_stream", "mask_stream_async"]


class StreamMasker:
    """A masker for one stream of text chunks; get one from :meth:`Masker.stream`.

    ::

        stream = Masker().stream()
        for token in llm_tokens:
            print(stream.push(token), end="")
        print(stream.finish())
    """

    __slots__ = ("_decoder", "_native")

    def __init__(self, native: _native.StreamMasker) -> None:
        self._native = native
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")

    def push(self, chunk: str | bytes) -> str:
        """Takes the next chunk (``str``, or UTF-8 bytes that may end inside a character);
        returns the masked text that is now final, possibly ``""``.

        Raises:
            CoreSdkError: ``INVALID_ARGUMENT`` for bytes that are not UTF-8, a lone
                surrogate, a chunk of another type, or a chunk after :meth:`finish`.
        """
        if isinstance(chunk, (bytes, bytearray, memoryview)):
            chunk = self._decode(bytes(chunk), final=False)
        elif not isinstance(chunk, str):
            raise _error("INVALID_ARGUMENT", "a chunk must be str or bytes")
        return self._native.push(chunk)

    def finish(self) -> str:
        """Ends the stream and returns the masked rest of it; later calls return ``""``.

        Raises:
            CoreSdkError: ``INVALID_ARGUMENT`` when the bytes ended inside a character.
        """
        rest = self._decode(b"", final=True)
        head = self._native.push(rest) if rest else ""
        return head + self._native.finish()

    @property
    def held(self) -> int:
        """UTF-8 bytes received and not yet written."""
        return self._native.held

    def _decode(self, data: bytes, *, final: bool) -> str:
        try:
            return self._decoder.decode(data, final=final)
        except UnicodeDecodeError:
            raise _error("INVALID_ARGUMENT", "chunk is not valid UTF-8") from None


def _stream_of(masker: Masker | None) -> StreamMasker:
    if masker is None:
        from .mask import Masker

        masker = Masker()
    return masker.stream()


def mask_stream(chunks: Iterable[str | bytes], masker: Masker | None = None) -> Iterator[str]:
    """Masks an iterable of chunks, yielding masked text as it becomes final (never an
    empty string)."""
    stream = _stream_of(masker)
    for chunk in chunks:
        out = stream.push(chunk)
        if out:
            yield out
    out = stream.finish()
    if out:
        yield out


async def mask_stream_async(
    chunks: AsyncIterable[str | bytes], masker: Masker | None = None
) -> AsyncIterator[str]:
    """As :func:`mask_stream`, for an async iterable (each chunk is masked in
    microseconds on the loop's thread: the work per chunk is bounded)."""
    stream = _stream_of(masker)
    async for chunk in chunks:
        out = stream.push(chunk)
        if out:
            yield out
    out = stream.finish()
    if out:
        yield out
