"""The decision cache: hits, canonical keys, invalidation on reload, TTL."""

from __future__ import annotations

import time

import pytest
from codes import raises
from coresdk import DecisionCache, PolicyEngine

AUTHZ = "package authz\nallow if input.user in data.admins\nn := count(input.items)\n"


def cached(ttl_ms: int = 60_000, max_entries: int = 10_000) -> PolicyEngine:
    return PolicyEngine(
        modules={"authz.rego": AUTHZ},
        data={"admins": ["alice"]},
        cache=DecisionCache(max_entries=max_entries, ttl_ms=ttl_ms),
    )


def test_a_repeated_decision_is_answered_from_the_cache() -> None:
    engine = cached()
    first = engine.evaluate("data.authz.allow", {"user": "alice"})
    second = engine.evaluate("data.authz.allow", {"user": "alice"})
    assert (first.result, first.cached) == (True, False)
    assert (second.result, second.cached, second.revision) == (True, True, first.revision)
    assert second.decision_id != first.decision_id
    assert engine.metrics()["cache"] == {"enabled": True, "hits": 1, "misses": 1, "entries": 1}


def test_keys_are_canonical_inputs() -> None:
    engine = cached()
    engine.evaluate_json("data.authz.n", '{"user":"bob","items":[1,2.0,3]}')
    hit = engine.evaluate_json("data.authz.n", '{ "items": [1.0, 2, 3e0], "user": "bob" }')
    assert (hit.result, hit.cached) == (3, True)
    assert engine.evaluate("data.authz.n", {"items": [1]}).cached is False


def test_a_reload_empties_the_cache() -> None:
    engine = cached()
    engine.evaluate("data.authz.allow", {"user": "bob"})
    assert engine.evaluate("data.authz.allow", {"user": "bob"}).cached
    engine.replace_modules({"authz.rego": "package authz\nallow := true\n"})
    after = engine.evaluate("data.authz.allow", {"user": "bob"})
    assert (after.result, after.cached, after.revision) == (True, False, engine.revision)


def test_undefined_and_query_rows_are_cached_apart() -> None:
    engine = cached()
    engine.evaluate("data.authz.allow", {"user": "eve"})
    again = engine.evaluate("data.authz.allow", {"user": "eve"})
    assert (again.defined, again.cached) == (False, True)
    assert engine.query("data.authz.allow", {"user": "eve"}).cached is False
    assert engine.query("data.authz.allow", {"user": "eve"}).cached is True


def test_entries_expire() -> None:
    engine = cached(ttl_ms=50)
    engine.evaluate("data.authz.allow", {"user": "bob"})
    time.sleep(0.15)
    assert engine.evaluate("data.authz.allow", {"user": "bob"}).cached is False


def test_off_by_default_and_typed() -> None:
    engine = PolicyEngine(modules={"authz.rego": AUTHZ}, data={"admins": []})
    engine.evaluate("data.authz.allow", {"user": "bob"})
    assert engine.evaluate("data.authz.allow", {"user": "bob"}).cached is False
    assert engine.metrics()["cache"]["enabled"] is False
    with raises("INVALID_ARGUMENT"):
        PolicyEngine(cache={"max_entries": 1})  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [DecisionCache(max_entries=-1), DecisionCache(ttl_ms=-5)])
def test_negative_sizes_are_rejected(bad: DecisionCache) -> None:
    with raises("INVALID_ARGUMENT"):
        PolicyEngine(cache=bad)
