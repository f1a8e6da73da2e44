import {
  BundlePoller,
  type BundlePollerOptions,
  type BundleVerification,
  DirectoryWatch,
  type DirectoryWatchOptions,
  nativeVerification,
} from './bundle.js';
import type { DecisionLogger } from './decision-log.js';
import { native as call, nativeAsync } from './error.js';
import {
  type HttpRequest,
  nativeRequest,
  nativeRequestOptions,
  type RequestAuthorization,
  type RequestOptions,
  requestAuthorization,
} from './http.js';
import { toJsonInput, toJsonText } from './json.js';
import { keyProviderBridge } from './keys.js';
import type { PolicyMetrics } from './metrics.js';
import native, { type NativePolicyEngine, type NativeQueryResult } from './native.js';
import type { Shadow } from './shadow.js';
import { StatusReporter, type StatusReporterOptions } from './status.js';
import type { TokenVerifier } from './token.js';

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
  /**
   * Most bytes one evaluation may hold beyond what its thread held when it started; past
   * it `LIMIT_EXCEEDED` and the engine keeps serving. Default 1 GiB; 0: no limit.
   */
  memoryLimitBytes?: number;
  /** Builtin errors raise `EVAL_ERROR` instead of being undefined (OPA's default). Default false. */
  strictBuiltinErrors?: boolean;
  /** What {@link PolicyEngine.allowed} answers when evaluation fails. Default false (fail closed). */
  failOpen?: boolean;
  /**
   * The Rego syntax modules are parsed as unless they (or their bundle's manifest) say
   * otherwise: 1 (default, OPA 1.x) or 0 (Rego v0, OPA's `--v0-compatible`).
   */
  regoVersion?: RegoVersion;
  /**
   * Which evaluator answers rule paths (docs/ARCHITECTURE.md): `'compiled'` (regorus's
   * register VM for the paths it compiles, the interpreter for the rest) or
   * `'interpreter'`. Absent: the core's default.
   */
  evaluator?: Evaluator;
  /**
   * Turns the decision cache on (off by default): identical decisions on the same
   * revision are answered from a bounded, TTL'd cache; any change empties it.
   */
  cache?: DecisionCacheOptions;
  /**
   * Receives each line a policy writes with `print()` (`<file>:<line>: <text>`), with
   * the decision it belongs to. Without it, print output is dropped (never written to
   * stdout); it is also on every decision's `prints`.
   */
  onPrint?: (line: string, decision: { decisionId: string; revision: number }) => void;
  /** Sends every decision to this logger (docs/DECISION-LOGS.md); see {@link PolicyEngine.setDecisionLogger}. */
  decisionLogger?: DecisionLogger;
}

/** A Rego language version: 0 (Rego v0) or 1 (Rego v1, OPA 1.x). */
export type RegoVersion = 0 | 1;

/** Which evaluator answers rule paths: regorus's register VM where it compiles, or the interpreter. */
export type Evaluator = 'compiled' | 'interpreter';

/** Options of the calls that load modules. */
export interface ModuleOptions {
  /** The Rego version these modules are written in; absent = the engine's `regoVersion`. */
  regoVersion?: RegoVersion;
}

/** `{name: source}` as the native module list, each with its Rego version. */
function moduleList(modules: Record<string, string>, options: ModuleOptions = {}) {
  return Object.entries(modules).map(([name, source]) => ({ name, source, regoVersion: options.regoVersion }));
}

/** Options of the decision cache. */
export interface DecisionCacheOptions {
  /** Most entries kept (least recently used evicted beyond). Default 10000. */
  maxEntries?: number;
  /** Lifetime of an entry in ms. Default 60000. */
  ttlMs?: number;
}

/** Options of {@link PolicyEngine.loadBundle} and {@link PolicyEngine.loadBundlePath}. */
export interface LoadBundleOptions {
  /** Verify the bundle's signature; unsigned or badly signed bundles get `INTEGRITY`. */
  verification?: BundleVerification;
}

type EngineOptions = Pick<
  PolicyEngineOptions,
  | 'timeoutMs'
  | 'memoryLimitBytes'
  | 'strictBuiltinErrors'
  | 'failOpen'
  | 'cache'
  | 'onPrint'
  | 'regoVersion'
  | 'evaluator'
>;

/** The outcome of evaluating a rule path. */
export interface Decision {
  /** The rule's value; `undefined` when the rule is undefined (see `defined`). */
  result: unknown;
  /** False when the rule is undefined: distinct from a `false` or `null` result. */
  defined: boolean;
  /** The policy revision the decision was made against. */
  revision: number;
  /** The manifest revision of the bundle serving, or null when the policy is not from a bundle. */
  bundleRevision: string | null;
  /** Unique, time-ordered decision id (UUIDv7). */
  decisionId: string;
  /** Evaluation time in microseconds. */
  durationUs: number;
  /** True when the answer came from the decision cache. */
  cached: boolean;
  /** Lines written by `print()` during evaluation (empty when cached). */
  prints: string[];
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
  /** The manifest revision of the bundle serving, or null. */
  bundleRevision: string | null;
  /** Unique, time-ordered decision id (UUIDv7). */
  decisionId: string;
  /** Evaluation time in microseconds. */
  durationUs: number;
  /** True when the rows came from the decision cache. */
  cached: boolean;
  /** Lines written by `print()` during evaluation (empty when cached). */
  prints: string[];
}

/**
 * The fields of a decision as the native addon writes them: a JSON array, which V8 parses
 * about three times faster than an object (`DecisionText` in bindings/node/src/policy.rs).
 */
type DecisionFields = [
  defined: boolean,
  result: unknown,
  revision: number,
  bundleRevision: string | null,
  decisionId: string,
  durationUs: number,
  cached: boolean,
  prints: string[],
];

/** A decision from the native addon's JSON text (one string crossing, one `JSON.parse`). */
function decision(text: string): Decision {
  const f = JSON.parse(text) as DecisionFields;
  return {
    result: f[0] ? f[1] : undefined,
    defined: f[0],
    revision: f[2],
    bundleRevision: f[3],
    decisionId: f[4],
    durationUs: f[5],
    cached: f[6],
    prints: f[7],
  };
}

function queryResult(q: NativeQueryResult): QueryResult {
  return {
    rows: JSON.parse(q.rowsJson) as QueryRow[],
    revision: q.revision,
    bundleRevision: q.bundleRevision ?? null,
    decisionId: q.decisionId,
    durationUs: q.durationUs,
    cached: q.cached,
    prints: q.prints,
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
  readonly #onPrint: EngineOptions['onPrint'];

  /**
   * An engine loaded with `modules` (as one change), then `paths`, then `data`; empty
   * (revision 0) without them. The same as {@link PolicyEngine.create}.
   * @throws CoreSdkError `POLICY_PARSE` (with `location`), `SOURCE_UNAVAILABLE`, `INVALID_ARGUMENT`, ...
   */
  constructor(options: PolicyEngineOptions = {}) {
    this.#onPrint = options.onPrint;
    this.#inner = call(
      () =>
        new native.PolicyEngine({
          timeoutMs: options.timeoutMs,
          memoryLimitBytes: options.memoryLimitBytes,
          strictBuiltinErrors: options.strictBuiltinErrors,
          failOpen: options.failOpen,
          cache: options.cache,
          regoVersion: options.regoVersion,
          evaluator: options.evaluator,
        }),
    );
    if (options.modules && Object.keys(options.modules).length > 0) this.addModules(options.modules);
    for (const path of options.paths ?? []) this.addPath(path);
    if (options.data !== undefined) this.addData(options.data);
    if (options.decisionLogger !== undefined) this.setDecisionLogger(options.decisionLogger);
  }

  /**
   * Starts reporting this engine's status to an OPA-compatible status service
   * (docs/STATUS.md): on each change and at least every `intervalMs`.
   * @throws CoreSdkError `INVALID_ARGUMENT` for a URL that is not http(s), a zero interval or bad labels.
   */
  startStatusReporter(options: StatusReporterOptions): StatusReporter {
    const { labels, ...rest } = options;
    const labelsJson = labels === undefined ? undefined : toJsonText(labels, 'labels');
    return new StatusReporter(call(() => this.#inner.startStatusReporter({ ...rest, labelsJson })));
  }

  /** Compares a sample of this engine's rule decisions with `shadow`'s OPA server (docs/SHADOW.md), or stops (`null`). */
  setShadow(shadow: Shadow | null): void {
    call(() => this.#inner.setShadow(shadow?.native ?? null));
  }

  /** Sends this engine's decisions (rules, queries, authorized requests; failures too) to `logger`, or stops (`null`). */
  setDecisionLogger(logger: DecisionLogger | null): void {
    call(() => this.#inner.setDecisionLogger(logger?.native ?? null));
  }

  /** Hands print() lines to `onPrint`; a throwing logger never fails the decision. */
  #emit<T extends { prints: string[]; decisionId: string; revision: number }>(result: T): T {
    const onPrint = this.#onPrint;
    if (onPrint !== undefined) {
      for (const line of result.prints) {
        try {
          onPrint(line, { decisionId: result.decisionId, revision: result.revision });
        } catch {
          // The logger's own failure is not the policy's: the decision stands.
        }
      }
    }
    return result;
  }

  /**
   * An engine loaded with `modules` (as one change), then `paths`, then `data`.
   * @throws CoreSdkError `POLICY_PARSE` (with `location`), `SOURCE_UNAVAILABLE`, `INVALID_ARGUMENT`, ...
   */
  static create(options: PolicyEngineOptions = {}): PolicyEngine {
    return new PolicyEngine(options);
  }

  /** The revision now serving (0 when empty; +1 per accepted change). */
  get revision(): number {
    return call(() => this.#inner.revision);
  }

  /** Adds one Rego module. Returns the new revision. @throws CoreSdkError `POLICY_PARSE` */
  addModule(name: string, source: string, options: ModuleOptions = {}): number {
    return call(() => this.#inner.addModule(name, source, options.regoVersion));
  }

  /** Adds modules as one change: all compile and are published together, or none is. */
  addModules(modules: Record<string, string>, options: ModuleOptions = {}): number {
    return call(() => this.#inner.addModules(moduleList(modules, options)));
  }

  /**
   * Replaces every loaded module with `modules` (data is kept) as one change: the new
   * set is published as one revision, or rejected whole while the old set keeps serving.
   */
  replaceModules(modules: Record<string, string>, options: ModuleOptions = {}): number {
    return call(() => this.#inner.replaceModules(moduleList(modules, options)));
  }

  /**
   * Replaces everything: every module with `modules` and all data with `data` (empty
   * when omitted), as one change published as one revision, or rejected whole while the
   * old snapshot keeps serving. Returns the new revision.
   * @throws CoreSdkError `POLICY_PARSE`, `INVALID_ARGUMENT`, `POLICY_CONFLICT`, ...
   */
  reload(
    source: { modules: Record<string, string>; data?: Record<string, unknown> },
    options: ModuleOptions = {},
  ): number {
    const list = moduleList(source.modules, options);
    const data = source.data === undefined ? undefined : toJsonText(source.data, 'data');
    return call(() => this.#inner.reload(list, data));
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
   * `{}`) on the libuv thread pool. What each JavaScript value becomes (BigInts exact;
   * NaN, cycles, `Date`, `Map`, ... refused) is listed in docs/HOST-VALUES.md.
   * @throws CoreSdkError `POLICY_NOT_FOUND`, `EVAL_TIMEOUT`, `EVAL_ERROR`, `INVALID_ARGUMENT` (also for an input JSON cannot carry), `LIMIT_EXCEEDED`
   */
  async evaluate(path: string, input?: unknown): Promise<Decision> {
    const text = inputText(input);
    return this.#emit(decision(await nativeAsync(() => this.#inner.evaluate(path, text))));
  }

  /** {@link PolicyEngine.evaluate} on the calling thread. */
  evaluateSync(path: string, input?: unknown): Decision {
    const text = inputText(input);
    return this.#emit(decision(call(() => this.#inner.evaluateSync(path, text))));
  }

  /**
   * Evaluates with input given as JSON text or UTF-8 bytes, parsed by the core (so
   * numbers beyond 2^53 stay exact and invalid bytes get `INVALID_JSON`), on the libuv pool.
   */
  async evaluateJson(path: string, inputJson: string | Uint8Array): Promise<Decision> {
    const input = toJsonInput(inputJson);
    return this.#emit(decision(await nativeAsync(() => this.#inner.evaluate(path, input))));
  }

  /** {@link PolicyEngine.evaluateJson} on the calling thread. */
  evaluateJsonSync(path: string, inputJson: string | Uint8Array): Decision {
    const input = toJsonInput(inputJson);
    return this.#emit(decision(call(() => this.#inner.evaluateSync(path, input))));
  }

  /** {@link PolicyEngine.query} with input given as JSON text or UTF-8 bytes, on the libuv pool. */
  async queryJson(query: string, inputJson: string | Uint8Array): Promise<QueryResult> {
    const input = toJsonInput(inputJson);
    return this.#emit(queryResult(await nativeAsync(() => this.#inner.query(query, input))));
  }

  /** {@link PolicyEngine.querySync} with input given as JSON text or UTF-8 bytes. */
  queryJsonSync(query: string, inputJson: string | Uint8Array): QueryResult {
    const input = toJsonInput(inputJson);
    return this.#emit(queryResult(call(() => this.#inner.querySync(query, input))));
  }

  /**
   * Verifies `token` with `verifier`, then evaluates `path` with the verified claims added
   * to `input` (an object; default `{}`) as `input.claims`, on the libuv pool.
   * @throws CoreSdkError `TOKEN_INVALID` / `TOKEN_EXPIRED` (nothing is evaluated), `INVALID_ARGUMENT` when `input` is not an object or has `claims`, and as `evaluate`.
   */
  async authorize(
    verifier: TokenVerifier,
    token: string,
    path: string,
    input?: Record<string, unknown>,
  ): Promise<Decision> {
    const text = inputText(input);
    return this.#emit(decision(await nativeAsync(() => this.#inner.authorize(verifier.native, token, path, text))));
  }

  /** {@link PolicyEngine.authorize} on the calling thread. */
  authorizeSync(verifier: TokenVerifier, token: string, path: string, input?: Record<string, unknown>): Decision {
    const text = inputText(input);
    return this.#emit(decision(call(() => this.#inner.authorizeSync(verifier.native, token, path, text))));
  }

  /**
   * Authorizes an HTTP request, on the libuv pool: its bearer token verified once by
   * `verifier`, the rule at `rule` evaluated on the request's input document (method,
   * path and segments, query, headers without credentials, claims, client address:
   * docs/HTTP.md), and the answer to send. Never rejects for a refused request: a missing
   * or bad token is 401, a deny 403, an evaluation error the engine's fail mode (500
   * when closed). Framework middleware: `coresdk/http`.
   * @throws CoreSdkError `INVALID_ARGUMENT` for a request that is not one.
   */
  async authorizeRequest(
    verifier: TokenVerifier,
    rule: string,
    request: HttpRequest,
    options?: RequestOptions,
  ): Promise<RequestAuthorization> {
    const req = nativeRequest(request);
    const opts = nativeRequestOptions(options);
    const a = await nativeAsync(() => this.#inner.authorizeRequest(verifier.native, rule, req, opts));
    return requestAuthorization(a, a.decisionJson ? this.#emit(decision(a.decisionJson)) : null);
  }

  /** {@link PolicyEngine.authorizeRequest} on the calling thread. */
  authorizeRequestSync(
    verifier: TokenVerifier,
    rule: string,
    request: HttpRequest,
    options?: RequestOptions,
  ): RequestAuthorization {
    const req = nativeRequest(request);
    const opts = nativeRequestOptions(options);
    const a = call(() => this.#inner.authorizeRequestSync(verifier.native, rule, req, opts));
    return requestAuthorization(a, a.decisionJson ? this.#emit(decision(a.decisionJson)) : null);
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
   * As in OPA, a query of one expression (not negated, not an assignment, not iterating)
   * reports its value, `false` included; in any other query a `false` expression fails it: no rows.
   * @throws CoreSdkError `POLICY_PARSE` for a query that does not parse, and as `evaluate`.
   */
  async query(query: string, input?: unknown): Promise<QueryResult> {
    const text = inputText(input);
    return this.#emit(queryResult(await nativeAsync(() => this.#inner.query(query, text))));
  }

  /** {@link PolicyEngine.query} on the calling thread. */
  querySync(query: string, input?: unknown): QueryResult {
    const text = inputText(input);
    return this.#emit(queryResult(call(() => this.#inner.querySync(query, text))));
  }

  /** The manifest revision of the bundle serving, or null when the policy is not from a bundle. */
  get bundleRevision(): string | null {
    return call(() => this.#inner.bundleRevision) ?? null;
  }

  /**
   * Activates an OPA bundle (`.tar.gz` bytes): its modules and data replace everything
   * loaded before, as one change. Returns the new revision.
   * @throws CoreSdkError `BUNDLE_INVALID`, `INTEGRITY`, `LIMIT_EXCEEDED`, `POLICY_PARSE`, ...; the revision serving stays.
   */
  loadBundle(bundle: Uint8Array, options: LoadBundleOptions = {}): number {
    const bytes = Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength);
    return call(() => this.#inner.loadBundle(bytes, nativeVerification(options.verification)));
  }

  /** {@link PolicyEngine.loadBundle} from a `.tar.gz` file or a bundle directory. @throws CoreSdkError `SOURCE_UNAVAILABLE`, ... */
  loadBundlePath(path: string, options: LoadBundleOptions = {}): number {
    return call(() => this.#inner.loadBundlePath(path, nativeVerification(options.verification)));
  }

  /**
   * Polls an HTTP bundle server on a background thread and activates each new bundle.
   * The first poll starts at once. Stop it with `stop()`.
   * @throws CoreSdkError `INVALID_ARGUMENT` for a bad URL or delays.
   */
  startBundlePolling(options: BundlePollerOptions): BundlePoller {
    const provider = options.lastKnownGood?.keyProvider;
    const bridge =
      provider === undefined
        ? undefined
        : call(() => keyProviderBridge(provider, options.lastKnownGood?.keyProviderTimeoutMs));
    const native = call(() =>
      this.#inner.startBundlePolling(
        {
          url: options.url,
          minDelayMs: options.minDelayMs,
          maxDelayMs: options.maxDelayMs,
          timeoutMs: options.timeoutMs,
          headers: options.headers,
          bearerTokenFile: options.bearerTokenFile,
          awsSigning: options.awsSigning,
          verification: nativeVerification(options.verification),
          lastKnownGoodPath: options.lastKnownGood?.path,
          lastKnownGoodKey:
            options.lastKnownGood?.key === undefined
              ? undefined
              : Buffer.from(
                  typeof options.lastKnownGood.key === 'string'
                    ? Buffer.from(options.lastKnownGood.key, 'utf8')
                    : options.lastKnownGood.key,
                ),
          lastKnownGoodKeyFile: options.lastKnownGood?.keyFile,
          lastKnownGoodKeyId: options.lastKnownGood?.keyId,
          restoreLastKnownGood: options.lastKnownGood?.restore,
        },
        bridge,
      ),
    );
    return new BundlePoller(native);
  }

  /**
   * Loads a bundle directory and reloads it (debounced) whenever its files change; a
   * change that fails keeps the last good revision serving. Stop it with `stop()`.
   * @throws CoreSdkError the first load's errors; nothing is watched then.
   */
  watchDirectory(path: string, options: DirectoryWatchOptions = {}): DirectoryWatch {
    const native = call(() =>
      this.#inner.watchDirectory(path, options.debounceMs, nativeVerification(options.verification)),
    );
    return new DirectoryWatch(native);
  }

  /** The engine's metrics (same names in every language). */
  metrics(): PolicyMetrics {
    return JSON.parse(call(() => this.#inner.metricsJson())) as PolicyMetrics;
  }

  /** The same metrics in Prometheus text exposition format. */
  metricsPrometheus(): string {
    return call(() => this.#inner.metricsPrometheus());
  }
}
