#!/usr/bin/env bash
# Instructions per decision of the Rust core (callgrind), for the policy workloads of
# benchmarks/compare/policy.mjs: a count that does not move with the load of a shared
# machine, for comparing two builds of the evaluator. Not part of `pnpm bench`.
#
#   bash benchmarks/instructions.sh [rbac abac large]
#
# Needs valgrind (Debian: `apt-get install valgrind`) and the workloads written by a run
# of policy.mjs (target/bench/workloads). Builds bench_policy with line tables into
# target/instructions.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null || { echo "instructions.sh: needs valgrind" >&2; exit 2; }
work="$root/target/bench/workloads"
[ -d "$work/rbac" ] || { echo "instructions.sh: run benchmarks/compare/policy.mjs first ($work)" >&2; exit 2; }
export CARGO_TARGET_DIR="$root/target/instructions"
CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
  CARGO_PROFILE_RELEASE_LTO=thin CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  cargo build --release -q -p coresdk-engine --example bench_policy --manifest-path "$root/Cargo.toml"
bin="$CARGO_TARGET_DIR/release/examples/bench_policy"
for w in "${@:-rbac abac large}"; do
  for name in $w; do
    out=$(mktemp)
    # Only evaluate_from counts: the decision, input parsing included, not the harness.
    valgrind --tool=callgrind --callgrind-out-file="$out" \
      --toggle-collect='*PolicyEngine*evaluate_from*' "$bin" "$work/$name" 0.3 1 >/dev/null 2>&1
    callgrind_annotate --inclusive=yes --tree=caller "$out" > "$out.txt" 2>/dev/null
    total=$(grep -m1 'PROGRAM TOTALS' "$out.txt" | awk '{print $1}' | tr -d ,)
    # Timed calls come from the harness threads; three more check the answers first.
    timed=$(grep -m1 '< .*__rust_begin_short_backtrace (' "$out.txt" | sed -E 's/.*\(([0-9,]+)x\).*/\1/' | tr -d ,)
    python3 -c "print('$name: %.0f instructions per decision (%d decisions)' % ($total / ($timed + 3), $timed + 3))"
    rm -f "$out" "$out.txt"
  done
done
