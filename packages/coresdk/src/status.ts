/**
 * Status reports in OPA's status API format (docs/STATUS.md), started with
 * {@link PolicyEngine.startStatusReporter}: the control plane that watches OPA agents
 * sees this engine's labels, active bundle revision, last successful activation, errors
 * and plugin state.
 */
import { native as call } from './error.js';
import type { NativeStatusReporter } from './native.js';

/** Options of {@link PolicyEngine.startStatusReporter}; the same names and defaults as Python's. */
export interface StatusReporterOptions {
  /** The status service's base URL: reports are POSTed to `<serviceUrl>/status`. */
  serviceUrl: string;
  /** A bearer token for the service. */
  bearerToken?: string;
  /** Or a file holding it (`chmod 600`), read for every request so a rotated token is used from the next one on (OPA's `bearer.token_path`). */
  bearerTokenFile?: string;
  /** Labels of every report (`id` and `version` are set unless given). */
  labels?: Record<string, string>;
  /** How often the status is checked for a change, in ms. Default 1000. */
  checkIntervalMs?: number;
  /** Longest time between two reports, changed or not, in ms. Default 60000. */
  intervalMs?: number;
  /** Time limit of one report, in ms. Default 10000. */
  timeoutMs?: number;
}

/** The counts of a {@link StatusReporter}. */
export interface StatusMetrics {
  sent: number;
  failures: number;
  last_error: string | null;
}

/** Reports an engine's status on a background thread until stopped. */
export class StatusReporter {
  readonly #native: NativeStatusReporter;

  /** @internal */
  constructor(native: NativeStatusReporter) {
    this.#native = native;
  }

  /** Stops reporting (waits at most one report's timeout). */
  stop(): void {
    call(() => this.#native.stop());
  }

  /** Reports sent, failed sends, and the last failure. */
  get metrics(): StatusMetrics {
    return JSON.parse(call(() => this.#native.metricsJson())) as StatusMetrics;
  }
}
