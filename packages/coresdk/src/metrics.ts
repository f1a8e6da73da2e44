import type { ErrorCode } from './error.js';

/** One cumulative latency histogram bucket: evaluations that took at most `le` seconds. */
export interface LatencyBucket {
  le: number;
  count: number;
}

/** The state of the source feeding an engine (an HTTP bundle poller or a watched directory). */
export interface SourceStatus {
  /** `"http"` (bundle poller), `"directory"` (watched directory) or `"jwks"` (a token verifier's JWKS URL). */
  kind: 'http' | 'directory' | 'jwks';
  /** The bundle URL or the directory path. */
  location: string;
  /**
   * `"starting"` (no attempt finished yet), `"ok"`, `"failing"` (the last attempt failed;
   * the last good revision keeps serving) or `"stopped"`.
   */
  state: 'starting' | 'ok' | 'failing' | 'stopped';
  /** New bundles activated. */
  updates: number;
  /** Polls answered `304 Not Modified`. */
  not_modified: number;
  /** Failed attempts. */
  failures: number;
  /** Failures since the last success. */
  consecutive_failures: number;
  /** Unix time (ms) of the last success, or null. */
  last_success_unix_ms: number | null;
  /** The last failure, or null. */
  last_error: { code: ErrorCode; message: string } | null;
  /** The ETag of the bundle serving (HTTP only), or null. */
  etag: string | null;
  /** The last-known-good cache (HTTP poller with `lastKnownGood`): `stored`, `restored`, `rejected`, `write_failed`, or null. */
  last_known_good: 'stored' | 'restored' | 'rejected' | 'write_failed' | null;
}

/**
 * A snapshot of an engine's metrics. Field names are snake_case and identical in every
 * language (they come from the Rust core), so one dashboard reads Node and Python alike.
 */
export interface PolicyMetrics {
  /** Evaluations and queries, successful or not. */
  evaluations: number;
  /** Failed evaluations by error code (codes never seen are absent). */
  errors: Partial<Record<ErrorCode, number>>;
  /** Wall-time histogram of evaluations. */
  latency: { count: number; sum_seconds: number; buckets: LatencyBucket[] };
  /** Decision cache counters. */
  cache: { enabled: boolean; hits: number; misses: number; entries: number };
  /** Accepted and rejected changes. */
  reloads: { success: number; failure: number };
  /** The revision serving. */
  revision: number;
  /** The manifest revision of the bundle serving, or null. */
  bundle_revision: string | null;
  /** Times `allowed` answered with the fail mode. */
  fail_mode: number;
  /** Evaluations by the evaluator that answered: regorus's register VM or its interpreter. */
  evaluator: { compiled: number; interpreter: number };
  /** The policy source, when a poller or a directory watch feeds the engine. */
  source: SourceStatus | null;
}
