"""Renders the comparison results (target/bench/results/*.json, written by the scripts in
benchmarks/compare/) into docs/BENCHMARKS.md, between the `bench:begin` / `bench:end`
markers, and writes every result with the machine description to docs/benchmarks.json.
Called by benchmarks/run.sh; `--check-only` renders to stdout and writes nothing (smoke).

    python3 benchmarks/report.py [--results target/bench/results] [--check-only]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = (
    "policy",
    "policy-python",
    "memory",
    "compile",
    "load",
    "load-middleware",
    "masking",
    "masking-python",
    "canonical",
    "canonical-python",
)
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def version(cmd: list[str]) -> str:
    try:
        return (
            subprocess.run(cmd, capture_output=True, text=True, check=True)
            .stdout.strip()
            .splitlines()[0]
        )
    except (OSError, subprocess.CalledProcessError):
        return "not found"


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": f"{os.cpu_count()} × {cpu}",
        "memory": f"{mem_kb / 1024 / 1024:.0f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "node": version(["node", "--version"]),
        "python": platform.python_version(),
        "go": version(["go", "version"]),
        "opa": version([str(ROOT / "target/bench/bin/opa"), "version"]),
        "date": datetime.date.today().isoformat(),
    }


def render(results: list[dict], info: dict[str, str]) -> str:
    lines = [BEGIN, "", "## Side by side with the alternatives (generated)", ""]
    lines.append(
        "Written by `pnpm bench` (`bash benchmarks/run.sh`) in one run on this machine: "
        + ", ".join(f"{k} {v}" for k, v in info.items())
        + ". Machine-readable results: `docs/benchmarks.json`."
    )
    for result in results:
        for table in result["tables"]:
            lines += ["", f"### {table['title']}", "", f"`{result['command']}`", ""]
            lines.append("| " + " | ".join(table["columns"]) + " |")
            lines.append(
                "| "
                + " | ".join("---" if i == 0 else "---:" for i in range(len(table["columns"])))
                + " |"
            )
            lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in table["rows"]]
            if table.get("notes"):
                lines.append("")
                lines += [f"- {note}" for note in table["notes"]]
    return "\n".join(lines + ["", END])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default=str(ROOT / "target/bench/results"))
    parser.add_argument("--check-only", action="store_true")
    args = parser.parse_args()
    found = {
        json.loads(p.read_text())["suite"]: json.loads(p.read_text())
        for p in Path(args.results).glob("*.json")
    }
    missing = [s for s in ORDER if s not in found]
    results = [found[s] for s in ORDER if s in found] + [
        r for s, r in found.items() if s not in ORDER
    ]
    for result in results:
        for table in result["tables"]:
            widths = {len(row) for row in table["rows"]}
            if widths != {len(table["columns"])}:
                raise SystemExit(
                    f"{result['suite']}: '{table['title']}' has rows of {widths} cells for {len(table['columns'])} columns"
                )
    info = machine()
    text = render(results, info)
    print(
        f"report: {len(results)} suites, {sum(len(r['tables']) for r in results)} tables; missing: {', '.join(missing) or 'none'}"
    )
    if args.check_only:
        return
    doc = ROOT / "docs/BENCHMARKS.md"
    current = doc.read_text()
    if BEGIN in current:
        head, rest = current.split(BEGIN, 1)
        current = head + text + rest.split(END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    doc.write_text(current)
    (ROOT / "docs/benchmarks.json").write_text(
        json.dumps(
            {"machine": info, "missing": missing, "results": results}, indent=2, ensure_ascii=False
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
