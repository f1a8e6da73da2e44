"""OPA bundles: loading, signatures, the HTTP poller against a real loopback server, and
directory watching."""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from codes import raises
from coresdk import AwsSigning, BundleVerification, CoreSdkError, PolicyEngine

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "bundles"
HS256 = BundleVerification(algorithm="HS256", secret="coresdk-test-secret", key_id="test")


def tar_gz(files: dict[str, str]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue())


def versioned_bundle(version: int) -> bytes:
    return tar_gz(
        {
            ".manifest": json.dumps({"revision": f"v{version}", "roots": ["app"]}),
            "app/policy.rego": f"package app\nversion := {version}\n"
            "allow if input.user == data.app.admin\n",
            "app/data.json": '{"admin": "alice"}',
        }
    )


def version(engine: PolicyEngine) -> Any:
    try:
        return engine.evaluate("data.app.version").result
    except CoreSdkError:
        return None


def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_load_bundle_activates_modules_data_and_revision() -> None:
    engine = PolicyEngine(modules={"old.rego": "package old\nx := 1\n"})
    assert engine.load_bundle(versioned_bundle(1)) == 2
    decision = engine.evaluate("data.app.allow", {"user": "alice"})
    assert (decision.result, decision.bundle_revision) == (True, "v1")
    assert engine.bundle_revision == "v1"
    with raises("POLICY_NOT_FOUND"):
        engine.evaluate("data.old.x")


def test_bad_bundles_are_rejected_and_the_old_one_serves() -> None:
    engine = PolicyEngine()
    engine.load_bundle(versioned_bundle(1))
    with raises("BUNDLE_INVALID"):
        engine.load_bundle(b"not a tarball")
    with raises("POLICY_PARSE"):
        engine.load_bundle(tar_gz({"app/p.rego": "package app\nversion := \n"}))
    with raises("BUNDLE_INVALID"):
        engine.load_bundle(
            tar_gz({".manifest": '{"roots":["other"]}', "app/p.rego": "package app\nx := 1\n"})
        )
    assert (engine.revision, version(engine)) == (1, 1)
    assert engine.metrics()["reloads"]["failure"] == 3


def test_signatures_are_verified_with_the_committed_fixture_bundles() -> None:
    engine = PolicyEngine()
    signed = (FIXTURES / "rbac-signed-hs256.tar.gz").read_bytes()
    assert engine.load_bundle(signed, verification=HS256) == 1
    assert engine.evaluate("data.rbac.allow", {"user": "alice"}).result is True
    with raises("INTEGRITY"):
        engine.load_bundle_path(FIXTURES / "rbac-tampered.tar.gz", verification=HS256)
    with raises("INTEGRITY"):
        engine.load_bundle_path(FIXTURES / "rbac.tar.gz", verification=HS256)
    wrong = BundleVerification(algorithm="HS256", secret=b"another-secret", key_id="test")
    with raises("INTEGRITY"):
        engine.load_bundle(signed, verification=wrong)
    assert engine.revision == 1
    # Without a key the signature file is not checked.
    assert engine.load_bundle_path(FIXTURES / "rbac-tampered.tar.gz") == 2


@pytest.mark.parametrize(
    "verification",
    [
        BundleVerification(algorithm="none"),
        BundleVerification(algorithm="HS256"),
        BundleVerification(algorithm="RS256", secret="x"),
    ],
)
def test_unusable_verification_settings(verification: BundleVerification) -> None:
    with raises("INVALID_ARGUMENT"):
        PolicyEngine().load_bundle(versioned_bundle(1), verification=verification)


def test_load_bundle_path_directory_and_missing(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "p.rego").write_text("package app\nversion := data.app.v\n")
    (tmp_path / "app" / "data.json").write_text('{"v": 7}')
    engine = PolicyEngine()
    engine.load_bundle_path(tmp_path)
    assert version(engine) == 7
    with raises("SOURCE_UNAVAILABLE"):
        engine.load_bundle_path(tmp_path / "missing.tar.gz")


class _Server:
    """A bundle server on loopback: serves ``bundle`` with ``etag``, 304 on a match, 503
    when ``bundle`` is None."""

    def __init__(self, bundle: bytes | None, etag: str) -> None:
        self.bundle, self.etag = bundle, etag
        self.seen: list[tuple[str | None, int]] = []
        self.authorizations: list[str | None] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                tag = self.headers.get("If-None-Match")
                status = 503 if server.bundle is None else 304 if tag == server.etag else 200
                server.seen.append((tag, status))
                server.authorizations.append(self.headers.get("Authorization"))
                self.send_response(status)
                self.send_header("ETag", server.etag)
                body = server.bundle if status == 200 and server.bundle else b""
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/bundles/app.tar.gz"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server() -> Iterator[_Server]:
    s = _Server(versioned_bundle(1), '"e1"')
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def test_poller_etag_304_update_and_outage(server: _Server) -> None:
    engine = PolicyEngine()
    with engine.start_bundle_polling(server.url, min_delay_ms=20, max_delay_ms=40, timeout_ms=2000):
        assert eventually(lambda: version(engine) == 1)
        assert engine.evaluate("data.app.version").bundle_revision == "v1"
        assert eventually(lambda: ('"e1"', 304) in server.seen)

        server.bundle, server.etag = versioned_bundle(2), '"e2"'
        assert eventually(lambda: version(engine) == 2)

        server.bundle = None
        assert eventually(lambda: engine.metrics()["source"]["consecutive_failures"] >= 2)
        source = engine.metrics()["source"]
        assert (source["kind"], source["state"], source["updates"]) == ("http", "failing", 2)
        assert source["last_error"]["code"] == "SOURCE_UNAVAILABLE"
        assert version(engine) == 2
        assert (
            f'coresdk_policy_source_up{{kind="http",location="{server.url}"}} 0\n'
            in engine.metrics_prometheus()
        )
    assert engine.metrics()["source"]["state"] == "stopped"


def test_poller_sends_the_token_of_a_token_file_read_for_every_poll(
    server: _Server, tmp_path: Path
) -> None:
    token = tmp_path / "token"
    token.write_text("first-token\n")
    token.chmod(0o600)
    engine = PolicyEngine()
    with engine.start_bundle_polling(
        server.url, min_delay_ms=20, max_delay_ms=40, bearer_token_file=token
    ):
        assert eventually(lambda: "Bearer first-token" in server.authorizations)
        token.write_text("second-token")
        assert eventually(lambda: "Bearer second-token" in server.authorizations)
    open_file = tmp_path / "open"
    open_file.write_text("t")
    open_file.chmod(0o644)
    for path in (open_file, tmp_path / "missing"):
        with pytest.raises(CoreSdkError) as caught:
            engine.start_bundle_polling(server.url, bearer_token_file=path)
        assert caught.value.code == "KEY_UNAVAILABLE"


def test_poller_signs_requests_for_s3_compatible_stores(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The option reaches the core's signer (MinIO verifying it: bundle_s3.rs)."""
    signing = AwsSigning(region="eu-west-1", access_key_id="AKIDEXAMPLE", secret_access_key="s")
    assert "secret_access_key" not in repr(signing)
    engine = PolicyEngine()
    with engine.start_bundle_polling(
        server.url, min_delay_ms=20, max_delay_ms=40, aws_signing=signing
    ):
        assert eventually(lambda: version(engine) == 1)
    assert re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/eu-west-1/s3/aws4_request, "
        r"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}",
        server.authorizations[0] or "",
    )
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    for bad, code in (
        (AwsSigning(region="eu-west-1", access_key_id="AKID"), "INVALID_ARGUMENT"),
        (AwsSigning(region="eu-west-1", session_token="t"), "INVALID_ARGUMENT"),
        (AwsSigning(region="eu-west-1"), "KEY_UNAVAILABLE"),
    ):
        with raises(code):
            engine.start_bundle_polling(server.url, aws_signing=bad)
    with raises("INVALID_ARGUMENT"):
        engine.start_bundle_polling(server.url, aws_signing=signing, bearer_token_file="/nope")
    with raises("INVALID_ARGUMENT"):
        engine.start_bundle_polling(server.url, aws_signing={"region": "x"})  # type: ignore[arg-type]


def test_poller_last_known_good(server: _Server, tmp_path: Path) -> None:
    lkg = (tmp_path / "bundle.lkg", b"lkg-key")
    first = PolicyEngine()
    with first.start_bundle_polling(
        server.url, min_delay_ms=20, max_delay_ms=40, last_known_good=lkg
    ):
        assert eventually(lambda: first.metrics()["source"]["last_known_good"] == "stored")
    server.bundle = None  # down from now on
    second = PolicyEngine()
    with second.start_bundle_polling(
        server.url, min_delay_ms=20, max_delay_ms=40, last_known_good=lkg
    ):
        assert eventually(lambda: version(second) == 1)
        source = second.metrics()["source"]
        assert (source["state"], source["last_known_good"]) == ("failing", "restored")
    data = bytearray(lkg[0].read_bytes())
    data[-1] ^= 0xFF
    lkg[0].write_bytes(bytes(data))
    third = PolicyEngine()
    with third.start_bundle_polling(
        server.url, min_delay_ms=20, max_delay_ms=40, last_known_good=lkg
    ):
        assert eventually(lambda: third.metrics()["source"]["last_known_good"] == "rejected")
        assert third.revision == 0
    with raises("INVALID_ARGUMENT"):
        third.start_bundle_polling(server.url, last_known_good=(lkg[0], b""))


class _LkgProvider:
    """A KMS stand-in: HMAC-SHA256 under key id "kms-lkg", computed in Python."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret
        self.calls = 0

    def hmac(self, key_id: str, data: bytes) -> bytes:
        import hashlib
        import hmac

        assert key_id == "kms-lkg"
        self.calls += 1
        return hmac.new(self.secret, data, hashlib.sha256).digest()


def test_poller_last_known_good_with_a_python_key_provider(server: _Server, tmp_path: Path) -> None:
    path = tmp_path / "bundle.lkg"
    provider = _LkgProvider(b"lkg-key")
    first = PolicyEngine()
    spec = {"path": path, "key_provider": provider, "key_id": "kms-lkg"}
    with first.start_bundle_polling(
        server.url, min_delay_ms=20, max_delay_ms=40, last_known_good=spec
    ):
        assert eventually(lambda: first.metrics()["source"]["last_known_good"] == "stored")
    assert provider.calls >= 1
    server.bundle = None  # down from now on
    # The provider's HMAC is the software store's: the raw key restores the same file.
    second = PolicyEngine()
    with second.start_bundle_polling(
        server.url, min_delay_ms=20, max_delay_ms=40, last_known_good=(path, b"lkg-key")
    ):
        assert eventually(lambda: version(second) == 1)
    # A provider with another secret rejects the file whole.
    third = PolicyEngine()
    wrong = {"path": path, "key_provider": _LkgProvider(b"other"), "key_id": "kms-lkg"}
    with third.start_bundle_polling(
        server.url, min_delay_ms=20, max_delay_ms=40, last_known_good=wrong
    ):
        assert eventually(lambda: third.metrics()["source"]["last_known_good"] == "rejected")
        assert third.revision == 0
    with raises("INVALID_ARGUMENT"):
        third.start_bundle_polling(
            server.url, last_known_good={"path": path, "key": b"k", "key_provider": provider}
        )


def test_poller_rejects_bad_options() -> None:
    engine = PolicyEngine()
    with raises("INVALID_ARGUMENT"):
        engine.start_bundle_polling("ftp://x/b.tar.gz")
    with raises("INVALID_ARGUMENT"):
        engine.start_bundle_polling("http://127.0.0.1:1/b", min_delay_ms=10, max_delay_ms=5)
    with raises("INVALID_ARGUMENT"):
        engine.start_bundle_polling("http://127.0.0.1:1/b", min_delay_ms=-1)


def last_error_code(engine: PolicyEngine) -> str | None:
    error = engine.metrics()["source"]["last_error"]
    return None if error is None else str(error["code"])


def test_watch_directory_reloads_and_keeps_last_good(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    policy = tmp_path / "app" / "p.rego"
    policy.write_text("package app\nversion := 1\n")
    engine = PolicyEngine()
    with engine.watch_directory(tmp_path, debounce_ms=50):
        assert version(engine) == 1
        policy.write_text("package app\nversion := 2\n")
        assert eventually(lambda: version(engine) == 2)
        policy.write_text("package app\nversion := \n")
        # A reload may read the file while it is being written (empty: BUNDLE_INVALID);
        # the last one reads the whole text.
        assert eventually(lambda: last_error_code(engine) == "POLICY_PARSE")
        assert engine.metrics()["source"]["state"] == "failing"
        assert version(engine) == 2
        policy.write_text("package app\nversion := 3\n")
        assert eventually(lambda: version(engine) == 3)
    assert engine.metrics()["source"]["state"] == "stopped"


def test_watch_directory_bad_start(tmp_path: Path) -> None:
    with raises("INVALID_ARGUMENT"):
        PolicyEngine().watch_directory(tmp_path / "missing")
