import { createHmac, sign as rsaSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyEngine, TokenVerifier } from '../src/index.js';
import { codeOf } from './helpers.js';

const KEYS = join(__dirname, '../../../fixtures/keys');
const SECRET = 'coresdk-test-secret';
const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function jwt(alg: 'HS256' | 'RS256', claims: Record<string, unknown>, kid?: string, secret = SECRET): string {
  const input = `${b64url(JSON.stringify({ alg, typ: 'JWT', ...(kid ? { kid } : {}) }))}.${b64url(JSON.stringify(claims))}`;
  const sig =
    alg === 'HS256'
      ? createHmac('sha256', secret).update(input).digest()
      : rsaSign('sha256', Buffer.from(input), readFileSync(join(KEYS, 'bundle-test-rsa.pem'), 'utf8'));
  return `${input}.${b64url(sig)}`;
}

const jwtWith = (secret: string, c: Record<string, unknown>, kid: string) => jwt('HS256', c, kid, secret);
const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({ sub: 'alice', role: 'admin', exp: now() + 600 });

describe('TokenVerifier', () => {
  it('authenticates with a JWKS and with keys given one by one', () => {
    const jwks = readFileSync(join(KEYS, 'test.jwks'), 'utf8');
    const v = new TokenVerifier({ jwks });
    expect(v.authenticate(jwt('RS256', claims(), 'rsa-1'))).toMatchObject({ sub: 'alice', role: 'admin' });
    const hs = new TokenVerifier({ keys: [{ algorithm: 'HS256', secret: SECRET }], requiredClaims: ['role'] });
    expect(hs.authenticate(jwt('HS256', claims())).sub).toBe('alice');
  });

  it('fails with TOKEN_EXPIRED / TOKEN_INVALID and never echoes the token', () => {
    const v = new TokenVerifier({ keys: [{ algorithm: 'HS256', secret: SECRET }], leewaySeconds: 5 });
    expect(codeOf(() => v.authenticate(jwt('HS256', { ...claims(), exp: now() - 60 })))).toBe('TOKEN_EXPIRED');
    const forged = `${jwt('HS256', claims()).slice(0, -4)}AAAA`;
    try {
      v.authenticate(forged);
      throw new Error('expected a failure');
    } catch (e) {
      expect((e as { code: string }).code).toBe('TOKEN_INVALID');
      expect((e as Error).message).not.toContain(forged);
    }
    expect(codeOf(() => v.authenticate('x'.repeat(100_000)))).toBe('TOKEN_INVALID');
    expect(codeOf(() => new TokenVerifier({ keys: [{ algorithm: 'RS256', publicKey: 'not pem' }] }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => new TokenVerifier({ jwks: '{' }))).toBe('INVALID_JSON');
  });
});

describe('PolicyEngine.authorize', () => {
  it('feeds the verified claims into input.claims', async () => {
    const engine = PolicyEngine.create({
      modules: { 'a.rego': 'package a\nallow if {\n input.claims.role == "admin"\n input.action == "delete"\n}\n' },
    });
    const v = new TokenVerifier({ keys: [{ algorithm: 'HS256', secret: SECRET }] });
    const token = jwt('HS256', claims());
    expect((await engine.authorize(v, token, 'data.a.allow', { action: 'delete' })).result).toBe(true);
    expect(engine.authorizeSync(v, token, 'data.a.allow', { action: 'read' }).defined).toBe(false);
    await expect(engine.authorize(v, jwt('HS256', { ...claims(), exp: 1 }), 'data.a.allow')).rejects.toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
    expect(codeOf(() => engine.authorizeSync(v, token, 'data.a.allow', { claims: {} }))).toBe('INVALID_ARGUMENT');
    expect(engine.metrics().evaluations).toBe(2);
  });
});

describe('TokenVerifier with a JWKS URL (real server on loopback)', () => {
  it('fetches off the JS thread, picks up a rotated key through an unknown kid, survives an outage', async () => {
    const oct = (kid: string, secret: string) => ({ kty: 'oct', kid, alg: 'HS256', k: b64url(secret) });
    let keys = [oct('k1', SECRET)];
    let up = true;
    const server = createServer((_req, res) => {
      if (up) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
      else res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    try {
      const v = await TokenVerifier.fromJwksUrl({ jwksUrl: url, jwksMinRefetchSeconds: 0, jwksRefreshSeconds: 3600 });
      expect((await v.authenticateAsync(jwt('HS256', claims(), 'k1'))).sub).toBe('alice');
      keys = [oct('k2', 'rotated-secret')];
      const rotated = jwtWith('rotated-secret', claims(), 'k2');
      expect((await v.authenticateAsync(rotated)).sub).toBe('alice');
      expect(v.keySourceStatus()).toMatchObject({ kind: 'jwks', location: url, state: 'ok', updates: 2 });
      up = false;
      await expect(v.authenticateAsync(jwtWith('x', claims(), 'k3'))).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
      expect(v.keySourceStatus()).toMatchObject({ state: 'failing', last_error: { code: 'SOURCE_UNAVAILABLE' } });
      expect(v.authenticate(rotated).sub).toBe('alice'); // the last good keys keep serving
      await expect(TokenVerifier.fromJwksUrl({ jwksUrl: url })).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
      expect(codeOf(() => new TokenVerifier({ jwksUrl: url }))).toBe('INVALID_ARGUMENT');
      expect(new TokenVerifier({ keys: [{ algorithm: 'HS256', secret: SECRET }] }).keySourceStatus()).toBeNull();
    } finally {
      server.close();
    }
  });
});
