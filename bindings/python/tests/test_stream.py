"""Streaming masking from Python: every mask fixture cut at every offset and at random
chunk sizes gives what one-shot ``mask_text`` gives; the generator and async generator
wrappers."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from coresdk import CoreSdkError, Masker, mask_stream, mask_stream_async
from mask_fixtures import fixture_texts

LINE = "2026-12-07T06:00:00Z INFO request served status=200 took=12ms\n"
PAD = LINE * 20  # more than the core's lookahead, so cuts happen around the fixture
MASKER = Masker()


TEXTS = fixture_texts()


def streamed(chunks: list[str] | list[bytes]) -> str:
    stream = MASKER.stream()
    return "".join(stream.push(c) for c in chunks) + stream.finish()


def test_fixtures_are_read() -> None:
    assert len(TEXTS) > 100


def test_every_fixture_cut_at_every_offset_masks_as_one_shot() -> None:
    for text in TEXTS:
        whole = f"{PAD}{text}\n{PAD}"
        expected = MASKER.mask_text(whole)
        for i in range(len(text) + 1):
            cut = len(PAD) + i
            assert streamed([whole[:cut], whole[cut:]]) == expected, (text, i)


def test_bytes_cut_inside_characters_mask_as_one_shot() -> None:
    for text in [t for t in TEXTS if not t.isascii()]:
        whole = f"{PAD}{text}\n{PAD}"
        data, expected = whole.encode(), MASKER.mask_text(whole)
        for i in range(0, len(data) + 1, 5):
            assert streamed([data[:i], data[i:]]) == expected, (text, i)


def test_random_chunk_sizes_mask_as_one_shot_and_write_as_they_go() -> None:
    whole = "".join(f"{t}\n" for t in TEXTS)
    expected = MASKER.mask_text(whole)
    rng = random.Random(7)
    for most in (3, 50, 400):
        stream, out, early, at = MASKER.stream(), [], 0, 0
        while at < len(whole):
            size = rng.randint(1, most)
            part = stream.push(whole[at : at + size])
            early += len(part)
            out.append(part)
            at += size
        out.append(stream.finish())
        assert "".join(out) == expected
        assert early > len(expected) / 2


def test_the_generator_wrappers_mask_as_one_shot() -> None:
    whole = f"{PAD}card 4111 1111 1111 1111 for bob@example.com\n{PAD}" * 4
    pieces = [whole[i : i + 13] for i in range(0, len(whole), 13)]
    expected = MASKER.mask_text(whole)
    assert "".join(mask_stream(pieces)) == expected
    assert all(mask_stream(pieces)), "never yields an empty string"

    async def source() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece.encode()

    async def collect() -> str:
        return "".join([part async for part in mask_stream_async(source(), MASKER)])

    assert asyncio.run(collect()) == expected


def test_bad_chunks_are_refused_with_invalid_argument() -> None:
    stream = MASKER.stream()
    for bad in (b"\xff", 42, "\ud800"):
        with pytest.raises(CoreSdkError) as caught:
            stream.push(bad)  # type: ignore[arg-type]
        assert caught.value.code == "INVALID_ARGUMENT", bad
    ended = MASKER.stream()
    ended.finish()
    with pytest.raises(CoreSdkError, match="finish"):
        ended.push("more")
    assert ended.finish() == ""
    cut = MASKER.stream()
    cut.push(b"\xc3")
    with pytest.raises(CoreSdkError) as caught:
        cut.finish()
    assert caught.value.code == "INVALID_ARGUMENT"
