#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/: text masking, JSON masking, canonicalization),
# seeded with the golden fixtures. Installs what it needs: the nightly toolchain
# (libFuzzer needs nightly) and cargo-fuzz. A crash or a failed property
# (fuzz/src/lib.rs) fails the run; libFuzzer leaves the input in fuzz/artifacts/.
#
#   FUZZ_RUNS=N     inputs per target with a fixed seed: reproducible (CI: 30000)
#   FUZZ_SECONDS=N  instead, run each target for N seconds with a random seed (exploring)
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLCHAIN=${CORESDK_FUZZ_TOOLCHAIN:-nightly}

rustup toolchain list | grep -q "^$TOOLCHAIN" || rustup toolchain install "$TOOLCHAIN" --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version 0.13.2 --locked

# Seeds: every text and JSON value of the golden fixtures.
python3 - <<'PY'
import json, pathlib
root = pathlib.Path("target/fuzz-corpus")
seeds = {"mask_text": [], "mask_json": [], "canonicalize": []}
for path in sorted(pathlib.Path("fixtures").rglob("*.json")):
    if path.name == "schema.json":
        continue
    cases = json.loads(path.read_text())
    if not isinstance(cases, list):
        continue
    for case in cases:
        args = case.get("args", {}) if isinstance(case, dict) else {}
        if isinstance(args.get("text"), str):
            seeds["mask_text"].append(args["text"].encode())
        if "value" in args:
            seeds["mask_json"].append(json.dumps(args["value"]).encode())
            seeds["canonicalize"].append(json.dumps(args["value"]).encode())
        if isinstance(args.get("json"), str):
            seeds["canonicalize"].append(args["json"].encode())
for target, items in seeds.items():
    folder = root / target
    folder.mkdir(parents=True, exist_ok=True)
    for i, item in enumerate(items):
        (folder / f"fixture-{i}").write_bytes(item)
    print(f"{target}: {len(items)} seeds")
PY

if [ -n "${FUZZ_SECONDS:-}" ]; then
  budget=(-max_total_time="$FUZZ_SECONDS")
else
  # A fixed seed and input count, and a fresh corpus: the same inputs on every machine.
  budget=(-seed=1 -runs="${FUZZ_RUNS:-30000}")
fi
for target in mask_text mask_json canonicalize; do
  echo "== fuzz $target (${budget[*]})"
  log="target/fuzz-$target.log"
  corpus="target/fuzz-corpus/$target"
  if [ -z "${FUZZ_SECONDS:-}" ]; then
    # Only the fixture seeds: inputs kept from earlier local runs would change the run.
    find "$corpus" -type f ! -name 'fixture-*' -delete
  fi
  if ! cargo "+$TOOLCHAIN" fuzz run "$target" "$corpus" -- \
      "${budget[@]}" -max_len=8192 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    grep -E -A12 "panicked|ERROR|SUMMARY" "$log" | head -60 || tail -60 "$log"
    exit 1
  fi
  grep -E "^Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb" "$log" || tail -5 "$log"
done
echo "fuzzing: no crash and no failed property in 3 targets"
