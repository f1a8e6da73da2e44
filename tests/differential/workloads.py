"""Source (c): seeded random inputs over the benchmark workloads (rbac, abac, large).

The workloads (policy, data, entrypoint) are read from
``benchmarks/compare/policy_workloads.mjs`` itself through Node, so they stay the ones the
benchmarks time. Inputs are drawn so that both allow and deny decisions occur: each
generator builds a matching request about half of the time and perturbs it otherwise.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from case import Case

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "benchmarks" / "compare" / "policy_workloads.mjs"

DUMP = """
import { workloads } from %s;
process.stdout.write(JSON.stringify(workloads.map((w) => ({
  name: w.name, entrypoint: w.entrypoint, policy: w.policy, data: w.data,
}))));
"""


def load() -> list[dict[str, Any]]:
    """The workloads as ``{name, entrypoint, policy, data}``; empty without Node."""
    node = shutil.which("node")
    if node is None:
        return []
    script = DUMP % json.dumps(SOURCE.as_uri())
    out = subprocess.run([node, "--input-type=module", "-e", script], check=True, capture_output=True, cwd=ROOT).stdout
    workloads: list[dict[str, Any]] = json.loads(out)
    return workloads


def _rbac(rng: random.Random, data: dict[str, Any]) -> dict[str, Any]:
    users = [*data["user_roles"], "mallory"]
    grants = [g for gs in data["role_grants"].values() for g in gs]
    grant = rng.choice(grants)
    request = {"user": rng.choice(users), "action": grant["action"], "type": grant["type"]}
    if rng.random() < 0.4:
        request[rng.choice(("action", "type"))] = rng.choice(("read", "delete", "dog", "fish"))
    return request


def _abac(rng: random.Random, data: dict[str, Any]) -> dict[str, Any]:
    name = rng.choice([*rng.sample(sorted(data["users"]), 5), "nobody"])
    user = data["users"].get(name, {"department": "d0", "clearance": 0, "region": "eu"})
    regions = ["eu", "us", "apac"]
    resource = {
        "department": user["department"] if rng.random() < 0.7 else f"d{rng.randrange(12)}",
        "level": max(0, user["clearance"] - rng.randint(-1, 2)),
        "regions": rng.sample(regions, rng.randint(0, 3)),
    }
    if rng.random() < 0.6 and user["region"] not in resource["regions"]:
        resource["regions"].append(user["region"])
    return {"user": name, "resource": resource}


def _large(rng: random.Random, data: dict[str, Any]) -> dict[str, Any]:
    i = rng.randrange(620)
    methods = ["GET", "POST", "PUT", "DELETE"]
    roles = [f"role{i % 25}"] if rng.random() < 0.6 else [f"role{rng.randrange(30)}"]
    return {
        "method": methods[i % 4] if rng.random() < 0.8 else rng.choice(methods),
        "path": f"/svc/{i}/items",
        "roles": roles + [f"role{rng.randrange(30)}" for _ in range(rng.randint(0, 2))],
    }


INPUTS: dict[str, Callable[[random.Random, dict[str, Any]], dict[str, Any]]] = {
    "rbac": _rbac,
    "abac": _abac,
    "large": _large,
}


def cases(seed: int, per_workload: int) -> Iterator[Case]:
    """``per_workload`` random inputs for each workload, each asked for the entrypoint
    and for the whole package document."""
    rng = random.Random(seed)
    for w in load():
        make = INPUTS.get(w["name"])
        if make is None:
            continue
        modules = ((f"{w['name']}.rego", w["policy"]),)
        entry = "data." + w["entrypoint"].replace("/", ".")
        package = entry.rsplit(".", 1)[0]
        for n in range(per_workload):
            request = make(rng, w["data"])
            for path in (entry, package):
                yield Case(
                    id=f"workloads/s{seed}/{w['name']}/{n}/{path}",
                    source="workloads",
                    modules=modules,
                    data=w["data"],
                    input=request,
                    path=path,
                    note=f"benchmark workload {w['name']}",
                )
