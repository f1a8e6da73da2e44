"""Resident memory after loading the 10,000-user data document (issue 6): a CoreSDK engine
in a Python process and in a Node process, and an OPA server, each measured as VmRSS from
/proc after one decision, next to the same process with nothing loaded. Uses the workload
that `benchmarks/compare/policy.mjs` writes to target/bench/workloads/abac.

    target/bench/venv/bin/python benchmarks/compare/memory.py --out target/bench/results/memory.json
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path

import opa_server  # noqa: E402
from stats import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ABAC = ROOT / "target/bench/workloads/abac"
EMPTY_REGO = "package empty\n\nallow := true\n"

# Both probes load either the empty policy (the baseline: library loaded, an engine that
# has answered once, as OPA's baseline is a server that has) or the ABAC policy and data,
# decide once and print VmRSS in kB. The data is handed over as JSON text and the caller's
# copy dropped, so the difference is what CoreSDK holds.
PYTHON_PROBE = """
import json, sys, threading, time
from pathlib import Path
def rss():
    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS'))
from coresdk import PolicyEngine
d, threads = Path(sys.argv[2]), int(sys.argv[3])
if sys.argv[1] == 'load':
    engine = PolicyEngine(modules={'p.rego': (d / 'policy.rego').read_text()})
    engine.add_data_json((d / 'data.json').read_text())
    query, case = 'data.abac.allow', json.loads((d / 'cases.json').read_text())['inputs'][0]['input']
else:
    engine = PolicyEngine(modules={'p.rego': (d.parent / 'empty.rego').read_text()})
    query, case = 'data.empty.allow', {}
# Each thread decides for 0.3 s, all at once (so their evaluations overlap, as under load),
# and stays alive until RSS is read.
start, decided, release = threading.Barrier(threads), threading.Barrier(threads + 1), threading.Event()
def work():
    start.wait()
    until = time.monotonic() + 0.3
    while time.monotonic() < until:
        assert engine.evaluate(query, case).result is True
    decided.wait()
    release.wait()
workers = [threading.Thread(target=work) for _ in range(threads)]
for w in workers:
    w.start()
decided.wait()
print(rss())
release.set()
for w in workers:
    w.join()
"""

THREADS = (1, 2, 4)

NODE_PROBE = """
const { readFileSync } = require('node:fs');
const { join, dirname } = require('node:path');
const { PolicyEngine } = require(process.argv[3]);
const d = process.argv[2];
let engine, query, input;
if (process.argv[1] === 'load') {
  engine = PolicyEngine.create({ modules: { 'p.rego': readFileSync(join(d, 'policy.rego'), 'utf8') } });
  engine.addDataJson(readFileSync(join(d, 'data.json'), 'utf8'));
  [query, input] = ['data.abac.allow', JSON.parse(readFileSync(join(d, 'cases.json'), 'utf8')).inputs[0].input];
} else {
  engine = PolicyEngine.create({ modules: { 'p.rego': readFileSync(join(dirname(d), 'empty.rego'), 'utf8') } });
  [query, input] = ['data.empty.allow', {}];
}
if (engine.evaluateSync(query, input).result !== true) throw new Error('wrong decision');
globalThis.keep = engine;
global.gc?.();
console.log(Number(readFileSync('/proc/self/status', 'utf8').match(/VmRSS:\\s+(\\d+)/)[1]));
"""


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))


def probe(cmd: list[str]) -> int:
    return int(
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )


def opa_rss(files: list[str], query: str, body: dict[str, object]) -> int:
    """RSS of an OPA server with `files` loaded, after it answered `query` once."""
    proc, port = opa_server.start(files, 20181)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", query, json.dumps(body), {"content-type": "application/json"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"opa answered {response.status}")
        time.sleep(0.5)
        return rss_kb(proc.pid)
    finally:
        proc.kill()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "target/bench/results/memory.json"))
    parser.add_argument("--size", choices=("smoke", "full"), default="full")
    args = parser.parse_args()
    runs = 1 if args.size == "smoke" else 3
    case = json.loads((ABAC / "cases.json").read_text())["inputs"][0]
    empty = ROOT / "target/bench/workloads/empty.rego"
    empty.write_text(EMPTY_REGO)
    package = str(ROOT / "packages/coresdk")
    measures = {
        **{
            f"CoreSDK in Python (`PolicyEngine`), {n} evaluating thread{'s' if n > 1 else ''}": (
                lambda n=n: probe([sys.executable, "-c", PYTHON_PROBE, "bare", str(ABAC), str(n)]),
                lambda n=n: probe([sys.executable, "-c", PYTHON_PROBE, "load", str(ABAC), str(n)]),
            )
            for n in THREADS
        },
        "CoreSDK in Node (`PolicyEngine.create`)": (
            lambda: probe(["node", "--expose-gc", "-e", NODE_PROBE, "bare", str(ABAC), package]),
            lambda: probe(["node", "--expose-gc", "-e", NODE_PROBE, "load", str(ABAC), package]),
        ),
        "OPA server (`opa run --server`)": (
            lambda: opa_rss([str(empty)], "/v1/data/empty/allow", {}),
            lambda: opa_rss(
                [str(ABAC / "policy.rego"), str(ABAC / "data.json")],
                "/v1/data/abac/allow",
                {"input": case["input"]},
            ),
        ),
    }
    raw = {}
    for label, (bare, loaded) in measures.items():
        bare_kb = sorted(bare() for _ in range(runs))[runs // 2]
        loaded_kb = sorted(loaded() for _ in range(runs))[runs // 2]
        raw[label] = {"bare_kb": bare_kb, "loaded_kb": loaded_kb}
    opa = raw["OPA server (`opa run --server`)"]
    opa_added = opa["loaded_kb"] - opa["bare_kb"]
    rows = [
        [
            label,
            f"{kb['bare_kb'] / 1024:.1f} MiB",
            f"{kb['loaded_kb'] / 1024:.1f} MiB",
            f"{(kb['loaded_kb'] - kb['bare_kb']) / 1024:.1f} MiB",
            f"{(kb['loaded_kb'] - kb['bare_kb']) / opa_added:.2f}×",
        ]
        for label, kb in raw.items()
    ]
    data_mb = (ABAC / "data.json").stat().st_size / 1e6
    table = {
        "title": f"Resident memory with the 10,000-user data document loaded ({data_mb:.1f} MB of JSON)",
        "columns": [
            "process",
            "RSS, empty policy, one decision",
            "RSS, policy + data, one decision",
            "added by policy + data",
            "vs OPA server",
        ],
        "rows": rows,
        "notes": [
            f"VmRSS from /proc, median of {runs} fresh processes each. Both columns of a row are the same program: the library loaded and an engine that answered once on each evaluating thread, first with an empty policy, then with the ABAC policy and data (handed over as JSON text, the caller's copy dropped); the OPA rows are a server with the same two loads. The difference is what the policy and data cost.",
            "A snapshot keeps at most one copy of its engine per core (see the parallel benchmark): a clone of its own engine (no second copy of the data) and replicas with their own copy of the data, built only when evaluations overlap, so a process evaluating on N threads holds at most min(N, cores) copies of the data (2 on this machine): the Python rows decide for 0.3 s on each of 1, 2 and 4 threads at once and read RSS while those threads are alive. The Node row evaluated on its one JavaScript thread; the OPA server holds one copy however many requests it serves.",
        ],
    }
    write_result(
        args.out,
        {
            "suite": "memory",
            "command": f"target/bench/venv/bin/python benchmarks/compare/memory.py --size {args.size}",
            "tables": [table],
            "raw": raw,
        },
    )


if __name__ == "__main__":
    main()
