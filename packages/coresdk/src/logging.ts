import { Masker } from './mask.js';

/** The options `pinoMasking` returns: spread them into `pino({...})`. */
export interface PinoMaskingOptions {
  formatters: { log(object: Record<string, unknown>): Record<string, unknown> };
  hooks: { logMethod(this: unknown, args: unknown[], method: (...args: unknown[]) => void, level: number): void };
}

/**
 * pino options that mask every log record before it is written: the merged object
 * (`formatters.log`: keys kept, strings scanned, sensitive keys such as `password` or
 * `authorization` replaced) and the message and format arguments (`hooks.logMethod`).
 *
 * ```ts
 * const log = pino({ ...pinoMasking() });
 * log.info({ user: 'bob@example.com' }, 'token %s', token); // both masked
 * ```
 *
 * A record that cannot be masked (nested deeper than the masker allows) is replaced by
 * `{ masking_error: <code> }` rather than written unmasked.
 */
export function pinoMasking(masker: Masker = new Masker()): PinoMaskingOptions {
  return {
    formatters: {
      log(object) {
        try {
          return masker.maskValue(object) as Record<string, unknown>;
        } catch (e) {
          return { masking_error: (e as { code?: string }).code ?? 'INTERNAL' };
        }
      },
    },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? masker.maskText(a) : a)),
        );
      },
    },
  };
}
