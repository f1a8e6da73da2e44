import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, CoreSdkError, type KeyProvider, PolicyEngine, verifyAuditLog } from '../src/index.js';
import { codeOf } from './helpers.js';

const KEY = 'audit-test-key';
const CLI = resolve(__dirname, '../dist/cli.js');

function engine(): PolicyEngine {
  return PolicyEngine.create({ modules: { 'a.rego': 'package a\nallow if input.user == "alice"\n' } });
}

describe('AuditLog', () => {
  it('appends masked, chained records that verify, with checkpoints', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'coresdk-audit-')), 'audit.jsonl');
    const log = AuditLog.open(path, { key: KEY, checkpointEvery: 3, durability: 'os_buffered' });
    const e = engine();
    for (const user of ['alice', 'bob', 'carol', 'dave']) {
      const input = { user, email: `${user}@example.com` };
      log.append(e.evaluateSync('data.a.allow', input), 'data.a.allow', input);
    }
    const bytes = readFileSync(path);
    expect(verifyAuditLog(bytes, KEY, { expectedHead: log.head })).toEqual({
      intact: true,
      records: 5,
      checkpoints: 1,
      head: log.head,
      line: null,
      reason: null,
    });
    expect(bytes.toString()).not.toContain('@example.com');
    const first = JSON.parse(bytes.toString().split('\n')[0] as string);
    expect(first).toMatchObject({ seq: 0, defined: true, result: true, input: { email: '[REDACTED:EMAIL]' } });

    const lines = bytes.toString().split('\n');
    lines[1] = (lines[1] as string).replace('"bob"', '"eve"');
    expect(verifyAuditLog(Buffer.from(lines.join('\n')), KEY)).toMatchObject({
      intact: false,
      line: 2,
      reason: 'hash',
    });
    expect(verifyAuditLog(bytes, 'wrong')).toMatchObject({ intact: false, line: 1, reason: 'hmac' });
    expect(codeOf(() => AuditLog.open(path, { key: 'wrong' }))).toBe('INTEGRITY');
    expect(codeOf(() => AuditLog.open(path, { key: KEY, durability: 'sometimes' as 'os_buffered' }))).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('takes its key from a key file only the owner can read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coresdk-audit-keys-'));
    const keyFile = join(dir, 'keys.json');
    writeFileSync(
      keyFile,
      JSON.stringify({ keys: { audit: { type: 'hmac', base64: Buffer.from(KEY).toString('base64') } } }),
      { mode: 0o600 },
    );
    const path = join(dir, 'audit.jsonl');
    const log = AuditLog.open(path, { keyFile });
    log.append(engine().evaluateSync('data.a.allow', { user: 'alice' }), 'data.a.allow', { user: 'alice' });
    // The same secret as bytes verifies it: the file is only where the key lives.
    expect(verifyAuditLog(readFileSync(path), KEY).intact).toBe(true);
    // verifyAuditLog takes the key file as AuditLog.open does.
    expect(verifyAuditLog(readFileSync(path), undefined, { keyFile, expectedHead: log.head })).toMatchObject({
      intact: true,
      records: 1,
    });
    expect(verifyAuditLog(readFileSync(path), undefined, { keyFile, keyId: 'other' })).toMatchObject({
      intact: false,
      line: 1,
      reason: 'hmac',
    });
    expect(codeOf(() => verifyAuditLog(readFileSync(path), KEY, { keyFile }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => verifyAuditLog(readFileSync(path), undefined))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => AuditLog.open(path, { keyFile, keyId: 'other' }))).toBe('KEY_UNAVAILABLE');
    chmodSync(keyFile, 0o644);
    expect(codeOf(() => AuditLog.open(path, { keyFile }))).toBe('KEY_UNAVAILABLE');
    expect(codeOf(() => verifyAuditLog(readFileSync(path), undefined, { keyFile }))).toBe('KEY_UNAVAILABLE');
    expect(codeOf(() => AuditLog.open(path, {}))).toBe('INVALID_ARGUMENT');
  });

  it('coresdk audit verify reports and sets the exit code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coresdk-audit-cli-'));
    const path = join(dir, 'audit.jsonl');
    // --key-file is the key store AuditLog's keyFile names (not the key's raw bytes).
    const keyFile = join(dir, 'keys.json');
    writeFileSync(
      keyFile,
      JSON.stringify({ keys: { audit: { type: 'hmac', base64: Buffer.from(KEY).toString('base64') } } }),
      { mode: 0o600 },
    );
    const log = AuditLog.open(path, { keyFile });
    const e = engine();
    log.append(e.evaluateSync('data.a.allow', { user: 'alice' }), 'data.a.allow', { user: 'alice' });
    log.append(e.evaluateSync('data.a.allow', { user: 'bob' }), 'data.a.allow', { user: 'bob' });
    const ok = spawnSync(process.execPath, [CLI, 'audit', 'verify', path, '--key-file', keyFile, '--head', log.head], {
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ intact: true, records: 2 });
    const firstLine = readFileSync(path, 'utf8').split('\n')[0] as string;
    writeFileSync(path, `${firstLine}\n`);
    const cut = spawnSync(process.execPath, [CLI, 'audit', 'verify', path, '--key-file', keyFile, '--head', log.head], {
      encoding: 'utf8',
    });
    expect(cut.status).toBe(1);
    expect(JSON.parse(cut.stdout)).toMatchObject({ intact: false, line: 2, reason: 'truncated' });
    expect(spawnSync(process.execPath, [CLI, 'audit', 'verify', path], { encoding: 'utf8' }).status).toBe(2);
  });
});

/** A KMS stand-in: HMAC-SHA256 under key id `kms-audit`, optionally answering late. */
class HmacProvider implements KeyProvider {
  calls = 0;
  constructor(
    private readonly secret: string,
    private readonly delayMs = 0,
  ) {}
  async hmac(keyId: string, data: Buffer): Promise<Uint8Array> {
    this.calls += 1;
    if (keyId !== 'kms-audit') throw new Error(`no key ${keyId}`);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    return createHmac('sha256', this.secret).update(data).digest();
  }
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof CoreSdkError ? e.code : `not a CoreSdkError: ${String(e)}`;
  }
  return 'resolved';
}

describe('AuditLog with a JavaScript key provider', () => {
  const logPath = () => join(mkdtempSync(join(tmpdir(), 'coresdk-audit-kp-')), 'audit.jsonl');

  it('signs records through the provider; the log verifies with the same raw key', async () => {
    const path = logPath();
    const provider = new HmacProvider('kms-secret');
    const log = await AuditLog.openAsync(path, { keyProvider: provider, keyId: 'kms-audit', checkpointEvery: 4 });
    const e = engine();
    const heads = await Promise.all(
      ['alice', 'bob', 'carol', 'dave', 'erin'].map((user) =>
        log.appendAsync(e.evaluateSync('data.a.allow', { user }), 'data.a.allow', { user }),
      ),
    );
    expect(new Set(heads).size).toBe(5);
    expect(provider.calls).toBe(7); // a probe at open, five decisions and one checkpoint
    expect(verifyAuditLog(readFileSync(path), 'kms-secret', { expectedHead: log.head })).toMatchObject({
      intact: true,
      records: 6,
      checkpoints: 1,
    });
    // Reopening verifies every record through the provider, then the chain continues.
    const again = await AuditLog.openAsync(path, { keyProvider: provider, keyId: 'kms-audit' });
    expect(provider.calls).toBe(14); // the probe and six records
    await again.appendAsync(e.evaluateSync('data.a.allow', { user: 'frank' }), 'data.a.allow', { user: 'frank' });
    expect(verifyAuditLog(readFileSync(path), 'kms-secret')).toMatchObject({ intact: true, records: 7 });
    // A provider holding another secret does not verify the log.
    expect(
      await rejection(AuditLog.openAsync(path, { keyProvider: new HmacProvider('other'), keyId: 'kms-audit' })),
    ).toBe('INTEGRITY');
  });

  it('a synchronous provider works too', async () => {
    const path = logPath();
    const provider: KeyProvider = { hmac: (_id, data) => createHmac('sha256', 'sync-secret').update(data).digest() };
    const log = await AuditLog.openAsync(path, { keyProvider: provider });
    await log.appendAsync(engine().evaluateSync('data.a.allow', {}), 'data.a.allow', {});
    expect(verifyAuditLog(readFileSync(path), 'sync-secret')).toMatchObject({ intact: true, records: 1 });
  });

  it('refuses the sync API, which would wait on its own thread', async () => {
    const provider = new HmacProvider('s');
    expect(codeOf(() => AuditLog.open(logPath(), { keyProvider: provider }))).toBe('INVALID_ARGUMENT');
    const log = await AuditLog.openAsync(logPath(), { keyProvider: provider, keyId: 'kms-audit' });
    expect(codeOf(() => log.append(engine().evaluateSync('data.a.allow', {}), 'data.a.allow', {}))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await rejection(AuditLog.openAsync(logPath(), { key: 'k', keyProvider: provider }))).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('a failing, wrong-typed or silent provider is KEY_UNAVAILABLE and writes nothing', async () => {
    const cases: [string, KeyProvider['hmac'], number?][] = [
      [
        'throws',
        () => {
          throw new Error('kms down');
        },
      ],
      ['rejects', () => Promise.reject(new Error('kms down'))],
      ['wrong type', () => 'not bytes' as unknown as Uint8Array],
      ['never answers', () => new Promise<Uint8Array>(() => undefined), 200],
    ];
    const decision = engine().evaluateSync('data.a.allow', {});
    for (const [name, failure, timeout] of cases) {
      // Opening probes the key, so a provider that is down fails at once ...
      expect(
        await rejection(
          AuditLog.openAsync(logPath(), { keyProvider: { hmac: failure }, keyProviderTimeoutMs: timeout }),
        ),
        name,
      ).toBe('KEY_UNAVAILABLE');
      // ... and one that goes down later fails the append, which writes nothing.
      let down = false;
      const provider: KeyProvider = {
        hmac: (id, data) => (down ? failure(id, data) : createHmac('sha256', 'k').update(data).digest()),
      };
      const path = logPath();
      const log = await AuditLog.openAsync(path, { keyProvider: provider, keyProviderTimeoutMs: timeout });
      await log.appendAsync(decision, 'data.a.allow', {});
      const [head, bytes] = [log.head, readFileSync(path)];
      down = true;
      expect(await rejection(log.appendAsync(decision, 'data.a.allow', {})), name).toBe('KEY_UNAVAILABLE');
      expect(log.head, name).toBe(head);
      expect(readFileSync(path), name).toEqual(bytes);
    }
    expect(await rejection(AuditLog.openAsync(logPath(), { keyProvider: new HmacProvider('s') }))).toBe(
      'KEY_UNAVAILABLE',
    ); // no key "audit"
  });

  it('head answers at once while an append waits for a slow provider', async () => {
    const log = await AuditLog.openAsync(logPath(), { keyProvider: new HmacProvider('s', 300), keyId: 'kms-audit' });
    const before = log.head;
    const pending = log.appendAsync(engine().evaluateSync('data.a.allow', {}), 'data.a.allow', {});
    const started = Date.now();
    expect(log.head).toBe(before);
    expect(Date.now() - started).toBeLessThan(250);
    const after = await pending;
    expect(log.head).toBe(after);
  });

  it('a pending provider does not keep Node running', () => {
    // The bridge's thread-safe function is weak: a script that opens a provider-keyed log
    // and never closes it still exits on its own.
    const script = `
      const { AuditLog } = require(${JSON.stringify(resolve(__dirname, '../dist/index.cjs'))});
      const { createHmac } = require('node:crypto');
      const path = require('node:path').join(require('node:os').tmpdir(), 'coresdk-weak-' + process.pid + '.jsonl');
      AuditLog.openAsync(path, { keyProvider: { hmac: (_i, d) => createHmac('sha256', 'k').update(d).digest() } })
        .then((log) => log.appendAsync({ defined: true, result: true, revision: 1, decisionId: 'd', bundleRevision: null }, 'q', {}))
        .then(() => console.log('appended'));
    `;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stdout.trim()).toBe('appended');
    expect(run.status).toBe(0);
  });
});
