"""coresdk.Masker: text, values, JSON, findings, strategies, argument errors, size."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from codes import raises
from coresdk import Finding, InvalidInputError, Masker
from hypothesis import given, settings
from hypothesis import strategies as st
from mask_fixtures import fixture_texts

EMAIL = "[REDACTED:EMAIL]"
PSEUDONYM = re.compile(r"\[EMAIL:[0-9a-f]{16}\]")


@pytest.fixture
def masker() -> Masker:
    return Masker()


def nested_list(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth - 1):
        value = [value]
    return value


# --- text ------------------------------------------------------------------------------


def test_mask_text(masker: Masker) -> None:
    assert masker.mask_text("user bob@example.com logged in") == f"user {EMAIL} logged in"
    assert masker.mask_text("") == ""
    assert masker.mask_text("nothing to see") == "nothing to see"


def test_mask_text_takes_utf8_bytes_and_returns_str(masker: Masker) -> None:
    assert masker.mask_text("héllo bob@example.com".encode()) == f"héllo {EMAIL}"


def test_mask_text_rejects_invalid_utf8_bytes(masker: Masker) -> None:
    with raises("INVALID_ARGUMENT") as info:
        masker.mask_text(b"bob@example.com \xff\xfe")
    assert isinstance(info.value, ValueError)


def test_mask_text_rejects_lone_surrogates(masker: Masker) -> None:
    with raises("INVALID_ARGUMENT"):
        masker.mask_text("bob@example.com \ud800")


def test_mask_text_rejects_non_text(masker: Masker) -> None:
    for bad in (None, 42, ["a"], {"a": 1}):
        with raises("INVALID_ARGUMENT"):
            masker.mask_text(bad)  # type: ignore[arg-type]


def test_a_100_mb_string_is_masked_correctly(masker: Masker) -> None:
    half = "lorem ipsum dolor sit amet é " * (50 * 1024 * 1024 // 30)
    text = f"bob@example.com {half}mid@example.com {half}end@example.com"
    assert len(text.encode()) > 100 * 1024 * 1024
    masked = masker.mask_text(text)
    assert masked == f"{EMAIL} {half}{EMAIL} {half}{EMAIL}"
    assert masker.mask_text(text.encode()) == masked


def test_a_hundred_thousand_findings_in_one_text_are_all_masked(masker: Masker) -> None:
    text = "".join(f"u{i}@example.com " for i in range(100_000))
    assert len(masker.scan(text)) == 100_000
    assert masker.mask_text(text) == f"{EMAIL} " * 100_000


def test_custom_patterns_pathological_linear_and_unusable_refused() -> None:
    def custom(pattern: str) -> Masker:
        return Masker(custom_detectors=[{"type": "EMPLOYEE_ID", "pattern": pattern}])

    text = "a" * 200_000
    assert custom("(a|aa)+b").mask_text(text) == text
    assert custom(r"\b").mask_text("café latte é ") == "café latte é "
    for bad in ["(?=x)x", r"(a)\1", "(", "a{1000}{1000}{1000}", "x*"]:
        with raises("INVALID_ARGUMENT"):
            custom(bad)


# --- scan ------------------------------------------------------------------------------


def test_scan_reports_utf8_and_utf16_offsets(masker: Masker) -> None:
    text = "é😀 bob@example.com"
    (finding,) = masker.scan(text)
    assert finding == Finding(type="EMAIL", start=7, end=22, start_utf16=4, end_utf16=19)
    assert text.encode()[finding.start : finding.end] == b"bob@example.com"
    utf16 = text.encode("utf-16-le")
    assert (
        utf16[2 * finding.start_utf16 : 2 * finding.end_utf16].decode("utf-16-le")
        == "bob@example.com"
    )
    assert masker.scan(text.encode()) == [finding]
    with pytest.raises(AttributeError):  # frozen: defined once in Rust, read-only here
        finding.start = 0  # type: ignore[misc]
    assert hash(finding) == hash(Finding("EMAIL", 7, 22, 4, 19))
    assert repr(finding) == ('Finding(type="EMAIL", start=7, end=22, start_utf16=4, end_utf16=19)')


def test_scan_never_returns_the_value(masker: Masker) -> None:
    (finding,) = masker.scan("bob@example.com")
    assert "bob" not in repr(finding)


def test_scan_rejects_invalid_utf8(masker: Masker) -> None:
    with raises("INVALID_ARGUMENT"):
        masker.scan(b"\xc3")


# --- values and JSON -------------------------------------------------------------------


def test_mask_value_keeps_keys_and_masks_strings(masker: Masker) -> None:
    value = {"user": "bob@example.com", "n": 1, "ok": True, "none": None, "list": ["x", "a@b.io"]}
    assert masker.mask_value(value) == {
        "user": EMAIL,
        "n": 1,
        "ok": True,
        "none": None,
        "list": ["x", EMAIL],
    }
    assert value["user"] == "bob@example.com"  # the argument is untouched
    assert masker.mask_value("bob@example.com") == EMAIL
    assert masker.mask_value(3.5) == 3.5
    assert masker.mask_value((1, "x")) == [1, "x"]


def test_mask_value_masks_sensitive_keys_whatever_they_hold() -> None:
    masker = Masker(sensitive_keys=(k for k in ["customerRef"]))  # any iterable
    masked = masker.mask_value({"customer_ref": "abc-123", "password": "hunter2", "note": "hi"})
    assert masked["note"] == "hi"
    assert masked["customer_ref"] != "abc-123"
    assert masked["password"] != "hunter2"


def test_mask_value_errors(masker: Masker) -> None:
    with raises("LIMIT_EXCEEDED"):
        masker.mask_value(nested_list(100_000))
    with raises("LIMIT_EXCEEDED"):
        masker.mask_value(nested_list(200))
    with raises("INVALID_ARGUMENT"):
        masker.mask_value({"x": float("inf")})
    with raises("INVALID_ARGUMENT"):
        masker.mask_value({"x": {1, 2}})


def test_mask_json(masker: Masker) -> None:
    text = '{"b": "bob@example.com", "a": [1, 2.5, null]}'
    out = masker.mask_json(text)
    assert out == '{"b":"[REDACTED:EMAIL]","a":[1,2.5,null]}'  # compact, key order kept
    assert masker.mask_json(text.encode()) == out


def test_mask_json_errors(masker: Masker) -> None:
    with raises("INVALID_JSON"):
        masker.mask_json('{"a": ')
    with raises("INVALID_JSON"):
        masker.mask_json(b'{"a": "\xff"}')
    depth = 100_000
    with raises("LIMIT_EXCEEDED"):
        masker.mask_json("[" * depth + "]" * depth)
    with raises("INVALID_ARGUMENT"):
        masker.mask_json({"a": 1})  # type: ignore[arg-type]


def test_mask_json_output_is_json(masker: Masker) -> None:
    doc = {"k": 'tab\there, quote " and bob@example.com ☃'}
    assert json.loads(masker.mask_json(json.dumps(doc))) == {
        "k": f'tab\there, quote " and {EMAIL} ☃'
    }


# --- strategies and options ------------------------------------------------------------


def test_pseudonymize_is_stable_keyed_and_not_reversible() -> None:
    a = Masker(strategy="pseudonymize", key="k1")
    text = "from bob@example.com to bob@example.com and eve@example.com"
    masked = a.mask_text(text)
    tokens = PSEUDONYM.findall(masked)
    assert len(tokens) == 3 and tokens[0] == tokens[1] != tokens[2]
    assert "bob" not in masked
    assert a.mask_text(text) == masked  # stable across calls
    assert (
        Masker(strategy="pseudonymize", key=b"k1").mask_text(text) == masked
    )  # str key = its UTF-8
    assert Masker(strategy="pseudonymize", key="k2").mask_text(text) != masked  # keyed


def test_pseudonymize_needs_a_key() -> None:
    with raises("INVALID_ARGUMENT"):
        Masker(strategy="pseudonymize")
    with raises("INVALID_ARGUMENT"):
        Masker(strategy="pseudonymize", key="")


def test_unknown_strategy_and_bad_options() -> None:
    with raises("INVALID_ARGUMENT"):
        Masker(strategy="shred")  # type: ignore[arg-type]
    with raises("INVALID_ARGUMENT"):
        Masker(sensitive_keys=[1])  # type: ignore[list-item]
    with raises("INVALID_ARGUMENT"):
        Masker(sensitive_keys="password")  # one str would be its characters
    with pytest.raises(InvalidInputError):
        Masker(key=42)  # type: ignore[arg-type]


def test_maskers_are_thread_safe(masker: Masker) -> None:
    texts = [f"user{i}@example.com wrote {i}" for i in range(200)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(masker.mask_text, texts))
    assert results == [f"{EMAIL} wrote {i}" for i in range(200)]


# --- properties ------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=6)
    | st.dictionaries(
        st.text() | st.sampled_from(["password", "token", "email"]), children, max_size=6
    ),
    max_leaves=40,
)
# Text likely to hold findings: generated words mixed with e-mail addresses.
emails = st.from_regex(r"[a-z0-9._%+-]{1,12}@[a-z0-9-]{1,10}\.[a-z]{2,6}", fullmatch=True)
texts = st.lists(st.text(max_size=20) | emails, max_size=8).map(" ".join)


def masked_keys(keys: Iterable[str]) -> list[str]:
    """The keys of a masked object: each key masked as text (a key can hold PII, such as
    `0::`, an IPv6 address), a repeat made unique with `#2`, `#3`, ... (docs/MASKING.md)."""
    masker, written = Masker(), []
    for key in keys:
        masked = masker.mask_text(key)
        n = 2
        unique = masked
        while unique in written:
            unique, n = f"{masked}#{n}", n + 1
        written.append(unique)
    return written


def assert_same_keys(original: Any, masked: Any) -> None:
    """Containers keep their entries (in order, keys masked as text) and lengths; a scalar
    may replace anything (the value of a sensitive key is masked whatever it holds)."""
    if isinstance(masked, dict):
        assert isinstance(original, dict) and list(masked) == masked_keys(original)
        for o, m in zip(original.values(), masked.values()):
            assert_same_keys(o, m)
    elif isinstance(masked, list):
        assert isinstance(original, list) and len(masked) == len(original)
        for o, m in zip(original, masked):
            assert_same_keys(o, m)


@settings(deadline=None)  # debug builds (maturin develop) are slow
@given(st.dictionaries(st.text() | st.sampled_from(["password", "token", "email"]), json_values))
def test_mask_value_is_json_with_the_same_keys(value: dict[str, Any]) -> None:
    masked = Masker().mask_value(value)
    json.dumps(masked, allow_nan=False)  # valid JSON
    assert isinstance(masked, dict)
    assert_same_keys(value, masked)


@settings(deadline=None)
@given(texts)
def test_findings_are_ordered_and_their_offsets_agree(text: str) -> None:
    masker = Masker()
    findings = masker.scan(text)
    utf8 = text.encode("utf-8")
    previous_end = 0
    for f in findings:
        assert previous_end <= f.start < f.end <= len(utf8)
        previous_end = f.end
        before = utf8[: f.start].decode("utf-8")  # a finding starts on a character boundary
        span = utf8[f.start : f.end].decode("utf-8")
        assert f.start_utf16 == len(before.encode("utf-16-le")) // 2
        assert f.end_utf16 - f.start_utf16 == len(span.encode("utf-16-le")) // 2
    assert masker.scan(utf8) == findings
    assert masker.mask_text(utf8) == masker.mask_text(text)


BATCH = Masker(strategy="pseudonymize", key=b"batch-key")


def test_mask_texts_masks_every_fixture_as_mask_text_one_by_one() -> None:
    texts = fixture_texts()
    assert len(texts) > 100
    batch = BATCH.mask_texts(texts)
    assert batch == [BATCH.mask_text(t) for t in texts]
    assert sum(out != text for out, text in zip(batch, texts, strict=True)) > 100


def test_mask_texts_takes_str_bytes_and_any_iterable_in_order() -> None:
    lines = ["a@example.com", b"to carol@example.org", bytearray(b"clean")]
    assert BATCH.mask_texts(lines) == [
        BATCH.mask_text("a@example.com"),
        BATCH.mask_text("to carol@example.org"),
        "clean",
    ]
    assert BATCH.mask_texts(iter(("x@example.com",))) == [BATCH.mask_text("x@example.com")]
    assert BATCH.mask_texts([]) == []


@pytest.mark.parametrize(
    ("texts", "where"),
    [
        (["ok", "lone \ud800 surrogate"], "texts[1]"),
        (["ok", "ok", b"a\xff"], "texts[2]"),
        (["ok", 42], "texts[1]"),
        ("one string", ""),
        (b"one bytes", ""),
        (None, ""),
    ],
)
def test_mask_texts_refuses_a_bad_item_and_masks_nothing(texts: Any, where: str) -> None:
    with raises("INVALID_ARGUMENT") as error:
        BATCH.mask_texts(texts)
    assert where in str(error.value)
