"""Runs ``fixtures/host-values/cases.json`` against Python (docs/HOST-VALUES.md).

Each case describes a host value symbolically (JSON cannot hold NaN, cycles or sets);
this builds the Python value, runs the operation and asserts the one documented outcome.
``packages/coresdk/test/host-values.test.ts`` runs the same file against Node. Only a
:class:`CoreSdkError` counts as an outcome: anything else the operation raises fails.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import tempfile
import types
from pathlib import Path
from typing import Any

import pytest
from coresdk import AuditLog, CoreSdkError, Masker, PolicyEngine, canonicalize, hash

FIXTURES = Path(
    os.environ.get("CORESDK_FIXTURES") or Path(__file__).resolve().parents[3] / "fixtures"
)


def build(v: dict[str, Any]) -> Any:
    """The Python value a symbolic description stands for."""
    kind = v["kind"]
    if kind == "json":
        return v["value"]
    if kind == "object":
        return {k: build(x) for k, x in v["entries"].items()}
    if kind == "array":
        return [build(x) for x in v["items"]]
    if kind == "tuple":
        return tuple(build(x) for x in v["items"])
    if kind in ("nan", "infinity", "-infinity"):
        return float({"nan": "nan", "infinity": "inf", "-infinity": "-inf"}[kind])
    if kind == "float":
        return float(v["text"])
    if kind == "cycle":
        if v["via"] == "array":
            a: list[Any] = []
            a.append(a)
            return a
        o: dict[str, Any] = {}
        o["self"] = o
        return o
    if kind == "bigint":
        return int(v["value"])
    if kind == "bytes":
        return bytes.fromhex(v["hex"])
    if kind == "bytearray":
        return bytearray.fromhex(v["hex"])
    if kind == "map":
        return {build(k): build(x) for k, x in v["entries"]}
    if kind == "set":
        return {build(x) for x in v["items"]}
    if kind == "frozenset":
        return frozenset(build(x) for x in v["items"])
    if kind == "date":
        return datetime.datetime.fromisoformat(v["iso"])
    if kind == "instance":
        return types.SimpleNamespace(**v["attributes"])
    if kind == "repeat":
        return v["text"] * v["count"]
    if kind == "nested":
        value: list[Any] = []
        for _ in range(v["depth"] - 1):
            value = [value]
        return value
    raise AssertionError(f"no Python value for kind {kind}")


def load_cases() -> list[dict[str, Any]]:
    cases = json.loads((FIXTURES / "host-values" / "cases.json").read_text(encoding="utf-8"))
    return [c for c in cases if "python" in c["languages"]]


CASES = load_cases()
MASKER = Masker()
ENGINE = PolicyEngine(modules={"hv.rego": "package hv\n\nmarshalled := json.marshal(input)\n"})


def audit_input(value: Any) -> Any:
    """Appends a decision for ``value`` to a fresh audit log; the record's (masked) input."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "audit.jsonl"
        log = AuditLog(path, key=b"k" * 32)
        log.append(ENGINE.evaluate("data.hv.marshalled", {}), "data.hv.marshalled", value)
        last = path.read_text(encoding="utf-8").strip().split("\n")[-1]
        return json.loads(last)["input"]


def run(op: str, value: Any) -> Any:
    """Runs one operation; what it raises propagates."""
    if op == "canonicalize":
        return canonicalize(value)
    if op == "hash":
        return hash(value)
    if op == "mask":
        return MASKER.mask_value(value)
    if op == "maskText":
        return MASKER.mask_text(value)
    if op == "audit":
        return audit_input(value)
    if op == "evaluate":
        decision = ENGINE.evaluate("data.hv.marshalled", value)
        assert decision.defined, "the policy result is undefined"
        return decision.result
    raise AssertionError(f"unknown op {op}")


def outcome_of(case: dict[str, Any]) -> dict[str, Any]:
    """The output of the operation, or the code of the CoreSdkError it raised."""
    value = build(case["value"])
    try:
        return {"output": run(case["op"], value)}
    except CoreSdkError as e:  # only a CoreSdkError is an outcome
        assert str(e).startswith(f"{e.code}: ")
        return {"error": e.code}


def test_has_cases() -> None:
    assert len(CASES) > 100


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_host_value(case: dict[str, Any]) -> None:
    want = case.get("expect_by_language", {}).get("python", case["expect"])
    got = outcome_of(case)
    if "error" in want:
        assert got == {"error": want["error"]}
    elif "output_sha256" in want:
        assert "error" not in got
        assert isinstance(got["output"], str)
        assert hashlib.sha256(got["output"].encode()).hexdigest() == want["output_sha256"]
    else:
        assert "error" not in got
        assert got["output"] == want["output"]
        assert type(got["output"]) is type(want["output"]) or isinstance(
            want["output"], (int, float)
        )
