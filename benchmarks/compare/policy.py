"""Policy evaluation from Python, side by side (issue 6): CoreSDK `PolicyEngine.evaluate`
(with and without the decision cache) against the OPA REST server (`opa run --server` on
loopback) called over a keep-alive connection, on the workloads that
`benchmarks/compare/policy.mjs` writes to target/bench/workloads (run that first). Every
engine must return the expected decision for every input before timing and on every timed
call. One caller is the calling thread; two callers are two threads (CoreSDK releases the
GIL while evaluating; each OPA caller has its own connection).

    target/bench/venv/bin/python benchmarks/compare/policy.py --out target/bench/results/policy-python.json [--size smoke|full]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from pathlib import Path
from typing import Any, Callable

import opa_server  # noqa: E402
from coresdk import DecisionCache, PolicyEngine
from stats import format_us, percentile, ratio_label, spread, write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "target/bench/workloads"
NAMES = ("rbac", "abac", "large")


class OpaServer:
    """`opa run --server` on a loopback port with every workload loaded."""

    def __init__(self) -> None:
        files = [str(WORK / n / f) for n in NAMES for f in ("policy.rego", "data.json")]
        self.proc, self.port = opa_server.start(files, 19181)

    def caller(self, entrypoint: str) -> Callable[[Any], Any]:
        """A decision function with its own keep-alive connection (one per thread)."""
        local = threading.local()

        def decide(input: Any) -> Any:
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            body = json.dumps({"input": input})
            local.conn.request(
                "POST", f"/v1/data/{entrypoint}", body, {"content-type": "application/json"}
            )
            response = local.conn.getresponse()
            return json.loads(response.read()).get("result")

        return decide


def measure(
    decide: Callable[[Any], Any], cases: list[dict[str, Any]], seconds: float, callers: int
) -> tuple[float, list[float]]:
    """Decisions/s of `callers` threads for `seconds`, and per-call latencies in µs."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    errors: list[str] = []

    def loop(offset: int) -> None:
        n = offset
        while time.perf_counter() < deadline:
            case = cases[n % len(cases)]
            t0 = time.perf_counter_ns()
            result = decide(case["input"])
            latencies.append((time.perf_counter_ns() - t0) / 1000)
            if result != case["expect"]:
                errors.append(f"wrong decision {result!r} for {case['input']!r}")
                return
            n += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(errors[0])
    return len(latencies) / (time.perf_counter() - start), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "target/bench/results/policy-python.json"))
    parser.add_argument("--size", choices=("smoke", "full"), default="full")
    args = parser.parse_args()
    seconds, rounds = (0.2, 1) if args.size == "smoke" else (2.0, 5)
    server = OpaServer()
    tables, raw = [], {}
    try:
        for name in NAMES:
            spec = json.loads((WORK / name / "cases.json").read_text())
            cases = spec["inputs"]
            path = "data." + spec["entrypoint"].replace("/", ".")
            modules = {"p.rego": (WORK / name / "policy.rego").read_text()}
            data = json.loads((WORK / name / "data.json").read_text())
            plain = PolicyEngine(modules=modules, data=data)
            cached = PolicyEngine(
                modules=modules, data=data, cache=DecisionCache(max_entries=10_000, ttl_ms=600_000)
            )
            engines: list[tuple[str, Callable[[Any], Any]]] = [
                ("CoreSDK Python `evaluate`", lambda i, e=plain, p=path: e.evaluate(p, i).result),
                (
                    "CoreSDK Python `evaluate` + decision cache (hits)",
                    lambda i, e=cached, p=path: e.evaluate(p, i).result,
                ),
                (
                    "OPA REST server from Python (keep-alive, http.client)",
                    server.caller(spec["entrypoint"]),
                ),
            ]
            for label, decide in engines:  # agreement, then warm-up
                for case in cases:
                    if decide(case["input"]) != case["expect"]:
                        raise SystemExit(f"{name}: {label} disagrees on {case['input']!r}")
                measure(decide, cases, seconds / 2, 1)
            runs: dict[str, dict[str, list[float]]] = {
                label: {"one": [], "two": [], "lat": []} for label, _ in engines
            }
            for _ in range(rounds):
                for label, decide in engines:
                    rate, lat = measure(decide, cases, seconds, 1)
                    runs[label]["one"].append(rate)
                    runs[label]["lat"].extend(lat)
                    runs[label]["two"].append(measure(decide, cases, seconds, 2)[0])
            base = statistics.median(runs[engines[0][0]]["one"])
            rows = []
            for i, (label, _) in enumerate(engines):
                r = runs[label]
                rate = statistics.median(r["one"])
                versus = (
                    "baseline"
                    if i == 0
                    else f"{rate / base:.2f}× the uncached rate"
                    if "cache" in label
                    else ratio_label(base, rate)
                )
                rows.append(
                    [
                        label,
                        format_us(percentile(r["lat"], 50)),
                        format_us(percentile(r["lat"], 99)),
                        f"{rate:,.0f}",
                        f"{statistics.median(r['two']):,.0f}",
                        f"{spread(r['one'])}%",
                        versus,
                    ]
                )
            raw[name] = {
                label: {
                    "one": r["one"],
                    "two": r["two"],
                    "p50": percentile(r["lat"], 50),
                    "p99": percentile(r["lat"], 99),
                }
                for label, r in runs.items()
            }
            tables.append(
                {
                    "title": f"Policy `{name}` from Python: {spec['description']}",
                    "columns": [
                        "engine",
                        "p50",
                        "p99",
                        "decisions/s, 1 caller",
                        "decisions/s, 2 threads",
                        "spread (1 caller)",
                        "vs CoreSDK `evaluate`",
                    ],
                    "rows": rows,
                    "notes": [
                        f"All engines returned the expected decisions ({', '.join(str(c['expect']).lower() for c in cases)}) before timing and on every timed call; {rounds} interleaved rounds of {seconds} s each."
                    ],
                }
            )
    finally:
        server.proc.kill()
    write_result(
        args.out,
        {
            "suite": "policy-python",
            "command": f"target/bench/venv/bin/python benchmarks/compare/policy.py --size {args.size}",
            "tables": tables,
            "raw": raw,
        },
    )


if __name__ == "__main__":
    main()
