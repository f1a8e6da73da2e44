"""The ``coresdk`` command line: every case of ``fixtures/cli/cases.json`` (the cases
Node's CLI is tested with, packages/coresdk/test/cli.test.ts), run as ``python -m
coresdk`` and through ``coresdk.cli.main``; the shipped RBAC example is the npm one."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import coresdk
import pytest
from coresdk import cli

ROOT = Path(__file__).resolve().parents[3]
CASES = json.loads((ROOT / "fixtures" / "cli" / "cases.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def audit_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The audit log, tampered log and key files of ``audit_setup``, made with the library."""
    setup = CASES["audit_setup"]
    tmp = tmp_path_factory.mktemp("cli-audit")
    store = {"keys": {setup["key_id"]: {"type": "hmac", "base64": setup["secret_base64"]}}}
    keys, open_keys = tmp / "keys.json", tmp / "keys-open.json"
    for path, mode in ((keys, 0o600), (open_keys, 0o644)):
        path.write_text(json.dumps(store), encoding="utf-8")
        os.chmod(path, mode)
    example = cli.EXAMPLE_DIR
    engine = coresdk.PolicyEngine(paths=[example / "policy.rego"])
    engine.add_data_json((example / "data.json").read_bytes())
    log_path = tmp / "audit.jsonl"
    log = coresdk.AuditLog(log_path, key_file=keys, key_id=setup["key_id"])
    for d in setup["decisions"]:
        log.append(engine.evaluate(d["path"], d["input"]), d["path"], d["input"])
    lines = log_path.read_text(encoding="utf-8").split("\n")
    tamper = setup["tamper"]
    edited = lines[tamper["line"] - 1].replace(tamper["replace"], tamper["with"], 1)
    assert edited != lines[tamper["line"] - 1]
    lines[tamper["line"] - 1] = edited
    tampered = tmp / "tampered.jsonl"
    tampered.write_text("\n".join(lines), encoding="utf-8")
    return {
        "audit_log": str(log_path),
        "tampered_log": str(tampered),
        "keys": str(keys),
        "keys_world_readable": str(open_keys),
        "audit_head": log.head,
        "version": coresdk.__version__,
    }


def _fill(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def _check(case: dict[str, Any], values: dict[str, str], code: int, out: str, err: str) -> None:
    """Asserts one run against its case: exit code, then stdout or stderr."""
    assert code == case["exit"], (out, err)
    if "stdout" in case:
        assert out == _fill(case["stdout"], values)
    if "stdout_json" in case:
        parsed = json.loads(out)
        # The text is JSON.stringify(value, null, 2) (the independent oracle: the stdlib).
        assert out == json.dumps(parsed, indent=2, ensure_ascii=False) + "\n"
        for key in case.get("ignore", []):
            assert key in parsed
            del parsed[key]
        # Compared as text, so key order counts too.
        assert json.dumps(parsed) == _fill(json.dumps(case["stdout_json"]), values)
        if "stderr" not in case:
            assert err == ""
    if "stderr" in case:
        assert err == _fill(case["stderr"], values)
    if "stderr_prefix" in case:
        assert err.startswith(_fill(case["stderr_prefix"], values)), err
        assert out == ""


IDS = [c["id"] for c in CASES["cases"]]


@pytest.mark.parametrize("case", CASES["cases"], ids=IDS)
def test_python_m_coresdk(case: dict[str, Any], audit_files: dict[str, str]) -> None:
    argv = [_fill(a, audit_files) for a in case["argv"]]
    r = subprocess.run(
        [sys.executable, "-m", "coresdk", *argv],
        input=case.get("stdin", "").encode("utf-8"),
        capture_output=True,
        cwd=ROOT,
        timeout=60,
    )
    _check(case, audit_files, r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8"))


@pytest.mark.parametrize("case", CASES["cases"], ids=IDS)
def test_main(
    case: dict[str, Any],
    audit_files: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(ROOT)
    stdin = io.TextIOWrapper(io.BytesIO(case.get("stdin", "").encode("utf-8")))
    monkeypatch.setattr(sys, "stdin", stdin)
    code = cli.main([_fill(a, audit_files) for a in case["argv"]])
    out, err = capfd.readouterr()
    _check(case, audit_files, code, out, err)


def test_the_example_is_the_npm_packages() -> None:
    """The RBAC example shipped in the wheel is byte for byte the npm package's."""
    npm = ROOT / "packages" / "coresdk" / "examples" / "rbac"
    names = sorted(p.name for p in npm.iterdir())
    assert names == sorted(p.name for p in cli.EXAMPLE_DIR.iterdir() if p.is_file())
    for name in names:
        assert (cli.EXAMPLE_DIR / name).read_bytes() == (npm / name).read_bytes(), name


def test_the_key_file_is_the_library_key_store(audit_files: dict[str, str]) -> None:
    """A log written with ``key_file`` verifies with the same ``key_file``, in the
    library and in the CLI (the raw bytes of the key file are not the key)."""
    report = coresdk.verify_audit_log(
        audit_files["audit_log"],
        key_file=audit_files["keys"],
        expected_head=audit_files["audit_head"],
    )
    assert report == coresdk.AuditReport(True, 2, 0, audit_files["audit_head"], None, None)
    secret = base64.b64decode(CASES["audit_setup"]["secret_base64"])
    assert coresdk.verify_audit_log(audit_files["audit_log"], secret).intact
    with pytest.raises(coresdk.CoreSdkError) as refused:
        coresdk.verify_audit_log(
            audit_files["audit_log"], key_file=audit_files["keys_world_readable"]
        )
    assert refused.value.code == "KEY_UNAVAILABLE"
    with pytest.raises(coresdk.CoreSdkError) as both:
        coresdk.verify_audit_log(audit_files["audit_log"], secret, key_file=audit_files["keys"])
    assert both.value.code == "INVALID_ARGUMENT"


@pytest.mark.parametrize(
    ("value", "js"),
    [
        (1.0, "1"),
        (-0.0, "0"),
        (7.5, "7.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (-1.5e-10, "-1.5e-10"),
        (2**53 + 1, "9007199254740992"),
        (12345678901234567890, "12345678901234567000"),
        (10**400, "null"),
    ],
)
def test_numbers_print_as_javascript_prints_them(value: float, js: str) -> None:
    """Node's CLI prints JSON.parse'd numbers; these are String(x) in Node 20."""
    assert cli._js_json(value) == js


def test_objects_print_in_javascript_property_order() -> None:
    """JSON.stringify puts array-index keys first, ascending; other keys keep their order."""
    assert cli._js_json({"b": 1, "10": [], "2": {}, "a": [True, None]}) == (
        '{\n  "2": {},\n  "10": [],\n  "b": 1,\n  "a": [\n    true,\n    null\n  ]\n}'
    )
