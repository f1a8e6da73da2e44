#!/usr/bin/env bash
# Sets up, builds once, and runs every test suite: versions, fixtures self-check, Rust
# (fmt, clippy, tests; MinIO built for the S3 bundle test), Node (tsc + vitest), Python (pytest + stubtest), OPA conformance
# (no regression), the OPA differential slice, the masking corpus gate, fuzzing (bounded), cross-language parity, the packaging proof (install the built npm
# packages and wheel into empty projects with no Rust toolchain), and the benchmarks at smoke size. Exits non-zero on the first failing suite.
#
# `scripts/test.sh --quick` is the iteration mode: the same build, then formatting, lints,
# the Rust/Node/Python suites and the OPA gates (conformance, differential slice); it skips
# regorus's own suite, fuzzing, parity, the packaging proof and the benchmarks. CI runs the
# full command.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    *) echo "usage: scripts/test.sh [--quick]" >&2; exit 2 ;;
  esac
done
START=$SECONDS
# The test builds use thin LTO instead of the release profile's fat LTO: the same code,
# linked in a fraction of the time on a 2-core machine (the full run stays under 30
# minutes). Release artifacts (.github/workflows/release.yml) and `pnpm bench` use the
# profile as written; set CARGO_PROFILE_RELEASE_LTO=fat to test exactly that here.
export CARGO_PROFILE_RELEASE_LTO=${CARGO_PROFILE_RELEASE_LTO:-thin}
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-16}
step() { printf '\n\033[1m== %s  (%ss)\033[0m\n' "$*" "$((SECONDS - START))"; }

# MinIO (for the S3 bundle tests) builds from the Go module proxy in the background while
# the Rust and JavaScript builds run; the Rust tests wait for it.
mkdir -p target
bash tests/s3/setup.sh > target/minio-setup.log 2>&1 &
MINIO_SETUP=$!

bash scripts/setup.sh

step "version check (Cargo, package.json, pyproject agree)"
node scripts/check-versions.mjs

step "workflows: actionlint (release and CI definitions)"
bash scripts/actionlint.sh

step "lint and format: ruff (Python), biome (TypeScript, JavaScript)"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
pnpm exec biome ci .

step "fixtures self-check (schema, unique ids, expected-failure ids)"
.venv/bin/python tests/parity/check_fixtures.py

step "API table: docs/API.md matches the Rust, Node and Python sources"
.venv/bin/python -m pytest -q -p no:cacheprovider tests/api

step "Rust: rustfmt, clippy -D warnings, cargo test (MinIO for the S3 bundle test: tests/s3/setup.sh)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
wait "$MINIO_SETUP" || { cat target/minio-setup.log; exit 1; }
tail -1 target/minio-setup.log
export CORESDK_REQUIRE_MINIO=1
cargo test -p coresdk-base -p coresdk-canonical -p coresdk-mask -p coresdk-engine

step "OPA v1.22.2 (from the Go module proxy) for the tests that compare with a real OPA server"
bash tests/differential/setup.sh --opa-only
export CORESDK_REQUIRE_OPA=1

step "Node: tsc --noEmit + vitest"
pnpm --filter coresdk test

step "Python: pytest + stubtest"
(cd bindings/python && ../../.venv/bin/python -m pytest -q)
(cd /tmp && "$OLDPWD/.venv/bin/python" -m mypy.stubtest coresdk._native --allowlist "$OLDPWD/bindings/python/stubtest-allowlist.txt")

step "examples: the Express, Fastify, FastAPI, Flask and Django services (examples/) on loopback"
.venv/bin/python tests/examples/run.py

step "OPA conformance: no regression against tests/conformance/known-failures.txt"
# regorus prints scheduler notes and caught panics to stderr; keep them out of the log.
mkdir -p target/conformance
.venv/bin/python tests/conformance/run.py --check --cases "${CORESDK_CONFORMANCE_CASES:-tests/conformance/opa-v1}" \
  2>target/conformance/stderr.log

step "OPA differential: CoreSDK vs OPA v1.22.2 on a seeded slice (no disagreement outside tests/differential/known-disagreements.txt)"
bash tests/differential/setup.sh
.venv/bin/python -m pytest -q -p no:cacheprovider tests/differential/test_harness.py
mkdir -p target/differential
.venv/bin/python tests/differential/run.py --quick 2>target/differential/stderr.log

if [ "$QUICK" = 1 ]; then
  step "quick suites passed (run scripts/test.sh without --quick for everything CI runs)"
  exit 0
fi

step "regorus's own test suite on the vendored, patched copy (third_party/regorus)"
(cd third_party/regorus && cargo test --locked --lib --target-dir ../../target/regorus) \
  > target/regorus-tests.log 2>&1 || { tail -60 target/regorus-tests.log; exit 1; }
grep '^test result' target/regorus-tests.log

step "masking corpus: recall and precision on 6,000 generated samples (benchmarks/mask/evaluate.py)"
.venv/bin/python benchmarks/mask/evaluate.py --check > target/mask-corpus.txt || { cat target/mask-corpus.txt; exit 1; }
head -1 target/mask-corpus.txt; grep '^overall' target/mask-corpus.txt

step "fuzzing: cargo-fuzz targets (text masking, JSON masking, canonicalization), ${CORESDK_FUZZ_RUNS:-30000} inputs each, fixed seed"
FUZZ_RUNS=${CORESDK_FUZZ_RUNS:-30000} bash scripts/fuzz.sh

step "parity: Node vs Python vs the canonicalize npm package on generated documents"
node tests/parity/run.mjs

step "packaging proof: npm packages and abi3 wheel in empty projects"
bash scripts/package-proof.sh

step "benchmarks at smoke size: every comparison runs, every engine agrees (numbers not checked)"
CORESDK_SKIP_SETUP=1 bash benchmarks/run.sh --smoke

step "all suites passed"
