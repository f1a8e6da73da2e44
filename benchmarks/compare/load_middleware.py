"""Constant-rate load through the HTTP middleware with decision logging and shadow mode
(issue 15): an Express 5 service (`expressAuthorization`) and an ASGI service (uvicorn,
`coresdk.asgi.AuthorizationMiddleware`), each run twice side by side, logging and shadow
off and on, driven at a fixed rate on loopback by vegeta (open loop). "On" sends every
decision to a loopback decision-log receiver (log_receiver.py) and asks an OPA server
about every decision (shadow, sample rate 1).

- Side by side: the off and on services run at once and take turns, round by round (off
  first in even rounds, on first in odd ones), the same rate and duration each; the
  request p50/p99 are over all of a configuration's rounds, and "p99 added" is on - off.
- Exactly once: every decision id a client saw (in the 200 body or the 403 problem) must
  reach the receiver once, after the logger is closed; nothing else may arrive.
- Shadow: OPA holds the same policy, so every comparison must agree.
- Receiver killed: an "on" service with a small buffer; the receiver is killed (SIGKILL)
  a third of the way in and restarted on the same port at two thirds. Sampled every
  0.2 s: the logger metrics and the service's RSS. The buffer must stay within its size,
  every recorded decision must be delivered or counted dropped, and deliveries must
  resume after the restart.

Exits 1 when an exactly-once, shadow or buffer check fails (the result is written first).

    target/bench/venv/bin/python benchmarks/compare/load_middleware.py --out target/bench/results/load-middleware.json [--size smoke|full]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import opa_server
from stats import format_us, write_result

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "target/bench/bin"
HERE = Path(__file__).resolve().parent
WORK = ROOT / "target/bench/load-middleware"
POLICY = ROOT / "examples/policy/http.rego"
DEMO_SECRET = b"coresdk-example-secret"  # the examples' HS256 demo secret
# (method, path, token subject, role, expected status) under examples/policy/http.rego.
TARGETS = [
    ("GET", "/accounts/alice", "alice", "user", 200),
    ("PUT", "/accounts/bob", "root", "admin", 200),
    ("GET", "/accounts/alice", "bob", "user", 403),
]
SIZES = {
    # rate/s, rounds per configuration, seconds per round; receiver-killed run: seconds, buffer
    "smoke": {"rate": 100, "rounds": 1, "seconds": 3, "kill_seconds": 6, "buffer": 50},
    "full": {"rate": 1000, "rounds": 4, "seconds": 15, "kill_seconds": 45, "buffer": 2000},
}
MIN_DELAY_MS, MAX_DELAY_MS = 200, 2000


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(sub: str, role: str) -> str:
    """An HS256 JWT signed with the examples' demo secret, valid for a day."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": sub, "role": role, "exp": int(time.time()) + 86400}
    signing_input = f"{header}.{b64url(json.dumps(claims).encode())}"
    mac = hmac.new(DEMO_SECRET, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


TOKENS = {sub: token(sub, role) for _, _, sub, role, _ in TARGETS}


def request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def get_json(port: int, path: str, method: str = "GET") -> Any:
    status, body = request(port, method, path)
    if status != 200:
        raise RuntimeError(f"{method} {path} on port {port}: {status} {body[:200]!r}")
    return json.loads(body)


def wait_ready(proc: subprocess.Popen[bytes], port: int, path: str) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            request(port, "GET", path)
            return
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"nothing answers on port {port}")


def decision_id(body: bytes) -> str | None:
    """The decision id of a 200 answer (`decisionId`) or a 403 problem (`decision_id`)."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return value.get("decisionId") or value.get("decision_id")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Attack:
    """One vegeta attack (open loop, keep-alive) over the three targets, in the background."""

    def __init__(self, port: int, rate: int, seconds: float, out: Path) -> None:
        targets = "\n\n".join(
            f"{m} http://127.0.0.1:{port}{p}\nAuthorization: Bearer {TOKENS[sub]}"
            for m, p, sub, _, _ in TARGETS
        )
        self.out = out
        self.proc = subprocess.Popen(
            [
                str(BIN / "vegeta"),
                "attack",
                f"-rate={rate}/s",
                f"-duration={seconds}s",
                "-keepalive=true",
                f"-output={out}",
            ],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.proc.stdin is not None
        self.proc.stdin.write(targets.encode())
        self.proc.stdin.close()

    def wait(self) -> Path:
        assert self.proc.stderr is not None
        err = self.proc.stderr.read()
        if self.proc.wait() != 0:
            raise RuntimeError(f"vegeta attack failed: {err.decode(errors='replace')}")
        return self.out


def attack(port: int, rate: int, seconds: float, out: Path) -> Path:
    return Attack(port, rate, seconds, out).wait()


def report(files: list[Path]) -> dict[str, Any]:
    """vegeta's JSON report over one or more attacks' results."""
    result = subprocess.run(
        [str(BIN / "vegeta"), "report", "-type=json", *map(str, files)],
        capture_output=True,
        check=True,
    )
    return json.loads(result.stdout)


def seen_ids(files: list[Path]) -> tuple[list[str], int]:
    """The decision ids the client saw in the answers, and how many answers had none."""
    result = subprocess.run(
        [str(BIN / "vegeta"), "encode", "-to=json", *map(str, files)],
        capture_output=True,
        check=True,
    )
    ids, without = [], 0
    for line in result.stdout.splitlines():
        body = base64.b64decode(json.loads(line).get("body") or b"")
        found = decision_id(body)
        if found is None:
            without += 1
        else:
            ids.append(found)
    return ids, without


class Process:
    """A child process (service or receiver) on a loopback port."""

    def __init__(self, cmd: list[str], port: int, ready_path: str) -> None:
        self.cmd, self.port, self.ready_path = cmd, port, ready_path
        self.proc = self.start()

    def start(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(self.cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
        wait_ready(proc, self.port, self.ready_path)
        return proc

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def restart(self) -> None:
        self.proc = self.start()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def receiver(port: int, ids_file: Path) -> Process:
    ids_file.unlink(missing_ok=True)
    return Process(
        [
            sys.executable,
            str(HERE / "log_receiver.py"),
            "--port",
            str(port),
            "--out",
            str(ids_file),
        ],
        port,
        "/health",
    )


def service(
    kind: str, port: int, mode: str, receiver_port: int = 0, opa_port: int = 0, buffer: int = 10000
) -> Process:
    flags = ["--port", str(port), "--mode", mode]
    if mode != "off":
        flags += [
            "--receiver",
            f"http://127.0.0.1:{receiver_port}",
            "--opa",
            f"http://127.0.0.1:{opa_port}",
            "--min-delay-ms",
            str(MIN_DELAY_MS),
            "--max-delay-ms",
            str(MAX_DELAY_MS),
            "--buffer-size",
            str(buffer),
        ]
    script = "load_middleware_service.mjs" if kind == "express" else "load_middleware_service.py"
    runner = ["node"] if kind == "express" else [sys.executable]
    return Process([*runner, str(HERE / script), *flags], port, "/__stats")


def check_answers(port: int) -> list[str]:
    """Each target once: the expected status and a decision id. Returns the ids."""
    ids = []
    for method, path, sub, _, expect in TARGETS:
        status, body = request(port, method, path, {"authorization": f"Bearer {TOKENS[sub]}"})
        found = decision_id(body)
        if status != expect or found is None:
            raise SystemExit(f"port {port}: {sub} {method} {path} -> {status} {body[:200]!r}")
        ids.append(found)
    return ids


def settle(port: int, seconds: float = 30) -> dict[str, Any]:
    """Waits until the logger has sent what it holds and the shadow compared its queue."""
    deadline = time.monotonic() + seconds
    while True:
        stats = get_json(port, "/__stats")
        log, shadow = stats["logger"], stats["shadow"]
        idle = (log is None or log["buffered"] == 0) and (shadow is None or shadow["queued"] == 0)
        if idle or time.monotonic() > deadline:
            return stats
        time.sleep(0.1)


def received(ids_file: Path) -> list[str]:
    return ids_file.read_text().split() if ids_file.exists() else []


def side_by_side(
    kind: str, ports: dict[str, int], opa: tuple[int, int], size: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Off and on, round by round; then the exactly-once and shadow checks of "on"."""
    ids_file = WORK / f"{kind}-received.txt"
    rec = receiver(ports["receiver"], ids_file)
    off = service(kind, ports["off"], "off")
    opa_pid, opa_port = opa
    on = service(kind, ports["on"], "on", ports["receiver"], opa_port)
    services = {"off": off, "on": on}
    # CPU seconds per configuration: the service under test, OPA (shadow), the receiver;
    # from the start of each round until the "on" service has settled after it.
    cpu = {m: {"service": 0.0, "opa": 0.0, "receiver": 0.0} for m in services}
    failures: list[str] = []
    try:
        expected = check_answers(on.port)
        check_answers(off.port)
        files: dict[str, list[Path]] = {"off": [], "on": []}
        warm = {
            m: attack(s.port, size["rate"], 2, WORK / f"{kind}-{m}-warm.bin")
            for m, s in services.items()
        }
        for r in range(size["rounds"]):
            for mode in ("off", "on") if r % 2 == 0 else ("on", "off"):
                settle(on.port)
                pids = {
                    "service": services[mode].proc.pid,
                    "opa": opa_pid,
                    "receiver": rec.proc.pid,
                }
                before = {k: cpu_seconds(pid) for k, pid in pids.items()}
                out = WORK / f"{kind}-{mode}-{r}.bin"
                files[mode].append(attack(services[mode].port, size["rate"], size["seconds"], out))
                settle(on.port)
                for k, pid in pids.items():
                    cpu[mode][k] += cpu_seconds(pid) - before[k]
        final = get_json(on.port, "/__close", "POST")
        time.sleep(0.5)  # the receiver has answered the last upload; its file is complete
        reports = {m: report(fs) for m, fs in files.items()}
        rounds = {
            m: [report([f])["latencies"]["99th"] / 1000 for f in fs] for m, fs in files.items()
        }
        client_ids, without = seen_ids([warm["on"], *files["on"]])
        expected += client_ids
        got = received(ids_file)
    finally:
        for proc in (off, on, rec):
            proc.stop()
    counts = Counter(got)
    expected_set = set(expected)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    missing = len(expected_set - counts.keys())
    unexpected = len(counts.keys() - expected_set)
    log, shadow = final["logger"], final["shadow"]
    label = "Express" if kind == "express" else "ASGI"
    if len(expected_set) != len(expected):
        failures.append(f"{label}: the service gave one decision id to two requests")
    if without:
        failures.append(f"{label}: {without} answers without a decision id")
    if duplicates or missing or unexpected:
        failures.append(
            f"{label}: events received {len(got)} for {len(expected_set)} decisions: {duplicates} duplicates, {missing} missing, {unexpected} unexpected"
        )
    if log["recorded"] != len(expected_set) or log["delivered"] != log["recorded"]:
        failures.append(f"{label}: logger metrics {log} for {len(expected_set)} decisions")
    if final["closeError"]:
        failures.append(f"{label}: closing the logger failed: {final['closeError']}")
    if shadow["disagreed"] or shadow["opa_errors"]:
        failures.append(
            f"{label}: shadow disagreed {shadow['disagreed']}, OPA errors {shadow['opa_errors']} ({shadow['last_error']})"
        )
    raw = {
        "vegeta": reports,
        "round_p99_us": rounds,
        "cpu_seconds": cpu,
        "decisions": len(expected_set),
        "events_received": len(got),
        "duplicates": duplicates,
        "missing": missing,
        "unexpected": unexpected,
        "answers_without_id": without,
        "final": final,
    }
    return raw, failures


def killed_receiver(
    kind: str, ports: dict[str, int], opa: tuple[int, int], size: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """An "on" service under load while its receiver is killed and restarted."""
    ids_file = WORK / f"{kind}-kill-received.txt"
    seconds, buffer = size["kill_seconds"], size["buffer"]
    rec = receiver(ports["receiver"], ids_file)
    svc = service(kind, ports["on"], "on", ports["receiver"], opa[1], buffer)
    samples: list[dict[str, Any]] = []
    events: dict[str, float] = {}
    failures: list[str] = []
    label = "Express" if kind == "express" else "ASGI"
    try:
        check_answers(svc.port)
        attack(svc.port, size["rate"], 2, WORK / f"{kind}-kill-warm.bin")
        settle(svc.port)
        start = time.monotonic()
        load = Attack(svc.port, size["rate"], seconds, WORK / f"{kind}-kill.bin")
        while load.proc.poll() is None:
            t = time.monotonic() - start
            if "killed" not in events and t >= seconds / 3:
                rec.kill()
                events["killed"] = t
            if "killed" in events and "restarted" not in events and t >= 2 * seconds / 3:
                rec.restart()
                events["restarted"] = time.monotonic() - start
            sample = {"t": round(t, 2), "rss_kib": rss_kib(svc.proc.pid)}
            sample.update(get_json(svc.port, "/__stats")["logger"])
            samples.append(sample)
            time.sleep(0.2)
        load.wait()
        settled = settle(svc.port)
        final = get_json(svc.port, "/__close", "POST")
        time.sleep(0.5)
        result = report([load.out])
        got = received(ids_file)
    finally:
        svc.stop()
        rec.stop()
    log = final["logger"]
    peak = max(s["buffered"] for s in samples)
    at_restart = max(
        (s["delivered"] for s in samples if s["t"] <= events.get("restarted", 0)), default=0
    )
    resumed = next(
        (
            s["t"] - events["restarted"]
            for s in samples
            if s["t"] > events.get("restarted", float("inf")) and s["delivered"] > at_restart
        ),
        None,
    )
    counts = Counter(got)
    accounted = log["delivered"] + log["dropped_buffer_full"] + log["dropped_too_large"]
    if peak > buffer:
        failures.append(
            f"{label} (receiver killed): {peak} events buffered, over bufferSize {buffer}"
        )
    if log["recorded"] != accounted:
        failures.append(
            f"{label} (receiver killed): recorded {log['recorded']} != delivered + dropped {accounted}"
        )
    if "restarted" not in events or resumed is None:
        failures.append(f"{label} (receiver killed): deliveries did not resume after the restart")
    if len(counts) < log["delivered"]:
        failures.append(
            f"{label} (receiver killed): {log['delivered']} counted delivered, {len(counts)} distinct received"
        )
    if not log["dropped_buffer_full"]:
        failures.append(f"{label} (receiver killed): no drops, the outage did not fill the buffer")
    raw = {
        "vegeta": result,
        "events": events,
        "samples": samples,
        "settled": settled,
        "final": final,
        "peak_buffered": peak,
        "resumed_after_s": resumed,
        "received": len(got),
        "received_distinct": len(counts),
        "buffer_size": buffer,
    }
    return raw, failures


def signed_us(value: float) -> str:
    return f"+{format_us(value)}" if value >= 0 else f"−{format_us(-value)}"


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "target/bench/results/load-middleware.json"))
    parser.add_argument("--size", choices=tuple(SIZES), default="full")
    parser.add_argument("--only", choices=("express", "asgi"), help="one service only")
    args = parser.parse_args()
    size = SIZES[args.size]
    WORK.mkdir(parents=True, exist_ok=True)
    base = 23000 + random.randrange(300) * 16
    opa, opa_port = opa_server.start([str(POLICY)], 28000)
    kinds = [args.only] if args.only else ["express", "asgi"]
    raw: dict[str, Any] = {
        "sizes": size,
        "min_delay_ms": MIN_DELAY_MS,
        "max_delay_ms": MAX_DELAY_MS,
    }
    failures: list[str] = []
    rows, kill_rows = [], []
    names = {
        "express": "Express 5 + `expressAuthorization`",
        "asgi": "ASGI (uvicorn) + `coresdk.asgi`",
    }
    try:
        for i, kind in enumerate(kinds):
            # Fresh ports for each run: a restarted process never waits for an old socket.
            ports = {"off": base + 8 * i, "on": base + 8 * i + 1, "receiver": base + 8 * i + 2}
            print(f"load-middleware: {kind}, off and on side by side", flush=True)
            raw[kind], found = side_by_side(kind, ports, (opa.pid, opa_port), size)
            failures += found
            ports = {"on": base + 8 * i + 3, "receiver": base + 8 * i + 4}
            print(f"load-middleware: {kind}, receiver killed", flush=True)
            raw[f"{kind}-killed"], found = killed_receiver(kind, ports, (opa.pid, opa_port), size)
            failures += found
    finally:
        opa.kill()
        opa.wait()
    rate, rounds, seconds = size["rate"], size["rounds"], size["seconds"]
    round_notes: list[str] = []
    for kind in kinds:
        r = raw[kind]
        lat = {m: r["vegeta"][m]["latencies"] for m in ("off", "on")}
        added = {q: (lat["on"][q] - lat["off"][q]) / 1000 for q in ("50th", "99th")}
        round_notes.append(
            f"{names[kind]}, request p99 per round (off / on): "
            + "; ".join(
                f"{format_us(a)} / {format_us(b)}"
                for a, b in zip(r["round_p99_us"]["off"], r["round_p99_us"]["on"])
            )
            + "."
        )
        for mode in ("off", "on"):
            v = r["vegeta"][mode]
            codes = v["status_codes"]
            other = v["requests"] - codes.get("200", 0) - codes.get("403", 0)
            shadow = r["final"]["shadow"]
            rows.append(
                [
                    names[kind],
                    "logging + shadow on" if mode == "on" else "off",
                    f"{v['requests']:,}",
                    f"{codes.get('200', 0):,} / {codes.get('403', 0):,} / {other:,}",
                    format_us(v["latencies"]["50th"] / 1000),
                    format_us(v["latencies"]["99th"] / 1000),
                    f"{signed_us(added['50th'])} / {signed_us(added['99th'])}"
                    if mode == "on"
                    else "",
                    " / ".join(
                        f"{r['cpu_seconds'][mode][k] / (rounds * seconds):.2f}"
                        for k in ("service", "opa", "receiver")
                    ),
                    f"{r['events_received']:,} / {r['duplicates']} / {r['missing']}"
                    if mode == "on"
                    else "—",
                    f"{shadow['agreed']:,} / {shadow['disagreed']} ({shadow['dropped']:,} dropped)"
                    if mode == "on"
                    else "—",
                ]
            )
        k = raw[f"{kind}-killed"]
        log, rss = k["final"]["logger"], [s["rss_kib"] for s in k["samples"]]
        before = [s["rss_kib"] for s in k["samples"] if s["t"] < k["events"].get("killed", 0)]
        kill_rows.append(
            [
                names[kind],
                f"{k['vegeta']['requests']:,}",
                f"{k['buffer_size']:,}",
                f"{k['peak_buffered']:,}",
                f"{log['recorded']:,}",
                f"{log['delivered']:,}",
                f"{log['dropped_buffer_full']:,}",
                f"{log['upload_failures']:,}",
                "no" if k["resumed_after_s"] is None else f"{k['resumed_after_s']:.1f} s",
                f"{k['received_distinct']:,} / {k['received'] - k['received_distinct']:,}",
                f"{mib(max(before or rss[:1]))} / {mib(max(rss))} / {mib(rss[-1])}",
                format_us(k["vegeta"]["latencies"]["99th"] / 1000),
            ]
        )
    kill_s = size["kill_seconds"]
    tables = [
        {
            "title": f"Load through the middleware with decision logging and shadow mode: {rate:,} requests/s, {rounds * seconds} s per configuration on loopback (vegeta, open loop)",
            "columns": [
                "service",
                "logging + shadow",
                "requests",
                "200 / 403 / other",
                "request p50",
                "request p99",
                "added (on − off): p50 / p99",
                "CPU cores: service / OPA / receiver",
                "events received / duplicates / missing",
                "shadow agreed / disagreed",
            ],
            "rows": rows,
            "notes": [
                f"Off and on are two processes of the same service running at once, measured in turns: {rounds} round(s) of {seconds} s each, off first in even rounds and on first in odd ones; percentiles are over all of a configuration's requests. Target of issue 15: under 100 µs added at p99.",
                f"On: a `DecisionLogger` POSTing gzip'd batches every {MIN_DELAY_MS} ms to a loopback receiver (`log_receiver.py`, Python), and a `Shadow` asking an OPA server (the same policy, `examples/policy/http.rego`) about every decision. Requests: HS256 bearer tokens, 2 of 3 allowed (200), 1 of 3 refused (403).",
                "Events: the receiver's decision ids after the logger was closed, against every decision id the clients saw in the answers (200 bodies and 403 problems, warm-up and the check requests included).",
                "vegeta, both services, the receiver and OPA share the machine's 2 cores: the shadow's OPA calls and the receiver are on the same cores as the service under test. CPU cores: CPU seconds of each process from the start of a configuration's rounds until the logger and the shadow had caught up after them, per second of load (the service's include its logger and shadow threads).",
                *round_notes,
                *(f"Check failed: {f}" for f in failures if "receiver killed" not in f),
            ],
        },
        {
            "title": f"Decision-log receiver killed mid-run: {rate:,} requests/s for {kill_s} s, killed (SIGKILL) at {kill_s / 3:.0f} s, restarted at {2 * kill_s / 3:.0f} s",
            "columns": [
                "service",
                "requests",
                "bufferSize",
                "peak buffered",
                "recorded",
                "delivered",
                "dropped (buffer full)",
                "upload failures",
                "uploads resumed",
                "received distinct / duplicates",
                "RSS before / peak / end",
                "request p99",
            ],
            "rows": kill_rows,
            "notes": [
                f"Logging and shadow on, `minDelayMs` {MIN_DELAY_MS}, `maxDelayMs` {MAX_DELAY_MS} (the backoff cap while the receiver is down). Logger metrics and the service's RSS sampled every 0.2 s; 'uploads resumed' is the time from the restart to the first sample with more events delivered.",
                "Checks: peak buffered ≤ bufferSize; recorded = delivered + dropped after close; every event counted delivered was received. Duplicates here are uploads the receiver wrote but could not acknowledge before it was killed, sent again (at least once across a crash).",
                *(f"Check failed: {f}" for f in failures if "receiver killed" in f),
            ],
        },
    ]
    raw["failures"] = failures
    write_result(
        args.out,
        {
            "suite": "load-middleware",
            "command": f"target/bench/venv/bin/python benchmarks/compare/load_middleware.py --size {args.size}",
            "tables": tables,
            "raw": raw,
        },
    )
    for failure in failures:
        print(f"load-middleware: FAILED: {failure}", file=sys.stderr)
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
