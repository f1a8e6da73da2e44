import { CoreSdkError, native as call } from './error.js';
import { toJsonInput, toJsonText, toText } from './json.js';
import native, { type NativeMasker } from './native.js';
import { StreamMasker } from './stream.js';

/**
 * How a detected value is replaced: `'redact'` → `[REDACTED:EMAIL]`; `'pseudonymize'` →
 * `[EMAIL:<16 hex>]`, a keyed HMAC; `'partial'` → `[REDACTED:CREDIT_CARD:1111]`, the last
 * `keep` letters and digits; `'remove'` → nothing (an entry under a sensitive JSON key is
 * dropped); `'tokenize'` → `[EMAIL:tok:<keyId>:<hex>]`, the value encrypted with the key
 * (AES-SIV: deterministic, authenticated), which {@link unmaskText} restores for a holder of
 * the key.
 */
export type MaskStrategy = 'redact' | 'pseudonymize' | 'partial' | 'remove' | 'tokenize';

/** A strategy for one type, in {@link MaskerOptions.strategies}. */
export interface TypeStrategy {
  strategy: MaskStrategy;
  /** For `'pseudonymize'` and `'tokenize'`: its own key (default: the masker's `key`). */
  key?: string;
  /** For `'tokenize'`: the id of its key (default: the masker's `keyId`). */
  keyId?: string;
  /** For `'partial'`: letters and digits kept, 1 to 8 (default 4). */
  keep?: number;
}

/** A detector the host program adds (docs/MASKING.md). */
export interface CustomDetector {
  /** The type label, `[A-Z][A-Z0-9_]*`: `[REDACTED:EMPLOYEE_ID]`. */
  type: string;
  /** A regex (Rust `regex` syntax: linear time, no look-around); matches must be whole words. */
  pattern: string;
  /** `'luhn'`: the digits of a match must pass the Luhn check. */
  validator?: 'luhn';
}

/** Options of a {@link Masker}. The same names and defaults as Python's `Masker(...)`. */
export interface MaskerOptions {
  /** The strategy for every type without its own in `strategies`. Default `'redact'`. */
  strategy?: MaskStrategy;
  /** For `strategy: 'partial'`: letters and digits kept, 1 to 8 (default 4). */
  keep?: number;
  /** Strategies by type label (`CREDIT_CARD`, `SECRET` for sensitive keys, a custom type). */
  strategies?: Record<string, TypeStrategy>;
  /** Exact values never masked when a detector finds them (a support address). */
  allow?: string[];
  /** Detectors to add. */
  customDetectors?: CustomDetector[];
  /** The key of the pseudonymize and tokenize strategies (a string is used as its UTF-8 bytes). */
  key?: string | Uint8Array;
  /** For `'tokenize'`: the id written in every token, `[A-Za-z0-9_]{1,32}` (default `'default'`). */
  keyId?: string;
  /**
   * Extra key names whose values are always masked (matched case-insensitively, ignoring
   * `-`, `_`, `.`); a name holding `*` is a glob (`'*_id'`, `'x-*-key'`).
   */
  sensitiveKeys?: string[];
  /**
   * Paths in pino / fast-redact syntax whose values are always masked: `'user.email'`,
   * `'items[*].card'`, `'headers["x-api-key"]'`, `'*.password'`. `*` is one key or index;
   * a path matches at its own depth only.
   */
  paths?: string[];
}

/** One detected value: its type and position, never the value itself. */
export interface Finding {
  /** Detector type, e.g. `'EMAIL'`, `'CREDIT_CARD'`, `'JWT'`. */
  type: string;
  /** UTF-8 byte offset of the start. */
  start: number;
  /** UTF-8 byte offset of the end. */
  end: number;
  /** UTF-16 offset of the start: `text.slice(startUtf16, endUtf16)` is the value. */
  startUtf16: number;
  /** UTF-16 offset of the end. */
  endUtf16: number;
}

/**
 * Detects and masks PII and secrets in text and JSON values. Build one and reuse it; it
 * is cheap to call from anywhere.
 */
export class Masker {
  readonly #inner: NativeMasker;

  /**
   * @throws CoreSdkError `INVALID_ARGUMENT` for an unknown strategy, an empty key, `keep`
   * outside 1 to 8, a bad type label, a custom pattern that does not compile, or a path
   * that does not parse.
   */
  constructor(options: MaskerOptions = {}) {
    const key = options.key instanceof Uint8Array ? toJsonInput(options.key) : options.key;
    const config: Record<string, unknown> = {};
    if (options.keep !== undefined) config.keep = options.keep;
    if (options.keyId !== undefined) config.key_id = options.keyId;
    if (options.strategies !== undefined) {
      config.strategies = Object.fromEntries(
        Object.entries(options.strategies).map(([label, { keyId, ...rest }]) => [
          label,
          keyId === undefined ? rest : { ...rest, key_id: keyId },
        ]),
      );
    }
    if (options.allow !== undefined) config.allow = options.allow;
    if (options.customDetectors !== undefined) config.custom_detectors = options.customDetectors;
    if (options.paths !== undefined) config.paths = options.paths;
    const configJson = Object.keys(config).length > 0 ? toJsonText(config, 'options') : undefined;
    this.#inner = call(
      () =>
        new native.Masker({
          strategy: options.strategy,
          key,
          sensitiveKeys: options.sensitiveKeys,
          configJson,
        }),
    );
  }

  /**
   * Masks every finding in text.
   * @throws CoreSdkError `INVALID_ARGUMENT` for bytes that are not valid UTF-8 or a string
   * with a lone surrogate.
   */
  maskText(text: string | Uint8Array): string {
    if (typeof text === 'string') {
      const checked = toText(text);
      return call(() => this.#inner.maskText(checked));
    }
    if (text instanceof Uint8Array) {
      const bytes = toJsonInput(text) as Buffer;
      return call(() => this.#inner.maskTextBytes(bytes));
    }
    throw new CoreSdkError('INVALID_ARGUMENT', 'text must be a string or a Uint8Array');
  }

  /**
   * Masks a batch of texts (log lines, messages) in one call: the result equals
   * `texts.map((t) => masker.maskText(t))` at a fraction of the per-call cost.
   * @throws CoreSdkError `INVALID_ARGUMENT` for a non-array, an item that is neither a
   * string nor a Uint8Array, a lone surrogate or invalid UTF-8 (then nothing is masked).
   */
  maskTexts(texts: readonly (string | Uint8Array)[]): string[] {
    if (!Array.isArray(texts)) {
      throw new CoreSdkError('INVALID_ARGUMENT', 'texts must be an array of strings or Uint8Arrays');
    }
    const checked = texts.map((text, i) => {
      if (typeof text === 'string') return toText(text, `texts[${i}]`);
      if (text instanceof Uint8Array) return toJsonInput(text) as Buffer;
      throw new CoreSdkError('INVALID_ARGUMENT', `texts[${i}] must be a string or a Uint8Array`);
    });
    return call(() => this.#inner.maskTexts(checked));
  }

  /**
   * Masks a JSON-compatible value: strings and keys masked as text (a key that masks to
   * one already written gets `#2`, `#3`, ... appended), every scalar under a
   * sensitive key (`password`, `token`, `authorization`, ...) replaced. Returns a new value.
   * @throws CoreSdkError `LIMIT_EXCEEDED` (too deep), `INVALID_ARGUMENT` (not a JSON value:
   * docs/HOST-VALUES.md).
   */
  maskValue<T = unknown>(value: T): unknown {
    const text = toJsonText(value);
    return JSON.parse(call(() => this.#inner.maskJson(text)));
  }

  /**
   * A masker for one stream of text chunks: the concatenated output equals
   * {@link maskText} of the whole stream (see {@link StreamMasker}).
   */
  stream(): StreamMasker {
    return new StreamMasker(call(() => this.#inner.stream()));
  }

  /** Masks JSON text and returns JSON text. @throws CoreSdkError `INVALID_JSON`, `LIMIT_EXCEEDED`. */
  maskJson(json: string | Uint8Array): string {
    const input = toJsonInput(json);
    return call(() => this.#inner.maskJson(input));
  }

  /**
   * Every finding in text, in order, without overlaps.
   * @throws CoreSdkError `INVALID_ARGUMENT` for a non-string or a string with a lone surrogate.
   */
  scan(text: string): Finding[] {
    if (typeof text !== 'string') throw new CoreSdkError('INVALID_ARGUMENT', 'text must be a string');
    const checked = toText(text);
    return call(() => this.#inner.scan(checked));
  }
}

/** Keys by id, for {@link unmaskText}: strings are used as their UTF-8 bytes. */
export type TokenKeys = Record<string, string | Uint8Array>;

function keyLists(keys: TokenKeys): [string[], Buffer[]] {
  if (typeof keys !== 'object' || keys === null) {
    throw new CoreSdkError('INVALID_ARGUMENT', 'keys maps key ids to keys (string or Uint8Array)');
  }
  const ids = Object.keys(keys);
  const secrets = ids.map((id) => {
    const key: unknown = keys[id];
    if (typeof key === 'string') return Buffer.from(key, 'utf8');
    if (key instanceof Uint8Array) return Buffer.from(key);
    throw new CoreSdkError('INVALID_ARGUMENT', `key ${JSON.stringify(id)} is not a string or a Uint8Array`);
  });
  return [ids, secrets];
}

/**
 * `text` with every token of the `'tokenize'` strategy replaced by the value it holds
 * (other text, redacted values included, kept).
 * @throws CoreSdkError `INTEGRITY` for a token changed, moved to another type or key id, or
 * made with another key; `KEY_UNAVAILABLE` for a token whose key id is not in `keys`.
 */
export function unmaskText(text: string, keys: TokenKeys): string {
  const checked = toText(text);
  const [ids, secrets] = keyLists(keys);
  return call(() => native.unmaskText(checked, ids, secrets));
}

/** As {@link unmaskText}, for every string and key of a JSON-compatible value. */
export function unmaskValue(value: unknown, keys: TokenKeys): unknown {
  const text = toJsonText(value);
  const [ids, secrets] = keyLists(keys);
  return JSON.parse(call(() => native.unmaskJson(text, ids, secrets)));
}
