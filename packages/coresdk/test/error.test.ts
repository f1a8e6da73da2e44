import { describe, expect, it } from 'vitest';
import { CoreSdkError, ERROR_CODES, Masker, PolicyEngine, panicProbe, panicProbeAsync, version } from '../src/index.js';

describe('errors', () => {
  it('has the stable codes of the core, in order', () => {
    expect(ERROR_CODES).toEqual([
      'INVALID_ARGUMENT', 'INVALID_JSON', 'POLICY_PARSE', 'POLICY_CONFLICT', 'POLICY_NOT_FOUND',
      'EVAL_ERROR', 'EVAL_TIMEOUT', 'BUNDLE_INVALID', 'SOURCE_UNAVAILABLE', 'INTEGRITY',
      'TOKEN_INVALID', 'TOKEN_EXPIRED', 'KEY_UNAVAILABLE', 'LIMIT_EXCEEDED', 'INTERNAL',
    ]);
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

  it('exposes the one version', () => {
    expect(version).toBe('0.1.0');
  });
});
