#!/usr/bin/env bash
# Installs every anchor of the comparison benchmarks (issue 6) from the registries, into
# target/bench (never committed). Run after scripts/setup.sh, which builds CoreSDK itself.
#   - OPA and vegeta, built from the Go module proxy at pinned versions
#   - the npm anchors (benchmarks/anchors/package-lock.json, `npm ci`)
#   - a Python venv (target/bench/venv) with the PyPI anchors and the CoreSDK wheel
# Idempotent: what is already at the pinned version is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$ROOT/target/bench
OPA_VERSION=v1.22.2
VEGETA_VERSION=v12.13.0
mkdir -p "$BENCH/bin"
log() { printf '\n\033[1m== bench setup: %s\033[0m\n' "$*"; }

log "OPA $OPA_VERSION (go install)"
command -v go >/dev/null || { echo "go is required to build the OPA anchor" >&2; exit 1; }
if ! "$BENCH/bin/opa" version 2>/dev/null | grep -q "^Version: ${OPA_VERSION#v}$"; then
  GOBIN="$BENCH/bin" go install "github.com/open-policy-agent/opa@$OPA_VERSION"
fi
"$BENCH/bin/opa" version | head -1

log "vegeta $VEGETA_VERSION (go install, constant-rate load)"
if ! "$BENCH/bin/vegeta" -version 2>/dev/null | grep -q "${VEGETA_VERSION}"; then
  GOBIN="$BENCH/bin" go install -ldflags "-X main.Version=$VEGETA_VERSION" "github.com/tsenart/vegeta/v12@$VEGETA_VERSION"
fi

log "npm anchors (npm ci)"
(cd benchmarks/anchors && npm ci --no-audit --no-fund --loglevel=error)

log "Python anchors (target/bench/venv)"
[ -x "$BENCH/venv/bin/python" ] || python3 -m venv "$BENCH/venv"
"$BENCH/venv/bin/python" -m pip install -q --upgrade pip
"$BENCH/venv/bin/python" -m pip install -q -r benchmarks/anchors/requirements.txt
"$BENCH/venv/bin/python" -m pip install -q --force-reinstall --no-deps "$ROOT"/target/wheels/coresdk-*.whl
echo "anchors ready in $BENCH"
