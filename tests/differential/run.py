"""Differential test: the same modules, data, input and question through real OPA v1.22.2
and through CoreSDK, comparing value, undefined and error kind.

Usage:
    python tests/differential/run.py [--quick | --full] [--seed N] [--limit N]
        [--sources a,b] [--write-docs]

Sources: ``conformance`` (OPA's vendored cases, OPA's live answer as the reference),
``packages`` (generated multi-module packages in shuffled load orders), ``workloads``
(random inputs over the benchmark policies) and ``libraries`` (public Rego fetched by
``tests/differential/setup.sh``). ``--quick`` is the bounded seeded slice CI runs;
``--full`` runs every source at full size. ``--limit`` caps the cases of each source.

Needs OPA (``bash tests/differential/setup.sh``; ``CORESDK_OPA`` points at another
binary). Writes ``target/differential/report.json``; ``--write-docs`` writes the counts
into ``docs/COMPATIBILITY.md``. Exits 1 when a disagreement appears that is not listed in
``known-disagreements.txt``; closes with 'N passed, N failed, N skipped' (failed: unlisted
disagreements; skipped: listed ones).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import os
import signal
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import conformance
import fixtures
import libraries
import packages
import workloads
from case import Case
from known import KnownDisagreements, causes
from known import remove as remove_known
from opa import OpaServer
from outcome import Verdict, verdict
from report import SOURCES, Results
from sdk import OTHER, CoreSdk

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "target" / "differential" / "report.json"


@dataclass(frozen=True)
class Size:
    """How much of each source a mode runs (conformance always runs whole)."""

    families: int  # generated package families
    per_workload: int  # random inputs per benchmark workload
    groups: int | None  # library groups per library (None: all)


SIZES = {
    "quick": Size(families=12, per_workload=40, groups=6),
    "default": Size(families=40, per_workload=150, groups=60),
    "full": Size(families=200, per_workload=1000, groups=None),
}


def opa_binary() -> Path:
    given = os.environ.get("CORESDK_OPA")
    return Path(given) if given else ROOT / "target" / "bench" / "bin" / "opa"


def source_cases(source: str, mode: str, seed: int) -> Iterator[Case]:
    size = SIZES[mode]
    if source == "conformance":
        return conformance.cases()
    if source == "packages":
        return packages.cases(seed, size.families)
    if source == "workloads":
        return workloads.cases(seed, size.per_workload)
    if source == "libraries":
        return libraries.cases(size.groups)
    if source == "fixtures":
        return fixtures.cases()
    raise ValueError(f"unknown source {source}")


def _stop_on_sigterm(signum: int, frame: object) -> None:
    """SIGTERM ends the run through the normal exit path, so the OPA server is stopped."""
    raise SystemExit(128 + signum)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_true", help="the bounded slice CI runs")
    group.add_argument("--full", action="store_true", help="every source at full size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="at most N cases per source")
    parser.add_argument("--sources", default=",".join(SOURCES))
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--prune-known", action="store_true", help="drop listed ids that now agree from known-disagreements.txt"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    mode = "quick" if args.quick else "full" if args.full else "default"
    binary = opa_binary()
    if not binary.exists():
        print(f"no OPA at {binary}: run bash tests/differential/setup.sh", file=sys.stderr)
        return 2
    known = KnownDisagreements.read()
    results = Results()
    unlisted: list[str] = []
    seen_disagreements: set[str] = set()
    sdk = CoreSdk()
    paths = 0
    started = time.monotonic()
    ran: set[str] = set()
    with contextlib.ExitStack() as stack:
        servers: dict[int, OpaServer] = {}
        opa_thread = stack.enter_context(ThreadPoolExecutor(max_workers=1))

        def server(rego_version: int) -> OpaServer:
            if rego_version not in servers:
                servers[rego_version] = stack.enter_context(OpaServer(binary, rego_version))
            return servers[rego_version]

        for source in args.sources.split(","):
            begun = time.monotonic()
            for case in itertools.islice(source_cases(source, mode, args.seed), args.limit):
                # OPA answers in its own process while CoreSDK works here (the GIL is
                # released on both sides): the two engines run side by side.
                asked = opa_thread.submit(server(case.rego_version).ask, case)
                answers = [(case, sdk.ask(case))]
                if case.path:
                    paths += 1
                    # Rule paths are asked of both evaluators; each answer is a case.
                    other = dataclasses.replace(case, id=f"{case.id} @{OTHER}")
                    answers.append((other, sdk.ask(case, OTHER)))
                opa = asked.result()
                for asked_case, got in answers:
                    ran.add(asked_case.id)
                    v = verdict(opa, got, case.unordered)
                    listed = asked_case.id in known
                    results.add(asked_case, opa, got, v, listed)
                    if v is Verdict.DISAGREE:
                        seen_disagreements.add(asked_case.id)
                        if not listed:
                            unlisted.append(asked_case.id)
            c = results.counts[source]
            print(
                f"{source}: {sum(c.values())} cases in {time.monotonic() - begun:.1f} s: "
                f"{c['agree']} agree, {c['typed_error']} typed error, "
                f"{c['error_kind']} error kind differs, {c['disagree']} disagree",
                flush=True,
            )
    seconds = time.monotonic() - started
    counts = sdk.evaluator_counts()
    print(
        f"rule paths: {paths} asked; {counts['compiled']} answered on the register VM by the "
        f"default evaluator, {counts['interpreter']} evaluations on the interpreter (queries "
        "and the second asking included)",
        flush=True,
    )
    command = "python tests/differential/run.py" + {"quick": " --quick", "full": " --full", "default": ""}[mode]
    if args.seed != 1:
        command += f" --seed {args.seed}"
    if args.limit is not None:
        command += f" --limit {args.limit}"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    results.write_json(args.out, {"command": command, "seed": args.seed, "mode": mode, "seconds": round(seconds, 1)})
    (args.out.parent / "disagreements.txt").write_text(
        "".join(f"{i}\n" for i in sorted(seen_disagreements)), encoding="utf-8"
    )
    print("\n".join(results.table()))
    if args.write_docs:
        results.write_docs(command, seconds, causes())
    for case_id in unlisted[:40]:
        print(f"  NEW DISAGREEMENT {case_id}")
    if len(unlisted) > 40:
        print(f"  ... and {len(unlisted) - 40} more (all in {args.out})")
    gone = sorted(i for i in known.ids if i in ran and i not in seen_disagreements)
    if gone:
        print(
            f"  {len(gone)} listed disagreements no longer disagree (remove them from known-disagreements.txt"
            f" or run with --prune-known), e.g. {gone[0]}"
        )
        if args.prune_known:
            remove_known(set(gone))
            print(f"  removed {len(gone)} ids from known-disagreements.txt")
    passed = sum(sum(c.values()) for c in results.counts.values()) - results.total(Verdict.DISAGREE)
    skipped = results.total(Verdict.DISAGREE) - len(unlisted)
    print(f"report: {args.out} ({seconds:.1f} s)")
    print(f"differential: {passed} passed, {len(unlisted)} failed, {skipped} skipped")
    return 1 if unlisted else 0


if __name__ == "__main__":
    sys.exit(main())
