import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, PolicyEngine, verifyAuditLog } from '../src/index.js';
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
    expect(verifyAuditLog(Buffer.from(lines.join('\n')), KEY)).toMatchObject({ intact: false, line: 2, reason: 'hash' });
    expect(verifyAuditLog(bytes, 'wrong')).toMatchObject({ intact: false, line: 1, reason: 'hmac' });
    expect(codeOf(() => AuditLog.open(path, { key: 'wrong' }))).toBe('INTEGRITY');
    expect(codeOf(() => AuditLog.open(path, { key: KEY, durability: 'sometimes' as 'os_buffered' }))).toBe('INVALID_ARGUMENT');
  });

  it('takes its key from a key file only the owner can read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coresdk-audit-keys-'));
    const keyFile = join(dir, 'keys.json');
    writeFileSync(keyFile, JSON.stringify({ keys: { audit: { type: 'hmac', base64: Buffer.from(KEY).toString('base64') } } }), { mode: 0o600 });
    const path = join(dir, 'audit.jsonl');
    const log = AuditLog.open(path, { keyFile });
    log.append(engine().evaluateSync('data.a.allow', { user: 'alice' }), 'data.a.allow', { user: 'alice' });
    // The same secret as bytes verifies it: the file is only where the key lives.
    expect(verifyAuditLog(readFileSync(path), KEY).intact).toBe(true);
    expect(codeOf(() => AuditLog.open(path, { keyFile, keyId: 'other' }))).toBe('KEY_UNAVAILABLE');
    chmodSync(keyFile, 0o644);
    expect(codeOf(() => AuditLog.open(path, { keyFile }))).toBe('KEY_UNAVAILABLE');
    expect(codeOf(() => AuditLog.open(path, {}))).toBe('INVALID_ARGUMENT');
  });

  it('coresdk audit verify reports and sets the exit code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coresdk-audit-cli-'));
    const path = join(dir, 'audit.jsonl');
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, KEY);
    const log = AuditLog.open(path, { key: KEY });
    const e = engine();
    log.append(e.evaluateSync('data.a.allow', { user: 'alice' }), 'data.a.allow', { user: 'alice' });
    log.append(e.evaluateSync('data.a.allow', { user: 'bob' }), 'data.a.allow', { user: 'bob' });
    const ok = spawnSync(process.execPath, [CLI, 'audit', 'verify', path, '--key-file', keyFile, '--head', log.head], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ intact: true, records: 2 });
    const firstLine = readFileSync(path, 'utf8').split('\n')[0] as string;
    writeFileSync(path, `${firstLine}\n`);
    const cut = spawnSync(process.execPath, [CLI, 'audit', 'verify', path, '--key-file', keyFile, '--head', log.head], { encoding: 'utf8' });
    expect(cut.status).toBe(1);
    expect(JSON.parse(cut.stdout)).toMatchObject({ intact: false, line: 2, reason: 'truncated' });
    expect(spawnSync(process.execPath, [CLI, 'audit', 'verify', path], { encoding: 'utf8' }).status).toBe(2);
  });
});
