#!/usr/bin/env bash
# Packaging proof: pack the per-platform addon package for this machine
# (@coresdk/native-linux-x64-gnu, produced with the napi CLI's npm dirs), @coresdk/native
# and coresdk, install them into an EMPTY npm project, and install the abi3 wheel into a
# FRESH venv; then evaluate a policy and mask a document in each, from a directory
# outside the workspace and with no Rust toolchain on PATH.
# Needs the builds of scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$(mktemp -d "${TMPDIR:-/tmp}/coresdk-pack-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# PATH for the consumers: system tools only (node, npm, python3), never ~/.cargo/bin.
NODE_DIR=$(dirname "$(command -v node)")
CLEAN_PATH="$NODE_DIR:/usr/local/bin:/usr/bin:/bin"
if env PATH="$CLEAN_PATH" sh -c 'command -v cargo || command -v rustc' >/dev/null; then
  echo "a Rust toolchain is visible on the clean PATH; the proof would not be meaningful" >&2
  exit 1
fi

echo "== npm packages"
PLATFORM_DIR=bindings/node/npm/linux-x64-gnu
cp bindings/node/coresdk.linux-x64-gnu.node "$PLATFORM_DIR/"
(cd "$PLATFORM_DIR" && npm pack --silent --pack-destination "$WORK" >/dev/null)
rm -f "$PLATFORM_DIR/coresdk.linux-x64-gnu.node"
# As `napi pre-publish` does at release: the published @coresdk/native lists each
# per-platform package as an optional dependency of the same version.
mkdir -p "$WORK/native" && cp bindings/node/index.js bindings/node/index.d.ts bindings/node/package.json "$WORK/native/"
node -e '
  const fs = require("fs"), p = process.argv[1], pkg = JSON.parse(fs.readFileSync(p, "utf8"));
  pkg.optionalDependencies = { "@coresdk/native-linux-x64-gnu": pkg.version };
  delete pkg.devDependencies; delete pkg.scripts;
  fs.writeFileSync(p, JSON.stringify(pkg, null, 2));' "$WORK/native/package.json"
(cd "$WORK/native" && npm pack --silent --pack-destination "$WORK" >/dev/null)
(cd packages/coresdk && pnpm pack --pack-destination "$WORK" >/dev/null)
ls "$WORK"/*.tgz

mkdir -p "$WORK/npm-app" && cd "$WORK/npm-app"
printf '{ "name": "empty-app", "version": "1.0.0", "private": true }\n' > package.json
env PATH="$CLEAN_PATH" npm install --no-audit --no-fund --loglevel=error \
  "$WORK"/coresdk-native-linux-x64-gnu-*.tgz "$WORK"/coresdk-native-0*.tgz "$WORK"/coresdk-0*.tgz
test -f node_modules/@coresdk/native-linux-x64-gnu/coresdk.linux-x64-gnu.node
cat > app.cjs <<'JS'
const { PolicyEngine, Masker, hash, CoreSdkError } = require('coresdk');
const engine = PolicyEngine.create({ modules: { 'authz.rego': 'package authz\ndefault allow := false\nallow if input.role == "admin"\n' } });
const yes = engine.evaluateSync('data.authz.allow', { role: 'admin' });
const no = engine.evaluateSync('data.authz.allow', { role: 'guest' });
if (yes.result !== true || no.result !== false) throw new Error(`wrong decisions ${JSON.stringify([yes, no])}`);
const masked = new Masker().maskText('contact bob@example.com, card 4111 1111 1111 1111');
if (masked !== 'contact [REDACTED:EMAIL], card [REDACTED:CREDIT_CARD]') throw new Error(`wrong mask: ${masked}`);
if (hash({ b: 1, a: 2 }) !== hash({ a: 2, b: 1 })) throw new Error('hash not canonical');
let code; try { engine.evaluateSync('data.nowhere.allow', {}); } catch (e) { if (e instanceof CoreSdkError) code = e.code; }
if (code !== 'POLICY_NOT_FOUND') throw new Error(`expected POLICY_NOT_FOUND, got ${code}`);
console.log('npm (CJS):', JSON.stringify({ allow: yes.result, deny: no.result, masked }));
JS
cat > app.mjs <<'JS'
import { PolicyEngine, Masker } from 'coresdk';
const engine = PolicyEngine.create({ modules: { 'a.rego': 'package a\nallow if input.ok\n' } });
const d = await engine.evaluate('data.a.allow', { ok: true });
if (d.result !== true) throw new Error('ESM evaluate failed');
// coresdk/otel loads without OpenTelemetry installed (it imports OTel types only).
const { maskSpan, MaskingSpanProcessor } = await import('coresdk/otel');
if (typeof MaskingSpanProcessor !== 'function' || typeof maskSpan !== 'function') throw new Error('coresdk/otel exports missing');
console.log('npm (ESM):', JSON.stringify({ allow: d.result, masked: new Masker().maskValue({ password: 'hunter2' }) }));
JS
env PATH="$CLEAN_PATH" node app.cjs
env PATH="$CLEAN_PATH" node app.mjs
env PATH="$CLEAN_PATH" npx --no-install coresdk eval data.rbac.allow --input node_modules/coresdk/examples/rbac/input.json

echo "== abi3 wheel"
WHEEL=$(ls "$ROOT"/target/wheels/coresdk-*-abi3-*.whl)
echo "$WHEEL"
cd "$WORK"
env PATH="$CLEAN_PATH" python3 -m venv py-app
env PATH="$CLEAN_PATH" py-app/bin/python -m pip install -q --no-deps "$WHEEL"
env PATH="$CLEAN_PATH" PYTHONPATH= py-app/bin/python - <<'PY'
import os, coresdk
assert "/work" not in os.path.dirname(coresdk.__file__) or "py-app" in coresdk.__file__, coresdk.__file__
engine = coresdk.PolicyEngine(modules={"authz.rego": 'package authz\ndefault allow := false\nallow if input.role == "admin"\n'})
yes = engine.evaluate("data.authz.allow", {"role": "admin"})
no = engine.evaluate("data.authz.allow", {"role": "guest"})
assert (yes.result, no.result) == (True, False), (yes, no)
masked = coresdk.Masker().mask_text("contact bob@example.com, card 4111 1111 1111 1111")
assert masked == "contact [REDACTED:EMAIL], card [REDACTED:CREDIT_CARD]", masked
print("wheel:", {"allow": yes.result, "deny": no.result, "masked": masked, "from": coresdk.__file__})
PY
echo "packaging proof: 2 passed, 0 failed"
