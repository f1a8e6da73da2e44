"""Runs every golden case in ``fixtures/`` against its ``expect`` (SPEC "Parity fixtures").

The Rust and Node suites run the same files. ``fixtures/expected-failures.json`` lists
known gaps per language with a reason; those cases are strict xfails, so a gap that gets
fixed fails the run until the entry is removed.

The fixtures directory is ``<repo>/fixtures`` (found relative to this file) unless the
``CORESDK_FIXTURES`` environment variable names another.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from coresdk import (
    BundleVerification,
    CoreSdkError,
    Decision,
    Masker,
    PolicyEngine,
    TokenKey,
    TokenVerifier,
    canonicalize_json,
    hash_json,
    verify_audit_log,
)
from coresdk.http import HttpRequest

FIXTURES = Path(
    os.environ.get("CORESDK_FIXTURES") or Path(__file__).resolve().parents[3] / "fixtures"
)
OWN_RUNNERS = {"cli", "host-values"}
NOT_CASES = {"schema.json", "expected-failures.json"}


def load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(FIXTURES.rglob("*.json")):
        # cli/ and host-values/ have their own formats and runners (test_cli.py,
        # test_host_values.py).
        if path.name in NOT_CASES or path.relative_to(FIXTURES).parts[0] in OWN_RUNNERS:
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        cases.extend(doc if isinstance(doc, list) else [doc])
    return cases


def expected_failures() -> dict[str, str]:
    path = FIXTURES / "expected-failures.json"
    if not path.exists():
        return {}
    known: dict[str, str] = json.loads(path.read_text(encoding="utf-8")).get("python", {})
    return known


def params() -> list[Any]:
    known = expected_failures()
    return [
        pytest.param(
            case,
            id=case["id"],
            # Only a wrong answer is the known gap: a runner crash still fails the test.
            marks=[pytest.mark.xfail(strict=True, raises=AssertionError, reason=known[case["id"]])]
            if case["id"] in known
            else [],
        )
        for case in load_cases()
    ]


# --- running one case ------------------------------------------------------------------


def masker(args: dict[str, Any]) -> Masker:
    options = args.get("options", {})
    return Masker(
        strategy=options.get("strategy", "redact"),
        key=options.get("key"),
        key_id=options.get("key_id"),
        sensitive_keys=options.get("sensitive_keys", ()),
        keep=options.get("keep"),
        strategies=options.get("strategies"),
        allow=options.get("allow"),
        custom_detectors=options.get("custom_detectors"),
        paths=options.get("paths"),
    )


def engine(args: dict[str, Any]) -> PolicyEngine:
    """Modules in one change, then data, as every language's runner does."""
    options = args.get("options", {})
    policy = PolicyEngine(
        timeout_ms=options.get("timeout_ms", 1000),
        strict_builtin_errors=options.get("strict_builtin_errors", False),
        fail_open=options.get("fail_open", False),
    )
    policy.add_modules(args["modules"])
    if "data" in args:
        policy.add_data(args["data"])
    return policy


def decision_value(decision: Decision) -> dict[str, Any]:
    """``result`` or ``undefined``, with ``revision`` and ``bundle_revision`` (dropped by
    :func:`run` unless the case asks for them)."""
    out: dict[str, Any] = {"result": decision.result} if decision.defined else {"undefined": True}
    out["revision"] = decision.revision
    out["bundle_revision"] = decision.bundle_revision
    return out


def input_text(args: dict[str, Any]) -> str:
    if "input_json" in args:
        return str(args["input_json"])
    return json.dumps(args["input"]) if "input" in args else "{}"


def allowed(args: dict[str, Any]) -> dict[str, Any]:
    policy = engine(args)
    answer = policy.is_allowed(args["path"], args.get("input"))
    return {"allowed": answer, "fail_mode_count": policy.fail_mode_count}


def bundle_evaluate(args: dict[str, Any]) -> dict[str, Any]:
    v = args.get("verification")
    verification = (
        None
        if v is None
        else BundleVerification(
            algorithm=v["algorithm"],
            public_key=v.get("public_key"),
            secret=v.get("secret"),
            key_id=v.get("key_id"),
            scope=v.get("scope"),
        )
    )
    policy = PolicyEngine()
    policy.load_bundle_path(FIXTURES / args["bundle"], verification=verification)
    return decision_value(policy.evaluate_json(args["path"], input_text(args)))


def verifier_for(args: dict[str, Any]) -> TokenVerifier:
    return TokenVerifier(
        jwks=args.get("jwks"),
        keys=[
            TokenKey(
                algorithm=k["algorithm"],
                public_key=k.get("public_key"),
                secret=k.get("secret"),
                key_id=k.get("key_id"),
            )
            for k in args.get("keys", [])
        ],
        issuers=args.get("issuers", ()),
        audiences=args.get("audiences", ()),
        required_claims=args.get("required_claims", ()),
        leeway_seconds=args.get("leeway_seconds", 60),
    )


def authenticate(args: dict[str, Any]) -> dict[str, Any]:
    return {"claims": verifier_for(args).authenticate(args["token"])}


def authorize_request(args: dict[str, Any]) -> dict[str, Any]:
    """Every field of the answer; ``run`` keeps those the case names. A problem's random
    decision id is written ``<decision id>``."""
    r = args["request"]
    options = args.get("request_options", {})
    answer = engine(args).authorize_request(
        verifier_for(args),
        args["rule"],
        HttpRequest(
            r["method"], r["target"], [tuple(h) for h in r["headers"]], r.get("client_address")
        ),
        include_headers=options.get("include_headers"),
        token_optional=options.get("token_optional", False),
    )
    problem = None if answer.problem is None else dict(answer.problem)
    if problem is not None and "decision_id" in problem:
        problem["decision_id"] = "<decision id>"
    decision = answer.decision
    return {
        "status": answer.status,
        "allowed": answer.allowed,
        "result": decision.result if decision is not None and decision.defined else None,
        "claims": answer.claims,
        "input": answer.input,
        "problem": problem,
        "www_authenticate": answer.www_authenticate,
        "error": None if answer.error is None else answer.error.code,
    }


def audit_verify(args: dict[str, Any]) -> dict[str, Any]:
    report = verify_audit_log(
        FIXTURES / args["log"], args["key"], expected_head=args.get("expected_head")
    )
    return dataclasses.asdict(report)


def evaluate(args: dict[str, Any]) -> dict[str, Any]:
    policy = engine(args)
    if "input_json" in args:
        decision = policy.evaluate_json(args["path"], args["input_json"])
    elif "input" in args and args["input"] is None:
        # evaluate(input=None) means {}; an explicit JSON null goes as text.
        decision = policy.evaluate_json(args["path"], "null")
    else:
        decision = policy.evaluate(args["path"], args.get("input"))
    return decision_value(decision)


def query(args: dict[str, Any]) -> dict[str, Any]:
    policy = engine(args)
    if "input" in args and args["input"] is None:
        return {"rows": policy.query_json(args["query"], "null").rows}
    return {"rows": policy.query(args["query"], args.get("input")).rows}


def canonicalize(args: dict[str, Any]) -> dict[str, Any]:
    return {"canonical": canonicalize_json(args["json"]), "sha256": hash_json(args["json"])}


OPS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "evaluate": evaluate,
    "allowed": allowed,
    "bundle_evaluate": bundle_evaluate,
    "authenticate": authenticate,
    "authorize_request": authorize_request,
    "audit_verify": audit_verify,
    "query": query,
    "mask_text": lambda args: {"text": masker(args).mask_text(args["text"])},
    "mask_value": lambda args: {"value": masker(args).mask_value(args["value"])},
    "scan": lambda args: {
        "findings": [
            {
                "type": f.type,
                "start": f.start,
                "end": f.end,
                "start_utf16": f.start_utf16,
                "end_utf16": f.end_utf16,
            }
            for f in masker(args).scan(args["text"])
        ]
    },
    "canonicalize": canonicalize,
}


def run(case: dict[str, Any]) -> dict[str, Any]:
    """The case's outcome in the shape of its ``expect``."""
    try:
        out = OPS[case["op"]](case["args"])
        for optional in ("revision", "bundle_revision"):
            if optional not in case["expect"]:
                out.pop(optional, None)
        if case["op"] == "authorize_request":
            out = {k: v for k, v in out.items() if k in case["expect"]}
        return out
    except CoreSdkError as e:
        out: dict[str, Any] = {"error": e.code}
        if e.location is not None:
            out["location"] = {
                "file": e.location.file,
                "line": e.location.line,
                "column": e.location.column,
            }
        return out


# --- comparing -------------------------------------------------------------------------


def same(got: Any, want: Any) -> bool:
    """JSON equality with JSON types respected (``True`` is not ``1``) and numbers compared
    as doubles (``1 == 1.0``), the way every language's runner compares."""
    if isinstance(got, bool) or isinstance(want, bool):
        return type(got) is type(want) and got == want
    if isinstance(got, (int, float)) and isinstance(want, (int, float)):
        return float(got) == float(want)
    if isinstance(got, list) and isinstance(want, list):
        return len(got) == len(want) and all(same(g, w) for g, w in zip(got, want))
    if isinstance(got, dict) and isinstance(want, dict):
        return got.keys() == want.keys() and all(same(got[k], want[k]) for k in got)
    return type(got) is type(want) and got == want


def test_same_respects_json_types() -> None:
    assert same({"a": [1, 2.0]}, {"a": [1.0, 2]})
    assert not same(True, 1)
    assert not same([1], [True])
    assert not same(0, False)
    assert not same(None, {})
    assert not same({"a": 1}, {"a": 1, "b": None})


def test_the_fixture_corpus_is_there() -> None:
    cases = load_cases()
    assert len(cases) >= 150, f"only {len(cases)} cases under {FIXTURES}"
    ids = [case["id"] for case in cases]
    assert len(set(ids)) == len(ids), "duplicate case ids"
    unknown = set(expected_failures()) - set(ids)
    assert not unknown, f"expected-failures.json names unknown cases: {sorted(unknown)}"
    assert {case["op"] for case in cases} <= OPS.keys()


@pytest.mark.parametrize("case", params())
def test_fixture(case: dict[str, Any]) -> None:
    got = run(case)
    want = case["expect"]
    assert same(got, want), (
        f"{case['id']}: {case['description']}\n"
        f"  want {json.dumps(want, ensure_ascii=False, sort_keys=True)}\n"
        f"   got {json.dumps(got, ensure_ascii=False, sort_keys=True)}"
    )
