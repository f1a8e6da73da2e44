import { format } from 'node:util';
import { Masker } from '../mask.js';

// The symbols winston and logform (`triple-beam`) put on every info object.
const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');
const SPLAT = Symbol.for('splat');

/** A winston `info` object (logform's `TransformableInfo`). */
export interface WinstonInfo {
  level: string;
  message: unknown;
  [key: string | symbol]: unknown;
}

/**
 * What {@link winstonMasking} returns: a logform format instance, usable wherever
 * `winston.format.*()` results are (`format.combine`, a logger's or a transport's
 * `format`). winston is an optional peer dependency: nothing is imported from it.
 */
export interface WinstonMaskingFormat {
  options?: object;
  transform(info: WinstonInfo, opts?: unknown): WinstonInfo;
}

/**
 * The code of a masking failure: a `CoreSdkError`'s code; `INVALID_ARGUMENT` for a value
 * JSON cannot write (a cycle), `LIMIT_EXCEEDED` for one too deep to write; else `INTERNAL`.
 */
function failureCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  if (error instanceof RangeError) return 'LIMIT_EXCEEDED';
  return error instanceof TypeError ? 'INVALID_ARGUMENT' : 'INTERNAL';
}

/**
 * A winston format that masks every info object: `message`, every meta field (child and
 * default meta, objects merged by `format.splat()`, `stack` and `cause` from
 * `format.errors()` or an Error passed as meta), the `splat` arguments
 * (`info[Symbol.for('splat')]`) and an already built `info[Symbol.for('message')]`. Keys
 * are kept, strings are scanned, values under sensitive keys are replaced and card numbers
 * written as numbers become tokens; `level` and the other symbols are kept as they are.
 * Arguments the masker changes are rendered into the message again from their masked
 * values (`%j`, `%o` and `%O` escape them once more there).
 *
 * Place it after `format.errors()`, `format.splat()`, `format.timestamp()` and
 * `format.metadata()` (so it sees the message as written and every merged field) and
 * before the format that writes the line (`format.json()`, `printf`, `simple`, `logstash`):
 *
 * ```ts
 * const log = winston.createLogger({
 *   format: format.combine(format.errors({ stack: true }), format.splat(), format.timestamp(),
 *     winstonMasking(), format.json()),
 *   transports: [new winston.transports.Console()],
 * });
 * ```
 *
 * Values are masked as JSON sees them: a `Date` becomes its ISO string, a BigInt its digits
 * (as `format.json()` writes them), and an `Error` anywhere in the info becomes
 * `{ name, message, stack, ...own properties, cause }` (masked; winston's JSON would write
 * only its own enumerable properties). The format returns a new info object: the caller's
 * objects and errors are never changed. An info that cannot be masked (a cycle, nesting
 * deeper than the masker allows) keeps its `level` and `timestamp` and is otherwise
 * replaced by `message: '[masking failed: <code>]'` and `masking_error: <code>`, never
 * written unmasked.
 */
export function winstonMasking(masker: Masker = new Masker()): WinstonMaskingFormat {
  return {
    transform(info) {
      try {
        return masked(info, masker);
      } catch (error) {
        return failed(info, failureCode(error), masker);
      }
    },
  };
}

function masked(info: WinstonInfo, masker: Masker): WinstonInfo {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(info)) if (key !== 'level') fields[key] = info[key];
  if (info instanceof Error) {
    // `logger.error(err)` without `format.errors()`: the info is the Error itself, whose
    // message and stack are not enumerable.
    fields.message = info.message;
    fields.stack = info.stack;
  }
  const splat = info[SPLAT];
  const maskedSplat = splat === undefined ? undefined : maskAsJson(splat, masker);
  if (typeof fields.message === 'string' && Array.isArray(splat) && Array.isArray(maskedSplat)) {
    fields.message = withMaskedArguments(fields.message, splat, maskedSplat);
  }
  const maskedFields = maskAsJson(fields, masker) as Record<string, unknown>;
  const out = {} as WinstonInfo;
  for (const key of Object.keys(info)) out[key] = key === 'level' ? info.level : maskedFields[key];
  for (const key of Object.keys(maskedFields)) if (!(key in out)) out[key] = maskedFields[key];
  for (const symbol of Object.getOwnPropertySymbols(info)) out[symbol] = info[symbol];
  if (splat !== undefined) out[SPLAT] = maskedSplat;
  const line = info[MESSAGE];
  if (line !== undefined) out[MESSAGE] = typeof line === 'string' ? masker.maskText(line) : maskAsJson(line, masker);
  return out;
}

/** The directives `format.splat()` renders an argument with (`util.format`). */
const DIRECTIVES = ['%s', '%j', '%o', '%O'];

/**
 * `message` as `format.splat()` wrote it, with each argument the masker changes rendered
 * from its masked value instead: `%j`, `%o` and `%O` escape an argument once more inside
 * the message, where a value recognised by its context (`{"api_key":"..."}` inside a
 * string) could no longer be found. The whole message is masked afterwards, which also
 * catches a secret split between the format string and an argument (`'password=%s'`).
 */
function withMaskedArguments(message: string, splat: unknown[], maskedSplat: unknown[]): string {
  let out = message;
  splat.forEach((arg, i) => {
    if (arg === null || (typeof arg !== 'object' && typeof arg !== 'string')) return;
    if (asJson(arg) === JSON.stringify(maskedSplat[i])) return;
    for (const directive of DIRECTIVES) {
      const raw = format(directive, arg);
      const masked = format(directive, maskedSplat[i]);
      if (raw !== '' && raw !== masked) out = out.split(raw).join(masked);
    }
  });
  return out;
}

/** The info written instead of one that cannot be masked. */
function failed(info: WinstonInfo, code: string, masker: Masker): WinstonInfo {
  const out = { level: info.level, message: `[masking failed: ${code}]`, masking_error: code } as WinstonInfo;
  if (typeof info.timestamp === 'string') {
    try {
      out.timestamp = masker.maskText(info.timestamp);
    } catch {
      // left out
    }
  }
  out[LEVEL] = info[LEVEL];
  if (info[MESSAGE] !== undefined) out[MESSAGE] = out.message;
  return out;
}

/**
 * `value` as JSON text, as `JSON.stringify` writes it, but with BigInts as their digits (as
 * `format.json()` writes them) and errors spelled out, an error met a second time as
 * `'[Circular]'`.
 */
function asJson(value: unknown): string {
  const seen = new Set<unknown>();
  const loggable = (_key: string, item: unknown): unknown => {
    if (typeof item === 'bigint') return item.toString();
    if (!(item instanceof Error || Object.prototype.toString.call(item) === '[object Error]')) return item;
    if (seen.has(item)) return '[Circular]';
    seen.add(item);
    const error = item as Error & { cause?: unknown; errors?: unknown };
    const fields: Record<string, unknown> = { name: error.name, message: error.message, stack: error.stack };
    Object.assign(fields, error);
    if (error.cause !== undefined) fields.cause = error.cause;
    if (Array.isArray(error.errors)) fields.errors = error.errors;
    return fields;
  };
  return JSON.stringify(value, loggable);
}

/** `value` as {@link asJson} writes it, masked. */
function maskAsJson(value: unknown, masker: Masker): unknown {
  return JSON.parse(masker.maskJson(asJson(value)));
}
