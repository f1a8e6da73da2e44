// Seeded generator of JSON documents for the differential parity run. The same seed
// gives the same documents on every machine. Documents are written as JSON *text* so
// that number lexemes no JavaScript value can carry (-0, 1e21, 2^53+1, 5e-324)
// and escapes reach both languages byte for byte.

/** mulberry32: a small, well-known 32-bit PRNG; deterministic for a seed. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NUMBER_LEXEMES = [
  '0',
  '-0',
  '-0.0',
  '1',
  '-1',
  '1.5',
  '1e21',
  '1e20',
  '1E-7',
  '5e-324',
  '9007199254740993',
  '9007199254740992',
  '18446744073709551615',
  '0.1',
  '0.30000000000000004',
  '123456789.123456789',
  '1.7976931348623157e308',
  '-2.5e-8',
  '100',
  '1e2',
  '4.50',
  '333333333.33333329',
];
const PII = [
  'bob@example.com',
  'alice.smith+tag@mail.example.org',
  '4111111111111111',
  '5555 5555 5555 4444',
  '378282246310005',
  '078-05-1120',
  'GB82WEST12345698765432',
  'DE89 3704 0044 0532 0130 00',
  '192.168.1.20',
  '2001:db8::8a2e:370:7334',
  '+1 415 555 2671',
  '(555) 123-4567',
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  'Bearer abc123.def456-ghi',
  'AKIAIOSFODNN7EXAMPLE',
  'ghp_0123456789abcdefghijklmnopqrstuvwxyz',
  'xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx',
  'postgres://admin:s3cr3t@db.internal:5432/app',
];
const WORDS = [
  'user',
  'id',
  'note',
  'é',
  '日本',
  '😀',
  'a"b',
  'back\\slash',
  'tab\tchar',
  'line\nbreak',
  '\u0007',
  '\u2028',
  'ｆｕｌｌ',
  '𐀀',
];
const KEYS = [
  'a',
  'b',
  'A',
  '',
  'name',
  'email',
  'password',
  'token',
  'Authorization',
  'api_key',
  'é',
  '€',
  '😀',
  '\ufb33',
  '\ue000',
  'ｆ',
  '1',
  '\r',
  'nested',
];

function pick(r, list) {
  return list[Math.floor(r() * list.length)];
}

function str(r) {
  const parts = [];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) parts.push(r() < 0.35 ? pick(r, PII) : pick(r, WORDS));
  return JSON.stringify(parts.join(' '));
}

function value(r, depth) {
  const roll = r();
  if (depth > 5 || roll < 0.45) {
    const s = r();
    if (s < 0.4) return str(r);
    if (s < 0.7) return pick(r, NUMBER_LEXEMES);
    if (s < 0.8) return String(Math.floor((r() - 0.5) * 1e9));
    return pick(r, ['true', 'false', 'null']);
  }
  if (roll < 0.7) {
    const n = Math.floor(r() * 5);
    return `[${Array.from({ length: n }, () => value(r, depth + 1)).join(r() < 0.5 ? ',' : ', ')}]`;
  }
  const n = Math.floor(r() * 6);
  const keys = new Set();
  for (let i = 0; i < n; i++) keys.add(pick(r, KEYS) + (r() < 0.3 ? pick(r, KEYS) : ''));
  const members = [...keys].map((k) => `${JSON.stringify(k)}:${value(r, depth + 1)}`);
  return `{${members.join(r() < 0.5 ? ',' : ',\n ')}}`;
}

/** `count` JSON texts; every 50th is deliberately malformed to compare error codes too. */
export function generate(count, seed = 20261122) {
  const r = rng(seed);
  const docs = [];
  for (let i = 0; i < count; i++) {
    let doc = value(r, 0);
    if (i % 50 === 49) doc = doc.slice(0, Math.max(1, doc.length - 1)) + (r() < 0.5 ? ',' : '}}');
    if (i % 97 === 96) doc = '['.repeat(140) + ']'.repeat(140);
    docs.push(doc);
  }
  return docs;
}
