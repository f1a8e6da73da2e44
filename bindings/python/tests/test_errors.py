"""coresdk.errors: codes, families, locations, panics at the boundary, pickling."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import coresdk
import pytest
from codes import raises
from coresdk import (
    ERROR_CODES,
    CoreSdkError,
    EvaluationError,
    InternalError,
    InvalidInputError,
    Location,
    Masker,
    PolicyEngine,
    PolicyError,
    TrustError,
    _native,
)
from coresdk.errors import _error


def test_error_codes_match_the_core() -> None:
    assert ERROR_CODES == _native.ERROR_CODES
    assert len(set(ERROR_CODES)) == len(ERROR_CODES)


@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_code_has_a_family(code: str) -> None:
    error = _error(code, "message")
    assert type(error) is not CoreSdkError
    assert isinstance(error, CoreSdkError)
    assert error.code == code


def test_families() -> None:
    assert isinstance(_error("INVALID_JSON", "m"), InvalidInputError)
    assert isinstance(_error("INVALID_JSON", "m"), ValueError)
    assert isinstance(_error("POLICY_NOT_FOUND", "m"), PolicyError)
    assert isinstance(_error("EVAL_TIMEOUT", "m"), EvaluationError)
    assert isinstance(_error("TOKEN_EXPIRED", "m"), TrustError)
    assert isinstance(_error("INTERNAL", "m"), InternalError)
    # A code newer than this module still raises CoreSdkError with its code.
    newer = _error("SOMETHING_NEW", "m")
    assert type(newer) is CoreSdkError and newer.code == "SOMETHING_NEW"


def test_error_attributes() -> None:
    with raises("POLICY_PARSE") as info:
        PolicyEngine(modules={"bad.rego": "package bad\nallow if {\n"})
    error = info.value
    assert isinstance(error.message, str) and error.message
    assert str(error).startswith("POLICY_PARSE: ")
    assert isinstance(error.location, Location)
    assert error.location.file == "bad.rego"
    assert error.args == (error.message,)
    with pytest.raises(dataclasses.FrozenInstanceError):
        error.location.line = 1  # type: ignore[misc]
    with raises("INVALID_JSON") as info2:
        coresdk.canonicalize_json("{")
    assert info2.value.location is None


def test_errors_pickle_and_copy_with_code_and_location() -> None:
    with raises("POLICY_PARSE") as info:
        PolicyEngine(modules={"bad.rego": "package bad\nallow if {\n"})
    for clone in (pickle.loads(pickle.dumps(info.value)), copy.copy(info.value)):
        assert type(clone) is PolicyError
        assert (clone.code, clone.message, clone.location) == (
            info.value.code,
            info.value.message,
            info.value.location,
        )


def test_a_core_panic_is_internal_not_panic_exception() -> None:
    # pyo3 would raise pyo3_runtime.PanicException (a BaseException); the binding must
    # catch the panic in the core and raise CoreSdkError(code="INTERNAL") instead.
    try:
        _native._panic_probe()
    except Exception as e:  # noqa: BLE001 - the point is what kind of exception it is
        assert isinstance(e, InternalError)
        assert e.code == "INTERNAL"
    except BaseException as e:  # pragma: no cover - the failure being tested for
        pytest.fail(f"{type(e).__module__}.{type(e).__name__} escaped: {e}")
    else:  # pragma: no cover
        pytest.fail("no exception")


def test_the_module_works_after_a_panic() -> None:
    for _ in range(3):
        with raises("INTERNAL"):
            _native._panic_probe()
    engine = PolicyEngine(modules={"t.rego": "package t\nx := 1\n"})
    assert engine.evaluate("data.t.x").result == 1
    assert Masker().mask_text("bob@example.com") == "[REDACTED:EMAIL]"
    assert coresdk.canonicalize({"a": 1}) == '{"a":1}'


def test_errors_can_be_caught_as_coresdk_error_or_by_family() -> None:
    with pytest.raises(CoreSdkError):
        coresdk.hash_json("[")
    with pytest.raises(ValueError):
        coresdk.hash_json("[")
    with pytest.raises(EvaluationError):
        PolicyEngine(
            modules={"t.rego": 'package t\nx := to_number("a")\n'}, strict_builtin_errors=True
        ).evaluate("data.t.x")
