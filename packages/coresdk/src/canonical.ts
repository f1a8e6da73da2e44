import { native as call } from './error.js';
import { toJsonInput, toJsonText } from './json.js';
import native from './native.js';

/**
 * The RFC 8785 (JCS) canonical JSON of a value: keys sorted by UTF-16 code units,
 * numbers as ECMAScript writes them. Byte-identical to Python's `coresdk.canonicalize`.
 * BigInts are exact digits, so beyond 2^53 they round to the nearest double as RFC 8785
 * numbers do (`canonicalize(9007199254740993n) === '9007199254740992'`).
 * @throws CoreSdkError `LIMIT_EXCEEDED` (nested more than 127 levels), `INVALID_ARGUMENT`
 * (NaN, ±Infinity, cycles, undefined, lone surrogates, objects that are not plain:
 * docs/HOST-VALUES.md).
 */
export function canonicalize(value: unknown): string {
  const text = toJsonText(value);
  return call(() => native.canonicalizeJson(text));
}

/**
 * The canonical form of JSON text. Use it when the text holds numbers a JavaScript value
 * cannot (it is parsed by the core, not by `JSON.parse`).
 * @throws CoreSdkError `INVALID_JSON`, `LIMIT_EXCEEDED`
 */
export function canonicalizeJson(json: string | Uint8Array): string {
  const input = toJsonInput(json);
  return call(() => native.canonicalizeJson(input));
}

/** Lowercase hex SHA-256 of `canonicalize(value)`. */
export function hash(value: unknown): string {
  const text = toJsonText(value);
  return call(() => native.hashJson(text));
}

/** Lowercase hex SHA-256 of the canonical form of JSON text. */
export function hashJson(json: string | Uint8Array): string {
  const input = toJsonInput(json);
  return call(() => native.hashJson(input));
}
