"""Metrics: the snapshot dict and the Prometheus text, same names as Node and Rust."""

from __future__ import annotations

import re

import pytest
from coresdk import CoreSdkError, PolicyEngine


def test_counts_evaluations_errors_reloads_and_fail_mode() -> None:
    engine = PolicyEngine(modules={"m.rego": "package m\nallow if input.x == 1\n"})
    engine.evaluate("data.m.allow", {"x": 1})
    engine.query("data.m.allow", {"x": 2})
    with pytest.raises(CoreSdkError):
        engine.evaluate_json("data.m.allow", "[")
    with pytest.raises(CoreSdkError):
        engine.evaluate("data.nope.x")
    assert engine.is_allowed("data.nope.x") is False
    with pytest.raises(CoreSdkError):
        engine.add_module("bad.rego", "package bad\nx := ")

    m = engine.metrics()
    assert m["evaluations"] == 5
    assert m["errors"] == {"INVALID_JSON": 1, "POLICY_NOT_FOUND": 2}
    assert m["fail_mode"] == 1
    assert m["reloads"] == {"success": 1, "failure": 1}
    assert (m["revision"], m["bundle_revision"], m["source"]) == (1, None, None)
    assert m["latency"]["count"] == 5
    assert len(m["latency"]["buckets"]) == 16
    assert m["latency"]["buckets"][-1]["le"] == 1.0
    # The rule path ran on the register VM; the query always runs on the interpreter.
    assert m["evaluator"] == {"compiled": 1, "interpreter": 1}


def test_the_interpreter_alone_when_the_compiled_evaluator_is_off() -> None:
    modules = {"m.rego": "package m\nallow if input.x == 1\n"}
    engine = PolicyEngine(modules=modules, evaluator="interpreter")
    assert engine.evaluate("data.m.allow", {"x": 1}).result is True
    assert engine.metrics()["evaluator"] == {"compiled": 0, "interpreter": 1}
    with pytest.raises(CoreSdkError) as raised:
        PolicyEngine(modules=modules, evaluator="rvm")  # type: ignore[arg-type]
    assert raised.value.code == "INVALID_ARGUMENT"


def test_prometheus_text() -> None:
    engine = PolicyEngine(modules={"m.rego": "package m\nallow := true\n"})
    engine.evaluate("data.m.allow")
    text = engine.metrics_prometheus()
    assert (
        "# TYPE coresdk_policy_evaluations_total counter\ncoresdk_policy_evaluations_total 1\n"
        in text
    )
    assert 'coresdk_policy_evaluation_duration_seconds_bucket{le="+Inf"} 1\n' in text
    assert 'coresdk_policy_errors_total{code="EVAL_TIMEOUT"} 0\n' in text
    sample = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+-]+$')
    for line in text.splitlines():
        if not line.startswith("#"):
            assert sample.match(line), line
