"""The tokenize strategy from Python: typed, deterministic tokens that unmask for a holder
of the key; rotation; tampered tokens fail with INTEGRITY; a missing key is
KEY_UNAVAILABLE."""

from __future__ import annotations

import re

import pytest
from coresdk import CoreSdkError, Masker, unmask_text, unmask_value

TEXT = "mail bob@example.com, card 4111 1111 1111 1111, again bob@example.com"
K1 = Masker(strategy="tokenize", key="secret-one", key_id="k1")


def code_of(call) -> str | None:  # type: ignore[no-untyped-def]
    try:
        call()
    except CoreSdkError as e:
        return e.code
    return None


def test_typed_deterministic_tokens_unmask_with_the_key() -> None:
    masked = K1.mask_text(TEXT)
    assert re.match(r"mail \[EMAIL:tok:k1:[0-9a-f]{62}\], card \[CREDIT_CARD:tok:k1:", masked)
    tokens = re.findall(r"\[EMAIL:tok:k1:[0-9a-f]+\]", masked)
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    assert K1.mask_text(masked) == masked
    assert unmask_text(masked, {"k1": "secret-one"}) == TEXT
    assert unmask_text(masked, {"k1": b"secret-one"}) == TEXT


def test_a_str_key_is_its_utf8_bytes() -> None:
    assert K1.mask_text("bob@example.com") == Masker(
        strategy="tokenize", key=b"secret-one", key_id="k1"
    ).mask_text("bob@example.com")


def test_json_values_round_trip_with_per_type_keys() -> None:
    value = {"user": "bob@example.com", "password": "hunter2"}
    masker = Masker(
        strategy="tokenize",
        key="secret-one",
        key_id="k1",
        strategies={"SECRET": {"strategy": "tokenize", "key": "secret-two", "key_id": "k2"}},
    )
    masked = masker.mask_value(value)
    assert masked["user"].startswith("[EMAIL:tok:k1:")
    assert masked["password"].startswith("[SECRET:tok:k2:")
    assert unmask_value(masked, {"k1": "secret-one", "k2": "secret-two"}) == value
    assert code_of(lambda: unmask_value(masked, {"k1": "secret-one"})) == "KEY_UNAVAILABLE"


def test_changed_moved_or_foreign_tokens_fail_with_integrity() -> None:
    token = K1.mask_text("bob@example.com")
    flipped = token[:-2] + ("1" if token[-2] == "0" else "0") + "]"
    assert code_of(lambda: unmask_text(flipped, {"k1": "secret-one"})) == "INTEGRITY"
    moved = token.replace("[EMAIL:", "[PHONE_NUMBER:")
    assert code_of(lambda: unmask_text(moved, {"k1": "secret-one"})) == "INTEGRITY"
    assert code_of(lambda: unmask_text(token, {"k1": "another-key"})) == "INTEGRITY"


@pytest.mark.parametrize(
    "kwargs",
    [{"strategy": "tokenize"}, {"strategy": "tokenize", "key": "k", "key_id": "bad-id"}],
)
def test_bad_keys_are_refused(kwargs: dict[str, str]) -> None:
    assert code_of(lambda: Masker(**kwargs)) == "INVALID_ARGUMENT"  # type: ignore[arg-type]


def test_keys_of_the_wrong_type_are_invalid_argument() -> None:
    for keys in ({"k1": 3}, {1: "x"}, ["k1"]):
        assert code_of(lambda k=keys: unmask_text("x", k)) == "INVALID_ARGUMENT"  # type: ignore[misc]
