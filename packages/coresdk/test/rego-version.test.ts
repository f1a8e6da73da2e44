import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyEngine } from '../src/index.js';
import { codeOf } from './helpers.js';

/** Rego v0: a partial set rule without `contains`/`if`, as the Gatekeeper library writes. */
const V0 = 'package k8s\nviolation[msg] {\n  not input.labels.owner\n  msg := "owner label missing"\n}\n';

describe('Rego versions', () => {
  it('parses v0 with regoVersion: 0 and rejects it in a v1 engine', () => {
    const v0 = new PolicyEngine({ modules: { 'k8s.rego': V0 }, regoVersion: 0 });
    expect(v0.evaluateSync('data.k8s.violation', { labels: {} }).result).toEqual(['owner label missing']);
    expect(codeOf(() => new PolicyEngine({ modules: { 'k8s.rego': V0 } }))).toBe('POLICY_PARSE');
  });

  it('takes a version per call that loads modules', () => {
    const e = new PolicyEngine();
    e.addModule('k8s.rego', V0, { regoVersion: 0 });
    e.addModules({ 'app.rego': 'package app\nok if count(data.k8s.violation) == 0\n' });
    expect(e.evaluateSync('data.app.ok', { labels: { owner: 'x' } }).result).toBe(true);
    e.replaceModules({ 'k8s.rego': V0 }, { regoVersion: 0 });
    e.reload({ modules: { 'k8s.rego': V0 } }, { regoVersion: 0 });
    expect(e.evaluateSync('data.k8s.violation', { labels: {} }).result).toEqual(['owner label missing']);
  });

  it('refuses a version other than 0 or 1', () => {
    expect(codeOf(() => new PolicyEngine({ regoVersion: 2 as 0 }))).toBe('INVALID_ARGUMENT');
  });

  it('the CLI takes --v0-compatible as OPA names it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coresdk-v0-'));
    writeFileSync(join(dir, 'k8s.rego'), V0);
    writeFileSync(join(dir, 'in.json'), '{"labels": {}}');
    const cli = resolve(__dirname, '../dist/cli.js');
    const args = [cli, 'eval', 'data.k8s.violation', '--policy', dir, '--input', join(dir, 'in.json')];
    const v0 = spawnSync(process.execPath, [...args, '--v0-compatible'], { encoding: 'utf8' });
    expect(v0.status).toBe(0);
    expect(JSON.parse(v0.stdout).result).toEqual(['owner label missing']);
    const v1 = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(v1.status).not.toBe(0);
    expect(v1.stderr).toMatch(/POLICY_PARSE/);
  });
});

describe('safe reloads and data documents', () => {
  it('rejects an undefined function at load and keeps serving', () => {
    const e = new PolicyEngine({ modules: { 'a.rego': 'package a\nallow := true\n' } });
    expect(codeOf(() => e.replaceModules({ 'a.rego': 'package a\nallow := lower_case("A") == "a"\n' }))).toBe(
      'POLICY_PARSE',
    );
    expect(e.revision).toBe(1);
    expect(e.evaluateSync('data.a.allow').result).toBe(true);
  });

  it('answers a path to base data as OPA data API does', () => {
    const e = new PolicyEngine({ data: { roles: { alice: ['admin'] } } });
    expect(e.evaluateSync('data.roles.alice').result).toEqual(['admin']);
    expect(e.evaluateSync('data.roles.bob').defined).toBe(false);
  });
});
