"""`opa run --server` on a free loopback port, for the comparison scripts."""

from __future__ import annotations

import http.client
import random
import subprocess
import time
from pathlib import Path

OPA = Path(__file__).resolve().parents[2] / "target/bench/bin/opa"


def start(files: list[str], base_port: int) -> tuple[subprocess.Popen[bytes], int]:
    """Starts OPA with `files` loaded on a port near `base_port`, once `/health` answers."""
    port = base_port + random.randrange(1000)
    proc = subprocess.Popen(
        [
            str(OPA),
            "run",
            "--server",
            "--addr",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
            *files,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("opa server did not start")
