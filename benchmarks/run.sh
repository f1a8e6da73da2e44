#!/usr/bin/env bash
# pnpm bench: CoreSDK side by side with the alternatives users run today, in one run.
# Builds CoreSDK (scripts/setup.sh) and its Rust policy bench, installs the anchors
# (benchmarks/setup.sh), runs every comparison in benchmarks/compare/, then writes
# docs/BENCHMARKS.md (the generated part) and docs/benchmarks.json.
#   bash benchmarks/run.sh            full size (~20 minutes on 2 cores)
#   bash benchmarks/run.sh --smoke    tiny sizes, results in target/bench only (CI)
# CORESDK_SKIP_SETUP=1 skips scripts/setup.sh when the build is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=full
[ "${1:-}" = "--smoke" ] && SIZE=smoke
[ "${CORESDK_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh
bash benchmarks/setup.sh
cargo build --release -p coresdk-engine --example bench_policy
cargo build --release -p coresdk-mask --example mask_lines
R=target/bench/results
PY=target/bench/venv/bin/python
rm -rf "$R" && mkdir -p "$R"
run() { printf '\n\033[1m== bench (%s): %s\033[0m\n' "$SIZE" "$*"; "$@"; }

run node benchmarks/compare/policy.mjs --size "$SIZE" --out "$R/policy.json"
run "$PY" benchmarks/compare/policy.py --size "$SIZE" --out "$R/policy-python.json"
run "$PY" benchmarks/compare/memory.py --size "$SIZE" --out "$R/memory.json"
run "$PY" benchmarks/compare/compile.py --size "$SIZE" --out "$R/compile.json"
run "$PY" benchmarks/compare/load.py --size "$SIZE" --out "$R/load.json"
run "$PY" benchmarks/compare/load_middleware.py --size "$SIZE" --out "$R/load-middleware.json"
run "$PY" benchmarks/compare/mask_inputs.py --size "$SIZE" --out target/bench/mask-inputs.json
run node benchmarks/compare/mask.mjs --size "$SIZE" --inputs target/bench/mask-inputs.json --out "$R/masking.json"
run "$PY" benchmarks/compare/mask.py --size "$SIZE" --inputs target/bench/mask-inputs.json --out "$R/masking-python.json"
run node benchmarks/compare/canonical.mjs --size "$SIZE" --out "$R/canonical.json"
run "$PY" benchmarks/compare/canonical.py --size "$SIZE" --out "$R/canonical-python.json"

if [ "$SIZE" = smoke ]; then
  "$PY" benchmarks/report.py --check-only
else
  "$PY" benchmarks/report.py
  echo "wrote docs/BENCHMARKS.md and docs/benchmarks.json"
fi
