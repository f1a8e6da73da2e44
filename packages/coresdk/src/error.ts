/** The stable error codes shared by Rust, Node and Python (SPEC.md, "Error codes"). */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_JSON'
  | 'POLICY_PARSE'
  | 'POLICY_CONFLICT'
  | 'POLICY_NOT_FOUND'
  | 'EVAL_ERROR'
  | 'EVAL_TIMEOUT'
  | 'BUNDLE_INVALID'
  | 'SOURCE_UNAVAILABLE'
  | 'INTEGRITY'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'KEY_UNAVAILABLE'
  | 'LIMIT_EXCEEDED'
  | 'INTERNAL';

/** Every error code, in the core's declaration order. */
export const ERROR_CODES: readonly ErrorCode[] = [
  'INVALID_ARGUMENT',
  'INVALID_JSON',
  'POLICY_PARSE',
  'POLICY_CONFLICT',
  'POLICY_NOT_FOUND',
  'EVAL_ERROR',
  'EVAL_TIMEOUT',
  'BUNDLE_INVALID',
  'SOURCE_UNAVAILABLE',
  'INTEGRITY',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'KEY_UNAVAILABLE',
  'LIMIT_EXCEEDED',
  'INTERNAL',
];

/** Where in a policy source an error was found (1-based). */
export interface SourceLocation {
  /** The module name or file path the policy was loaded under. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/**
 * Every CoreSDK failure. `code` is the contract (stable across versions and languages);
 * the rest of the message is for people.
 *
 * `message` is `"<CODE>: <text>"`, e.g. `"INVALID_JSON: invalid JSON: expected value at
 * line 1 column 1"`: the same string as Python's `str(error)` (docs/HOST-VALUES.md).
 */
export class CoreSdkError extends Error {
  /** The stable error code. */
  readonly code: ErrorCode;
  /** For `POLICY_PARSE` and some evaluation errors: the policy source location. */
  readonly location?: SourceLocation;

  /** `message` is the text without the code; the code is prefixed to `this.message`. */
  constructor(code: ErrorCode, message: string, location?: SourceLocation, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = 'CoreSdkError';
    this.code = code;
    if (location) this.location = location;
  }
}

const CODES = new Set<string>(ERROR_CODES);

/**
 * Turns whatever a native call threw into a `CoreSdkError` (the one place this is done).
 * The addon throws, and its Promises reject with, an `Error` whose `code` is the stable
 * code and whose message is JSON `{"message","location"}`; arguments napi itself cannot
 * convert (a number where a string belongs) fail before the core with a napi status
 * code such as `InvalidArg` or `StringExpected`, which is `INVALID_ARGUMENT` here.
 * @internal
 */
export function toCoreSdkError(e: unknown): CoreSdkError {
  if (e instanceof CoreSdkError) return e;
  const status = (e as { code?: unknown } | null)?.code;
  const text = e instanceof Error ? e.message : String(e);
  if (typeof status === 'string' && CODES.has(status)) {
    let detail: { message?: unknown; location?: SourceLocation | null } = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object') detail = parsed as typeof detail;
    } catch {
      // A message that is not ours: keep it as it is.
    }
    const message = typeof detail.message === 'string' ? detail.message : text;
    return new CoreSdkError(status as ErrorCode, message, detail.location ?? undefined, { cause: e });
  }
  const badArgument =
    e instanceof TypeError || (typeof status === 'string' && /^(InvalidArg|\w+Expected)$/.test(status));
  return new CoreSdkError(badArgument ? 'INVALID_ARGUMENT' : 'INTERNAL', text, undefined, { cause: e });
}

/** Runs a native call, rethrowing its failure as a `CoreSdkError`. @internal */
export function native<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toCoreSdkError(e);
  }
}

/** Awaits a native Promise, rejecting with a `CoreSdkError`. @internal */
export async function nativeAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw toCoreSdkError(e);
  }
}
