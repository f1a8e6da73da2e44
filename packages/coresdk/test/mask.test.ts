import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoreSdkError, Masker } from '../src/index.js';
import { codeOf, fixtureTexts } from './helpers.js';

describe('Masker', () => {
  const masker = new Masker();

  it('masks text with typed replacements', () => {
    expect(masker.maskText('user bob@example.com paid with 4111 1111 1111 1111')).toBe(
      'user [REDACTED:EMAIL] paid with [REDACTED:CREDIT_CARD]',
    );
    expect(masker.maskText('card 4111 1111 1111 1112 is not Luhn-valid')).toBe(
      'card 4111 1111 1111 1112 is not Luhn-valid',
    );
  });

  it('masks JSON values, keeping keys and masking everything under sensitive keys', () => {
    const out = masker.maskValue({
      user: 'bob',
      contact: { email: 'bob@example.com' },
      password: 'hunter2',
      nested: { api_key: 12345, list: ['ok', 'ip 10.1.2.3'] },
      count: 3,
    });
    expect(out).toEqual({
      user: 'bob',
      contact: { email: '[REDACTED:EMAIL]' },
      password: '[REDACTED:SECRET]',
      nested: { api_key: '[REDACTED:SECRET]', list: ['ok', 'ip [REDACTED:IP_ADDRESS]'] },
      count: 3,
    });
  });

  it('honours extra sensitive keys', () => {
    const m = new Masker({ sensitiveKeys: ['customerRef'] });
    expect(m.maskValue({ customer_ref: 'A-1', other: 'A-1' })).toEqual({
      customer_ref: '[REDACTED:SECRET]',
      other: 'A-1',
    });
  });

  it('pseudonymizes with a keyed HMAC: stable, key-dependent, never the value', () => {
    const a = new Masker({ strategy: 'pseudonymize', key: 'k1' });
    const b = new Masker({ strategy: 'pseudonymize', key: new TextEncoder().encode('k2') });
    const x = a.maskText('bob@example.com');
    expect(x).toMatch(/^\[EMAIL:[0-9a-f]{16}\]$/);
    expect(a.maskText('bob@example.com')).toBe(x);
    expect(b.maskText('bob@example.com')).not.toBe(x);
    expect(codeOf(() => new Masker({ strategy: 'pseudonymize' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new Masker({ strategy: 'shred' as 'redact' }))).toBe('INVALID_ARGUMENT');
  });

  it('reports findings with UTF-8 and UTF-16 offsets', () => {
    const text = '😀 bob@example.com';
    const [f] = masker.scan(text);
    expect(f).toEqual({ type: 'EMAIL', start: 5, end: 20, startUtf16: 3, endUtf16: 18 });
    expect(text.slice(f!.startUtf16, f!.endUtf16)).toBe('bob@example.com');
    expect(Buffer.from(text).subarray(f!.start, f!.end).toString()).toBe('bob@example.com');
  });

  it('is idempotent and keeps JSON valid (property)', () => {
    const pii = fc.constantFrom(
      'bob@example.com',
      '4111111111111111',
      '078-05-1120',
      '10.0.0.1',
      'AKIA2E0A8F3B244C9986',
      'x',
    );
    const text = fc.array(fc.oneof(fc.string(), pii), { maxLength: 6 }).map((parts) => parts.join(' '));
    fc.assert(
      fc.property(text, (t) => {
        const once = masker.maskText(t);
        expect(masker.maskText(once)).toBe(once);
        expect(once).not.toContain('bob@example.com');
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
        const out = masker.maskJson(JSON.stringify(v));
        expect(() => JSON.parse(out)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});

describe('Masker bad input', () => {
  const masker = new Masker();

  it('invalid UTF-8 bytes', () => {
    expect(codeOf(() => masker.maskText(new Uint8Array([0x61, 0xff, 0x62])))).toBe('INVALID_ARGUMENT');
    expect(masker.maskText(Buffer.from('mail bob@example.com'))).toBe('mail [REDACTED:EMAIL]');
  });

  it('malformed JSON and JSON nested 100,000 deep', () => {
    expect(codeOf(() => masker.maskJson('{"a": '))).toBe('INVALID_JSON');
    expect(codeOf(() => masker.maskJson('['.repeat(100_000) + ']'.repeat(100_000)))).toBe('LIMIT_EXCEEDED');
    let deep: unknown = 'bob@example.com';
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(codeOf(() => masker.maskValue(deep))).toBe('LIMIT_EXCEEDED');
  });

  it('a 100 MB string is masked correctly', () => {
    const big = `${'lorem ipsum '.repeat((100 * 1024 * 1024) / 12)}contact bob@example.com`;
    const out = masker.maskText(big);
    expect(out.endsWith('contact [REDACTED:EMAIL]')).toBe(true);
    expect(out.length).toBe(big.length - 'bob@example.com'.length + '[REDACTED:EMAIL]'.length);
  });

  it('100,000 findings in one text are all masked', () => {
    const text = Array.from({ length: 100_000 }, (_, i) => `u${i}@example.com `).join('');
    expect(masker.scan(text)).toHaveLength(100_000);
    expect(masker.maskText(text)).toBe('[REDACTED:EMAIL] '.repeat(100_000));
  });

  it('custom patterns: pathological ones run in linear time, unusable ones are INVALID_ARGUMENT', () => {
    const custom = (pattern: string) => new Masker({ customDetectors: [{ type: 'EMPLOYEE_ID', pattern }] });
    const text = 'a'.repeat(200_000);
    expect(custom('(a|aa)+b').maskText(text)).toBe(text);
    expect(custom('\\b').maskText('café latte é ')).toBe('café latte é ');
    for (const bad of ['(?=x)x', '(a)\\1', '(', 'a{1000}{1000}{1000}', 'x*']) {
      expect(codeOf(() => custom(bad))).toBe('INVALID_ARGUMENT');
    }
  });

  it('non-string text', () => {
    expect(codeOf(() => masker.maskText(42 as unknown as string))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => masker.scan({} as unknown as string))).toBe('INVALID_ARGUMENT');
  });
});

describe('Masker.maskTexts', () => {
  const masker = new Masker({ strategy: 'pseudonymize', key: 'batch-key' });

  it('masks every mask fixture in one call as maskText does one by one', () => {
    const texts = fixtureTexts();
    expect(texts.length).toBeGreaterThan(100);
    const batch = masker.maskTexts(texts);
    expect(batch).toEqual(texts.map((t) => masker.maskText(t)));
    expect(batch.filter((out, i) => out !== texts[i]).length).toBeGreaterThan(100);
  });

  it('takes strings and UTF-8 bytes, in order; an empty batch is empty', () => {
    const bytes = new TextEncoder().encode('to carol@example.org');
    expect(masker.maskTexts(['a@example.com', bytes, 'clean'])).toEqual([
      masker.maskText('a@example.com'),
      masker.maskText('to carol@example.org'),
      'clean',
    ]);
    expect(masker.maskTexts([])).toEqual([]);
  });

  it('refuses a bad item by its index and masks nothing', () => {
    const error = (texts: unknown): CoreSdkError => {
      try {
        masker.maskTexts(texts as string[]);
      } catch (e) {
        expect(e).toBeInstanceOf(CoreSdkError);
        return e as CoreSdkError;
      }
      throw new Error('expected a CoreSdkError');
    };
    expect(error(['ok', 'lone \ud800 surrogate']).message).toContain('texts[1]');
    expect(error(['ok', 'ok', new Uint8Array([0x61, 0xff])]).message).toContain('texts[2]');
    expect(error(['ok', 42]).message).toContain('texts[1]');
    for (const bad of ['one string', undefined, { 0: 'x', length: 1 }]) {
      expect(error(bad).code).toBe('INVALID_ARGUMENT');
    }
  });
});
