"""coresdk.PolicyEngine: loading, decisions, revisions, errors, limits and threads."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from codes import raises
from coresdk import CoreSdkError, Decision, Location, PolicyEngine, PolicyError, QueryResult

AUTHZ = """package authz

default allow := false

allow if input.user in data.admins

deny := false

nothing := null

maybe if input.flag == true
"""

LOOP = """package loop

loop if {
  some i in numbers.range(1, 10000)
  some j in numbers.range(1, 10000)
  i + j < 0
}
"""


def nested_list(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.fixture
def engine() -> PolicyEngine:
    return PolicyEngine(modules={"authz.rego": AUTHZ}, data={"admins": ["alice"]})


# --- loading ---------------------------------------------------------------------------


def test_modules_and_data_from_the_constructor(engine: PolicyEngine) -> None:
    assert engine.evaluate("data.authz.allow", {"user": "alice"}).result is True
    assert engine.evaluate("data.authz.allow", {"user": "bob"}).result is False
    # modules (one change) + data (one change)
    assert engine.revision == 2


def test_paths_from_files_and_directories(tmp_path: Path) -> None:
    (tmp_path / "a.rego").write_text("package a\nx := 1\n", encoding="utf-8")
    nested = tmp_path / "dir" / "sub"
    nested.mkdir(parents=True)
    (nested / "b.rego").write_text("package b\ny := 2\n", encoding="utf-8")
    (nested / "notes.txt").write_text("not rego", encoding="utf-8")
    engine = PolicyEngine(paths=[tmp_path / "a.rego", str(tmp_path / "dir")])
    assert engine.revision == 2
    assert engine.evaluate("data.a.x").result == 1
    assert engine.evaluate("data.b.y").result == 2


def test_paths_must_be_an_iterable_of_paths(tmp_path: Path) -> None:
    (tmp_path / "a.rego").write_text("package a\nx := 1\n", encoding="utf-8")
    for one in (str(tmp_path / "a.rego"), tmp_path / "a.rego"):
        with raises("INVALID_ARGUMENT"):
            PolicyEngine(paths=one)  # type: ignore[arg-type]


def test_add_path_errors(tmp_path: Path) -> None:
    engine = PolicyEngine()
    with raises("SOURCE_UNAVAILABLE"):
        engine.add_path(tmp_path / "missing.rego")
    (tmp_path / "empty").mkdir()
    with raises("INVALID_ARGUMENT"):
        engine.add_path(tmp_path / "empty")
    (tmp_path / "latin1.rego").write_bytes(b"package x\n# caf\xe9\n")
    with raises("INVALID_ARGUMENT"):
        engine.add_path(tmp_path / "latin1.rego")
    assert engine.revision == 0


def test_add_module_and_add_data_return_the_new_revision() -> None:
    engine = PolicyEngine()
    assert engine.revision == 0
    assert engine.add_module("t.rego", "package t\nv := data.v\n") == 1
    assert engine.add_data({"v": 7}) == 2
    assert (
        engine.add_modules({"u.rego": "package u\nw := 1\n", "z.rego": "package z\nq := 2\n"}) == 3
    )
    assert engine.revision == 3
    decision = engine.evaluate("data.t.v")
    assert (decision.result, decision.revision) == (7, 3)


def test_add_modules_is_one_change_all_or_nothing() -> None:
    engine = PolicyEngine(modules={"ok.rego": "package ok\nx := 1\n"})
    with raises("POLICY_PARSE") as info:
        engine.add_modules(
            {"good.rego": "package good\ny := 2\n", "bad.rego": "package bad\ny := \n"}
        )
    assert info.value.location is not None and info.value.location.file == "bad.rego"
    assert engine.revision == 1
    with raises("POLICY_NOT_FOUND"):
        engine.evaluate("data.good.y")


def test_data_must_be_an_object() -> None:
    engine = PolicyEngine()
    with raises("INVALID_ARGUMENT"):
        engine.add_data([1, 2])  # type: ignore[arg-type]
    assert engine.revision == 0


def test_conflicting_data_is_rejected() -> None:
    engine = PolicyEngine(data={"a": {"b": 1}})
    with raises("POLICY_CONFLICT"):
        engine.add_data({"a": {"b": 2}})
    assert engine.revision == 1


# --- decisions -------------------------------------------------------------------------


def test_undefined_is_distinct_from_false_and_null(engine: PolicyEngine) -> None:
    undefined = engine.evaluate("data.authz.maybe", {"flag": False})
    false = engine.evaluate("data.authz.deny")
    null = engine.evaluate("data.authz.nothing")
    assert (undefined.result, undefined.defined) == (None, False)
    assert (false.result, false.defined) == (False, True)
    assert (null.result, null.defined) == (None, True)
    assert engine.evaluate("data.authz.maybe", {"flag": True}).result is True


def test_a_rule_missing_from_a_loaded_package_is_undefined(engine: PolicyEngine) -> None:
    assert engine.evaluate("data.authz.no_such_rule").defined is False


def test_a_package_path_returns_the_package_document() -> None:
    engine = PolicyEngine(modules={"p.rego": "package p\na := 1\nb := [true]\n"})
    assert engine.evaluate("data.p").result == {"a": 1, "b": [True]}


def test_decision_fields(engine: PolicyEngine) -> None:
    first = engine.evaluate("data.authz.allow", {"user": "alice"})
    second = engine.evaluate("data.authz.allow", {"user": "alice"})
    assert isinstance(first, Decision)
    assert first.revision == engine.revision
    assert isinstance(first.duration_us, int) and first.duration_us >= 0
    # UUIDv7: unique and time-ordered
    assert first.decision_id != second.decision_id
    assert first.decision_id[14] == "7"
    assert first.decision_id < second.decision_id
    with pytest.raises(AttributeError):  # frozen: defined once in Rust, read-only here
        first.result = False  # type: ignore[misc]
    assert repr(first).startswith("Decision(result=True, defined=True, revision=")


def test_input_defaults_to_an_empty_object() -> None:
    engine = PolicyEngine(
        modules={"t.rego": "package t\nn := count(input)\nt := type_name(input)\n"}
    )
    assert engine.evaluate("data.t.t").result == "object"
    assert engine.evaluate("data.t.n").result == 0
    assert engine.evaluate_json("data.t.t", "null").result == "null"


def test_non_object_input_is_valid() -> None:
    # 5 is a valid OPA input.
    engine = PolicyEngine(modules={"t.rego": "package t\nr := input + 1\n"})
    assert engine.evaluate("data.t.r", 5).result == 6
    assert engine.evaluate_json("data.t.r", b"41").result == 42


def test_evaluate_json_takes_str_and_utf8_bytes(engine: PolicyEngine) -> None:
    assert engine.evaluate_json("data.authz.allow", '{"user":"alice"}').result is True
    assert engine.evaluate_json("data.authz.allow", b'{"user":"alice"}').result is True


def test_unicode_round_trips() -> None:
    engine = PolicyEngine(
        modules={"t.rego": 'package t\ngreeting := sprintf("héllo %s", [input.name])\n'}
    )
    assert engine.evaluate("data.t.greeting", {"name": "😀 Zoë"}).result == "héllo 😀 Zoë"


def test_results_are_the_values_json_gives() -> None:
    # Results are built as Python values directly (no JSON text in between): the same
    # values and types `json.loads` gives for the rule's JSON.
    engine = PolicyEngine(modules={"t.rego": "package t\nv := input\nn := 2.5 * 2\n"})
    text = (
        '{"i": 1, "neg": -9223372036854775808, "big": 18446744073709551615, "f": 2.5,'
        ' "exp": 1e300, "s": "x\\u00e9\\ud83d\\ude00", "arr": [null, true, false, []],'
        ' "nested": {"k": [1, {"z": {}}], "order": {"b": 1, "a": 2}}}'
    )
    result = engine.evaluate_json("data.t.v", text).result
    assert result == json.loads(text)
    assert [type(result[k]) for k in ("i", "neg", "big", "f", "exp")] == [
        int,
        int,
        int,
        float,
        float,
    ]
    assert list(result["nested"]["order"]) == ["a", "b"]  # keys sorted, as OPA writes them
    assert engine.evaluate("data.t.n").result == 5
    assert engine.query('x := [1, {"a": null}]').rows == [
        {"expressions": [True], "bindings": {"x": [1, {"a": None}]}}
    ]


def test_query_rows() -> None:
    engine = PolicyEngine(modules={"t.rego": "package t\nxs := [1, 2]\n"})
    result = engine.query("data.t.xs[i] > input.min", {"min": 0})
    assert isinstance(result, QueryResult)
    assert result.rows == [
        {"expressions": [True], "bindings": {"i": 0}},
        {"expressions": [True], "bindings": {"i": 1}},
    ]
    # One expression: its value, False included (OPA captures it); an iteration: no row.
    assert engine.query("data.t.xs[0] == 2").rows == [{"expressions": [False], "bindings": {}}]
    assert engine.query("data.t.xs[i] == 5").rows == []
    assert engine.query_json("y := input", "[1]").rows == [
        {"expressions": [True], "bindings": {"y": [1]}}
    ]
    assert result.revision == 1 and result.decision_id


def test_strict_builtin_errors() -> None:
    source = 'package t\nx := to_number("abc")\n'
    assert PolicyEngine(modules={"t.rego": source}).evaluate("data.t.x").defined is False
    strict = PolicyEngine(modules={"t.rego": source}, strict_builtin_errors=True)
    with raises("EVAL_ERROR"):
        strict.evaluate("data.t.x")


# --- errors ----------------------------------------------------------------------------


def test_malformed_rego_is_policy_parse_with_a_location() -> None:
    engine = PolicyEngine()
    with raises("POLICY_PARSE") as info:
        engine.add_module("bad.rego", "package bad\n\nallow if {\n  input.user ==\n}\n")
    assert info.value.location == Location(file="bad.rego", line=5, column=1)
    assert isinstance(info.value, PolicyError)


def test_malformed_rego_in_the_constructor() -> None:
    with raises("POLICY_PARSE") as info:
        PolicyEngine(modules={"broken.rego": "package x\nallow if {"})
    location = info.value.location
    assert location is not None
    assert (location.file, location.line) == ("broken.rego", 2)
    assert location.column >= 1


def test_malformed_query_is_policy_parse() -> None:
    with raises("POLICY_PARSE"):
        PolicyEngine().query("x := ")


def test_policies_nested_too_deep_are_policy_parse_on_any_thread() -> None:
    deep = [
        "x := " + "abs(" * 5000 + "1" + ")" * 5000,
        "x := " + "[" * 5000 + "1" + "]" * 5000,
        "x := input" + ".a" * 30000,
        "x := 1" + " + 1" * 30000,
    ]

    def load(source: str) -> str:
        try:
            PolicyEngine(modules={"deep.rego": "package deep\n" + source})
        except CoreSdkError as err:
            return err.code
        return "loaded"

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(load, deep)) == ["POLICY_PARSE"] * 4
    with raises("POLICY_PARSE"):
        PolicyEngine().query("x := " + "{" * 5000 + "1" + "}" * 5000)
    depth_60 = "x := " + "[" * 60 + "1" + "]" * 60 + "\ny := x" + "[0]" * 60
    assert (
        PolicyEngine(modules={"ok.rego": "package ok\n" + depth_60}).evaluate("data.ok.y").result
        == 1
    )


def test_an_evaluation_over_its_memory_budget_is_limit_exceeded() -> None:
    source = "package m\nbig := count(numbers.range(1, 2000000))\nsmall := count(numbers.range(1, 1000))\n"
    tight = PolicyEngine(modules={"m.rego": source}, memory_limit_bytes=16 << 20, timeout_ms=60_000)
    with raises("LIMIT_EXCEEDED"):
        tight.evaluate("data.m.big")
    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(pool.map(lambda _: _code_of(lambda: tight.evaluate("data.m.big")), range(2)))
    assert codes == ["LIMIT_EXCEEDED"] * 2
    assert tight.evaluate("data.m.small").result == 1000
    assert (
        PolicyEngine(modules={"m.rego": source}, timeout_ms=60_000).evaluate("data.m.big").result
        == 2_000_000
    )
    unlimited = PolicyEngine(modules={"m.rego": source}, memory_limit_bytes=0, timeout_ms=60_000)
    assert unlimited.evaluate("data.m.big").result == 2_000_000
    with raises("INVALID_ARGUMENT"):
        PolicyEngine(memory_limit_bytes=-1)
    for bad in ("1", 2**70, 1.5, True):
        with raises("INVALID_ARGUMENT"):
            PolicyEngine(memory_limit_bytes=bad)  # type: ignore[arg-type]
    with raises("INVALID_ARGUMENT"):
        PolicyEngine(rego_version="1")  # type: ignore[arg-type]


def _code_of(action: Callable[[], object]) -> str:
    try:
        action()
    except CoreSdkError as err:
        return err.code
    return "no error"


def test_unknown_package_is_policy_not_found(engine: PolicyEngine) -> None:
    with raises("POLICY_NOT_FOUND"):
        engine.evaluate("data.nope.allow")


def test_a_malformed_rule_path_is_invalid_argument(engine: PolicyEngine) -> None:
    for path in ("authz.allow", "data.", "data.authz.1x", "data.authz allow"):
        with raises("INVALID_ARGUMENT"):
            engine.evaluate(path)


def test_wrong_argument_types_are_invalid_argument(engine: PolicyEngine) -> None:
    with raises("INVALID_ARGUMENT"):
        engine.evaluate(42)  # type: ignore[arg-type]
    with raises("INVALID_ARGUMENT"):
        engine.add_module("x.rego", b"package x")  # type: ignore[arg-type]
    with raises("INVALID_ARGUMENT"):
        PolicyEngine(timeout_ms=-1)
    with raises("INVALID_ARGUMENT"):
        engine.evaluate_json("data.authz.allow", {"user": "alice"})  # type: ignore[arg-type]


def test_malformed_json_input_is_invalid_json(engine: PolicyEngine) -> None:
    for text in ('{"user": ', "{'user': 'alice'}", "NaN", "", "[1,]"):
        with raises("INVALID_JSON"):
            engine.evaluate_json("data.authz.allow", text)


def test_invalid_utf8_input_bytes_are_invalid_json(engine: PolicyEngine) -> None:
    with raises("INVALID_JSON"):
        engine.evaluate_json("data.authz.allow", b'{"user": "\xff"}')


def test_input_that_cannot_be_json(engine: PolicyEngine) -> None:
    with raises("INVALID_ARGUMENT"):
        engine.evaluate("data.authz.allow", {"x": float("nan")})
    with raises("INVALID_ARGUMENT"):
        engine.evaluate("data.authz.allow", {"x": b"bytes"})
    with raises("INVALID_ARGUMENT"):
        engine.evaluate("data.authz.allow", {"x": "\ud800"})


def test_deep_input_text_is_limit_exceeded(engine: PolicyEngine) -> None:
    depth = 100_000
    with raises("LIMIT_EXCEEDED"):
        engine.evaluate_json("data.authz.allow", "[" * depth + "]" * depth)


def test_deep_input_object_is_limit_exceeded(engine: PolicyEngine) -> None:
    with raises("LIMIT_EXCEEDED"):
        engine.evaluate("data.authz.allow", nested_list(100_000))
    # Shallow enough for Python's encoder but past the core's 127 levels.
    with raises("LIMIT_EXCEEDED"):
        engine.evaluate("data.authz.allow", nested_list(500))
    assert engine.evaluate("data.authz.allow", nested_list(127)).result is False


def test_a_broken_add_module_keeps_the_old_revision_serving(engine: PolicyEngine) -> None:
    before = engine.revision
    with raises("POLICY_PARSE"):
        engine.add_module("authz2.rego", "package authz\nallow if {")
    assert engine.revision == before
    decision = engine.evaluate("data.authz.allow", {"user": "alice"})
    assert (decision.result, decision.revision) == (True, before)


def test_runaway_policy_times_out_and_the_engine_keeps_serving() -> None:
    engine = PolicyEngine(modules={"loop.rego": LOOP, "authz.rego": AUTHZ}, timeout_ms=50)
    started = time.monotonic()
    with raises("EVAL_TIMEOUT") as info:
        engine.evaluate("data.loop.loop")
    assert time.monotonic() - started < 5
    assert isinstance(info.value, CoreSdkError)
    assert engine.evaluate("data.authz.deny").result is False
    with raises("EVAL_TIMEOUT"):
        engine.evaluate("data.loop.loop")


# --- threads ---------------------------------------------------------------------------


def test_four_threads_evaluate_correctly(engine: PolicyEngine) -> None:
    users = ["alice", "bob", "carol", "alice"]

    def work(worker: int) -> list[tuple[str, object]]:
        out = []
        for i in range(100):
            user = users[(worker + i) % len(users)]
            out.append((user, engine.evaluate("data.authz.allow", {"user": user, "n": i}).result))
        return out

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = [pair for batch in pool.map(work, range(4)) for pair in batch]
    assert len(results) == 400
    assert all(result is (user == "alice") for user, result in results)


def test_evaluation_releases_the_gil() -> None:
    # A 300 ms runaway evaluation in one thread; the main thread must keep running Python
    # meanwhile, which it cannot if the evaluation holds the GIL.
    engine = PolicyEngine(modules={"loop.rego": LOOP}, timeout_ms=300)
    done = threading.Event()
    outcome: list[str] = []

    def evaluate() -> None:
        try:
            engine.evaluate("data.loop.loop")
        except CoreSdkError as e:
            outcome.append(e.code)
        finally:
            done.set()

    thread = threading.Thread(target=evaluate)
    ticks = 0
    thread.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    thread.join()
    assert outcome == ["EVAL_TIMEOUT"]
    assert ticks > 20, f"main thread ran only {ticks} times during the evaluation"


def test_reload_while_evaluating() -> None:
    engine = PolicyEngine(
        modules={"v.rego": "package v\nversion := count(data.versions)\n"},
        data={"versions": {"v0": True}},
    )
    stop = threading.Event()
    seen: list[tuple[int, object]] = []

    def reader() -> None:
        while not stop.is_set():
            decision = engine.evaluate("data.v.version")
            seen.append((decision.revision, decision.result))

    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(reader) for _ in range(3)]
        # The stress test: 100 reloads under continuous evaluation.
        for n in range(1, 101):
            engine.add_data({"versions": {f"v{n}": True}})
            time.sleep(0.001)
        stop.set()
        for future in futures:
            future.result()
    # Each decision is made against exactly one snapshot and reports its revision:
    # revision r holds r - 1 versions.
    assert seen and all(result == revision - 1 for revision, result in seen)
    assert len({revision for revision, _ in seen}) > 10
    assert engine.metrics()["errors"] == {}
    assert engine.metrics()["reloads"]["success"] == 102


def test_print_goes_to_on_print_and_the_decision_never_stdout(
    capfd: pytest.CaptureFixture[str],
) -> None:
    lines: list[tuple[str, int]] = []
    engine = PolicyEngine(
        modules={
            "p.rego": 'package p\nallow if {\n  print("checking", input.user)\n  input.user == "alice"\n}\n'
        },
        on_print=lambda line, decision: lines.append((line, decision.revision)),
    )
    decision = engine.evaluate("data.p.allow", {"user": "alice"})
    assert decision.result is True
    assert decision.prints == ["p.rego:3: checking alice"]
    assert lines == [("p.rego:3: checking alice", 1)]
    assert engine.query('print("q")').prints[0].endswith(": q")
    out, err = capfd.readouterr()
    assert "checking" not in out and "checking" not in err

    def broken(line: str, decision: object) -> None:
        raise RuntimeError("logger down")

    quiet = PolicyEngine(modules={"p.rego": 'package p\nx if print("hi")\n'}, on_print=broken)
    assert quiet.evaluate("data.p.x").prints == ["p.rego:2: hi"]


def test_replace_modules_swaps_the_whole_set_and_keeps_data() -> None:
    engine = PolicyEngine(modules={"v.rego": "package v\nrev := 1\nd := data.d\n"}, data={"d": 7})
    assert engine.replace_modules({"v.rego": "package v\nrev := 2\nd := data.d\n"}) == 3
    assert engine.evaluate("data.v.rev").result == 2
    assert engine.evaluate("data.v.d").result == 7
    with pytest.raises(CoreSdkError) as info:
        engine.replace_modules({"v.rego": "package v\nrev := \n"})
    assert info.value.code == "POLICY_PARSE"
    assert engine.revision == 3
    assert engine.evaluate("data.v.rev").result == 2


def test_is_allowed_applies_the_fail_mode_and_counts_it() -> None:
    closed = PolicyEngine(
        modules={
            "a.rego": 'package authz\ndefault allow := false\nallow if input.user == "alice"\n'
        }
    )
    assert closed.is_allowed("data.authz.allow", {"user": "alice"}) is True
    assert closed.is_allowed("data.authz.allow", {"user": "bob"}) is False
    assert closed.fail_mode_count == 0
    assert closed.is_allowed("data.nowhere.allow") is False
    assert closed.is_allowed("data.authz.allow", {"x": float("nan")}) is False
    assert closed.fail_mode_count == 2

    loop = (
        "package loop\nspin if {\n some i in numbers.range(1, 10000)\n"
        " some j in numbers.range(1, 10000)\n i + j < 0\n}\n"
    )
    open_ = PolicyEngine(
        modules={"t.rego": "package t\nno if false\nnum := 3\n", "loop.rego": loop},
        fail_open=True,
        timeout_ms=50,
    )
    assert open_.is_allowed("data.t.no") is False  # undefined is a plain deny
    assert open_.fail_mode_count == 0
    assert open_.is_allowed("data.t.num") is True  # not a boolean: a failure
    assert open_.is_allowed("data.loop.spin") is True  # EVAL_TIMEOUT: a failure
    assert open_.fail_mode_count == 2


def test_reload_replaces_modules_and_data_as_one_revision() -> None:
    engine = PolicyEngine(modules={"a.rego": "package a\nx := data.v\n"}, data={"v": 1})
    revision = engine.reload({"b.rego": "package b\ny := data.w\n"}, {"w": 2})
    assert revision == 3
    assert engine.evaluate("data.b.y").result == 2
    with raises("POLICY_NOT_FOUND"):
        engine.evaluate("data.a.x")
    with raises("POLICY_PARSE"):
        engine.reload({"c.rego": "package c\nz := "})
    with raises("INVALID_ARGUMENT"):
        engine.reload({}, [1])  # type: ignore[arg-type]
    assert engine.revision == 3
    engine.reload({"c.rego": "package c\nz := 1\n"})
    assert engine.query("x := data.w").rows == []
