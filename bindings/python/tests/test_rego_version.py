"""Rego v0 as an engine and per-module option, safe reloads and data documents."""

from __future__ import annotations

from codes import raises
from coresdk import PolicyEngine

# Rego v0: a partial set rule without `contains`/`if`, as the Gatekeeper library writes.
V0 = 'package k8s\nviolation[msg] {\n  not input.labels.owner\n  msg := "owner label missing"\n}\n'


def test_v0_with_the_engine_option() -> None:
    engine = PolicyEngine(modules={"k8s.rego": V0}, rego_version=0)
    assert engine.evaluate("data.k8s.violation", {"labels": {}}).result == ["owner label missing"]
    with raises("POLICY_PARSE"):
        PolicyEngine(modules={"k8s.rego": V0})


def test_v0_per_call() -> None:
    engine = PolicyEngine()
    engine.add_module("k8s.rego", V0, rego_version=0)
    engine.add_modules({"app.rego": "package app\nok if count(data.k8s.violation) == 0\n"})
    assert engine.evaluate("data.app.ok", {"labels": {"owner": "x"}}).result is True
    engine.replace_modules({"k8s.rego": V0}, rego_version=0)
    engine.reload({"k8s.rego": V0}, rego_version=0)
    assert engine.evaluate("data.k8s.violation", {"labels": {}}).result == ["owner label missing"]


def test_other_versions_are_refused() -> None:
    with raises("INVALID_ARGUMENT"):
        PolicyEngine(rego_version=2)  # type: ignore[arg-type]


def test_undefined_function_rejected_at_load() -> None:
    engine = PolicyEngine(modules={"a.rego": "package a\nallow := true\n"})
    with raises("POLICY_PARSE") as info:
        engine.replace_modules({"a.rego": 'package a\nallow := lower_case("A") == "a"\n'})
    assert info.value.location is not None and info.value.location.line == 2
    assert engine.revision == 1
    assert engine.evaluate("data.a.allow").result is True


def test_base_data_paths() -> None:
    engine = PolicyEngine(data={"roles": {"alice": ["admin"]}})
    assert engine.evaluate("data.roles.alice").result == ["admin"]
    assert engine.evaluate("data.roles.bob").defined is False
