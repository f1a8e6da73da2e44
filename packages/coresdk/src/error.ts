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
  file: string;
  line: number;
  column: number;
}

/**
 * Every CoreSDK failure. `code` is the contract (stable across versions and languages);
 * `message` is for people.
 */
export class CoreSdkError extends Error {
  /** The stable error code. */
  readonly code: ErrorCode;
  /** For `POLICY_PARSE` and some evaluation errors: the policy source location. */
  readonly location?: SourceLocation;

  constructor(code: ErrorCode, message: string, location?: SourceLocation, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoreSdkError';
    this.code = code;
    if (location) this.location = location;
  }
}

const CODES = new Set<string>(ERROR_CODES);

/**
 * Turns whatever a native call threw into a `CoreSdkError`. The addon encodes errors as
 * JSON `{"code","message","location"}` in the message (the same path for sync calls and
 * for Promises rejected from the libuv pool).
 * @internal
 */
export function toCoreSdkError(e: unknown): CoreSdkError {
  if (e instanceof CoreSdkError) return e;
  const text = e instanceof Error ? e.message : String(e);
  try {
    const parsed = JSON.parse(text) as { code?: string; message?: string; location?: SourceLocation | null };
    if (parsed && typeof parsed.code === 'string' && CODES.has(parsed.code)) {
      return new CoreSdkError(parsed.code as ErrorCode, parsed.message ?? '', parsed.location ?? undefined, { cause: e });
    }
  } catch {
    // Not one of ours: an argument napi could not convert, for example.
  }
  // napi rejects arguments it cannot convert with a status such as `InvalidArg` or
  // `StringExpected` before the core is reached.
  const status = (e as { code?: unknown } | null)?.code;
  const badArgument = e instanceof TypeError || (typeof status === 'string' && /^(InvalidArg|\w+Expected)$/.test(status));
  const code: ErrorCode = badArgument ? 'INVALID_ARGUMENT' : 'INTERNAL';
  return new CoreSdkError(code, text, undefined, { cause: e });
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
