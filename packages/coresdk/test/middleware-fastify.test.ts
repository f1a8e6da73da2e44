// Fastify 5 on loopback with the fastifyAuthorization plugin, guarding one scope.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastifyAuthorization, type RequestAuthorization } from '../src/index.js';
import { send, service, token } from './http-service.js';

describe('fastifyAuthorization', () => {
  const { engine, verifier } = service();
  let app: FastifyInstance;
  let base = '';

  beforeAll(async () => {
    app = Fastify();
    app.get('/open', async () => ({ open: true }));
    await app.register(async (scope) => {
      await scope.register(fastifyAuthorization, { engine, verifier, rule: 'data.http.allow' });
      scope.get('/accounts/:id', async (request) => {
        const a = (request as unknown as { coresdk: RequestAuthorization }).coresdk;
        return { sub: a.claims?.sub, path: a.input.parsed_path, address: a.input.client_address };
      });
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(() => app.close());

  it('lets an allowed request through with the answer on request.coresdk', async () => {
    const r = await send(`${base}/accounts/bob`, token('bob', 'viewer'));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ sub: 'bob', path: ['accounts', 'bob'], address: '127.0.0.1' });
  });

  it('refuses with problem bodies: 401 without a token, 403 on deny', async () => {
    const none = await send(`${base}/accounts/bob`);
    expect(none.status).toBe(401);
    expect(none.type).toMatch(/^application\/problem\+json/);
    expect(none.challenge).toBe('Bearer');
    const denied = await send(`${base}/accounts/alice`, token('bob', 'viewer'));
    expect(denied.status).toBe(403);
    expect(denied.body.decision_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('guards only the scope it is registered in', async () => {
    const r = await send(`${base}/open`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ open: true });
  });
});
