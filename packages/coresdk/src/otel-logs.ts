/**
 * Decision logs as OpenTelemetry log records (`coresdk/otel-logs`), through the host's own
 * `LoggerProvider` (`@opentelemetry/sdk-logs`): give `otelLogSink(provider)` to a
 * `DecisionLogger` as its `sink`. This entry point loads `@opentelemetry/api` (1.10 or
 * later, which holds the logs API) at run time, for the records' trace context; `coresdk`
 * and `coresdk/otel` never do. Each masked OPA event becomes one record: the event is the body, the decision
 * id and path are attributes, and the record carries the event's trace and span ids so
 * backends correlate it with the request's trace.
 */
import { type LoggerProvider, type LogRecord, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import type { DecisionLogEvent } from './decision-log.js';
import { version } from './meta.js';

/** The instrumentation scope of the records. */
export const DECISION_LOG_SCOPE = 'coresdk.decision_log';

/** OpenTelemetry's `INFO` severity number. */
const INFO = 9 as NonNullable<LogRecord['severityNumber']>;

/** Options of {@link otelLogSink}. */
export interface OtelLogSinkOptions {
  /** The record's event name. Default `coresdk.decision`. */
  eventName?: string;
}

/** A `DecisionLogger` sink emitting each event as a log record of `provider`'s logger. */
export function otelLogSink(
  provider: LoggerProvider,
  options: OtelLogSinkOptions = {},
): (events: DecisionLogEvent[]) => void {
  const logger = provider.getLogger(DECISION_LOG_SCOPE, version);
  const eventName = options.eventName ?? 'coresdk.decision';
  return (events) => {
    for (const event of events) logger.emit(logRecord(event, eventName));
  };
}

/** The log record of one event. */
export function logRecord(event: DecisionLogEvent, eventName = 'coresdk.decision'): LogRecord {
  const attributes: Record<string, string> = { 'coresdk.decision_id': event.decision_id };
  if (event.path !== undefined) attributes['coresdk.path'] = event.path;
  if (event.error !== undefined) attributes['coresdk.error_code'] = event.error.code;
  const context =
    event.trace_id !== undefined && event.span_id !== undefined
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: event.trace_id,
          spanId: event.span_id,
          traceFlags: TraceFlags.SAMPLED,
        })
      : ROOT_CONTEXT;
  return {
    eventName,
    timestamp: hrTime(event.timestamp),
    severityNumber: INFO,
    severityText: 'INFO',
    body: event as unknown as LogRecord['body'],
    attributes,
    context,
  };
}

/** An RFC 3339 time as OpenTelemetry's `[seconds, nanoseconds]`, keeping every digit. */
function hrTime(rfc3339: string): [number, number] {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(rfc3339);
  if (match === null) {
    const ms = Date.now();
    return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
  }
  const seconds = Math.floor(Date.parse(`${match[1]}${match[3]}`) / 1000);
  const nanos = Number((match[2] ?? '').padEnd(9, '0').slice(0, 9));
  return [seconds, nanos];
}
