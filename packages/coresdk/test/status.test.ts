// Status reports to a status service on loopback (node:http): OPA's status format, a new
// report when a bundle activates, bad options.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyEngine } from '../src/index.js';
import { codeOf, eventually, versionedBundle } from './helpers.js';
import { listen } from './http-service.js';

describe('startStatusReporter', () => {
  const reports: Array<{ path?: string; authorization?: string; body: Record<string, any> }> = [];
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString();
      });
      req.on('end', () => {
        reports.push({ path: req.url, authorization: req.headers.authorization, body: JSON.parse(text) });
        res.writeHead(200).end();
      });
    });
    url = await listen(server);
  });

  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('reports the engine in OPA status format, again when a bundle activates', async () => {
    const engine = new PolicyEngine();
    const reporter = engine.startStatusReporter({
      serviceUrl: url,
      bearerToken: 'status-token',
      labels: { region: 'eu' },
      checkIntervalMs: 20,
      intervalMs: 3_600_000,
    });
    expect(await eventually(() => reports.length === 1)).toBe(true);
    expect(reports[0]).toMatchObject({
      path: '/status',
      authorization: 'Bearer status-token',
      body: { labels: { region: 'eu' }, plugins: { bundle: { state: 'NOT_READY' } } },
    });
    engine.loadBundle(versionedBundle(7));
    expect(await eventually(() => reports.length === 2)).toBe(true);
    expect(reports[1]?.body).toMatchObject({
      bundles: { bundle: { name: 'bundle', active_revision: 'v7' } },
      plugins: { bundle: { state: 'OK' } },
    });
    reporter.stop();
    expect(reporter.metrics).toMatchObject({ sent: 2, failures: 0, last_error: null });
  });

  it('refuses options that do not make a reporter', () => {
    const engine = new PolicyEngine();
    expect(codeOf(() => engine.startStatusReporter({ serviceUrl: 'status.example' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => engine.startStatusReporter({ serviceUrl: url, intervalMs: 0 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => engine.startStatusReporter({ serviceUrl: url, labels: { n: 1 as unknown as string } }))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
