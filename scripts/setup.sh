#!/usr/bin/env bash
# Sets up a fresh machine and a fresh clone, and builds everything once:
#   - pnpm (the version pinned in package.json "packageManager") and the JS workspace
#   - a Python venv at .venv with the build and test tools
#   - the Node addon (release) + TypeScript package, and the abi3 wheel (release),
#     installed into .venv
# Every later step (demo, tests, parity, packaging proof) reuses these builds.
# Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
log() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

log "toolchains"
command -v cargo >/dev/null || { echo "cargo (Rust stable) is required" >&2; exit 1; }
command -v node >/dev/null || { echo "node 20+ is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 3.9+ is required" >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt >/dev/null 2>&1 || true
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi
echo "cargo $(cargo --version | cut -d' ' -f2), node $(node --version), pnpm $(pnpm --version), $(python3 --version)"

log "JavaScript workspace (pnpm install)"
CI=true pnpm install --frozen-lockfile

log "Python venv (.venv)"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r bindings/python/requirements-dev.txt

log "Node addon (napi build --release) and TypeScript package (tsup)"
pnpm --filter @coresdk/native run build
pnpm --filter coresdk run build

log "Python wheel (maturin build --release, abi3)"
rm -rf target/wheels
.venv/bin/maturin build --release -m bindings/python/Cargo.toml -o target/wheels
.venv/bin/python -m pip install -q --force-reinstall --no-deps target/wheels/coresdk-*.whl
echo "built: $(ls bindings/node/*.node) $(ls target/wheels/*.whl)"
