#!/usr/bin/env bash
# The main job: set up, then run the `coresdk` CLI on its built-in example —
# an RBAC decision, a denied decision, and a masked document.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
CLI="node packages/coresdk/dist/cli.js"
EX=packages/coresdk/examples
printf '\n\033[1m== coresdk eval data.rbac.allow --input %s/rbac/input.json\033[0m\n' "$EX"
$CLI eval data.rbac.allow --input "$EX/rbac/input.json"
printf '\n\033[1m== coresdk eval data.rbac.allow --input %s/rbac/input-denied.json\033[0m\n' "$EX"
$CLI eval data.rbac.allow --input "$EX/rbac/input-denied.json"
printf '\n\033[1m== coresdk mask %s/sample.json\033[0m\n' "$EX"
$CLI mask "$EX/sample.json"
printf '\n\033[1m== coresdk hash %s/sample.json\033[0m\n' "$EX"
$CLI hash "$EX/sample.json"
