import { CoreSdkError } from './error.js';

/** A lone UTF-16 surrogate (a string that is not valid Unicode, so not UTF-8 either). */
const LONE_SURROGATE = /\p{Cs}/u;

/** A per-process marker for BigInts while `JSON.stringify` runs (see `toJsonText`). */
const BIGINT_MARK = `\u0000coresdk-bigint-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}:`;
const BIGINT_TEXT = new RegExp(`"${JSON.stringify(BIGINT_MARK).slice(1, -1).replace(/\\/g, '\\\\')}(-?\\d+)"`, 'g');

class NotJson extends Error {}

function refuse(what: string, why: string): never {
  throw new NotJson(`${what} ${why}`);
}

/** A short name for a value JSON cannot carry, for messages. */
function kindOf(value: unknown): string {
  if (value === null || typeof value !== 'object') return typeof value;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name || 'object';
}

/**
 * JavaScript values cross to the core as JSON text (one crossing per call). This is the
 * one place where a JavaScript value becomes JSON; the rules (docs/HOST-VALUES.md) are
 * the same as Python's `coresdk._json.dumps`:
 *
 * - plain objects (prototype `Object.prototype` or `null`), arrays, strings, finite
 *   numbers, booleans, `null`; an object property whose value is `undefined` is left out
 *   (it is absent), as `JSON.stringify` does;
 * - BigInts cross as their exact decimal digits (the core then treats them as Python
 *   ints: exact in evaluation, rounded to the nearest double by RFC 8785 canonicalisation);
 * - `INVALID_ARGUMENT` for everything else: NaN and ±Infinity, a cycle, `undefined` as an
 *   array element or the whole value, functions, symbols, strings or keys with a lone
 *   surrogate, and objects that are not plain (`Date`, `Map`, `Set`, `Buffer`, typed
 *   arrays, class instances, anything with a `toJSON` method);
 * - `LIMIT_EXCEEDED` for a value too deep for `JSON.stringify` (the core itself refuses
 *   more than 127 levels of nesting with the same code).
 * @internal
 */
export function toJsonText(value: unknown, what = 'value'): string {
  // Most values are plain already: then JSON.stringify without a replacer (V8's fast
  // path) writes exactly what the checked path below would, in a third of the time.
  if (plainJson(value, 0)) return JSON.stringify(value);
  let bigints = false;
  let root = true;
  function check(this: unknown, key: string, converted: unknown): unknown {
    const holder = this as Record<string, unknown>;
    const original = holder[key];
    const atRoot = root;
    root = false;
    if (LONE_SURROGATE.test(key)) refuse(what, 'has a key with a lone surrogate (not valid Unicode)');
    switch (typeof original) {
      case 'string':
        if (LONE_SURROGATE.test(original)) refuse(what, 'has a string with a lone surrogate (not valid Unicode)');
        return original;
      case 'number':
        if (!Number.isFinite(original)) refuse(what, `holds ${original}, which JSON cannot represent`);
        return original;
      case 'boolean':
        return original;
      case 'bigint':
        bigints = true;
        return `${BIGINT_MARK}${original.toString()}`;
      case 'undefined':
        if (atRoot || Array.isArray(holder)) refuse(what, 'holds undefined where JSON needs a value');
        return undefined; // an absent property
      case 'function':
      case 'symbol':
        return refuse(what, `holds a ${typeof original}, which JSON cannot represent`);
      default: {
        if (original === null) return null;
        const proto: unknown = Object.getPrototypeOf(original);
        const plain = Array.isArray(original) || proto === Object.prototype || proto === null;
        if (!plain || converted !== original) refuse(what, `holds a ${kindOf(original)}, which is not a JSON value`);
        return original;
      }
    }
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value, check);
  } catch (e) {
    if (e instanceof NotJson) throw new CoreSdkError('INVALID_ARGUMENT', e.message);
    if (e instanceof RangeError) {
      throw new CoreSdkError('LIMIT_EXCEEDED', `${what} is nested too deeply to serialise`, undefined, { cause: e });
    }
    if (e instanceof TypeError) {
      const why = /circular/i.test(e.message) ? 'contains a cycle' : 'cannot be represented as JSON';
      throw new CoreSdkError('INVALID_ARGUMENT', `${what} ${why}`, undefined, { cause: e });
    }
    throw e;
  }
  if (text === undefined) {
    throw new CoreSdkError('INVALID_ARGUMENT', `${what} cannot be represented as JSON (${typeof value})`);
  }
  return bigints ? text.replace(BIGINT_TEXT, '$1') : text;
}

/** Nesting the fast check follows before it leaves a value to the checked path. */
const PLAIN_DEPTH = 64;

/** `String.prototype.isWellFormed` (Node 20+; not in the ES2022 typings). */
const wellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * True when `value` is JSON as it stands, so `JSON.stringify(value)` writes what the
 * checked path of {@link toJsonText} would: strings without lone surrogates, finite
 * numbers, booleans, null, arrays without holes or `undefined`, and plain objects whose
 * keys are well formed (a property holding `undefined` is absent in both). Anything else,
 * or nesting beyond {@link PLAIN_DEPTH} (a cycle ends there), goes the checked way.
 */
function plainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return wellFormed(value);
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      if (depth >= PLAIN_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined || !plainJson(item, depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const item = record[key];
        if (!wellFormed(key) || (item !== undefined && !plainJson(item, depth + 1))) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** JSON text given as a string or UTF-8 bytes, as the addon takes it. @internal */
export function toJsonInput(json: string | Uint8Array): string | Buffer {
  if (typeof json === 'string') return json;
  if (json instanceof Uint8Array)
    return Buffer.isBuffer(json) ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength);
  throw new CoreSdkError('INVALID_ARGUMENT', 'JSON must be a string or a Uint8Array');
}

/**
 * A string argument that crosses to the core as UTF-8 text: `INVALID_ARGUMENT` when it
 * holds a lone surrogate (napi would otherwise replace it with U+FFFD silently). The same
 * rule as Python's `str` arguments. @internal
 */
export function toText(text: string, what = 'text'): string {
  if (LONE_SURROGATE.test(text)) {
    throw new CoreSdkError('INVALID_ARGUMENT', `${what} is not valid Unicode (it contains a lone surrogate)`);
  }
  return text;
}
