// Decision logs sent to a decision-log service on loopback (node:http, gunzip'd here):
// OPA's event fields, masking, retry after failure, and bad options.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecisionLogger, Masker, PolicyEngine } from '../src/index.js';
import { codeOf } from './helpers.js';
import { listen } from './http-service.js';
import { ALL_CASES, leaked, records } from './log-leaks.js';

interface Upload {
  path?: string;
  encoding?: string;
  authorization?: string;
  events: Array<Record<string, any>>;
}

describe('DecisionLogger', () => {
  const uploads: Upload[] = [];
  let status = 200;
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const events = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8'));
        if (status === 200) {
          uploads.push({
            path: req.url,
            encoding: req.headers['content-encoding'],
            authorization: req.headers.authorization,
            events,
          });
        }
        res.writeHead(status).end();
      });
    });
    url = await listen(server);
  });

  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('sends masked events in OPA format to <service>/logs', async () => {
    const logger = new DecisionLogger({
      serviceUrl: url,
      bearerToken: 'log-token',
      labels: { app: 'billing' },
      erase: ['/input/password'],
      minDelayMs: 3_600_000,
      maxDelayMs: 3_600_000,
    });
    const engine = new PolicyEngine({
      modules: { 'app.rego': 'package app\n\nallow if input.user == "alice@example.com"\n' },
      decisionLogger: logger,
    });
    const d = await engine.evaluate('data.app.allow', { user: 'alice@example.com', password: 'hunter2' });
    await logger.flush();
    expect(uploads).toHaveLength(1);
    const [upload] = uploads;
    expect(upload?.path).toBe('/logs');
    expect(upload?.encoding).toBe('gzip');
    expect(upload?.authorization).toBe('Bearer log-token');
    const event = upload?.events[0];
    expect(event).toMatchObject({
      decision_id: d.decisionId,
      path: 'app/allow',
      result: true,
      input: { user: '[REDACTED:EMAIL]' },
      erased: ['/input/password'],
      masked: ['/input/user'],
      labels: { app: 'billing', version: expect.any(String), id: expect.any(String) },
    });
    expect(JSON.stringify(upload?.events)).not.toMatch(/alice@example\.com|hunter2/);
    expect(logger.metrics).toMatchObject({ recorded: 1, delivered: 1, buffered: 0, last_error: null });

    engine.setDecisionLogger(null);
    engine.evaluateSync('data.app.allow', {});
    await logger.close();
    expect(logger.metrics.recorded).toBe(1);
  });

  it('keeps events while the service fails and sends them once it answers', async () => {
    uploads.length = 0;
    const logger = new DecisionLogger({ serviceUrl: url, minDelayMs: 3_600_000, maxDelayMs: 3_600_000 });
    const engine = new PolicyEngine({ modules: { 'app.rego': 'package app\n\nallow := true\n' } });
    engine.setDecisionLogger(logger);
    engine.evaluateSync('data.app.allow', {});
    status = 503;
    await expect(logger.flush()).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
    expect(logger.metrics).toMatchObject({ upload_failures: 1, buffered: 1 });
    status = 200;
    await logger.flush();
    expect(uploads.flatMap((u) => u.events)).toHaveLength(1);
    await logger.close();
  });

  it('reads a bearer token file for every upload', async () => {
    uploads.length = 0;
    const dir = mkdtempSync(join(tmpdir(), 'coresdk-log-token-'));
    const file = join(dir, 'token');
    writeFileSync(file, 'first-token\n', { mode: 0o600 });
    const logger = new DecisionLogger({
      serviceUrl: url,
      bearerTokenFile: file,
      minDelayMs: 3_600_000,
      maxDelayMs: 3_600_000,
    });
    const engine = new PolicyEngine({ modules: { 'app.rego': 'package app\n\nallow := true\n' } });
    engine.setDecisionLogger(logger);
    engine.evaluateSync('data.app.allow', {});
    await logger.flush();
    writeFileSync(file, 'second-token', { mode: 0o600 });
    engine.evaluateSync('data.app.allow', {});
    await logger.close();
    expect(uploads.map((u) => u.authorization)).toEqual(['Bearer first-token', 'Bearer second-token']);
    expect(codeOf(() => new DecisionLogger({ serviceUrl: url, bearerToken: 't', bearerTokenFile: file }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => new DecisionLogger({ serviceUrl: url, bearerTokenFile: join(dir, 'missing') }))).toBe(
      'KEY_UNAVAILABLE',
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses options that do not make a logger', () => {
    expect(codeOf(() => new DecisionLogger({}))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new DecisionLogger({ serviceUrl: url, file: 'x.jsonl' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new DecisionLogger({ serviceUrl: 'ftp://x' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new DecisionLogger({ file: '-', bearerToken: 't' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new DecisionLogger({ serviceUrl: url, minDelayMs: 10, maxDelayMs: 1 }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => new DecisionLogger({ serviceUrl: url, labels: { n: 1 as unknown as string } }))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('decision logs leak nothing', () => {
  // The masking fixtures the default masker passes (the logger masks with the defaults).
  const plain = new Masker();
  const cases = ALL_CASES.filter((c) => plain.maskText(c.text) === c.expected);

  it(`masks every fixture value (${cases.length} cases) in input, keys, result and errors`, async () => {
    expect(cases.length).toBeGreaterThan(100);
    const dir = mkdtempSync(join(tmpdir(), 'coresdk-decision-leaks-'));
    try {
      const file = join(dir, 'decisions.jsonl');
      const logger = new DecisionLogger({ file, minDelayMs: 3_600_000, maxDelayMs: 3_600_000 });
      const engine = new PolicyEngine({
        modules: { 'echo.rego': 'package echo\n\nall := input\n\nfails := to_number(input.message)\n' },
        strictBuiltinErrors: true,
        decisionLogger: logger,
      });
      for (const c of cases) {
        const input = { message: c.text, nested: [{ note: c.text }], [c.text]: 'as a key' };
        engine.evaluateSync('data.echo.all', input);
        await engine.evaluate('data.echo.fails', input).catch(() => undefined);
      }
      await logger.close();
      const events = records(readFileSync(file, 'utf8'));
      expect(events).toHaveLength(2 * cases.length);
      // One logger, one thread: events are in the order of the decisions, two per case.
      const leaks = events.flatMap((event, i) => {
        const c = cases[Math.floor(i / 2)];
        return leaked(JSON.stringify(event), c?.removed ?? ['<no case>']).map((part) => `${c?.id}: ${part}`);
      });
      expect(leaks).toEqual([]);
      // Every case had something to mask, and the event says where.
      expect(events.filter((e) => !Array.isArray(e.masked) || e.masked.length === 0)).toEqual([]);
      const failures = events.filter((e) => e.error !== undefined);
      expect(failures).toHaveLength(cases.length);
      expect(new Set(failures.map((e) => e.error.code))).toEqual(new Set(['EVAL_ERROR']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
