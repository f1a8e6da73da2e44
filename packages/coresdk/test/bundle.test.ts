import { createHmac } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type KeyProvider, PolicyEngine } from '../src/index.js';
import { codeOf, eventually, tarGz, versionedBundle } from './helpers.js';

const FIXTURES = join(__dirname, '../../../fixtures/bundles');
const HS256 = { algorithm: 'HS256', secret: 'coresdk-test-secret', keyId: 'test' };

function version(e: PolicyEngine): unknown {
  try {
    return e.evaluateSync('data.app.version').result;
  } catch {
    return undefined;
  }
}

describe('loadBundle', () => {
  it('activates a bundle: modules, data at its path, manifest revision', () => {
    const e = new PolicyEngine();
    expect(e.loadBundle(versionedBundle(1))).toBe(1);
    expect(e.evaluateSync('data.app.allow', { user: 'alice' })).toMatchObject({
      result: true,
      revision: 1,
      bundleRevision: 'v1',
    });
    expect(e.bundleRevision).toBe('v1');
    expect(e.metrics().bundle_revision).toBe('v1');
  });

  it('replaces everything loaded before', () => {
    const e = PolicyEngine.create({ modules: { 'old.rego': 'package old\nx := 1\n' } });
    e.loadBundle(versionedBundle(2));
    expect(codeOf(() => e.evaluateSync('data.old.x'))).toBe('POLICY_NOT_FOUND');
    expect(version(e)).toBe(2);
  });

  it('rejects bad bundles with a code and keeps serving', () => {
    const e = new PolicyEngine();
    e.loadBundle(versionedBundle(1));
    expect(codeOf(() => e.loadBundle(Buffer.from('not a tarball')))).toBe('BUNDLE_INVALID');
    const broken = tarGz({ 'app/p.rego': 'package app\nversion := \n' });
    expect(codeOf(() => e.loadBundle(broken))).toBe('POLICY_PARSE');
    const outside = tarGz({ '.manifest': '{"roots":["other"]}', 'app/p.rego': 'package app\nx := 1\n' });
    expect(codeOf(() => e.loadBundle(outside))).toBe('BUNDLE_INVALID');
    expect(e.revision).toBe(1);
    expect(version(e)).toBe(1);
    expect(e.metrics().reloads.failure).toBe(3);
  });

  it('verifies signatures when a key is configured (committed fixture bundles)', () => {
    const e = new PolicyEngine();
    const signed = readFileSync(join(FIXTURES, 'rbac-signed-hs256.tar.gz'));
    expect(e.loadBundle(signed, { verification: HS256 })).toBe(1);
    expect(e.evaluateSync('data.rbac.allow', { user: 'alice' }).result).toBe(true);
    const tampered = readFileSync(join(FIXTURES, 'rbac-tampered.tar.gz'));
    expect(codeOf(() => e.loadBundle(tampered, { verification: HS256 }))).toBe('INTEGRITY');
    const unsigned = readFileSync(join(FIXTURES, 'rbac.tar.gz'));
    expect(codeOf(() => e.loadBundle(unsigned, { verification: HS256 }))).toBe('INTEGRITY');
    const wrongKey = { ...HS256, secret: 'another-secret' };
    expect(codeOf(() => e.loadBundle(signed, { verification: wrongKey }))).toBe('INTEGRITY');
    expect(e.revision).toBe(1);
    // Without a key the signature file is not checked.
    expect(e.loadBundlePath(join(FIXTURES, 'rbac-tampered.tar.gz'))).toBe(2);
  });

  it('rejects verification settings that cannot work', () => {
    const e = new PolicyEngine();
    const bundle = versionedBundle(1);
    for (const verification of [{ algorithm: 'none' }, { algorithm: 'HS256' }, { algorithm: 'RS256', secret: 'x' }]) {
      expect(codeOf(() => e.loadBundle(bundle, { verification }))).toBe('INVALID_ARGUMENT');
    }
  });

  it('loads a bundle directory and reports unreadable paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coresdk-bundle-'));
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app/p.rego'), 'package app\nversion := data.app.v\n');
    writeFileSync(join(dir, 'app/data.json'), '{"v": 7}');
    const e = new PolicyEngine();
    e.loadBundlePath(dir);
    expect(version(e)).toBe(7);
    expect(codeOf(() => e.loadBundlePath(join(dir, 'missing.tar.gz')))).toBe('SOURCE_UNAVAILABLE');
    rmSync(dir, { recursive: true });
  });
});

/** A bundle server on loopback: serves `bundle` with `etag`, 304 on a matching If-None-Match. */
class BundleServer {
  bundle: Buffer | null;
  etag: string;
  readonly seen: Array<{ ifNoneMatch?: string; status: number; authorization?: string }> = [];
  readonly server: Server;

  constructor(bundle: Buffer | null, etag: string) {
    this.bundle = bundle;
    this.etag = etag;
    this.server = createServer((req, res) => {
      const ifNoneMatch = req.headers['if-none-match'];
      let status = 200;
      if (this.bundle === null) status = 503;
      else if (ifNoneMatch === this.etag) status = 304;
      this.seen.push({ ifNoneMatch, status, authorization: req.headers.authorization });
      res.writeHead(status, status === 503 ? {} : { ETag: this.etag });
      res.end(status === 200 ? this.bundle : undefined);
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/bundles/app.tar.gz`;
  }
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

describe('startBundlePolling', () => {
  it('sends the bearer token of a token file, re-read for every poll', async () => {
    const server = new BundleServer(versionedBundle(1), '"e1"');
    servers.push(server.server);
    const url = await server.start();
    const dir = mkdtempSync(join(tmpdir(), 'coresdk-token-'));
    const file = join(dir, 'token');
    writeFileSync(file, 'first-token\n', { mode: 0o600 });
    const e = new PolicyEngine();
    const poller = e.startBundlePolling({ url, minDelayMs: 20, maxDelayMs: 40, bearerTokenFile: file });
    try {
      const saw = (token: string) => server.seen.some((s) => s.authorization === `Bearer ${token}`);
      expect(await eventually(() => saw('first-token'))).toBe(true);
      writeFileSync(file, 'second-token', { mode: 0o600 });
      expect(await eventually(() => saw('second-token'))).toBe(true);
    } finally {
      poller.stop();
    }
    writeFileSync(join(dir, 'open'), 't', { mode: 0o644 });
    chmodSync(join(dir, 'open'), 0o644);
    expect(codeOf(() => e.startBundlePolling({ url, bearerTokenFile: join(dir, 'open') }))).toBe('KEY_UNAVAILABLE');
    expect(codeOf(() => e.startBundlePolling({ url, bearerTokenFile: join(dir, 'missing') }))).toBe('KEY_UNAVAILABLE');
  });

  it('signs each request with AWS Signature V4 for S3-compatible stores (MinIO itself: bundle_s3.rs)', async () => {
    const server = new BundleServer(versionedBundle(1), '"s1"');
    servers.push(server.server);
    const url = await server.start();
    const e = new PolicyEngine();
    const awsSigning = { region: 'eu-west-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-logged' };
    const poller = e.startBundlePolling({ url, minDelayMs: 20, maxDelayMs: 40, awsSigning });
    try {
      expect(await eventually(() => version(e) === 1)).toBe(true);
      expect(server.seen[0]?.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
      );
    } finally {
      poller.stop();
    }
    const bad = (aws: Record<string, string>, extra: Record<string, string> = {}) =>
      codeOf(() => e.startBundlePolling({ url, awsSigning: aws, ...extra }));
    expect(bad({ region: 'eu-west-1', accessKeyId: 'AKID' })).toBe('INVALID_ARGUMENT');
    expect(bad({ region: 'eu-west-1', sessionToken: 't' })).toBe('INVALID_ARGUMENT');
    expect(bad(awsSigning, { bearerTokenFile: '/nonexistent' })).toBe('INVALID_ARGUMENT');
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      expect(bad({ region: 'eu-west-1' })).toBe('KEY_UNAVAILABLE');
    } finally {
      if (saved.id !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret !== undefined) process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });

  it('activates, asks again with the ETag (304), takes the next bundle, survives an outage', async () => {
    const server = new BundleServer(versionedBundle(1), '"e1"');
    servers.push(server.server);
    const url = await server.start();
    const e = new PolicyEngine();
    const poller = e.startBundlePolling({ url, minDelayMs: 20, maxDelayMs: 40, timeoutMs: 2000 });
    try {
      expect(await eventually(() => version(e) === 1)).toBe(true);
      expect(e.evaluateSync('data.app.version').bundleRevision).toBe('v1');
      expect(await eventually(() => server.seen.some((s) => s.status === 304 && s.ifNoneMatch === '"e1"'))).toBe(true);

      server.bundle = versionedBundle(2);
      server.etag = '"e2"';
      expect(await eventually(() => version(e) === 2)).toBe(true);

      server.bundle = null; // the server answers 503 from now on
      expect(await eventually(() => (e.metrics().source?.consecutive_failures ?? 0) >= 2)).toBe(true);
      const source = e.metrics().source;
      expect(source).toMatchObject({ kind: 'http', location: url, state: 'failing', updates: 2 });
      expect(source?.last_error?.code).toBe('SOURCE_UNAVAILABLE');
      expect(version(e)).toBe(2); // the last good bundle keeps serving
      expect(e.metricsPrometheus()).toContain(`coresdk_policy_source_up{kind="http",location="${url}"} 0\n`);
    } finally {
      poller.stop();
    }
    expect(e.metrics().source?.state).toBe('stopped');
    poller.stop(); // idempotent
  });

  it('persists the last good bundle and serves it when the server is down at start', async () => {
    const server = new BundleServer(versionedBundle(4), '"e4"');
    servers.push(server.server);
    const url = await server.start();
    const path = join(mkdtempSync(join(tmpdir(), 'coresdk-lkg-')), 'bundle.lkg');
    const lastKnownGood = { path, key: 'lkg-key' };
    const first = new PolicyEngine();
    const p1 = first.startBundlePolling({ url, minDelayMs: 20, maxDelayMs: 40, lastKnownGood });
    expect(await eventually(() => first.metrics().source?.last_known_good === 'stored')).toBe(true);
    p1.stop();
    server.bundle = null; // the server is down from now on
    const second = new PolicyEngine();
    const p2 = second.startBundlePolling({ url, minDelayMs: 20, maxDelayMs: 40, lastKnownGood });
    try {
      expect(await eventually(() => version(second) === 4)).toBe(true);
      expect(second.metrics().source).toMatchObject({ state: 'failing', last_known_good: 'restored' });
    } finally {
      p2.stop();
    }
    const bytes = readFileSync(path);
    bytes.writeUInt8((bytes.at(-1) as number) ^ 0xff, bytes.length - 1);
    writeFileSync(path, bytes);
    const third = new PolicyEngine();
    const p3 = third.startBundlePolling({ url, minDelayMs: 20, maxDelayMs: 40, lastKnownGood });
    try {
      expect(await eventually(() => third.metrics().source?.last_known_good === 'rejected')).toBe(true);
      expect(third.revision).toBe(0);
    } finally {
      p3.stop();
    }
    expect(codeOf(() => third.startBundlePolling({ url, lastKnownGood: { path, key: '' } }))).toBe('INVALID_ARGUMENT');
  });

  it('takes the cache HMAC from a JavaScript key provider, called from the poller thread', async () => {
    const server = new BundleServer(versionedBundle(6), '"e6"');
    servers.push(server.server);
    const url = await server.start();
    const path = join(mkdtempSync(join(tmpdir(), 'coresdk-lkg-kp-')), 'bundle.lkg');
    let calls = 0;
    const keyProvider: KeyProvider = {
      hmac: async (keyId, data) => {
        calls += 1;
        expect(keyId).toBe('kms-lkg');
        return createHmac('sha256', 'lkg-key').update(data).digest();
      },
    };
    const first = new PolicyEngine();
    const p1 = first.startBundlePolling({
      url,
      minDelayMs: 20,
      maxDelayMs: 40,
      lastKnownGood: { path, keyProvider, keyId: 'kms-lkg' },
    });
    try {
      expect(await eventually(() => first.metrics().source?.last_known_good === 'stored')).toBe(true);
    } finally {
      p1.stop();
    }
    expect(calls).toBeGreaterThan(0);
    server.bundle = null;
    // The provider's HMAC is the software store's: the raw key restores the same file.
    const second = new PolicyEngine();
    const p2 = second.startBundlePolling({
      url,
      minDelayMs: 20,
      maxDelayMs: 40,
      lastKnownGood: { path, key: 'lkg-key' },
    });
    try {
      expect(await eventually(() => version(second) === 6)).toBe(true);
    } finally {
      p2.stop();
    }
    // A provider that fails leaves nothing served from the cache.
    const third = new PolicyEngine();
    const failing: KeyProvider = { hmac: () => Promise.reject(new Error('kms down')) };
    const p3 = third.startBundlePolling({
      url,
      minDelayMs: 20,
      maxDelayMs: 40,
      lastKnownGood: { path, keyProvider: failing },
    });
    try {
      expect(await eventually(() => third.metrics().source?.last_known_good === 'rejected')).toBe(true);
      expect(third.revision).toBe(0);
    } finally {
      p3.stop();
    }
    expect(codeOf(() => third.startBundlePolling({ url, lastKnownGood: { path, key: 'k', keyProvider } }))).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('rejects bad options with INVALID_ARGUMENT', () => {
    const e = new PolicyEngine();
    expect(codeOf(() => e.startBundlePolling({ url: 'ftp://x/b.tar.gz' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => e.startBundlePolling({ url: 'http://127.0.0.1:1/b', minDelayMs: 10, maxDelayMs: 5 }))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('watchDirectory', () => {
  it('reloads on change and keeps the last good revision on a broken change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coresdk-watch-'));
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app/p.rego'), 'package app\nversion := 1\n');
    const e = new PolicyEngine();
    const watch = e.watchDirectory(dir, { debounceMs: 50 });
    try {
      expect(version(e)).toBe(1);
      writeFileSync(join(dir, 'app/p.rego'), 'package app\nversion := 2\n');
      expect(await eventually(() => version(e) === 2)).toBe(true);
      writeFileSync(join(dir, 'app/p.rego'), 'package app\nversion := \n');
      // A reload may read the file while it is being written (empty: BUNDLE_INVALID);
      // the last one reads the whole text.
      expect(await eventually(() => e.metrics().source?.last_error?.code === 'POLICY_PARSE')).toBe(true);
      expect(e.metrics().source?.state).toBe('failing');
      expect(version(e)).toBe(2);
      writeFileSync(join(dir, 'app/p.rego'), 'package app\nversion := 3\n');
      expect(await eventually(() => version(e) === 3)).toBe(true);
    } finally {
      watch.stop();
      rmSync(dir, { recursive: true });
    }
  });

  it('fails to start on a directory that does not load', () => {
    const e = new PolicyEngine();
    expect(codeOf(() => e.watchDirectory(join(tmpdir(), 'coresdk-no-such-dir')))).toBe('INVALID_ARGUMENT');
  });
});
