import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoreSdkError, PolicyEngine } from '../src/index.js';
import { codeOf } from './helpers.js';

const AUTHZ = 'package authz\n\ndefault allow := false\n\nallow if input.user in data.admins\n';
const LOOP =
  'package loop\nspin if {\n some i in numbers.range(1, 10000)\n some j in numbers.range(1, 10000)\n i + j < 0\n}\nok := true\n';

function engine(): PolicyEngine {
  return PolicyEngine.create({ modules: { 'authz.rego': AUTHZ }, data: { admins: ['alice'] } });
}

describe('PolicyEngine', () => {
  it('decides, reporting revision and a time-ordered id', async () => {
    const e = engine();
    const yes = await e.evaluate('data.authz.allow', { user: 'alice' });
    const no = e.evaluateSync('data.authz.allow', { user: 'bob' });
    expect(yes).toMatchObject({ result: true, defined: true, revision: 2 });
    expect(no).toMatchObject({ result: false, defined: true, revision: 2 });
    expect(yes.decisionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(no.decisionId > yes.decisionId).toBe(true);
  });

  it('evaluateJson and queryJson (async) answer as their sync variants, big integers exact', async () => {
    const e = new PolicyEngine({ modules: { 'n.rego': 'package n\nx := input.n\n' } });
    const input = '{"n": 9007199254740993}';
    const [async_, sync] = [await e.evaluateJson('data.n.x', input), e.evaluateJsonSync('data.n.x', input)];
    expect([async_.result, async_.defined]).toEqual([sync.result, true]);
    expect(e.evaluateJsonSync('data.n.x', '{"n": [1]}').result).toEqual([1]);
    const rows = (await e.queryJson('y := input.n', Buffer.from('{"n": 2}'))).rows;
    expect(rows).toEqual(e.queryJsonSync('y := input.n', '{"n": 2}').rows);
    expect(rows[0]?.bindings).toEqual({ y: 2 });
    await expect(e.evaluateJson('data.n.x', '{')).rejects.toMatchObject({ code: 'INVALID_JSON' });
  });

  it('counts revisions: 0 when empty, +1 per accepted change', () => {
    const e = new PolicyEngine();
    expect(e.revision).toBe(0);
    expect(e.addModule('a.rego', 'package a\nx := data.v\n')).toBe(1);
    expect(e.addData({ v: 7 })).toBe(2);
    expect(e.addModules({ 'b.rego': 'package b\ny := 1\n', 'c.rego': 'package c\nz := 2\n' })).toBe(3);
    expect(e.revision).toBe(3);
    expect(e.evaluateSync('data.a.x')).toMatchObject({ result: 7, revision: 3 });
  });

  it('tells undefined from false and null', () => {
    const e = PolicyEngine.create({ modules: { 't.rego': 'package t\nf := false\nn := null\nu if input.x == 1\n' } });
    expect(e.evaluateSync('data.t.f')).toMatchObject({ result: false, defined: true });
    expect(e.evaluateSync('data.t.n')).toMatchObject({ result: null, defined: true });
    const u = e.evaluateSync('data.t.u');
    expect(u.defined).toBe(false);
    expect(u.result).toBeUndefined();
  });

  it('loads a directory and a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coresdk-node-'));
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'lib.rego'), 'package lib\nadmins := {"root"}\n');
    writeFileSync(join(dir, 'nested', 'app.rego'), 'package app\nallow if input.user in data.lib.admins\n');
    const e = PolicyEngine.create({ paths: [dir] });
    expect(e.evaluateSync('data.app.allow', { user: 'root' }).result).toBe(true);
    expect(codeOf(() => e.addPath(join(dir, 'missing.rego')))).toBe('SOURCE_UNAVAILABLE');
  });

  it('evaluate and evaluateSync agree, and 200 concurrent evaluations are all right', async () => {
    const e = engine();
    const users = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 'alice' : `user${i}`));
    const decisions = await Promise.all(users.map((user) => e.evaluate('data.authz.allow', { user })));
    decisions.forEach((d, i) => {
      expect(d.result).toBe(users[i] === 'alice');
      expect(d.result).toBe(e.evaluateSync('data.authz.allow', { user: users[i] }).result);
    });
    expect(new Set(decisions.map((d) => d.decisionId)).size).toBe(200);
  });

  it('reports POLICY_PARSE with a location and keeps the old revision serving', () => {
    const e = engine();
    try {
      e.addModule('broken.rego', 'package authz\n\nallow if {\n');
      throw new Error('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(CoreSdkError);
      expect((err as CoreSdkError).code).toBe('POLICY_PARSE');
      expect((err as CoreSdkError).location).toEqual({ file: 'broken.rego', line: 4, column: expect.any(Number) });
    }
    expect(e.revision).toBe(2);
    expect(e.evaluateSync('data.authz.allow', { user: 'alice' })).toMatchObject({ result: true, revision: 2 });
  });

  it('reports POLICY_NOT_FOUND and INVALID_ARGUMENT for bad paths', async () => {
    const e = engine();
    expect(codeOf(() => e.evaluateSync('data.nowhere.allow'))).toBe('POLICY_NOT_FOUND');
    expect(codeOf(() => e.evaluateSync('input.user'))).toBe('INVALID_ARGUMENT');
    await expect(e.evaluate('data.nowhere.allow')).rejects.toMatchObject({ code: 'POLICY_NOT_FOUND' });
  });

  it('stops a runaway policy with EVAL_TIMEOUT and keeps serving', async () => {
    const e = PolicyEngine.create({ modules: { 'loop.rego': LOOP }, timeoutMs: 50 });
    await expect(e.evaluate('data.loop.spin')).rejects.toMatchObject({ code: 'EVAL_TIMEOUT' });
    expect(codeOf(() => e.evaluateSync('data.loop.spin'))).toBe('EVAL_TIMEOUT');
    expect(e.evaluateSync('data.loop.ok').result).toBe(true);
  });

  it('runs queries with OPA row semantics', async () => {
    const e = engine();
    const q = await e.query('x := data.admins[_]');
    expect(q.rows).toEqual([{ expressions: [true], bindings: { x: 'alice' } }]);
    // One expression: its value, false included (OPA captures it); several: false fails.
    expect(e.querySync('data.admins[0] == "bob"').rows).toEqual([{ expressions: [false], bindings: {} }]);
    expect(e.querySync('x := data.admins[0]; x == "bob"').rows).toEqual([]);
    expect(codeOf(() => e.querySync('x := '))).toBe('POLICY_PARSE');
  });

  it('survives 100 reloads under continuous concurrent evaluation', async () => {
    // Revision r serves `rev := r`, so every decision's value must equal its revision.
    const e = PolicyEngine.create({ modules: { 'v.rego': 'package v\nrev := 1\n' } });
    let done = false;
    const seen = new Set<number>();
    const caller = async (): Promise<number> => {
      let decisions = 0;
      while (!done) {
        const d = await e.evaluate('data.v.rev');
        expect(d.result).toBe(d.revision);
        seen.add(d.revision);
        decisions += 1;
      }
      return decisions;
    };
    const callers = [caller(), caller(), caller(), caller()];
    for (let k = 2; k <= 101; k++) {
      expect(e.replaceModules({ 'v.rego': `package v\nrev := ${k}\n` })).toBe(k);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    done = true;
    const counts = await Promise.all(callers);
    expect(counts.every((n) => n > 0)).toBe(true);
    expect(seen.size).toBeGreaterThan(10);
    expect(e.metrics().errors).toEqual({});
    expect(e.metrics().reloads.success).toBe(101);
  });

  it('hands print() output to onPrint and the decision, never to stdout', async () => {
    const lines: Array<[string, number]> = [];
    const e = PolicyEngine.create({
      modules: { 'p.rego': 'package p\nallow if {\n  print("checking", input.user)\n  input.user == "alice"\n}\n' },
      onPrint: (line, d) => lines.push([line, d.revision]),
    });
    const d = await e.evaluate('data.p.allow', { user: 'alice' });
    expect(d.prints).toEqual(['p.rego:3: checking alice']);
    expect(lines).toEqual([['p.rego:3: checking alice', 1]]);
    e.querySync('print("q")');
    expect(lines[1]?.[0]).toMatch(/: q$/);
    const throwing = PolicyEngine.create({
      modules: { 'p.rego': 'package p\nx if print("hi")\n' },
      onPrint: () => {
        throw new Error('logger down');
      },
    });
    expect(throwing.evaluateSync('data.p.x')).toMatchObject({ result: true, prints: ['p.rego:2: hi'] });
  });
});

describe('PolicyEngine.allowed (fail mode)', () => {
  it('is true only for true, and applies the fail mode on failure', async () => {
    const closed = engine();
    expect(await closed.allowed('data.authz.allow', { user: 'alice' })).toBe(true);
    expect(closed.allowedSync('data.authz.allow', { user: 'bob' })).toBe(false);
    expect(closed.failModeCount).toBe(0);
    expect(await closed.allowed('data.nowhere.allow')).toBe(false);
    expect(closed.allowedSync('data.authz.allow', { n: NaN })).toBe(false);
    expect(closed.failModeCount).toBe(2);

    const open = PolicyEngine.create({
      modules: { 't.rego': 'package t\nno if false\nnum := 3\n', 'loop.rego': LOOP },
      failOpen: true,
      timeoutMs: 50,
    });
    expect(open.allowedSync('data.t.no')).toBe(false); // undefined is a plain deny
    expect(open.failModeCount).toBe(0);
    expect(open.allowedSync('data.t.num')).toBe(true); // not a boolean: a failure
    expect(await open.allowed('data.loop.spin')).toBe(true); // EVAL_TIMEOUT: a failure
    expect(open.failModeCount).toBe(2);
  });
});

describe('PolicyEngine bad input', () => {
  it('malformed Rego', () => {
    expect(codeOf(() => PolicyEngine.create({ modules: { 'x.rego': 'package x\nallow if {' } }))).toBe('POLICY_PARSE');
  });

  it('malformed JSON input text and invalid UTF-8 bytes', () => {
    const e = engine();
    expect(codeOf(() => e.evaluateJsonSync('data.authz.allow', '{"user": '))).toBe('INVALID_JSON');
    expect(
      codeOf(() => e.evaluateJsonSync('data.authz.allow', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))),
    ).toBe('INVALID_JSON');
    expect(codeOf(() => e.addDataJson(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])))).toBe('INVALID_JSON');
    expect(e.revision).toBe(2);
  });

  it('non-object input is evaluated like OPA', () => {
    const e = PolicyEngine.create({ modules: { 't.rego': 'package t\nr := input * 2\nu := input.user\n' } });
    expect(e.evaluateSync('data.t.r', 5).result).toBe(10);
    expect(e.evaluateJsonSync('data.t.r', '5').result).toBe(10);
    expect(e.evaluateSync('data.t.u', 21).defined).toBe(false);
  });

  it('JSON nested 100,000 deep, as text and as a value', () => {
    const e = engine();
    const text = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(codeOf(() => e.evaluateJsonSync('data.authz.allow', text))).toBe('LIMIT_EXCEEDED');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(codeOf(() => e.evaluateSync('data.authz.allow', deep))).toBe('LIMIT_EXCEEDED');
  });

  it('policies and queries nested far too deep are POLICY_PARSE, on the main thread and the pool', async () => {
    const deep = [
      `x := ${'abs('.repeat(5000)}1${')'.repeat(5000)}`,
      `x := ${'['.repeat(5000)}1${']'.repeat(5000)}`,
      `x := input${'.a'.repeat(30_000)}`,
      `x := 1${' + 1'.repeat(30_000)}`,
    ];
    for (const source of deep) {
      expect(codeOf(() => PolicyEngine.create({ modules: { 'deep.rego': `package deep\n${source}` } }))).toBe(
        'POLICY_PARSE',
      );
    }
    const e = engine();
    const query = `x := ${'{'.repeat(5000)}1${'}'.repeat(5000)}`;
    expect(codeOf(() => e.querySync(query))).toBe('POLICY_PARSE');
    await expect(e.query(query)).rejects.toMatchObject({ code: 'POLICY_PARSE' });
    const depth60 = `x := ${'['.repeat(60)}1${']'.repeat(60)}\ny := x${'[0]'.repeat(60)}`;
    const ok = PolicyEngine.create({ modules: { 'ok.rego': `package ok\n${depth60}` } });
    expect((await ok.evaluate('data.ok.y')).result).toBe(1);
  });

  it('an evaluation over its memory budget is LIMIT_EXCEEDED and the engine keeps serving', async () => {
    const source = 'package m\nbig := count(numbers.range(1, 2000000))\nsmall := count(numbers.range(1, 1000))\n';
    const e = PolicyEngine.create({
      modules: { 'm.rego': source },
      memoryLimitBytes: 16 * 1024 * 1024,
      timeoutMs: 60_000,
    });
    expect(codeOf(() => e.evaluateSync('data.m.big'))).toBe('LIMIT_EXCEEDED');
    await expect(e.evaluate('data.m.big')).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(e.evaluateSync('data.m.small').result).toBe(1000);
    const roomy = PolicyEngine.create({ modules: { 'm.rego': source }, timeoutMs: 60_000 });
    expect(roomy.evaluateSync('data.m.big').result).toBe(2_000_000);
    const unlimited = PolicyEngine.create({ modules: { 'm.rego': source }, memoryLimitBytes: 0, timeoutMs: 60_000 });
    expect((await unlimited.evaluate('data.m.big')).result).toBe(2_000_000);
    expect(codeOf(() => new PolicyEngine({ memoryLimitBytes: -1 }))).toBe('INVALID_ARGUMENT');
  });

  it('a 50 MB string input is evaluated', async () => {
    const e = PolicyEngine.create({ modules: { 't.rego': 'package t\nn := count(input.blob)\n' } });
    const blob = 'a'.repeat(50 * 1024 * 1024);
    expect((await e.evaluate('data.t.n', { blob })).result).toBe(50 * 1024 * 1024);
  });

  it('values JSON cannot carry', () => {
    const e = engine();
    expect(codeOf(() => e.evaluateSync('data.authz.allow', { n: NaN }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => e.evaluateSync('data.authz.allow', { at: new Date(0) }))).toBe('INVALID_ARGUMENT');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(codeOf(() => e.evaluateSync('data.authz.allow', cyclic))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => e.addData([1, 2] as unknown as Record<string, unknown>))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => e.addModule(42 as unknown as string, 'package x'))).toBe('INVALID_ARGUMENT');
  });
});

describe('PolicyEngine.reload', () => {
  it('replaces modules and data as one revision, or nothing', () => {
    const e = engine();
    const revision = e.reload({
      modules: { 'v2.rego': 'package v2\nadmins := data.admins\n' },
      data: { admins: ['carol'] },
    });
    expect(revision).toBe(3);
    expect(codeOf(() => e.evaluateSync('data.authz.allow'))).toBe('POLICY_NOT_FOUND');
    expect(e.evaluateSync('data.v2.admins').result).toEqual(['carol']);
    expect(codeOf(() => e.reload({ modules: { 'x.rego': 'package x\ny := ' } }))).toBe('POLICY_PARSE');
    expect(codeOf(() => e.reload({ modules: {}, data: [1] as unknown as Record<string, unknown> }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(e.revision).toBe(3);
    e.reload({ modules: { 'x.rego': 'package x\ny := 1\n' } });
    expect(e.querySync('x := data.admins').rows).toEqual([]);
  });
});
