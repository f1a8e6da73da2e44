// The tokenize strategy from Node: typed, deterministic tokens that unmask for a holder of
// the key; rotation; tampered tokens fail with INTEGRITY; a missing key is KEY_UNAVAILABLE.
import { describe, expect, it } from 'vitest';
import { CoreSdkError, Masker, unmaskText, unmaskValue } from '../src/index.js';

const TEXT = 'mail bob@example.com, card 4111 1111 1111 1111, again bob@example.com';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof CoreSdkError ? e.code : 'NOT_CORESDK';
  }
  return undefined;
}

describe('tokenize strategy', () => {
  const k1 = new Masker({ strategy: 'tokenize', key: 'secret-one', keyId: 'k1' });

  it('writes typed, deterministic tokens that unmask with the key', () => {
    const masked = k1.maskText(TEXT);
    expect(masked).toMatch(/^mail \[EMAIL:tok:k1:[0-9a-f]{62}\], card \[CREDIT_CARD:tok:k1:[0-9a-f]+\], again /);
    const tokens = masked.match(/\[EMAIL:tok:k1:[0-9a-f]+\]/g);
    expect(tokens).toHaveLength(2);
    expect(tokens?.[0]).toBe(tokens?.[1]);
    expect(k1.maskText(masked)).toBe(masked);
    expect(unmaskText(masked, { k1: 'secret-one' })).toBe(TEXT);
    expect(unmaskText(masked, { k1: new TextEncoder().encode('secret-one') })).toBe(TEXT);
  });

  it('round-trips JSON values and takes a per-type key id', () => {
    const value = { user: 'bob@example.com', password: 'hunter2' };
    const masker = new Masker({
      strategy: 'tokenize',
      key: 'secret-one',
      keyId: 'k1',
      strategies: { SECRET: { strategy: 'tokenize', key: 'secret-two', keyId: 'k2' } },
    });
    const masked = masker.maskValue(value) as Record<string, string>;
    expect(masked.user).toMatch(/^\[EMAIL:tok:k1:/);
    expect(masked.password).toMatch(/^\[SECRET:tok:k2:/);
    expect(unmaskValue(masked, { k1: 'secret-one', k2: 'secret-two' })).toEqual(value);
    expect(codeOf(() => unmaskValue(masked, { k1: 'secret-one' }))).toBe('KEY_UNAVAILABLE');
  });

  it('fails with INTEGRITY on a changed, moved or foreign token', () => {
    const token = k1.maskText('bob@example.com');
    const last = token.at(-2) === '0' ? '1' : '0';
    const flipped = `${token.slice(0, -2)}${last}]`;
    expect(codeOf(() => unmaskText(flipped, { k1: 'secret-one' }))).toBe('INTEGRITY');
    const moved = token.replace('[EMAIL:', '[PHONE_NUMBER:');
    expect(codeOf(() => unmaskText(moved, { k1: 'secret-one' }))).toBe('INTEGRITY');
    expect(codeOf(() => unmaskText(token, { k1: 'another-key' }))).toBe('INTEGRITY');
  });

  it('refuses bad keys and key ids with INVALID_ARGUMENT', () => {
    expect(codeOf(() => new Masker({ strategy: 'tokenize' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new Masker({ strategy: 'tokenize', key: 'k', keyId: 'bad-id' }))).toBe('INVALID_ARGUMENT');
  });
});
