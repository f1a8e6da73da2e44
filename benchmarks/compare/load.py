"""Constant-rate load (issue 6): an HTTP service that authorizes every request, driven at a
fixed rate on loopback by vegeta (open loop: requests go out on schedule whether or not
earlier ones have answered). Three services: Node `http` with CoreSDK in process, a Python
ASGI app (uvicorn) with CoreSDK in process, and the same Node service calling an OPA server
instead. Reports the p99 of the request (vegeta) and of the decision alone (timed inside
the service), and checks every response was a 200 with the expected decision.

    target/bench/venv/bin/python benchmarks/compare/load.py --out target/bench/results/load.json [--size smoke|full]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import subprocess
import sys
import time
from pathlib import Path

from stats import format_us, percentile, write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "target/bench/bin"
EXAMPLE = ROOT / "packages/coresdk/examples/rbac"
# (method, path, user) -> the decision of OPA's RBAC example.
TARGETS = [
    ("GET", "/pets/dog", "alice", True),
    ("PUT", "/pets/cat", "bob", True),
    ("PUT", "/pets/dog", "eve", False),
]


def wait_ready(port: int, path: str = "/__stats") -> None:
    for _ in range(400):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"service on port {port} did not start")


def fetch(port: int, method: str, path: str, user: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request(method, path, headers={"x-user": user})
    return conn.getresponse().read()


def attack(port: int, rate: int, seconds: float) -> dict:
    targets = "\n\n".join(f"{m} http://127.0.0.1:{port}{p}\nx-user: {u}" for m, p, u, _ in TARGETS)
    attack = subprocess.run(
        [
            str(BIN / "vegeta"),
            "attack",
            f"-rate={rate}/s",
            f"-duration={seconds}s",
            "-keepalive=true",
        ],
        input=targets.encode(),
        capture_output=True,
        check=True,
    )
    report = subprocess.run(
        [str(BIN / "vegeta"), "report", "-type=json"],
        input=attack.stdout,
        capture_output=True,
        check=True,
    )
    return json.loads(report.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "target/bench/results/load.json"))
    parser.add_argument("--size", choices=("smoke", "full"), default="full")
    args = parser.parse_args()
    rate, seconds = (200, 2) if args.size == "smoke" else (1000, 60)
    base = 21000 + random.randrange(1000)
    opa = subprocess.Popen(
        [
            str(BIN / "opa"),
            "run",
            "--server",
            "--addr",
            f"127.0.0.1:{base}",
            "--log-level",
            "error",
            str(EXAMPLE / "policy.rego"),
            str(EXAMPLE / "data.json"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    services = {
        "Node `http` + CoreSDK `evaluateSync`": [
            "node",
            "benchmarks/compare/load_service.mjs",
            "--port",
            str(base + 1),
            "--engine",
            "coresdk",
        ],
        "Python ASGI (uvicorn) + CoreSDK `evaluate`": [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            "benchmarks/compare",
            "load_service:app",
            "--port",
            str(base + 2),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        "Node `http` + OPA server (keep-alive)": [
            "node",
            "benchmarks/compare/load_service.mjs",
            "--port",
            str(base + 3),
            "--engine",
            "opa",
            "--opa",
            str(base),
        ],
    }
    rows, raw = [], {}
    try:
        wait_ready(base, "/health")
        for i, (label, cmd) in enumerate(services.items(), start=1):
            proc = subprocess.Popen(
                cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            try:
                port = base + i
                wait_ready(port)
                for method, path, user, expect in TARGETS:
                    got = json.loads(fetch(port, method, path, user))["allow"]
                    if got is not expect:
                        raise SystemExit(
                            f"{label}: {user} {method} {path} -> {got}, expected {expect}"
                        )
                attack(port, rate, 1)  # warm-up
                fetch(port, "GET", "/__stats", "")
                result = attack(port, rate, seconds)
                decisions = json.loads(fetch(port, "GET", "/__stats", ""))
            finally:
                proc.kill()
                proc.wait()
            lat = result["latencies"]
            raw[label] = {
                "vegeta": result,
                "decision_p50_us": percentile(decisions, 50),
                "decision_p99_us": percentile(decisions, 99),
                "decisions": len(decisions),
            }
            rows.append(
                [
                    label,
                    f"{result['requests']:,}",
                    f"{result['throughput']:,.0f}/s",
                    f"{result['success'] * 100:.2f}%",
                    format_us(lat["50th"] / 1000),
                    format_us(lat["99th"] / 1000),
                    format_us(percentile(decisions, 50)),
                    format_us(percentile(decisions, 99)),
                ]
            )
    finally:
        opa.kill()
    table = {
        "title": f"Load: {rate:,} requests/s for {seconds} s on loopback (vegeta, open loop), OPA's RBAC example",
        "columns": [
            "service",
            "requests",
            "throughput",
            "2xx",
            "request p50",
            "request p99",
            "decision p50",
            "decision p99",
        ],
        "rows": rows,
        "notes": [
            "Each service answered the three request kinds with the expected decision before the run. Request latency is vegeta's (send to last byte); decision latency is timed inside the service around the decision call (for the OPA row: the HTTP call to the OPA server).",
            "vegeta, the service and OPA share the machine's 2 cores.",
        ],
    }
    write_result(
        args.out,
        {
            "suite": "load",
            "command": f"target/bench/venv/bin/python benchmarks/compare/load.py --size {args.size}",
            "tables": [table],
            "raw": raw,
        },
    )


if __name__ == "__main__":
    main()
