#!/usr/bin/env bash
# Lints the GitHub Actions workflows (.github/workflows/*.yml) with actionlint, pinned to
# one version and installed from the Go module proxy into target/tools (skipped when that
# binary is already there at that version). Exits non-zero on any finding.
#
# actionlint also runs shellcheck on every `run:` script when shellcheck is on PATH. This
# script installs Debian's shellcheck with apt-get when it is missing and apt-get can be
# used without a password (root, as in the dev container and CI images), because that is
# one quick package; elsewhere it carries on without it and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ACTIONLINT_VERSION=v1.7.12
BIN="$ROOT/target/tools/actionlint"

if ! [ -x "$BIN" ] || [ "$("$BIN" -version | head -n1)" != "$ACTIONLINT_VERSION" ]; then
  command -v go >/dev/null || { echo "go is required to install actionlint" >&2; exit 1; }
  mkdir -p "$ROOT/target/tools"
  GOBIN="$ROOT/target/tools" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi

if ! command -v shellcheck >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get install -y -qq shellcheck >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq shellcheck >/dev/null 2>&1; }) \
      || echo "actionlint.sh: could not install shellcheck with apt-get; run: scripts are not shellchecked" >&2
  else
    echo "actionlint.sh: shellcheck not on PATH; run: scripts are not shellchecked" >&2
  fi
fi

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#workflows[@]} -eq 0 ]; then
  echo "no workflows under .github/workflows" >&2
  exit 1
fi
"$BIN" -no-color "${workflows[@]}"
echo "actionlint $ACTIONLINT_VERSION: ${#workflows[@]} workflow(s) clean$(command -v shellcheck >/dev/null && echo " (with shellcheck $(shellcheck --version | sed -n 's/^version: //p'))")"
