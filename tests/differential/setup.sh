#!/usr/bin/env bash
# Installs what the differential harness needs, into target/ (never committed):
#   - OPA v1.22.2 built from the Go module proxy into target/bench/bin/opa (the same pinned
#     build as benchmarks/setup.sh; kept when already at that version)
#   - the public Rego libraries of tests/differential/libraries.txt, each fetched with
#     `go mod download -json module@version` into target/differential/gomod and checked
#     against its recorded go.sum hash; target/differential/libraries.json maps each module
#     to its folder.
# Usage: bash tests/differential/setup.sh [--opa-only]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OPA_VERSION=v1.22.2
BIN=$ROOT/target/bench/bin
OUT=$ROOT/target/differential
mkdir -p "$BIN" "$OUT"
command -v go >/dev/null || { echo "go is required (OPA and the libraries come from the Go module proxy)" >&2; exit 1; }

if ! "$BIN/opa" version 2>/dev/null | grep -q "^Version: ${OPA_VERSION#v}$"; then
  echo "differential setup: building OPA $OPA_VERSION"
  GOBIN="$BIN" go install "github.com/open-policy-agent/opa@$OPA_VERSION"
fi
"$BIN/opa" version | head -1
[ "${1:-}" = "--opa-only" ] && exit 0

export GOMODCACHE=$OUT/gomod GOFLAGS=-modcacherw
entries=()
while read -r module version sum folders; do
  case "$module" in ''|'#'*) continue ;; esac
  info=$(cd "$OUT" && go mod download -json "$module@$version")
  got=$(printf '%s' "$info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Sum"])')
  if [ "$got" != "$sum" ]; then
    echo "differential setup: $module@$version hash $got, expected $sum" >&2
    exit 1
  fi
  dir=$(printf '%s' "$info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  entries+=("$(python3 -c 'import json,sys; print(json.dumps({"module": sys.argv[1], "version": sys.argv[2], "sum": sys.argv[3], "dir": sys.argv[4], "folders": sys.argv[5].split(",")}))' "$module" "$version" "$sum" "$dir" "$folders")")
  echo "differential setup: $module@$version ($sum)"
done < tests/differential/libraries.txt
printf '%s\n' "${entries[@]}" | python3 -c 'import json,sys; json.dump([json.loads(l) for l in sys.stdin if l.strip()], open(sys.argv[1], "w"), indent=1)' "$OUT/libraries.json"
echo "differential setup: libraries listed in $OUT/libraries.json"
