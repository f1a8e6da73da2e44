import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CoreSdkError, ERROR_CODES, Masker, PolicyEngine, panicProbe, panicProbeAsync, version } from '../src/index.js';
import nativeAddon from '../src/native.js';

describe('errors', () => {
  it('has the stable codes of the core, in order (the core is the one list)', () => {
    expect(ERROR_CODES).toEqual(nativeAddon.errorCodes());
    expect(new Set(ERROR_CODES).size).toBe(15);
  });

  it('a panic in the core is INTERNAL and the process survives (sync)', () => {
    let caught: unknown;
    try {
      panicProbe();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CoreSdkError);
    expect((caught as CoreSdkError).code).toBe('INTERNAL');
    expect(new Masker().maskText('bob@example.com')).toBe('[REDACTED:EMAIL]');
  });

  it('a panic on a libuv worker is INTERNAL and the process survives (async)', async () => {
    await expect(panicProbeAsync()).rejects.toMatchObject({ name: 'CoreSdkError', code: 'INTERNAL' });
    await expect(panicProbeAsync()).rejects.toBeInstanceOf(CoreSdkError);
    const e = PolicyEngine.create({ modules: { 'a.rego': 'package a\nx := 1\n' } });
    expect((await e.evaluate('data.a.x')).result).toBe(1);
  });

  it('the addon throws its stable code as `code` and {message, location} JSON as the message', async () => {
    // The contract between bindings/node/src/error.rs and toCoreSdkError, sync and async.
    const raw = createRequire(import.meta.url)('@coresdk/native');
    const engine = new raw.PolicyEngine({});
    let thrown: { code?: unknown; message: string } | undefined;
    try {
      engine.addModule('x.rego', 'package x\nallow if {');
    } catch (e) {
      thrown = e as typeof thrown;
    }
    expect(thrown?.code).toBe('POLICY_PARSE');
    expect(JSON.parse(thrown!.message).location).toEqual({ file: 'x.rego', line: 2, column: expect.any(Number) });
    const rejected = await engine.evaluate('data.nowhere.x', '{}').catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(Error);
    expect(rejected).toMatchObject({ code: 'POLICY_NOT_FOUND' });
    expect(JSON.parse((rejected as Error).message)).toMatchObject({ location: null });
  });

  it("the message starts with the code, as Python's str(error) does", async () => {
    let caught: unknown;
    try {
      PolicyEngine.create({ modules: { 'bad.rego': 'package bad\nallow if {\n' } });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CoreSdkError);
    expect((caught as CoreSdkError).message).toMatch(/^POLICY_PARSE: \S/);
    const json = new CoreSdkError('INVALID_JSON', 'invalid JSON: expected value');
    expect(json.message).toBe('INVALID_JSON: invalid JSON: expected value');
    expect(String(json)).toBe('CoreSdkError: INVALID_JSON: invalid JSON: expected value');
    await expect(panicProbeAsync()).rejects.toThrow(/^INTERNAL: /);
  });

  it('exposes the one version (the addon and the package agree)', () => {
    const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
    expect(version).toBe(pkg.version);
  });
});
