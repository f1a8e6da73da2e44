"""coresdk.canonicalize / canonicalize_json / hash / hash_json (RFC 8785)."""

from __future__ import annotations

import enum
import hashlib
import json
from collections import OrderedDict
from typing import Any

import pytest
import rfc8785
from codes import raises
from coresdk import canonicalize, canonicalize_json, hash, hash_json
from hypothesis import given, settings
from hypothesis import strategies as st


def nested_list(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_canonical_form() -> None:
    assert canonicalize({"b": 1, "a": [1.0]}) == '{"a":[1],"b":1}'
    assert canonicalize_json('{"b":1,"a":[1.0]}') == '{"a":[1],"b":1}'
    assert canonicalize_json(b' { "b" : 1 , "a" : [ 1.0 ] } ') == '{"a":[1],"b":1}'


def test_hash_is_sha256_of_the_canonical_form() -> None:
    expected = sha256('{"a":[1],"b":1}')
    assert hash({"b": 1, "a": [1.0]}) == expected
    assert hash_json('{"a": [1], "b": 1}') == expected
    assert hash_json(b'{"a":[1.0],"b":1}') == expected


def test_rfc8785_section_3_2_2_example() -> None:
    text = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}'
    )
    assert canonicalize_json(text) == (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )


def test_keys_sort_by_utf16_code_units() -> None:
    # U+1F600 is D83D DE00 in UTF-16, before U+FB33; in UTF-8 and code points it is after.
    value = {"\ufb33": 1, "\U0001f600": 2, "a": 3}
    assert canonicalize(value) == '{"a":3,"\U0001f600":2,"\ufb33":1}'
    assert canonicalize(value) == rfc8785.dumps(value).decode()


def test_integers_beyond_2_53_round_to_the_nearest_double() -> None:
    # Documented behaviour: JCS numbers are IEEE doubles.
    assert canonicalize(2**53) == "9007199254740992"
    assert canonicalize(2**53 + 1) == "9007199254740992"
    assert canonicalize(2**53 + 3) == "9007199254740996"
    assert canonicalize(-(2**53) - 1) == "-9007199254740992"
    assert canonicalize(10**21) == "1e+21"
    assert canonicalize(2**64) == "18446744073709552000"
    assert hash(2**53 + 1) == hash(2**53)


def test_numbers() -> None:
    assert canonicalize(-0.0) == "0"
    assert (
        canonicalize([0.1, 1e-7, 1e21, 123456789.0, 5e-324]) == "[0.1,1e-7,1e+21,123456789,5e-324]"
    )
    assert canonicalize(True) == "true"  # a bool is not the number 1


def test_strings_use_minimal_escapes() -> None:
    assert canonicalize('\u0000\b\t\n\f\r"\\/\u001f\u007f€😀') == (
        '"\\u0000\\b\\t\\n\\f\\r\\"\\\\/\\u001f\u007f€😀"'
    )


def test_values_that_are_not_json() -> None:
    # docs/HOST-VALUES.md: the same codes as Node.
    with raises("INVALID_ARGUMENT"):
        canonicalize(float("nan"))
    with raises("INVALID_ARGUMENT"):
        canonicalize([float("-inf")])
    with raises("INVALID_JSON"):
        canonicalize(10**400)  # beyond the double range
    with raises("INVALID_ARGUMENT"):
        canonicalize({"a": b"bytes"})
    with raises("INVALID_ARGUMENT"):
        canonicalize({1, 2})
    with raises("INVALID_ARGUMENT"):
        canonicalize({("tuple", "key"): 1})
    with raises("INVALID_ARGUMENT"):
        canonicalize({1: "int key"})  # JSON keys are strings; {"1": ...} is another value
    with raises("INVALID_ARGUMENT"):
        hash(object())


def test_subclasses_cross_as_their_base_types() -> None:
    class Level(enum.IntEnum):
        HIGH = 3

    class Key(str, enum.Enum):
        A = "a"

    value = {"l": Level.HIGH, "o": OrderedDict(b=1, a=2), Key.A: (1, -0.0)}
    assert canonicalize(value) == '{"a":[1,0],"l":3,"o":{"a":2,"b":1}}'
    assert canonicalize(2**70) == "1.1805916207174113e+21"


def test_circular_values_are_invalid_argument() -> None:
    cycle: list[object] = []
    cycle.append(cycle)
    with raises("INVALID_ARGUMENT"):
        canonicalize(cycle)


@pytest.mark.parametrize("depth", [128, 1_000, 100_000])
def test_deep_values_are_limit_exceeded(depth: int) -> None:
    with raises("LIMIT_EXCEEDED"):
        canonicalize(nested_list(depth))
    with raises("LIMIT_EXCEEDED"):
        hash(nested_list(depth))


@pytest.mark.parametrize("depth", [128, 100_000])
def test_deep_json_text_is_limit_exceeded(depth: int) -> None:
    text = "[" * depth + "]" * depth
    with raises("LIMIT_EXCEEDED"):
        canonicalize_json(text)
    with raises("LIMIT_EXCEEDED"):
        hash_json(text.encode())


def test_127_levels_are_accepted() -> None:
    assert canonicalize(nested_list(127)) == "[" * 127 + "]" * 127


def test_malformed_json_text() -> None:
    for text in ("", "{", '{"a":1,}', "[1 2]", "NaN", "01", '"\\ud800"x'):
        with raises("INVALID_JSON"):
            canonicalize_json(text)
    with raises("INVALID_JSON"):
        canonicalize_json(b'"\xff"')
    with raises("INVALID_JSON"):
        hash_json("1e400")


def test_wrong_argument_types() -> None:
    with raises("INVALID_ARGUMENT"):
        canonicalize_json({"a": 1})  # type: ignore[arg-type]
    with raises("INVALID_ARGUMENT"):
        hash_json(None)  # type: ignore[arg-type]
    with raises("INVALID_ARGUMENT"):
        canonicalize_json("\ud800")


# --- properties ------------------------------------------------------------------------

# rfc8785 (the independent oracle) refuses integers outside +-(2**53 - 1), where JCS
# output depends on rounding; those are covered by the examples above.
SAFE_INT = 2**53 - 1

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-SAFE_INT, max_value=SAFE_INT)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=6)
    | st.dictionaries(st.text(), children, max_size=6),
    max_leaves=40,
)


@settings(deadline=None)  # debug builds (maturin develop) are slow
@given(json_values)
def test_canonical_form_matches_rfc8785_and_is_idempotent(value: Any) -> None:
    canonical = canonicalize(value)
    assert canonical == rfc8785.dumps(value).decode("utf-8")
    assert canonicalize_json(canonical) == canonical
    assert canonicalize_json(canonical.encode()) == canonical
    assert hash(value) == sha256(canonical)


@settings(deadline=None)
@given(json_values)
def test_canonical_form_ignores_key_order_and_whitespace(value: Any) -> None:
    pretty = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=True)
    assert canonicalize_json(pretty) == canonicalize(value)
