import native, { type NativeDecision, type NativePolicyEngine, type NativeQueryResult } from './native.js';
import { native as call, nativeAsync } from './error.js';
import { toJsonInput, toJsonText } from './json.js';

/** Options of a {@link PolicyEngine}. The same names and defaults as Python's. */
export interface PolicyEngineOptions {
  /** Rego modules to load, by name (the name appears in error locations). */
  modules?: Record<string, string>;
  /** `.rego` files or directories (searched recursively) to load. */
  paths?: string[];
  /** A data document (an object) merged into `data`. */
  data?: Record<string, unknown>;
  /** Time limit of one evaluation in milliseconds; past it `EVAL_TIMEOUT`. Default 1000. */
  timeoutMs?: number;
  /** Builtin errors raise `EVAL_ERROR` instead of being undefined (OPA's default). Default false. */
  strictBuiltinErrors?: boolean;
  /** What {@link PolicyEngine.allowed} answers when evaluation fails. Default false (fail closed). */
  failOpen?: boolean;
}

/** The outcome of evaluating a rule path. */
export interface Decision {
  /** The rule's value; `undefined` when the rule is undefined (see `defined`). */
  result: unknown;
  /** False when the rule is undefined: distinct from a `false` or `null` result. */
  defined: boolean;
  /** The policy revision the decision was made against. */
  revision: number;
  /** Unique, time-ordered decision id (UUIDv7). */
  decisionId: string;
  /** Evaluation time in microseconds. */
  durationUs: number;
}

/** One solution of a query, as OPA reports it. */
export interface QueryRow {
  /** The value of each expression of the query, in order. */
  expressions: unknown[];
  /** The variables the query bound, by name. */
  bindings: Record<string, unknown>;
}

/** The outcome of a Rego query: no rows means undefined. */
export interface QueryResult {
  /** One row per solution; empty when the query is undefined. */
  rows: QueryRow[];
  /** The policy revision the query was evaluated against. */
  revision: number;
  /** Unique, time-ordered decision id (UUIDv7). */
  decisionId: string;
  /** Evaluation time in microseconds. */
  durationUs: number;
}

function decision(d: NativeDecision): Decision {
  const defined = d.resultJson !== undefined && d.resultJson !== null;
  return {
    result: defined ? JSON.parse(d.resultJson as string) : undefined,
    defined,
    revision: d.revision,
    decisionId: d.decisionId,
    durationUs: d.durationUs,
  };
}

function queryResult(q: NativeQueryResult): QueryResult {
  return {
    rows: JSON.parse(q.rowsJson) as QueryRow[],
    revision: q.revision,
    decisionId: q.decisionId,
    durationUs: q.durationUs,
  };
}

/**
 * Input for `allowed`: a value JSON cannot carry is passed on as empty text, which the core
 * rejects as invalid JSON, so the fail mode (and its count) stays the core's decision.
 */
function allowedInput(input: unknown): string {
  try {
    return inputText(input);
  } catch {
    return '';
  }
}

function inputText(input: unknown): string {
  return input === undefined ? '{}' : toJsonText(input, 'input');
}

/**
 * An in-process Rego policy engine. Create one per process and share it: evaluation takes
 * no lock (each call works on its own clone of the prepared policy), and a change
 * (`addModule`, `addData`, ...) is published atomically as a new revision, or rejected
 * whole while the previous revision keeps serving.
 */
export class PolicyEngine {
  readonly #inner: NativePolicyEngine;

  /** An empty engine (revision 0). See {@link PolicyEngine.create} to load at once. */
  constructor(options: Pick<PolicyEngineOptions, 'timeoutMs' | 'strictBuiltinErrors' | 'failOpen'> = {}) {
    this.#inner = call(
      () =>
        new native.PolicyEngine({
          timeoutMs: options.timeoutMs,
          strictBuiltinErrors: options.strictBuiltinErrors,
          failOpen: options.failOpen,
        }),
    );
  }

  /**
   * An engine loaded with `modules` (as one change), then `paths`, then `data`.
   * @throws CoreSdkError `POLICY_PARSE` (with `location`), `SOURCE_UNAVAILABLE`, `INVALID_ARGUMENT`, ...
   */
  static create(options: PolicyEngineOptions = {}): PolicyEngine {
    const engine = new PolicyEngine(options);
    if (options.modules && Object.keys(options.modules).length > 0) engine.addModules(options.modules);
    for (const path of options.paths ?? []) engine.addPath(path);
    if (options.data !== undefined) engine.addData(options.data);
    return engine;
  }

  /** The revision now serving (0 when empty; +1 per accepted change). */
  get revision(): number {
    return call(() => this.#inner.revision);
  }

  /** Adds one Rego module. Returns the new revision. @throws CoreSdkError `POLICY_PARSE` */
  addModule(name: string, source: string): number {
    return call(() => this.#inner.addModule(name, source));
  }

  /** Adds modules as one change: all compile and are published together, or none is. */
  addModules(modules: Record<string, string>): number {
    const list = Object.entries(modules).map(([name, source]) => ({ name, source }));
    return call(() => this.#inner.addModules(list));
  }

  /**
   * Replaces every loaded module with `modules` (data is kept) as one change: the new
   * set is published as one revision, or rejected whole while the old set keeps serving.
   */
  replaceModules(modules: Record<string, string>): number {
    const list = Object.entries(modules).map(([name, source]) => ({ name, source }));
    return call(() => this.#inner.replaceModules(list));
  }

  /** Adds a `.rego` file, or every `.rego` file below a directory. @throws CoreSdkError `SOURCE_UNAVAILABLE` */
  addPath(path: string): number {
    return call(() => this.#inner.addPath(path));
  }

  /** Merges a data document (an object) into `data`. @throws CoreSdkError `INVALID_ARGUMENT`, `POLICY_CONFLICT` */
  addData(data: Record<string, unknown>): number {
    const text = toJsonText(data, 'data');
    return call(() => this.#inner.addDataJson(text));
  }

  /**
   * Merges a data document given as JSON text or UTF-8 bytes, parsed by the core.
   * @throws CoreSdkError `INVALID_JSON` (also for invalid UTF-8), `LIMIT_EXCEEDED`, `INVALID_ARGUMENT`, `POLICY_CONFLICT`
   */
  addDataJson(json: string | Uint8Array): number {
    const input = toJsonInput(json);
    return call(() => this.#inner.addDataJson(input));
  }

  /**
   * Evaluates a rule path (`data.pkg.rule`) against `input` (any JSON value; default
   * `{}`) on the libuv thread pool.
   * @throws CoreSdkError `POLICY_NOT_FOUND`, `EVAL_TIMEOUT`, `EVAL_ERROR`, `INVALID_ARGUMENT`, `LIMIT_EXCEEDED`
   */
  async evaluate(path: string, input?: unknown): Promise<Decision> {
    const text = inputText(input);
    return decision(await nativeAsync(() => this.#inner.evaluate(path, text)));
  }

  /** {@link PolicyEngine.evaluate} on the calling thread. */
  evaluateSync(path: string, input?: unknown): Decision {
    const text = inputText(input);
    return decision(call(() => this.#inner.evaluateSync(path, text)));
  }

  /**
   * Evaluates with input given as JSON text or UTF-8 bytes, parsed by the core (so
   * numbers beyond 2^53 stay exact and invalid bytes get `INVALID_JSON`).
   */
  evaluateJsonSync(path: string, inputJson: string | Uint8Array): Decision {
    const input = toJsonInput(inputJson);
    return decision(call(() => this.#inner.evaluateSync(path, input)));
  }

  /** {@link PolicyEngine.querySync} with input given as JSON text or UTF-8 bytes. */
  queryJsonSync(query: string, inputJson: string | Uint8Array): QueryResult {
    const input = toJsonInput(inputJson);
    return queryResult(call(() => this.#inner.querySync(query, input)));
  }

  /**
   * A yes/no decision on the libuv pool: `true` only when the rule is `true`; `false` or
   * undefined is `false`. Never throws for a failed evaluation (bad input, timeout,
   * unknown path, a non-boolean result): the configured fail mode answers (`failOpen`,
   * closed by default) and {@link PolicyEngine.failModeCount} goes up.
   */
  async allowed(path: string, input?: unknown): Promise<boolean> {
    return nativeAsync(() => this.#inner.allowed(path, allowedInput(input)));
  }

  /** {@link PolicyEngine.allowed} on the calling thread. */
  allowedSync(path: string, input?: unknown): boolean {
    return call(() => this.#inner.allowedSync(path, allowedInput(input)));
  }

  /** How many times `allowed` / `allowedSync` answered with the fail mode. */
  get failModeCount(): number {
    return call(() => this.#inner.failModeCount);
  }

  /**
   * Evaluates an arbitrary Rego query (e.g. `x := data.rbac.allow`) on the libuv pool.
   * An expression that is `false` fails the query, as in OPA: no rows.
   * @throws CoreSdkError `POLICY_PARSE` for a query that does not parse, and as `evaluate`.
   */
  async query(query: string, input?: unknown): Promise<QueryResult> {
    const text = inputText(input);
    return queryResult(await nativeAsync(() => this.#inner.query(query, text)));
  }

  /** {@link PolicyEngine.query} on the calling thread. */
  querySync(query: string, input?: unknown): QueryResult {
    const text = inputText(input);
    return queryResult(call(() => this.#inner.querySync(query, text)));
  }
}
