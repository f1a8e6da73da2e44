/**
 * Decision logs in OPA's event format (docs/DECISION-LOGS.md): an engine given a
 * {@link DecisionLogger} records every decision; the logger's thread masks the events with
 * the core masker and sends them to an OPA-compatible decision-log service or a JSON
 * Lines file.
 */
import { native as call, nativeAsync } from './error.js';
import { toJsonText } from './json.js';
import native, { type NativeDecisionLogger } from './native.js';

/** Options of a {@link DecisionLogger}; the same names and defaults as Python's. */
export interface DecisionLoggerOptions {
  /** An OPA-compatible decision-log service's base URL: events are POSTed, gzip'd, to `<serviceUrl>/logs`. */
  serviceUrl?: string;
  /** A bearer token for the service. */
  bearerToken?: string;
  /** A JSON Lines file instead of a service (`-`: standard output). */
  file?: string;
  /** Labels added to every event (`id` and `version` are set unless given). */
  labels?: Record<string, string>;
  /** JSON pointers removed before events leave (e.g. `/input/password`), listed in `erased`. */
  erase?: string[];
  /** Shortest delay between uploads in ms. Default 5000. */
  minDelayMs?: number;
  /** Longest delay between uploads while the sink fails (the backoff cap) in ms. Default 60000. */
  maxDelayMs?: number;
  /** Most bytes of JSON per upload (OPA's `upload_size_limit_bytes`). Default 32768. */
  uploadSizeLimitBytes?: number;
  /** Most events waiting; past it the oldest are dropped and counted. Default 10000. */
  bufferSize?: number;
  /** Time limit of one upload in ms. Default 10000. */
  timeoutMs?: number;
}

/** The counters of a {@link DecisionLogger} since it started. */
export interface DecisionLogMetrics {
  recorded: number;
  delivered: number;
  dropped_buffer_full: number;
  dropped_too_large: number;
  upload_failures: number;
  buffered: number;
  last_error: string | null;
}

/** Sends decision logs from a background thread; give it to engines with `decisionLogger`. */
export class DecisionLogger {
  /** @internal */
  readonly native: NativeDecisionLogger;

  /**
   * Starts a logger sending to `serviceUrl` or `file` (one of them).
   * @throws CoreSdkError `INVALID_ARGUMENT` for options that do not make a logger.
   */
  constructor(options: DecisionLoggerOptions) {
    const { labels, ...rest } = options;
    const labelsJson = labels === undefined ? undefined : toJsonText(labels, 'labels');
    this.native = call(() => new native.DecisionLogger({ ...rest, labelsJson }));
  }

  /**
   * Sends everything recorded so far.
   * @throws CoreSdkError `SOURCE_UNAVAILABLE` when the sink fails (the events stay for the next attempt).
   */
  async flush(): Promise<void> {
    await nativeAsync(() => this.native.flush());
  }

  /** Sends the rest and stops; later decisions are dropped (counted). */
  async close(): Promise<void> {
    await nativeAsync(() => this.native.close());
  }

  /** The counters since start. */
  get metrics(): DecisionLogMetrics {
    return JSON.parse(call(() => this.native.metricsJson())) as DecisionLogMetrics;
  }
}
