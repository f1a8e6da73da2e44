/**
 * Shadow mode (docs/SHADOW.md): sampled decisions are also asked of an OPA server, off the
 * hot path, and the answers compared, so a team replacing an OPA sidecar can prove on live
 * traffic that CoreSDK decides as OPA did. CoreSDK's answer is never delayed or changed.
 */
import { native as call, nativeAsync } from './error.js';
import native, { type NativeShadow } from './native.js';

/** Options of a {@link Shadow}; the same names and defaults as Python's. */
export interface ShadowOptions {
  /** The OPA server's base URL, e.g. `http://127.0.0.1:8181` (its Data API answers). */
  opaUrl: string;
  /** The share of decisions compared, 0 to 1. Default 1. */
  sampleRate?: number;
  /** Most decisions waiting for comparison; past it new ones are dropped and counted. Default 1000. */
  queueSize?: number;
  /** Time limit of one request to OPA in ms. Default 5000. */
  timeoutMs?: number;
}

/** One decision OPA answered differently: both answers and the input, masked. */
export interface ShadowDisagreement {
  decision_id: string;
  path: string;
  input: unknown;
  /** `{ result }`, or `{}` when the rule was undefined. */
  coresdk: { result?: unknown };
  opa: { result?: unknown };
}

/** The counts of a {@link Shadow} since it started, and the last 100 disagreements. */
export interface ShadowMetrics {
  sampled: number;
  agreed: number;
  disagreed: number;
  opa_errors: number;
  dropped: number;
  queued: number;
  last_error: string | null;
  disagreements: ShadowDisagreement[];
}

/** Compares sampled decisions with an OPA server; give it to engines with `setShadow`. */
export class Shadow {
  /** @internal */
  readonly native: NativeShadow;

  /**
   * Starts comparing.
   * @throws CoreSdkError `INVALID_ARGUMENT` for a URL that is not http(s), a rate outside 0 to 1, an empty queue.
   */
  constructor(options: ShadowOptions) {
    this.native = call(() => new native.Shadow(options));
  }

  /** Resolves true once every queued decision has been compared; false after `timeoutMs`. */
  waitIdle(timeoutMs = 10_000): Promise<boolean> {
    return nativeAsync(() => this.native.waitIdle(timeoutMs));
  }

  /** Stops comparing; queued decisions are not compared. */
  stop(): void {
    call(() => this.native.stop());
  }

  /** The counts and the last disagreements. */
  get metrics(): ShadowMetrics {
    return JSON.parse(call(() => this.native.metricsJson())) as ShadowMetrics;
  }
}
