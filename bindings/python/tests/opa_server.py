"""A real OPA server (v1.22.2, built from the Go module proxy by
``tests/differential/setup.sh --opa-only`` into ``target/bench/bin/opa``) on a loopback
port, for the tests that compare with OPA. Without the binary the tests are skipped,
unless ``CORESDK_REQUIRE_OPA`` is set (``scripts/test.sh`` sets it): then they fail."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

OPA = Path(__file__).resolve().parents[3] / "target" / "bench" / "bin" / "opa"


def opa_binary() -> Path:
    if OPA.exists():
        return OPA
    if os.environ.get("CORESDK_REQUIRE_OPA"):
        pytest.fail(
            f"OPA is required and missing at {OPA}: run tests/differential/setup.sh --opa-only"
        )
    pytest.skip(f"no OPA at {OPA} (tests/differential/setup.sh --opa-only builds it)")


def put_policy(url: str, name: str, source: str) -> None:
    """Loads (or replaces) a module in the running server: PUT /v1/policies/<name>."""
    request = urllib.request.Request(
        f"{url}/v1/policies/{name}",
        data=source.encode(),
        method="PUT",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request, timeout=10) as res:
        assert res.status == 200, res.read()


@contextmanager
def opa_server() -> Iterator[str]:
    """``opa run --server`` on a free loopback port; yields its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            str(opa_binary()),
            "run",
            "--server",
            "--addr",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1) as res:
                    if json.loads(res.read() or b"{}") == {}:
                        break
            except OSError as e:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"OPA did not start: {process.stderr.read() if process.stderr else ''}"
                    ) from e
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        if process.stderr is not None:
            process.stderr.close()
