#!/usr/bin/env node
// Fails when the one CoreSDK version drifts between Cargo (workspace.package.version),
// every package.json (incl. per-platform npm packages and internal dependency ranges)
// and pyproject (which must take its version from Cargo: `dynamic = ["version"]`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (p) => readFileSync(join(root, p), 'utf8');
const problems = [];

const cargo = read('Cargo.toml');
const ws = cargo.split('[workspace.package]')[1] ?? '';
const version = ws.match(/^version\s*=\s*"([^"]+)"/m)?.[1];
if (!version) {
  console.error('no [workspace.package] version in Cargo.toml');
  process.exit(1);
}
for (const crate of [
  'crates/coresdk-base',
  'crates/coresdk-canonical',
  'crates/coresdk-mask',
  'crates/coresdk-engine',
  'bindings/node',
  'bindings/python',
]) {
  const toml = read(`${crate}/Cargo.toml`);
  if (!/^version\.workspace\s*=\s*true/m.test(toml))
    problems.push(`${crate}/Cargo.toml must use version.workspace = true`);
}
for (const name of ['coresdk-base', 'coresdk-canonical', 'coresdk-mask', 'coresdk-engine']) {
  const dep = cargo.match(new RegExp(`^${name}\\s*=\\s*\\{[^}]*version\\s*=\\s*"([^"]+)"`, 'm'))?.[1];
  if (dep !== version) problems.push(`workspace dependency ${name} is ${dep}, want ${version}`);
}

const pkgs = ['bindings/node/package.json', 'packages/coresdk/package.json'];
const npmDir = join(root, 'bindings/node/npm');
if (existsSync(npmDir)) for (const d of readdirSync(npmDir)) pkgs.push(`bindings/node/npm/${d}/package.json`);
const ours = new Set();
for (const p of pkgs) ours.add(JSON.parse(read(p)).name);
for (const p of pkgs) {
  const pkg = JSON.parse(read(p));
  if (pkg.version !== version) problems.push(`${p}: version ${pkg.version}, want ${version}`);
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (ours.has(name) && range !== version && range !== 'workspace:*' && range !== `workspace:${version}`) {
        problems.push(`${p}: ${field}.${name} is ${range}, want ${version} or workspace:*`);
      }
    }
  }
}

const pyproject = read('bindings/python/pyproject.toml');
if (!/dynamic\s*=\s*\[[^\]]*"version"/.test(pyproject))
  problems.push('bindings/python/pyproject.toml must have dynamic = ["version"] (from Cargo)');
if (/^version\s*=/m.test(pyproject.split('[project]')[1]?.split('\n[')[0] ?? ''))
  problems.push('pyproject must not pin a version');

if (problems.length) {
  console.error(`version drift (want ${version} everywhere):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`versions agree: ${version} (Cargo workspace, ${pkgs.length} package.json files, pyproject dynamic)`);
