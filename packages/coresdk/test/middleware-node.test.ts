// The framework-free functions: a plain node:http server, and Fetch API Requests.
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeHttpRequest,
  type CoreSdkError,
  fetchHttpRequest,
  nodeHttpRequest,
  refusalResponse,
  writeRefusal,
} from '../src/index.js';
import { listen, send, service, token } from './http-service.js';

describe('nodeHttpRequest + writeRefusal on node:http', () => {
  const { engine, verifier } = service(true);
  let server: Server;
  let base = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const rule = req.url?.startsWith('/broken') ? 'data.nothing.allow' : 'data.http.allow';
      authorizeHttpRequest(nodeHttpRequest(req), { engine, verifier, rule }).then((a) => {
        if (writeRefusal(res, a)) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sub: a.claims?.sub, error: a.error?.code ?? null }));
      });
    });
    base = await listen(server);
  });

  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('answers as the core decides', async () => {
    expect((await send(`${base}/accounts/bob`, token('bob', 'viewer'))).body).toEqual({ sub: 'bob', error: null });
    expect((await send(`${base}/accounts/alice`, token('bob', 'viewer'))).status).toBe(403);
    // Two Authorization lines on the wire, written by hand (fetch would fold them into one field).
    const twice = [`Bearer ${token('bob', 'viewer')}`, `Bearer ${token('alice', 'admin')}`];
    const { port } = new URL(base);
    const raw = await new Promise<string>((done, fail) => {
      let text = '';
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `GET /accounts/bob HTTP/1.1\r\nHost: x\r\n${twice.map((v) => `Authorization: ${v}\r\n`).join('')}Connection: close\r\n\r\n`,
        );
      });
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('end', () => done(text));
      socket.on('error', fail);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw.toLowerCase()).toContain('www-authenticate: bearer error="invalid_request"');
    const folded = await fetch(`${base}/accounts/bob`, {
      headers: twice.map((v): [string, string] => ['authorization', v]),
    });
    expect(folded.status).toBe(400);
  });

  it('fails open when the engine does, keeping the error', async () => {
    const r = await send(`${base}/broken`, token('bob', 'viewer'));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ sub: 'bob', error: 'POLICY_NOT_FOUND' });
    expect(engine.failModeCount).toBeGreaterThanOrEqual(1);
  });
});

describe('fetchHttpRequest + refusalResponse', () => {
  const { engine, verifier } = service();

  it('authorizes a Fetch API Request and builds the refusal Response', async () => {
    const req = new Request('https://api.test/accounts/alice?x=1', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token('bob', 'viewer')}`, 'x-trace': 't' },
    });
    const a = await authorizeHttpRequest(fetchHttpRequest(req, '198.51.100.4'), {
      engine,
      verifier,
      rule: 'data.http.allow',
    });
    expect(a.status).toBe(403);
    expect(a.input).toMatchObject({
      method: 'DELETE',
      path: '/accounts/alice',
      parsed_query: { x: ['1'] },
      headers: { 'x-trace': 't' },
      client_address: '198.51.100.4',
    });
    const res = refusalResponse(a);
    expect(res?.status).toBe(403);
    expect(res?.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res?.json()) as { title: string }).title).toBe('Forbidden');

    const ok = await authorizeHttpRequest(
      fetchHttpRequest(
        new Request('https://api.test/accounts/bob', {
          headers: { authorization: `Bearer ${token('bob', 'viewer')}` },
        }),
      ),
      { engine, verifier, rule: (r) => (r.target.startsWith('/accounts') ? 'data.http.allow' : 'data.http.public') },
    );
    expect(ok.allowed).toBe(true);
    expect(refusalResponse(ok)).toBeNull();
  });

  it('rejects a request that is not one with INVALID_ARGUMENT', async () => {
    const bad = { method: 'GET', target: '/', headers: [['a', 1]] } as unknown as Parameters<
      typeof engine.authorizeRequestSync
    >[2];
    let code = '';
    try {
      engine.authorizeRequestSync(verifier, 'data.http.allow', { ...bad, method: 7 as unknown as string });
    } catch (e) {
      code = (e as CoreSdkError).code;
    }
    expect(code).toBe('INVALID_ARGUMENT');
  });
});
