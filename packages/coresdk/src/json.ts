import { CoreSdkError } from './error.js';

/**
 * JavaScript values cross to the core as JSON text (one crossing per call). This is the
 * one place where a value that JSON cannot carry becomes a typed error:
 * too deep for `JSON.stringify` → `LIMIT_EXCEEDED`; BigInt, cycles, or a top-level
 * `undefined`/function/symbol → `INVALID_ARGUMENT`. (The core itself refuses more than
 * 127 levels of nesting with `LIMIT_EXCEEDED`.)
 * @internal
 */
export function toJsonText(value: unknown, what = 'value'): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
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
  return text;
}

/** JSON text given as a string or UTF-8 bytes, as the addon takes it. @internal */
export function toJsonInput(json: string | Uint8Array): string | Buffer {
  if (typeof json === 'string') return json;
  if (json instanceof Uint8Array) return Buffer.isBuffer(json) ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength);
  throw new CoreSdkError('INVALID_ARGUMENT', 'JSON must be a string or a Uint8Array');
}
