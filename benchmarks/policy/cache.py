"""Decision cache hit path from Python: decisions/s of ``evaluate`` without the cache and
with it, the same three inputs cycling (every cached decision after the first three is a
hit). Not a test: a measurement. Runs are interleaved and the median of each reported.

    .venv/bin/python benchmarks/policy/cache.py [rbac|abac-scan] [seconds-per-run=1] [runs=5]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from coresdk import DecisionCache, PolicyEngine

ROOT = Path(__file__).resolve().parents[2]
WORKLOAD = sys.argv[1] if len(sys.argv) > 1 else "rbac"
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 5


def load(cache: DecisionCache | None) -> tuple[PolicyEngine, list[dict[str, Any]], str]:
    if WORKLOAD == "rbac":
        ex = ROOT / "packages/coresdk/examples/rbac"
        engine = PolicyEngine(
            paths=[ex / "policy.rego"], data=json.loads((ex / "data.json").read_text()), cache=cache
        )
        inputs = [
            {"user": "bob", "action": "update", "type": "cat"},
            {"user": "eve", "action": "update", "type": "dog"},
            {"user": "alice", "action": "delete", "type": "dog"},
        ]
        return engine, inputs, "data.rbac.allow"
    w = json.loads((ROOT / "benchmarks/policy/workloads.json").read_text())[WORKLOAD]
    users = [
        {"name": f"user{i}", "department": f"d{i % 7}", "clearance": i % 5}
        for i in range(w["users"])
    ]
    engine = PolicyEngine(modules={"w.rego": w["policy"]}, data={"users": users}, cache=cache)
    inputs = [
        {"user": "user4998", "department": "d0", "level": 2},
        {"user": "user4999", "department": "d1", "level": 9},
        {"user": "user2503", "department": "d4", "level": 3},
    ]
    return engine, inputs, w["path"]


def rate(setup: tuple[PolicyEngine, list[dict[str, Any]], str]) -> float:
    engine, inputs, path = setup
    deadline = time.perf_counter() + SECONDS
    n = 0
    while time.perf_counter() < deadline:
        if engine.evaluate(path, inputs[n % 3]).result != (n % 3 != 1):
            raise AssertionError("wrong decision")
        n += 1
    return n / SECONDS


off = load(None)
on = load(DecisionCache(max_entries=10_000, ttl_ms=600_000))
rate(off), rate(on)  # warm-up
off_rates, on_rates = [], []
for _ in range(RUNS):
    off_rates.append(rate(off))
    on_rates.append(rate(on))
m = on[0].metrics()["cache"]
print(
    json.dumps(
        {
            "language": "python",
            "workload": WORKLOAD,
            "seconds": SECONDS,
            "runs": RUNS,
            "no_cache_per_s": round(statistics.median(off_rates)),
            "cache_hit_per_s": round(statistics.median(on_rates)),
            "ratio": round(statistics.median(on_rates) / statistics.median(off_rates), 2),
            "hit_fraction": round(m["hits"] / (m["hits"] + m["misses"]), 4),
        }
    )
)
