"""The audit log from Python: records, verification, tampering, threads, the CLI's format."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from codes import raises
from coresdk import AuditLog, PolicyEngine, verify_audit_log

KEY = b"audit-test-key"


def engine() -> PolicyEngine:
    return PolicyEngine(modules={"a.rego": 'package a\nallow if input.user == "alice"\n'})


def test_append_verify_and_mask(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, key=KEY, checkpoint_every=3)
    e = engine()
    for user in ["alice", "bob", "carol", "dave"]:
        decision = e.evaluate("data.a.allow", {"user": user, "email": f"{user}@example.com"})
        log.append(decision, "data.a.allow", {"user": user, "email": f"{user}@example.com"})
    report = verify_audit_log(path, KEY, expected_head=log.head)
    assert (report.intact, report.records, report.checkpoints) == (True, 5, 1)
    text = path.read_text()
    assert "@example.com" not in text
    first = json.loads(text.splitlines()[0])
    assert (first["seq"], first["result"], first["defined"]) == (0, True, True)
    assert first["input"]["email"] == "[REDACTED:EMAIL]"


def test_tampering_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, key=KEY, checkpoint_every=100)
    e = engine()
    for i in range(5):
        log.append(e.evaluate("data.a.allow", {"user": f"u{i}"}), "data.a.allow", {"n": i})
    lines = path.read_bytes().splitlines(keepends=True)
    edited = lines[2].replace(b'"n":2', b'"n":3')
    assert edited != lines[2]
    cases = {
        "hash": b"".join(lines[:2] + [edited] + lines[3:]),
        "sequence": b"".join(lines[:2] + lines[3:]),
        "truncated": b"".join(lines[:4]),
    }
    for reason, data in cases.items():
        report = verify_audit_log(data, KEY, expected_head=log.head)
        assert not report.intact
        assert report.reason == reason
        assert report.line == (5 if reason == "truncated" else 3)
    assert verify_audit_log(path, b"wrong").reason == "hmac"
    with raises("INTEGRITY"):
        AuditLog(path, key=b"wrong")


def test_threads_append_to_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, key=KEY, checkpoint_every=10, fsync_every_record=False)
    decision = engine().evaluate("data.a.allow", {"user": "alice"})

    def worker() -> None:
        for i in range(25):
            log.append(decision, "data.a.allow", {"i": i})

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = verify_audit_log(path, KEY, expected_head=log.head)
    assert report.intact and report.records - report.checkpoints == 100


def test_bad_arguments(tmp_path: Path) -> None:
    with raises("INVALID_ARGUMENT"):
        AuditLog(tmp_path / "a.jsonl", key=b"")
    with raises("INVALID_ARGUMENT"):
        AuditLog(tmp_path / "a.jsonl", key=123)  # type: ignore[arg-type]
    log = AuditLog(tmp_path / "b.jsonl", key=KEY)
    with raises("INVALID_ARGUMENT"):
        log.append(engine().evaluate("data.a.allow"), "q", {1, 2})


def test_key_file_must_be_private(tmp_path: Path) -> None:
    import base64
    import os

    key_file = tmp_path / "keys.json"
    key_file.write_text(
        json.dumps({"keys": {"audit": {"type": "hmac", "base64": base64.b64encode(KEY).decode()}}})
    )
    os.chmod(key_file, 0o600)
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, key_file=key_file)
    log.append(engine().evaluate("data.a.allow", {"user": "alice"}), "data.a.allow")
    assert verify_audit_log(path, KEY).intact
    with raises("KEY_UNAVAILABLE"):
        AuditLog(path, key_file=key_file, key_id="other")
    os.chmod(key_file, 0o644)
    with raises("KEY_UNAVAILABLE"):
        AuditLog(path, key_file=key_file)
    with raises("INVALID_ARGUMENT"):
        AuditLog(path)


class HmacProvider:
    """A stand-in for a KMS client: keys by id, HMAC computed in Python."""

    def __init__(self) -> None:
        self.calls = 0

    def hmac(self, key_id: str, data: bytes) -> bytes:
        import hashlib
        import hmac

        self.calls += 1
        if key_id != "kms-audit":
            raise KeyError(key_id)
        return hmac.new(KEY, data, hashlib.sha256).digest()


class BrokenProvider:
    def hmac(self, key_id: str, data: bytes) -> str:
        return "not bytes"


def test_a_python_key_provider(tmp_path: Path) -> None:
    provider = HmacProvider()
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, key_provider=provider, key_id="kms-audit")

    def worker() -> None:
        for i in range(10):
            log.append(engine().evaluate("data.a.allow", {"user": "alice"}), "q", {"i": i})

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert provider.calls >= 31
    report = verify_audit_log(path, KEY, expected_head=log.head)
    assert report.intact and report.records == 30
    with raises("KEY_UNAVAILABLE"):
        AuditLog(tmp_path / "x.jsonl", key_provider=provider, key_id="other")
    with raises("KEY_UNAVAILABLE"):
        AuditLog(tmp_path / "y.jsonl", key_provider=BrokenProvider())  # type: ignore[arg-type]
    with raises("INVALID_ARGUMENT"):
        AuditLog(tmp_path / "z.jsonl", key=KEY, key_provider=provider)
