import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, PolicyEngine } from '../src/index.js';

const CLI = resolve(__dirname, '../dist/cli.js');
const EX = resolve(__dirname, '../examples');
const VERSION = JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8')).version as string;

function cli(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('coresdk CLI', () => {
  it('prints its version and help', () => {
    expect(cli(['--version'])).toMatchObject({ code: 0, out: `${VERSION}\n` });
    const help = cli(['help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/coresdk eval <query>/);
    expect(cli([]).code).toBe(2);
  });

  it('eval uses the built-in RBAC example', () => {
    const allowed = cli(['eval', 'data.rbac.allow', '--input', `${EX}/rbac/input.json`]);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.out)).toMatchObject({ result: true, defined: true, revision: 2 });
    const denied = cli(['eval', 'data.rbac.allow', '--input', '-'], '{"user":"eve","action":"update","type":"dog"}');
    expect(JSON.parse(denied.out)).toMatchObject({ result: false, defined: true });
  });

  it('eval runs a query and takes --policy and --data', () => {
    const q = cli(['eval', 'x := data.rbac.user_is_admin', '--input', '-'], '{"user":"alice"}');
    expect(JSON.parse(q.out).rows).toEqual([{ expressions: [true], bindings: { x: true } }]);
    const own = cli(['eval', 'data.rbac.allow', '--policy', `${EX}/rbac`, '--input', '-'], '{"user":"alice"}');
    // No --data with an explicit --policy: no roles, so the default applies.
    expect(JSON.parse(own.out).result).toBe(false);
  });

  it('eval loads an OPA bundle with --bundle', () => {
    const bundle = resolve(__dirname, '../../../fixtures/bundles/rbac.tar.gz');
    const d = cli(['eval', 'data.rbac.allow', '--bundle', bundle, '--input', '-'], '{"user":"alice"}');
    expect(d.code).toBe(0);
    expect(JSON.parse(d.out)).toMatchObject({ result: true, revision: 1, bundleRevision: 'rbac-v1' });
    const bad = cli([
      'eval',
      'data.rbac.allow',
      '--bundle',
      resolve(__dirname, '../../../fixtures/bundles/not-gzip.tar.gz'),
    ]);
    expect(bad).toMatchObject({ code: 1 });
    expect(bad.err).toMatch(/^coresdk: BUNDLE_INVALID: /);
    expect(cli(['eval', 'data.rbac.allow', '--bundle', bundle, '--data', 'x.json']).code).toBe(2);
  });

  it('mask masks JSON as a value and other text as text', () => {
    const json = cli(['mask', `${EX}/sample.json`]);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.out);
    expect(out.user.email).toBe('[REDACTED:EMAIL]');
    expect(out.config.password).toBe('[REDACTED:SECRET]');
    expect(out.payment.amount).toBe(42.5);
    expect(cli(['mask', '-'], 'ping bob@example.com').out).toBe('ping [REDACTED:EMAIL]\n');
  });

  it('hash prints the SHA-256 of the canonical form', () => {
    const a = cli(['hash', '-'], '{"b":1,"a":[1.0]}');
    const b = cli(['hash', '-', '--canonical'], '{ "a": [1], "b": 1 }');
    expect(a.out.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(b.out).toBe(`${a.out.trim()}\n{"a":[1],"b":1}\n`);
  });

  it('errors carry the stable code and a non-zero exit', () => {
    const bad = cli(['eval', 'data.rbac.allow', '--input', '-'], '{"user": ');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^coresdk: INVALID_JSON: /);
    const utf8 = cli(['hash', '-'], Buffer.from([0x22, 0xff, 0x22]));
    expect(utf8.err).toMatch(/^coresdk: INVALID_JSON/);
    expect(cli(['eval', 'data.x.y', '--policy', '/nonexistent']).err).toMatch(/^coresdk: SOURCE_UNAVAILABLE/);
    expect(cli(['frobnicate']).code).toBe(2);
    const badData = cli(
      ['eval', 'data.rbac.allow', '--data', '-'],
      Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    );
    expect(badData.code).toBe(1);
    expect(badData.err).toMatch(/^coresdk: INVALID_JSON: /);
    const badText = cli(['mask', '-'], Buffer.from([0x61, 0xff, 0x62]));
    expect(badText.code).toBe(1);
    expect(badText.err).toMatch(/^coresdk: INVALID_ARGUMENT: /);
    expect(cli(['eval', 'data.rbac.allow', '--bogus', 'x']).code).toBe(2);
  });
});

/** One case of fixtures/cli/cases.json, the cases Python's CLI runs too (bindings/python/tests/test_cli.py). */
interface CliCase {
  id: string;
  argv: string[];
  stdin?: string;
  exit: number;
  stdout?: string;
  stdout_json?: unknown;
  ignore?: string[];
  stderr_prefix?: string;
  stderr?: string;
}

const ROOT = resolve(__dirname, '../../..');
const SHARED = JSON.parse(readFileSync(resolve(ROOT, 'fixtures/cli/cases.json'), 'utf8')) as {
  audit_setup: {
    key_id: string;
    secret_base64: string;
    decisions: { path: string; input: Record<string, unknown> }[];
    tamper: { line: number; replace: string; with: string };
  };
  cases: CliCase[];
};

/** The audit log, tampered log and key files of `audit_setup`, made with the library. */
function auditFiles(): Record<string, string> {
  const setup = SHARED.audit_setup;
  const dir = mkdtempSync(join(tmpdir(), 'coresdk-cli-cases-'));
  const store = JSON.stringify({ keys: { [setup.key_id]: { type: 'hmac', base64: setup.secret_base64 } } });
  const keys = join(dir, 'keys.json');
  const openKeys = join(dir, 'keys-open.json');
  writeFileSync(keys, store);
  chmodSync(keys, 0o600);
  writeFileSync(openKeys, store);
  chmodSync(openKeys, 0o644);
  const engine = new PolicyEngine();
  engine.addPath(`${EX}/rbac/policy.rego`);
  engine.addDataJson(readFileSync(`${EX}/rbac/data.json`));
  const logPath = join(dir, 'audit.jsonl');
  const log = AuditLog.open(logPath, { keyFile: keys, keyId: setup.key_id });
  for (const d of setup.decisions) log.append(engine.evaluateSync(d.path, d.input), d.path, d.input);
  const lines = readFileSync(logPath, 'utf8').split('\n');
  const { line, replace, with: by } = setup.tamper;
  const edited = (lines[line - 1] as string).replace(replace, by);
  expect(edited).not.toBe(lines[line - 1]);
  lines[line - 1] = edited;
  const tampered = join(dir, 'tampered.jsonl');
  writeFileSync(tampered, lines.join('\n'));
  return {
    audit_log: logPath,
    tampered_log: tampered,
    keys,
    keys_world_readable: openKeys,
    audit_head: log.head,
    version: VERSION,
  };
}

const fill = (text: string, values: Record<string, string>) =>
  Object.entries(values).reduce((t, [name, value]) => t.split(`{${name}}`).join(value), text);

describe('coresdk CLI: the shared cases (fixtures/cli/cases.json)', () => {
  const values = auditFiles();
  for (const c of SHARED.cases) {
    it(c.id, () => {
      const r = spawnSync(process.execPath, [CLI, ...c.argv.map((a) => fill(a, values))], {
        input: c.stdin ?? '',
        encoding: 'utf8',
        cwd: ROOT,
      });
      expect(r.status, r.stderr).toBe(c.exit);
      if (c.stdout !== undefined) expect(r.stdout).toBe(fill(c.stdout, values));
      if (c.stdout_json !== undefined) {
        const parsed = JSON.parse(r.stdout) as Record<string, unknown>;
        for (const key of c.ignore ?? []) {
          expect(parsed).toHaveProperty(key);
          delete parsed[key];
        }
        // Compared as text, so key order counts too.
        expect(JSON.stringify(parsed)).toBe(fill(JSON.stringify(c.stdout_json), values));
        if (c.stderr === undefined) expect(r.stderr).toBe('');
      }
      if (c.stderr !== undefined) expect(r.stderr).toBe(fill(c.stderr, values));
      if (c.stderr_prefix !== undefined) {
        expect(r.stderr.startsWith(fill(c.stderr_prefix, values)), r.stderr).toBe(true);
        expect(r.stdout).toBe('');
      }
    });
  }
});
