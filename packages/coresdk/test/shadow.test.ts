// Shadow mode against a real OPA server: agreement counted, a change made in OPA only shows
// as a disagreement with both answers and a masked input; bad options refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyEngine, Shadow } from '../src/index.js';
import { codeOf } from './helpers.js';
import { HAVE_OPA, putPolicy, startOpa } from './opa-server.js';

const POLICY =
  'package app\n\ndefault allow := false\n\nallow if input.role == "admin"\n\ntags contains t if some t in input.tags\n';

describe.runIf(HAVE_OPA)('Shadow against OPA', () => {
  let opa: { url: string; stop: () => void };

  beforeAll(async () => {
    opa = await startOpa();
    await putPolicy(opa.url, 'app', POLICY);
  }, 60_000);

  afterAll(() => opa?.stop());

  it('counts agreement, and a change in OPA only as a disagreement', async () => {
    const engine = new PolicyEngine({ modules: { 'app.rego': POLICY } });
    const shadow = new Shadow({ opaUrl: opa.url });
    engine.setShadow(shadow);
    for (const input of [{ role: 'admin' }, { role: 'viewer' }, { tags: ['b', 'a', 'b'] }, {}]) {
      engine.evaluateSync('data.app.allow', input);
      engine.evaluateSync('data.app.tags', input);
    }
    expect(await shadow.waitIdle(20_000)).toBe(true);
    expect(shadow.metrics).toMatchObject({ sampled: 8, agreed: 8, disagreed: 0, opa_errors: 0 });

    await putPolicy(opa.url, 'app', POLICY.replace('input.role == "admin"', 'input.role in {"admin", "viewer"}'));
    const d = engine.evaluateSync('data.app.allow', { role: 'viewer', email: 'bob@example.com' });
    expect(d.result).toBe(false);
    expect(await shadow.waitIdle(20_000)).toBe(true);
    const m = shadow.metrics;
    expect(m).toMatchObject({ agreed: 8, disagreed: 1 });
    expect(m.disagreements).toEqual([
      {
        decision_id: d.decisionId,
        path: 'data.app.allow',
        input: { role: 'viewer', email: '[REDACTED:EMAIL]' },
        coresdk: { result: false },
        opa: { result: true },
      },
    ]);
    shadow.stop();
  });
});

describe('Shadow options', () => {
  it('refuses options that do not make a shadow', () => {
    expect(codeOf(() => new Shadow({ opaUrl: 'ftp://opa' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new Shadow({ opaUrl: 'http://opa', sampleRate: 2 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new Shadow({ opaUrl: 'http://opa', queueSize: 0 }))).toBe('INVALID_ARGUMENT');
  });
});
