import { describe, expect, it } from 'vitest';
import { PolicyEngine } from '../src/index.js';

describe('metrics', () => {
  it('counts evaluations, errors by code, reloads and the fail mode', async () => {
    const e = PolicyEngine.create({ modules: { 'm.rego': 'package m\nallow if input.x == 1\n' } });
    await e.evaluate('data.m.allow', { x: 1 });
    e.querySync('data.m.allow', { x: 2 });
    expect(() => e.evaluateJsonSync('data.m.allow', '[')).toThrow();
    await expect(e.evaluate('data.nope.x')).rejects.toThrow();
    expect(e.allowedSync('data.nope.x')).toBe(false);
    expect(() => e.addModule('bad.rego', 'package bad\nx := ')).toThrow();

    const m = e.metrics();
    expect(m.evaluations).toBe(5);
    expect(m.errors).toEqual({ INVALID_JSON: 1, POLICY_NOT_FOUND: 2 });
    expect(m.fail_mode).toBe(1);
    expect(m.reloads).toEqual({ success: 1, failure: 1 });
    expect(m.revision).toBe(1);
    expect(m.bundle_revision).toBeNull();
    expect(m.source).toBeNull();
    expect(m.latency.count).toBe(5);
    expect(m.latency.buckets).toHaveLength(16);
    expect(m.latency.buckets.at(-1)).toEqual({ le: 1, count: expect.any(Number) });
    // The rule path ran on the register VM; the query always runs on the interpreter.
    expect(m.evaluator).toEqual({ compiled: 1, interpreter: 1 });
  });

  it('counts the interpreter only when the compiled evaluator is off', () => {
    const modules = { 'm.rego': 'package m\nallow if input.x == 1\n' };
    const e = PolicyEngine.create({ modules, evaluator: 'interpreter' });
    expect(e.evaluateSync('data.m.allow', { x: 1 }).result).toBe(true);
    expect(e.metrics().evaluator).toEqual({ compiled: 0, interpreter: 1 });
    expect(() => PolicyEngine.create({ modules, evaluator: 'rvm' as 'compiled' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('exposes the same values as Prometheus text', () => {
    const e = PolicyEngine.create({ modules: { 'm.rego': 'package m\nallow := true\n' } });
    e.evaluateSync('data.m.allow');
    const text = e.metricsPrometheus();
    expect(text).toContain('# TYPE coresdk_policy_evaluations_total counter\ncoresdk_policy_evaluations_total 1\n');
    expect(text).toContain('coresdk_policy_evaluation_duration_seconds_bucket{le="+Inf"} 1\n');
    expect(text).toContain('coresdk_policy_errors_total{code="EVAL_TIMEOUT"} 0\n');
    expect(text).toContain('coresdk_policy_revision 1\n');
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+-]+$/);
    }
  });
});
