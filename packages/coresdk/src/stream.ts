import { CoreSdkError, native as call } from './error.js';
import { toText } from './json.js';
import type { NativeStreamMasker } from './native.js';

/**
 * Masks text that arrives in chunks (LLM token streams, HTTP bodies, log streams). The
 * concatenated output equals {@link Masker.maskText} of the whole stream, however it is cut
 * into chunks; a value is never written in part across a chunk boundary. Only a bounded
 * tail is held back (the core's rules: docs/MASKING.md, "Streams").
 *
 * ```ts
 * const stream = new Masker().stream();
 * for await (const token of llm) process.stdout.write(stream.push(token));
 * process.stdout.write(stream.finish());
 * ```
 */
export class StreamMasker {
  readonly #inner: NativeStreamMasker;
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  /** A high surrogate that ended the last string chunk: its pair is in the next one. */
  #pendingSurrogate = '';

  /** @internal Use {@link Masker.stream}. */
  constructor(inner: NativeStreamMasker) {
    this.#inner = inner;
  }

  /**
   * Takes the next chunk (a string, or UTF-8 bytes that may end inside a character);
   * returns the masked text that is now final, possibly `''`.
   * @throws CoreSdkError `INVALID_ARGUMENT` for bytes that are not UTF-8, a lone surrogate,
   * or a chunk after {@link finish}.
   */
  push(chunk: string | Uint8Array): string {
    let text: string;
    if (typeof chunk === 'string') {
      text = this.#pendingSurrogate + chunk;
      this.#pendingSurrogate = '';
      const last = text.charCodeAt(text.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        this.#pendingSurrogate = text.slice(-1);
        text = text.slice(0, -1);
      }
    } else if (chunk instanceof Uint8Array) {
      text = this.#decode(chunk, true);
    } else {
      throw new CoreSdkError('INVALID_ARGUMENT', 'a chunk must be a string or a Uint8Array');
    }
    const checked = toText(text, 'chunk');
    return call(() => this.#inner.push(checked));
  }

  /**
   * Ends the stream: returns the masked rest of it. Later calls return `''`.
   * @throws CoreSdkError `INVALID_ARGUMENT` when the stream ends inside a character.
   */
  finish(): string {
    const rest = this.#pendingSurrogate + this.#decode(new Uint8Array(), false);
    this.#pendingSurrogate = '';
    const head = rest === '' ? '' : call(() => this.#inner.push(toText(rest, 'chunk')));
    return head + call(() => this.#inner.finish());
  }

  /** UTF-8 bytes received and not yet written. */
  get held(): number {
    return this.#inner.held;
  }

  #decode(bytes: Uint8Array, more: boolean): string {
    try {
      return this.#decoder.decode(bytes, { stream: more });
    } catch {
      throw new CoreSdkError('INVALID_ARGUMENT', 'chunk is not valid UTF-8');
    }
  }
}
