import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, canonicalizeJson, hash, hashJson } from '../src/index.js';
import { codeOf } from './helpers.js';

// The independent JCS implementation on npm, resolved from the workspace root.
const reference = createRequire(`${__dirname}/../../../package.json`)('canonicalize') as (v: unknown) => string;

describe('canonical JSON', () => {
  it('sorts keys by UTF-16 code units and writes ECMAScript numbers', () => {
    expect(canonicalize({ b: [1.0, -0, 1e21, 5e-324], a: '\u{1F600}', '\uff01': null })).toBe(
      '{"a":"\u{1F600}","b":[1,0,1e+21,5e-324],"\uff01":null}',
    );
    expect(canonicalizeJson('9007199254740993')).toBe('9007199254740992');
  });

  it('hash is SHA-256 of the canonical form', () => {
    const canonical = canonicalize({ b: 1, a: 2 });
    expect(hash({ a: 2, b: 1 })).toBe(createHash('sha256').update(canonical).digest('hex'));
    expect(hashJson(Buffer.from('{"a":2,"b":1}'))).toBe(hash({ b: 1, a: 2 }));
  });

  it('equals the canonicalize npm package on generated values (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        expect(canonicalize(v)).toBe(reference(v));
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        const once = canonicalize(v);
        expect(canonicalizeJson(once)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });
});

describe('canonical bad input', () => {
  it('malformed JSON, invalid UTF-8 and deep nesting', () => {
    expect(codeOf(() => canonicalizeJson('{"a":'))).toBe('INVALID_JSON');
    expect(codeOf(() => hashJson(new Uint8Array([0x22, 0xc3, 0x28, 0x22])))).toBe('INVALID_JSON');
    expect(codeOf(() => canonicalizeJson(Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d])))).toBe('INVALID_JSON');
    expect(codeOf(() => canonicalizeJson('['.repeat(100_000) + ']'.repeat(100_000)))).toBe('LIMIT_EXCEEDED');
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(codeOf(() => hash(deep))).toBe('LIMIT_EXCEEDED');
  });

  it('values JSON cannot carry', () => {
    expect(codeOf(() => canonicalize(undefined))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => canonicalize({ a: NaN }))).toBe('INVALID_ARGUMENT'); // not null: docs/HOST-VALUES.md
    expect(codeOf(() => canonicalize(new Map([['a', 1]])))).toBe('INVALID_ARGUMENT');
    expect(canonicalize(10n)).toBe('10'); // a BigInt crosses as its digits
    expect(canonicalize(Object.assign(Object.create(null), { b: 1, a: undefined }))).toBe('{"b":1}'); // plain, undefined absent
    expect(codeOf(() => canonicalize({ toJSON: () => 1 }))).toBe('INVALID_ARGUMENT'); // toJSON is not honoured
    expect(canonicalize(9007199254740993n)).toBe('9007199254740992'); // rounded as RFC 8785 numbers are
    expect(codeOf(() => canonicalizeJson(5 as unknown as string))).toBe('INVALID_ARGUMENT');
  });

  it('a 50 MB string', () => {
    const s = 'x'.repeat(50 * 1024 * 1024);
    expect(canonicalize([s]).length).toBe(s.length + 4);
  });
});
