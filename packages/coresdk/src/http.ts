/**
 * HTTP request authorization: the types of {@link PolicyEngine.authorizeRequest} and the
 * conversions across the boundary. Which headers reach the input, which status answers,
 * what the problem body says: all decided by the core (docs/HTTP.md).
 */
import { CoreSdkError, type ErrorCode } from './error.js';
import type { NativeHttpRequest, NativeRequestAuthorization, NativeRequestOptions } from './native.js';
import type { Decision } from './policy.js';

/** An HTTP request as a server received it. */
export interface HttpRequest {
  /** The method, e.g. `GET`. */
  method: string;
  /** The request target: `/a/b?x=1` (origin form) or an absolute URL. */
  target: string;
  /** Header fields in the order received: `[name, value]` pairs, or names and values alternating (Node's `rawHeaders`). */
  headers: Array<[string, string]> | string[];
  /** The client's address, when known. */
  clientAddress?: string;
  /**
   * The trace id (32 hex digits) of the span serving the request, for the decision log's
   * `trace_id`; with {@link HttpRequest.spanId}. Without them (or with OpenTelemetry's
   * all-zero "no span" ids) the request's W3C `traceparent` header names the trace.
   */
  traceId?: string;
  /** The span id (16 hex digits) of the span serving the request, for the decision log's `span_id`. */
  spanId?: string;
}

/** How requests are authorized. */
export interface RequestOptions {
  /** Only these headers go into the input (any case); credentials (`authorization`, `cookie`, ...) never do. */
  includeHeaders?: string[];
  /** Decide a request without a bearer token (no `claims`) instead of answering 401. A token that is sent must still verify. */
  tokenOptional?: boolean;
}

/** An RFC 9457 problem document (`application/problem+json`). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The stable error code, for 400, 401 and 500 answers. */
  code?: ErrorCode;
  /** The decision that refused the request, when one was made. */
  decision_id?: string;
}

/** What to answer a request, and why. */
export interface RequestAuthorization {
  /** 200 to go on to the handler; else 400, 401, 403 or 500. */
  status: number;
  /** True when the handler should run (allowed, or evaluation failed and the engine fails open). */
  allowed: boolean;
  /** The input document evaluated (or that would have been, when the token failed). */
  input: Record<string, unknown>;
  /** The verified claims, or null. */
  claims: Record<string, unknown> | null;
  /** The decision, when the rule was evaluated. */
  decision: Decision | null;
  /** What went wrong (token or evaluation), or null; never holds the token. */
  error: CoreSdkError | null;
  /** The body to send when `status` is not 200. */
  problem: Problem | null;
  /** The `WWW-Authenticate` value to send with a 400 or 401. */
  wwwAuthenticate: string | null;
}

/** @internal */
export function nativeRequest(r: HttpRequest): NativeHttpRequest {
  const headers: string[] = [];
  for (const item of r.headers) {
    if (Array.isArray(item)) headers.push(String(item[0]), String(item[1]));
    else headers.push(String(item));
  }
  return {
    method: r.method,
    target: r.target,
    headers,
    clientAddress: r.clientAddress,
    traceId: r.traceId,
    spanId: r.spanId,
  };
}

/** @internal */
export function nativeRequestOptions(o: RequestOptions = {}): NativeRequestOptions {
  return { includeHeaders: o.includeHeaders, tokenOptional: o.tokenOptional };
}

/** @internal */
export function requestAuthorization(a: NativeRequestAuthorization, decision: Decision | null): RequestAuthorization {
  const error = a.errorCode ? new CoreSdkError(a.errorCode as ErrorCode, a.errorMessage ?? '') : null;
  return {
    status: a.status,
    allowed: a.allowed,
    input: JSON.parse(a.inputJson) as Record<string, unknown>,
    claims: a.claimsJson ? (JSON.parse(a.claimsJson) as Record<string, unknown>) : null,
    decision,
    error,
    problem: a.problemJson ? (JSON.parse(a.problemJson) as Problem) : null,
    wwwAuthenticate: a.wwwAuthenticate ?? null,
  };
}
