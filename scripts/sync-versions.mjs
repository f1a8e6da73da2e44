#!/usr/bin/env node
// After `changeset version` bumped the npm packages, copy the new version of `coresdk`
// everywhere else: Cargo workspace version (pyproject reads it dynamically), the
// workspace dependency on coresdk-engine, @coresdk/native, the per-platform packages and
// the optionalDependencies that point at them. check-versions.mjs verifies the result.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = JSON.parse(readFileSync(join(root, 'packages/coresdk/package.json'), 'utf8')).version;

const cargoPath = join(root, 'Cargo.toml');
let cargo = readFileSync(cargoPath, 'utf8');
cargo = cargo.replace(/(\[workspace\.package\][^[]*?\nversion\s*=\s*")[^"]+(")/, `$1${version}$2`);
cargo = cargo.replace(/(coresdk-engine\s*=\s*\{[^}]*version\s*=\s*")[^"]+(")/, `$1${version}$2`);
writeFileSync(cargoPath, cargo);

const pkgs = ['bindings/node/package.json'];
const npmDir = join(root, 'bindings/node/npm');
if (existsSync(npmDir)) for (const d of readdirSync(npmDir)) pkgs.push(`bindings/node/npm/${d}/package.json`);
for (const p of pkgs) {
  const file = join(root, p);
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  pkg.version = version;
  for (const name of Object.keys(pkg.optionalDependencies ?? {})) {
    if (name.startsWith('@coresdk/')) pkg.optionalDependencies[name] = version;
  }
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
}
console.log(`synced ${version} into Cargo.toml and ${pkgs.length} package.json files`);
