"""Compiling a 5,000-rule policy, side by side (issue 13): CoreSDK `PolicyEngine.add_module`
from Python against the OPA REST server's `PUT /v1/policies` (OPA compiles on upload), the
first decision after the load and the steady decision latency; then what a reload does to
decisions in flight: one thread decides in a loop on the serving revision while another
loads a changed 5,000-rule module, and the latencies before, during and after are compared.
The policy has the shape of the `large` workload (method, path and roles per rule).

    target/bench/venv/bin/python benchmarks/compare/compile.py --out target/bench/results/compile.json [--size smoke|full]
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
from coresdk import PolicyEngine
from stats import format_us, percentile, write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("GET", "POST", "PUT", "DELETE")
ENTRYPOINT = "big/allow"


def policy(rules: int, salt: str) -> str:
    """`rules` allow rules; `salt` changes the paths so a reload is a real change."""
    body = "\n".join(
        f'allow if {{\n\tinput.method == "{METHODS[i % 4]}"\n'
        f'\tinput.path == "/svc/{salt}{i}/items"\n\t"role{i % 25}" in input.roles\n}}\n'
        for i in range(rules)
    )
    return f"package big\n\ndefault allow := false\n\n{body}"


def cases(rules: int, salt: str) -> list[dict[str, Any]]:
    last = rules - 1
    return [
        {
            "input": {
                "method": METHODS[last % 4],
                "path": f"/svc/{salt}{last}/items",
                "roles": [f"role{last % 25}"],
            },
            "expect": True,
        },
        {
            "input": {"method": "GET", "path": f"/svc/{salt}1/items", "roles": ["role1"]},
            "expect": False,
        },
    ]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


class Opa:
    """`opa run --server` with no policy, on a loopback port."""

    def __init__(self) -> None:
        self.proc, self.port = opa_server.start([], 21181)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request(
            method,
            path,
            body,
            {"content-type": "text/plain" if method == "PUT" else "application/json"},
        )
        response = conn.getresponse()
        return response.status, response.read()

    def load(self, text: str) -> None:
        status, body = self.request("PUT", "/v1/policies/big", text)
        if status != 200:
            raise RuntimeError(f"opa refused the policy: {body[:200]!r}")

    def caller(self) -> Callable[[Any], Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

        def decide(input: Any) -> Any:
            conn.request(
                "POST",
                f"/v1/data/{ENTRYPOINT}",
                json.dumps({"input": input}),
                {"content-type": "application/json"},
            )
            return json.loads(conn.getresponse().read()).get("result")

        return decide

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def check(result: Any, case: dict[str, Any]) -> None:
    if result != case["expect"]:
        raise RuntimeError(f"wrong decision {result!r} for {case['input']!r}")


def compile_row(
    label: str,
    load: Callable[[str], Callable[[Any], Any]],
    text: str,
    work: list[dict[str, Any]],
    runs: int,
    calls: int,
) -> tuple[list[str], dict[str, Any]]:
    """Median over `runs` fresh engines of load time and first decision, then steady p50."""
    loads, firsts, latencies = [], [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        decide = load(text)
        loads.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        check(decide(work[0]["input"]), work[0])
        firsts.append(time.perf_counter() - t0)
    for n in range(calls):
        case = work[n % len(work)]
        t0 = time.perf_counter_ns()
        check(decide(case["input"]), case)
        latencies.append((time.perf_counter_ns() - t0) / 1000)
    load_s, first_s = statistics.median(loads), statistics.median(firsts)
    raw = {"load_s": loads, "first_s": firsts, "p50_us": percentile(latencies, 50)}
    return [label, ms(load_s), ms(first_s), format_us(percentile(latencies, 50))], raw


def reload_row(
    label: str,
    decide: Callable[[Any], Any],
    reload: Callable[[], None],
    old: list[dict[str, Any]],
    new: list[dict[str, Any]],
    settle: float,
) -> tuple[list[str], dict[str, Any]]:
    """Latencies of one deciding thread before, during and after a reload on another."""
    samples: list[tuple[float, float, bool]] = []  # (start, µs, answered by the new revision)
    stop = threading.Event()
    errors: list[str] = []

    def loop() -> None:
        n = 0
        while not stop.is_set():
            case = old[n % len(old)]
            t0 = time.perf_counter()
            result = decide(case["input"])
            samples.append((t0, (time.perf_counter() - t0) * 1e6, False))
            # The old revision's last-rule input is denied by the new one: which revision
            # answered is visible in the result.
            if result != case["expect"]:
                if n % len(old) == 0 and result is False:
                    samples[-1] = (t0, samples[-1][1], True)
                else:
                    errors.append(f"wrong decision {result!r}")
                    return
            n += 1

    worker = threading.Thread(target=loop)
    worker.start()
    time.sleep(settle)
    started = time.perf_counter()
    reload()
    ended = time.perf_counter()
    time.sleep(settle)
    stop.set()
    worker.join()
    if errors:
        raise RuntimeError(errors[0])
    decide_new = new[0]
    check(decide(decide_new["input"]), decide_new)
    before = [us for t, us, _ in samples if t < started]
    during = [us for t, us, fresh in samples if started <= t < ended and not fresh]
    first_new = next((us for _, us, fresh in samples if fresh), None)
    raw = {
        "reload_s": ended - started,
        "before": len(before),
        "during": len(during),
        "first_new_us": first_new,
    }
    row = [
        label,
        ms(ended - started),
        format_us(percentile(before, 50)),
        format_us(percentile(before, 99)),
        f"{len(during):,}",
        format_us(percentile(during, 99)) if during else "—",
        format_us(max(during)) if during else "—",
        format_us(first_new) if first_new is not None else "—",
    ]
    return row, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "target/bench/results/compile.json"))
    parser.add_argument("--size", choices=("smoke", "full"), default="full")
    args = parser.parse_args()
    rules = 200 if args.size == "smoke" else 5000
    runs, calls, settle = (1, 200, 0.2) if args.size == "smoke" else (3, 3000, 1.0)
    text_a, text_b = policy(rules, "a"), policy(rules, "b")
    work_a, work_b = cases(rules, "a"), cases(rules, "b")

    def coresdk_load(text: str) -> Callable[[Any], Any]:
        engine = PolicyEngine()
        engine.add_module("big.rego", text)
        return lambda input: engine.evaluate(f"data.{ENTRYPOINT.replace('/', '.')}", input).result

    opa = Opa()
    try:

        def opa_load(text: str) -> Callable[[Any], Any]:
            opa.load(text)
            return opa.caller()

        compile_rows, raw = [], {}
        for label, load in (
            ("CoreSDK Python `add_module`", coresdk_load),
            ("OPA REST server `PUT /v1/policies`", opa_load),
        ):
            row, raw[label] = compile_row(label, load, text_a, work_a, runs, calls)
            compile_rows.append(row)

        engine = PolicyEngine()
        engine.add_module("big.rego", text_a)
        path = f"data.{ENTRYPOINT.replace('/', '.')}"
        reload_rows = []
        row, raw["reload CoreSDK"] = reload_row(
            "CoreSDK Python (`replace_modules` on another thread)",
            lambda input: engine.evaluate(path, input).result,
            lambda: engine.replace_modules({"big.rego": text_b}),
            work_a,
            work_b,
            settle,
        )
        reload_rows.append(row)
        opa.load(text_a)
        row, raw["reload OPA"] = reload_row(
            "OPA REST server (`PUT /v1/policies` on another connection)",
            opa.caller(),
            lambda: opa.load(text_b),
            work_a,
            work_b,
            settle,
        )
        reload_rows.append(row)
    finally:
        opa.close()

    tables = [
        {
            "title": f"Compiling a policy of {rules:,} rules",
            "columns": [
                "engine",
                "load (parse + compile)",
                "first decision after the load",
                "decision p50 after",
            ],
            "rows": compile_rows,
            "notes": [
                f"Median of {runs} fresh loads each; the policy has the shape of the `large` workload ({rules:,} rules over method, path and roles). OPA compiles when the policy is uploaded; the time is the whole PUT round trip on loopback.",
                "A snapshot keeps up to one copy of its engine per core, each used by one evaluation at a time: copy 0 is a clone of the compiled snapshot (nothing rebuilt), the others replicas built when a thread first uses them (the module parsed again and prepared, rule index included); this row decides on one thread.",
                f"Decision p50 over {calls:,} calls on one thread (OPA: keep-alive HTTP).",
            ],
        },
        {
            "title": f"Deciding while a {rules:,}-rule reload compiles",
            "columns": [
                "engine",
                "reload",
                "p50 before",
                "p99 before",
                "decisions during the reload",
                "p99 during",
                "slowest during",
                "first decision on the new revision",
            ],
            "rows": reload_rows,
            "notes": [
                f"One thread decides in a loop on the serving revision; after {settle:g} s another loads a changed module of the same size; every decision is checked against the revision that answered it.",
                "CoreSDK compiles the new revision beside the one serving and publishes it whole; the first decision on it runs on a copy of the compiled snapshot or, on a thread that uses another copy, builds that replica.",
            ],
        },
    ]
    write_result(
        args.out,
        {
            "suite": "compile",
            "command": f"target/bench/venv/bin/python benchmarks/compare/compile.py --size {args.size}",
            "tables": tables,
            "raw": raw,
        },
    )


if __name__ == "__main__":
    main()
