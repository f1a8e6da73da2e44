/**
 * Decision logs in OPA's event format (docs/DECISION-LOGS.md): an engine given a
 * {@link DecisionLogger} records every decision; the logger's thread masks the events with
 * the core masker and sends them to an OPA-compatible decision-log service, a JSON Lines
 * file, or a function of yours (OpenTelemetry logs: `otelLogSink` in `coresdk/otel-logs`).
 */
import { CoreSdkError, native as call, nativeAsync } from './error.js';
import { toJsonText } from './json.js';
import native, { type NativeDecisionLogger } from './native.js';

/** Options of a {@link DecisionLogger}; the same names and defaults as Python's. */
export interface DecisionLoggerOptions {
  /** An OPA-compatible decision-log service's base URL: events are POSTed, gzip'd, to `<serviceUrl>/logs`. */
  serviceUrl?: string;
  /** A bearer token for the service. */
  bearerToken?: string;
  /** Or a file holding it (`chmod 600`), read for every request so a rotated token is used from the next one on (OPA's `bearer.token_path`). */
  bearerTokenFile?: string;
  /** A JSON Lines file instead of a service (`-`: standard output). */
  file?: string;
  /**
   * A function given each batch of masked events instead of a service or a file, on the
   * JavaScript thread (e.g. `otelLogSink(loggerProvider)` from `coresdk/otel-logs`). A batch
   * counts as delivered once handed over; what the function throws is reported with
   * `process.emitWarning`, never thrown into the program.
   */
  sink?: (events: DecisionLogEvent[]) => void;
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
  /** Most events waiting, recorded or built and not yet delivered; past it the oldest are dropped and counted. Default 10000. */
  bufferSize?: number;
  /** Time limit of one upload in ms, or of one call of `sink` (a call that has not returned by then counts as a failed send). Default 10000. */
  timeoutMs?: number;
}

/** One decision as OPA's decision-log event (docs/DECISION-LOGS.md), already masked. */
export interface DecisionLogEvent {
  decision_id: string;
  /** The rule path in OPA's form (`http/allow`), for a rule decision. */
  path?: string;
  /** The query text, for a query. */
  query?: string;
  input?: unknown;
  result?: unknown;
  error?: { code: string; message: string };
  bundles?: Record<string, { revision: string }>;
  labels: Record<string, string>;
  requested_by: string;
  /** RFC 3339. */
  timestamp: string;
  metrics: { timer_rego_query_eval_ns: number };
  /** The trace the decision was made in (32 hex digits), when known. */
  trace_id?: string;
  /** The span the decision was made in (16 hex digits), when known. */
  span_id?: string;
  erased?: string[];
  masked?: string[];
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
   * Starts a logger sending to `serviceUrl`, `file` or `sink` (one of them).
   * @throws CoreSdkError `INVALID_ARGUMENT` for options that do not make a logger.
   */
  constructor(options: DecisionLoggerOptions) {
    const { labels, sink, ...rest } = options;
    const labelsJson = labels === undefined ? undefined : toJsonText(labels, 'labels');
    const onBatch = sink === undefined ? undefined : deliverTo(sink);
    this.native = call(() => new native.DecisionLogger({ ...rest, labelsJson }, onBatch));
  }

  /**
   * Sends everything recorded so far.
   * @throws CoreSdkError `SOURCE_UNAVAILABLE` when the sink fails (the events stay for the next attempt).
   */
  async flush(): Promise<void> {
    await nativeAsync(() => this.native.flush());
    await sinkTurn();
  }

  /** Sends the rest and stops; later decisions are dropped (counted). */
  async close(): Promise<void> {
    await nativeAsync(() => this.native.close());
    await sinkTurn();
  }

  /** The counters since start. */
  get metrics(): DecisionLogMetrics {
    return JSON.parse(call(() => this.native.metricsJson())) as DecisionLogMetrics;
  }
}

/** A sink's batch is queued for this thread before flush / close resolve: let it run. */
function sinkTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The native logger's callback: parses a batch and hands it to `sink`, never throwing. */
function deliverTo(sink: (events: DecisionLogEvent[]) => void): (batchJson: string) => void {
  if (typeof sink !== 'function') throw new CoreSdkError('INVALID_ARGUMENT', 'sink must be a function');
  return (batchJson) => {
    try {
      sink(JSON.parse(batchJson) as DecisionLogEvent[]);
    } catch (e) {
      process.emitWarning(`coresdk decision log sink failed: ${e instanceof Error ? e.message : String(e)}`, {
        code: 'CORESDK_DECISION_LOG_SINK',
      });
    }
  };
}
