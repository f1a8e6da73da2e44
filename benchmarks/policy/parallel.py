"""Decisions per second from Python with 1 and 2 threads calling ``evaluate`` (the GIL is
released while the core works), on a workload of benchmarks/policy/workloads.json or
the built-in RBAC example. Not a test: a measurement.
Runs are interleaved (1, 2, 1, 2, ...) and the median of each is reported.

    .venv/bin/python benchmarks/policy/parallel.py [rbac|abac-scan] [seconds-per-run=2] [runs=5]
"""

import json
import statistics
import sys
import threading
import time
from pathlib import Path

import coresdk

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "packages" / "coresdk" / "examples" / "rbac"
WORKLOAD = sys.argv[1] if len(sys.argv) > 1 else "rbac"
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 5
if WORKLOAD == "rbac":
    engine = coresdk.PolicyEngine(
        paths=[EX / "policy.rego"], data=json.loads((EX / "data.json").read_text())
    )
    PATH = "data.rbac.allow"
    INPUTS = [
        {"user": "bob", "action": "update", "type": "cat"},
        {"user": "eve", "action": "update", "type": "dog"},
        {"user": "alice", "action": "delete", "type": "dog"},
    ]
else:
    w = json.loads((ROOT / "benchmarks" / "policy" / "workloads.json").read_text())[WORKLOAD]
    users = [
        {"name": f"user{i}", "department": f"d{i % 7}", "clearance": i % 5}
        for i in range(w["users"])
    ]
    engine = coresdk.PolicyEngine(modules={"w.rego": w["policy"]}, data={"users": users})
    PATH = w["path"]
    INPUTS = [
        {"user": "user4998", "department": "d0", "level": 2},
        {"user": "user4999", "department": "d1", "level": 9},
        {"user": "user2503", "department": "d4", "level": 3},
    ]


def rate(threads: int) -> float:
    deadline = time.perf_counter() + SECONDS
    counts = [0] * threads

    def caller(slot: int) -> None:
        n = 0
        while time.perf_counter() < deadline:
            d = engine.evaluate(PATH, INPUTS[n % 3])
            if d.result != (n % 3 != 1):
                raise AssertionError("wrong decision")
            n += 1
        counts[slot] = n

    workers = [threading.Thread(target=caller, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / SECONDS


rate(1)  # warm-up
one, two = [], []
for _ in range(RUNS):
    one.append(rate(1))
    two.append(rate(2))
print(
    json.dumps(
        {
            "language": "python",
            "workload": WORKLOAD,
            "evaluate_1_thread": round(statistics.median(one)),
            "evaluate_2_threads": round(statistics.median(two)),
            "speedup_2_over_1": round(statistics.median(two) / statistics.median(one), 2),
            "spread_1": [round(min(one)), round(max(one))],
            "spread_2": [round(min(two)), round(max(two))],
        }
    )
)
