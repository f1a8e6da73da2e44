"""Self-tests of the differential harness: the verdict rules, the ratchet list, the
generator's determinism and the v0 detection (no engine needed)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import packages
from known import KnownDisagreements
from libraries import is_v0
from outcome import UNDEFINED, Kind, Outcome, Verdict, query_value, value, verdict

COMPILE = Outcome(Kind.COMPILE_ERROR, code="rego_type_error")
EVAL = Outcome(Kind.EVAL_ERROR, code="eval_conflict_error")


def test_numbers_compare_by_value_but_not_with_booleans() -> None:
    assert verdict(value({"a": [1, 2.0]}), value({"a": [1.0, 2]})) is Verdict.AGREE
    assert verdict(value(1), value(True)) is Verdict.DISAGREE
    assert verdict(value(2**60), value(2**60 + 1)) is Verdict.DISAGREE


def test_undefined_against_a_value_disagrees_both_ways() -> None:
    assert verdict(UNDEFINED, UNDEFINED) is Verdict.AGREE
    assert verdict(UNDEFINED, value(False)) is Verdict.DISAGREE
    assert verdict(value(None), UNDEFINED) is Verdict.DISAGREE


def test_errors_map_by_kind() -> None:
    sdk_eval = Outcome(Kind.EVAL_ERROR, code="EVAL_ERROR")
    sdk_parse = Outcome(Kind.COMPILE_ERROR, code="POLICY_PARSE")
    assert verdict(EVAL, sdk_eval) is Verdict.AGREE
    assert verdict(COMPILE, sdk_parse) is Verdict.AGREE
    assert verdict(COMPILE, sdk_eval) is Verdict.ERROR_KIND
    # CoreSDK refusing where OPA answers is allowed; answering where OPA refuses is not.
    assert verdict(value(1), sdk_eval) is Verdict.TYPED_ERROR
    assert verdict(UNDEFINED, sdk_parse) is Verdict.TYPED_ERROR
    assert verdict(COMPILE, value(1)) is Verdict.DISAGREE
    assert verdict(EVAL, UNDEFINED) is Verdict.DISAGREE


def test_array_order_counts_unless_unordered() -> None:
    assert verdict(value([1, 2]), value([2, 1])) is Verdict.DISAGREE
    assert verdict(value([1, 2]), value([2, 1]), unordered=True) is Verdict.AGREE


def test_query_rows_are_a_multiset_without_generated_vars() -> None:
    rows = query_value([{"x": 2, "__localq0__": 1}, {"x": 1}])
    assert rows == [{"x": 1}, {"x": 2}]
    assert verdict(value(rows), value(query_value([{"x": 1}, {"x": 2}]))) is Verdict.AGREE


def test_known_list_matches_ids_and_prefixes(tmp_path: Path) -> None:
    listing = tmp_path / "known.txt"
    listing.write_text("# cause\nconformance/a b\npackages/s1/f2/*\n", encoding="utf-8")
    known = KnownDisagreements.read(listing)
    assert "conformance/a b" in known
    assert "packages/s1/f2/o0/i0/data.p" in known
    assert "packages/s1/f20/o0/i0/data.p" not in known
    assert "conformance/a" not in known


def test_generator_is_deterministic_and_a_prefix_of_bigger_runs() -> None:
    small = [c.id for c in packages.cases(7, 2)]
    again = [c.id for c in packages.cases(7, 2)]
    bigger = [c.id for c in packages.cases(7, 3)]
    assert small == again
    assert bigger[: len(small)] == small
    assert len(set(small)) == len(small)


def test_every_family_splits_packages_across_modules() -> None:
    for case in packages.cases(3, 4, orders=1, per_order_inputs=1):
        names = [name for name, _ in case.modules]
        per_package = {n.rsplit("_", 1)[0] for n in names}
        assert len(names) >= 2 * len(per_package)


def test_v0_detection() -> None:
    assert is_v0("package p\n\ndeny[msg] {\n\tmsg := 1\n}\n")
    assert is_v0("package p\n\nallow {\n\ttrue\n}\n")
    assert not is_v0("package p\n\nallow if {\n\ttrue\n}\n")
    assert not is_v0('package p\n\nx := {\n\t"a": 1,\n}\n')
    assert not is_v0("package p\n\ndeny contains msg if {\n\tmsg := 1\n}\n")
