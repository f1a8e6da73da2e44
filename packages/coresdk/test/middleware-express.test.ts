// Express 5 and Express 4 (installed as `express4`) on loopback, behind expressAuthorization.
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthorizedRequest, expressAuthorization } from '../src/index.js';
import { listen, send, service, token } from './http-service.js';

const express4 = createRequire(import.meta.url)('express4') as typeof express;

for (const [name, make] of [
  ['express 5', express],
  ['express 4', express4],
] as const) {
  describe(`expressAuthorization on ${name}`, () => {
    const { engine, verifier } = service();
    let server: Server;
    let base = '';

    beforeAll(async () => {
      const app = make();
      const guard = expressAuthorization({ engine, verifier, rule: 'data.http.allow' });
      app.get('/accounts/:id', guard, (req, res) => {
        const { coresdk } = req as unknown as AuthorizedRequest;
        res.json({ sub: coresdk.claims?.sub, input: coresdk.input, decision: coresdk.decision?.decisionId });
      });
      const api = make.Router();
      api.use(expressAuthorization({ engine, verifier, rule: 'data.http.public', tokenOptional: true }));
      api.get('/:name', (req, res) => {
        res.json({
          path: (req as unknown as AuthorizedRequest).coresdk.input.path,
          locals: res.locals.coresdk?.status,
        });
      });
      app.use('/health', api);
      app.get('/missing', expressAuthorization({ engine, verifier, rule: 'data.nothing.allow' }), (_req, res) => {
        res.send('never');
      });
      server = createServer(app);
      base = await listen(server);
    });

    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    it('lets an allowed request through with its claims, input and decision', async () => {
      const r = await send(`${base}/accounts/bob?view=full&tag=a&tag=b`, token('bob', 'viewer'), {
        cookie: 'session=s3cr3t',
        'x-request-id': 'r-1',
      });
      expect(r.status).toBe(200);
      expect(r.body.sub).toBe('bob');
      expect(r.body.decision).toMatch(/^[0-9a-f-]{36}$/);
      const input = r.body.input;
      expect(input.method).toBe('GET');
      expect(input.path).toBe('/accounts/bob');
      expect(input.parsed_path).toEqual(['accounts', 'bob']);
      expect(input.parsed_query).toEqual({ view: ['full'], tag: ['a', 'b'] });
      expect(input.headers['x-request-id']).toBe('r-1');
      expect(input.headers).not.toHaveProperty('authorization');
      expect(input.headers).not.toHaveProperty('cookie');
      expect(input.client_address).toMatch(/127\.0\.0\.1$/);
      expect(input.claims).toMatchObject({ sub: 'bob', role: 'viewer' });
    });

    it('answers 401 without a token, and with a bad one, never echoing it', async () => {
      const none = await send(`${base}/accounts/bob`);
      expect(none.status).toBe(401);
      expect(none.type).toMatch(/^application\/problem\+json/);
      expect(none.challenge).toBe('Bearer');
      expect(none.body).toEqual({
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'a bearer token is required',
        code: 'TOKEN_INVALID',
      });
      const forged = token('bob', 'admin', 600, 'another-secret');
      const bad = await send(`${base}/accounts/bob`, forged);
      expect(bad.status).toBe(401);
      expect(bad.challenge).toBe('Bearer error="invalid_token"');
      expect(bad.text).not.toContain(forged.split('.')[1]);
      const expired = await send(`${base}/accounts/bob`, token('bob', 'viewer', -120));
      expect(expired.body.code).toBe('TOKEN_EXPIRED');
    });

    it('answers 403 for a deny, naming the decision', async () => {
      const r = await send(`${base}/accounts/alice`, token('bob', 'viewer'));
      expect(r.status).toBe(403);
      expect(r.body.title).toBe('Forbidden');
      expect(r.body.decision_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.challenge).toBeNull();
    });

    it('applies a router-level rule with the mount path in the input', async () => {
      const r = await send(`${base}/health/db`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ path: '/health/db', locals: 200 });
    });

    it('fails closed with 500 when the rule names nothing', async () => {
      const r = await send(`${base}/missing`, token('bob', 'admin'));
      expect(r.status).toBe(500);
      expect(r.body.code).toBe('POLICY_NOT_FOUND');
      expect(r.text).not.toContain('never');
    });
  });
}
