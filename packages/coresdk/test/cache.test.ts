import { describe, expect, it } from 'vitest';
import { PolicyEngine } from '../src/index.js';

const AUTHZ = 'package authz\nallow if input.user in data.admins\nn := count(input.items)\n';

function cached(ttlMs = 60_000, maxEntries = 10_000): PolicyEngine {
  return PolicyEngine.create({
    modules: { 'authz.rego': AUTHZ },
    data: { admins: ['alice'] },
    cache: { ttlMs, maxEntries },
  });
}

describe('decision cache', () => {
  it('answers a repeated decision from the cache, with its own decision id', async () => {
    const e = cached();
    const first = await e.evaluate('data.authz.allow', { user: 'alice' });
    const second = e.evaluateSync('data.authz.allow', { user: 'alice' });
    expect(first).toMatchObject({ result: true, cached: false });
    expect(second).toMatchObject({ result: true, cached: true, revision: first.revision });
    expect(second.decisionId).not.toBe(first.decisionId);
    expect(e.metrics().cache).toEqual({ enabled: true, hits: 1, misses: 1, entries: 1 });
  });

  it('keys on the canonical input: key order and number spelling do not matter', () => {
    const e = cached();
    e.evaluateJsonSync('data.authz.n', '{"user":"bob","items":[1,2.0,3]}');
    const hit = e.evaluateJsonSync('data.authz.n', '{ "items": [1.0, 2, 3e0], "user": "bob" }');
    expect(hit).toMatchObject({ result: 3, cached: true });
    expect(e.evaluateSync('data.authz.n', { items: [1] })).toMatchObject({ result: 1, cached: false });
  });

  it('is emptied by a reload, so no decision outlives its revision', () => {
    const e = cached();
    e.evaluateSync('data.authz.allow', { user: 'bob' });
    expect(e.evaluateSync('data.authz.allow', { user: 'bob' }).cached).toBe(true);
    e.replaceModules({ 'authz.rego': 'package authz\nallow := true\n' });
    const after = e.evaluateSync('data.authz.allow', { user: 'bob' });
    expect(after).toMatchObject({ result: true, cached: false, revision: e.revision });
  });

  it('caches undefined and query rows, apart from rule paths', () => {
    const e = cached();
    e.evaluateSync('data.authz.allow', { user: 'eve' });
    expect(e.evaluateSync('data.authz.allow', { user: 'eve' })).toMatchObject({ defined: false, cached: true });
    expect(e.querySync('data.authz.allow', { user: 'eve' }).cached).toBe(false);
    const rows = e.querySync('data.authz.allow', { user: 'eve' });
    expect(rows).toMatchObject({ cached: true, rows: [] });
  });

  it('expires entries after the TTL', async () => {
    const e = cached(50);
    e.evaluateSync('data.authz.allow', { user: 'bob' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(e.evaluateSync('data.authz.allow', { user: 'bob' }).cached).toBe(false);
  });

  it('is off unless asked for', () => {
    const e = PolicyEngine.create({ modules: { 'authz.rego': AUTHZ }, data: { admins: [] } });
    e.evaluateSync('data.authz.allow', { user: 'bob' });
    expect(e.evaluateSync('data.authz.allow', { user: 'bob' }).cached).toBe(false);
    expect(e.metrics().cache.enabled).toBe(false);
  });
});
