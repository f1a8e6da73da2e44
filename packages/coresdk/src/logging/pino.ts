import { Masker } from '../mask.js';

/**
 * The options `pinoMasking` returns: spread them into `pino({...})`. pino is not a
 * dependency of this package: nothing is imported from it.
 */
export interface PinoMaskingOptions {
  hooks: {
    /** Masks the format arguments (`%s`, `%o`, ...) before pino writes them into the message. */
    logMethod(this: unknown, args: unknown[], method: (...args: unknown[]) => void, level: number): void;
    /** pino's last hook: it gets each record as the JSON line pino built and returns the line written. */
    streamWrite(line: string): string;
  };
}

/** The code of a masking failure (a `CoreSdkError` code, else `INTERNAL`). */
function failureCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

/**
 * pino options that mask every log record before it is written.
 *
 * `hooks.streamWrite` masks the whole JSON line pino built, so it covers everything pino
 * writes whatever produced it: the merged object, child bindings, `base` fields, `mixin`
 * output, the message after `%s` / `%d` / `%o` / `%O` / `%j` interpolation (under any
 * `messageKey`, with any `msgPrefix`), the output of every serializer (pino's own error
 * serializer for `err`, which keeps `type`, `message` with its causes, `stack` and own
 * properties; custom ones) and `formatters`. (pino calls `formatters.log` before the
 * serializers, so a mask there would miss what serializers add.) `hooks.logMethod` also
 * masks each format argument before pino writes it into the message, where `%j`, `%o`
 * and `%O` escape it once more. Keys and strings are scanned, values under sensitive keys
 * are replaced, and card numbers written as numbers become tokens ({@link Masker.maskJson}).
 *
 * ```ts
 * const log = pino({ ...pinoMasking() });
 * log.info({ user: 'bob@example.com' }, 'token %s', token); // both masked
 * log.error(new TypeError(`no user ${email}`)); // err.type, err.stack kept; the address masked
 * ```
 *
 * A line that cannot be masked (nested deeper than the masker allows) is replaced by
 * `{ level, time, masking_error: <code> }`, never written unmasked.
 *
 * Keep both hooks: `pino({ ...pinoMasking(), hooks: {...} })` replaces them and drops the
 * mask. Overriding `formatters`, `serializers`, `messageKey`, `errorKey`, `nestedKey` or
 * `mixin` is fine. Tested with pino 10; a pino without `hooks.streamWrite` would ignore it,
 * so check that your version documents it.
 */
export function pinoMasking(masker: Masker = new Masker()): PinoMaskingOptions {
  return {
    hooks: {
      logMethod(args, method) {
        // pino's LOG: an object (or undefined) first means the message is the second argument.
        const first = typeof args[0] === 'object' || args[0] === undefined ? 2 : 1;
        method.apply(
          this,
          args.length > first ? args.map((arg, i) => (i < first ? arg : maskArgument(arg, masker))) : args,
        );
      },
      streamWrite(line) {
        const end = line.endsWith('\r\n') ? '\r\n' : line.endsWith('\n') ? '\n' : '';
        try {
          return masker.maskJson(line) + end;
        } catch (error) {
          return unmaskable(line, failureCode(error), masker) + end;
        }
      },
    },
  };
}

/**
 * A format argument, masked at its own level: `%j`, `%o` and `%O` write it into the message
 * as JSON, so a value recognised by its context (`{"api_key":"..."}` inside a string) would
 * be escaped twice there. The line is masked again after formatting, which also catches a
 * secret split between the format string and an argument (`'password=%s'`). An argument
 * the masker refuses is passed as it is (its JSON, if it has one, is masked in the line).
 */
function maskArgument(arg: unknown, masker: Masker): unknown {
  try {
    if (typeof arg === 'string') return masker.maskText(arg);
    if (arg === null || typeof arg !== 'object' || arg instanceof Error) return arg;
    try {
      return masker.maskValue(arg);
    } catch {
      return masker.maskValue(JSON.parse(JSON.stringify(arg)));
    }
  } catch {
    return arg;
  }
}

/** The line written instead of one that cannot be masked: its level and time, and the code. */
function unmaskable(line: string, code: string, masker: Masker): string {
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    const kept: Record<string, unknown> = {};
    for (const key of ['level', 'time']) {
      const value = record[key];
      if (typeof value === 'number' || typeof value === 'string') kept[key] = value;
    }
    return masker.maskJson(JSON.stringify({ ...kept, masking_error: code }));
  } catch {
    return JSON.stringify({ masking_error: code });
  }
}
